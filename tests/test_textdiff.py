"""The bounded sequence diff every comparison uses: correct edit scripts, optimal matches, a fallback past the bound."""

from hypothesis import given, settings, strategies as st

from agreement_builder.docmodel import is_word, tokenize
from agreement_builder.textdiff import matching_pairs, opcodes, ratio


def _apply(ops, a, b):
    out = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            out.extend(a[i1:i2])
        else:
            out.extend(b[j1:j2])
    return out


def _lcs(a, b) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, start=1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


tokens = st.lists(st.sampled_from(["a", "b", "c", " ", "the", "."]), max_size=30)


@given(tokens, tokens)
@settings(max_examples=300, deadline=None)
def test_edit_script_is_complete_and_optimal(a, b):
    ops = opcodes(a, b)
    assert _apply(ops, a, b) == b
    # the script covers both sequences in order, without gaps
    assert [op[1] for op in ops] == [0] + [op[2] for op in ops[:-1]] if ops else a == b == []
    assert all(x[0] != "equal" or y[0] != "equal" for x, y in zip(ops, ops[1:]))
    assert all(x[0] == "equal" or y[0] == "equal" for x, y in zip(ops, ops[1:]))  # changes merged
    assert sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal") == _lcs(a, b)
    assert len(matching_pairs(a, b)) == _lcs(a, b)
    assert abs(ratio(a, b) - (2 * _lcs(a, b) / (len(a) + len(b)) if a or b else 1.0)) < 1e-12


@given(st.text(alphabet="ab .,", max_size=40), st.text(alphabet="ab .,", max_size=40))
@settings(max_examples=300, deadline=None)
def test_word_script_rebuilds_new_and_matches_every_common_word(old, new):
    a, b = tokenize(old), tokenize(new)
    ops = opcodes(a, b, significant=is_word)
    assert "".join(_apply(ops, a, b)) == new
    words_a, words_b = [t for t in a if is_word(t)], [t for t in b if is_word(t)]
    matched = sum(1 for tag, i1, i2, _, _ in ops if tag == "equal" for t in a[i1:i2] if is_word(t))
    assert matched == _lcs(words_a, words_b)


def test_words_outweigh_the_spaces_between_them():
    old = "The Parties shall seek the agreement of their insurers to the Lead Force arrangements."
    new = "The Parties note that their insurers have confirmed that they agree to the Lead Force arrangements."
    a, b = tokenize(old), tokenize(new)
    kept = "".join("".join(a[i1:i2]) for tag, i1, i2, _, _ in opcodes(a, b, significant=is_word) if tag == "equal")
    assert "their insurers" in kept and "to the Lead Force arrangements." in kept


def test_a_change_starts_at_a_word():
    a, b = tokenize("agreed in writing by all"), tokenize("agreed by all")
    ops = opcodes(a, b, significant=is_word)
    assert [("".join(a[i1:i2]), "".join(b[j1:j2])) for tag, i1, i2, j1, j2 in ops if tag != "equal"] == [("in writing ", "")]


def test_past_the_bound_the_middle_is_one_replacement():
    a, b = list("xabcdy"), list("xefghy")
    assert opcodes(a, b, max_cells=4) == [("equal", 0, 1, 0, 1), ("replace", 1, 5, 1, 5), ("equal", 5, 6, 5, 6)]
    assert _apply(opcodes(a, b, max_cells=4), a, b) == b


def _greedy_pairs(a, b, cutoff):
    scored = sorted((-ratio(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b) if ratio(x, y) >= cutoff)
    used_a, used_b, pairs = set(), set(), []
    for _, i, j in scored:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return sorted(pairs)


items = st.lists(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=6), max_size=8)


@given(items, items, st.sampled_from([0.0, 0.5, 0.6, 0.9]))
@settings(max_examples=300, deadline=None)
def test_pair_similar_is_the_best_first_pairing_of_every_pair(a, b, cutoff):
    from agreement_builder.textdiff import pair_similar

    assert pair_similar(a, b, cutoff=cutoff) == _greedy_pairs(a, b, cutoff)


def test_pair_similar_compares_at_most_the_bound(monkeypatch):
    """2,000 reworded items against 2,000: a band along the diagonal, not four million comparisons."""
    from agreement_builder import textdiff

    calls = []
    real = textdiff.ratio
    monkeypatch.setattr(textdiff, "ratio", lambda x, y: calls.append(1) or real(x, y))
    a = [[f"w{i}", f"x{i}", f"y{i}", "z"] for i in range(2_000)]
    b = [[f"w{i}", f"x{i}", f"y{i}", "changed"] for i in range(2_000)]
    pairs = textdiff.pair_similar(a, b, cutoff=0.6, max_pairs=20_000)
    assert pairs == [(i, i) for i in range(2_000)]
    assert len(calls) <= 20_000
