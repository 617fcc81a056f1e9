"""The YAML loader: positions, safety, exact numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from agreement_builder.errors import InputError
from agreement_builder.loader import load_yaml, load_yaml_text


def error_of(text: bytes | str):
    with pytest.raises(InputError) as info:
        load_yaml_text(text, "f.yaml")
    assert len(info.value.issues) == 1
    return info.value.issues[0]


def test_positions_of_values_and_keys():
    loaded = load_yaml_text("a:\n  b: [1, x]\n  c: hello\n", "f.yaml")
    assert loaded.source.value(("a", "b", 1)).line == 2
    assert loaded.source.value(("a", "b", 1)).column == 10
    assert (loaded.source.key(("a", "c")).line, loaded.source.key(("a", "c")).column) == (3, 3)


def test_numbers_are_decimals_from_the_written_digits():
    data = load_yaml_text("budget: 6250000.10\nshare: 33.33\ncount: 3120\n", "f.yaml").data
    assert data == {"budget": Decimal("6250000.10"), "share": Decimal("33.33"), "count": Decimal("3120")}
    assert str(data["budget"]) == "6250000.10"  # never went through float


def test_keys_stay_text_and_dates_are_dates():
    data = load_yaml_text("no: yes\n2016: x\nd: 2016-07-19\n", "f.yaml").data
    assert data == {"no": True, "2016": "x", "d": dt.date(2016, 7, 19)}


def test_duplicate_key_is_an_error_at_the_second_key():
    issue = error_of("a: 1\nb: 2\na: 3\n")
    assert (issue.position.line, issue.position.column) == (3, 1)
    assert "duplicate key `a`" in issue.message and "line 1" in issue.message


def test_empty_file():
    issue = error_of(b"")
    assert issue.message == "the file is empty" and issue.position.line == 1


def test_whitespace_only_file_is_empty():
    assert error_of("   \n# just a comment\n").message == "the file is empty"


def test_tab_indentation_names_the_tab():
    issue = error_of("a:\n\tb: 1\n")
    assert issue.position.line == 2 and "tab" in issue.message and "spaces" in issue.hint


def test_bad_indentation_names_the_line():
    issue = error_of("a:\n  b: 1\n c: 2\n")
    assert issue.position.line == 3 and "indentation" in issue.message


def test_utf8_bom_is_accepted():
    assert load_yaml_text(b"\xef\xbb\xbfa: 1\n", "f.yaml").data == {"a": Decimal(1)}


def test_invalid_utf8_names_the_line():
    issue = error_of(b"a: 1\nb: caf\xe9\n")
    assert issue.position.line == 2 and "UTF-8" in issue.message


def test_impossible_date_names_the_field_and_says_why():
    issue = error_of("agreement:\n  date: 2016-02-30\n")
    assert issue.message == "`agreement.date`: 2016-02-30 is not a date (February 2016 has 29 days)"
    assert (issue.position.line, issue.position.column) == (2, 9)
    assert error_of("d: 2014-13-01\n").message == "`d`: 2014-13-01 is not a date (there is no month 13)"


def test_hex_and_infinity_are_refused():
    assert "not a plain decimal number" in error_of("a: 0x1f\n").message
    assert "not a plain decimal number" in error_of("a: .inf\n").message


def test_python_tags_are_refused():
    assert "!!python/object:os.system` is not supported" in error_of("a: !!python/object:os.system x\n").message


def test_billion_laughs_stops_at_the_node_limit(monkeypatch):
    """Refused after MAX_NODES values, not after the 10⁹ the aliases expand to (counted, not timed)."""
    from agreement_builder import loader

    visited = []
    convert = loader._Converter.convert
    monkeypatch.setattr(loader._Converter, "convert", lambda self, node, path: visited.append(1) or convert(self, node, path))
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))
    issue = error_of(text)
    assert "expands" in issue.message
    assert len(visited) == loader.MAX_NODES + 1


def test_recursive_alias_and_deep_nesting():
    assert "contains it" in error_of("a: &a [*a]\n").message
    assert "nested" in error_of("[" * 3000 + "]" * 3000).message


def test_merge_keys_follow_yaml():
    data = load_yaml_text("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n", "f.yaml").data
    assert data["c"] == {"x": Decimal(1), "y": Decimal(3)}


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_yaml(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="folder"):
        load_yaml(tmp_path)


@pytest.mark.parametrize("name", ["parties.yaml", "agreements/jps.yaml", "agreements/jps-2013.yaml", "agreements/psd.yaml", "summit.yaml"])
def test_libyaml_and_pure_python_read_the_same_data_and_positions(name, monkeypatch):
    """The fast path (libyaml) must be invisible: same values, same positions as PyYAML's own parser."""
    from pathlib import Path

    from agreement_builder import loader

    path = Path(__file__).resolve().parent.parent / name
    fast = load_yaml(path)
    monkeypatch.setattr(loader, "_CLoader", None)
    slow = load_yaml(path)
    assert fast.data == slow.data
    assert fast.source.values == slow.source.values and fast.source.keys == slow.source.keys


def test_nesting_too_deep_for_libyaml_is_read_safely():
    """libyaml would overflow the C stack here; the loader must refuse cleanly instead of crashing."""
    issue = error_of("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nested" in issue.message


def test_errors_read_the_same_whichever_parser_found_them():
    issue = error_of("a: 1\n  b: 2\n")
    assert issue.position.line == 2 and issue.rule == "yaml"
