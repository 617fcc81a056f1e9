"""The redline of two large documents, a stretch of the body at a time: the whole-tree redline's bytes in less memory.

Why: a national agreement of 5,000 functions has 70 MB of document XML, 2.9 million elements;
its parsed tree takes about 760 MB, and the whole-tree redline (`session.py`) holds both
documents' trees and everything it read of them: 2.7 GB at its peak. Here each body is read
as a stream of its top-level elements (lxml's pull parser; elements are dropped once used),
twice:

1. a scan: the stable id of every block (`docmodel.BlockReader`), the bookmark names, copies of
   the section properties (for headers and footers), and whether the document holds anything
   that ties distant parts of the body together (below);
2. the anchors: the pairs of equal ids the alignment starts from (`align.anchor_pairs`, as the
   whole-tree pass computes them). The bodies are cut into stretches at the anchors that begin
   a top-level element on both sides (each section heading, annex title, appendix title);
3. each stretch is read on both sides and marked in place by the very functions of the whole
   pass (`blocks.diff_container`, given the stretch's blocks and anchors), then serialised
   and dropped.

Every pass of the alignment after the anchors works between consecutive anchors, and the
paragraph marks are settled within a stretch (the paired heading that opens the next stretch
stops every walk), so a stretch's marks are the whole pass's marks restricted to it. Two things
the whole pass does in another order are put back in its order: the revision ids the settling
takes (it settles the body once, at the end, from the last block back: here each stretch
takes placeholder ids, renumbered at the end), and the warnings it reports then.
The output is the same document, byte for byte (tests/test_redline_stretches.py).

Memory is two stretches, the ids and the output's bytes. A pair that holds anything the stretch
pass does not take falls back to the whole pass (`compare_in_stretches` returns None), which
also reports what is wrong with an input: tracked changes (accepting them can join paragraphs
across stretches), footnote, endnote and comment references (notes are paired across the whole
body), imported documents, a DTD, XML that is not the shape of a Word document, a header or
footer that only OLD's section has (it would change NEW's section properties), and a
cross-reference in deleted text whose bookmark is in neither document.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Iterator

from lxml import etree

from .. import docmodel as dm
from ..docmodel import Block, Document
from ..errors import InputError
from ..ooxml import BOOKMARK_START, CUSTOM_XML, DEL, INS, P, PPR, SDT, SECT_PR, TBL, w
from . import blocks, headers
from .align import anchor_pairs
from .copies import _cross_references
from .marks import paragraphs
from .report import Report
from .session import Session

#: A document part larger than this (both sides) is redlined a stretch at a time.
STRETCH_ABOVE = 16 * 1024 * 1024
BODY = w("body")
_CHUNK = 1 << 18
_SPLIT = "agreement-builder:stretch"
#: Revision ids taken while settling a stretch are placeholders from here on, renumbered at the end.
_PLACEHOLDER = 10 ** 15
_PLACEHOLDER_ID = re.compile(rb':id="(1\d{15})"')
#: Elements whose presence sends a pair to the whole pass (see the module's docstring).
_WHOLE_ONLY = tuple(w(t) for t in ("footnoteReference", "endnoteReference", "commentReference", "altChunk",
                                   "subDoc")) + dm._REVISION_TAGS
_ID = w("id")
_SCANNED = (BOOKMARK_START, SECT_PR) + _WHOLE_ONLY
_BLOCKS = frozenset({P, TBL, SDT, CUSTOM_XML})


class NotStreamable(Exception):
    """This pair of documents needs the whole-tree pass."""


def large(parts: dict[str, bytes]) -> bool:
    """Return whether a document's main part is large enough to be redlined a stretch at a time (both must be)."""
    return len(parts.get("word/document.xml") or b"") > STRETCH_ABOVE


