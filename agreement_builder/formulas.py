"""The cost apportionment formulas (DESIGN.md §4): one entry each, with everything that is said or done about it.

Why one table: a formula's name, the inputs it needs, its exact computation and its words
(the annex's sentence, a short label, the change report's phrase) were written in seven
places. Now validation (which inputs a formula needs), the models and the JSON schema (which
names a YAML file may give), apportionment (the exact shares), the annexes (the sentence, the
input tables), the change report (the phrase) and the finance workbook (the label, the input
columns) all read `FORMULAS`. Adding a formula is adding one entry here; one that needs a new
kind of figure also adds that figure to `INPUTS` and to the `Apportionment` model.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Mapping, Sequence

from . import apportionment as exact
from .apportionment import ApportionmentError, Share
from .formats import format_money, format_number


@dataclass(frozen=True)
class Input:
    """One kind of figure a formula is applied to."""

    key: str  # the keyword of `apportion` and the key in `Formula.inputs`
    field: str  # where the YAML gives it, for messages: "finance.net_revenue_expenditure", "demand" (under apportionment)
    per_function: bool  # given under each function's `apportionment` (else once, under `finance`)
    per_force: bool  # one figure per force (weights are two percentages)
    kind: str  # "money", "number" or "percent": how its figures print
    label: str  # heading of its table in an annex, with the agreement's defined terms
    words: str  # in messages ("the fixed share is missing for ...")
    column: str  # heading of its column in the finance workbook

    def values(self, agreement, function) -> dict:
        """Return this input's figures for `function` of `agreement` (models), by force ({} when not given)."""
        where = function.apportionment if self.per_function else agreement
        for name in self.field.split("."):
            where = getattr(where, name, None)
        return dict(where or {}) if self.per_force else where

    def format(self, value: Decimal) -> str:
        """Return one of its figures as a table cell prints it ("£102,400,000.00", "3,120", "28.125%")."""
        if self.kind == "money":
            return format_money(value)
        if self.kind == "percent":
            return f"{format_number(value)}%"
        return format_number(value)


INPUTS: dict[str, Input] = {
    "nre": Input("nre", "finance.net_revenue_expenditure", False, True, "money", "Net Revenue Expenditure",
                 "net revenue expenditure", "Net revenue expenditure (£)"),
    "demand": Input("demand", "demand", True, True, "number", "Demand", "demand", "Demand"),
    "shares": Input("shares", "shares", True, True, "percent", "Agreed share", "the fixed share", "Agreed share"),
    "weights": Input("weights", "weights", True, False, "percent", "", "weights", ""),
}

#: How shares and Contributions are rounded: Contributions follow the exact shares, not the rounded ones shown.
ROUNDING_WORDS = (
    "Each Contribution is the budget multiplied by the exact share that the formula gives, rounded to the penny; "
    "the shares are shown rounded to two decimal places. Both are rounded by the largest remainder method, so that "
    "the Contributions add up to exactly the budget and the shares to exactly 100%. A Contribution therefore "
    "follows the exact share and may differ by a few pence from the budget multiplied by the share shown."
)
FIXED_ROUNDING_WORDS = (
    "Each Contribution is the budget multiplied by the agreed share, rounded to the penny by the largest remainder "
    "method so that the Contributions add up to exactly the budget."
)
EXACT_ROUNDING_WORDS = (
    "Each Contribution is the budget multiplied by the share shown, rounded to the penny by the largest remainder "
    "method so that the Contributions add up to exactly the budget."
)
TABLE_INTRO_DEFAULT = "The resulting shares and annual Contributions are:"

Exact = Callable[[Sequence[str], Mapping], tuple[list[int], int]]


