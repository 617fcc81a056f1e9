"""Sequence diffs with a bound on the work: the one place that compares token lists.

difflib's SequenceMatcher is quadratic on typical input and cubic on the worst (a 2,000-word
clause with every third word changed took a minute). Here the longest common subsequence is
found by rapidfuzz's bit-parallel algorithm in C (about n·m/64 machine words of work and
memory), after the common prefix and suffix are set aside, and a middle too large to compare
within `MAX_CELLS` is reported as one replacement instead of stalling. Results have the shape
of `SequenceMatcher.get_opcodes()`, with neighbouring changes merged into one `replace`.
"""

from __future__ import annotations

from typing import Callable, Hashable, Sequence

from rapidfuzz.distance import Indel

#: The largest middle (tokens of OLD × tokens of NEW) compared token by token: 2.5·10⁸ cells is
#: about 30 MB of bit matrix and a quarter of a second; past it the middle is one replacement.
MAX_CELLS = 250_000_000

Opcode = tuple[str, int, int, int, int]


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable], *, max_cells: int = MAX_CELLS,
            significant: Callable[[Hashable], bool] | None = None) -> list[Opcode]:
    """Return the edit script from `a` to `b` as ("equal" | "replace" | "delete" | "insert", i1, i2, j1, j2).

    Equal runs are a longest common subsequence; consecutive changes are merged into one
    replacement. When the part between the common prefix and suffix is larger than
    `max_cells`, it is one replacement (correct, only coarser).

    `significant(token)`: only such tokens are matched by the subsequence (for words, not the
    spaces between them: otherwise five matching spaces outweigh two matching words); the
    others are equal where they sit between matched tokens and agree, preferring the start of a gap.
    """
    if significant is not None:
        return _merge(_by_significant(a, b, significant, max_cells))
    n, m = len(a), len(b)
    start = 0
    while start < n and start < m and a[start] == b[start]:
        start += 1
    end_a, end_b = n, m
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    raw: list[Opcode] = []
    if start:
        raw.append(("equal", 0, start, 0, start))
    if (end_a - start) * (end_b - start) > max_cells:
        raw.append(("replace", start, end_a, start, end_b))
    elif end_a > start or end_b > start:
        middle = Indel.opcodes(list(a[start:end_a]), list(b[start:end_b]))
        for op in middle:
            raw.append((op.tag, op.src_start + start, op.src_end + start, op.dest_start + start, op.dest_end + start))
    if end_a < n:
        raw.append(("equal", end_a, n, end_b, m))
    return _merge(raw)


def _by_significant(a, b, significant, max_cells: int) -> list[Opcode]:
    sa = [i for i, t in enumerate(a) if significant(t)]
    sb = [j for j, t in enumerate(b) if significant(t)]
    anchors = [(sa[p], sb[q]) for p, q in matching_pairs([a[i] for i in sa], [b[j] for j in sb], max_cells=max_cells)]
    raw: list[Opcode] = []
    pi = pj = 0
    for i, j in [*anchors, (len(a), len(b))]:
        # the gap a[pi:i] / b[pj:j] holds no matched significant token: match its common start, then
        # its end, so that a change begins at a word ("agreed [-in writing -]by")
        start_i, start_j = pi, pj
        while start_i < i and start_j < j and a[start_i] == b[start_j] and not significant(a[start_i]):
            start_i += 1
            start_j += 1
        end_i, end_j = i, j
        while end_i > start_i and end_j > start_j and a[end_i - 1] == b[end_j - 1] and not significant(a[end_i - 1]):
            end_i -= 1
            end_j -= 1
        raw.append(("equal", pi, start_i, pj, start_j))
        raw.append(("replace", start_i, end_i, start_j, end_j))
        raw.append(("equal", end_i, i, end_j, j))
        if i < len(a):
            raw.append(("equal", i, i + 1, j, j + 1))
        pi, pj = i + 1, j + 1
    return raw


def _merge(raw: list[Opcode]) -> list[Opcode]:
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in raw:
        if i1 == i2 and j1 == j2:
            continue
        change = tag != "equal"
        if out and (out[-1][0] != "equal") == change:
            _, p1, _, q1, _ = out[-1]
            out[-1] = (tag if not change else "", p1, i2, q1, j2)
        else:
            out.append((tag, i1, i2, j1, j2))
    result = []
    for tag, i1, i2, j1, j2 in out:
        if tag != "equal":
            tag = "replace" if i1 < i2 and j1 < j2 else ("delete" if i1 < i2 else "insert")
        result.append((tag, i1, i2, j1, j2))
    return result


def ratio(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Return 2·LCS / (len(a) + len(b)): 1.0 for equal sequences, 0.0 for nothing in common.

    The same measure as difflib's `ratio()` when the matching is a longest common subsequence.
    """
    if not a and not b:
        return 1.0
    return float(Indel.normalized_similarity(list(a), list(b)))


def matching_pairs(a: Sequence[Hashable], b: Sequence[Hashable], *, max_cells: int = MAX_CELLS) -> list[tuple[int, int]]:
    """Return the (i, j) index pairs of the equal elements in a longest common subsequence."""
    pairs = []
    for tag, i1, i2, j1, _ in opcodes(a, b, max_cells=max_cells):
        if tag == "equal":
            pairs.extend((i1 + k, j1 + k) for k in range(i2 - i1))
    return pairs


#: The most item pairs `pair_similar` compares (each a bit-parallel ratio in C, about 2 µs for
#: a clause): a quarter of a million is about half a second.
MAX_PAIRS = 250_000


def pair_similar(a: Sequence[Sequence[Hashable]], b: Sequence[Sequence[Hashable]], *, cutoff: float,
                 max_pairs: int = MAX_PAIRS) -> list[tuple[int, int]]:
    """Return (i, j) pairs of items of `a` and `b` whose `ratio` is at least `cutoff`, sorted by i.

    Best ratios pair first; each item pairs at most once; ties go to the earlier items. When
    len(a)·len(b) is more than `max_pairs`, each item of `a` is compared only with the items of
    `b` around the same relative place (a band along the diagonal), so that the work stays
    within `max_pairs` (or at one comparison an item, on the diagonal, for more items than that):
    an item reworded and moved far is then unpaired (removed and inserted: correct, only coarser).
    """
    n, m = len(a), len(b)
    if not n or not m:
        return []
    lists = [list(y) for y in b]
    lengths = [len(y) for y in lists]
    # items of b within `band` places of the diagonal: 2·band + 1 comparisons for each item of a
    band = m if n * m <= max_pairs else max(0, (max_pairs // n - 1) // 2)
    scored = []
    for i, item in enumerate(a):
        x = list(item)
        lx = len(x)
        centre = i * m // n
        lo, hi = (0, m) if band >= m else (max(0, centre - band), min(m, centre + band + 1))
        for j in range(lo, hi):
            ly = lengths[j]
            # ratio ≤ 2·min/(lx+ly): skip pairs whose lengths alone keep them below the cutoff
            if 2 * min(lx, ly) < cutoff * (lx + ly) - 1e-9:
                continue
            score = ratio(x, lists[j])
            if score >= cutoff:
                scored.append((-score, i, j))
    scored.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, i, j in scored:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return sorted(pairs)
