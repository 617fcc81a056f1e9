"""Compute everything a template displays (docs/templates.md is the contract).

Templates never decide: shares, contributions, dates, money, which annex a function gets,
and the wording that depends on the data are all prepared here. Values are wrapped in
`Namespace` objects that know their dotted path, so that a template asking for something
that does not exist fails with "`agreement.titel` is not provided", not with a blank.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterable, Mapping

from .formulas import FORMULAS, INPUTS, ROUNDING_WORDS, apportion
from .formats import format_date, format_money, format_percent, join_names, number_words
from .models import Agreement, Function, Specification
from .ooxml import bookmark_name  # noqa: F401 - also importable from here, as before ooxml.py
from .outline import PROVISIONS, SECTION_KEYS
from .richtext import Clauses
from .validate import CheckedAgreement
from .wording import (first_year, governance_names, is_corporation_sole, notice_methods, number_words_for, roles,
                      with_article)


class Namespace:
    """A read-only mapping reached by attribute (`agreement.title`) that knows its own path.

    Not a dict on purpose: a free-form field called `items` or `keys` must print its value,
    not a dict method.
    """

    __slots__ = ("_data", "_path")

    def __init__(self, data: Mapping[str, Any], path: str):
        object.__setattr__(self, "_data", dict(data))
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def __contains__(self, name: str) -> bool:
        return name in self._data

    def __iter__(self):
        return iter(self._data)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the template context is read-only")

    def __repr__(self) -> str:
        return f"<{self._path}>"


def wrap(value: Any, path: str) -> Any:
    """Return `value` with every mapping turned into a Namespace that knows its path."""
    if isinstance(value, dict):
        return Namespace({k: wrap(v, f"{path}.{k}") for k, v in value.items()}, path)
    if isinstance(value, (list, tuple)):
        return [wrap(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


# ---------------------------------------------------------------------------- stable ids and clause text


def clause_id(section: str, text: str, explicit: str | None) -> str:
    """Return a clause's stable id: the one given, else one derived from its text."""
    if explicit:
        return explicit
    return "t" + hashlib.sha1(f"{section}\n{text}".encode("utf-8")).hexdigest()[:12]


def clause_paragraphs(section: str, clauses: Iterable, style: str = "Clause") -> Clauses:
    """Return a section's agreement clauses as numbered paragraphs in `style`, each with its stable id."""
    return Clauses(style, tuple((clause_id(section, clause.text, clause.id), clause.text) for clause in clauses))


# ---------------------------------------------------------------------------- pieces


def _party(force_id: str, force, role: str) -> dict:
    office = force.chief_officer if role == "chief officer" else force.policing_body
    holder = office.holder or ""
    signed_by = f"Signed by {holder}, the {office.title}" if holder else f"Signed by the {office.title}"
    return {
        "id": f"{force_id}_{'chief_officer' if role == 'chief officer' else 'policing_body'}",
        "title": office.title,
        "holder": holder,
        "role": role,
        "force_name": force.name,
        "address": getattr(office, "address", None) or "",
        "email": getattr(office, "email", None) or "",
        "legal_form": ", a corporation sole" if is_corporation_sole(office.title) else "",
        "signed_by": signed_by,
    }


def _force(force_id: str, force) -> dict:
    return {
        "id": force_id,
        "name": force.name,
        "area": force.area,
        "chief_officer": _party(force_id, force, "chief officer"),
        "policing_body": _party(force_id, force, "policing body"),
    }


def formula_text(fn: Function, n_forces: int) -> str:
    """Return the function's cost apportionment formula in words ("" when it has none)."""
    ap = fn.apportionment
    if ap is None:
        return ""
    return FORMULAS[ap.formula].words(ap.weights, forces_in_words=number_words(n_forces))


def rounding_text(fn: Function, shares: tuple) -> str:
    """Return how the function's shares and Contributions are rounded ("" when it has no apportionment).

    When a share shown is not the exact share, a Contribution can differ by pence from the share shown
    applied to the budget: the words say that Contributions follow the exact shares.
    """
    if fn.apportionment is None or not shares:
        return ""
    if any(Fraction(s.percent) != s.exact * 100 for s in shares):
        return ROUNDING_WORDS
    return FORMULAS[fn.apportionment.formula].exact_rounding


def annex_kind(fn: Function, publication: bool) -> str:
    """Return which annex a function gets: specification, no_specification or withheld."""
    if publication and not fn.publish:
        return "withheld"
    if fn.specification == "none":
        return "no_specification"
    return "specification"


