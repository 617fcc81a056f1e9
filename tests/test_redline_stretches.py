"""The redline a stretch at a time (large documents) gives the whole-tree redline's bytes.

Every pair here goes through `stretches.compare_in_stretches` (checked not to fall back) and
through the whole-tree pass, and the two .docx must be identical, warnings included. Documents
the stretch pass cannot take (tracked changes, notes, a DTD, malformed XML) fall back to the
whole-tree pass, which reports what is wrong as before.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).parent))

from redline_helpers import (  # noqa: E402
    H1, Annex, Body, Clause, Para, Table, build_docx, national_items,
)

from agreement_builder.errors import InputError  # noqa: E402
from agreement_builder.package import read_docx_parts  # noqa: E402
from agreement_builder.redline import compare, stretches  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("the parties shall deliver services to every force under this agreement with costs apportioned "
         "by net revenue expenditure and reported to the board each quarter").split()


def in_stretches(old: bytes, new: bytes):
    return stretches.compare_in_stretches(read_docx_parts(old), read_docx_parts(new), "OLD", "NEW", "a",
                                          "2016-07-19T00:00:00Z")


def same_both_ways(old: bytes, new: bytes, monkeypatch) -> bytes:
    assert in_stretches(old, new) is not None, "the stretch pass fell back"
    monkeypatch.setattr(stretches, "STRETCH_ABOVE", 10 ** 12)
    whole = compare(old, new)
    monkeypatch.setattr(stretches, "STRETCH_ABOVE", 0)
    calls = []
    real = stretches.compare_in_stretches
    monkeypatch.setattr(stretches, "compare_in_stretches", lambda *a, **k: calls.append(1) or real(*a, **k))
    streamed = compare(old, new)
    assert calls, "compare did not take the stretch pass"
    assert streamed.warnings == whole.warnings
    assert streamed.data == whole.data
    return streamed.data


# --------------------------------------------------------------------------- random documents

def _sentence(rng: random.Random, n: int | None = None) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n or rng.randint(3, 14))).capitalize() + "."


def _random_doc(rng: random.Random, ids: bool, sections: int | None = None) -> list:
    """Return sections as [key, [blocks as (kind, text or rows, clause id)]]."""
    out = []
    for s in range(sections or rng.randint(1, 6)):
        blocks = []
        for c in range(rng.randint(0, 6)):
            kind = rng.choice(["clause", "clause", "clause", "body", "table", "empty"])
            if kind == "table":
                rows = [[_sentence(rng, 2), f"{rng.randint(1, 99)}.00"] for _ in range(rng.randint(1, 4))]
                blocks.append(["table", rows, None])
            else:
                blocks.append([kind, "" if kind == "empty" else _sentence(rng),
                               f"c{s}-{c}" if ids and kind == "clause" and rng.random() < 0.5 else None])
        out.append([f"s{s}", blocks, rng.random() < 0.3])
    return out


def _mutate(rng: random.Random, sections: list) -> list:
    import copy

    out = copy.deepcopy(sections)
    for _ in range(rng.randint(0, 6)):
        if not out:
            break
        what = rng.choice(["word", "delete", "insert", "move", "drop_section", "add_section", "cell", "annex"])
        sec = rng.choice(out)
        blocks = sec[1]
        if what == "word" and blocks:
            b = rng.choice(blocks)
            if b[0] in ("clause", "body") and b[1]:
                words = b[1].split()
                words[rng.randrange(len(words))] = rng.choice(WORDS)
                b[1] = " ".join(words)
        elif what == "delete" and blocks:
            blocks.pop(rng.randrange(len(blocks)))
        elif what == "insert":
            blocks.insert(rng.randint(0, len(blocks)), [rng.choice(["clause", "body"]), _sentence(rng), None])
        elif what == "move" and len(out) > 1:
            out.insert(rng.randrange(len(out)), out.pop(rng.randrange(len(out))))
        elif what == "drop_section":
            out.remove(sec)
        elif what == "add_section":
            out.insert(rng.randint(0, len(out)), [f"n{rng.randint(0, 999)}", [["clause", _sentence(rng), None]], False])
        elif what == "cell":
            tables = [b for b in blocks if b[0] == "table"]
            if tables:
                rows = rng.choice(tables)[1]
                r = rng.randrange(len(rows))
                if rng.random() < 0.3:
                    rows.pop(r)
                else:
                    rows[r][1] = f"{rng.randint(100, 999)}.50"
            else:
                blocks.append(["table", [["Force", "1.00"]], None])
        elif what == "annex":
            sec[2] = not sec[2]
    return out


def _items(sections: list, ids: bool) -> list:
    items: list = [Para("Agreement", "Title"), Body("Made under section 22A of the Police Act 1996.")]
    seen = set()
    for key, blocks, annex in sections:
        if key in seen:
            continue
        seen.add(key)
        title = key.replace("s", "Section ").replace("n", "New ")
        items.append((Annex if annex else H1)(title, (f"_AB_F_{key}" if annex else f"_AB_S_{key}") if ids else None))
        for kind, text, cid in blocks:
            if kind == "table":
                items.append(Table([["Force", "Amount"]] + [list(r) for r in text]))
            elif kind == "body":
                items.append(Body(text))
            else:
                items.append(Clause(text, f"_AB_C_{cid}" if cid and ids else None))
    return items


@pytest.mark.parametrize("seed", range(12))
def test_random_pairs_are_the_same_a_stretch_at_a_time(seed, monkeypatch):
    rng = random.Random(seed)
    ids = seed % 3 != 0
    sections = _random_doc(rng, ids)
    changed = _mutate(rng, sections)
    old, new = build_docx(_items(sections, ids)), build_docx(_items(changed, ids))
    same_both_ways(old, new, monkeypatch)
    same_both_ways(new, old, monkeypatch)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False), st.booleans(), st.integers(1, 10))
def test_any_pair_is_the_same_a_stretch_at_a_time(rng, ids, sections):
    with pytest.MonkeyPatch.context() as monkeypatch:
        old_sections = _random_doc(rng, ids, sections)
        changed = _mutate(rng, old_sections)
        same_both_ways(build_docx(_items(old_sections, ids)), build_docx(_items(changed, ids)), monkeypatch)


def test_rendered_agreements_are_the_same_a_stretch_at_a_time(monkeypatch):
    from agreement_builder.render import render_agreement
    from agreement_builder.validate import load_agreement

    docs = [render_agreement(load_agreement(ROOT / "agreements" / f"{n}.yaml")) for n in ("jps-2013", "jps", "psd")]
    for old in docs:
        for new in docs:
            same_both_ways(old, new, monkeypatch)


def test_a_national_pair_with_annexes_moved_and_tables_is_the_same(monkeypatch):
    annexes = [f"Annex {n}" for n in range(12)]
    old = build_docx(national_items(lead="Bedfordshire Police", annexes=annexes))
    new = build_docx(national_items(lead="Kent Police", annexes=annexes[3:] + annexes[:2] + ["Annex 99"],
                                    extra_clause=True))
    same_both_ways(old, new, monkeypatch)
    same_both_ways(new, old, monkeypatch)


def test_settling_at_the_end_of_stretches_takes_the_whole_pass_ids(monkeypatch):
    """Deleted paragraphs just before a table and at stretches' ends: the settling's ids and warnings agree."""
    old = build_docx([H1("One", "_AB_S_one"), Clause("Kept."), Clause("Gone before the table."),
                      Table([["a", "b"]]), Clause("Last of one."), H1("Two", "_AB_S_two"), Clause("Gone too."),
                      Table([["c", "d"]]), Annex("A", "_AB_F_a"), Clause("End.")])
    new = build_docx([H1("One", "_AB_S_one"), Clause("Kept."), Table([["a", "b"]]), Table([["x", "y"]]),
                      H1("Two", "_AB_S_two"), Table([["c", "d"]]), Clause("Inserted before the annex."),
                      Annex("A", "_AB_F_a"), Clause("End."), Clause("Added at the end.")])
    same_both_ways(old, new, monkeypatch)
    same_both_ways(new, old, monkeypatch)


def test_documents_the_stretch_pass_cannot_take_fall_back(monkeypatch):
    plain = build_docx([H1("One", "_AB_S_one"), Clause("Text."), Annex("A", "_AB_F_a"), Table([["x", "y"]])])
    revised = build_docx([H1("One", "_AB_S_one"),
                          Para(raw='<w:ins w:id="1" w:author="x" w:date="2016-01-01T00:00:00Z"><w:r><w:t>new</w:t>'
                               '</w:r></w:ins>')])
    assert in_stretches(plain, revised) is None
    monkeypatch.setattr(stretches, "STRETCH_ABOVE", 0)
    whole = compare(plain, revised)
    assert any("tracked change" in w for w in whole.warnings)  # the whole pass, accepting the revision first
    parts = read_docx_parts(plain)
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data.replace(b"</w:body>", b"</w:bdy>") if name == "word/document.xml" else data)
    assert in_stretches(plain, broken.getvalue()) is None
    with pytest.raises(InputError, match="not well-formed"):
        compare(plain, broken.getvalue())


def test_text_that_looks_like_a_placeholder_id_falls_back(monkeypatch):
    old = build_docx([H1("One", "_AB_S_one"), Clause("Gone."), Table([["a", "b"]])])
    new = build_docx([H1("One", "_AB_S_one"), Table([["a", "b"]]), Clause('x:id="1000000000000000" is text')])
    assert in_stretches(old, new) is None or in_stretches(old, new)[0] == compare(old, new).data
