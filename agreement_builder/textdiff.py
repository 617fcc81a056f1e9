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
