"""Deleted content: OLD's paragraphs, rows and runs copied into NEW's package, marked deleted.

Why this is more than a deep copy: OLD's content points into OLD's package. A picture, chart,
SmartArt or hyperlink is a relationship id of OLD's part; a footnote or comment reference is an
id in OLD's notes; bookmarks and drawing ids must stay unique in the output. So a deleted copy
brings along what it refers to (the parts, copied under fresh names unless NEW holds the very
same bytes; the notes and comments, copied with fresh ids), keeps its fields (so rejecting all
restores OLD's DATE or REF field, not frozen text) and its bookmarks unless NEW has one of the
same name, and marks every run, equation, paragraph mark and row deleted. A cross-reference
in deleted text to a bookmark the output lacks gets it back on the NEW paragraph paired with
its OLD one; one whose target is nowhere is kept as its text (Word and LibreOffice would print
"Error! Reference source not found"), and the report says so.
"""

from __future__ import annotations

import copy
import posixpath
import re
from typing import TYPE_CHECKING

from lxml import etree

from .. import docmodel as dm
from ..ooxml import (CT_NS, DEL, DEL_INSTR, DEL_TEXT, FLD_SIMPLE, FLDCHAR, INSTR_TEXT, P, PR_NS, R, R_NS, RPR, T, TR,
                     V_NS, WP_NS, XML_NS, w)
from .marks import inline_units, mark_paragraph, mark_row, paragraphs, rows, wrap_units

if TYPE_CHECKING:
    from .session import Session

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_IDENTITY_ATTRS = (f"{{{W14}}}paraId", f"{{{W14}}}textId")
#: Dropped from copies: layout caches, proofing marks, permissions, comment ranges (a copied
#: comment is anchored at its reference).
_DROP = frozenset(w(t) for t in (
    "proofErr", "permStart", "permEnd", "lastRenderedPageBreak", "commentRangeStart", "commentRangeEnd",
    "headerReference", "footerReference",
))
_UNWRAP = frozenset(w(t) for t in ("smartTag", "customXml"))
_CROSS_REFERENCE = re.compile(r"^\s*(PAGEREF|REF|NOTEREF)\s+(\S+)|^\s*HYPERLINK\b.*\\l\s+\"?([^\"\s]+)", re.I)
_NOTE_REFS = {w("footnoteReference"): "footnotes", w("endnoteReference"): "endnotes"}


