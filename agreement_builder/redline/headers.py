"""Headers and footers: each NEW header part diffed against the OLD header it replaces.

Sections pair in order; each section shows, per kind (default, first page, even pages), the
header it names or the one it inherits from the section before (as Word does). A NEW header
part paired with one OLD header (or with none: its text is then inserted) is diffed in place.
A header part shared by sections that had different headers in OLD, or an OLD header whose
section has none in NEW, cannot be shown as revisions of one part: the report names it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ..ooxml import P, PPR, R_NS, SDT, SECT_PR, TBL, w
from .marks import unmark_paragraph
from .sources import RT, Source

if TYPE_CHECKING:
    from .session import Session

TYPES = ("default", "first", "even")


def _sections(src: Source) -> list:
    body = src.doc.body
    return [s for s in body.iter(SECT_PR) if s.getparent() is body or s.getparent().tag == PPR]


def _shown(src: Source, kind: str) -> list[dict[str, str | None]]:
    """Return, per section, the header (or footer) part shown for each type."""
    rels = src.rels(src.main)
    current: dict[str, str | None] = {}
    out = []
    for sect in _sections(src):
        for ref in sect.findall(w(f"{kind}Reference")):
            rel = rels.get(ref.get(f"{{{R_NS}}}id", ""))
            current[ref.get(w("type"), "default")] = rel.target if rel is not None and rel.type == RT + kind else None
        out.append(dict(current))
    return out


def diff_headers(s: "Session") -> None:
    for kind in ("header", "footer"):
        area = kind + "s"
        old, new = _shown(s.old, kind), _shown(s.new, kind)
        sections = _sections(s.new)
        copies: dict[str, str] = {}
        pairs: dict[str, set] = {}
        for n in range(max(len(old), len(new))):
            o = old[n] if n < len(old) else {}
            nw = new[n] if n < len(new) else {}
            for typ in TYPES:
                op, np = o.get(typ), nw.get(typ)
                if np is None:
                    if op is not None and _has_text(s, s.old, op):
                        if not sections:  # NEW has no section properties at all: Word's defaults, made explicit
                            sections.append(etree.SubElement(s.new.doc.body, SECT_PR))
                        if n < len(sections):
                            np = _deleted_story(s, kind, typ, sections[n], op, copies)
                            for later in new[n:]:  # the sections after inherit it, as in OLD
                                later.setdefault(typ, np)
                        else:
                            s.report.add(area, f"section {n + 1}'s {typ} {kind} is only in OLD; it is not shown")
                    continue
                pairs.setdefault(np, set()).add(op)
        for np, ops in pairs.items():
            root = s.new.story(np)
            if root is None:
                continue
            known = {op for op in ops if op is not None}
            digests = {s.read_old.container_digest(s.old.story(op), op) for op in known if s.old.story(op) is not None}
            if len(digests) > 1:
                s.report.add(area, f"the {kind} part {np} is shared by sections whose {kind}s differed in OLD; "
                             "it is shown as NEW's, without revisions")
                continue
            if not known:
                if _has_text(s, s.new, np):
                    s.touched.add(np)
                    for child in list(root):
                        if child.tag in (P, TBL, SDT):
                            s.mark_inserted(child, np)
                    last = root.findall(P)
                    if last:  # the story's last paragraph mark stays: an empty header reads as none
                        unmark_paragraph(last[-1])
                continue
            if np in copies.values():  # OLD's own header, copied in as deleted
                continue
            op = sorted(known)[0]
            old_root = s.old.story(op)
            if old_root is None:
                continue
            if s.read_old.container_digest(old_root, op) != s.read_new.container_digest(root, np):
                s.touched.add(np)
                s.diff_container(old_root, root, op, np)


def _deleted_story(s: "Session", kind: str, typ: str, sect, op: str, copies: dict[str, str]) -> str:
    """Copy OLD's header `op` into the output with its text deleted, shown by NEW's section `sect`."""
    if op not in copies:
        old_root = s.old.story(op)
        name = s.copier.fresh_name(op)
        root = etree.Element(old_root.tag, nsmap=old_root.nsmap)
        for child in old_root:
            root.append(s.copier.deleted(child, op, name) if child.tag in (P, TBL, SDT) else s.copier.bring(child, op, name))
        last = root.findall(P)
        if last:  # the story's last paragraph mark stays: an empty header reads as none
            unmark_paragraph(last[-1])
        s.out.set_part(name, b"", f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml")
        s.new.stories[name] = root
        s.touched.add(name)
        copies[op] = name
    name = copies[op]
    rid = s.out.rels(s.new.main).add(RT + kind, name)
    ref = etree.Element(w(f"{kind}Reference"), {w("type"): typ, f"{{{R_NS}}}id": rid})
    refs = [c for c in sect if c.tag in (w("headerReference"), w("footerReference"))]
    if refs:
        refs[-1].addnext(ref)
    else:
        sect.insert(0, ref)
    return name


def _has_text(s: "Session", src: Source, part: str) -> bool:
    root = src.story(part)
    if root is None:
        return False
    reader = s.read_old if src is s.old else s.read_new
    return any(d not in ("", ((),)) for d in reader.container_digest(root, part))
