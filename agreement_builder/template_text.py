"""A Word template as located paragraphs of text: `templates show`, and where `templates check` points.

Why: the wording of the product lives in .docx files that legal officers edit in Word. A
reviewer needs to read a change as words (`git diff` with this as its textconv driver), and a
finding of the check must be found by a person in Word, not as an offset in XML: the file,
then where (a section by its heading, the header, a table's row and cell), the paragraph's
number there and its opening words.

The view is deterministic and ignores what Word changes on every save (runs split by
editing, rsids, part names): one line per paragraph, `[Style] text`, tags as typed,
`**bold**`, fields as ⟨FIELD⟩, the product's hidden bookmarks as ⟨bookmark _AB_…⟩, tracked
changes as «+inserted+» «-deleted-», comments on a line of their own.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from lxml import etree

from .ooxml import (CUSTOM_XML, DEL, DEL_INSTR, DEL_TEXT, FLD_SIMPLE, FLDCHAR, ID_PREFIX, INS, MOVE_FROM, MOVE_TO, P, PPR,
                    R, R_NS, RPR, RT_PREFIX, SDT, SDT_CONTENT, TBL, TC, TR, VAL, T, w)
from .ooxml import INSTR_TEXT as INSTR
from .package import RT_FOOTER, RT_FOOTNOTES, RT_HEADER, RT_NUMBERING, RT_STYLES, Package

RT_COMMENTS = RT_PREFIX + "comments"
#: Tracked formatting changes (the old properties kept for Review > Reject).
PROPERTY_CHANGES = frozenset(w(t) for t in ("pPrChange", "rPrChange", "sectPrChange", "tblPrChange", "trPrChange",
                                            "tcPrChange", "tblGridChange", "numberingChange"))
_INLINE = frozenset(w(t) for t in ("hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo"))
_TRACKED = frozenset((INS, DEL, MOVE_FROM, MOVE_TO))

#: Paragraph styles (lower-case names) after which a person says "under that heading".
PLACE_STYLES = frozenset({"heading 1", "part heading", "appendix title", "annex title", "annex heading",
                          "unnumbered heading", "heading 2", "heading 3", "title"})
OPENING_WORDS = 8


# ---------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class StyleInfo:
    """A paragraph or table style: its id, its name as Word shows it, its own numbering."""

    style_id: str
    name: str
    kind: str  # paragraph | character | table | numbering
    based_on: str | None
    num_id: str | None
    ilvl: str | None
    element: etree._Element = field(compare=False, repr=False)


def display_name(name: str) -> str:
    """Return a style name as Word's menus show it ("heading 1" -> "Heading 1", "toc 1" -> "TOC 1")."""
    if name[:1].islower():
        name = name[0].upper() + name[1:]
    return re.sub(r"^Toc (\d)$", r"TOC \1", name)


class Styles:
    """The styles of a template, by id and by (case-insensitive) name."""

    def __init__(self, root: etree._Element | None):
        self.root = root
        self.by_id: dict[str, StyleInfo] = {}
        self.default_paragraph: str | None = None
        for st in (root.iterfind(w("style")) if root is not None else ()):
            sid = st.get(w("styleId"))
            if not sid:
                continue
            name_el, based = st.find(w("name")), st.find(w("basedOn"))
            num_pr = st.find(f"{PPR}/{w('numPr')}")
            num_id = ilvl = None
            if num_pr is not None:
                n, lv = num_pr.find(w("numId")), num_pr.find(w("ilvl"))
                num_id = n.get(VAL) if n is not None else None
                ilvl = lv.get(VAL) if lv is not None else None
            kind = st.get(w("type"), "paragraph")
            info = StyleInfo(sid, display_name(name_el.get(VAL, sid) if name_el is not None else sid), kind,
                             based.get(VAL) if based is not None else None, num_id, ilvl, st)
            self.by_id[sid] = info
            if kind == "paragraph" and st.get(w("default")) in ("1", "true", "on"):
                self.default_paragraph = sid
        self.by_name = {s.name.lower(): s for s in self.by_id.values()}

    def name(self, style_id: str | None) -> str:
        """Return the name of a paragraph's style (the default paragraph style when it names none)."""
        sid = style_id or self.default_paragraph
        info = self.by_id.get(sid or "")
        return info.name if info else (style_id or "Normal")

    def numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        """Return (numId, ilvl) the style gives, following basedOn."""
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            info = self.by_id.get(style_id)
            if info is None:
                return None, None
            if info.num_id is not None:
                return info.num_id, info.ilvl or "0"
            style_id = info.based_on
        return None, None


