"""The redline a stretch at a time (large documents) gives the whole-tree redline's bytes.

Every pair here goes through `redline_stream.redline_document` (checked not to fall back) and
through the whole-tree pass, and the two .docx must be identical. Documents the stretch pass
cannot take (tracked changes, a DTD, malformed XML) fall back to the whole-tree pass, which
reports what is wrong as before.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from agreement_builder import redline as redline_module
from agreement_builder.errors import InputError
from agreement_builder.package import read_docx_parts
from agreement_builder.redline import redline
from agreement_builder.redline_stream import redline_document

from .test_redline import _items, _mutate, _random_doc  # (puts tests/ on sys.path for redline_helpers)

from redline_helpers import H1, Annex, Clause, Para, Table, build_docx, national_items  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def same_both_ways(old: bytes, new: bytes, monkeypatch) -> bytes:
    assert redline_document(read_docx_parts(old), read_docx_parts(new), "a", "2016-07-19T00:00:00Z") is not None, \
        "the stretch pass fell back"
    monkeypatch.setattr(redline_module, "STREAM_ABOVE", 10 ** 12)
    whole = redline(old, new)
    monkeypatch.setattr(redline_module, "STREAM_ABOVE", 0)
    streamed = redline(old, new)
    assert streamed == whole
    return streamed


@pytest.mark.parametrize("seed", range(30))
def test_random_pairs_are_the_same_a_stretch_at_a_time(seed, monkeypatch):
    rng = random.Random(seed)
    on = seed % 2 == 0
    sections = _random_doc(rng, on)
    changed = _mutate(rng, sections)
    same_both_ways(build_docx(_items(rng, sections, on)), build_docx(_items(rng, changed, on)), monkeypatch)
    same_both_ways(build_docx(_items(rng, changed, on)), build_docx(_items(rng, sections, on)), monkeypatch)


@settings(max_examples=20, deadline=None)
@given(st.randoms(use_true_random=False), st.booleans())
def test_any_pair_is_the_same_a_stretch_at_a_time(rng, on):
    with pytest.MonkeyPatch.context() as monkeypatch:
        sections = _random_doc(rng, on)
        for _ in range(rng.randint(0, 2)):
            sections += _random_doc(rng, on)
        sections = [[f"{k}{n}", c, r] for n, (k, c, r) in enumerate(sections)]
        changed = _mutate(rng, sections)
        same_both_ways(build_docx(_items(rng, sections, on)), build_docx(_items(rng, changed, on)), monkeypatch)


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


def test_documents_the_stretch_pass_cannot_take_fall_back(monkeypatch):
    plain = build_docx([H1("One", "_AB_S_one"), Clause("Text."), Annex("A", "_AB_F_a"), Table([["x", "y"]])])
    revised = build_docx([H1("One", "_AB_S_one"),
                          Para(raw='<w:ins w:id="1" w:author="x" w:date="2016-01-01T00:00:00Z"><w:r><w:t>new</w:t></w:r></w:ins>')])
    assert redline_document(read_docx_parts(plain), read_docx_parts(revised), "a", "2016-07-19T00:00:00Z") is None
    monkeypatch.setattr(redline_module, "STREAM_ABOVE", 0)
    assert redline(plain, revised) == redline(plain, revised)  # the whole-tree pass, accepting the revision first
    import io
    import zipfile

    parts = read_docx_parts(plain)
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data.replace(b"</w:body>", b"</w:bdy>") if name == "word/document.xml" else data)
    with pytest.raises(InputError, match="not well-formed"):
        redline(plain, broken.getvalue())


def test_the_largest_revision_id_is_found_as_the_whole_tree_pass_finds_it():
    from lxml import etree

    from agreement_builder.redline import _first_free_id
    from agreement_builder.redline_stream import _largest_id

    doc = build_docx(national_items(lead="Kent Police", annexes=["A", "B"]))
    xml = read_docx_parts(doc)["word/document.xml"]
    assert _largest_id(xml) + 1 == _first_free_id(etree.fromstring(xml)) > 1
