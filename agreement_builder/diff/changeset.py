"""The change set: every change between two versions, its types, and the word diff it carries.

A `ChangeSet` is what the diff computes (the other modules of this package) and what the
reports print (report.py): changes in report order, each citing where it is as printed in
NEW, with old and new values and, for reworded text, the word diff. Nothing here knows
where a change comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence

from .. import textdiff
from ..docmodel import is_word, tokenize
from ..formats import format_money, format_percent, format_points

#: Clauses without an explicit id count as the same clause reworded at or above this ratio.
SIMILARITY = 0.6

#: Change groups in report order, with their headings (sections get theirs from the template).
GROUPS: dict[str, str] = {
    "agreement": "Agreement details",
    "parties": "Parties and lead force",
    "functions": "Part B – Service Specifications",
    "apportionment": "Cost Apportionment",
    "clauses": "Part A – agreement clauses",
    "template": "Template wording",
    "renumbering": "Renumbering",
}


@dataclass(frozen=True)
class ShareRow:
    """One force's share and contribution before and after (None where it was not a party)."""

    force: str
    name: str
    old_share: Decimal | None
    new_share: Decimal | None
    old_contribution: Decimal | None
    new_contribution: Decimal | None
    inputs: tuple[str, ...] = ()  # the changed inputs' values for this force, in `input_labels` order

    @property
    def share_change(self) -> Decimal | None:
        if self.old_share is None or self.new_share is None:
            return None
        return self.new_share - self.old_share

    @property
    def contribution_change(self) -> Decimal | None:
        if self.old_contribution is None or self.new_contribution is None:
            return None
        return self.new_contribution - self.old_contribution

    def share_text(self) -> str:
        """Return "24.71% → 25.10% (+0.39 pp)", or the one figure when the force joined or left."""
        return _old_new(self.old_share, self.new_share, format_percent, self.share_change, format_points)

    def contribution_text(self) -> str:
        """Return "£442,309.15 → £461,840.00 (+£19,530.85)"."""
        return _old_new(self.old_contribution, self.new_contribution, format_money, self.contribution_change,
                        lambda d: format_money(d, sign=True))

    def share_span(self) -> str:
        """Return the share without its change: "24.71% → 25.10%" (for a table with a change column)."""
        return _span(self.old_share, self.new_share, format_percent)

    def share_delta(self) -> str:
        """Return the change of share: "+0.39 pp" ("" when there is nothing to compare)."""
        delta = self.share_change
        return format_points(delta) if delta is not None else ""

    def contribution_span(self) -> str:
        return _span(self.old_contribution, self.new_contribution, format_money)

    def contribution_delta(self) -> str:
        delta = self.contribution_change
        return format_money(delta, sign=True) if delta is not None else ""


def _span(old, new, fmt) -> str:
    if old is None and new is None:
        return "–"
    if old is None:
        return f"– → {fmt(new)}"
    if new is None:
        return f"{fmt(old)} → –"
    return fmt(new) if old == new else f"{fmt(old)} → {fmt(new)}"


def _old_new(old, new, fmt, delta, fmt_delta) -> str:
    if old is None or new is None:
        return _span(old, new, fmt)
    if delta == 0:
        return f"{fmt(new)} (unchanged)"
    return f"{fmt(old)} → {fmt(new)} ({fmt_delta(delta)})"


@dataclass(frozen=True)
class ForceTotal:
    """One force's total across the agreement's functions before and after, and its part of the whole.

    `old_share`/`new_share` are the force's part of the cost the forces share, in percent to
    two decimals (`figures.AgreementFigures.cost_shares`); None where the force was not a party.
    """

    force: str
    name: str
    old_total: Decimal | None
    new_total: Decimal | None
    old_share: Decimal | None
    new_share: Decimal | None

    @property
    def change(self) -> Decimal | None:
        """Return the change in £ (a force joining or leaving changes from or to nothing)."""
        if self.old_total is None and self.new_total is None:
            return None
        return (self.new_total or Decimal(0)) - (self.old_total or Decimal(0))

    @property
    def points(self) -> Decimal | None:
        """Return the change of the force's part of the whole, in percentage points."""
        if self.old_share is None and self.new_share is None:
            return None
        return (self.new_share or Decimal(0)) - (self.old_share or Decimal(0))

    def total_span(self) -> str:
        return _span(self.old_total, self.new_total, format_money)

    def total_delta(self) -> str:
        return format_money(self.change, sign=True) if self.change is not None else ""

    def share_span(self) -> str:
        return _span(self.old_share, self.new_share, format_percent)

    def share_delta(self) -> str:
        return format_points(self.points) if self.points is not None else ""

    def text(self) -> str:
        """Return "£9,034,567.20 → £9,100,000.00 (+£65,432.80); 26.23% → 27.16% (+0.93 pp)"."""
        money = _old_new(self.old_total, self.new_total, format_money, self.change, lambda d: format_money(d, sign=True))
        share = _old_new(self.old_share, self.new_share, format_percent, self.points, format_points)
        return f"{money}; {share} of the whole"