@dataclass(frozen=True)
class FunctionFigures:
    """A function's apportionment, computed once and used by annexes, reports and notices."""

    function_id: str
    shares: tuple  # of apportionment.Share, in forces order

    def by_force(self) -> dict[str, Any]:
        return {s.force: s for s in self.shares}


def function_figures(a: Agreement) -> dict[str, FunctionFigures]:
    """Return every apportioned function's shares and contributions, by function id."""
    out: dict[str, FunctionFigures] = {}
    nre = a.finance.net_revenue_expenditure
    for fn in a.functions:
        ap = fn.apportionment
        if ap is None:
            continue
        shares = apportion(
            ap.formula, a.forces, fn.budget,
            nre=nre or None, demand=ap.demand, shares=ap.shares,
            weights={"nre": ap.weights.nre, "demand": ap.weights.demand} if ap.weights else None,
        )
        out[fn.id] = FunctionFigures(fn.id, tuple(shares))
    return out


def _inputs(fn: Function, a: Agreement, names: dict[str, str]) -> list[dict]:
    """Return the figures the formula is applied to, one table each (cells carry their own £ or %)."""
    ap = fn.apportionment
    if ap is None:
        return []
    out = []
    for key in FORMULAS[ap.formula].inputs:
        spec = INPUTS[key]
        if not spec.per_force:
            continue  # the weights are in the formula's sentence
        values = spec.values(a, fn)
        if key == "shares" and all(values[f] == values[f].quantize(Decimal("0.01")) for f in a.forces):
            continue  # agreed shares are the share column; a table only when agreed to more places than it shows
        total = sum((values[f] for f in a.forces), Decimal(0))
        out.append({"label": spec.label, "unit": "",
                    "rows": [{"force": names[f], "value": spec.format(values[f])} for f in a.forces],
                    "total": format_percent(total) if spec.kind == "percent" else spec.format(total)})
    return out


def _spec(fn: Function) -> dict:
    return _spec_of(fn.specification if isinstance(fn.specification, Specification) else None)


def _spec_of(spec: Specification | None) -> dict:
    base = {"purpose": "", "services": [], "service_levels": [], "governance": "", "reporting": ""}
    if spec is None:
        return base
    data = spec.model_dump()
    for key, value in data.items():
        if value is None:
            data[key] = base.get(key, "")
    return {**base, **data}


#: A withheld function's apportionment in the publication version: nothing (its keys, empty).
WITHHELD_APPORTIONMENT = {"formula": "", "formula_text": "", "rounding_text": "", "table_intro": "", "inputs": [],
                          "rows": [], "total_share": "", "total_contribution": ""}


def withheld_context(functions: list[dict]) -> dict:
    """Return what a document says about the functions it withholds (`functions`: their contexts).

    `any`; `functions` (name and number of each); `names` ("the Anti-Corruption Unit and the
    Dog Unit"); `specifications` ("Service Specification 1", "Service Specifications 1 and 3").
    """
    numbers = [f["number"] for f in functions]
    return {
        "any": bool(functions),
        "count": len(functions),
        "functions": [{"name": f["name"], "number": f["number"]} for f in functions],
        "names": join_names([with_article(f["name"]) for f in functions]),
        "specifications": ("Service Specification " if len(numbers) == 1 else "Service Specifications ")
        + join_names(numbers) if numbers else "",
    }


# ---------------------------------------------------------------------------- the whole context


@dataclass(frozen=True)
class AnnexPlan:
    """One Part B annex: which function, which kind of annex, and its template context."""

    function_id: str
    kind: str
    context: dict


@dataclass(frozen=True)
class AgreementContext:
    """Everything the templates of one agreement display."""

    umbrella: dict  # without `annexes`, which the composer adds
    annexes: tuple[AnnexPlan, ...]
    common: dict


