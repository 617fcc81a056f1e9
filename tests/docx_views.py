"""An independent reader of Word documents with tracked changes, for checking redlines.

Written for the tests and benchmarks without any of agreement_builder's code: it opens a .docx
with zipfile and lxml, accepts or rejects every revision in every story (body, footnotes,
endnotes, comments, headers, footers, text boxes) with Word's semantics, and returns what a
reader sees as plain Python data that compares with `==`:

- paragraphs as tuples of atoms: text, tabs and breaks, field codes, equations (the text of
  `m:oMath`), pictures and other drawings (SHA-1 of the parts they show, with everything those
  parts relate to), text boxes (their own blocks), the blocks of each foot/endnote and comment
  where it is referenced;
- tables as rows of cells of blocks, nested tables included;
- the headers and footers of each section (default, first and even, inherited as Word does).

Word's semantics here: accepting removes deleted content and unwraps inserted content; a
paragraph whose mark is deleted joins the paragraph after it, but only when a paragraph follows
in the same container (before a table or at the end of a cell, text box or the body the mark
cannot go, and the paragraph stays, even if empty); a row marked deleted goes, and a table
whose rows all went goes too. Rejecting is the mirror image.

`areas(a, b)` names the kinds of content in which two views differ, so a test can check that a
difference was reported by name.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
V = "urn:schemas-microsoft-com:vml"


def w(tag):
    return f"{{{W}}}{tag}"


def m(tag):
    return f"{{{M}}}{tag}"


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)

#: Every kind of content `areas()` can name.
AREAS = ("body", "tables", "text boxes", "equations", "fields", "pictures", "footnotes", "endnotes",
         "comments", "headers", "footers")


# --------------------------------------------------------------------------- the package

class Docx:
    """A .docx as its parts, with relationship lookup."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            self.parts = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}

    def xml(self, name: str):
        data = self.parts.get(name)
        return None if data is None else etree.fromstring(data, _PARSER)

    def rels(self, name: str) -> dict[str, tuple[str, str, bool]]:
        """Return {rId: (type, target part name or URL, external)} of part `name`."""
        folder, base = posixpath.split(name)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        out = {}
        if root is None:
            return out
        for rel in root.iter(f"{{{PR}}}Relationship"):
            target, external = rel.get("Target", ""), rel.get("TargetMode") == "External"
            if not external:
                target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], target, external)
        return out

    def main(self) -> str:
        for _, (kind, target, _) in self.rels("").items():
            if kind == "officeDocument":
                return target
        return "word/document.xml"

    def related(self, name: str, kind: str) -> str | None:
        for _, (k, target, external) in self.rels(name).items():
            if k == kind and not external:
                return target
        return None

    def deep_hash(self, name: str, seen: frozenset = frozenset()) -> str:
        """Return the SHA-1 of a part and of everything it relates to (images of a chart ...).

        An XML part counts by its canonical form without blank text or relationship ids, so that
        a tool which only re-serialises a chart or a SmartArt part (indentation, a byte-order
        mark, renamed relationship ids) is not blamed.
        """
        h = hashlib.sha1(_canonical(self.parts.get(name, b"<missing>")))
        for rid, (kind, target, external) in sorted(self.rels(name).items(), key=lambda kv: (kv[1][0], kv[1][1])):
            h.update(kind.encode())
            if external:
                h.update(target.encode())
            elif target not in seen:
                h.update(self.deep_hash(target, seen | {name}).encode())
        return h.hexdigest()


_BLANKLESS = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                             remove_blank_text=True)


def _canonical(data: bytes) -> bytes:
    head = data[:64].lstrip(b"\xef\xbb\xbf \r\n\t")
    if not head.startswith(b"<"):
        return data
    try:
        root = etree.fromstring(data.lstrip(b"\xef\xbb\xbf"), _BLANKLESS)
    except etree.XMLSyntaxError:
        return data
    for el in root.iter():  # relationship ids name links, whose targets are hashed on their own
        for key in [k for k in el.attrib if k.startswith(f"{{{R}}}") or k == "relId"]:
            del el.attrib[key]
    return etree.tostring(root, method="c14n")


