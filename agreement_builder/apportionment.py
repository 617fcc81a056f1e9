"""Exact cost apportionment (DESIGN.md §4). Pure functions: no I/O, no models.

Why fractions: a share like 3120/10420 has no exact decimal form; rounding early would make
shares that do not sum to 100.00% or contributions that miss the budget by a penny. The exact
share is kept as a Fraction, and only the printed figures are rounded, by largest remainder,
so that they sum exactly (ties go to the earlier force in agreement order).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Mapping, Sequence

HUNDRED = Fraction(100)
PERCENT_QUANTUM = Decimal("0.01")
PENNY = Decimal("0.01")


class ApportionmentError(ValueError):
    """The inputs cannot be apportioned (validation should have caught this first)."""


@dataclass(frozen=True)
class Share:
    """One force's part: its exact share (a fraction of 1) and the printed figures."""

    force: str
    exact: Fraction
    percent: Decimal  # two decimals, the column sums to exactly 100.00
    contribution: Decimal | None  # pence, the column sums to exactly the budget


def exact_shares(
    formula: str,
    forces: Sequence[str],
    *,
    nre: Mapping[str, Decimal] | None = None,
    demand: Mapping[str, Decimal] | None = None,
    weights: Mapping[str, Decimal] | None = None,
    fixed: Mapping[str, Decimal] | None = None,
) -> dict[str, Fraction]:
    """Return each force's exact share (fractions of 1 summing to exactly 1), in `forces` order."""
    if not forces:
        raise ApportionmentError("no forces to apportion between")
    if formula == "equal":
        return {f: Fraction(1, len(forces)) for f in forces}
    if formula == "fixed":
        parts = _proportions(fixed, forces, "shares")
        given = sum((Fraction(fixed[f]) for f in forces), Fraction(0))
        if given != HUNDRED:
            raise ApportionmentError(f"fixed shares sum to {float(given)}, not 100")
        return parts
    if formula == "nre":
        return _proportions(nre, forces, "net revenue expenditure")
    if formula == "demand":
        return _proportions(demand, forces, "demand")
    if formula == "nre_and_demand":
        if weights is None:
            raise ApportionmentError("nre_and_demand needs weights")
        w_nre, w_demand = Fraction(weights["nre"]), Fraction(weights["demand"])
        if w_nre + w_demand != HUNDRED or w_nre < 0 or w_demand < 0:
            raise ApportionmentError("weights must be non-negative and sum to 100")
        by_nre = _proportions(nre, forces, "net revenue expenditure")
        by_demand = _proportions(demand, forces, "demand")
        return {f: (w_nre * by_nre[f] + w_demand * by_demand[f]) / HUNDRED for f in forces}
    raise ApportionmentError(f"unknown formula {formula!r}")


def _proportions(values: Mapping[str, Decimal] | None, forces: Sequence[str], what: str) -> dict[str, Fraction]:
    if values is None or set(values) != set(forces):
        raise ApportionmentError(f"{what} must be given for exactly the agreement's forces")
    exact = {f: Fraction(values[f]) for f in forces}
    if any(v < 0 for v in exact.values()):
        raise ApportionmentError(f"{what} cannot be negative")
    total = sum(exact.values(), Fraction(0))
    if total == 0:
        raise ApportionmentError(f"{what} is zero for every force")
    return {f: v / total for f, v in exact.items()}


def largest_remainder(exact: Mapping[str, Fraction], total: Decimal, quantum: Decimal) -> dict[str, Decimal]:
    """Return `exact` (summing to `total`) rounded to `quantum` so that the results sum to `total`.

    Every value is first rounded down; the units still missing go, one each, to the values
    that lost the most in rounding, the earlier key winning a tie.
    """
    q = Fraction(quantum)
    units = {k: v / q for k, v in exact.items()}
    floors = {k: u.numerator // u.denominator for k, u in units.items()}
    missing = Fraction(total) / q - sum(floors.values())
    if missing.denominator != 1:
        raise ApportionmentError(f"{total} is not a whole number of {quantum}")
    missing = int(missing)
    order = {k: i for i, k in enumerate(exact)}
    ranked = sorted(order, key=lambda k: (-(units[k] - floors[k]), order[k]))
    if not 0 <= missing <= len(order):
        raise ApportionmentError("values do not sum to the total")
    for k in ranked[:missing]:
        floors[k] += 1
    return {k: (Decimal(floors[k]) * quantum).quantize(quantum) for k in order}


def apportion(
    formula: str,
    forces: Sequence[str],
    budget: Decimal | None,
    **inputs,
) -> list[Share]:
    """Return every force's share and contribution, in `forces` order (DESIGN.md §4)."""
    exact = exact_shares(formula, forces, **inputs)
    percents = largest_remainder({f: exact[f] * HUNDRED for f in forces}, Decimal("100.00"), PERCENT_QUANTUM)
    if budget is not None:
        if Decimal(budget) != Decimal(budget).quantize(PENNY):
            raise ApportionmentError("the budget has fractions of a penny")
        pounds = largest_remainder({f: exact[f] * Fraction(budget) for f in forces}, Decimal(budget), PENNY)
    else:
        pounds = {f: None for f in forces}
    return [Share(f, exact[f], percents[f], pounds[f]) for f in forces]