def paragraph_style_id(p: etree._Element) -> str | None:
    ppr = p.find(PPR)
    style = ppr.find(w("pStyle")) if ppr is not None else None
    return style.get(VAL) if style is not None else None


# ---------------------------------------------------------------------------- where


@dataclass(frozen=True)
class Where:
    """Where a paragraph is, as a person finds it in Word."""

    area: str  # "" for the body, else "the header", "the first-page header", "footnote 2" ...
    heading: str  # "section 6 “Lead Force Arrangements”", "“Contents”", "" before any heading
    table: str  # "table 1, row 2, cell 3" (nested tables joined), "" outside tables
    number: int  # the paragraph's number in that place (0: the heading itself)
    opening: str  # the paragraph's opening words

    def __str__(self) -> str:
        place = [self.area] if self.area else []
        if self.heading:
            place.append(self.heading)
        elif not self.area:
            place.append("before the first heading")
        if self.table:
            place.append(self.table)
        if self.number == 0 and not self.table:
            place.append("its heading" if self.heading != "the title page" else "the title")
        else:
            place.append(f"paragraph {self.number}" + (f" “{self.opening}”" if self.opening else " (empty)"))
        return ", ".join(place)


def opening_words(text: str, count: int = OPENING_WORDS) -> str:
    words = text.split()
    head = " ".join(words[:count])
    if len(head) > 60:
        head = head[:57].rstrip()
        return head + "…"
    return head + ("…" if len(words) > count else "")


# ---------------------------------------------------------------------------- paragraphs


@dataclass(frozen=True)
class Revision:
    """A tracked change or a comment, as Word's Review pane lists it."""

    kind: str  # inserted | deleted | moved | formatting | comment
    author: str
    text: str


@dataclass(eq=False)
class TemplateParagraph:
    """One paragraph of a template, located."""

    element: etree._Element
    part: str
    where: Where
    order: int  # position in the whole template (body, then headers, footers, footnotes)
    style: str  # the style's name
    text: str  # the text as typed, tracked insertions kept and deletions left out (what docxtpl sees)
    shown: str  # the line `templates show` prints (without the style)
    revisions: tuple[Revision, ...] = ()
    in_table: bool = False

    @property
    def row(self) -> etree._Element | None:
        return _ancestor(self.element, TR)

    @property
    def cell(self) -> etree._Element | None:
        return _ancestor(self.element, TC)


def _ancestor(el: etree._Element, tag: str) -> etree._Element | None:
    node = el.getparent()
    while node is not None:
        if node.tag == tag:
            return node
        node = node.getparent()
    return None


