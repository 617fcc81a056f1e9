"""Containers of blocks - the body, a table cell, a text box, a note, a header: align, mark, settle.

Blocks (paragraphs and tables) of OLD and NEW are aligned (`align.py`): a paired block with an
equal digest gets no revision at all (formatting, run splits, numbering and stable ids are not
content), a paired block that differs is diffed (`words.py`, `tables.py`), an OLD block alone is
copied in as deleted where it stood (`copies.py`), a NEW block alone is marked inserted.

Then the paragraph marks are settled (`settle`). A paragraph mark that accepting or rejecting
removes joins its paragraph to the next paragraph; where no paragraph follows - at the end of
the body, a cell, a text box or a note, or before a table - no editor can remove it, and the
paragraph would stay behind, empty. So the last paragraph before such a place always keeps its
mark: an inserted (or deleted) paragraph there hands its mark's revision to the paragraph
before it, and a deleted paragraph next to an inserted one there become one paragraph holding
both (deleted text, then inserted text). Where nothing can take the mark (an inserted paragraph
first in the body before a table), the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from lxml import etree

from .. import docmodel as dm
from ..docmodel import Block
from ..ooxml import INS, P, PPR, SDT, SDT_CONTENT, SECT_PR, TBL, w
from .align import align, ratio, words
from .content import NOTE_REFS, cell_spans
from .copies import expand_simple_field
from .marks import (
    inline_units, mark_of, mark_paragraph, mark_row, paragraphs, replace_properties, rows, unmark_paragraph,
    wrap_units,
)

if TYPE_CHECKING:
    from .content import Reader
    from .session import Session

#: The report's name for the content of each kind of container.
AREAS = {"body": "body", "tc": "tables", "txbxContent": "text boxes", "footnote": "footnotes",
         "endnote": "endnotes", "comment": "comments", "hdr": "headers", "ftr": "footers"}


@dataclass(eq=False)
class Cell:
    element: etree._Element
    text: str
    digest: object
    spans: tuple


@dataclass(eq=False)
class Row:
    element: etree._Element
    cells: list[Cell]

    @cached_property
    def key(self) -> tuple:
        return tuple(c.text for c in self.cells)

    @cached_property
    def digest(self) -> tuple:
        return tuple((c.spans, c.digest) for c in self.cells)

    @cached_property
    def shape(self) -> tuple:
        return tuple(c.spans for c in self.cells)

    @cached_property
    def words(self) -> list[str]:
        return words("\t".join(self.key))


class Item:
    """A block as compared: its compared string and its digest (what lies inside objects included).

    A table is read only as far as asked: its first row for the exact key, all of it for
    similarity or when its XML differs from its partner's.
    """

    __slots__ = ("block", "reader", "part", "_content", "_digest", "_rows", "_raw", "_words")

    def __init__(self, block: Block, reader: "Reader", part: str):
        self.block, self.reader, self.part = block, reader, part
        self._content = self._digest = self._rows = self._raw = self._words = None
        if block.kind == "p":
            c = reader.paragraph(block.element, part)
            self._content, self._digest = c.text, c.digest

    @property
    def element(self) -> etree._Element:
        return self.block.element

    @property
    def kind(self) -> str:
        return self.block.kind

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            self._rows = table_rows(self.reader, dm.table_rows(self.element), self.part)
        return self._rows

    @property
    def content(self) -> str:
        if self._content is None:
            self._content = "\n".join("\t".join(r.key) for r in self.rows)
        return self._content

    @property
    def digest(self):
        if self._digest is None:
            self._digest = tuple(r.digest for r in self.rows)
        return self._digest

    @property
    def words(self) -> list[str]:
        if self._words is None:
            self._words = words(self.content)
        return self._words

    @property
    def first_key(self) -> tuple:
        """Return the first row's key (the table's header row), reading no further."""
        if self._rows is not None:
            return self._rows[0].key if self._rows else ()
        first = dm.table_rows(self.element)[:1]
        return table_rows(self.reader, first, self.part)[0].key if first else ()

    @property
    def columns(self) -> int:
        return self.block.columns

    def same(self, other: "Item") -> bool:
        """Return whether two paired blocks read the same (nothing to mark); equal XML is enough."""
        if self.kind == "tbl":
            if self._raw is None:
                self._raw = etree.tostring(self.element)
            if other._raw is None:
                other._raw = etree.tostring(other.element)
            if self._raw == other._raw:
                return True
        return self.digest == other.digest


def read_items(reader: "Reader", blocks: list[Block], part: str) -> list[Item]:
    return [Item(b, reader, part) for b in blocks]


def table_rows(reader: "Reader", trs: list[etree._Element], part: str) -> list[Row]:
    return [Row(tr, [Cell(tc, *reader.container(tc, part), cell_spans(tc)) for tc in dm._cells(tr)]) for tr in trs]


# --------------------------------------------------------------------------- alignment

def _compatible(x: Item, y: Item) -> bool:
    if x.kind != y.kind:
        return False
    bx, by = x.block, y.block
    if bx.stable_id and by.stable_id:  # different ids never pair (equal ones are anchors)
        return bx.stable_id == by.stable_id
    if bx.path_from_id and by.path_from_id and bx.path != by.path:
        return False  # content of two different sections/annexes
    if x.kind == "tbl":
        return x.columns == y.columns
    return True


def _similar(x: Item, y: Item) -> float:
    if x.kind == "tbl":
        return ratio([r.key for r in x.rows], [r.key for r in y.rows])
    return ratio(x.words, y.words)


def _in_order(x: Item, y: Item) -> bool:
    if x.kind == "tbl":
        return True
    return bool(set(x.words) & set(y.words))


def _exact(b: Item):
    if b.block.stable_id:
        return ("id", b.block.stable_id)
    if b.kind == "tbl":
        return ("tbl", b.block.path, b.first_key)
    return ("p", b.block.path, b.content)


def align_items(old: list[Item], new: list[Item], anchors: list | None = None):
    return align(old, new, anchor=lambda b: b.block.stable_id, anchors=anchors, exact=_exact,
                 loose=lambda b: (b.kind, b.content) if b.content.strip() else None,
                 similar=_similar, compatible=_compatible, in_order=_in_order)


# --------------------------------------------------------------------------- applying it

def diff_container(s: "Session", old_el: etree._Element, new_el: etree._Element, old_part: str, new_part: str,
                   old_blocks: list[Block] | None = None, new_blocks: list[Block] | None = None, *,
                   anchors: list | None = None, settled: bool = True) -> None:
    """Mark in NEW's container `new_el` every change from OLD's `old_el`.

    A stretch of a large body (`stretches.py`) gives its blocks and its anchors, and settles
    the paragraph marks itself (`settled=False`).
    """
    old = read_items(s.read_old, old_blocks if old_blocks is not None else dm.read_blocks(old_el), old_part)
    new = read_items(s.read_new, new_blocks if new_blocks is not None else dm.read_blocks(new_el), new_part)
    first = new[0].element if new else None
    cursor = None
    for i, j in _ordered(align_items(old, new, anchors), old, new):
        if i is not None and j is not None:
            if old[i].kind == "p":
                s.paired[old[i].element] = new[j].element
            if not old[i].same(new[j]):
                if old[i].kind == "p":
                    s.diff_paragraph(old[i].element, new[j].element, old_part, new_part)
                else:
                    s.diff_table(old[i], new[j], old_part, new_part)
            cursor = new[j].element
        elif j is None:
            copy_ = s.copier.deleted(old[i].element, old_part, new_part)
            place(copy_, cursor, first, new_el)
            s.whole[copy_] = "del"
            cursor = copy_
        else:
            mark_inserted(s, new[j].element, new_part)
            s.whole[new[j].element] = "ins"
            cursor = new[j].element
    if settled:
        settle(s, new_el)


def _ordered(pairs: list, old: list[Item], new: list[Item]) -> list:
    """Order each stretch of deletions and insertions so no paragraph mark is stranded before a table.

    Deleted and inserted blocks never show together (accepting removes the one, rejecting the
    other), so they may interleave freely as long as each side keeps its order. A deleted
    paragraph must not stand just before an inserted table (accepting would leave it, empty,
    before the table), nor an inserted paragraph just before a deleted table: tables go first.
    """
    out, k = [], 0
    while k < len(pairs):
        if pairs[k][0] is not None and pairs[k][1] is not None:
            out.append(pairs[k])
            k += 1
            continue
        end = k
        while end < len(pairs) and (pairs[end][0] is None or pairs[end][1] is None):
            end += 1
        dels = [p for p in pairs[k:end] if p[1] is None]
        inss = [p for p in pairs[k:end] if p[0] is None]
        a = b = 0
        while a < len(dels) or b < len(inss):
            if b == len(inss):
                out.append(dels[a])
                a += 1
            elif a == len(dels):
                out.append(inss[b])
                b += 1
            elif old[dels[a][0]].kind == "p" and new[inss[b][1]].kind == "tbl":
                out.append(inss[b])
                b += 1
            else:
                out.append(dels[a])
                a += 1
        k = end
    return out


def place(el: etree._Element, cursor, first, container: etree._Element) -> None:
    """Put a deleted copy after `cursor`, else before the first NEW element, else at the container's end."""
    if cursor is not None:
        cursor.addnext(el)
    elif first is not None:
        first.addprevious(el)
    else:
        last = container[-1] if len(container) else None
        if last is not None and last.tag == SECT_PR:  # the body's final section properties
            last.addprevious(el)
        else:
            container.append(el)


