"""Make a stretch of a Word template read as a script says: idempotent edits of the shipped .docx.

Why: the templates are the source of the wording, and several issues edit them at once. A
change is therefore a script that states what a stretch of a template must read (paragraph by
paragraph: style and text, with `**bold**` and `[[key]]` for a cross-reference to the Part A
section `key`), and this module makes the file say exactly that, touching nothing outside the
stretch and nothing inside it that already reads right (its runs, rsids and properties stay).
Running a script twice changes nothing; after someone else's change to the same file, take
theirs and run the script again.

A stretch is the paragraphs (and tables) strictly between two anchors found by their text or
their bookmark. Items: `P(style, markup)` a paragraph (style None: a tag paragraph, no style),
`KEEP_TABLE` the next table as it is, `Table(rows)` the next table with these rows.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lxml import etree

from agreement_builder.docmodel import w
from agreement_builder.outline import SECTION_NUMBERS
from agreement_builder.package import Package, atomic_write

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_MARKUP = re.compile(r"\*\*|\[\[(\w+)\]\]")


class EditError(Exception):
    pass


@dataclass(frozen=True)
class P:
    style: str | None  # a style's name as Word shows it ("Clause"), or None for a tag paragraph
    markup: str


@dataclass(frozen=True)
class Table:
    """The next table, with these rows: each row a list of cells, each cell a P (one paragraph).

    `like`: where a missing table is copied from, (template path, index of the table in its body),
    so that a new table has the borders, widths and header row of the shipped ones.
    """

    rows: tuple
    like: tuple | None = None


KEEP_TABLE = Table(())


# ---------------------------------------------------------------------------- markup <-> runs


def runs_for(markup: str) -> list[etree._Element]:
    """Return the runs that print `markup`: `**` toggles bold, `[[key]]` is a REF field to `_AB_S_key`."""
    out: list[etree._Element] = []
    bold = False
    pos = 0
    for m in _MARKUP.finditer(markup):
        if m.start() > pos:
            out.append(_text_run(markup[pos:m.start()], bold))
        if m.group(0) == "**":
            bold = not bold
        else:
            out.extend(_ref_field(m.group(1), bold))
        pos = m.end()
    if pos < len(markup):
        out.append(_text_run(markup[pos:], bold))
    if bold:
        raise EditError(f"unbalanced ** in “{markup}”")
    return out


def _run(bold: bool) -> etree._Element:
    r = etree.Element(w("r"))
    if bold:
        etree.SubElement(etree.SubElement(r, w("rPr")), w("b"))
    return r


def _text_run(text: str, bold: bool) -> etree._Element:
    r = _run(bold)
    t = etree.SubElement(r, w("t"))
    t.text = text
    if text != text.strip():
        t.set(XML_SPACE, "preserve")
    return r


def _ref_field(key: str, bold: bool) -> list[etree._Element]:
    if key not in SECTION_NUMBERS:
        raise EditError(f"[[{key}]] is not a Part A section key")
    begin, code, separate, result, end = (_run(bold) for _ in range(5))
    etree.SubElement(begin, w("fldChar")).set(w("fldCharType"), "begin")
    instr = etree.SubElement(code, w("instrText"))
    instr.text = f" REF _AB_S_{key} \\r \\h "
    instr.set(XML_SPACE, "preserve")
    etree.SubElement(separate, w("fldChar")).set(w("fldCharType"), "separate")
    etree.SubElement(result, w("t")).text = str(SECTION_NUMBERS[key])
    etree.SubElement(end, w("fldChar")).set(w("fldCharType"), "end")
    return [begin, code, separate, result, end]


def markup_of(p: etree._Element) -> str:
    """Return a paragraph's text as markup (the inverse of `runs_for`, whatever Word did to the runs)."""
    pieces: list[tuple[bool, str]] = []
    field: list[str] | None = None  # instruction text while in a field's code
    in_result = False
    for r in p.iter(w("r")):
        rpr = r.find(w("rPr"))
        b = rpr.find(w("b")) if rpr is not None else None
        bold = b is not None and b.get(w("val"), "true") not in ("0", "false")
        for child in r:
            if child.tag == w("fldChar"):
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    field, in_result = [], False
                elif kind == "separate" and field is not None:
                    in_result = True
                elif kind == "end" and field is not None:
                    m = re.match(r"\s*REF\s+_AB_S_(\w+)", "".join(field))
                    pieces.append((bold, f"[[{m.group(1)}]]" if m else f"⟨{''.join(field).strip()}⟩"))
                    field, in_result = None, False
            elif child.tag == w("instrText") and field is not None:
                field.append(child.text or "")
            elif child.tag == w("t") and not in_result and field is None:
                pieces.append((bold, child.text or ""))
            elif child.tag == w("tab") and field is None:
                pieces.append((bold, "\t"))
    out, current = [], False
    for bold, text in pieces:
        if not text:
            continue
        if bold != current:
            out.append("**")
            current = bold
        out.append(text)
    if current:
        out.append("**")
    return "".join(out)