@dataclass
class TemplateText:
    """A template read as located paragraphs: body first, then headers, footers and footnotes."""

    path: Path
    package: Package
    styles: Styles
    paragraphs: list[TemplateParagraph]
    comments: dict[str, Revision]  # comment id -> the comment
    numbering: etree._Element | None

    @classmethod
    def read(cls, path: Path, package: Package | None = None) -> "TemplateText":
        package = package or Package.open(path)
        document = package.main_document()
        styles_name = package.related(document, RT_STYLES)
        styles = Styles(package.xml(styles_name) if styles_name and styles_name in package.parts else None)
        numbering_name = package.related(document, RT_NUMBERING)
        numbering = package.xml(numbering_name) if numbering_name and numbering_name in package.parts else None
        comments = _comments(package, document)
        reader = _Reader(styles)
        root = package.xml(document)
        body = root.find(w("body"))
        if body is not None:
            reader.read_body(body, document)
        for name, area in _areas(package, document, root):
            reader.read_part(package.xml(name), name, area)
        return cls(path, package, styles, reader.paragraphs, comments, numbering)

    def show(self) -> str:
        """Return the template as text: one line per paragraph, in order (see the module docstring)."""
        lines: list[str] = []
        area = None
        for p in self.paragraphs:
            if p.where.area != area:
                area = p.where.area
                if lines:
                    lines.append("")
                lines.append(f"=== {area or 'body'} ===")
            if p.where.number == 0 and not p.in_table and lines and lines[-1] and not lines[-1].startswith("==="):
                lines.append("")
            indent = "  " * _table_depth(p.element)
            table = ""
            if p.in_table:
                table = p.where.table.rsplit("table ", 1)[-1].split(", ", 1)[-1] + " | "
                if _first_in_table(p):
                    lines.append("  " * (_table_depth(p.element) - 1) + _table_line(p.element))
            lines.append(f"{indent}{table}[{p.style}] {p.shown}".rstrip())
            for rid in _comment_ids(p.element):
                c = self.comments.get(rid)
                if c is not None:
                    lines.append(f"{indent}    ⟨comment by {c.author}: {c.text}⟩")
        numbered = self._numbering_lines()
        if numbered:
            lines += ["", "=== numbered styles ===", *numbered]
        return "\n".join(lines) + "\n"

    def _numbering_lines(self) -> list[str]:
        """Return one line per numbered paragraph style: its number format, so a change of numbering shows."""
        used = sorted({p.style for p in self.paragraphs} | {s.name for s in self.styles.by_id.values()
                                                              if s.kind == "paragraph" and s.num_id})
        out = []
        for name in used:
            info = self.styles.by_name.get(name.lower())
            if info is None:
                continue
            num_id, ilvl = self.styles.numbering(info.style_id)
            level = numbering_level(self.numbering, num_id, ilvl)
            if level is not None:
                out.append(f"[{name}] numbered “{level[1]}” ({level[0]}, level {int(ilvl or 0) + 1})")
        return out


def numbering_level(numbering: etree._Element | None, num_id: str | None, ilvl: str | None
                    ) -> tuple[str, str] | None:
    """Return (format, text) of level `ilvl` of list `num_id` ("decimal", "%1.%2"), or None when there is none."""
    if numbering is None or not num_id or num_id == "0":
        return None
    num = next((n for n in numbering.iterfind(w("num")) if n.get(w("numId")) == num_id), None)
    if num is None:
        return None
    ref = num.find(w("abstractNumId"))
    abstract_id = ref.get(VAL) if ref is not None else None
    abstract = next((a for a in numbering.iterfind(w("abstractNum")) if a.get(w("abstractNumId")) == abstract_id), None)
    if abstract is None:
        return None
    level = int(ilvl or 0)
    for override in num.iterfind(w("lvlOverride")):  # a level given again in the list itself
        if override.get(w("ilvl")) == str(level) and override.find(w("lvl")) is not None:
            abstract = override
    for lvl in abstract.iter(w("lvl")):
        if lvl.get(w("ilvl")) == str(level):
            fmt, text = lvl.find(w("numFmt")), lvl.find(w("lvlText"))
            return (fmt.get(VAL, "decimal") if fmt is not None else "decimal",
                    text.get(VAL, "") if text is not None else "")
    return None


def _table_depth(el: etree._Element) -> int:
    depth, node = 0, el.getparent()
    while node is not None:
        if node.tag == TBL:
            depth += 1
        node = node.getparent()
    return depth


def _first_in_table(p: TemplateParagraph) -> bool:
    tbl = _ancestor(p.element, TBL)
    first = next(tbl.iter(P), None) if tbl is not None else None
    return first is p.element


def _table_line(p: etree._Element) -> str:
    tbl = _ancestor(p, TBL)
    rows = list(_rows(tbl))
    columns = max((len(list(_cells(r))) for r in rows), default=0)
    return f"⟨table: {len(rows)} rows × {columns} columns⟩"