def compare_in_stretches(old_parts: dict[str, bytes], new_parts: dict[str, bytes], old_label: str, new_label: str,
                         author: str, date) -> tuple[bytes, list[str]] | None:
    """Return the redline's bytes and warnings, or None when the pair needs the whole pass.

    `date` is the revision date as the whole pass takes it: a value, or a function of NEW's
    (shell) document that returns it.
    """
    main = "word/document.xml"
    old_xml, new_xml = old_parts.get(main), new_parts.get(main)
    if not old_xml or not new_xml or b"<!DOCTYPE" in old_xml or b"<!DOCTYPE" in new_xml:
        return None
    try:
        old_styles = dm.read_styles(dm.parse_part(old_parts, "word/styles.xml", old_label))
        new_styles = dm.read_styles(dm.parse_part(new_parts, "word/styles.xml", new_label))
        old_scan, new_scan = _scan(old_xml, old_styles), _scan(new_xml, new_styles)
        old_doc = _shell_document(old_parts, old_label, old_scan, old_styles)
        new_doc = _shell_document(new_parts, new_label, new_scan, new_styles)
        session = StretchSession(old_doc, new_doc, author, date(new_doc) if callable(date) else date,
                                 old_scan, new_scan)
        session.run()
        return session.result(), list(session.report.warnings)
    except (etree.XMLSyntaxError, NotStreamable, InputError):
        return None  # the whole pass does it, or says what is wrong


# --------------------------------------------------------------------------- reading a body as a stream

class _Body:
    """The top-level elements of a document's body, yielded in order once the next one has begun.

    The consumer removes what it is done with (the parser keeps building after the rest).
    """

    def __init__(self, xml: bytes):
        self.xml = xml
        self.parser = etree.XMLPullParser(events=("start",), tag=BODY, resolve_entities=False, no_network=True,
                                          load_dtd=False, huge_tree=True, remove_blank_text=False)
        self.position = 0
        self.root: etree._Element | None = None
        self.body: etree._Element | None = None
        self._last: etree._Element | None = None
        while self.body is None and self.position < len(xml):
            self._feed()
        if self.body is None:
            raise NotStreamable()

    def _feed(self) -> None:
        self.parser.feed(self.xml[self.position:self.position + _CHUNK])
        self.position += _CHUNK
        for _, element in self.parser.read_events():
            if self.body is None:
                self.body, self.root = element, element.getparent()

    def __iter__(self) -> Iterator[etree._Element]:
        while self.position < len(self.xml):
            yield from self._new(complete_only=True)
            self._feed()
        root = self.parser.close()
        if root is not self.root or self.body.getparent() is not root or self.body.getnext() is not None \
                or root.getprevious() is not None or root.getnext() is not None:
            raise NotStreamable()  # not the shape of a Word document: the whole pass says why
        yield from self._new(complete_only=False)

    def _new(self, *, complete_only: bool) -> Iterator[etree._Element]:
        """Yield the children not yielded yet (but the last, which may be incomplete, when `complete_only`)."""
        last = self._last
        child = last.getnext() if last is not None and last.getparent() is self.body else \
            (self.body[0] if len(self.body) else None)
        while child is not None:
            following = child.getnext()
            if complete_only and following is None:
                return
            self._last = child
            yield child
            child = following


@dataclass
class _Scan:
    """What the first pass keeps of a document."""

    ids: list[str | None] = field(default_factory=list)  # the stable id of every block
    starts: list[int] = field(default_factory=list)  # per top-level element, its first block's index; then the total
    bookmarks: set[str] = field(default_factory=set)
    sections: list[tuple[bool, etree._Element]] = field(default_factory=list)  # (in a paragraph, a copy)
    root: etree._Element | None = None  # the document element, emptied


