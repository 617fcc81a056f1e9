"""Exact cost apportionment (DESIGN.md §4). Pure functions: no I/O, no models.

The arithmetic only: each formula's exact shares and the rounding of shares and
contributions. Which formulas exist, what each needs and how each is worded is the table in
formulas.py (`formulas.apportion` computes a formula's shares by its name).

Why fractions: a share like 3120/10420 has no exact decimal form; rounding early would make
shares that do not sum to 100.00% or contributions that miss the budget by a penny. The exact
share is kept as a Fraction, and only the printed figures are rounded, by largest remainder,
so that they sum exactly (ties go to the earlier force in agreement order).
"""

from __future__ import annotations

import math
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


def checked_forces(forces: Sequence[str]) -> Sequence[str]:
    """Return `forces`, refusing none at all (there is nobody to apportion between)."""
    if not forces:
        raise ApportionmentError("no forces to apportion between")
    return forces


# The exact computations of the formulas (formulas.py names them): each returns the exact shares as
# integer numerators over one common denominator (they sum to it). Integers rather than Fractions:
# the same exact arithmetic without a gcd at every step, which at national scale (43 forces, 30
# functions) was most of the time of a context.


def equal_parts(forces: Sequence[str], inputs: Mapping) -> tuple[list[int], int]:
    """Equal shares."""
    return [1] * len(forces), len(forces)


def agreed_parts(forces: Sequence[str], inputs: Mapping) -> tuple[list[int], int]:
    """The shares agreed (percentages summing to exactly 100)."""
    fixed = inputs.get("shares")
    numerators, denominator = _proportions(fixed, forces, "shares")
    if Fraction(denominator, _scale(fixed[f] for f in forces)) != HUNDRED:
        raise ApportionmentError(f"fixed shares sum to {float(sum(Fraction(fixed[f]) for f in forces))}, not 100")
    return numerators, denominator


_WHAT = {"nre": "net revenue expenditure", "demand": "demand"}


def proportional_to(key: str):
    """Return the computation of shares in proportion to one figure per force (`key`: "nre", "demand")."""
    def parts(forces: Sequence[str], inputs: Mapping) -> tuple[list[int], int]:
        return _proportions(inputs.get(key), forces, _WHAT.get(key, key))

    parts.__doc__ = f"Shares in proportion to each force's {_WHAT.get(key, key)}."
    return parts


def weighted_nre_and_demand(forces: Sequence[str], inputs: Mapping) -> tuple[list[int], int]:
    """Weights (percent, summing to 100) of shares by net revenue expenditure and by demand."""
    weights = inputs.get("weights")
    if weights is None:
        raise ApportionmentError("nre_and_demand needs weights")
    scale = _scale((weights["nre"], weights["demand"]))
    w_nre, w_demand = int(weights["nre"] * scale), int(weights["demand"] * scale)
    if w_nre + w_demand != 100 * scale or w_nre < 0 or w_demand < 0:
        raise ApportionmentError("weights must be non-negative and sum to 100")
    by_nre, total_nre = _proportions(inputs.get("nre"), forces, "net revenue expenditure")
    by_demand, total_demand = _proportions(inputs.get("demand"), forces, "demand")
    numerators = [w_nre * n * total_demand + w_demand * d * total_nre for n, d in zip(by_nre, by_demand)]
    return numerators, (w_nre + w_demand) * total_nre * total_demand


def _scale(values) -> int:
    """Return the power of ten that makes every one of `values` (Decimals) a whole number."""
    places = 0
    for v in values:
        exponent = Decimal(v).as_tuple().exponent
        if not isinstance(exponent, int):
            raise ApportionmentError(f"{v} is not a number")
        places = max(places, -exponent)
    return 10 ** places


def _proportions(values: Mapping[str, Decimal] | None, forces: Sequence[str], what: str) -> tuple[list[int], int]:
    if values is None or set(values) != set(forces):
        raise ApportionmentError(f"{what} must be given for exactly the agreement's forces")
    scale = _scale(values[f] for f in forces)
    numerators = [int(Decimal(values[f]) * scale) for f in forces]
    if any(n < 0 for n in numerators):
        raise ApportionmentError(f"{what} cannot be negative")
    total = sum(numerators)
    if total == 0:
        raise ApportionmentError(f"{what} is zero for every force")
    return numerators, total


def _round(numerators: Sequence[int], denominator: int, units: int) -> list[int]:
    """Return `units` shared in proportion numerator/denominator, in whole units, by largest remainder.

    Every share is first rounded down; the units still missing go, one each, to the shares
    that lost the most in rounding, the earlier one winning a tie.
    """
    floors, remainders = [], []
    for n in numerators:
        q, r = divmod(n * units, denominator)
        floors.append(q)
        remainders.append(r)
    missing = units - sum(floors)
    if not 0 <= missing <= len(floors):
        raise ApportionmentError("values do not sum to the total")
    for i in sorted(range(len(floors)), key=lambda i: (-remainders[i], i))[:missing]:
        floors[i] += 1
    return floors


def _units(total: Decimal, quantum: Decimal) -> int:
    units = Fraction(total) / Fraction(quantum)
    if units.denominator != 1:
        raise ApportionmentError(f"{total} is not a whole number of {quantum}")
    return int(units)


def largest_remainder(exact: Mapping[str, Fraction], total: Decimal, quantum: Decimal) -> dict[str, Decimal]:
    """Return `exact` (summing to `total`) rounded to `quantum` so that the results sum to `total`.

    Every value is first rounded down; the units still missing go, one each, to the values
    that lost the most in rounding, the earlier key winning a tie.
    """
    keys = list(exact)
    fractions = [Fraction(exact[k]) / Fraction(total) if total else Fraction(0) for k in keys]
    denominator = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    numerators = [f.numerator * (denominator // f.denominator) for f in fractions]
    rounded = _round(numerators, denominator, _units(total, quantum))
    return {k: (Decimal(u) * quantum).quantize(quantum) for k, u in zip(keys, rounded)}


def rounded_shares(forces: Sequence[str], numerators: Sequence[int], denominator: int,
                   budget: Decimal | None) -> list[Share]:
    """Return every force's share and contribution from its exact share numerators/denominator, in `forces` order.

    Shares are rounded to hundredths of a percent and contributions to the penny, each by largest
    remainder, so that they sum to exactly 100.00% and to exactly the budget.
    """
    percents = [(Decimal(u) * PERCENT_QUANTUM).quantize(PERCENT_QUANTUM)
                for u in _round(numerators, denominator, 10_000)]
    if budget is not None:
        if Decimal(budget) != Decimal(budget).quantize(PENNY):
            raise ApportionmentError("the budget has fractions of a penny")
        pounds = [(Decimal(u) * PENNY).quantize(PENNY)
                  for u in _round(numerators, denominator, _units(Decimal(budget), PENNY))]
    else:
        pounds = [None] * len(forces)
    return [Share(f, Fraction(n, denominator), p, c) for f, n, p, c in zip(forces, numerators, percents, pounds)]