def _comment_ids(p: etree._Element) -> list[str]:
    ids = []
    for el in p.iter(w("commentReference"), w("commentRangeStart")):
        cid = el.get(w("id"))
        if cid is not None and cid not in ids:
            ids.append(cid)
    return ids


def _comments(package: Package, document: str) -> dict[str, Revision]:
    name = package.related(document, RT_COMMENTS)
    if not name or name not in package.parts:
        return {}
    out = {}
    for c in package.xml(name).iterfind(w("comment")):
        text = " ".join(" ".join(t.text or "" for t in p.iter(T)).strip() for p in c.iter(P)).strip()
        out[c.get(w("id"), "")] = Revision("comment", c.get(w("author"), "someone"), text)
    return out


def _areas(package: Package, document: str, root: etree._Element) -> list[tuple[str, str]]:
    """Return (part name, how a person calls it) for every header, footer and the footnotes, in order."""
    rels = {rel.rid: rel.target for rel in package.rels(document) if not rel.external}
    sections = list(root.iter(w("sectPr")))
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    kinds = {"default": "", "first": "first-page ", "even": "even-page "}
    order = {"default": 0, "first": 1, "even": 2}
    for number, sect in enumerate(sections, start=1):
        refs = [r for r in sect if r.tag in (w("headerReference"), w("footerReference"))]
        refs.sort(key=lambda r: (r.tag != w("headerReference"), order.get(r.get(w("type"), "default"), 3)))
        for ref in refs:
            target = rels.get(ref.get(f"{{{R_NS}}}id", ""))
            if not target or target in seen or target not in package.parts:
                continue
            seen.add(target)
            what = "header" if ref.tag == w("headerReference") else "footer"
            name = f"the {kinds.get(ref.get(w('type'), 'default'), '')}{what}"
            if len(sections) > 1:
                name += f" of page-layout section {number}"
            out.append((target, name))
    for rel in package.rels(document):  # headers and footers no section uses (Word keeps them)
        if rel.reltype in (RT_HEADER, RT_FOOTER) and not rel.external and rel.target not in seen \
                and rel.target in package.parts:
            seen.add(rel.target)
            out.append((rel.target, f"an unused {'header' if rel.reltype == RT_HEADER else 'footer'} "
                                    f"({posixpath.basename(rel.target)})"))
    footnotes = package.related(document, RT_FOOTNOTES)
    if footnotes and footnotes in package.parts:
        out.append((footnotes, "footnotes"))
    return out


def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
    for child in tbl:
        if child.tag == TR:
            yield child
        elif child.tag in (SDT, CUSTOM_XML):
            content = child.find(SDT_CONTENT) if child.tag == SDT else child
            if content is not None:
                yield from _rows(content)


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    for child in tr:
        if child.tag == TC:
            yield child
        elif child.tag in (SDT, CUSTOM_XML):
            content = child.find(SDT_CONTENT) if child.tag == SDT else child
            if content is not None:
                yield from _cells(content)


