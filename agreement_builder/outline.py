"""The umbrella agreement's outline: Part A sections, in order (DESIGN.md §5).

Section keys are stable ids: an agreement's `clauses` are keyed by them, diffs align on them,
and the template marks each section heading with a hidden `_AB_S_<key>` bookmark. The titles
here are the ones the shipped template prints; a change report names sections by number and
title ("Section 8 Accountability Arrangements").
"""

from __future__ import annotations

from .formulas import FORMULAS

SECTIONS: tuple[tuple[str, str], ...] = (
    ("definitions", "Definitions and Interpretation"),
    ("legal_framework", "Legal Framework"),
    ("purpose", "Purpose and Objectives"),
    ("commencement", "Commencement and Duration"),
    ("scope", "Scope of the Collaboration"),
    ("lead_force", "Lead Force Arrangements"),
    ("governance", "Governance"),
    ("accountability", "Accountability Arrangements"),
    ("direction_and_control", "Direction and Control"),
    ("performance", "Performance Management"),
    ("plans", "Police and Crime Plans and the Strategic Policing Requirement"),
    ("finance", "Financial Arrangements"),
    ("cost_apportionment", "Cost Apportionment"),
    ("budget", "Budget Setting and Savings"),
    ("assets", "Assets, Premises and Equipment"),
    ("procurement", "Contracts and Procurement"),
    ("officers", "Workforce: Police Officers"),
    ("staff", "Workforce: Police Staff"),
    ("designated_staff", "Designated Police Staff"),
    ("health_and_safety", "Health and Safety"),
    ("data_protection", "Information Management and Data Protection"),
    ("foi", "Freedom of Information"),
    ("complaints", "Complaints and Conduct"),
    ("audit", "Audit and Inspection"),
    ("equality", "Equality and Diversity"),
    ("confidentiality", "Confidentiality"),
    ("intellectual_property", "Intellectual Property"),
    ("review", "Review and Variation"),
    ("new_parties", "Admission of New Parties"),
    ("termination", "Withdrawal and Termination"),
    ("liabilities", "General Liabilities"),
    ("insurance", "Insurance"),
    ("disputes", "Dispute Resolution"),
    ("publication", "Publication"),
    ("notices", "Notices"),
    ("governing_law", "Governing Law"),
)

SECTION_KEYS: tuple[str, ...] = tuple(key for key, _ in SECTIONS)
SECTION_TITLES: dict[str, str] = dict(SECTIONS)
SECTION_NUMBERS: dict[str, int] = {key: n for n, (key, _) in enumerate(SECTIONS, start=1)}

#: s22A(2) kinds of provision an agreement may make, with the words the agreement uses.
PROVISIONS: dict[str, str] = {
    "force": "force collaboration provision",
    "policing_body": "policing body collaboration provision",
    "policing_body_and_force": "policing body and force collaboration provision",
}

# Kept for one release: the formulas, their inputs and words are the table in formulas.py.
FORMULA_INPUTS: dict[str, frozenset[str]] = {f.name: frozenset(f.inputs) for f in FORMULAS.values()}
FORMULA_LABELS: dict[str, str] = {f.name: f.label for f in FORMULAS.values()}