# --------------------------------------------------------------------------- accept / reject

_MARK_HOLDERS = {w("rPr"), w("trPr")}
_BLOCKS = {w("p"), w("tbl"), w("sdt"), w("customXml"), w("sectPr")}


def resolve(root, accept: bool) -> None:
    """Accept (or reject) every revision in a story tree in place."""
    gone, kept = ((w("del"), w("moveFrom")), (w("ins"), w("moveTo"))) if accept else \
        ((w("ins"), w("moveTo")), (w("del"), w("moveFrom")))
    # rows and cells
    for tr in list(root.iter(w("tr"))):
        trpr = tr.find(w("trPr"))
        if trpr is not None and any(trpr.find(t) is not None for t in gone) and tr.getparent() is not None:
            tr.getparent().remove(tr)
    cell_gone = w("cellDel") if accept else w("cellIns")
    for tc in list(root.iter(w("tc"))):
        if tc.find(f"{w('tcPr')}/{cell_gone}") is not None and tc.getparent() is not None:
            tc.getparent().remove(tc)
    for tbl in list(root.iter(w("tbl"))):
        if tbl.getparent() is not None and not list(tbl.iter(w("tr"))):
            tbl.getparent().remove(tbl)
    # runs marked through their properties (math runs: m:r/w:rPr/w:del)
    for rpr in list(root.iter(w("rPr"))):
        run = rpr.getparent()
        if run is None or run.tag not in (w("r"), m("r")):
            continue
        if any(rpr.find(t) is not None for t in gone) and run.getparent() is not None:
            run.getparent().remove(run)
    # content wrappers
    for el in list(root.iter(*gone)):
        parent = el.getparent()
        if parent is not None and parent.tag not in _MARK_HOLDERS:
            parent.remove(el)
    for el in list(root.iter(*kept)):
        parent = el.getparent()
        if parent is None or parent.tag in _MARK_HOLDERS:
            continue
        at = parent.index(el)
        for child in reversed(list(el)):
            parent.insert(at, child)
        parent.remove(el)
    for tag in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd"):
        for el in list(root.iter(w(tag))):
            el.getparent().remove(el)
    if accept:  # deleted text outside any w:del is still deleted text
        for el in list(root.iter(w("delText"), w("delInstrText"))):
            el.getparent().remove(el)
    else:
        for el in root.iter(w("delText")):
            el.tag = w("t")
        for el in root.iter(w("delInstrText")):
            el.tag = w("instrText")
    # paragraph marks: the paragraph joins the next one when a paragraph follows
    for p in list(root.iter(w("p"))):
        rpr = p.find(f"{w('pPr')}/{w('rPr')}")
        if rpr is None or not any(rpr.find(t) is not None for t in gone):
            continue
        nxt = p.getnext()  # bookmarks and other range marks between paragraphs do not stop the join
        while nxt is not None and nxt.tag not in _BLOCKS:
            nxt = nxt.getnext()
        if nxt is None or nxt.tag != w("p"):
            continue
        content = [c for c in p if c.tag != w("pPr")]
        ppr = nxt.find(w("pPr"))
        at = 1 if ppr is not None else 0
        for child in reversed(content):
            nxt.insert(at, child)
        p.getparent().remove(p)


# --------------------------------------------------------------------------- what a reader sees

@dataclass
class Story:
    """Views of the notes and comments of one resolved document, by id."""

    footnotes: dict = field(default_factory=dict)
    endnotes: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)


