"""Which block of OLD is which block of NEW: sequence alignment in passes, bounded.

Passes, each working in the gaps the previous one left: equal stable ids (the `_AB_*`
bookmarks of a rendered document), kept in order; equal exact keys; keys that occur once on
each side; then pairs by word similarity (>= SIMILARITY, best order-preserving pairing); then,
in a gap holding as many blocks on each side, the blocks pair in order where they share a
word (or are alone), so a short paragraph that changed most of its words is still diffed
word by word rather than deleted and inserted whole. Everything else is a deletion or an
insertion. Every sequence comparison goes through `textdiff` (a bit-parallel longest common
subsequence in C); the similarity pairing is a dynamic program over at most `DP_LIMIT` cells,
a small greedy window beyond.
"""

from __future__ import annotations

from typing import Callable, Sequence

from .. import docmodel as dm
from .. import textdiff

SIMILARITY = 0.5
DP_LIMIT = 4096  # largest (old x new) gap paired by full dynamic programming

Pair = tuple  # (i | None, j | None)


def align(a: Sequence, b: Sequence, *, exact: Callable, loose: Callable | None = None,
          similar: Callable | None = None, anchor: Callable | None = None,
          compatible: Callable | None = None, in_order: Callable | None = None,
          anchors: list[Pair] | None = None) -> list[Pair]:
    """Return the alignment of `a` and `b` as (i, j) pairs, (i, None) deletions, (None, j) insertions.

    `exact(x)`, `loose(x)` and `anchor(x)` return hashable keys (None: no key); `similar(x, y)`
    a score in 0..1; `compatible(x, y)` vetoes a pair in the later passes; `in_order(x, y)`
    allows the last pass (pairing leftovers in order; one block left on each side always pairs
    when compatible). `anchors` gives the first pass's pairs instead of `anchor` (a stretch of a
    large document, cut out of the whole document's `anchor_pairs`).
    """
    compatible = compatible or (lambda x, y: True)

    def plain(i0, i1, j0, j1):
        if in_order is not None and i1 - i0 == j1 - j0 and i1 > i0:
            pairs = [(i0 + k, j0 + k) for k in range(i1 - i0)]
            alone = i1 - i0 == 1
            if all(compatible(a[i], b[j]) and (alone or in_order(a[i], b[j])) for i, j in pairs):
                return pairs
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
        if n * m <= DP_LIMIT:
            best = [[0.0] * (m + 1) for _ in range(n + 1)]
            took = set()
            for i in range(n - 1, -1, -1):
                row, below = best[i], best[i + 1]
                for j in range(m - 1, -1, -1):
                    s = score(i0 + i, j0 + j)
                    value = max(below[j], row[j + 1])
                    if s and below[j + 1] + s > value:
                        value = below[j + 1] + s
                        took.add((i, j))
                    row[j] = value
            i = j = 0
            while i < n and j < m:
                if (i, j) in took:
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

    def lcs(keys_a, keys_b):
        return textdiff.matching_pairs(keys_a, keys_b)

    def by_unique(i0, i1, j0, j1):
        if loose is None or i0 == i1 or j0 == j1:
            return by_similarity(i0, i1, j0, j1)
        ka = [loose(a[i]) for i in range(i0, i1)]
        kb = [loose(b[j]) for j in range(j0, j1)]
        once = _once(ka) & _once(kb)
        if not once:
            return by_similarity(i0, i1, j0, j1)
        ua = [(k, i0 + n) for n, k in enumerate(ka) if k in once]
        ub = [(k, j0 + n) for n, k in enumerate(kb) if k in once]
        matches = [(ua[p][1], ub[q][1]) for p, q in lcs([k for k, _ in ua], [k for k, _ in ub])]
        matches = [(i, j) for i, j in matches if compatible(a[i], b[j])]
        return merged(i0, i1, j0, j1, matches, by_similarity)

    def by_exact(i0, i1, j0, j1):
        if i0 == i1 or j0 == j1:
            return plain(i0, i1, j0, j1)
        pairs = lcs([exact(a[i]) for i in range(i0, i1)], [exact(b[j]) for j in range(j0, j1)])
        return merged(i0, i1, j0, j1, [(i0 + p, j0 + q) for p, q in pairs], by_unique)

    if anchors is None:
        anchors = anchor_pairs([anchor(x) for x in a], [anchor(y) for y in b]) if anchor is not None else []
    return merged(0, len(a), 0, len(b), anchors, by_exact)


def anchor_pairs(keys_a: list, keys_b: list) -> list[Pair]:
    """Return the pairs of equal anchor keys (None: no key) kept in order: the longest common subsequence."""
    common = {k for k in keys_a if k} & {k for k in keys_b if k}
    ia = [(i, k) for i, k in enumerate(keys_a) if k in common]
    ib = [(j, k) for j, k in enumerate(keys_b) if k in common]
    return [(ia[p][0], ib[q][0]) for p, q in textdiff.matching_pairs([k for _, k in ia], [k for _, k in ib])]


def _once(keys: list) -> set:
    count: dict = {}
    for k in keys:
        if k is not None:
            count[k] = count.get(k, 0) + 1
    return {k for k, c in count.items() if c == 1}


def words(text: str) -> list[str]:
    """Return the non-blank tokens of a compared string (objects are one token each)."""
    return [t for t in dm.tokenize(text) if not t.isspace()]


def ratio(x: list[str], y: list[str]) -> float:
    """Return the similarity of two token lists (0..1), cheaply bounded first."""
    if not x and not y:
        return 1.0
    if 2 * min(len(x), len(y)) < SIMILARITY * (len(x) + len(y)):
        return 0.0
    return textdiff.ratio(x, y)