def _scan(xml: bytes, styles: dict) -> _Scan:
    scan, reader = _Scan(), dm.BlockReader(styles, ids_only=True)
    body = _Body(xml)
    for child in body:
        scan.starts.append(len(scan.ids))
        scan.ids += [b.stable_id for b in reader.read([child])]
        for el in child.iter(*_SCANNED):
            tag = el.tag
            if tag == BOOKMARK_START:
                scan.bookmarks.add(el.get(dm.NAME, ""))
            elif tag == SECT_PR:  # as headers._sections finds them
                if el is child or el.getparent().tag == PPR:
                    scan.sections.append((el is not child, copy.deepcopy(el)))
            else:
                raise NotStreamable()
        _drop(body.body, child)
    scan.starts.append(len(scan.ids))
    scan.root = body.root
    return scan


def _drop(parent: etree._Element, child: etree._Element) -> None:
    """Remove an element that is done with (emptied first: removing a whole subtree walks all of it)."""
    child.clear()
    parent.remove(child)


def _shell_document(parts: dict[str, bytes], label: str, scan: _Scan, styles: dict) -> Document:
    """Return a document whose body holds only the section properties (what headers.py reads of the body)."""
    root = etree.Element(scan.root.tag, dict(scan.root.attrib), nsmap=scan.root.nsmap)
    body = etree.SubElement(root, BODY)
    for in_paragraph, sect in scan.sections:
        if in_paragraph:
            etree.SubElement(etree.SubElement(body, P), PPR).append(sect)
        else:
            body.append(sect)
    return Document(label, parts, root, body, [], styles, 0)


# --------------------------------------------------------------------------- the session

