"""Revision marks: `w:ins`/`w:del` around runs and equations, on paragraph marks and on rows.

Why one place: every revision element carries the author, the date and an id unique in the
document; ids count up in processing order from above every id the document already uses, and
the date is fixed, so the same inputs always give the same bytes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from .. import docmodel as dm
from ..ooxml import DEL, INS, P, PPR, R, RPR, SDT, SDT_CONTENT, SECT_PR, TR, TRPR, w
from ..ooxml import FLD_SIMPLE
from .content import CONTAINERS, PARAGRAPH_OBJECTS


@dataclass
class Marker:
    """Makes revision elements with unique, sequential ids."""

    author: str
    date: str
    next_id: int

    def new(self, tag: str) -> etree._Element:
        el = etree.Element(tag, {w("id"): str(self.next_id), w("author"): self.author, w("date"): self.date},
                           nsmap={"w": dm.W_NS})
        self.next_id += 1
        return el

    def take_id(self) -> int:
        """Return a fresh id (for bookmarks copied from OLD)."""
        self.next_id += 1
        return self.next_id - 1


def inline_units(parent: etree._Element):
    """Yield a paragraph's wrappable content in order: runs, equations, simple fields.

    Goes through hyperlinks, smart tags, content controls and the like, never into a run (so
    never into a text box).
    """
    for child in parent:
        tag = child.tag
        if tag == R or tag in PARAGRAPH_OBJECTS or tag == FLD_SIMPLE:
            yield child
        elif tag in CONTAINERS:
            yield from inline_units(child)
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from inline_units(content)


def wrap(group: list[etree._Element], tag: str, m: Marker) -> etree._Element:
    """Wrap consecutive sibling elements in a new revision element `tag`."""
    wrapper = m.new(tag)
    group[0].addprevious(wrapper)
    for el in group:
        wrapper.append(el)
    return wrapper


def wrap_units(units: list[etree._Element], tag: str, m: Marker) -> None:
    """Wrap each run of consecutive sibling units in its own revision element."""
    groups: list[list[etree._Element]] = []
    for unit in units:
        if groups and groups[-1][-1].getnext() is unit:
            groups[-1].append(unit)
        else:
            groups.append([unit])
    for group in groups:
        wrap(group, tag, m)


def mark_of(p: etree._Element) -> str | None:
    """Return "ins" or "del" when a paragraph's mark is inserted or deleted, else None."""
    rpr = p.find(f"{PPR}/{RPR}")
    if rpr is None:
        return None
    if rpr.find(INS) is not None:
        return "ins"
    if rpr.find(DEL) is not None:
        return "del"
    return None


def mark_paragraph(p: etree._Element, tag: str, m: Marker) -> None:
    """Mark a paragraph's mark as inserted or deleted (`w:pPr/w:rPr/w:ins|w:del`)."""
    ppr = p.find(PPR)
    if ppr is None:
        ppr = etree.Element(PPR)
        p.insert(0, ppr)
    rpr = ppr.find(RPR)
    if rpr is None:
        rpr = etree.Element(RPR)
        after = [c for c in ppr if c.tag in (SECT_PR, w("pPrChange"))]
        if after:
            after[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, m.new(tag))


def unmark_paragraph(p: etree._Element) -> None:
    """Remove an inserted or deleted mark from a paragraph's mark."""
    rpr = p.find(f"{PPR}/{RPR}")
    if rpr is None:
        return
    for el in rpr.findall(INS) + rpr.findall(DEL):
        rpr.remove(el)


def mark_row(tr: etree._Element, tag: str, m: Marker) -> None:
    trpr = tr.find(TRPR)
    if trpr is None:
        trpr = etree.Element(TRPR)
        ex = tr.find(w("tblPrEx"))
        if ex is not None:
            ex.addnext(trpr)
        else:
            tr.insert(0, trpr)
    trpr.append(m.new(tag))


def paragraphs(el: etree._Element) -> list[etree._Element]:
    """Return `el` if it is a paragraph and every paragraph inside it (text boxes, nested tables)."""
    return list(el.iter(P))


def rows(el: etree._Element) -> list[etree._Element]:
    return [el] if el.tag == TR else list(el.iter(TR))


def replace_properties(target: etree._Element, source: etree._Element) -> None:
    """Give paragraph `target` a copy of `source`'s properties (without marks or a section break)."""
    old = target.find(PPR)
    new = source.find(PPR)
    if old is not None:
        target.remove(old)
    if new is None:
        return
    new = copy.deepcopy(new)
    for el in new.findall(SECT_PR):
        new.remove(el)
    rpr = new.find(RPR)
    if rpr is not None:
        for el in rpr.findall(INS) + rpr.findall(DEL):
            rpr.remove(el)
    target.insert(0, new)
