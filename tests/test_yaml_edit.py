"""yaml_edit: edits that change only the values they are about; everything else stays byte for byte."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreement_builder.loader import load_yaml_text
from agreement_builder.yaml_edit import Edit, EditError, apply, write

ROOT = Path(__file__).resolve().parent.parent
JPS = (ROOT / "agreements" / "jps.yaml").read_text()

TEXT = """# top comment
agreement:
  title: Example          # trailing comment
  version: "1.0"
  quoted: 'single'
  date: 2016-07-19
items:
  - first
  # between
  - second
flow: [a, b]
nested:
  text: >-
    A folded paragraph that runs
    over three lines of the file
    and ends here.
"""


def _data(text: str):
    return load_yaml_text(text, "<t>").data


def test_only_the_edited_values_change():
    result = apply(TEXT, [Edit("set", ("agreement", "title"), "Other: title"),
                          Edit("set", ("agreement", "version"), "1.1"),
                          Edit("set", ("agreement", "quoted"), "it's"),
                          Edit("set", ("agreement", "date"), dt.date(2017, 1, 2))])
    assert result.text == TEXT.replace("Example", '"Other: title"').replace('"1.0"', '"1.1"') \
        .replace("'single'", "'it''s'").replace("2016-07-19", "2017-01-02")
    assert result.lines == [3, 4, 5, 6]


def test_folded_paragraph_keeps_its_unchanged_lines():
    new = "A folded paragraph that runs over four lines, now, of the file and ends here."
    result = apply(TEXT, [Edit("set", ("nested", "text"), new)])
    assert result.text.endswith("    A folded paragraph that runs\n    over four lines, now, of the file\n    and ends here.\n")
    assert _data(result.text)["nested"]["text"] == new


def test_list_items_inserted_and_removed_as_lines():
    result = apply(TEXT, [Edit("insert", ("items", 1), "new: item"), Edit("remove", ("items", 0)),
                          Edit("insert", ("items", 2), "last")])
    assert "items:\n  # between\n  - \"new: item\"\n  - second\n  - last\nflow:" in result.text  # the comment stays
    assert _data(result.text)["items"] == ["new: item", "second", "last"]


def test_removing_the_last_item_leaves_an_empty_list():
    text = "a:\n  b:\n    - only\n  c: 1\n"
    assert apply(text, [Edit("remove", ("a", "b", 0))]).text == "a:\n  b: []\n  c: 1\n"


def test_a_missing_key_is_added_at_the_end_of_its_mapping():
    result = apply(JPS, [Edit("insert", ("clauses", "governance", 0), {"id": "new_one", "text": "A new clause."})])
    assert result.text == JPS + "  governance:\n    - id: new_one\n      text: A new clause.\n"
    no_clauses = JPS[: JPS.index("clauses:")]
    result = apply(no_clauses, [Edit("insert", ("clauses", "governance", 0), {"id": "x", "text": "T."})])
    assert result.text == no_clauses + "clauses:\n  governance:\n    - id: x\n      text: T.\n"


def test_what_cannot_be_made_exactly_is_refused():
    with pytest.raises(EditError, match="one item per line"):
        apply(TEXT, [Edit("insert", ("flow", 1), "c")])
    with pytest.raises(EditError, match="only a single value"):
        apply(TEXT, [Edit("set", ("items",), "x")])


def test_numbers_keep_their_quoting():
    result = apply(JPS, [Edit("set", ("functions", 0, "budget"), Decimal("1900000.00")),
                         Edit("set", ("functions", 0, "apportionment", "demand", "bedfordshire"), Decimal("41300"))])
    assert 'budget: "1900000.00"' in result.text and "{bedfordshire: 41300, cambridgeshire" in result.text


_CHARS = st.sampled_from(list("abcXYZ019 .,;:'\"#&{}[]<>%@!*|>-?`“”‘’£€\\/"))


@settings(max_examples=150, deadline=None)
@given(st.text(_CHARS, min_size=1, max_size=120).filter(lambda t: t.strip() == t and t and "  " not in t))
def test_any_clause_text_reads_back_exactly(text):
    """Whatever a reviewer types (quotes, `#`, `: `, braces, backslashes), the file reads back as typed."""
    result = apply(JPS, [Edit("set", ("clauses", "accountability", 0, "text"), text),
                         Edit("insert", ("functions", 0, "specification", "services", 1), text)])
    data = _data(result.text)
    assert data["clauses"]["accountability"][0]["text"] == text
    assert data["functions"][0]["specification"]["services"][1] == text
    assert [l for l in result.text.splitlines() if l.startswith("#")] == [l for l in JPS.splitlines() if l.startswith("#")]


def test_write_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n")
    write(path, "a: 2\n")
    assert path.read_text() == "a: 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]  # no temporary file left behind


def test_a_plain_value_stays_plain():
    assert apply(TEXT, [Edit("set", ("items", 1), "other words")]).text == TEXT.replace("- second", "- other words")
