"""Tracked-change Word document between two versions: accept all gives NEW, reject all gives OLD.

Algorithm. Both documents are read as blocks (paragraphs and tables, `docmodel`), with any
tracked changes already in them accepted. Blocks are aligned in three passes: first the blocks
carrying the same stable id (the hidden `_AB_*` bookmarks of a rendered document: sections,
agreement clauses, annexes, appendices) are anchored, keeping the longest in-order sequence;
then, between consecutive anchors, blocks with the same (heading path, text) are matched by
sequence alignment; then blocks whose text occurs exactly once on both sides (unique anchors);
then, in what remains, blocks are paired by word similarity (ratio >= 0.5, best order-preserving
pairing), and the rest are deletions and insertions. A block out of order (a moved annex) is
therefore a deletion plus an insertion; moves are never marked as such. Paired paragraphs with
equal text get no revision at all (formatting, run splits and numbering are not text: section
numbers come from Word's numbering); paragraphs with different text are diffed word by word,
splitting NEW's runs at the change boundaries, wrapping inserted text in `w:ins` (NEW's run
formatting) and putting OLD's deleted text, with OLD's run formatting, in `w:del`/`w:delText`
just before it. Whole deleted blocks are copied from OLD into the output where they stood
(bookmarks, comments, images and relationship references stripped so the copy cannot clash
with NEW's package), every run in `w:del` and the paragraph mark marked `w:pPr/w:rPr/w:del`;
whole inserted blocks get `w:ins` and a marked paragraph mark. Tables pair like paragraphs,
then their rows align on the first cell's text (the force name): rows only in one version get
`w:trPr/w:ins|w:del`, paired rows are diffed cell by cell, recursively. The output is NEW's
package with only word/document.xml (and a `w:revisionView` that would hide markup in
settings.xml) changed; `w:trackRevisions` is left as NEW had it, so the redline shows changes
without switching tracking on for the reviewer's own edits. Revision ids count up from the
largest id already in the document, in processing order, and the date is fixed, so the same
inputs always give the same bytes. Headers, footers, footnotes and comments are NEW's, unmarked.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date as _date, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Callable, Sequence

from lxml import etree

from . import docmodel as dm
from . import textdiff
from .docmodel import (
    DEL, DEL_INSTR, DEL_TEXT, INS, INSTR_TEXT, P, PPR, R, R_NS, RPR, SDT, SDT_CONTENT, SECT_PR, T, TR,
    TRPR, XML_NS, Block, Document, w,
)
from .errors import InputError
from .package import write_docx_bytes

DEFAULT_AUTHOR = "agreement-builder"
#: Date of revisions when neither the caller nor NEW's core properties give one.
FALLBACK_DATE = "2000-01-01T00:00:00Z"
SIMILARITY = 0.5
_DP_LIMIT = 4096  # largest (old x new) gap paired by full dynamic programming


def redline(old, new, *, author: str = DEFAULT_AUTHOR, date: datetime | _date | str | None = None,
            old_label: str | None = None, new_label: str | None = None) -> bytes:
    """Return the .docx bytes of NEW with every change from OLD as a tracked revision.

    `old` and `new` are paths, .docx bytes or `docmodel.Document`s (never modified). `date`
    defaults to NEW's modified (else created) date in docProps/core.xml, so the output is
    deterministic. Raises InputError for an input that is not a usable Word document.
    Documents larger than STREAM_ABOVE bytes of XML are redlined a stretch at a time
    (redline_stream), with the same result in a fraction of the memory.
    """
    old_parts, old_label = _parts(old, old_label, "OLD")
    new_parts, new_label = _parts(new, new_label, "NEW")
    when = _revision_date(date, dm.core_date(new_parts), new_label)
    document = None
    if len(old_parts.get(_DOCUMENT, b"")) + len(new_parts.get(_DOCUMENT, b"")) > STREAM_ABOVE:
        from .redline_stream import redline_document

        document = redline_document(old_parts, new_parts, author, when)
    if document is None:
        old_doc = dm.document_from_parts(old_parts, old_label)
        new_doc = dm.document_from_parts(new_parts, new_label)
        marker = _Marker(author, when, _first_free_id(new_doc.root))
        _diff_blocks(old_doc.blocks, new_doc.blocks, new_doc.body, marker)
        document = _serialize(new_doc.root)
        del old_doc, new_doc
    parts = dict(new_parts)
    parts[_DOCUMENT] = document
    settings = dm.parse_part(parts, "word/settings.xml", new_label)
    if settings is not None:
        hidden = settings.findall(w("revisionView"))
        for el in hidden:
            settings.remove(el)
        if hidden:
            parts["word/settings.xml"] = _serialize(settings)
    return write_docx_bytes(parts)


_DOCUMENT = "word/document.xml"
#: Above this many bytes of document XML (both versions together), the redline goes a stretch at a
#: time: a parsed tree takes about ten times its XML in memory.
STREAM_ABOVE = 16 * 1024 * 1024


def _parts(source, label: str | None, default: str) -> tuple[dict[str, bytes], str]:
    """Return a document's parts and its label (a given Document's parts are shared, never modified)."""
    if isinstance(source, Document):
        return source.parts, label or source.label
    if isinstance(source, bytes):
        label = label or default
        return dm.read_docx_parts(source, label=label), label
    label = label or str(source)
    return dm.read_docx_parts(Path(source), label=label), label


def _revision_date(value, core: str | None, label: str) -> str:
    if value is None:
        return core or FALLBACK_DATE
    try:
        return dm.format_date(value)
    except (ValueError, TypeError, AttributeError):
        raise InputError.in_file(label, f"invalid revision date {value!r}",
                                 hint="give an ISO date such as 2016-07-19") from None


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _first_free_id(root: etree._Element) -> int:
    ids = [int(v) for v in root.xpath("//@w:id", namespaces={"w": dm.W_NS}) if v.lstrip("-").isdigit()]
    return max(ids, default=0) + 1


@dataclass
class _Marker:
    """Makes revision elements with unique, sequential ids."""

    author: str
    date: str
    next_id: int

    def new(self, tag: str) -> etree._Element:
        el = etree.Element(tag, {w("id"): str(self.next_id), w("author"): self.author, w("date"): self.date},
                           nsmap={"w": dm.W_NS})
        self.next_id += 1
        return el


# --------------------------------------------------------------------------- alignment

Pair = tuple  # (i | None, j | None)


def align(a: Sequence, b: Sequence, *, exact: Callable, loose: Callable | None = None,
          similar: Callable | None = None, anchor: Callable | None = None,
          compatible: Callable | None = None, anchors: list[Pair] | None = None) -> list[Pair]:
    """Return the alignment of `a` and `b` as (i, j) pairs, (i, None) deletions, (None, j) insertions.

    Passes: equal `anchor` ids (kept in order; or the `anchors` pairs given); equal `exact`
    keys; `loose` keys unique on both sides; then `similar` scores >= SIMILARITY.
    `compatible(x, y)` vetoes pairs in the last two.
    """
    compatible = compatible or (lambda x, y: True)

    def plain(i0, i1, j0, j1):
        return [(i, None) for i in range(i0, i1)] + [(None, j) for j in range(j0, j1)]

    def merged(i0, i1, j0, j1, matches, inner):
        out, pi, pj = [], i0, j0
        for i, j in matches:
            out += inner(pi, i, pj, j)
            out.append((i, j))
            pi, pj = i + 1, j + 1
        out += inner(pi, i1, pj, j1)
        return out

    def by_similarity(i0, i1, j0, j1):
        n, m = i1 - i0, j1 - j0
        if not n or not m or similar is None:
            return plain(i0, i1, j0, j1)

        def score(i, j):
            x, y = a[i], b[j]
            if not compatible(x, y):
                return 0.0
            s = similar(x, y)
            return s if s >= SIMILARITY else 0.0

        matches = []
        if n * m <= _DP_LIMIT:
            best = [[0.0] * (m + 1) for _ in range(n + 1)]
            took = {}
            for i in range(n - 1, -1, -1):
                row, below = best[i], best[i + 1]
                for j in range(m - 1, -1, -1):
                    s = score(i0 + i, j0 + j)
                    value = max(below[j], row[j + 1])
                    if s and below[j + 1] + s > value:
                        value = below[j + 1] + s
                        took[i, j] = True
                    row[j] = value
            i = j = 0
            while i < n and j < m:
                if took.get((i, j)):
                    matches.append((i0 + i, j0 + j))
                    i, j = i + 1, j + 1
                elif best[i + 1][j] >= best[i][j + 1]:
                    i += 1
                else:
                    j += 1
        else:  # large gap: greedy, looking a few blocks ahead
            j = j0
            for i in range(i0, i1):
                window = [(score(i, k), -k) for k in range(j, min(j1, j + 8))]
                s, k = max(window, default=(0.0, 0))
                if s:
                    matches.append((i, -k))
                    j = -k + 1
        return merged(i0, i1, j0, j1, matches, plain)

    def by_unique(i0, i1, j0, j1):
        if loose is None or i0 == i1 or j0 == j1:
            return by_similarity(i0, i1, j0, j1)
        ka = [loose(a[i]) for i in range(i0, i1)]
        kb = [loose(b[j]) for j in range(j0, j1)]
        count: dict = {}
        for k in ka:
            count[k] = count.get(k, 0) + 1
        once_a = {k for k, c in count.items() if c == 1 and k is not None}
        count = {}
        for k in kb:
            count[k] = count.get(k, 0) + 1
        once = once_a & {k for k, c in count.items() if c == 1}
        if not once:
            return by_similarity(i0, i1, j0, j1)
        ua = [(k, i0 + n) for n, k in enumerate(ka) if k in once]
        ub = [(k, j0 + n) for n, k in enumerate(kb) if k in once]
        sm = SequenceMatcher(None, [k for k, _ in ua], [k for k, _ in ub], autojunk=False)
        matches = [(ua[blk.a + n][1], ub[blk.b + n][1])
                   for blk in sm.get_matching_blocks() for n in range(blk.size)]
        matches = [(i, j) for i, j in matches if compatible(a[i], b[j])]
        return merged(i0, i1, j0, j1, matches, by_similarity)

    def by_exact(i0, i1, j0, j1):
        if i0 == i1 or j0 == j1:
            return plain(i0, i1, j0, j1)
        sm = SequenceMatcher(None, [exact(a[i]) for i in range(i0, i1)],
                             [exact(b[j]) for j in range(j0, j1)], autojunk=False)
        matches = [(i0 + blk.a + n, j0 + blk.b + n)
                   for blk in sm.get_matching_blocks() for n in range(blk.size)]
        return merged(i0, i1, j0, j1, matches, by_unique)

    if anchors is None:
        anchors = anchor_pairs([anchor(x) for x in a], [anchor(y) for y in b]) if anchor is not None else []
    return merged(0, len(a), 0, len(b), anchors, by_exact)


def anchor_pairs(ids_a: Sequence[str | None], ids_b: Sequence[str | None]) -> list[Pair]:
    """Return the (i, j) of equal ids on both sides, the longest in-order run of them (SequenceMatcher)."""
    ia = [(i, k) for i, k in enumerate(ids_a) if k]
    ib = [(j, k) for j, k in enumerate(ids_b) if k]
    common = {k for _, k in ia} & {k for _, k in ib}
    ia = [(i, k) for i, k in ia if k in common]
    ib = [(j, k) for j, k in ib if k in common]
    sm = SequenceMatcher(None, [k for _, k in ia], [k for _, k in ib], autojunk=False)
    return [(ia[blk.a + n][0], ib[blk.b + n][0]) for blk in sm.get_matching_blocks() for n in range(blk.size)]


def _ratio(x: list[str], y: list[str]) -> float:
    """Return the similarity of two token lists (0..1), cheaply bounded first."""
    if not x and not y:
        return 1.0
    if 2 * min(len(x), len(y)) < SIMILARITY * (len(x) + len(y)):
        return 0.0
    sm = SequenceMatcher(None, x, y, autojunk=False)
    if sm.quick_ratio() < SIMILARITY:
        return 0.0
    return sm.ratio()


def _blocks_compatible(x: Block, y: Block) -> bool:
    if x.kind != y.kind:
        return False
    if x.stable_id and y.stable_id:  # different ids never pair (equal ones are anchors)
        return x.stable_id == y.stable_id
    if x.path_from_id and y.path_from_id and x.path != y.path:
        return False  # content of two different sections/annexes
    if x.kind == "tbl":
        return x.columns == y.columns
    return True


def _blocks_similar(x: Block, y: Block) -> float:
    if x.kind == "tbl":
        return _ratio([r.key for r in x.rows], [r.key for r in y.rows])
    return _ratio(x.words, y.words)


def _align_blocks(old: list[Block], new: list[Block], anchors: list[Pair] | None = None) -> list[Pair]:
    return align(
        old, new, anchor=lambda b: b.stable_id, exact=lambda b: b.key,
        loose=lambda b: (b.kind, b.text) if b.text.strip() else None,
        similar=_blocks_similar, compatible=_blocks_compatible, anchors=anchors)


# --------------------------------------------------------------------------- applying the alignment

def _place(el: etree._Element, cursor, first, container: etree._Element) -> None:
    """Put a deleted copy after `cursor`, else before the first NEW element, else at the container's end."""
    if cursor is not None:
        cursor.addnext(el)
    elif first is not None:
        first.addprevious(el)
    else:
        last = container[-1] if len(container) else None
        if last is not None and last.tag == SECT_PR:  # the body's final section properties
            last.addprevious(el)
        else:
            container.append(el)