class Copier:
    """Copies OLD content into the output, part by part, once per OLD part."""

    def __init__(self, s: "Session"):
        self.s = s
        self._parts: dict[str, str] = {}  # OLD part name -> output part name
        self._old_types: dict | None = None
        self._docpr = _max_docpr(s.new.parts) + 1
        self._shapes = 0
        self.bookmarks: set[str] = set()  # bookmark names in the output (NEW's, then copied ones)
        for root in (s.new.doc.root,):
            self.bookmarks.update(b.get(dm.NAME, "") for b in root.iter(dm.BOOKMARK_START))
        self.with_fields: list[etree._Element] = []
        self.dropped_section_parts = 0

    # ---------------------------------------------------------------- whole copies

    def deleted(self, el: etree._Element, old_part: str, new_part: str) -> etree._Element:
        """Return a copy of an OLD paragraph, row or table with everything in it marked deleted."""
        el = self.bring(el, old_part, new_part)
        m = self.s.marker
        if el.tag != P:
            for tr in rows(el):
                mark_row(tr, DEL, m)
        for p in paragraphs(el):
            self._delete_inline(p)
            mark_paragraph(p, DEL, m)
        return el

    def deleted_units(self, units: list[etree._Element], old_part: str, new_part: str) -> etree._Element:
        """Return one `w:del` holding copies of OLD runs and equations (already cut to the deleted text)."""
        holder = etree.Element(P)
        for unit in units:
            holder.append(unit)
        holder = self.bring(holder, old_part, new_part)
        for p in list(holder.iter(P))[1:]:  # paragraphs of text boxes inside
            self._delete_inline(p)
            mark_paragraph(p, DEL, self.s.marker)
        for tr in holder.iter(TR):
            mark_row(tr, DEL, self.s.marker)
        _to_deleted_text(holder)
        wrapper = self.s.marker.new(DEL)
        for child in list(holder):
            wrapper.append(child)
        return wrapper

    def _delete_inline(self, p: etree._Element) -> None:
        units = list(inline_units(p))
        for unit in units:
            _to_deleted_text(unit, inside_boxes=False)
        wrap_units(units, DEL, self.s.marker)

    # ---------------------------------------------------------------- bringing OLD content over

    def bring(self, el: etree._Element, old_part: str, new_part: str) -> etree._Element:
        """Return a deep copy of OLD content whose references all work in the output's `new_part`."""
        el = copy.deepcopy(el)
        for child in list(el.iter(*_DROP)):
            if child.tag in (w("headerReference"), w("footerReference")):
                self.dropped_section_parts += 1
            child.getparent().remove(child)
        for child in list(el.iter(*_UNWRAP)):
            _unwrap(child)
        for fs in list(el.iter(FLD_SIMPLE)):
            expand_simple_field(fs)
        self._bookmarks(el)
        for sdt_id in el.iterfind(f".//{w('sdtPr')}/{w('id')}"):
            sdt_id.getparent().remove(sdt_id)
        for node in el.iter():
            if not isinstance(node.tag, str):
                continue
            for attr in _IDENTITY_ATTRS:
                node.attrib.pop(attr, None)
            for name, value in list(node.attrib.items()):
                if name.startswith(f"{{{R_NS}}}"):
                    new_id = self.relationship(old_part, value, new_part)
                    if new_id is None:
                        del node.attrib[name]
                    else:
                        node.set(name, new_id)
        for pr in el.iter(f"{{{WP_NS}}}docPr"):
            pr.set("id", str(self._docpr))
            self._docpr += 1
        for shape in el.iter(f"{{{V_NS}}}*"):
            if shape.get("id"):
                self._shapes += 1
                shape.set("id", f"{shape.get('id')}_old{self._shapes}")
        for ref in list(el.iter(*_NOTE_REFS, w("commentReference"))):
            kind = _NOTE_REFS.get(ref.tag, "comments")
            new_id = self.s.notes.copy(kind, ref.get(dm.ID), deleted=kind != "comments")
            if new_id is None:  # a reference to nothing in OLD: nothing to bring back
                _remove_from_run(ref)
            else:
                ref.set(dm.ID, new_id)
        if next(el.iter(FLDCHAR), None) is not None:
            self.with_fields.append(el)
        return el

    def _bookmarks(self, el: etree._Element) -> None:
        """Keep OLD's bookmarks that the output does not have yet (fresh ids); drop the others.

        Cross-references in OLD's text (a contents entry's PAGEREF to a section's `_AB_S_*`
        bookmark) then still find their target when the changes are rejected.
        """
        kept: dict[str, str] = {}
        for bm in list(el.iter(dm.BOOKMARK_START)):
            name = bm.get(dm.NAME, "")
            if not name or name in self.bookmarks:
                bm.getparent().remove(bm)
                continue
            self.bookmarks.add(name)
            new_id = str(self.s.marker.take_id())
            kept[bm.get(dm.ID, "")] = new_id
            bm.set(dm.ID, new_id)
        for end in list(el.iter(dm.BOOKMARK_END)):
            if end.get(dm.ID, "") in kept:
                end.set(dm.ID, kept[end.get(dm.ID, "")])
            else:
                end.getparent().remove(end)

    def relationship(self, old_part: str, rid: str, new_part: str) -> str | None:
        """Return the id, in the output's `new_part`, of what OLD's `old_part` calls `rid` (copied as needed)."""
        rel = self.s.old.rels(old_part).get(rid)
        if rel is None:
            return None
        if rel.external:
            return self.s.out.rels(new_part).add(rel.type, rel.target, external=True)
        target = self.part(rel.target)
        if target is None:
            return None
        return self.s.out.rels(new_part).add(rel.type, target)

    def part(self, name: str) -> str | None:
        """Return the output name of OLD's part `name`, copying it (and what it relates to) the first time."""
        if name in self._parts:
            return self._parts[name]
        old = self.s.old
        data = old.parts.get(name)
        if data is None:
            return None
        out = self.s.out
        same_rels = old.parts.get(_rels(name)) == out.parts.get(_rels(name))
        if out.parts.get(name) == data and same_rels:
            self._parts[name] = name
            return name
        target = self.fresh_name(name)
        self._parts[name] = target
        out.set_part(target, data, self._old_type(name))
        rels = old.rels(name)
        if rels:
            root = etree.Element(f"{{{PR_NS}}}Relationships", nsmap={None: PR_NS})
            for rel in rels.values():
                attrs = {"Id": rel.rid, "Type": rel.type}
                if rel.external:
                    attrs.update(Target=rel.target, TargetMode="External")
                else:
                    copied = self.part(rel.target)
                    attrs["Target"] = posixpath.relpath(copied or rel.target, posixpath.dirname(target) or ".")
                etree.SubElement(root, f"{{{PR_NS}}}Relationship", attrs)
            out.set_xml(_rels(target), root)
        return target

    def fresh_name(self, name: str) -> str:
        """Return a part name for a copy of OLD's part `name` that the output does not use."""
        folder, base = posixpath.split(name)
        target, n = posixpath.join(folder, "old-" + base), 1
        while target in self.s.out.parts or _rels(target) in self.s.out.parts or target in self.s.new.stories:
            n += 1
            target = posixpath.join(folder, f"old{n}-" + base)
        return target

    def _old_type(self, name: str) -> str | None:
        if self._old_types is None:
            self._old_types = {"default": {}, "override": {}}
            data = self.s.old.parts.get("[Content_Types].xml")
            if data:
                root = dm.parse_part(self.s.old.parts, "[Content_Types].xml", self.s.old.label)
                for el in root.iter(f"{{{CT_NS}}}Default"):
                    self._old_types["default"][el.get("Extension", "").lower()] = el.get("ContentType")
                for el in root.iter(f"{{{CT_NS}}}Override"):
                    self._old_types["override"][el.get("PartName", "")] = el.get("ContentType")
        return self._old_types["override"].get("/" + name) or \
            self._old_types["default"].get(name.rsplit(".", 1)[-1].lower())

    # ---------------------------------------------------------------- at the end

    def finish(self) -> None:
        """Make the cross-references in deleted text work: bring their bookmarks, else keep them as text.

        A deleted table-of-contents entry points (PAGEREF) at OLD's bookmark on a heading that
        NEW still has under another bookmark name: OLD's name is added to NEW's heading, so the
        field works both ways. A target found nowhere leaves its field as text (reported).
        """
        names = set(self.bookmarks)
        for root in self.s.new.stories.values():
            if root is not None:
                names.update(b.get(dm.NAME, "") for b in root.iter(dm.BOOKMARK_START))
        fields = [(f, target) for el in self.with_fields for p in paragraphs(el)
                  for f, target in _cross_references(p) if target not in names]
        self._carry_bookmarks({target for _, target in fields}, names)
        flattened = 0
        for field, target in fields:
            if target not in names:
                _flatten(field)
                flattened += 1
        if flattened:
            self.s.report.add("fields", f"{flattened} cross-reference field{'s' if flattened != 1 else ''} in "
                              "deleted text point to bookmarks in neither document; kept as their text")
        if self.dropped_section_parts:
            self.s.report.add("headers", "a deleted section break's own headers and footers are not restored "
                              "when the changes are rejected")

    def _carry_bookmarks(self, wanted: set[str], names: set[str]) -> None:
        """Put OLD's bookmarks named in `wanted` on the NEW paragraphs paired with theirs."""
        if not wanted:
            return
        for start in self.s.old.doc.root.iter(dm.BOOKMARK_START):
            name = start.get(dm.NAME, "")
            if name not in wanted or name in names:
                continue
            owner = start.getparent()
            while owner is not None and owner.tag != P:
                owner = owner.getparent()
            if owner is None:  # between paragraphs: it marks the next one
                owner = start.getnext()
            target = self.s.paired.get(owner)
            if target is None:
                continue
            bid = str(self.s.marker.take_id())
            ppr = target.find(dm.PPR)
            at = 1 if ppr is not None and target.index(ppr) == 0 else 0
            target.insert(at, etree.Element(dm.BOOKMARK_START, {dm.ID: bid, dm.NAME: name}))
            target.append(etree.Element(dm.BOOKMARK_END, {dm.ID: bid}))
            names.add(name)


