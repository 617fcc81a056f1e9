"""Tables: rows aligned on their whole content, cells diffed as containers.

Why whole content: a row is matched by what all its cells hold (and, among rows that changed,
by a first cell that occurs once on each side: the force of a share table), so an edit in a
first cell (a force renamed, a letter fixed in a nested table) diffs that cell in place instead
of deleting and re-inserting the row. Rows pair when they have the same shape (cells, their grid spans and
vertical merges); a row whose shape changed is replaced (OLD's row deleted, NEW's inserted),
which is exact whatever the merge. Paired rows diff cell by cell, each cell a container of its
own (nested tables, text boxes and all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .align import align, ratio
from .blocks import Item, Row, mark_inserted, place

if TYPE_CHECKING:
    from .session import Session


def _row_similar(x: Row, y: Row) -> float:
    return ratio(x.words, y.words)


def _first_cell(row: Row):
    return ("first", row.key[0]) if row.key and row.key[0].strip() else None


def align_rows(old: list[Row], new: list[Row]):
    """Align rows: equal content; then a first cell found once on each side (a force's row in a
    share table keeps its place when all its figures change); then content similarity."""
    return align(old, new, exact=lambda r: r.key, loose=_first_cell, similar=_row_similar,
                 compatible=lambda x, y: x.shape == y.shape, in_order=lambda x, y: bool(set(x.words) & set(y.words)))


def diff_table(s: "Session", ot: Item, nt: Item, old_part: str, new_part: str) -> None:
    """Mark in NEW's table every change from OLD's: rows deleted, inserted, and cells changed."""
    old, new = ot.rows, nt.rows
    first = new[0].element if new else None
    cursor = None
    for i, j in align_rows(old, new):
        if i is not None and j is not None and old[i].shape != new[j].shape:
            copy_ = s.copier.deleted(old[i].element, old_part, new_part)
            place(copy_, cursor, first, nt.element)
            mark_inserted(s, new[j].element, new_part)
            cursor = new[j].element
        elif i is not None and j is not None:
            if old[i].digest != new[j].digest:
                for oc, nc in zip(old[i].cells, new[j].cells):
                    if oc.digest != nc.digest:
                        s.diff_container(oc.element, nc.element, old_part, new_part)
            cursor = new[j].element
        elif j is None:
            copy_ = s.copier.deleted(old[i].element, old_part, new_part)
            place(copy_, cursor, first, nt.element)
            cursor = copy_
        else:
            mark_inserted(s, new[j].element, new_part)
            cursor = new[j].element

