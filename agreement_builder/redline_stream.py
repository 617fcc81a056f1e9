"""The redline of two large documents, a stretch at a time, with the result of the whole-tree pass.

Why: a national agreement of 5,000 functions has 57 MB of document XML, 2.4 million elements;
its parsed tree takes about 600 MB, and the whole-tree redline (redline.py) holds two trees and
their blocks: 1.8 GB at its peak. Here each document's body is read as a stream of its
top-level elements (lxml's pull parser; elements are dropped once used), twice:

1. a scan: the stable id of every block (`docmodel.block_ids`) and nothing else;
2. the anchors: the pairs of equal ids redline.align starts from (the same `anchor_pairs`).
   The documents are cut into stretches at the anchors that begin a top-level element on both
   sides (each section heading, annex title, appendix title);
3. each stretch is read on both sides and marked in place by the very functions of the
   whole-tree pass (`_diff_blocks`, given the stretch's anchors), then serialised and dropped.

Because every pass of the alignment after the anchors works between consecutive anchors, a
stretch's alignment is the whole document's alignment restricted to it, and the output is the
same document, byte for byte (tests/test_redline_stream.py). Memory is two stretches plus the
ids. A document with tracked changes (accepting them can join paragraphs across stretches), a
DTD or XML that is not the shape of a Word document takes the whole-tree pass, which also
reports what is wrong with it: `redline_document` then returns None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from lxml import etree

from . import docmodel as dm
from .docmodel import P, Block, w
from .redline import Pair, _diff_blocks, _Marker, anchor_pairs

BODY = w("body")
_REVISIONS = dm._REVISION_TAGS
_CHUNK = 1 << 18
_SPLIT = "agreement-builder:body"


class _NotStreamable(Exception):
    """This pair of documents needs the whole-tree pass."""


def redline_document(old_parts: dict[str, bytes], new_parts: dict[str, bytes], author: str, date: str) -> bytes | None:
    """Return NEW's word/document.xml with OLD's changes marked, or None for the whole-tree pass."""
    old_xml, new_xml = old_parts.get("word/document.xml"), new_parts.get("word/document.xml")
    if not old_xml or not new_xml or b"<!DOCTYPE" in old_xml or b"<!DOCTYPE" in new_xml:
        return None
    try:
        old_styles = dm.read_styles(_parse(old_parts.get("word/styles.xml")))
        new_styles = dm.read_styles(_parse(new_parts.get("word/styles.xml")))
        old_scan, new_scan = _scan(old_xml), _scan(new_xml)
        marker = _Marker(author, date, _largest_id(new_xml) + 1)
        return _mark(old_xml, new_xml, old_scan, new_scan, old_styles, new_styles, marker)
    except (etree.XMLSyntaxError, _NotStreamable):
        return None


def _parse(data: bytes | None) -> etree._Element | None:
    return dm.parse_xml(data) if data else None


class _Body:
    """The top-level elements of a document's body, yielded in order as soon as each is complete.

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
            raise _NotStreamable()

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
        if root is not self.root or self.body.getparent() is not root or self.body.getnext() is not None:
            raise _NotStreamable()  # not the shape of a Word document: the whole-tree pass says why
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
    """What the first pass keeps of a document: the stable id of every block, and where each top-level element's blocks start."""

    ids: list[str | None] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # per top-level element, the index of its first block; then the total


def _scan(xml: bytes) -> _Scan:
    """Return the ids of a document's blocks; raise _NotStreamable when it holds tracked changes."""
    scan, state = _Scan(), dm.BlockState()
    body = _Body(xml)
    for child in body:
        if next(child.iter(*_REVISIONS), None) is not None:
            raise _NotStreamable()
        scan.starts.append(len(scan.ids))
        scan.ids += dm.block_ids([child], state)
        body.body.remove(child)
    scan.starts.append(len(scan.ids))
    return scan


def _largest_id(xml: bytes) -> int:
    """Return the largest w:id in a document (as the whole-tree pass's `_first_free_id` finds it)."""
    root_tag = re.search(rb"<([\w.-]+:)?document\b[^>]*>", xml)
    if root_tag is None or xml.count(dm.W_NS.encode()) != 1 or dm.W_NS.encode() not in root_tag.group(0):
        raise _NotStreamable()  # the namespace is declared more than once: prefixes cannot be trusted
    prefix = re.search(rb'xmlns:([\w.-]+)=["\']' + re.escape(dm.W_NS.encode()), root_tag.group(0))
    if prefix is None:
        raise _NotStreamable()
    values = re.findall(rb"\s" + re.escape(prefix.group(1)) + rb":id\s*=\s*[\"'](-?\d+)[\"']", xml)
    return max((int(v) for v in values), default=0)


def _stretches(old: _Scan, new: _Scan, anchors: list[Pair]) -> list[tuple[int, int]]:
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


def _mark(old_xml: bytes, new_xml: bytes, old: _Scan, new: _Scan, old_styles: dict, new_styles: dict,
          marker: _Marker) -> bytes:
    anchors = anchor_pairs(old.ids, new.ids)
    cuts = _stretches(old, new, anchors)
    ends = cuts[1:] + [(len(old.starts) - 1, len(new.starts) - 1)]
    old_body, new_body = _Body(old_xml), _Body(new_xml)
    old_children, new_children = iter(old_body), iter(new_body)
    old_state, new_state = dm.BlockState(), dm.BlockState()
    head, tail = _shell(new_body)
    inherited = _inherited(new_body)
    out: list[bytes] = [head]
    k = 0
    for (oc0, nc0), (oc1, nc1) in zip(cuts, ends):
        old_kids = [next(old_children) for _ in range(oc1 - oc0)]
        new_kids = [next(new_children) for _ in range(nc1 - nc0)]
        ob0, ob1, nb0, nb1 = old.starts[oc0], old.starts[oc1], new.starts[nc0], new.starts[nc1]
        old_blocks: list[Block] = dm.read_blocks(old_kids, old_styles, old_state)
        new_blocks: list[Block] = dm.read_blocks(new_kids, new_styles, new_state)
        if [b.stable_id for b in old_blocks] != old.ids[ob0:ob1] or [b.stable_id for b in new_blocks] != new.ids[nb0:nb1]:
            raise _NotStreamable()  # the two passes disagree: let the whole-tree pass do it
        if not new_kids or (old_blocks and not new_blocks):
            raise _NotStreamable()  # deleted blocks would go before NEW's first block, in a later stretch
        while k < len(anchors) and anchors[k][0] < ob0:
            k += 1
        local = []
        while k < len(anchors) and anchors[k][0] < ob1:
            local.append((anchors[k][0] - ob0, anchors[k][1] - nb0))
            k += 1
        start, end = etree.Comment(_SPLIT), etree.Comment(_SPLIT)
        new_kids[0].addprevious(start)
        new_kids[-1].addnext(end)
        _diff_blocks(old_blocks, new_blocks, new_body.body, marker, anchors=local)
        element = start.getnext()
        new_body.body.remove(start)
        while element is not end:
            following = element.getnext()
            out.append(_without(etree.tostring(element, encoding="UTF-8"), inherited))
            new_body.body.remove(element)
            element = following
        new_body.body.remove(end)
        for child in old_kids:
            old_body.body.remove(child)
    for _ in new_children:  # nothing is left; this lets the parser finish and check the shape
        raise _NotStreamable()
    out.append(tail)
    return b"".join(out)


def _shell(body: _Body) -> tuple[bytes, bytes]:
    """Return NEW's document up to the body's content, and after it, as the whole-tree pass serialises it."""
    import copy

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