@dataclass(frozen=True)
class InputChange:
    """A changed input of a formula: `label` (demand, agreed share, ...) for one force."""

    label: str
    force: str  # the force's name
    old: str
    new: str
    force_id: str = ""

    def text(self) -> str:
        return f"{self.force} {self.old} → {self.new}"


@dataclass(frozen=True)
class ApportionmentChange:
    """A function's cost apportionment before and after: formula, budget, inputs, every force's row."""

    old_formula: str  # in words ("" when the function was not apportioned)
    new_formula: str
    old_budget: Decimal | None
    new_budget: Decimal | None
    inputs: tuple[InputChange, ...]
    rows: tuple[ShareRow, ...]
    nre_changed: bool = False
    input_labels: tuple[str, ...] = ()  # inputs that changed for some force: a column each

    def formula_text(self) -> str:
        if self.old_formula == self.new_formula:
            return f"formula: {self.new_formula} (unchanged)"
        if not self.old_formula:
            return f"formula: {self.new_formula}"
        if not self.new_formula:
            return f"formula: {self.old_formula} → no apportionment"
        return f"formula changes from {self.old_formula} to {self.new_formula}"

    def budget_text(self) -> str:
        old, new = self.old_budget, self.new_budget
        if old == new:
            return f"budget: {format_money(new)} (unchanged)" if new is not None else ""
        if old is None:
            return f"budget: {format_money(new)}"
        if new is None:
            return f"budget: {format_money(old)} → none"
        return f"budget: {format_money(old)} → {format_money(new)} ({format_money(new - old, sign=True)})"

    def input_lines(self) -> list[str]:
        """Return the lines about inputs that the force rows do not show (net revenue expenditure)."""
        if self.nre_changed:
            return ["net revenue expenditure: changed (see Net revenue expenditure)"]
        return []


@dataclass(frozen=True)
class Change:
    """One change, with where it is (as printed in NEW; in OLD for removals) and a one-line summary."""

    kind: str
    group: str
    summary: str
    id: str = ""  # the stable id: field name, force id, function id, clause id, template path
    section_key: str = ""
    section_number: int | None = None
    section_title: str = ""
    number: str = ""  # clause or Service Specification number as printed in NEW
    old_number: str = ""  # ... and in OLD
    old: Any = None
    new: Any = None
    words: tuple[tuple[str, str], ...] = ()  # word diff old → new: ("=" | "-" | "+", text)
    lead: str = ""  # the summary without the inserted or removed text it quotes
    details: tuple[str, ...] = ()
    apportionment: ApportionmentChange | None = None

    @property
    def where(self) -> str:
        """Return where the change is, for a summary table ("Section 8", "Service Specification 4")."""
        if self.section_number is not None:
            return f"Section {self.section_number}"
        if self.group in ("functions", "apportionment") and self.number:
            return f"Service Specification {self.number}"
        if self.group == "functions" and self.old_number:
            return f"Service Specification {self.old_number} (old)"
        return {"agreement": "Agreement", "parties": "Parties", "template": "Template",
                "renumbering": "Numbering", "apportionment": "Finance"}.get(self.group, self.group)