class Reader:
    def __init__(self, doc: Docx, accept: bool):
        self.doc, self.accept = doc, accept
        self.notes: dict[str, dict[str, etree._Element]] = {}
        self.part = ""

    def story(self, name: str):
        root = self.doc.xml(name)
        if root is not None:
            resolve(root, self.accept)
        return root

    def load_notes(self, main: str) -> None:
        for kind, tag in (("footnotes", "footnote"), ("endnotes", "endnote"), ("comments", "comment")):
            name = self.doc.related(main, kind)
            root = self.story(name) if name else None
            self.notes[kind] = {} if root is None else {el.get(w("id")): (name, el) for el in root.iter(w(tag))}

    def blocks(self, container, part: str) -> tuple:
        out = []
        for child in container:
            tag = child.tag
            if tag == w("p"):
                out.append(("p", self.paragraph(child, part)))
            elif tag == w("tbl"):
                rows = []
                for tr in _rows(child):
                    rows.append(tuple(self.blocks(tc, part) for tc in _cells(tr)))
                out.append(("tbl", tuple(rows)))
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    out.extend(self.blocks(content, part))
            elif tag == w("customXml"):
                out.extend(self.blocks(child, part))
        return tuple(out)

    def paragraph(self, p, part: str) -> tuple:
        atoms: list = []
        self._inline(p, part, atoms)
        merged: list = []
        for a in atoms:
            if merged and isinstance(a, str) and isinstance(merged[-1], str):
                merged[-1] += a
            elif merged and isinstance(a, tuple) and a[0] == "instr" and isinstance(merged[-1], tuple) \
                    and merged[-1][0] == "instr":
                merged[-1] = ("instr", merged[-1][1] + a[1])
            else:
                merged.append(a)
        return tuple(("instr", " ".join(a[1].split())) if isinstance(a, tuple) and a[0] == "instr" else a
                     for a in merged)

    def _inline(self, el, part: str, atoms: list) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == w("t"):
                atoms.append(child.text or "")
            elif tag in (w("tab"), w("ptab")) and el.tag in (w("r"), m("r")):
                atoms.append("\t")
            elif tag == w("br"):
                kind = child.get(w("type"), "textWrapping")
                atoms.append("\n" if kind == "textWrapping" else ("break", kind))
            elif tag == w("cr"):
                atoms.append("\n")
            elif tag == w("noBreakHyphen"):
                atoms.append("\u2011")
            elif tag == w("softHyphen"):
                atoms.append("\u00ad")
            elif tag == w("sym"):
                atoms.append(("sym", child.get(w("font")), child.get(w("char"))))
            elif tag == w("instrText"):
                atoms.append(("instr", child.text or ""))
            elif tag == w("fldChar"):
                atoms.append(("field", child.get(w("fldCharType"))))
            elif tag == w("fldSimple"):
                atoms += [("field", "begin"), ("instr", child.get(w("instr"), "")), ("field", "separate")]
                self._inline(child, part, atoms)
                atoms.append(("field", "end"))
            elif tag in (m("oMath"), m("oMathPara")):
                atoms.append(("math", "".join(t.text or "" for t in child.iter(m("t")))))
            elif tag in (w("footnoteReference"), w("endnoteReference"), w("commentReference")):
                kind = {"footnoteReference": "footnotes", "endnoteReference": "endnotes",
                        "commentReference": "comments"}[etree.QName(tag).localname]
                found = self.notes.get(kind, {}).get(child.get(w("id")))
                if found is None:
                    atoms.append((kind, None))
                else:
                    name, note = found
                    atoms.append((kind, self.blocks(note, name)))
            elif tag == f"{{{MC}}}AlternateContent":
                choice = child.find(f"{{{MC}}}Choice")
                fallback = child.find(f"{{{MC}}}Fallback")
                if choice is not None:
                    self._inline(choice, part, atoms)
                    if fallback is not None and list(fallback.iter(w("txbxContent"))):
                        atoms.append(("fallback", tuple(self.blocks(t, part) for t in fallback.iter(w("txbxContent")))))
                elif fallback is not None:
                    self._inline(fallback, part, atoms)
            elif tag == w("pict") and all(etree.QName(c).localname == "shapetype" for c in child):
                continue  # a VML shape type is a definition other shapes use, nothing shown
            elif tag in (w("drawing"), w("pict"), w("object")):
                atoms.append(self.drawing(child, part))
            elif tag == w("txbxContent"):  # a text box outside a drawing (never in Word files)
                atoms.append(("textbox", self.blocks(child, part)))
            elif tag in (w("rPr"), w("pPr"), m("rPr"), w("sdtPr"), w("sdtEndPr")):
                continue
            else:
                self._inline(child, part, atoms)

    def drawing(self, el, part: str) -> tuple:
        rels = self.doc.rels(part)
        hashes = []
        for node in el.iter():
            if not isinstance(node.tag, str):
                continue
            for key, value in node.attrib.items():
                if key.startswith(f"{{{R}}}") and value in rels:
                    kind, target, external = rels[value]
                    hashes.append(target if external else self.doc.deep_hash(target))
        boxes = tuple(self.blocks(t, part) for t in el.iter(w("txbxContent")))
        return ("drawing", tuple(hashes), boxes)

    def view(self) -> dict:
        main = self.doc.main()
        self.load_notes(main)
        root = self.story(main)
        body = root.find(w("body"))
        view = {"body": self.blocks(body, main)}
        sections = [s for s in body.iter(w("sectPr")) if s.getparent().tag in (w("body"), w("pPr"))]
        rels = self.doc.rels(main)
        for kind in ("header", "footer"):
            current: dict = {}
            per_section = []
            for number, sect in enumerate(sections, 1):
                for ref in sect.findall(w(f"{kind}Reference")):
                    rel = rels.get(ref.get(f"{{{R}}}id"))
                    current[ref.get(w("type"), "default")] = rel[1] if rel else None
                for typ in ("default", "first", "even"):
                    name = current.get(typ)
                    story = self.story(name) if name else None
                    blocks = self.blocks(story, name) if story is not None else ()
                    if any(_has_content(b) for b in blocks):
                        per_section.append((number, typ, blocks))
            view[kind + "s"] = tuple(per_section)
        return view


