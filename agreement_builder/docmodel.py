"""A Word document as a list of blocks with stable ids, for diff and redline.

Why: comparing two versions of an agreement must align what is *the same thing* (a section,
a clause, an annex, a force's table row), not what happens to sit at the same place, and must
never mistake Word's bookkeeping (runs split by editing, formatting, revision marks, field
codes) for a change of wording. A rendered document carries hidden `_AB_*` bookmarks that give
every section, agreement clause, annex and appendix a stable id; a document edited by hand or
written elsewhere falls back to its heading path and text.

Existing tracked changes in an input are **accepted first** (`accept_revisions`): a document
is compared as it reads with all its changes accepted, which is what a reviewer who sends back
"my edits" means. `Document.accepted_revisions` says how many there were, so a caller can warn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

from lxml import etree

from .errors import InputError, Position
# The WordprocessingML names live in ooxml.py; `docmodel.w`, `docmodel.P`, ... keep working for one release.
from .ooxml import (  # noqa: F401 - also re-exported under their old names
    APPENDIX, BOOKMARK_END, BOOKMARK_START, CLAUSE, CUSTOM_XML, DEL, DEL_INSTR, DEL_TEXT, FLDCHAR, FUNCTION, ID,
    ID_PREFIX, INS, INSTR_TEXT, MAX_BOOKMARK_NAME, NAME, P, PPR, PSTYLE, R, R_NS, RPR, SDT, SDT_CONTENT, SECT_PR,
    SECTION, T, TBL, TC, TR, TRPR, VAL, W_NS, XML_NS, bookmark_name, w,
)
from .package import parse_xml, read_docx_parts

#: Paragraph styles (lower-case names) that open a new top-level heading path.
HEADING_STYLES = frozenset({"heading 1", "annex title", "appendix title", "part heading"})
_HEADING_IDS = (SECTION, FUNCTION, APPENDIX)

#: Elements inside a paragraph whose children are read as the paragraph's own content.
_INLINE_CONTAINERS = frozenset(
    w(t) for t in ("hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo", "ins", "moveTo")
)
#: Words, runs of whitespace, single other characters; a number with separators ("£1,377,661.42",
#: "27.85%") is one token, so a changed figure is shown whole, not digit group by digit group.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|\w+|\s+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Return `text` cut into words, runs of whitespace and single other characters (joins back to `text`)."""
    return _TOKEN.findall(text)


def is_word(token: str) -> bool:
    """Return whether a token is a word or sign rather than the whitespace between them (diffs match words)."""
    return not token.isspace()


# --------------------------------------------------------------------------- text of a paragraph

def iter_runs(p: etree._Element):
    """Yield the runs of a paragraph in order, through hyperlinks, fields, content controls, ...

    Runs inside other runs (text boxes in drawings) and deleted runs are not yielded.
    """
    stack = [iter(p)]
    while stack:
        for child in stack[-1]:
            tag = child.tag
            if tag == R:
                yield child
            elif tag in _INLINE_CONTAINERS:
                stack.append(iter(child))
                break
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    stack.append(iter(content))
                    break
        else:
            stack.pop()


def _atom(child: etree._Element) -> str:
    """Return the text a run child stands for ('' for none)."""
    tag = child.tag
    if tag == T:
        return child.text or ""
    if tag in (w("tab"), w("ptab")):
        return "\t"
    if tag == w("br"):
        return "\n" if child.get(w("type")) in (None, "textWrapping") else ""
    if tag == w("cr"):
        return "\n"
    if tag == w("noBreakHyphen"):
        return "\u2011"
    if tag == w("softHyphen"):
        return "\u00ad"
    if tag == w("sym"):
        try:
            return chr(int(child.get(w("char"), ""), 16))
        except ValueError:  # a symbol without a valid code point reads as nothing, as Word shows it
            return ""
    return ""


class FieldState:
    """Where a walk through runs stands in complex fields (`w:fldChar` begin/separate/end).

    A reader wants field results, never field codes; nested fields are allowed.
    """

    __slots__ = ("_open",)

    def __init__(self) -> None:
        self._open: list[bool] = []  # one entry per open field: True while in its code part

    def step(self, child: etree._Element) -> bool:
        """Follow `child`; return True if it was a field character (and so is no text)."""
        if child.tag != FLDCHAR:
            return False
        kind = child.get(w("fldCharType"))
        if kind == "begin":
            self._open.append(True)
        elif kind == "separate" and self._open:
            self._open[-1] = False
        elif kind == "end" and self._open:
            self._open.pop()
        return True

    @property
    def in_code(self) -> bool:
        return any(self._open)