class _Reader:
    """Walks parts in reading order, keeping track of where each paragraph is."""

    def __init__(self, styles: Styles):
        self.styles = styles
        self.paragraphs: list[TemplateParagraph] = []
        self.sections = 0

    def read_body(self, body: etree._Element, part: str) -> None:
        self._place = {"heading": "", "count": 0, "tables": 0}
        self._blocks(body, part, "", [])

    def read_part(self, root: etree._Element, part: str, area: str) -> None:
        if root.tag == w("footnotes"):
            for note in root.iterfind(w("footnote")):
                if note.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                self._place = {"heading": "", "count": 0, "tables": 0}
                self._blocks(note, part, f"footnote {note.get(w('id'))}", [])
            return
        self._place = {"heading": "", "count": 0, "tables": 0}
        self._blocks(root, part, area, [])

    def _blocks(self, container: etree._Element, part: str, area: str, table: list[str]) -> None:
        for child in container:
            if child.tag == P:
                self._paragraph(child, part, area, table)
            elif child.tag == TBL:
                self._table(child, part, area, table)
            elif child.tag in (SDT, CUSTOM_XML):
                content = child.find(SDT_CONTENT) if child.tag == SDT else child
                if content is not None:
                    self._blocks(content, part, area, table)

    def _table(self, tbl: etree._Element, part: str, area: str, table: list[str]) -> None:
        if not table:
            self._place["tables"] += 1
            number = self._place["tables"]
        else:
            number = sum(1 for t in tbl.itersiblings(TBL, preceding=True)) + 1
        for r, tr in enumerate(_rows(tbl), start=1):
            for c, tc in enumerate(_cells(tr), start=1):
                saved = self._place["count"]
                self._place["count"] = 0
                self._blocks(tc, part, area, [*table, f"table {number}, row {r}, cell {c}"])
                self._place["count"] = saved

    def _paragraph(self, p: etree._Element, part: str, area: str, table: list[str]) -> None:
        style = self.styles.name(paragraph_style_id(p))
        text, shown, revisions = read_paragraph(p)
        if not table and not area and style.lower() in PLACE_STYLES and text.strip():
            if style.lower() == "heading 1":
                self.sections += 1
                heading = f"section {self.sections} “{opening_words(text, 10)}”"
            elif style.lower() == "title":
                heading = "the title page"
            else:
                heading = f"“{opening_words(text, 10)}”"
            self._place.update(heading=heading, count=0, tables=0)
            number = 0
        else:
            self._place["count"] += 1
            number = self._place["count"]
        where = Where(area, self._place["heading"], ", ".join(table), number, opening_words(text))
        self.paragraphs.append(TemplateParagraph(p, part, where, len(self.paragraphs), style, text, shown,
                                                 tuple(revisions), bool(table)))


# ---------------------------------------------------------------------------- a paragraph's text


def read_paragraph(p: etree._Element) -> tuple[str, str, list[Revision]]:
    """Return (text as docxtpl sees it, the line `show` prints, the tracked changes and comments in it)."""
    text: list[str] = []
    shown: list[str] = []
    revisions: list[Revision] = []
    state = {"bold": False, "field": [], "instr": []}
    ppr = p.find(PPR)
    if ppr is not None:
        if _on(ppr.find(w("pageBreakBefore"))):
            shown.append("⟨page break before⟩ ")
        if any(ppr.iter(*PROPERTY_CHANGES)):
            revisions.append(Revision("formatting", _author(next(ppr.iter(*PROPERTY_CHANGES))), "paragraph format"))
        mark = ppr.find(RPR)
        if mark is not None:
            for tracked in mark:
                if tracked.tag in (INS, DEL, MOVE_FROM, MOVE_TO):
                    kind = "inserted" if tracked.tag in (INS, MOVE_TO) else "deleted"
                    revisions.append(Revision(kind, _author(tracked), "a paragraph mark"))
    _walk(p, text, shown, revisions, state, None)
    if state["bold"]:
        shown.append("**")
    for name in sorted({b.get(w("name"), "") for b in p.iter(w("bookmarkStart"))}):
        if name.startswith(ID_PREFIX):
            shown.append(f" ⟨bookmark {name}⟩")
    if ppr is not None and ppr.find(w("sectPr")) is not None:
        shown.append(" ⟨section break⟩")
    return "".join(text), re.sub(r"\*\*\*\*", "", "".join(shown)), revisions


def _on(el: etree._Element | None) -> bool:
    return el is not None and el.get(VAL, "true") not in ("0", "false", "off")


def _author(el: etree._Element) -> str:
    return el.get(w("author")) or "someone"


def _walk(container, text, shown, revisions, state, tracked: str | None) -> None:
    for child in container:
        tag = child.tag
        if tag == R:
            _run(child, text, shown, revisions, state, tracked)
        elif tag in _TRACKED:
            kind = "inserted" if tag in (INS, MOVE_TO) else "deleted"
            inner_text: list[str] = []
            inner_shown: list[str] = []
            bold = state["bold"]
            _walk(child, inner_text if kind == "inserted" else [], inner_shown, revisions, state, kind)
            state["bold"] = bold
            content = "".join(inner_shown).replace("**", "")
            if kind == "inserted":
                text.extend(inner_text)
            revisions.append(Revision("moved" if tag in (MOVE_FROM, MOVE_TO) else kind, _author(child), content))
            shown.append(("«+" if kind == "inserted" else "«-") + content + ("+»" if kind == "inserted" else "-»"))
        elif tag == FLD_SIMPLE:
            shown.append(f"⟨{' '.join((child.get(w('instr')) or '').split())}⟩")
        elif tag in _INLINE:
            _walk(child, text, shown, revisions, state, tracked)
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                _walk(content, text, shown, revisions, state, tracked)