def _diff_blocks(old: list[Block], new: list[Block], container: etree._Element, m: _Marker,
                 anchors: list[Pair] | None = None) -> None:
    """Mark NEW's blocks in place against OLD's, putting OLD's deleted blocks where they stood."""
    first = new[0].element if new else None
    cursor = None
    for i, j in _align_blocks(old, new, anchors):
        if i is not None and j is not None:
            _diff_pair(old[i], new[j], m)
            cursor = new[j].element
        elif j is None:
            copy_ = _deleted_copy(old[i].element, m)
            _place(copy_, cursor, first, container)
            cursor = copy_
        else:
            _mark_inserted(new[j].element, m)
            cursor = new[j].element


def _diff_pair(ob: Block, nb: Block, m: _Marker) -> None:
    if ob.text == nb.text and ob.kind == "p":
        return
    if ob.kind == "p":
        _diff_paragraph(ob.element, nb.element, m)
    else:
        _diff_table(ob, nb, m)


def _diff_table(ot: Block, nt: Block, m: _Marker) -> None:
    if [r.text for r in ot.rows] == [r.text for r in nt.rows]:
        return
    old, new = ot.rows, nt.rows
    pairs = align(old, new, exact=lambda r: r.key, loose=lambda r: r.text,
                  similar=lambda x, y: _ratio(list(x.text), list(y.text)) if len(x.cells) == len(y.cells) else 0.0)
    first = new[0].element if new else None
    cursor = None
    for i, j in pairs:
        if i is not None and j is not None and len(old[i].cells) != len(new[j].cells):
            copy_ = _deleted_copy(old[i].element, m)
            _place(copy_, cursor, first, nt.element)
            _mark_inserted(new[j].element, m)
            cursor = new[j].element
        elif i is not None and j is not None:
            if old[i].text != new[j].text:
                for oc, nc in zip(old[i].cells, new[j].cells):
                    if oc.text != nc.text:
                        _diff_cell(oc.element, nc.element, m)
            cursor = new[j].element
        elif j is None:
            copy_ = _deleted_copy(old[i].element, m)
            _place(copy_, cursor, first, nt.element)
            cursor = copy_
        else:
            _mark_inserted(new[j].element, m)
            cursor = new[j].element