def scan_paragraph(p: etree._Element, *, pieces: bool = False) -> tuple[str, list[tuple]]:
    """Return a paragraph's text and, if asked, its pieces `(run, child, start, length)`.

    Text is what a reader sees: field results but not field codes, `w:tab` as a tab, a line
    break as a newline, no deleted text.
    """
    out: list[str] = []
    found: list[tuple] = []
    pos = 0
    fields = FieldState()
    for run in iter_runs(p):
        for child in run:
            if fields.step(child) or fields.in_code:
                continue
            text = _atom(child)
            if text:
                out.append(text)
                if pieces:
                    found.append((run, child, pos, len(text)))
                pos += len(text)
    return "".join(out), found


def paragraph_text(p: etree._Element) -> str:
    """Return the text of a paragraph as a reader sees it."""
    return scan_paragraph(p)[0]


# --------------------------------------------------------------------------- blocks

@dataclass(eq=False)
class Cell:
    """One table cell: its element and its text (paragraphs joined by newlines)."""

    element: etree._Element
    text: str


@dataclass(eq=False)
class Row:
    """One table row; rows align on their first cell's text (the force name)."""

    element: etree._Element
    cells: list[Cell]

    @property
    def key(self) -> str:
        return self.cells[0].text if self.cells else ""

    @cached_property
    def text(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.cells)


@dataclass(eq=False)
class Block:
    """A paragraph or a table of a document body (or of a table cell), in body order.

    A table's rows and text are read when first asked for (a redline reads tables its own way,
    and most tables of two versions are never looked into).
    """

    kind: str  # "p" | "tbl"
    element: etree._Element
    _text: str | None = None
    style_id: str = ""
    style_name: str = ""
    level: int | None = None  # numbering level (0-based) if the paragraph is numbered
    stable_id: str | None = None  # the `_AB_*` bookmark name, if any
    path: str = ""  # the enclosing heading: its stable id, else its text
    path_from_id: bool = False
    _rows: list[Row] | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "\n".join("\t".join(r.text) for r in self.rows)
        return self._text

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            self._rows = [Row(tr, [Cell(tc, cell_text(tc)) for tc in _cells(tr)]) for tr in table_rows(self.element)] \
                if self.kind == "tbl" else []
        return self._rows

    @property
    def is_heading(self) -> bool:
        return self.kind == "p" and (
            self.style_name.lower() in HEADING_STYLES
            or (self.stable_id or "").startswith(_HEADING_IDS)
        )

    @property
    def key(self) -> tuple:
        """Return the alignment key: the stable id, else (kind, heading path, text or header row)."""
        if self.stable_id:
            return ("id", self.stable_id)
        if self.kind == "tbl":
            return ("tbl", self.path, self.rows[0].text if self.rows else ())
        return ("p", self.path, self.text)

    @cached_property
    def words(self) -> list[str]:
        """Return the non-blank tokens of the text (for similarity)."""
        return [t for t in tokenize(self.text) if not t.isspace()]

    @property
    def columns(self) -> int:
        grid = self.element.find(w("tblGrid"))
        if grid is not None and len(grid):
            return len(grid)
        return max((len(r.cells) for r in self.rows), default=0)


@dataclass(eq=False)
class Style:
    name: str
    based_on: str | None
    level: int | None  # numbering level the style itself gives


@dataclass(eq=False)
class Document:
    """A parsed .docx: its parts, the main document tree (revisions accepted) and its blocks."""

    label: str
    parts: dict[str, bytes]
    root: etree._Element
    body: etree._Element
    blocks: list[Block]
    styles: dict[str, Style]
    accepted_revisions: int = 0

    def date(self) -> str | None:
        """Return the document's modified (else created) date from docProps/core.xml as W3CDTF, or None."""
        data = self.parts.get("docProps/core.xml")
        if not data:
            return None
        try:
            root = parse_xml(data)
        except etree.XMLSyntaxError:  # damaged core properties: no date there, the caller uses its fallback
            return None
        for tag in ("modified", "created"):
            el = root.find(f"{{http://purl.org/dc/terms/}}{tag}")
            if el is not None and el.text:
                try:
                    return format_date(el.text.strip())
                except ValueError:  # not a date: try the next property
                    continue
        return None