def _run(r, text, shown, revisions, state, tracked) -> None:
    rpr = r.find(RPR)
    if rpr is not None and any(rpr.iter(w("rPrChange"))) and tracked is None:
        revisions.append(Revision("formatting", _author(next(rpr.iter(w("rPrChange")))), "text format"))
    bold = rpr is not None and _on(rpr.find(w("b")))
    for child in r:
        tag = child.tag
        if tag == FLDCHAR:
            kind = child.get(w("fldCharType"))
            if kind == "begin":
                state["field"].append("code")
                state["instr"].append([])
            elif kind == "separate" and state["field"]:
                state["field"][-1] = "result"
                shown.append(f"⟨{' '.join(''.join(state['instr'][-1]).split())}⟩")
            elif kind == "end" and state["field"]:
                if state["field"][-1] == "code":
                    shown.append(f"⟨{' '.join(''.join(state['instr'][-1]).split())}⟩")
                state["field"].pop()
                state["instr"].pop()
            continue
        if tag == INSTR or tag == DEL_INSTR:
            if state["instr"]:
                state["instr"][-1].append(child.text or "")
            continue
        if state["field"]:
            if tag == T and state["field"][-1] == "result":
                text.append(child.text or "")  # docxtpl sees a field's result too
            continue
        piece = ""
        if tag == T:
            piece = child.text or ""
            text.append(piece)
        elif tag == DEL_TEXT:
            piece = child.text or ""
        elif tag in (w("tab"), w("ptab")):
            piece = "⇥"
        elif tag == w("br"):
            piece = {"page": "⟨page break⟩", "column": "⟨column break⟩"}.get(child.get(w("type")), "↵")
        elif tag == w("cr"):
            piece = "↵"
        elif tag == w("noBreakHyphen"):
            piece = "\u2011"
        elif tag == w("sym"):
            try:
                piece = chr(int(child.get(w("char"), ""), 16))
            except ValueError:
                piece = ""
        elif tag in (w("drawing"), w("pict"), w("object")):
            piece = "⟨picture⟩"
        elif tag == w("footnoteReference"):
            piece = f"⟨footnote {child.get(w('id'))}⟩"
        if not piece:
            continue
        if bold != state["bold"] and piece.strip():
            shown.append("**")
            state["bold"] = bold
        shown.append(piece)


# ---------------------------------------------------------------------------- entry points


def show_template(path: Path) -> str:
    """Return the readable text of the template at `path` (`agreement-builder templates show`)."""
    return TemplateText.read(Path(path)).show()


def compare_templates(old: Path, new: Path, *, context: int = 2, labels: tuple[str, str] | None = None) -> str:
    """Return the lines of `show` that differ between two templates, with `context` lines around ("" when none)."""
    from .textdiff import opcodes

    a, b = show_template(old).splitlines(), show_template(new).splitlines()
    ops = opcodes(a, b)
    if all(op[0] == "equal" for op in ops):
        return ""
    out = [f"--- {labels[0] if labels else old}", f"+++ {labels[1] if labels else new}"]
    for index, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "equal":
            out += ["-" + line for line in a[i1:i2]] + ["+" + line for line in b[j1:j2]]
            continue
        same = [" " + line for line in a[i1:i2]]
        first, last = index == 0, index == len(ops) - 1
        head = [] if first else same[:context]
        tail = [] if last else same[-context:]
        if len(same) <= len(head) + len(tail):
            out += same
        else:
            out += head + ["…"] + tail
    return "\n".join(out) + "\n"