@dataclass(frozen=True)
class Formula:
    """One apportionment formula: its name in the YAML, its inputs, its exact computation and its words."""

    name: str
    inputs: tuple[str, ...]  # keys of INPUTS, in the order an annex shows their tables
    exact: Exact  # (forces, inputs by key) -> integer numerators over one denominator (apportionment.py)
    label: str  # a few words for tables and spreadsheets: "Net revenue expenditure and demand"
    phrase: str  # the change report's words: "net revenue expenditure and demand"
    sentence: str  # the annex's sentence, with the agreement's defined terms; may use {n}, {w_nre}, {w_demand}
    weighted_phrase: str = ""  # the phrase when the weights are known: "{w_nre}% net revenue expenditure and ..."
    table_intro: str = TABLE_INTRO_DEFAULT  # the sentence before the shares table
    exact_rounding: str = EXACT_ROUNDING_WORDS  # how Contributions are rounded when every share shown is exact

    def uses(self, key: str) -> bool:
        """Return whether the formula is applied to the input `key` (a key of INPUTS)."""
        return key in self.inputs

    def words(self, weights=None, *, forces_in_words: str = "") -> str:
        """Return the annex's sentence, with the weights (a `models.Weights`) where it has them."""
        return self.sentence.format(n=forces_in_words, **_weights(weights))

    def short(self, weights=None) -> str:
        """Return the change report's few words, with the weights where it has them."""
        if self.weighted_phrase and weights is not None:
            return self.weighted_phrase.format(**_weights(weights))
        return self.phrase


def _weights(weights) -> dict[str, str]:
    if weights is None:
        return {"w_nre": "", "w_demand": ""}
    return {"w_nre": format_number(weights.nre), "w_demand": format_number(weights.demand)}


FORMULAS: dict[str, Formula] = {f.name: f for f in (
    Formula(
        "equal", (), exact.equal_parts, "Equal shares", "equal shares",
        "The cost of the Function is shared equally between the Policing Bodies.",
    ),
    Formula(
        "fixed", ("shares",), exact.agreed_parts, "Fixed shares", "fixed shares",
        "The cost of the Function is shared between the Policing Bodies in the fixed shares agreed by the Parties.",
        table_intro="The agreed shares and the resulting annual Contributions are:",
        exact_rounding=FIXED_ROUNDING_WORDS,
    ),
    Formula(
        "nre", ("nre",), exact.proportional_to("nre"), "Net revenue expenditure", "net revenue expenditure",
        "The cost of the Function is shared between the Policing Bodies in proportion to each Force’s Net Revenue "
        "Expenditure.",
    ),
    Formula(
        "demand", ("demand",), exact.proportional_to("demand"), "Demand", "demand",
        "The cost of the Function is shared between the Policing Bodies in proportion to each Force’s demand "
        "for the Function.",
    ),
    Formula(
        "nre_and_demand", ("nre", "demand", "weights"), exact.weighted_nre_and_demand,
        "Net revenue expenditure and demand", "net revenue expenditure and demand",
        "Of the cost of the Function, {w_nre}% is shared between the Policing Bodies in proportion to each Force’s "
        "Net Revenue Expenditure and {w_demand}% in proportion to each Force’s demand for the Function.",
        weighted_phrase="{w_nre}% net revenue expenditure and {w_demand}% demand",
    ),
)}

def formula(name: str) -> Formula:
    """Return the formula called `name`; an unknown name is an ApportionmentError (validation catches it first)."""
    try:
        return FORMULAS[name]
    except KeyError:
        raise ApportionmentError(f"unknown formula {name!r}") from None


def exact_shares(name: str, forces: Sequence[str], **inputs) -> dict[str, Fraction]:
    """Return each force's exact share (fractions of 1 summing to exactly 1), in `forces` order.

    `inputs` by key of INPUTS: nre and demand (force -> Decimal), shares (force -> percent),
    weights ({"nre": percent, "demand": percent}).
    """
    numerators, denominator = formula(name).exact(exact.checked_forces(forces), inputs)
    return {f: Fraction(n, denominator) for f, n in zip(forces, numerators)}


def apportion(name: str, forces: Sequence[str], budget: Decimal | None, **inputs) -> list[Share]:
    """Return every force's share and contribution under formula `name`, in `forces` order (DESIGN.md §4)."""
    numerators, denominator = formula(name).exact(exact.checked_forces(forces), inputs)
    return exact.rounded_shares(forces, numerators, denominator, budget)
