"""An independent apportionment, from the inputs alone (no code of the package's arithmetic).

Tests compare every figure a document prints (annexes, change report, workbook, notices, index)
with these: shares and contributions by largest remainder (tests/test_apportionment.py's own
rounding), and each force's totals across functions and agreements.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from tests.test_apportionment import independent_round


def independent(checked) -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """Return {function id: {force: (share %, contribution £)}} computed here from the inputs alone."""
    a = checked.agreement
    nre = {f: Fraction(v) for f, v in a.finance.net_revenue_expenditure.items()}
    out = {}
    for fn in a.functions:
        ap = fn.apportionment
        if ap is None:
            continue
        if ap.formula == "equal":
            exact = [Fraction(1, len(a.forces))] * len(a.forces)
        elif ap.formula == "fixed":
            exact = [Fraction(ap.shares[f]) / 100 for f in a.forces]
        elif ap.formula == "nre":
            exact = [nre[f] / sum(nre[g] for g in a.forces) for f in a.forces]
        elif ap.formula == "demand":
            exact = [Fraction(ap.demand[f]) / sum(Fraction(ap.demand[g]) for g in a.forces) for f in a.forces]
        else:
            w = Fraction(ap.weights.nre) / 100
            exact = [w * nre[f] / sum(nre[g] for g in a.forces)
                     + (1 - w) * Fraction(ap.demand[f]) / sum(Fraction(ap.demand[g]) for g in a.forces) for f in a.forces]
        shares = independent_round([x * 10000 for x in exact], 10000)
        pence = int(fn.budget * 100) if fn.budget is not None else 0
        pounds = independent_round([x * pence for x in exact], pence)
        out[fn.id] = {f: (Decimal(s) / 100, Decimal(p) / 100) for f, s, p in zip(a.forces, shares, pounds)}
    return out


def force_totals(checked) -> dict[str, Decimal]:
    """Return each force's contribution across the agreement's functions."""
    totals = {f: Decimal(0) for f in checked.agreement.forces}
    for rows in independent(checked).values():
        for force, (_, contribution) in rows.items():
            totals[force] += contribution
    return totals


def parts_of_whole(checked) -> dict[str, Decimal]:
    """Return each force's part of the agreement's apportioned cost, percent to two decimals summing to 100.00."""
    totals = force_totals(checked)
    whole = sum(totals.values())
    if not whole:
        return {}
    units = independent_round([Fraction(t) * 10000 / Fraction(whole) for t in totals.values()], 10000)
    return {f: Decimal(u) / 100 for f, u in zip(totals, units)}
