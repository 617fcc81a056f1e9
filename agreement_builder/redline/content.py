"""What a paragraph holds, as one string a word diff can compare: its text, one character per object.

Why: a reviewer's document holds more than text. A footnote reference, a picture, a text box,
an equation or a field is one thing a reader sees; it must take part in the diff (added,
removed, kept) without its inner text being mistaken for the paragraph's. Each object is
therefore one private-use character in the paragraph's string, the same character for the same
key on both sides (`Tokens`), and the paragraph's `digest` adds what lies inside the objects
(text box paragraphs, note text) so that a change there is never missed: equal digests mean
nothing to mark.

Keys (what must be equal for two objects to be "the same" and left in place):
- picture, chart, SmartArt, embedded object: the hashes of the parts it shows (every
  relationship it uses, followed through the package), and how many text boxes it holds;
- foot/endnote reference: always equal (its note is compared on its own);
- comment: the comment's author and text;
- equation (`m:oMath`): its elements and text;
- a field that begins and ends in the paragraph: its code and its result, as one object (a
  field is replaced whole, so that each side keeps a working field);
- pieces of a field that spans paragraphs (a table of contents): its code, separator and end;
- page and column breaks, symbols, note marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .. import docmodel as dm
from ..ooxml import (CUSTOM_XML, FLD_SIMPLE, FLDCHAR, INSTR_TEXT, M_NS, MC_NS, P, R, R_NS, RPR, SDT, SDT_CONTENT, T, TBL,
                     w)
from .sources import Source

OMATH, OMATH_PARA, M_T = f"{{{M_NS}}}oMath", f"{{{M_NS}}}oMathPara", f"{{{M_NS}}}t"
ALTERNATE, CHOICE, FALLBACK = f"{{{MC_NS}}}AlternateContent", f"{{{MC_NS}}}Choice", f"{{{MC_NS}}}Fallback"
TXBX = w("txbxContent")
DRAWINGS = frozenset({w("drawing"), w("pict"), w("object"), ALTERNATE})
NOTE_REFS = {w("footnoteReference"): "footnotes", w("endnoteReference"): "endnotes",
             w("commentReference"): "comments"}
#: Paragraph-level elements compared as one object each (wrapped whole in w:ins / w:del).
PARAGRAPH_OBJECTS = frozenset({OMATH, OMATH_PARA})
#: Elements whose children are the paragraph's own content.
CONTAINERS = frozenset(w(t) for t in ("hyperlink", "smartTag", "customXml", "dir", "bdo", "ins", "moveTo"))
#: Run children that stand for text.
_TEXT = {w("tab"): "\t", w("ptab"): "\t", w("cr"): "\n", w("noBreakHyphen"): "\u2011", w("softHyphen"): "\u00ad"}
#: Run children that are layout caches or formatting, not content.
_SKIP = frozenset({RPR, w("lastRenderedPageBreak")})
_MARKS = frozenset(w(t) for t in ("footnoteRef", "endnoteRef", "annotationRef", "separator", "continuationSeparator"))
_TCPR, _GRID_SPAN, _V_MERGE = w("tcPr"), w("gridSpan"), w("vMerge")
_PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")


class Tokens:
    """One private-use character per object key, shared by both documents of a redline."""

    def __init__(self) -> None:
        self._char: dict = {}
        self.kind: dict[str, str] = {}  # char -> "object" | "text"

    def char(self, key, kind: str = "object") -> str:
        found = self._char.get(key)
        if found is None:
            n = len(self._char)
            found = chr(0xE000 + n) if n < 0x1900 else chr(0xF0000 + n - 0x1900)
            self._char[key] = found
            self.kind[found] = kind
        return found

    def is_object(self, ch: str) -> bool:
        return self.kind.get(ch) == "object"

    def escape(self, text: str) -> str:
        """Return text with its own private-use characters replaced by tokens (so no text char equals an object)."""
        if not _PRIVATE.search(text):
            return text
        return _PRIVATE.sub(lambda mo: self.char(("char", mo.group()), "text"), text)


@dataclass(eq=False)
class Obj:
    """One object of a paragraph: the diff sees it as one character."""

    kind: str  # drawing | footnotes | endnotes | comments | math | field | mark | other
    key: tuple
    note_id: str | None = None
    boxes: list = field(default_factory=list)  # txbxContent elements read (mc:Choice or the only ones)
    fallbacks: list = field(default_factory=list)  # txbxContent elements of the mc:Fallback copy


@dataclass(eq=False)
class Atom:
    unit: etree._Element  # the run, or the paragraph-level element itself
    child: etree._Element
    kind: str  # text | obj | fld | instr
    value: object  # the text, the Obj, the fldCharType or the code text


@dataclass(eq=False)
class Piece:
    """A stretch of the paragraph string: text, or one object char, and the atoms that make it up."""

    value: object  # str or Obj
    atoms: list


@dataclass(eq=False)
class Content:
    """A paragraph read for comparing."""

    text: str
    pieces: list[Piece]
    digest: object  # equal digests: nothing to mark, inside objects included

    def units(self) -> list[tuple[etree._Element, int, int, Piece]]:
        """Return (unit, start, end, piece) in order, one per distinct unit (runs of an exploded paragraph)."""
        out, pos, seen = [], 0, set()
        for piece in self.pieces:
            length = len(piece.value) if isinstance(piece.value, str) else 1
            for atom in piece.atoms:
                if id(atom.unit) not in seen:
                    seen.add(id(atom.unit))
                    out.append((atom.unit, pos, pos + length, piece))
            pos += length
        return out

    def objects(self) -> dict[int, Obj]:
        out, pos = {}, 0
        for piece in self.pieces:
            if isinstance(piece.value, str):
                pos += len(piece.value)
            else:
                out[pos] = piece.value
                pos += 1
        return out


class Reader:
    """Reads paragraphs and containers of one document (the part matters for relationships)."""

    def __init__(self, src: Source, tokens: Tokens):
        self.src = src
        self.tokens = tokens
        self._cache: dict = {}

    # ---------------------------------------------------------------- containers

    def container(self, el: etree._Element, part: str) -> tuple[str, tuple]:
        """Return (compared text, digest) of a cell, text box, note or header: its blocks in order.

        The text joins the strings of every paragraph in it, nested tables included, text boxes
        not (they are objects of their paragraph); the digest holds each block's digest.
        """
        found = self._cache.get(el)
        if found is None:
            texts: list[str] = []
            digests: list = []
            self._blocks(el, part, texts, digests)
            found = self._cache[el] = ("\n".join(texts), tuple(digests))
        return found

    def _blocks(self, el: etree._Element, part: str, texts: list[str], digests: list) -> None:
        for child in el:
            tag = child.tag
            if tag == P:
                content = self.paragraph(child, part)
                texts.append(content.text)
                digests.append(content.digest)
            elif tag == TBL:
                rows = []
                for tr in dm.table_rows(child):
                    cells = []
                    for tc in dm._cells(tr):
                        text, digest = self.container(tc, part)
                        texts.append(text)
                        cells.append((_spans(tc), digest))
                    rows.append(tuple(cells))
                digests.append(tuple(rows))
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self._blocks(content, part, texts, digests)
            elif tag == CUSTOM_XML:
                self._blocks(child, part, texts, digests)

    def container_digest(self, el: etree._Element, part: str) -> tuple:
        return self.container(el, part)[1]

    # ---------------------------------------------------------------- paragraphs

    def paragraph(self, p: etree._Element, part: str, *, fresh: bool = False) -> Content:
        """Return the content of a paragraph (cached; `fresh` reads it again after a change)."""
        if not fresh:
            found = self._cache.get(p)
            if found is not None:
                return found
        atoms: list[Atom] = []
        self._walk(p, part, atoms)
        pieces = self._fold(atoms)
        text = "".join(pc.value if isinstance(pc.value, str) else self.tokens.char(pc.value.key) for pc in pieces)
        inner = [self._inner_digest(pc.value, part) for pc in pieces if not isinstance(pc.value, str)]
        inner = [d for d in inner if d is not None]
        content = Content(text, pieces, (text, tuple(inner)) if inner else text)
        self._cache[p] = content
        return content

    def forget(self, p: etree._Element) -> None:
        self._cache.pop(p, None)

    def _walk(self, parent: etree._Element, part: str, atoms: list[Atom]) -> None:
        for child in parent:
            tag = child.tag
            if tag == R:
                for rc in child:
                    self._run_child(child, rc, part, atoms)
            elif tag in CONTAINERS:
                self._walk(child, part, atoms)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self._walk(content, part, atoms)
            elif tag in PARAGRAPH_OBJECTS:
                atoms.append(Atom(child, child, "obj", Obj("math", _math_key(child))))
            elif tag == FLD_SIMPLE:
                inner: list[Atom] = []
                self._walk(child, part, inner)
                key = ("field", _code(child.get(w("instr"), "")), self._result_key(self._fold(inner)))
                atoms.append(Atom(child, child, "obj", Obj("field", key)))

    def _run_child(self, run: etree._Element, child: etree._Element, part: str, atoms: list[Atom]) -> None:
        tag = child.tag
        if tag == T:
            if child.text:
                atoms.append(Atom(run, child, "text", self.tokens.escape(child.text)))
        elif tag in _SKIP or not isinstance(tag, str):
            return
        elif tag in _TEXT:
            atoms.append(Atom(run, child, "text", _TEXT[tag]))
        elif tag == w("br"):
            kind = child.get(w("type")) or "textWrapping"
            if kind == "textWrapping":
                atoms.append(Atom(run, child, "text", "\n"))
            else:
                atoms.append(Atom(run, child, "obj", Obj("mark", ("break", kind))))
        elif tag == FLDCHAR:
            atoms.append(Atom(run, child, "fld", child.get(w("fldCharType"), "")))
        elif tag == INSTR_TEXT:
            atoms.append(Atom(run, child, "instr", child.text or ""))
        elif tag in DRAWINGS:
            atoms.append(Atom(run, child, "obj", self._drawing(child, part)))
        elif tag in NOTE_REFS:
            kind, note_id = NOTE_REFS[tag], child.get(dm.ID)
            if kind == "comments":
                note = self.src.note(kind, note_id)
                key = ("comments", note.get(w("author"), "") if note is not None else None,
                       self.container_digest(note, self.src.note_part(kind) or "") if note is not None else None)
            else:
                key = (kind, child.get(w("customMarkFollows")) in ("1", "true", "on"))
            atoms.append(Atom(run, child, "obj", Obj(kind, key, note_id=note_id)))
        elif tag in _MARKS:
            atoms.append(Atom(run, child, "obj", Obj("mark", ("mark", etree.QName(tag).localname))))
        elif tag == w("sym"):
            atoms.append(Atom(run, child, "obj", Obj("mark", ("sym", child.get(w("font")), child.get(w("char"))))))
        else:
            text = "".join(child.itertext())
            atoms.append(Atom(run, child, "obj", Obj("other", ("other", etree.QName(tag).localname, text))))

    def _drawing(self, el: etree._Element, part: str) -> Obj:
        """Return a picture, chart, SmartArt, shape or text box as an object (text boxes compared inside)."""
        primary, fallback = el, None
        if el.tag == ALTERNATE:
            choice = el.find(CHOICE)
            fallback = el.find(FALLBACK)
            primary = choice if choice is not None else fallback
            if choice is None:
                fallback = None
        hashes = []
        for node in primary.iter() if primary is not None else ():
            if not isinstance(node.tag, str):
                continue
            for name, value in node.attrib.items():
                if name.startswith(f"{{{R_NS}}}"):
                    hashes.append(self.src.target_hash(part, value))
        boxes = [b for b in primary.iter(TXBX) if not _in_textbox(b, primary)] if primary is not None else []
        fallbacks = [b for b in fallback.iter(TXBX) if not _in_textbox(b, fallback)] if fallback is not None else []
        if len(fallbacks) != len(boxes):
            fallbacks = []
        return Obj("drawing", ("drawing", tuple(hashes), len(boxes)), boxes=boxes, fallbacks=fallbacks)

    def _inner_digest(self, obj: Obj, part: str):
        """Return what lies inside an object and is not in its key (text boxes, note text), or None."""
        if obj.kind == "drawing" and obj.boxes:
            return tuple(self.container_digest(b, part) for b in obj.boxes)
        if obj.kind in ("footnotes", "endnotes"):
            note = self.src.note(obj.kind, obj.note_id)
            return None if note is None else self.container_digest(note, self.src.note_part(obj.kind) or "")
        return None

    # ---------------------------------------------------------------- fields

    def _fold(self, atoms: list[Atom]) -> list[Piece]:
        """Return the atoms as pieces: text, objects, and fields folded into single objects."""
        pieces: list[Piece] = []
        i, n = 0, len(atoms)
        while i < n:
            atom = atoms[i]
            if atom.kind in ("text", "obj"):
                pieces.append(Piece(atom.value, [atom]))
                i += 1
            elif atom.kind == "fld" and atom.value == "begin":
                depth, j, separate = 0, i, None
                while j < n:
                    a = atoms[j]
                    if a.kind == "fld":
                        if a.value == "begin":
                            depth += 1
                        elif a.value == "separate" and depth == 1 and separate is None:
                            separate = j
                        elif a.value == "end":
                            depth -= 1
                            if depth == 0:
                                break
                    j += 1
                code_end = separate if separate is not None else j
                code = _code("".join(a.value for a in atoms[i:code_end] if a.kind == "instr"))
                if j < n:  # the field ends in this paragraph: one object
                    result = self._fold(atoms[separate + 1:j]) if separate is not None else []
                    obj = Obj("field", ("field", code, self._result_key(result)))
                    pieces.append(Piece(obj, atoms[i:j + 1]))
                    i = j + 1
                else:  # it goes on in a later paragraph: its beginning is one object
                    end = separate + 1 if separate is not None else n
                    pieces.append(Piece(Obj("field", ("fieldbegin", code)), atoms[i:end]))
                    i = end
            elif atom.kind == "fld":
                pieces.append(Piece(Obj("field", ("field" + atom.value,)), [atom]))
                i += 1
            else:  # field code continued from an earlier paragraph
                j = i
                while j < n and atoms[j].kind == "instr":
                    j += 1
                code = _code("".join(a.value for a in atoms[i:j]))
                pieces.append(Piece(Obj("field", ("fieldcode", code)), atoms[i:j]))
                i = j
        return pieces

    def _result_key(self, pieces: list[Piece]) -> str:
        return "".join(pc.value if isinstance(pc.value, str) else repr(pc.value.key) for pc in pieces)


def _code(text: str) -> str:
    return " ".join(text.split())


def _math_key(el: etree._Element) -> tuple:
    """Return an equation's structure and text (its elements in order, property elements left out)."""
    parts = []
    for node in el.iter():
        if isinstance(node.tag, str) and node.tag.startswith(f"{{{M_NS}}}"):
            local = node.tag[len(M_NS) + 2:]
            if local == "t":
                parts.append("t:" + (node.text or ""))
            elif not local.endswith("Pr"):
                parts.append(local)
    return ("math", tuple(parts))


def _spans(tc: etree._Element) -> tuple:
    span, merge = 1, None
    for pr in tc:
        if pr.tag == _TCPR:
            for el in pr:
                if el.tag == _GRID_SPAN:
                    value = el.get(dm.VAL, "1")
                    span = int(value) if value.isdigit() else 1
                elif el.tag == _V_MERGE:
                    merge = el.get(dm.VAL) or "continue"
        break
    return (span, merge)


def cell_spans(tc: etree._Element) -> tuple:
    """Return a cell's (gridSpan, vMerge) - the shape of a row, which must agree for cells to pair."""
    return _spans(tc)


def _in_textbox(el: etree._Element, top: etree._Element) -> bool:
    """Return whether `el` lies inside a text box that is itself inside `top` (a nested story)."""
    parent = el.getparent()
    while parent is not None and parent is not top:
        if parent.tag == TXBX:
            return True
        parent = parent.getparent()
    return False