def _rels(name: str) -> str:
    folder, base = posixpath.split(name)
    return posixpath.join(folder, "_rels", base + ".rels")


def _max_docpr(parts: dict[str, bytes]) -> int:
    found = 0
    for name, data in parts.items():
        if name.startswith("word/") and name.endswith(".xml") and b"docPr" in data:
            for value in re.findall(rb"docPr\b[^>]*?\sid=\"(\d+)\"", data):
                found = max(found, int(value))
    return found


def _remove_from_run(child: etree._Element) -> None:
    run = child.getparent()
    run.remove(child)
    if all(c.tag == RPR for c in run) and run.getparent() is not None:
        run.getparent().remove(run)


def _unwrap(el: etree._Element) -> None:
    parent = el.getparent()
    index = parent.index(el)
    skip = (w("customXmlPr"), w("smartTagPr"))
    for child in reversed([c for c in el if c.tag not in skip]):
        parent.insert(index, child)
    parent.remove(el)


def _to_deleted_text(el: etree._Element, *, inside_boxes: bool = True) -> None:
    """Turn text and field codes into deleted text (`w:delText`, `w:delInstrText`)."""
    for node in el.iter(T, INSTR_TEXT):
        if not inside_boxes and _in_box(node, el):
            continue
        node.tag = DEL_TEXT if node.tag == T else DEL_INSTR