class StretchSession(Session):
    """A redline whose body is compared a stretch at a time (the rest as `Session` does it)."""

    def __init__(self, old: Document, new: Document, author: str, date: str, old_scan: _Scan, new_scan: _Scan):
        super().__init__(old, new, author, date)
        self.old_scan, self.new_scan = old_scan, new_scan
        self.copier.bookmarks |= new_scan.bookmarks  # what the whole pass finds in NEW's body
        if self.marker.next_id >= _PLACEHOLDER // 10:
            raise NotStreamable()
        self.document_xml = b""
        self.wanted: set[str] = set()  # bookmarks that cross-references in deleted text point at

    def run(self) -> None:
        for src, name in ((self.old, "OLD"), (self.new, "NEW")):
            if src.accepted:
                raise NotStreamable()  # a story's tracked changes: the whole pass words the report
        sections = etree.tostring(self.new.doc.body)
        headers.diff_headers(self)
        if etree.tostring(self.new.doc.body) != sections:
            raise NotStreamable()  # a header or footer only OLD had changes NEW's section properties
        self.document_xml = self._body()
        if not self._cross_references_work():
            raise NotStreamable()  # the whole pass brings OLD's bookmarks to NEW's paragraphs, or keeps the text
        self.notes.finish()
        self.copier.finish()

    def write_main(self) -> None:
        self.out.set_part(self.new.main, self.document_xml)

    # ---------------------------------------------------------------- the body

    def _body(self) -> bytes:
        old, new = self.old_scan, self.new_scan
        anchors = anchor_pairs(old.ids, new.ids)
        cuts = _stretches(old, new, anchors)
        ends = cuts[1:] + [(len(old.starts) - 1, len(new.starts) - 1)]
        old_body, new_body = _Body(self.old.parts[self.old.main]), _Body(self.new.parts[self.new.main])
        old_children, new_children = iter(old_body), iter(new_body)
        old_reader, new_reader = dm.BlockReader(self.old.doc.styles), dm.BlockReader(self.new.doc.styles)
        head, tail = _shell(new_body)
        inherited = _inherited(new_body)
        pieces: list[bytes] = []
        settling: list[tuple[range, list, range, list]] = []  # per stretch: ids and reports, inside then marks
        self._placeholder = _PLACEHOLDER
        k = 0
        for (oc0, nc0), (oc1, nc1) in zip(cuts, ends):
            old_kids = [next(old_children) for _ in range(oc1 - oc0)]
            new_kids = [next(new_children) for _ in range(nc1 - nc0)]
            ob0, ob1, nb0, nb1 = old.starts[oc0], old.starts[oc1], new.starts[nc0], new.starts[nc1]
            old_blocks: list[Block] = old_reader.read(old_kids)
            new_blocks: list[Block] = new_reader.read(new_kids)
            if [b.stable_id for b in old_blocks] != old.ids[ob0:ob1] or \
                    [b.stable_id for b in new_blocks] != new.ids[nb0:nb1]:
                raise NotStreamable()  # the two passes disagree: let the whole pass do it
            if not new_kids or (old_blocks and not new_blocks):
                raise NotStreamable()  # deleted blocks would go before NEW's first block, in a later stretch
            while k < len(anchors) and anchors[k][0] < ob0:
                k += 1
            local = []
            while k < len(anchors) and anchors[k][0] < ob1:
                local.append((anchors[k][0] - ob0, anchors[k][1] - nb0))
                k += 1
            start, end = etree.Comment(_SPLIT), etree.Comment(_SPLIT)
            new_kids[0].addprevious(start)
            new_kids[-1].addnext(end)
            body = new_body.body
            blocks.diff_container(self, old_body.body, body, self.old.main, self.new.main, old_blocks, new_blocks,
                                  anchors=local, settled=False)
            settling.append(self._settle(body, start, end, nc1 == len(new.starts) - 1))
            self._check_cross_references()
            element = start.getnext()
            body.remove(start)
            while element is not end:
                following = element.getnext()
                data = _without(etree.tostring(element, encoding="UTF-8"), inherited)
                if len(_PLACEHOLDER_ID.findall(data)) != _placeholders(element):
                    raise NotStreamable()  # text that looks like a placeholder: renumbering could not be trusted
                pieces.append(data)
                _drop(body, element)
                element = following
            body.remove(end)
            for child in old_kids:
                _drop(old_body.body, child)
            self._forget()
        for _ in new_children:  # nothing is left; this lets the parser finish and check the shape
            raise NotStreamable()
        for _ in old_children:
            raise NotStreamable()
        numbers = self._renumber(settling)
        pieces = [_PLACEHOLDER_ID.sub(lambda mo: b':id="%d"' % numbers[int(mo.group(1))], p)
                  if b':id="1' in p else p for p in pieces]
        return head + b"".join(pieces) + tail

    def _settle(self, body: etree._Element, start, end, last: bool) -> tuple[range, list, range, list]:
        """Settle a stretch's paragraph marks with placeholder ids; return them and the warnings, by phase.

        The stretch lies between the comments `start` and `end`; the element after it (the
        next stretch's opening element, parsed already) is what the whole pass sees there.
        """
        real, report = self.marker.next_id, self.report
        out = []
        try:
            after = end.getnext()
            while after is not None and after.tag not in _BLOCKS:
                after = after.getnext()
            if after is None and last is False:
                raise NotStreamable()  # what follows is not parsed yet: cannot be judged as the whole pass does

            def view() -> list[etree._Element]:  # the stretch and the block after it
                return _between(start, end) + ([after] if after is not None else [])

            for phase in (lambda: blocks.settle_inside(self, body, _between(start, end)),
                          lambda: blocks.settle_marks(self, body, view)):
                first = self.marker.next_id = self._placeholder
                self.report = _Recorder()
                phase()
                self._placeholder = self.marker.next_id
                out += [range(first, self._placeholder), self.report.found]
        finally:
            self.marker.next_id, self.report = real, report
        return tuple(out)

    def _renumber(self, settling: list) -> dict[int, int]:
        """Give the placeholder ids the numbers the whole pass gives them; report the settling's warnings.

        The whole pass settles the body once after marking it all: the content controls first
        (in order), then the paragraph marks from the last block back - the last stretch first.
        """
        numbers, n = {}, self.marker.next_id
        order = [(ids, found) for ids, found, _, _ in settling] + [(ids, found) for _, _, ids, found in reversed(settling)]
        for ids, found in order:
            for placeholder in ids:
                numbers[placeholder] = n
                n += 1
            for area, message in found:
                self.report.add(area, message)
        self.marker.next_id = n
        return numbers

    def _check_cross_references(self) -> None:
        """Keep the bookmarks that cross-references in the stretch's deleted text point at (their fields go)."""
        for el in self.copier.with_fields:
            for p in paragraphs(el):
                self.wanted.update(target for _, target in _cross_references(p))
        self.copier.with_fields.clear()

    def _cross_references_work(self) -> bool:
        """Return whether every cross-reference in deleted text finds its bookmark (as `Copier.finish` looks)."""
        names = set(self.copier.bookmarks)
        for root in self.new.stories.values():
            if root is not None:
                names.update(b.get(dm.NAME, "") for b in root.iter(BOOKMARK_START))
        return self.wanted <= names

    def _forget(self) -> None:
        """Drop what refers to the stretch's elements, so that they are freed."""
        self.whole.clear()
        self.paired.clear()
        self.read_old._cache.clear()
        self.read_new._cache.clear()
        self.copier.with_fields.clear()