def format_date(value) -> str:
    """Return a date, datetime or ISO string as the `w:date` form `YYYY-MM-DDTHH:MM:SSZ` (UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if not isinstance(value, datetime):  # a date
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def read_styles(root: etree._Element | None) -> dict[str, Style]:
    """Return the paragraph styles of a styles part by id (name, basedOn, numbering level)."""
    styles: dict[str, Style] = {}
    if root is None:
        return styles
    for st in root.iter(w("style")):
        sid = st.get(w("styleId"))
        if not sid:
            continue
        name_el, based = st.find(NAME), st.find(w("basedOn"))
        level = None
        numpr = st.find(f"{PPR}/{w('numPr')}")
        if numpr is not None:
            ilvl = numpr.find(w("ilvl"))
            level = _int(ilvl.get(VAL)) if ilvl is not None else 0
        styles[sid] = Style(
            name=name_el.get(VAL, sid) if name_el is not None else sid,
            based_on=based.get(VAL) if based is not None else None,
            level=level,
        )
    default = next(
        (st.get(w("styleId")) for st in (root.iter(w("style")))
         if st.get(w("type")) == "paragraph" and st.get(w("default")) in ("1", "true")), None)
    if default:
        styles[""] = styles.get(default, Style(default, None, None))
    return styles


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:  # not a number: Word ignores the attribute too
        return None


def _style_level(styles: dict[str, Style], sid: str) -> int | None:
    seen = set()
    while sid in styles and sid not in seen:
        seen.add(sid)
        if styles[sid].level is not None:
            return styles[sid].level
        sid = styles[sid].based_on or ""
    return None


def _own_id(p: etree._Element) -> str | None:
    for bm in p.iter(BOOKMARK_START):
        name = bm.get(NAME, "")
        if name.startswith(ID_PREFIX):
            return name
    return None


def _paragraph(p: etree._Element, styles: dict[str, Style], pending: str | None) -> Block:
    ppr = p.find(PPR)
    sid, level = "", None
    if ppr is not None:
        ps = ppr.find(PSTYLE)
        if ps is not None:
            sid = ps.get(VAL, "")
        ilvl = ppr.find(f"{w('numPr')}/{w('ilvl')}")
        if ilvl is not None:
            level = _int(ilvl.get(VAL))
    style = styles.get(sid) or styles.get("")
    if level is None:
        level = _style_level(styles, sid or "")
    return Block(
        "p", p, paragraph_text(p), style_id=sid, style_name=style.name if style else sid,
        level=level, stable_id=_own_id(p) or pending,
    )


def _cells(tr: etree._Element):
    for child in tr:
        if child.tag == TC:
            yield child
        elif child.tag in (SDT, CUSTOM_XML):
            content = child.find(SDT_CONTENT) if child.tag == SDT else child
            if content is not None:
                yield from _cells(content)


def table_rows(tbl: etree._Element) -> list[etree._Element]:
    """Return the rows of a table (also those wrapped in row-level content controls)."""
    rows = []
    for child in tbl:
        if child.tag == TR:
            rows.append(child)
        elif child.tag in (SDT, CUSTOM_XML):
            content = child.find(SDT_CONTENT) if child.tag == SDT else child
            if content is not None:
                rows.extend(table_rows(content))
    return rows


def cell_text(tc: etree._Element) -> str:
    """Return a cell's text: its paragraphs (nested tables included) joined by newlines."""
    return "\n".join(paragraph_text(p) for p in tc.iter(P))


def _table(tbl: etree._Element) -> Block:
    return Block("tbl", tbl)


def read_blocks(container: etree._Element, styles: dict[str, Style] | None = None) -> list[Block]:
    """Return the blocks of a body or table cell in order, each with its heading path.

    Paragraphs inside block-level content controls count as the container's own. A block is a
    heading (it opens a new path) if its style is Heading 1, Annex Title, Appendix Title or Part
    Heading, or if it carries a section, function or appendix id.
    """
    styles = styles or {}
    blocks: list[Block] = []
    path, from_id = "", False

    def walk(parent: etree._Element, pending: list[str | None]) -> None:
        nonlocal path, from_id
        for child in parent:
            tag = child.tag
            if tag == P:
                block = _paragraph(child, styles, pending[0])
            elif tag == TBL:
                block = _table(child)
                if block.stable_id is None:
                    block.stable_id = pending[0]
            elif tag in (SDT, CUSTOM_XML):
                content = child.find(SDT_CONTENT) if tag == SDT else child
                if content is not None:
                    walk(content, pending)
                continue
            elif tag == BOOKMARK_START and child.get(NAME, "").startswith(ID_PREFIX):
                pending[0] = child.get(NAME)
                continue
            else:
                continue
            pending[0] = None
            if block.is_heading:
                if block.stable_id and block.stable_id.startswith(_HEADING_IDS):
                    path, from_id = block.stable_id, True
                else:
                    path, from_id = block.text, False
            block.path, block.path_from_id = path, from_id
            blocks.append(block)

    walk(container, [None])
    return blocks


# --------------------------------------------------------------------------- existing revisions