def build_context(checked: CheckedAgreement, *, publication: bool = False, fingerprint: str = "") -> AgreementContext:
    """Return the template contexts of an agreement's umbrella and annexes."""
    a = checked.agreement
    info = a.agreement
    known = checked.parties.parties.forces
    forces = [_force(f, known[f]) for f in a.forces]
    by_id = {f["id"]: f for f in forces}
    names = {f["id"]: f["name"] for f in forces}
    figures = function_figures(a)
    functions = []
    for number, fn in enumerate(a.functions, start=1):
        held = publication and not fn.publish  # its figures and details never enter this context
        functions.append({
            "id": fn.id,
            "name": fn.name,
            "number": str(number),
            "budget": format_money(fn.budget) if fn.budget is not None and not held else "",
            "has_specification": fn.specification != "none",
            "reason": fn.reason or "",
            "published": fn.publish,
            "withheld": held,
            "formula_text": "" if held else formula_text(fn, len(a.forces)),
        })
    # The publication version states the total of what it publishes, never one a withheld budget is part of.
    total_budget = sum((fn.budget for fn in a.functions
                        if fn.budget is not None and not (publication and not fn.publish)), Decimal(0))
    lead = by_id[a.lead_force]
    who = roles(list(a.provisions), lead["policing_body"]["title"])
    chief_officers = [f["chief_officer"] for f in forces]
    policing_bodies = [f["policing_body"] for f in forces]
    parties = (chief_officers if who.chief_officers_are_parties else []) + policing_bodies
    common = {
        "agreement": {
            "title": info.title,
            "reference": info.reference,
            "version": info.version,
            "status": info.status.capitalize(),
            "is_draft": info.status == "draft",
            "date": format_date(info.date) if info.date else "[date to be inserted]",
            "commencement": format_date(info.commencement),
            "review": format_date(info.review),
            "alliance": info.alliance,
            "fingerprint": fingerprint if info.status == "final" else "",
            "publication": publication,
            "the_title": with_article(info.title),
            "the_alliance": with_article(info.alliance),
        },
        "forces": forces,
        "lead_force": lead,
        "other_forces": [f for f in forces if f["id"] != a.lead_force],
        "force_names": join_names([f["name"] for f in forces]),
        "areas": join_names([f["area"] for f in forces]),
        "force_count": number_words(len(forces)),
        "chief_officers": chief_officers,
        "policing_bodies": policing_bodies,
        "parties": parties,
        "chief_officers_are_parties": who.chief_officers_are_parties,
        "terms": {
            "lead_body": who.lead_body,
            "deliverer": who.deliverer,
            "controllers": who.controllers,
        },
        "deliverer": lead["chief_officer"] if who.deliverer_is_chief_officer else lead["policing_body"],
        "words": number_words_for(len(forces), len(parties), len(a.functions)),
        "governance": governance_names(a.governance.model_dump(), who.chief_officers_are_parties),
        "first_year": first_year(info.commencement),
        "notices": notice_methods([b["email"] for b in policing_bodies]),
        "provisions": {
            "force": "force" in a.provisions,
            "policing_body": "policing_body" in a.provisions,
            "policing_body_and_force": "policing_body_and_force" in a.provisions,
            "text": join_names([PROVISIONS[p] for p in a.provisions]),
            "that": "that provision" if len(a.provisions) == 1 else "those provisions",
        },
        "functions": functions,
        "total_budget": format_money(total_budget),
        "withheld": withheld_context([f for f in functions if f["withheld"]]),
    }
    clauses = {key: clause_paragraphs(key, a.clauses.get(key, ())) for key in SECTION_KEYS}
    umbrella = {**common, "clauses": clauses}
    annexes = []
    for fn, fn_ctx in zip(a.functions, functions):
        rows, total_share, total_contribution, formula = [], "", "", ""
        if fn_ctx["withheld"]:  # nothing of it reaches a template, whichever annex template prints it
            annexes.append(AnnexPlan(fn.id, "withheld", {**common, "function": fn_ctx, "spec": _spec_of(None),
                                                         "apportionment": WITHHELD_APPORTIONMENT}))
            continue
        if fn.id in figures:
            shares = figures[fn.id].shares
            rows = [{"force": names[s.force], "share": format_percent(s.percent),
                     "contribution": format_money(s.contribution) if s.contribution is not None else ""}
                    for s in shares]
            total_share = format_percent(sum((s.percent for s in shares), Decimal(0)))
            total_contribution = format_money(fn.budget) if fn.budget is not None else ""
            formula = fn.apportionment.formula
        apportionment_ctx = {
            "formula": formula,
            "formula_text": fn_ctx["formula_text"],
            "rounding_text": rounding_text(fn, figures[fn.id].shares if fn.id in figures else ()),
            "table_intro": FORMULAS[formula].table_intro if formula else "",
            "inputs": _inputs(fn, a, names),
            "rows": rows,
            "total_share": total_share,
            "total_contribution": total_contribution,
        }
        context = {**common, "function": fn_ctx, "spec": _spec(fn), "apportionment": apportionment_ctx}
        annexes.append(AnnexPlan(fn.id, annex_kind(fn, publication), context))
    return AgreementContext(umbrella, tuple(annexes), common)


def template_namespace(context: dict, shared: dict | None = None) -> dict:
    """Return a context ready for Jinja: every mapping wrapped so that it knows its path.

    `shared` is an already wrapped context whose keys are reused as they are (the parts
    common to the umbrella and the 30 annexes are wrapped once, not 31 times).
    """
    shared = shared or {}
    return {key: shared[key] if key in shared else wrap(value, key) for key, value in context.items()}
