"""The words of an agreement that depend on its data: counts, parties by provisions, defined terms.

Templates display; they never decide. Which words a sentence needs when an alliance has two
forces ("either of them", "the other Policing Body") or more ("any of them", "each other
Policing Body"), who the parties are for the provisions made (s22A), who delivers the
Functions and under which defined term, the governance bodies' names, the notice methods and
the part year at commencement are all chosen here, as plain text, and handed to the templates
(context.py adds them to the context). No Word XML here: only render/compose write XML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .formats import format_date, number_words

#: Neutral names of the governance bodies, used when an agreement names none (docs/format.md).
DEFAULT_GOVERNANCE = {
    "board": "Collaboration Board",
    "chief_officers_board": "Chief Officers’ Board",
    "summit": "Summit",
}

#: Offices that statute makes corporations sole (Police Reform and Social Responsibility Act 2011
#: ss 1, 2, 3, 4 and 9): police and crime commissioners (and so police, fire and crime
#: commissioners), chief constables, the Mayor's Office for Policing and Crime and the
#: Commissioner of Police of the Metropolis. Combined authority mayors and the Common Council
#: of the City of London are not, so the parties clause does not call them so.
CORPORATION_SOLE_TITLES = (
    "Police and Crime Commissioner", "Police, Fire and Crime Commissioner", "Chief Constable",
    "Mayor’s Office for Policing and Crime", "Mayor's Office for Policing and Crime",
    "Commissioner of Police of the Metropolis",
)

#: Words that take "Commissioner" in the lead policing body's defined term.
_COMMISSIONER_TITLES = ("Police and Crime Commissioner", "Police, Fire and Crime Commissioner")


def is_corporation_sole(title: str) -> bool:
    """Return whether an office with this title is a corporation sole by statute (see above)."""
    return title.startswith(CORPORATION_SOLE_TITLES)


def with_article(name: str) -> str:
    """Return "the NAME" for use mid-sentence, without doubling an article the name already has."""
    if name[:4].lower() == "the ":
        return "the " + name[4:]
    return "the " + name


def chief_officers_are_parties(provisions: list[str]) -> bool:
    """Whether the chief officers are parties: force collaboration provision and policing body &
    force collaboration provision need them (s22A(3), (5)); policing body collaboration provision
    alone is made by the policing bodies (s22A(1)(a), (4))."""
    return "force" in provisions or "policing_body_and_force" in provisions


def _pick(count: int, two: str, more: str) -> str:
    return two if count == 2 else more


def number_words_for(forces: int, parties: int, functions: int) -> dict[str, str]:
    """Return the words that follow the number of forces, parties and functions.

    Keys name the phrase as it reads with three or more; `_start` keys begin a sentence.
    """
    return {
        # of the forces (and so of the policing bodies, chief officers and police areas)
        "either": _pick(forces, "either", "any"),
        "the_other_policing_bodies": _pick(forces, "the other Policing Body", "the other Policing Bodies"),
        "each_other_policing_body_start": _pick(forces, "The other Policing Body", "Each other Policing Body"),
        "all_policing_bodies": _pick(forces, "both Policing Bodies", "all the Policing Bodies"),
        "forces_of_the_other_policing_bodies": _pick(
            forces, "the police force maintained by the other Policing Body",
            "the police forces maintained by the other Policing Bodies"),
        "one_anothers_police_areas": _pick(forces, "each other’s police areas", "one another’s police areas"),
        "all_forces": _pick(forces, "both forces", f"all {number_words(forces)} forces"),
        # of the parties
        "all_parties": _pick(parties, "both Parties", "all the Parties"),
        "all_of_them": _pick(parties, "both of them", "all of them"),
        "the_other_parties": _pick(parties, "the other Party", "the other Parties"),
        "each_other_party": _pick(parties, "the other Party", "each other Party"),
        "each_other_party_start": _pick(parties, "The other Party", "Each other Party"),
        "one_another": _pick(parties, "each other", "one another"),
        # of the functions
        "any_function": "that business area" if functions == 1 else _pick(functions, "either of them", "any of them"),
    }


@dataclass(frozen=True)
class Roles:
    """Who is who under the agreement's provisions, as defined terms."""

    chief_officers_are_parties: bool
    lead_body: str  # "Lead Commissioner", or "Lead Policing Body" when the lead force's body is no commissioner
    deliverer: str  # the defined term of the Party that delivers the Functions
    deliverer_is_chief_officer: bool
    controllers: str  # who are joint controllers of personal data: "Chief Officers" or "Policing Bodies"


def roles(provisions: list[str], lead_body_title: str) -> Roles:
    """Return the defined terms of the roles for the provisions an agreement makes.

    With force collaboration provision the Lead Chief Officer delivers the Functions and
    directs the persons assigned to them (s23); without it the Functions are support by the
    lead policing body (s23A), which then delivers them.
    """
    chiefs = chief_officers_are_parties(provisions)
    lead_body = "Lead Commissioner" if lead_body_title.startswith(_COMMISSIONER_TITLES) else "Lead Policing Body"
    force = "force" in provisions
    return Roles(
        chief_officers_are_parties=chiefs,
        lead_body=lead_body,
        deliverer="Lead Chief Officer" if force else lead_body,
        deliverer_is_chief_officer=force,
        controllers="Chief Officers" if force else "Policing Bodies",
    )


