"""Edit a template the way Word leaves it: runs split at every edit, rsids, revision marks, comments.

The tests of `templates check` edit copies of the shipped templates with these helpers, so
that what the check reads is what a legal officer's Word produces, not tidy generated XML.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from lxml import etree

from agreement_builder.package import Package, RT_STYLES

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
RT_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
_RSIDS = (f"00{n:06X}" for n in itertools.count(0xA11CE0))


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


class WordFile:
    """A .docx opened for editing; `save()` writes it back (in place or elsewhere)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.package = Package.open(self.path)
        self.document = self.package.main_document()
        self.root = self.package.xml(self.document)
        self.body = self.root.find(w("body"))

    # -------------------------------------------------------------- finding

    def paragraph(self, containing: str, *, part: etree._Element | None = None, nth: int = 0) -> etree._Element:
        found = [p for p in (part if part is not None else self.body).iter(w("p")) if containing in text_of(p)]
        assert len(found) > nth, f"no paragraph {nth} holds {containing!r}"
        return found[nth]

    def header(self) -> etree._Element:
        """Return the root of the default header part."""
        name = next(r.target for r in self.package.rels(self.document)
                    if r.reltype.endswith("/header") and "header" in r.target
                    and self._ref_type(r.rid, "headerReference") == "default")
        return self.package.xml(name)

    def _ref_type(self, rid: str, tag: str) -> str | None:
        for ref in self.body.iter(w(tag)):
            if ref.get(f"{{{R_NS}}}id") == rid:
                return ref.get(w("type"))
        return None

    # -------------------------------------------------------------- Word-like editing

    @staticmethod
    def _run(text: str, rpr: etree._Element | None = None, tag: str = "t") -> etree._Element:
        r = etree.Element(w("r"))
        r.set(w("rsidR"), next(_RSIDS))
        if rpr is not None:
            r.append(etree.fromstring(etree.tostring(rpr)))
        t = etree.SubElement(r, w(tag))
        t.text = text
        t.set(XML_SPACE, "preserve")
        return r

    def split_runs(self, p: etree._Element, size: int = 3) -> None:
        """Cut every run of `p` into pieces of `size` characters, each with its own rsid (Word after edits)."""
        for r in list(p.iter(w("r"))):
            t = r.find(w("t"))
            if t is None or len(t.text or "") <= size:
                continue
            text, rpr = t.text, r.find(w("rPr"))
            pieces = [self._run(text[i:i + size], rpr) for i in range(0, len(text), size)]
            parent = r.getparent()
            index = parent.index(r)
            parent.remove(r)
            for offset, piece in enumerate(pieces):
                parent.insert(index + offset, piece)

    def _flatten(self, p: etree._Element) -> tuple[str, etree._Element | None]:
        """Return the paragraph's text and the properties of its first run, leaving it with no runs."""
        text = text_of(p)
        first = next(p.iter(w("r")), None)
        rpr = first.find(w("rPr")) if first is not None else None
        rpr = etree.fromstring(etree.tostring(rpr)) if rpr is not None else None
        for child in list(p):
            if child.tag != w("pPr"):
                p.remove(child)
        return text, rpr

    def retype(self, p: etree._Element, old: str, new: str) -> None:
        """Replace `old` by `new` in a paragraph as typing would (Track Changes off): new runs, new rsids."""
        text, rpr = self._flatten(p)
        assert text.count(old) == 1, (old, text)
        before, after = text.split(old)
        for piece in (before, new, after):
            if piece:
                p.append(self._run(piece, rpr))

    def track_replace(self, p: etree._Element, old: str, new: str, author: str = "Jane Doe",
                      date: str = "2024-05-01T10:00:00Z") -> None:
        """Replace `old` by `new` with Track Changes on: a w:del and a w:ins by `author`."""
        text, rpr = self._flatten(p)
        assert text.count(old) == 1, (old, text)
        before, after = text.split(old)
        if before:
            p.append(self._run(before, rpr))
        deleted = etree.SubElement(p, w("del"), {w("id"): "901", w("author"): author, w("date"): date})
        deleted.append(self._run(old, rpr, "delText"))
        inserted = etree.SubElement(p, w("ins"), {w("id"): "902", w("author"): author, w("date"): date})
        inserted.append(self._run(new, rpr))
        if after:
            p.append(self._run(after, rpr))

    def insert_after(self, anchor: etree._Element, text: str, style: str | None = None) -> etree._Element:
        """Insert a new paragraph after `anchor` (Enter at its end, then typing): Word gives it rsids."""
        p = etree.Element(w("p"))
        p.set(w("rsidR"), next(_RSIDS))
        p.set(w("rsidRDefault"), next(_RSIDS))
        if style:
            ppr = etree.SubElement(p, w("pPr"))
            etree.SubElement(ppr, w("pStyle")).set(w("val"), style)
        p.append(self._run(text))
        anchor.addnext(p)
        return p

    def track_insert_after(self, anchor: etree._Element, text: str, style: str | None = None,
                           author: str = "Jane Doe", date: str = "2024-05-01T10:00:00Z") -> etree._Element:
        """Insert a new paragraph after `anchor` with Track Changes on: its runs and its mark inserted."""
        p = self.insert_after(anchor, text, style)
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = etree.SubElement(ppr, w("rPr"))
        etree.SubElement(rpr, w("ins"), {w("id"): "911", w("author"): author, w("date"): date})
        run = p.find(w("r"))
        ins = etree.Element(w("ins"), {w("id"): "912", w("author"): author, w("date"): date})
        run.addprevious(ins)
        ins.append(run)
        return p

    def track_delete(self, p: etree._Element, author: str = "Jane Doe", date: str = "2024-05-01T10:00:00Z",
                     *, bookmark_inside: bool = False) -> None:
        """Delete a whole paragraph with Track Changes on: its runs in a w:del, its mark deleted.

        `bookmark_inside`: put the paragraph's bookmarks inside the deletion, as LibreOffice does.
        """
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, w("rPr"))
        etree.SubElement(rpr, w("del"), {w("id"): "921", w("author"): author, w("date"): date})
        deleted = etree.Element(w("del"), {w("id"): "922", w("author"): author, w("date"): date})
        children = [c for c in p if c.tag != w("pPr")]
        for child in children:
            if child.tag == w("r"):
                for t in child.iter(w("t")):
                    t.tag = w("delText")
                deleted.append(child)
            elif bookmark_inside and child.tag in (w("bookmarkStart"), w("bookmarkEnd")):
                deleted.append(child)
        p.append(deleted)

    def bookmarks_into_deletion(self, p: etree._Element) -> None:
        """Move a paragraph's bookmarks into its first w:del, as LibreOffice does on a re-save."""
        deleted = p.find(w("del"))
        for bm in [c for c in p if c.tag in (w("bookmarkStart"), w("bookmarkEnd"))]:
            deleted.insert(0, bm) if bm.tag == w("bookmarkStart") else deleted.append(bm)

    def remove(self, p: etree._Element) -> None:
        p.getparent().remove(p)

    def comment(self, p: etree._Element, author: str, text: str) -> None:
        """Attach a comment to a paragraph (Review > New Comment), adding the comments part if needed."""
        name = "word/comments.xml"
        if name not in self.package.parts:
            self.package.set_part(name, f'<w:comments xmlns:w="{W_NS}"/>'.encode(), CT_COMMENTS)
            self.package.rels(self.document).add(RT_COMMENTS, name)
        comments = self.package.xml(name)
        cid = str(len(comments))
        c = etree.SubElement(comments, w("comment"), {w("id"): cid, w("author"): author, w("initials"): "JD"})
        cp = etree.SubElement(c, w("p"))
        cp.append(self._run(text))
        start = etree.Element(w("commentRangeStart"), {w("id"): cid})
        ppr = p.find(w("pPr"))
        p.insert(1 if ppr is not None else 0, start)
        etree.SubElement(p, w("commentRangeEnd"), {w("id"): cid})
        ref = etree.SubElement(p, w("r"))
        etree.SubElement(ref, w("commentReference"), {w("id"): cid})

    # -------------------------------------------------------------- styles and numbering

    def styles(self) -> etree._Element:
        return self.package.xml(self.package.related(self.document, RT_STYLES))

    def style(self, style_id: str) -> etree._Element:
        return next(s for s in self.styles().iter(w("style")) if s.get(w("styleId")) == style_id)

    # -------------------------------------------------------------- saving

    def save(self, path: Path | None = None) -> Path:
        target = Path(path) if path is not None else self.path
        target.write_bytes(self.package.to_bytes())
        return target