def _in_box(node: etree._Element, top: etree._Element) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not top:
        if parent.tag == w("txbxContent"):
            return True
        parent = parent.getparent()
    return False


def expand_simple_field(fs: etree._Element) -> list[etree._Element]:
    """Replace a `w:fldSimple` by the same field written as runs (begin, code, separate, result, end); return them.

    Why: a simple field cannot sit inside `w:ins`/`w:del`; the run form can, and reads the same.
    """
    first = fs.find(f".//{RPR}")
    lock = {w("fldLock"): fs.get(w("fldLock"))} if fs.get(w("fldLock")) else {}

    def run(child: etree._Element) -> etree._Element:
        r = etree.Element(R)
        if first is not None:
            r.append(copy.deepcopy(first))
        r.append(child)
        return r

    code = etree.Element(INSTR_TEXT)
    code.set(f"{{{XML_NS}}}space", "preserve")
    code.text = fs.get(w("instr"), "")
    new = [run(etree.Element(FLDCHAR, {w("fldCharType"): "begin", **lock})), run(code),
           run(etree.Element(FLDCHAR, {w("fldCharType"): "separate"}))]
    new += list(fs)
    new.append(run(etree.Element(FLDCHAR, {w("fldCharType"): "end"})))
    parent = fs.getparent()
    index = parent.index(fs)
    for child in reversed(new):
        parent.insert(index, child)
    parent.remove(fs)
    return new


def _cross_references(p: etree._Element) -> list[tuple[list[etree._Element], str]]:
    """Return the complex fields of a paragraph that refer to a bookmark: (their field parts, the name)."""
    stack: list[dict] = []
    found: list[tuple[list[etree._Element], str]] = []
    for run in p.iter(R):
        for child in run:
            if child.tag == FLDCHAR:
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    stack.append({"code": [], "parts": [child], "in_code": True})
                elif stack and kind == "separate":
                    stack[-1]["in_code"] = False
                    stack[-1]["parts"].append(child)
                elif stack and kind == "end":
                    field = stack.pop()
                    field["parts"].append(child)
                    match = _CROSS_REFERENCE.match("".join(field["code"]))
                    target = match and (match.group(2) or match.group(3))
                    if target:
                        found.append((field["parts"], target))
            elif child.tag in (INSTR_TEXT, DEL_INSTR) and stack and stack[-1]["in_code"]:
                stack[-1]["code"].append(child.text or "")
                stack[-1]["parts"].append(child)
    return found


def _flatten(parts: list[etree._Element]) -> None:
    """Drop a field's characters and code, keeping its result as plain text."""
    for child in parts:
        if child.getparent() is not None:
            _remove_from_run(child)
