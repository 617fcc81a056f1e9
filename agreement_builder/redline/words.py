"""A paired paragraph: its changes marked word by word, and the objects it kept diffed inside.

The two paragraphs are compared as strings (`content.py`: text, one character per object),
word by word (`textdiff`, through `word_changes`). Both paragraphs are first cut into one run per
piece of content (`explode`: a run of three texts and a tab becomes four runs with the same
properties), so that any change boundary falls between runs; NEW's runs in a change are wrapped
in `w:ins`, and OLD's, copied with their formatting (and whatever they refer to, `copies.py`),
go in a `w:del` just before. Objects that stayed (a footnote reference, a text box, a picture)
are paired, and what lies inside them is compared in turn: the note's text, the text box's
paragraphs (and the text box's fallback copy for older Word is then rewritten to match).
"""

from __future__ import annotations

import copy
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, Callable

from lxml import etree

from .. import docmodel as dm
from .. import textdiff
from ..ooxml import R, RPR, T, XML_NS
from .blocks import mark_inserted_units
from .content import FLD_SIMPLE, Content, Obj
from .copies import expand_simple_field
from .marks import inline_units

if TYPE_CHECKING:
    from .session import Session


def word_changes(old: str, new: str, *, keep: Callable[[str], bool] | None = None) -> list[tuple[int, int, int, int]]:
    """Return the changed character ranges (o1, o2, n1, n2) between two texts, word by word.

    Separators left alone between two changes ("Bedfordshire Police" -> "Kent Constabulary"),
    and a word or two left as an island between changes three times their size ("the" in a
    rewritten sentence), are folded into one change, so the reader sees phrases, not
    alternating fragments; a character for which `keep` is true (an object) is never folded in.
    """
    ta, tb = dm.tokenize(old), dm.tokenize(new)
    pa, pb = [0], [0]
    for t in ta:
        pa.append(pa[-1] + len(t))
    for t in tb:
        pb.append(pb[-1] + len(t))
    ops = textdiff.opcodes(ta, tb, significant=dm.is_word)

    def size(op) -> int:  # words changed on the larger side
        _, i1, i2, j1, j2 = op
        return max(sum(1 for t in ta[i1:i2] if not t.isspace()), sum(1 for t in tb[j1:j2] if not t.isspace()))

    changes: list[list[int]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            if not 0 < k < len(ops) - 1 or (keep is not None and any(keep(t[0]) for t in ta[i1:i2])):
                continue
            kept = sum(1 for t in ta[i1:i2] if t[0].isalnum() or t[0] == "_")
            small = pa[i2] - pa[i1] <= 3 and not kept
            island = kept and 3 * kept <= min(size(ops[k - 1]), size(ops[k + 1]))
            if not (small or island):
                continue
        if changes and changes[-1][1] == i1 and changes[-1][3] == j1:
            changes[-1][1], changes[-1][3] = i2, j2
        else:
            changes.append([i1, i2, j1, j2])
    return [(pa[i1], pa[i2], pb[j1], pb[j2]) for i1, i2, j1, j2 in changes]


def explode(p: etree._Element) -> None:
    """Give every piece of a paragraph's content a run of its own (same properties); simple fields become runs."""
    for unit in list(inline_units(p)):
        if unit.tag == FLD_SIMPLE:
            expand_simple_field(unit)
    for run in list(inline_units(p)):
        if run.tag != R:
            continue
        for child in run.findall(dm.w("lastRenderedPageBreak")):
            run.remove(child)
        children = [c for c in run if c.tag != RPR]
        if len(children) <= 1:
            continue
        rpr = run.find(RPR)
        prev = run
        for child in children[1:]:
            new = run.makeelement(R, dict(run.attrib))
            if rpr is not None:
                new.append(copy.deepcopy(rpr))
            new.append(child)
            prev.addnext(new)
            prev = new


def _split(run: etree._Element, start: int, cuts: list[int]) -> list[tuple[etree._Element, int, int]]:
    """Split a one-text run at the given positions; return the runs with their ranges."""
    t = run.find(T)
    text = t.text or ""
    bounds = [start] + cuts + [start + len(text)]
    out = []
    prev = run
    rpr = run.find(RPR)
    for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
        if k == 0:
            t.text = text[: b - start]
            t.set(f"{{{XML_NS}}}space", "preserve")
            out.append((run, a, b))
            continue
        new = run.makeelement(R, dict(run.attrib))
        if rpr is not None:
            new.append(copy.deepcopy(rpr))
        nt = etree.SubElement(new, T)
        nt.set(f"{{{XML_NS}}}space", "preserve")
        nt.text = text[a - start: b - start]
        prev.addnext(new)
        prev = new
        out.append((new, a, b))
    return out


def _cut_copy(run: etree._Element, start: int, a: int, b: int) -> etree._Element:
    """Return a copy of a one-text run holding only its text in [a, b)."""
    new = copy.deepcopy(run)
    t = new.find(T)
    if t is not None:
        t.text = (t.text or "")[a - start: b - start]
        t.set(f"{{{XML_NS}}}space", "preserve")
    return new


def diff_paragraph(s: "Session", op: etree._Element, np: etree._Element, old_part: str, new_part: str) -> None:
    """Mark the changes from OLD paragraph `op` into NEW paragraph `np` in place; diff the objects kept."""
    oc = s.read_old.paragraph(op, old_part)
    nc = s.read_new.paragraph(np, new_part)
    if oc.text == nc.text:
        whole = [(0, len(oc.text), 0, len(nc.text))]
        if not _unshared(s, oc, nc, whole):
            _pair_objects(s, oc, nc, whole, old_part, new_part)
            return
    explode(op)
    explode(np)
    oc = s.read_old.paragraph(op, old_part, fresh=True)
    nc = s.read_new.paragraph(np, new_part, fresh=True)
    changes = word_changes(oc.text, nc.text, keep=s.tokens.is_object)
    extra = _unshared(s, oc, nc, _equal(changes, oc, nc))
    if extra:  # a note NEW shares between references that had different notes in OLD: replaced
        changes = sorted(changes + extra)
    _mark(s, op, np, oc, nc, changes, old_part, new_part)
    _pair_objects(s, oc, nc, _equal(changes, oc, nc), old_part, new_part)
    s.read_old.forget(op)
    s.read_new.forget(np)


def _equal(changes, oc: Content, nc: Content) -> list[tuple[int, int, int, int]]:
    """Return the stretches between changes: (o1, o2, n1, n2), equal text on both sides."""
    equal, po, pn = [], 0, 0
    for o1, o2, n1, n2 in changes:
        equal.append((po, o1, pn, n1))
        po, pn = o2, n2
    equal.append((po, len(oc.text), pn, len(nc.text)))
    return equal


def _mark(s: "Session", op, np, oc: Content, nc: Content, changes, old_part: str, new_part: str) -> None:
    """Wrap NEW's changed runs in `w:ins`, with OLD's changed runs copied in a `w:del` just before."""
    cuts = sorted({c for _, _, n1, n2 in changes for c in (n1, n2)})
    units: list[tuple[etree._Element, int, int]] = []
    for unit, a, b, piece in nc.units():
        inner = [c for c in cuts[bisect_right(cuts, a):bisect_left(cuts, b)]] if isinstance(piece.value, str) else []
        units += _split(unit, a, inner) if inner else [(unit, a, b)]
    starts: dict[int, etree._Element] = {}
    for unit, a, b in units:
        starts.setdefault(a, unit)
    ends = [b for _, _, b in units]
    old_units = oc.units()
    old_ends = [b for _, _, b, _ in old_units]
    for o1, o2, n1, n2 in changes:
        if o2 <= o1:
            continue
        pieces = []
        for unit, a, b, piece in old_units[bisect_right(old_ends, o1):]:
            if a >= o2:
                break
            if isinstance(piece.value, str):
                pieces.append(_cut_copy(unit, a, max(a, o1), min(b, o2)))
            else:
                pieces.append(copy.deepcopy(unit))
        deleted = s.copier.deleted_units(pieces, old_part, new_part)
        if n1 in starts:
            starts[n1].addprevious(deleted)
        elif units:
            k = bisect_right(ends, n1)  # the last unit ending at or before n1
            units[k - 1 if k else -1][0].addnext(deleted)
        else:
            np.append(deleted)
    first = [a for _, a, _ in units]
    for o1, o2, n1, n2 in changes:
        if n2 > n1:
            mark_inserted_units(s, [u for u, a, b in units[bisect_left(first, n1):] if b <= n2 and a < n2], new_part)


def _unshared(s: "Session", oc: Content, nc: Content, equal) -> list[tuple[int, int, int, int]]:
    """Return, as one-character changes, kept note references whose note cannot be diffed in place.

    A NEW note referenced more than once can show only one OLD text when the changes are
    rejected; a reference whose OLD note differs from it is shown as replaced instead.
    """
    oobj, nobj = oc.objects(), nc.objects()
    out = []
    for o1, o2, n1, _ in equal:
        for pos in range(o1, o2):
            a = oobj.get(pos)
            if a is None or a.kind not in ("footnotes", "endnotes"):
                continue
            b = nobj.get(pos - o1 + n1)
            if b is not None and not s.notes.can_diff(a.kind, a.note_id, b.note_id):
                out.append((pos, pos + 1, pos - o1 + n1, pos - o1 + n1 + 1))
    return out


def _pair_objects(s: "Session", oc: Content, nc: Content, equal: list[tuple[int, int, int, int]],
                  old_part: str, new_part: str) -> None:
    """Diff inside the objects both paragraphs kept (equal stretches pair position by position)."""
    oobj, nobj = oc.objects(), nc.objects()
    if not oobj:
        return
    for o1, o2, n1, _ in equal:
        for pos in range(o1, o2):
            a = oobj.get(pos)
            if a is None:
                continue
            b = nobj.get(pos - o1 + n1)
            if b is not None:
                _pair(s, a, b, old_part, new_part)


def _pair(s: "Session", a: Obj, b: Obj, old_part: str, new_part: str) -> None:
    if a.kind in ("footnotes", "endnotes"):
        s.notes.diff(a.kind, a.note_id, b.note_id)
    elif a.kind == "drawing" and a.boxes and len(a.boxes) == len(b.boxes):
        for ob, nb in zip(a.boxes, b.boxes):
            if s.read_old.container_digest(ob, old_part) != s.read_new.container_digest(nb, new_part):
                s.diff_container(ob, nb, old_part, new_part)
        for nb, fb in zip(b.boxes, b.fallbacks):
            _mirror(s, nb, fb)


def _mirror(s: "Session", box: etree._Element, fallback: etree._Element) -> None:
    """Make a text box's fallback copy (for Word 2007) read as the marked text box, with ids of its own."""
    for child in list(fallback):
        fallback.remove(child)
    for child in box:
        fallback.append(copy.deepcopy(child))
    for el in fallback.iter(dm.INS, dm.DEL):
        el.set(dm.ID, str(s.marker.take_id()))
    for el in list(fallback.iter(dm.BOOKMARK_START, dm.BOOKMARK_END)):
        el.getparent().remove(el)