class _Recorder(Report):
    """Takes the warnings of a stretch's settling, to be reported in the whole pass's order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def add(self, area: str, message: str) -> None:
        self.found.append((area, message))


def _placeholders(element: etree._Element) -> int:
    """Return how many placeholder ids the element and its descendants carry."""
    found = 0
    for node in element.iter(INS, DEL):  # what the marker makes
        value = node.get(_ID)
        if value and value.isdigit() and int(value) >= _PLACEHOLDER:
            found += 1
    return found


def _between(start: etree._Element, end: etree._Element) -> list[etree._Element]:
    out, element = [], start.getnext()
    while element is not end:
        out.append(element)
        element = element.getnext()
    return out


def _stretches(old: _Scan, new: _Scan, anchors: list) -> list[tuple[int, int]]:
    """Return the top-level elements (old, new) where stretches start: at anchors that open an element on both sides."""
    def opening(scan: _Scan) -> dict[int, int]:  # block -> the top-level element it is the first block of
        return {scan.starts[c]: c for c in range(len(scan.starts) - 1) if scan.starts[c + 1] > scan.starts[c]}

    old_opening, new_opening = opening(old), opening(new)
    cuts = [(0, 0)]
    for i, j in anchors:
        oc, nc = old_opening.get(i), new_opening.get(j)
        if oc is not None and nc is not None and oc > cuts[-1][0] and nc > cuts[-1][1]:
            cuts.append((oc, nc))
    return cuts


def _shell(body: _Body) -> tuple[bytes, bytes]:
    """Return NEW's document up to the body's content, and after it, as the whole pass serialises it."""
    root = body.root
    shell = etree.Element(root.tag, dict(root.attrib), nsmap=root.nsmap)
    shell.text = root.text
    for child in root:
        if child is body.body:
            inner = etree.SubElement(shell, BODY, dict(child.attrib))
            inner.text = body.body.text
            inner.append(etree.Comment(_SPLIT))
            inner.tail = child.tail
            break
        shell.append(copy.deepcopy(child))
    data = etree.tostring(shell, xml_declaration=True, encoding="UTF-8", standalone=True)
    head, _, tail = data.partition(f"<!--{_SPLIT}-->".encode())
    return head, tail


def _inherited(body: _Body) -> bytes:
    """Return the namespace declarations lxml repeats on each top-level element it serialises alone."""
    box = etree.Element(BODY, nsmap=body.body.nsmap)
    data = etree.tostring(etree.SubElement(box, P), encoding="UTF-8")
    space = data.find(b" ")
    return data[space:-len(b"/>")] if space > 0 and data.endswith(b"/>") else b""


def _without(data: bytes, declarations: bytes) -> bytes:
    """Return an element serialised alone without the declarations its document element already makes."""
    if declarations:
        end = data.find(b">")
        at = data.find(declarations, 0, end)
        if at > 0:
            return data[:at] + data[at + len(declarations):]
    return data