def governance_names(given: dict[str, str | None], chiefs_are_parties: bool) -> dict[str, str]:
    """Return the governance bodies' names (given or neutral) and the phrases that join them.

    A chief officers' board exists only when the chief officers are parties.
    """
    board = given.get("board") or DEFAULT_GOVERNANCE["board"]
    summit = given.get("summit") or DEFAULT_GOVERNANCE["summit"]
    chiefs_board = (given.get("chief_officers_board") or DEFAULT_GOVERNANCE["chief_officers_board"]) \
        if chiefs_are_parties else ""
    if chiefs_board:
        reports_to = f"the {chiefs_board} and to the {summit}"
        escalation = f"the {chiefs_board} and, where necessary, to the {summit}"
        above_board = chiefs_board
    else:
        reports_to = escalation = f"the {summit}"
        above_board = summit
    return {
        "board": board,
        "chief_officers_board": chiefs_board,
        "summit": summit,
        "board_reports_to": above_board,
        "reports_to": reports_to,
        "escalation": escalation,
    }


def first_year(commencement: dt.date) -> dict:
    """Return the part Financial Year at commencement: whether there is one, and its days.

    Financial Years begin on 1 April; an agreement that starts on another day pays the first
    year's Contributions pro rata to the days from commencement to the next 31 March.
    """
    end_year = commencement.year + (1 if commencement.month >= 4 else 0)
    end = dt.date(end_year, 3, 31)
    start = dt.date(end_year - 1, 4, 1)
    days = (end - commencement).days + 1
    year_days = (end - start).days + 1
    return {
        "part": commencement != start,
        "end": format_date(end),
        "days": str(days),
        "year_days": str(year_days),
    }


def notice_methods(emails: list[str]) -> dict:
    """Return how notices may be given, by whether the policing bodies gave email addresses."""
    given = [e for e in emails if e]
    if given and len(given) == len(emails):
        methods, note = "by hand, by first class post or by email", "address or email address"
    elif given:
        methods, note = "by hand, by first class post or, where an email address is given below, by email", "address"
    else:
        methods, note = "by hand or by first class post", "address"
    return {"methods": methods, "by_email": bool(given), "address_kind": note}


# ---------------------------------------------------------------------------- decision notices


@dataclass(frozen=True)
class DecisionMaker:
    """Who takes and signs a policing body's decision, and the officers who sign it off (decision notices)."""

    signs: str  # printed under the decision's signature line
    capacity: str  # a sentence saying in what capacity the decision is taken ("" when the title says it all)
    finance_officer: str
    monitoring_officer: str


def decision_maker(title: str, area: str) -> DecisionMaker:
    """Return who decides for the policing body called `title` (of police area `area`), by the kind of body.

    Police and crime commissioners (and police, fire and crime commissioners) decide and sign
    themselves; a PFCC decides as local policing body, not as fire and rescue authority. The
    Mayor's Office for Policing and Crime decides through the Deputy Mayor for Policing and
    Crime; a combined authority mayor exercises the police and crime commissioner functions of
    the area; the Common Council of the City of London is the police authority for the City,
    with the Chamberlain as its chief finance officer and the Comptroller and City Solicitor as
    its monitoring officer.
    """
    finance, monitoring = f"Chief Finance Officer to the {title}", f"Chief Executive and Monitoring Officer to the {title}"
    if title.startswith("Police, Fire and Crime Commissioner"):
        return DecisionMaker(title, f"The Commissioner takes this decision as the local policing body for {area}, "
                             "not as its fire and rescue authority.", finance, monitoring)
    if title.startswith(("Mayor’s Office for Policing and Crime", "Mayor's Office for Policing and Crime")):
        return DecisionMaker(f"Deputy Mayor for Policing and Crime, for the {title}",
                             f"The decision is taken for the {title} by the Deputy Mayor for Policing and Crime.",
                             f"Chief Finance Officer of the {title}", f"Chief Executive of the {title} "
                             "(Monitoring Officer)")
    if title.startswith("Mayor of "):
        return DecisionMaker(title, f"The {title} takes this decision exercising the functions of a police and "
                             f"crime commissioner for {area}.", f"Chief Finance Officer to the {title}",
                             f"Monitoring Officer to the {title}")
    if title.startswith("Common Council of the City of London"):
        return DecisionMaker(f"for the {title}", f"The {title} is the police authority for {area}; this decision is "
                             "taken under its arrangements for the discharge of that function.",
                             "Chamberlain of London (Chief Finance Officer)",
                             "Comptroller and City Solicitor (Monitoring Officer)")
    return DecisionMaker(title, "", finance, monitoring)