def mark_inserted(s: "Session", el: etree._Element, part: str) -> None:
    """Mark a NEW paragraph, row or table as inserted in place (text boxes and notes in it too)."""
    m = s.marker
    if el.tag != P:
        for tr in rows(el):
            mark_row(tr, INS, m)
    for p in paragraphs(el):
        mark_inserted_units(s, list(inline_units(p)), part, inner=False)
        mark_paragraph(p, INS, m)
    for ref in el.iter(*NOTE_REFS):
        s.notes.mark_inserted(NOTE_REFS[ref.tag], ref.get(dm.ID))


def mark_inserted_units(s: "Session", units: list[etree._Element], part: str, *, inner: bool = True) -> None:
    """Wrap NEW runs and equations in `w:ins`; with `inner`, mark the text boxes and notes inside them too."""
    expanded = []
    for unit in units:
        expanded += expand_simple_field(unit) if unit.tag == w("fldSimple") else [unit]
    wrap_units(expanded, INS, s.marker)
    if not inner:
        return
    for unit in expanded:
        for tr in unit.iter(dm.TR):
            mark_row(tr, INS, s.marker)
        for p in unit.iter(P):
            wrap_units(list(inline_units(p)), INS, s.marker)
            mark_paragraph(p, INS, s.marker)
        for ref in unit.iter(*NOTE_REFS):
            s.notes.mark_inserted(NOTE_REFS[ref.tag], ref.get(dm.ID))


