"""The money of an agreement and of a summit, computed once, as Decimals (DESIGN.md §4).

Annexes print these figures; decision notices, the change report, the finance workbook and
the pack's index state them again. They all read them from here, so no document re-derives a
figure or parses printed money back, and a total is always the sum of the figures printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Iterable

from .apportionment import largest_remainder
from .formulas import apportion


@dataclass(frozen=True)
class ForceLine:
    """One force's part of one function: exact share, printed share, contribution."""

    force: str  # force id
    exact: Fraction  # of 1
    percent: Decimal  # two decimals; a function's lines sum to exactly 100.00
    contribution: Decimal | None  # pence; a function's lines sum to exactly its budget


@dataclass(frozen=True)
class FunctionFigures:
    """A Part B function's budget and its apportionment between the forces (forces order)."""

    function_id: str
    name: str
    number: int  # its Service Specification's number in Part B
    formula: str | None  # None: no apportionment given
    budget: Decimal | None
    publish: bool
    lines: tuple[ForceLine, ...]

    def line(self, force: str) -> ForceLine | None:
        return next((x for x in self.lines if x.force == force), None)

    def contribution(self, force: str) -> Decimal | None:
        line = self.line(force)
        return line.contribution if line else None


@dataclass(frozen=True)
class AgreementFigures:
    """Every function's figures of one agreement, with what a reader needs to name them."""

    reference: str
    title: str
    version: str
    forces: tuple[tuple[str, str], ...]  # (force id, force name), in the agreement's order
    functions: tuple[FunctionFigures, ...]

    def force_name(self, force: str) -> str:
        return dict(self.forces)[force]

    def total_budget(self, *, published_only: bool = False) -> Decimal:
        """Return the sum of the functions' budgets (only the published ones, when asked)."""
        return sum((f.budget for f in self._functions(published_only) if f.budget is not None), Decimal(0))

    def force_total(self, force: str, *, published_only: bool = False) -> Decimal:
        """Return what a force contributes across the agreement's functions."""
        return sum((f.contribution(force) or Decimal(0) for f in self._functions(published_only)), Decimal(0))

    def apportioned_total(self) -> Decimal:
        """Return the cost the forces share: the sum of every force's contributions (functions with a budget and an apportionment)."""
        return sum((self.force_total(f) for f, _ in self.forces), Decimal(0))

    def cost_shares(self) -> dict[str, Decimal]:
        """Return each force's part of the apportioned cost, in percent to two decimals, summing to exactly 100.00.

        The exact part is the force's total over the apportioned total; the printed parts are
        rounded by largest remainder (DESIGN.md §4), the earlier force winning a tie. Empty
        when nothing is apportioned.
        """
        whole = self.apportioned_total()
        if not whole:
            return {}
        exact = {f: Fraction(self.force_total(f)) * 100 / Fraction(whole) for f, _ in self.forces}
        return largest_remainder(exact, Decimal(100), Decimal("0.01"))

    def _functions(self, published_only: bool) -> Iterable[FunctionFigures]:
        return (f for f in self.functions if f.publish or not published_only)


def agreement_figures(checked) -> AgreementFigures:
    """Return the figures of a checked agreement (`validate.CheckedAgreement`)."""
    a = checked.agreement
    known = checked.parties.parties.forces
    nre = a.finance.net_revenue_expenditure or None
    functions = []
    for number, fn in enumerate(a.functions, start=1):
        ap = fn.apportionment
        lines: tuple[ForceLine, ...] = ()
        if ap is not None:
            weights = {"nre": ap.weights.nre, "demand": ap.weights.demand} if ap.weights else None
            shares = apportion(ap.formula, a.forces, fn.budget, nre=nre, demand=ap.demand, shares=ap.shares, weights=weights)
            lines = tuple(ForceLine(s.force, s.exact, s.percent, s.contribution) for s in shares)
        functions.append(FunctionFigures(fn.id, fn.name, number, ap.formula if ap else None, fn.budget, fn.publish, lines))
    info = a.agreement
    return AgreementFigures(info.reference, info.title, info.version,
                            tuple((f, known[f].name) for f in a.forces), tuple(functions))


@dataclass(frozen=True)
class ForceSummary:
    """One force across a summit: its contribution under each agreement, and in all."""

    force: str
    name: str
    by_agreement: tuple[tuple[str, Decimal], ...]  # (agreement reference, contribution), summit order
    previous: tuple[tuple[str, Decimal | None], ...]  # (reference, contribution under the previous version or None)

    @property
    def total(self) -> Decimal:
        return sum((v for _, v in self.by_agreement), Decimal(0))

    @property
    def previous_total(self) -> Decimal | None:
        """What the force paid under the previous versions of the agreements that have one (None: none has)."""
        known = [v for _, v in self.previous if v is not None]
        return sum(known, Decimal(0)) if known else None

    @property
    def change(self) -> Decimal | None:
        """The change over the agreements that have a previous version, like for like (None: none has)."""
        new = dict(self.by_agreement)
        pairs = [(new[ref], old) for ref, old in self.previous if old is not None]
        return sum((n - o for n, o in pairs), Decimal(0)) if pairs else None


def summit_summary(agreements: list[AgreementFigures],
                   previous: dict[str, AgreementFigures | None] | None = None) -> list[ForceSummary]:
    """Return each force's totals across the summit's agreements (forces in order of first appearance).

    `previous` maps an agreement's reference to its previous version's figures, where it has one.
    A force that takes no part in an agreement contributes nothing to it.
    """
    previous = previous or {}
    order: dict[str, str] = {}
    for figures in agreements:
        for force, name in figures.forces:
            order.setdefault(force, name)
    out = []
    for force, name in order.items():
        by_agreement, before = [], []
        for figures in agreements:
            mine = force in dict(figures.forces)
            by_agreement.append((figures.reference, figures.force_total(force) if mine else Decimal(0)))
            old = previous.get(figures.reference)
            before.append((figures.reference, None if old is None else
                           (old.force_total(force) if force in dict(old.forces) else Decimal(0))))
        out.append(ForceSummary(force, name, tuple(by_agreement), tuple(before)))
    return out


@dataclass(frozen=True)
class AgreementTotals:
    """What each force contributes under one agreement of a summit: over its published functions, and in all.

    Small and picklable: the build hands every agreement's totals to the workers, so that each
    decision notice states its force's total across the summit.
    """

    reference: str
    title: str
    published: tuple[tuple[str, Decimal], ...]  # (force id, total over the published functions)
    full: tuple[tuple[str, Decimal], ...]  # (force id, total over all functions)
    withholds: bool  # some function's figures are withheld from publication


def agreement_totals(figures: AgreementFigures) -> AgreementTotals:
    """Return each force's totals under an agreement (forces order)."""
    forces = [f for f, _ in figures.forces]
    return AgreementTotals(
        figures.reference, figures.title,
        tuple((f, figures.force_total(f, published_only=True)) for f in forces),
        tuple((f, figures.force_total(f)) for f in forces),
        any(not fn.publish and fn.lines for fn in figures.functions))