_REMOVE = frozenset(w(t) for t in (
    "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
    "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart",
    "customXmlDelRangeEnd", "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd",
    "customXmlMoveToRangeStart", "customXmlMoveToRangeEnd",
    "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblPrExChange", "trPrChange",
    "tcPrChange", "tblGridChange", "numberingChange", "cellIns", "cellMerge",
))
_REVISION_TAGS = tuple(_REMOVE | {INS, DEL, w("moveFrom"), w("moveTo"), w("cellDel")})
_MARK_PARENTS = frozenset({RPR, TRPR})


def accept_revisions(root: etree._Element) -> int:
    """Accept every tracked change in a document tree in place; return how many there were.

    Inserted content stays, deleted content goes, rows marked deleted go, a paragraph whose mark
    is deleted joins the next paragraph, and property changes keep the new properties.
    """
    found = list(root.iter(*_REVISION_TAGS))
    if not found:
        return 0
    merge: list[etree._Element] = []
    for el in found:
        parent = el.getparent()
        if parent is None:
            continue
        tag = el.tag
        if tag in _REMOVE:
            parent.remove(el)
        elif parent.tag in _MARK_PARENTS:  # a mark on a paragraph mark or a row
            if tag in (DEL, w("moveFrom")):
                owner = parent.getparent()
                if parent.tag == TRPR:
                    tr = owner.getparent()
                    if tr is not None and tr.getparent() is not None:
                        tr.getparent().remove(tr)
                        continue
                elif owner is not None and owner.tag == PPR and owner.getparent() is not None:
                    merge.append(owner.getparent())
            parent.remove(el)
        elif tag in (DEL, w("moveFrom")):
            parent.remove(el)
        elif tag == w("cellDel"):
            tc = parent.getparent()
            if tc is not None and tc.getparent() is not None:
                tc.getparent().remove(tc)
        else:  # ins / moveTo wrapping content: unwrap
            index = parent.index(el)
            for child in reversed(list(el)):
                parent.insert(index, child)
            parent.remove(el)
    for p in reversed(merge):
        if p.getparent() is None:
            continue
        nxt = p.getnext()
        content = [c for c in p if c.tag != PPR]
        if nxt is not None and nxt.tag == P:
            ppr = nxt.find(PPR)
            at = 1 if ppr is not None and nxt.index(ppr) == 0 else 0
            for child in reversed(content):
                nxt.insert(at, child)
            p.getparent().remove(p)
        elif not paragraph_text(p):
            container = p.getparent()
            if sum(1 for c in container if c.tag == P) > 1 or container.tag not in (TC,):
                container.remove(p)
    return len(found)


# --------------------------------------------------------------------------- reading a .docx

def parse_part(parts: dict[str, bytes], name: str, label: str) -> etree._Element | None:
    """Return the root of an XML part, or None if absent; refuse malformed XML and any DTD."""
    data = parts.get(name)
    if data is None:
        return None
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as exc:
        line, column = (exc.position if getattr(exc, "position", None) else (0, 0))
        raise InputError.at(
            Position(label, line or 0, column or 0),
            f"{name} is not well-formed XML: {exc.msg}",
            hint="open and re-save the document in Word or LibreOffice") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise InputError.in_file(
            label, f"{name} declares a DTD (entity declarations are refused; Word never writes them)",
            hint="the file was not saved by Word; re-save it in Word or LibreOffice")
    return root


def read_document(source: str | Path | bytes, label: str | None = None) -> Document:
    """Return the document model of an untrusted .docx (a path or its bytes).

    Raises InputError for a file that is not a Word document, a zip bomb, malformed XML or a DTD.
    Tracked changes already in the document are accepted first (see `accept_revisions`).
    """
    label = label or (str(source) if not isinstance(source, bytes) else "<docx>")
    parts = read_docx_parts(source, label=label)
    return document_from_parts(parts, label)


def document_from_parts(parts: dict[str, bytes], label: str) -> Document:
    """Return the document model of already-read package parts (a fresh tree every call)."""
    root = parse_part(parts, "word/document.xml", label)
    body = root.find(w("body")) if root is not None else None
    if body is None:
        raise InputError.in_file(label, "word/document.xml has no w:body: this is not a Word document")
    styles = read_styles(parse_part(parts, "word/styles.xml", label))
    accepted = accept_revisions(root)
    return Document(label, parts, root, body, read_blocks(body, styles), styles, accepted)


def package_blocks(package) -> list[Block]:
    """Return the blocks of a rendered package's main document (a `package.Package`; nothing to accept).

    Used on documents render.py has just made (diff compares template wording as printed): the
    tree is read as it is in the package, without serialising it.
    """
    from .package import RT_STYLES

    name = package.main_document()
    styles_name = package.related(name, RT_STYLES)
    styles = read_styles(parse_xml(package.parts[styles_name]) if styles_name in package.parts else None)
    return read_blocks(package.xml(name).find(w("body")), styles)