@dataclass(frozen=True)
class Group:
    """The changes under one heading of a report."""

    key: str
    heading: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ChangeSet:
    """Every change between two versions, in report order."""

    title: str
    reference: str
    old_label: str
    new_label: str
    old_version: str
    new_version: str
    old_date: str
    new_date: str
    old_status: str
    new_status: str
    cost_section: int | None
    changes: tuple[Change, ...] = field(default_factory=tuple)
    force_totals: tuple[ForceTotal, ...] = ()  # each force across the functions, before and after

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def of_kind(self, *kinds: str) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    def groups(self) -> list[Group]:
        """Return the changes under their report headings, in report order.

        Agreement clause changes get one heading per section, "Accountability Arrangements –
        Section 8", as a summit paper heads them.
        """
        out: list[Group] = []
        for key, heading in GROUPS.items():
            changes = [c for c in self.changes if c.group == key]
            if not changes:
                continue
            if key == "clauses":
                sections: dict[str, list[Change]] = {}
                for change in changes:
                    sections.setdefault(change.section_key, []).append(change)
                for skey, items in sections.items():
                    first = items[0]
                    head = f"{first.section_title} – Section {first.section_number}" if first.section_number else (
                        first.section_title or heading)
                    out.append(Group(f"section:{skey}", head, tuple(items)))
                continue
            if key == "apportionment" and self.cost_section:
                heading = f"{heading} – Section {self.cost_section}"
            out.append(Group(key, heading, tuple(changes)))
        return out


# ---------------------------------------------------------------------------- word diffs


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Return the word-level diff of two texts as ("=" | "-" | "+", text) segments.

    Whitespace that happens to be equal between two changed words is folded into the change,
    so that "shall seek" → "note that" reads as one deletion and one insertion.
    """
    a, b = tokenize(old), tokenize(new)
    raw: list[tuple[str, str, str]] = []  # (op, old text, new text)
    for op, i1, i2, j1, j2 in textdiff.opcodes(a, b, significant=is_word):
        if op == "equal":
            raw.append(("=", "".join(a[i1:i2]), "".join(b[j1:j2])))
        else:
            raw.append(("~", "".join(a[i1:i2]), "".join(b[j1:j2])))
    # fold short equal runs of whitespace between changes into the change
    merged: list[list[str]] = []
    for index, (op, x, y) in enumerate(raw):
        between = 0 < index < len(raw) - 1 and raw[index - 1][0] == "~" and raw[index + 1][0] == "~"
        if op == "=" and between and x.isspace():
            op = "~"
        if merged and merged[-1][0] == op == "~":
            merged[-1][1] += x
            merged[-1][2] += y
        else:
            merged.append([op, x, y])
    out: list[tuple[str, str]] = []
    for op, x, y in merged:
        if op == "=":
            out.append(("=", x))
        else:
            if x:
                out.append(("-", x))
            if y:
                out.append(("+", y))
    return tuple(out)


def similarity(old: str, new: str) -> float:
    """Return how alike the two texts' words are (1.0 identical, 0.0 nothing in common)."""
    return textdiff.ratio(_words(old), _words(new))


def _words(text: str) -> list[str]:
    return [t for t in tokenize(text) if not t.isspace()]


def pair_similar(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int]]:
    """Return (old index, new index) pairs of texts similar enough to be one item reworded.

    Best ratios pair first; each item pairs at most once; ties go to the earlier items. Each
    text is split into words once, and the number of comparisons is bounded (`textdiff.pair_similar`).
    """
    if not old or not new:
        return []
    return textdiff.pair_similar([_words(x) for x in old], [_words(y) for y in new], cutoff=SIMILARITY)


def quote(text: str) -> str:
    """Return text in curly quotes, as a summary quotes it."""
    return f"“{text}”"


def one_line(text: str) -> str:
    """Return text on one line (runs of whitespace, line breaks included, become one space)."""
    return " ".join(text.split())


def added(kind: str, lead: str, text: str, base: dict) -> Change:
    """Return a change that inserts `text` (quoted on one line after `lead`); `base`: the other fields."""
    return Change(kind, summary=f"{lead}: {quote(one_line(text))}", lead=lead, new=text, **base)


def removed(kind: str, lead: str, text: str, base: dict) -> Change:
    """Return a change that removes `text` (quoted on one line after `lead`); `base`: the other fields."""
    return Change(kind, summary=f"{lead}: {quote(one_line(text))}", lead=lead, old=text, **base)