def _diff_cell(otc: etree._Element, ntc: etree._Element, m: _Marker) -> None:
    """Mark the changes in a cell; a cell of one paragraph is one value, diffed in place whatever its change."""
    old, new = dm.read_blocks(otc), dm.read_blocks(ntc)
    if len(old) == len(new) == 1 and old[0].kind == new[0].kind:
        _diff_pair(old[0], new[0], m)
    else:
        _diff_blocks(old, new, ntc, m)


# --------------------------------------------------------------------------- whole blocks

_STRIP = frozenset(w(t) for t in (
    "bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "commentReference",
    "footnoteReference", "endnoteReference", "permStart", "permEnd", "proofErr", "drawing",
    "pict", "object", "sectPr", "lastRenderedPageBreak",
)) | {"{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}
_UNWRAP = frozenset(w(t) for t in ("hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo", "sdt"))
_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_IDENTITY_ATTRS = (f"{{{_W14}}}paraId", f"{{{_W14}}}textId")


def _unwrap(el: etree._Element) -> None:
    parent = el.getparent()
    content = el.find(SDT_CONTENT) if el.tag == SDT else el
    index = parent.index(el)
    children = [c for c in content] if content is not None else []
    if el.tag == SDT:
        pass
    elif el.tag == w("customXml"):
        children = [c for c in children if c.tag != w("customXmlPr")]
    elif el.tag == w("smartTag"):
        children = [c for c in children if c.tag != w("smartTagPr")]
    for child in reversed(children):
        parent.insert(index, child)
    parent.remove(el)


def _sanitize(el: etree._Element) -> etree._Element:
    """Return a deep copy of OLD content that cannot clash with NEW's package.

    Bookmarks (so `_AB_*` names and ids stay unique), comments, notes, images, section breaks
    and anything referring to OLD's relationships are dropped; hyperlinks, fields, content
    controls and smart tags are unwrapped to their runs.
    """
    el = copy.deepcopy(el)
    for child in list(el.iter(*_STRIP)):
        if child.getparent() is not None:
            child.getparent().remove(child)
    for child in list(el.iter(*_UNWRAP)):
        if child.getparent() is not None:
            _unwrap(child)
    for p in _paragraphs(el):
        _flatten_fields(p)
    for child in list(el.iter()):
        if not isinstance(child.tag, str):
            continue
        if any(k.startswith(f"{{{R_NS}}}") for k in child.attrib) and child.getparent() is not None:
            child.getparent().remove(child)
            continue
        for attr in _IDENTITY_ATTRS:
            child.attrib.pop(attr, None)
    return el


def _flatten_fields(p: etree._Element) -> None:
    """Replace a paragraph's complex fields by their results, so deleted copies are plain text.

    A deleted table-of-contents entry would otherwise keep a PAGEREF to a bookmark that is gone,
    and Word or LibreOffice would print "Error! Reference source not found" in the redline.
    """
    fields = dm.FieldState()
    for run in list(dm.iter_runs(p)):
        for child in list(run):
            if fields.step(child):
                run.remove(child)
            elif child.tag != RPR and (child.tag == INSTR_TEXT or fields.in_code):
                run.remove(child)
        if all(c.tag == RPR for c in run):
            run.getparent().remove(run)


def _wrap_runs(p: etree._Element, tag: str, m: _Marker) -> None:
    """Wrap every group of consecutive sibling runs of a paragraph in a new `tag` element."""
    groups: list[list[etree._Element]] = []
    for run in dm.iter_runs(p):
        if groups and groups[-1][-1].getnext() is run:
            groups[-1].append(run)
        else:
            groups.append([run])
    for group in groups:
        wrapper = m.new(tag)
        group[0].addprevious(wrapper)
        for run in group:
            wrapper.append(run)


def _mark_paragraph(p: etree._Element, tag: str, m: _Marker) -> None:
    """Mark a paragraph's mark as inserted or deleted (`w:pPr/w:rPr/w:ins|w:del`)."""
    ppr = p.find(PPR)
    if ppr is None:
        ppr = etree.Element(PPR)
        p.insert(0, ppr)
    rpr = ppr.find(RPR)
    if rpr is None:
        rpr = etree.Element(RPR)
        after = [c for c in ppr if c.tag in (SECT_PR, w("pPrChange"))]
        if after:
            after[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, m.new(tag))


def _mark_row(tr: etree._Element, tag: str, m: _Marker) -> None:
    trpr = tr.find(TRPR)
    if trpr is None:
        trpr = etree.Element(TRPR)
        ex = tr.find(w("tblPrEx"))
        if ex is not None:
            ex.addnext(trpr)
        else:
            tr.insert(0, trpr)
    trpr.append(m.new(tag))


def _paragraphs(el: etree._Element):
    return [el] if el.tag == P else list(el.iter(P))


def _mark_inserted(el: etree._Element, m: _Marker) -> None:
    """Mark a NEW paragraph, row or table as inserted in place."""
    if el.tag != P:
        for tr in ([el] if el.tag == TR else el.iter(TR)):
            _mark_row(tr, INS, m)
    for p in _paragraphs(el):
        _wrap_runs(p, INS, m)
        _mark_paragraph(p, INS, m)


def _to_deleted_run(run: etree._Element) -> None:
    for child in run:
        if child.tag == T:
            child.tag = DEL_TEXT
        elif child.tag == INSTR_TEXT:
            child.tag = DEL_INSTR


def _deleted_copy(el: etree._Element, m: _Marker) -> etree._Element:
    """Return a sanitized copy of an OLD paragraph, row or table with everything marked deleted."""
    el = _sanitize(el)
    if el.tag != P:
        for tr in ([el] if el.tag == TR else el.iter(TR)):
            _mark_row(tr, DEL, m)
    for p in _paragraphs(el):
        for run in dm.iter_runs(p):
            _to_deleted_run(run)
        _wrap_runs(p, DEL, m)
        _mark_paragraph(p, DEL, m)
    return el


# --------------------------------------------------------------------------- word diff

def word_changes(old: str, new: str) -> list[tuple[int, int, int, int]]:
    """Return the changed character ranges (o1, o2, n1, n2) between two texts, word by word.

    Separators left alone between two changes ("Bedfordshire Police" -> "Kent Constabulary")
    are folded into one change, so the reader sees phrases, not alternating fragments.
    """
    ta, tb = dm.tokenize(old), dm.tokenize(new)
    pa, pb = [0], [0]
    for t in ta:
        pa.append(pa[-1] + len(t))
    for t in tb:
        pb.append(pb[-1] + len(t))
    ops = textdiff.opcodes(ta, tb, significant=dm.is_word)
    changes: list[list[int]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            between = 0 < k < len(ops) - 1
            small = pa[i2] - pa[i1] <= 3 and not any(t[0].isalnum() or t[0] == "_" for t in ta[i1:i2])
            if not (between and small):
                continue
        if changes and changes[-1][1] == i1 and changes[-1][3] == j1:
            changes[-1][1], changes[-1][3] = i2, j2
        else:
            changes.append([i1, i2, j1, j2])
    return [(pa[i1], pa[i2], pb[j1], pb[j2]) for i1, i2, j1, j2 in changes]


def _split_runs(pieces: list[tuple], cuts: set[int]) -> list[tuple[etree._Element, int, int]]:
    """Split NEW's runs so that every cut falls between runs; return (run, start, end) in order."""
    out = []
    k = 0
    while k < len(pieces):
        run = pieces[k][0]
        own = []
        while k < len(pieces) and pieces[k][0] is run:
            own.append(pieces[k])
            k += 1
        refined: dict = {}  # child element -> (start, length); the dict keeps proxies alive
        for _, child, start, length in own:
            inner = [c for c in sorted(cuts) if start < c < start + length]
            if inner and child.tag == T:
                text = child.text or ""
                bounds = [start] + inner + [start + length]
                child.text = text[: bounds[1] - start]
                child.set(f"{{{XML_NS}}}space", "preserve")
                refined[child] = (start, bounds[1] - start)
                prev = child
                for a, b in zip(bounds[1:], bounds[2:]):
                    t = etree.Element(T)
                    t.set(f"{{{XML_NS}}}space", "preserve")
                    t.text = text[a - start: b - start]
                    prev.addnext(t)
                    refined[t] = (a, b - a)
                    prev = t
            else:
                refined[child] = (start, length)
        segments: list[list] = [[]]
        spans: list[list[int]] = [[-1, -1]]
        rpr = None
        for child in list(run):
            if child.tag == RPR:
                rpr = child
                continue
            span = refined.get(child)
            if span is not None:
                if span[0] in cuts and spans[-1][0] >= 0:
                    segments.append([])
                    spans.append([-1, -1])
                if spans[-1][0] < 0:
                    spans[-1][0] = span[0]
                spans[-1][1] = span[0] + span[1]
            segments[-1].append(child)
        out.append((run, spans[0][0], spans[0][1]))
        prev = run
        for seg, (s, e) in zip(segments[1:], spans[1:]):
            new_run = run.makeelement(R, dict(run.attrib))
            if rpr is not None:
                new_run.append(copy.deepcopy(rpr))
            for child in seg:
                new_run.append(child)
            prev.addnext(new_run)
            prev = new_run
            out.append((new_run, s, e))
    return out


def _deleted_runs(pieces: list[tuple], o1: int, o2: int, m: _Marker) -> etree._Element:
    """Return a `w:del` holding OLD's text [o1, o2) in runs with OLD's formatting."""
    wrapper = m.new(DEL)
    current_src, current = None, None
    for run, child, start, length in pieces:
        a, b = max(o1, start), min(o2, start + length)
        if a >= b:
            continue
        if run is not current_src:
            current_src = run
            current = etree.SubElement(wrapper, R, {k: v for k, v in run.attrib.items()})
            rpr = run.find(RPR)
            if rpr is not None:
                current.append(copy.deepcopy(rpr))
        if child.tag == T:
            dt = etree.SubElement(current, DEL_TEXT)
            dt.set(f"{{{XML_NS}}}space", "preserve")
            dt.text = (child.text or "")[a - start: b - start]
        else:
            current.append(copy.deepcopy(child))
    return wrapper


def _diff_paragraph(op: etree._Element, np: etree._Element, m: _Marker) -> None:
    """Mark the word-level changes from OLD paragraph `op` into NEW paragraph `np` in place."""
    otext, opieces = dm.scan_paragraph(op, pieces=True)
    ntext, npieces = dm.scan_paragraph(np, pieces=True)
    changes = word_changes(otext, ntext)
    if not changes:
        return
    cuts = {c for _, _, n1, n2 in changes for c in (n1, n2)}
    runs = _split_runs(npieces, cuts)
    starts = {s: r for r, s, _ in runs}
    for o1, o2, n1, n2 in changes:
        if o2 <= o1:
            continue
        deleted = _deleted_runs(opieces, o1, o2, m)
        if n1 in starts:
            starts[n1].addprevious(deleted)
        elif runs:
            runs[-1][0].addnext(deleted)
        else:
            np.append(deleted)
    for o1, o2, n1, n2 in changes:
        if n2 <= n1:
            continue
        group: list[etree._Element] = []
        for run, s, e in runs:
            if s >= n1 and e <= n2:
                if group and group[-1].getnext() is not run:
                    _wrap(group, INS, m)
                    group = []
                group.append(run)
        if group:
            _wrap(group, INS, m)


def _wrap(group: list[etree._Element], tag: str, m: _Marker) -> None:
    wrapper = m.new(tag)
    group[0].addprevious(wrapper)
    for run in group:
        wrapper.append(run)