# ---------------------------------------------------------------------------- the document


class Template:
    """A template being edited: its body, its style ids by name, and whether anything changed."""

    def __init__(self, path: Path):
        self.path = path
        self.original = path.read_bytes()
        self.package = Package.open(path)
        self.document = self.package.main_document()
        self.body = self.package.xml(self.document).find(w("body"))
        styles = self.package.xml("word/styles.xml")
        self.style_ids = {}
        for st in styles.iterfind(w("style")):
            name = st.find(w("name"))
            if name is not None:
                self.style_ids[name.get(w("val")).lower()] = st.get(w("styleId"))
        self.changes: list[str] = []

    def style_id(self, name: str) -> str:
        try:
            return self.style_ids[name.lower()]
        except KeyError:
            raise EditError(f"{self.path.name} has no style called “{name}”") from None

    def save(self) -> bool:
        """Write the file if it changed; return whether it did."""
        data = self.package.to_bytes()
        if data == self.original:
            return False
        atomic_write(self.path, data)
        return True

    # -------------------------------------------------------------- finding anchors

    def children(self) -> list[etree._Element]:
        return [c for c in self.body if c.tag in (w("p"), w("tbl"))]

    def find(self, test: Callable[[etree._Element], bool], what: str, after: etree._Element | None = None
             ) -> etree._Element:
        """Return the one body paragraph (after `after`, if given) that passes `test`."""
        children = self.children()
        if after is not None:
            children = children[children.index(after) + 1:]
        found = [c for c in children if c.tag == w("p") and test(c)]
        if not found:
            raise EditError(f"{self.path.name}: no paragraph {what}")
        if after is None and len(found) > 1:
            raise EditError(f"{self.path.name}: {len(found)} paragraphs {what}, not one")
        return found[0]

    def first(self) -> etree._Element:
        """Return the body's first paragraph (an annex's title)."""
        return next(c for c in self.children() if c.tag == w("p"))

    def text_is(self, text: str, after: etree._Element | None = None) -> etree._Element:
        return self.find(lambda p: _plain(p) == text, f"reading “{text}”", after)

    def text_starts(self, text: str, after: etree._Element | None = None) -> etree._Element:
        return self.find(lambda p: _plain(p).startswith(text), f"starting “{text}”", after)

    def bookmark(self, name: str) -> etree._Element:
        return self.find(lambda p: any(b.get(w("name")) == name for b in p.iter(w("bookmarkStart"))),
                         f"with the bookmark {name}")

    # -------------------------------------------------------------- making a stretch read right

    def in_part(self, name: str) -> "Template":
        """Return this template looking at part `name` (a header, a footer) instead of the body: same package."""
        other = copy.copy(self)
        other.body = self.package.xml(name)
        return other

    def header(self, kind: str = "default", footer: bool = False) -> str:
        """Return the name of the body's last section's header (or footer) part of `kind` (default, first)."""
        sect = self.body.find(w("sectPr"))
        tag = w("footerReference") if footer else w("headerReference")
        for ref in sect.iterfind(tag):
            if ref.get(w("type")) == kind:
                rid = ref.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
                return self.package.rels(self.document).get(rid).target
        raise EditError(f"{self.path.name}: no {kind} {'footer' if footer else 'header'}")

    def stretch(self, start: etree._Element | None, end: etree._Element | None, items: list, label: str) -> None:
        """Make the paragraphs and tables strictly between `start` and `end` (the body's end: None) be `items`."""
        children = self.children()
        lo = children.index(start) + 1 if start is not None else 0  # None: from the part's beginning
        hi = children.index(end) if end is not None else len(children)
        existing = children[lo:hi]
        anchor = start
        i = 0
        for item in items:
            if isinstance(item, Table):
                while i < len(existing) and existing[i].tag != w("tbl"):
                    self._remove(existing[i], label)
                    i += 1
                if i == len(existing) or existing[i].tag != w("tbl"):
                    if item.like is None:
                        raise EditError(f"{self.path.name}: {label}: a table was expected and none is left")
                    table = _table_like(*item.like)
                    anchor.addnext(table)
                    existing.insert(i, table)
                    self.changes.append(f"{label}: a table inserted")
                if item.rows:
                    self._table(existing[i], item.rows, label)
                anchor = existing[i]
                i += 1
                continue
            current = existing[i] if i < len(existing) and existing[i].tag == w("p") else None
            if current is not None:
                self._paragraph(current, item, label)
                anchor = current
                i += 1
            else:
                p = self._new_paragraph(item)
                if anchor is None:
                    self.body.insert(0, p)
                else:
                    anchor.addnext(p)
                anchor = p
                self.changes.append(f"{label}: inserted “{item.markup[:60]}”")
        while i < len(existing):
            if existing[i].tag == w("tbl"):
                raise EditError(f"{self.path.name}: {label}: a table would be removed")
            self._remove(existing[i], label)
            i += 1

    def _remove(self, el: etree._Element, label: str) -> None:
        self.changes.append(f"{label}: removed “{_plain(el)[:60]}”")
        el.getparent().remove(el)

    def _paragraph(self, p: etree._Element, item: P, label: str) -> None:
        """Make `p` read `item`, keeping its properties; leave it alone if it already does."""
        wanted_style = self.style_id(item.style) if item.style else None
        ppr = p.find(w("pPr"))
        style_el = ppr.find(w("pStyle")) if ppr is not None else None
        style = style_el.get(w("val")) if style_el is not None else None
        if style != wanted_style:
            if wanted_style is None:
                ppr.remove(style_el)
            else:
                if ppr is None:
                    ppr = etree.Element(w("pPr"))
                    p.insert(0, ppr)
                if style_el is None:
                    style_el = etree.Element(w("pStyle"))
                    ppr.insert(0, style_el)
                style_el.set(w("val"), wanted_style)
            self.changes.append(f"{label}: restyled “{item.markup[:60]}”")
        if markup_of(p) == item.markup:
            return
        for child in list(p):
            if child.tag not in (w("pPr"), w("bookmarkStart"), w("bookmarkEnd")):
                p.remove(child)
        last_bookmark = [c for c in p if c.tag == w("bookmarkEnd")]
        for r in runs_for(item.markup):
            if last_bookmark:
                last_bookmark[0].addprevious(r)
            else:
                p.append(r)
        self.changes.append(f"{label}: reworded “{item.markup[:60]}”")

    def _new_paragraph(self, item: P) -> etree._Element:
        p = etree.Element(w("p"))
        if item.style:
            ppr = etree.SubElement(p, w("pPr"))
            etree.SubElement(ppr, w("pStyle")).set(w("val"), self.style_id(item.style))
        for r in runs_for(item.markup):
            p.append(r)
        return p

    def _table(self, tbl: etree._Element, rows: tuple, label: str) -> None:
        """Make the table have `rows` (cloning its last row for new ones), each cell one paragraph."""
        existing = tbl.findall(w("tr"))
        while len(existing) < len(rows):
            clone = copy.deepcopy(existing[-1])
            existing[-1].addnext(clone)
            existing.append(clone)
            self.changes.append(f"{label}: a row added")
        for extra in existing[len(rows):]:
            tbl.remove(extra)
            self.changes.append(f"{label}: a row removed")
        for tr, cells in zip(existing, rows):
            tcs = tr.findall(w("tc"))
            if len(tcs) != len(cells):
                raise EditError(f"{self.path.name}: {label}: a row has {len(tcs)} cells, not {len(cells)}")
            for tc, item in zip(tcs, cells):
                paragraphs = tc.findall(w("p"))
                for extra in paragraphs[1:]:
                    tc.remove(extra)
                self._paragraph(paragraphs[0], item, label)


def _table_like(path: Path, index: int) -> etree._Element:
    """Return a copy of the `index`-th table of the template at `path` (its look, not yet its rows)."""
    package = Package.open(path)
    body = package.xml(package.main_document()).find(w("body"))
    return copy.deepcopy(body.findall(w("tbl"))[index])


def _plain(el: etree._Element) -> str:
    """Return what a reader sees of a paragraph (field codes left out)."""
    return markup_of(el).replace("**", "")