def _has_content(block) -> bool:
    kind, value = block
    if kind == "p":
        return any(a for a in value)
    return True


def _rows(tbl):
    for child in tbl:
        if child.tag == w("tr"):
            yield child
        elif child.tag in (w("sdt"), w("customXml")):
            content = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if content is not None:
                yield from _rows(content)


def _cells(tr):
    for child in tr:
        if child.tag == w("tc"):
            yield child
        elif child.tag in (w("sdt"), w("customXml")):
            content = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if content is not None:
                yield from _cells(content)


def view(data: bytes, accept: bool = True) -> dict:
    """Return what a reader sees in a .docx with all revisions accepted (or rejected)."""
    return Reader(Docx(data), accept).view()


def has_revisions(data: bytes) -> bool:
    """Return whether any story of the document holds tracked changes."""
    doc = Docx(data)
    pattern = re.compile(rb"<w:(ins|del|moveFrom|moveTo|cellIns|cellDel)[ >/]")
    return any(pattern.search(blob) for name, blob in doc.parts.items()
               if name.startswith("word/") and name.endswith(".xml"))


# --------------------------------------------------------------------------- comparing views

def areas(a: dict, b: dict) -> list[str]:
    """Return the names (from AREAS) of the kinds of content in which two views differ."""
    if a == b:
        return []
    pa, pb = _project(a), _project(b)
    found = [name for name in AREAS if pa.get(name) != pb.get(name)]
    return found or ["body"]


