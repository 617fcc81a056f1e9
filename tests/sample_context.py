"""A hand-written render context that follows docs/templates.md exactly.

Used by tests/test_templates_render.py to render the shipped templates without the rest of
the pipeline. Values are the strings the context stage would hand over (dates, money and
shares already formatted).
"""

from __future__ import annotations

import copy

from markupsafe import Markup

SECTION_KEYS = [
    "definitions", "legal_framework", "purpose", "commencement", "scope", "lead_force", "governance",
    "accountability", "direction_and_control", "performance", "plans", "finance", "cost_apportionment",
    "budget", "assets", "procurement", "officers", "staff", "designated_staff", "health_and_safety",
    "data_protection", "foi", "complaints", "audit", "equality", "confidentiality", "intellectual_property",
    "review", "new_parties", "termination", "liabilities", "insurance", "disputes", "publication", "notices",
    "governing_law",
]

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def paragraph_xml(style: str, text: str) -> str:
    """Return one w:p of `style` holding `text` (already XML-escaped by the caller)."""
    return (f'<w:p {W}><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
            f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>')


ACCOUNTABILITY_CLAUSE = ("The Lead Commissioner shall hold the Lead Chief Officer to account for the delivery "
                         "of the service in all policing areas under this Agreement &amp; report annually.")


def _party(title, role, force_name, holder="", address="", email=""):
    signed_by = f"Signed by {holder}, the {title}" if holder else f"Signed by the {title}"
    return {"title": title, "holder": holder, "role": role, "force_name": force_name,
            "address": address, "email": email, "legal_form": ", a corporation sole", "signed_by": signed_by}


def _force(fid, name, area, chief, body, holder="", address=""):
    return {
        "id": fid, "name": name, "area": area,
        "chief_officer": _party(chief, "chief officer", name, holder=holder),
        "policing_body": _party(body, "policing body", name, address=address),
    }


FORCES = [
    _force("bedfordshire", "Bedfordshire Police", "Bedfordshire", "Chief Constable of Bedfordshire Police",
           "Police and Crime Commissioner for Bedfordshire", holder="Jane Doe",
           address="Bridgebury House, Woburn Road, Kempston, Bedford MK43 9AX"),
    _force("cambridgeshire", "Cambridgeshire Constabulary", "Cambridgeshire",
           "Chief Constable of Cambridgeshire Constabulary", "Police and Crime Commissioner for Cambridgeshire"),
    _force("hertfordshire", "Hertfordshire Constabulary", "Hertfordshire",
           "Chief Constable of Hertfordshire Constabulary", "Police and Crime Commissioner for Hertfordshire"),
]

FUNCTIONS = [
    {"id": "armed_policing", "name": "Armed Policing Unit", "number": "1", "budget": "£6,250,000.00",
     "has_specification": True, "reason": "", "published": True,
     "formula_text": "Of the cost of the Function, 50% is shared between the Policing Bodies in proportion to each "
                     "Force’s Net Revenue Expenditure and 50% in proportion to each Force’s demand for the Function."},
    {"id": "dogs", "name": "Dog Unit", "number": "2", "budget": "£2,100,000.00",
     "has_specification": True, "reason": "", "published": False,
     "formula_text": "The cost of the Function is shared between the Policing Bodies in the fixed shares agreed "
                     "by the Parties."},
    {"id": "delegation_of_authority", "name": "Delegation of Authority (On-call arrangements)", "number": "3",
     "budget": "", "has_specification": False,
     "reason": "A service specification will be developed once lead force arrangements are in place.",
     "published": True, "formula_text": ""},
]


def common() -> dict:
    """Return the variables available in every template."""
    forces = copy.deepcopy(FORCES)
    chief_officers = [f["chief_officer"] for f in forces]
    policing_bodies = [f["policing_body"] for f in forces]
    return {
        "agreement": {
            "title": "Joint Protective Services", "reference": "BCH-S22A-JPS", "version": "3.0",
            "status": "Draft", "is_draft": True, "date": "19 July 2016", "commencement": "1 August 2016",
            "review": "31 July 2019",
            "alliance": "Bedfordshire, Cambridgeshire and Hertfordshire Strategic Alliance",
            "fingerprint": "", "publication": False, "the_title": "the Joint Protective Services",
            "the_alliance": "the Bedfordshire, Cambridgeshire and Hertfordshire Strategic Alliance",
        },
        "forces": forces,
        "lead_force": forces[0],
        "other_forces": forces[1:],
        "force_names": "Bedfordshire Police, Cambridgeshire Constabulary and Hertfordshire Constabulary",
        "areas": "Bedfordshire, Cambridgeshire and Hertfordshire",
        "force_count": "three",
        "parties": chief_officers + policing_bodies,
        "chief_officers": chief_officers,
        "policing_bodies": policing_bodies,
        "provisions": {"force": True, "policing_body": False, "policing_body_and_force": True,
                       "text": "force collaboration provision and policing body and force collaboration provision",
                       "that": "those provisions"},
        "functions": copy.deepcopy(FUNCTIONS),
        "total_budget": "£8,350,000.00",
        "withheld": {"any": False, "count": 0, "functions": [], "names": "", "specifications": ""},
        "chief_officers_are_parties": True,
        "terms": {"lead_body": "Lead Commissioner", "deliverer": "Lead Chief Officer", "controllers": "Chief Officers"},
        "deliverer": forces[0]["chief_officer"],
        "words": {
            "either": "any", "the_other_policing_bodies": "the other Policing Bodies",
            "each_other_policing_body_start": "Each other Policing Body", "all_policing_bodies": "all the Policing Bodies",
            "forces_of_the_other_policing_bodies": "the police forces maintained by the other Policing Bodies",
            "one_anothers_police_areas": "one another’s police areas", "all_forces": "all three forces",
            "all_parties": "all the Parties", "all_of_them": "all of them", "the_other_parties": "the other Parties",
            "each_other_party": "each other Party", "each_other_party_start": "Each other Party",
            "one_another": "one another", "any_function": "any of them",
        },
        "governance": {
            "board": "Collaboration Board", "chief_officers_board": "Joint Chief Officer Board",
            "summit": "Strategic Alliance Summit", "board_reports_to": "Joint Chief Officer Board",
            "reports_to": "the Joint Chief Officer Board and to the Strategic Alliance Summit",
            "escalation": "the Joint Chief Officer Board and, where necessary, to the Strategic Alliance Summit",
        },
        "first_year": {"part": True, "end": "31 March 2017", "days": "243", "year_days": "365"},
        "notices": {"methods": "by hand or by first class post", "by_email": False, "address_kind": "address"},
    }


def umbrella(annexes: Markup | None = None) -> dict:
    """Return an umbrella context; `clauses` has every section key, one with a clause."""
    ctx = common()
    clauses = {key: Markup("") for key in SECTION_KEYS}
    clauses["accountability"] = Markup(paragraph_xml("Clause", ACCOUNTABILITY_CLAUSE))
    ctx["clauses"] = clauses
    if annexes is None:
        annexes = Markup(
            paragraph_xml("AnnexTitle", "Service Specification 1: Armed Policing Unit")
            + paragraph_xml("AnnexHeading", "Purpose")
            + paragraph_xml("AnnexClause", "Spliced annex text.")
        )
    ctx["annexes"] = annexes
    return ctx


def annex(function_index: int = 0) -> dict:
    """Return an annex context for FUNCTIONS[function_index] (nre_and_demand)."""
    ctx = common()
    ctx["function"] = ctx["functions"][function_index]
    ctx["spec"] = {
        "purpose": "To provide an armed response to threats across Bedfordshire, Cambridgeshire & "
                   "Hertfordshire, 24 hours a day.",
        "services": ["Armed response vehicles", "Specialist firearms officers", "Firearms training"],
        "service_levels": ["An armed response vehicle on scene within 20 minutes for 90% of urgent incidents.",
                           "A tactical firearms commander available at all times."],
        "governance": "",
        "reporting": "Quarterly performance reports by force area.",
    }
    ctx["apportionment"] = {
        "formula": "nre_and_demand",
        "formula_text": ctx["function"]["formula_text"],
        "inputs": [
            {"label": "Net Revenue Expenditure", "unit": "", "total": "£408,500,000",
             "rows": [{"force": "Bedfordshire Police", "value": "£102,400,000"},
                      {"force": "Cambridgeshire Constabulary", "value": "£129,800,000"},
                      {"force": "Hertfordshire Constabulary", "value": "£176,300,000"}]},
            {"label": "Demand", "unit": "incidents", "total": "10,420",
             "rows": [{"force": "Bedfordshire Police", "value": "3,120"},
                      {"force": "Cambridgeshire Constabulary", "value": "2,890"},
                      {"force": "Hertfordshire Constabulary", "value": "4,410"}]},
        ],
        "rows": [
            {"force": "Bedfordshire Police", "share": "27.51%", "contribution": "£1,719,375.00"},
            {"force": "Cambridgeshire Constabulary", "share": "29.76%", "contribution": "£1,860,000.00"},
            {"force": "Hertfordshire Constabulary", "share": "42.73%", "contribution": "£2,670,625.00"},
        ],
        "total_share": "100.00%",
        "total_contribution": "£6,250,000.00",
        "rounding_text": "Each Contribution is the budget multiplied by the exact share that the formula gives, "
                         "rounded to the penny.",
        "table_intro": "The resulting shares and annual Contributions are:",
    }
    return ctx


def decision_notice(force_index: int = 1) -> dict:
    """Return a decision notice context for the policing body of FORCES[force_index]."""
    ctx = common()
    force = ctx["forces"][force_index]
    ctx["body"] = force["policing_body"]
    ctx["force"] = force
    ctx["contributions"] = [
        {"function": "Armed Policing Unit", "contribution": "£1,860,000.00", "previous": "–", "change": ""},
        {"function": "Dog Unit", "contribution": "£655,200.00", "previous": "–", "change": ""},
    ]
    ctx["total_contribution"] = "£2,515,200.00"
    ctx["previous"] = {"any": False, "version": "", "total": "", "change": ""}
    ctx["decision"] = {"reference": "BCH-S22A-JPS/3.0/CAMBRIDGESHIRE", "signs": force["policing_body"]["title"],
                       "holder": "", "capacity": "", "finance_officer": "Chief Finance Officer",
                       "monitoring_officer": "Chief Executive and Monitoring Officer"}
    ctx["summit_agreements"] = [{"agreement": "Joint Protective Services (BCH-S22A-JPS)", "contribution": "£2,515,200.00"},
                                {"agreement": "Professional Standards Department (BCH-S22A-PSD)",
                                 "contribution": "£1,000.00"}]
    ctx["summit_total"] = "£2,516,200.00"
    ctx["summit_withholding"] = False
    ctx["summit"] = {"name": "Strategic Alliance Summit", "the_name": "the Strategic Alliance Summit",
                     "date": "19 July 2016"}
    return ctx