# --------------------------------------------------------------------------- paragraph marks

def settle(s: "Session", container: etree._Element) -> None:
    """Make sure no paragraph mark that accepting or rejecting removes is left with nothing to join."""
    settle_inside(s, container)
    settle_marks(s, container)


def settle_inside(s: "Session", container: etree._Element, children=None) -> None:
    """Settle the content controls (and custom XML) among a container's children (`children`: some of them)."""
    for b in list(children if children is not None else container):
        if b.tag == SDT and b.find(SDT_CONTENT) is not None:
            settle(s, b.find(SDT_CONTENT))
        elif b.tag == dm.CUSTOM_XML:
            settle(s, b)


def settle_marks(s: "Session", container: etree._Element, view=None) -> None:
    """Settle the paragraph marks of a container's own blocks, the last first (`view()`: only those it lists)."""
    unfixable: set = set()
    while True:
        blocks = [c for c in (view() if view is not None else container) if c.tag in (P, TBL, SDT, dm.CUSTOM_XML)]
        found = None
        for k in range(len(blocks) - 1, -1, -1):
            b = blocks[k]
            if b.tag != P or id(b) in unfixable:
                continue
            mark = mark_of(b)
            if mark and not _followed_by_paragraph(s, blocks, k, mark):
                found = k
                break
        if found is None:
            return
        if not _fix(s, blocks, found):
            unfixable.add(id(blocks[found]))
            where = AREAS.get(etree.QName(container).localname, "body")
            mark = mark_of(blocks[found])
            s.report.add(where, f"{'an inserted' if mark == 'ins' else 'a deleted'} paragraph at the end of "
                         f"{_describe(container)} leaves an empty paragraph when the changes are "
                         f"{'rejected' if mark == 'ins' else 'accepted'}")


def _followed_by_paragraph(s: "Session", blocks: list, k: int, mark: str) -> bool:
    """Return whether, in the view where `mark` goes, a paragraph follows block k."""
    vanishing = "del" if mark == "del" else "ins"  # tables wholly of that kind vanish in that view
    for b in blocks[k + 1:]:
        if b.tag == TBL and s.whole.get(b) == vanishing:
            continue
        return b.tag == P
    return False


def _fix(s: "Session", blocks: list, k: int) -> bool:
    v = blocks[k]
    mark = mark_of(v)
    if v.find(f"{PPR}/{SECT_PR}") is not None:  # a section break's mark: moving it would move the break
        return False
    x = None
    for j in range(k - 1, -1, -1):
        b = blocks[j]
        if b.tag == TBL and s.whole.get(b) == mark:  # gone in the view where this mark goes
            continue
        if b.tag != P:
            break
        if s.whole.get(b) == mark and mark_of(b) == mark:
            continue
        x = b
        break
    if x is None:
        return False
    x_mark, x_whole = mark_of(x), s.whole.get(x)
    other = "ins" if mark == "del" else "del"
    if x_whole == other and x_mark == other:
        # a deleted and an inserted paragraph: one paragraph, deleted text first, NEW's properties
        deleted, inserted = (v, x) if mark == "del" else (x, v)
        content_d = [c for c in deleted if c.tag != PPR]
        content_i = [c for c in inserted if c.tag != PPR]
        for c in content_d + content_i:
            v.append(c)
        if v is deleted:
            replace_properties(v, inserted)
        unmark_paragraph(v)
        x.getparent().remove(x)
        s.whole.pop(v, None)
        s.whole.pop(x, None)
        return True
    if x_mark is None and (x.find(f"{PPR}/{SECT_PR}") is None):
        mark_paragraph(x, INS if mark == "ins" else dm.DEL, s.marker)
        unmark_paragraph(v)
        if mark == "del":  # accepting joins x to v: v shows NEW's properties (x's)
            replace_properties(v, x)
        s.whole.pop(v, None)
        return True
    return False


def _describe(container: etree._Element) -> str:
    local = etree.QName(container).localname
    return {"body": "the document", "tc": "a table cell", "txbxContent": "a text box", "footnote": "a footnote",
            "endnote": "an endnote", "comment": "a comment", "hdr": "a header", "ftr": "a footer",
            "sdtContent": "a content control"}.get(local, local)