def _project(v: dict) -> dict:
    out: dict = {name: [] for name in AREAS}
    out["headers"], out["footers"] = v["headers"], v["footers"]

    def blocks(bs, skeleton):
        for kind, value in bs:
            if kind == "p":
                skeleton.append(("p", tuple(atom(a) for a in value)))
            else:
                out["tables"].append(len(value))
                rows = []
                for row in value:
                    cells = []
                    for cell in row:
                        inner: list = []
                        blocks(cell, inner)
                        cells.append(tuple(inner))
                    rows.append(tuple(cells))
                skeleton.append(("tbl", tuple(rows)))

    def atom(a):
        if isinstance(a, str):
            return a
        kind = a[0]
        if kind == "math":
            out["equations"].append(a[1])
            return "[math]"
        if kind in ("instr", "field"):
            out["fields"].append(a)
            return f"[{kind}]"
        if kind in ("footnotes", "endnotes", "comments"):
            inner: list = []
            if a[1] is not None:
                blocks(a[1], inner)
            out[kind].append(tuple(inner))
            return f"[{kind}]"
        if kind == "drawing":
            out["pictures"].append(a[1])
            for box in a[2]:
                inner = []
                blocks(box, inner)
                out["text boxes"].append(tuple(inner))
            return "[drawing]"
        if kind == "fallback":
            for box in a[1]:
                inner = []
                blocks(box, inner)
                out["text boxes"].append(("fallback", tuple(inner)))
            return ""
        return a

    skeleton: list = []
    blocks(v["body"], skeleton)
    out["body"] = skeleton
    return out


def revision_groups(data: bytes) -> int:
    """Return the number of revision groups in all stories: runs of adjacent insertions or deletions.

    Roughly what WmlComparer counts: a changed word is two (a deletion and an insertion), a
    whole inserted paragraph one; neighbouring marks of the same kind are one group.
    """
    doc = Docx(data)
    main = doc.main()
    names = [main] + [target for _, (kind, target, external) in doc.rels(main).items()
                      if kind in ("footnotes", "endnotes", "comments", "header", "footer") and not external]
    groups = 0
    for name in names:
        root = doc.xml(name)
        if root is None:
            continue
        for fallback in list(root.iter(f"{{{MC}}}Fallback")):  # the same content again, for old Word
            fallback.getparent().remove(fallback)
        last = None
        for el in root.iter():
            tag = el.tag
            if tag in (w("ins"), w("del"), w("moveFrom"), w("moveTo")):
                kind = "ins" if tag in (w("ins"), w("moveTo")) else "del"
                if kind != last:
                    groups += 1
                last = kind
            elif tag in (w("t"), m("t"), w("drawing"), w("pict")) and not _under_revision(el):
                last = None
    return groups


def _under_revision(el) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag in (w("ins"), w("del"), w("moveFrom"), w("moveTo")):
            return True
        if parent.tag == m("r") or parent.tag == w("r"):
            rpr = parent.find(w("rPr"))
            if rpr is not None and (rpr.find(w("ins")) is not None or rpr.find(w("del")) is not None):
                return True
        parent = parent.getparent()
    return False


# --------------------------------------------------------------------------- judging a redline

def judge(old: bytes, new: bytes, out: bytes, warnings: list[str]) -> tuple[str, list[str]]:
    """Return ("exact" | "reported" | "silent", the areas that differ) for a redline of OLD -> NEW.

    Accept-all of `out` must read as NEW and reject-all as OLD (each with its own tracked
    changes accepted). A difference is "reported" when every area in which it lies is named by
    a warning ("footnotes: ..."); an input holding tracked changes must be named by a warning
    ("tracked changes: ..."), else the pair is silent even when the text agrees.
    """
    named = {message.split(":", 1)[0].strip() for message in warnings}
    differ = sorted(set(areas(view(out, True), view(new, True))) | set(areas(view(out, False), view(old, True))))
    if (has_revisions(old) or has_revisions(new)) and "tracked changes" not in named:
        return "silent", differ or ["tracked changes"]
    if not differ:
        return "exact", []
    return ("reported" if set(differ) <= named else "silent"), differ
