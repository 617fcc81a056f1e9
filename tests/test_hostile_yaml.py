"""Input that would fail later is refused by `validate` at FILE:LINE:COL (issue 10, item 10).

Each case goes through the command line twice: `validate` must print the exact error line and
exit 1, and `render` must stop with the same line, exit 1, and write nothing.
"""

from __future__ import annotations

import pytest

from .conftest import replace_once
from .test_validate import JPS

TITLE = "  title: Joint Protective Services\n"
CLAUSE = ("      text: >-\n        The Parties note that their insurers have confirmed in writing that they agree to "
          "the\n        Lead Force arrangements in this Agreement.\n")
DATE = "  date: 2016-07-19\n"


def line_of(text: str, marker: str) -> int:
    return text[: text.index(marker)].count("\n") + 1


# (id, old text of jps.yaml, new text, (line marker, column), the error after "error: ")
CASES = [
    ("control character in a clause", CLAUSE, '      text: "The Parties\\x01 note."\n',
     ('text: "The Parties', 13), "`clauses.liabilities.text`: the text contains the control character U+0001 [yaml]"),
    ("vertical tab in a clause", CLAUSE, '      text: "The Parties\\v note."\n',
     ('text: "The Parties', 13), "`clauses.liabilities.text`: the text contains the control character U+000B "
                                 "(VT, vertical tab) [yaml]"),
    ("NUL escape in a clause", CLAUSE, '      text: "The Parties\\0 note."\n',
     ('text: "The Parties', 13), "`clauses.liabilities.text`: the text contains the control character U+0000 (NUL) [yaml]"),
    ("escape escape in a title", TITLE, '  title: "Joint \\e[31mProtective"\n',
     ('title: "Joint', 10), "`agreement.title`: the text contains the control character U+001B (ESC, escape) [yaml]"),
    ("raw escape character in a title", TITLE, "  title: Joint \x1b[31mProtective\n",
     ("title: Joint", 16), "the file contains the control character U+001B (ESC, escape), which YAML does not allow [yaml]"),
    ("non-character U+FFFE", TITLE, '  title: "Joint \\uFFFE Services"\n',
     ('title: "Joint', 10), "`agreement.title`: the text contains the non-character U+FFFE [yaml]"),
    ("form feed in a title", TITLE, '  title: "Joint\\fServices"\n',
     ('title: "Joint', 10), "`agreement.title`: the text contains the control character U+000C (FF, form feed) [yaml]"),
    ("bell in a clause", CLAUSE, '      text: "The Parties\\a note."\n',
     ('text: "The Parties', 13), "`clauses.liabilities.text`: the text contains the control character U+0007 "
                                 "(BEL, the bell) [yaml]"),
    ("carriage return in a clause", CLAUSE, '      text: "The Parties\\r note."\n',
     ('text: "The Parties', 13), "`clauses.liabilities.text`: the text contains the control character U+000D "
                                 "(CR, carriage return) [yaml]"),
    ("tab in a title", TITLE, '  title: "Joint\\tServices"\n',
     ('title: "Joint', 10), "`title`: a tab cannot appear here: this is one line of text (write it on one line, "
                            "or with `>-` to fold several lines into one) [format]"),
    ("line break in a title", TITLE, "  title: |-\n    Joint\n    Services\n",
     ("title: |-", 10), "`title`: a line break cannot appear here: this is one line of text (write it on one line, "
                        "or with `>-` to fold several lines into one) [format]"),
    ("line break in a file name", "  previous: jps-2013.yaml\n", '  previous: "jps-\\n2013.yaml"\n',
     ("previous:", 13), "`previous`: a line break cannot appear here: this is one line of text (write it on one "
                        "line, or with `>-` to fold several lines into one) [format]"),
    ("word too long to lay out", CLAUSE, "      text: >-\n        The Parties " + "x" * 100_000 + " note.\n",
     ("text: >-\n        The Parties x", 13),
     "`clauses.liabilities.text`: the text has a word of 100,000 characters with no space; a line of a page cannot "
     "hold it (at most 200 characters) [yaml]"),
    ("non-breaking spaces do not break a word", CLAUSE, "      text: >-\n        The Parties " + "x\u00a0" * 150 + " note.\n",
     ("text: >-\n        The Parties x", 13),
     "`clauses.liabilities.text`: the text has a word of 300 characters with no space; a line of a page cannot "
     "hold it (at most 200 characters) [yaml]"),
    ("tag on a mapping", "    weights: {nre: 50, demand: 50}\n", "    weights: !!set {nre, demand}\n",
     ("weights: !!set", 16), "`functions.apportionment.weights`: the YAML tag `!!set` on a mapping is not supported [yaml]"),
    ("tag on a list", "forces: [bedfordshire, cambridgeshire, hertfordshire]",
     "forces: !x [bedfordshire, cambridgeshire, hertfordshire]",
     ("forces: !x", 9), "`forces`: the YAML tag `!x` on a list is not supported [yaml]"),
    ("ordered-map tag", "provisions: [force, policing_body_and_force]", "provisions: !!omap [{force: 1}]",
     ("provisions: !!omap", 13), "`provisions`: the YAML tag `!!omap` on a list is not supported [yaml]"),
    ("duplicate merge key", "    weights: {nre: 50, demand: 50}\n",
     "    weights:\n      <<: {nre: 50}\n      <<: {demand: 50}\n",
     ("      <<: {demand", 7), "duplicate key `<<` (first given on line {first}) [yaml]"),
    ("impossible month", DATE, "  date: 2014-13-01\n",
     ("date: 2014-13-01", 9), "`agreement.date`: 2014-13-01 is not a date (there is no month 13) [yaml]"),
    ("impossible day", DATE, "  date: 2015-02-29\n",
     ("date: 2015-02-29", 9), "`agreement.date`: 2015-02-29 is not a date (February 2015 has 28 days) [yaml]"),
]


@pytest.mark.parametrize("name,old,new,where,message", CASES, ids=[c[0] for c in CASES])
def test_refused_at_file_line_col_and_nothing_rendered(workspace, run, name, old, new, where, message):
    text = replace_once(JPS, old, new)
    path = workspace / "agreements" / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    marker, column = where
    line = line_of(text, marker)  # a block scalar's position is its `>-` or `|`
    message = message.replace("{first}", str(line - 1))
    expected = f"agreements/bad.yaml:{line}:{column}: error: {message}"
    for command in (["validate", "agreements/bad.yaml"], ["render", "agreements/bad.yaml", "-o", "bad.docx"]):
        result = run(*command, cwd=workspace)
        assert result.exit_code == 1, result.output
        assert expected in result.output.splitlines(), f"expected {expected!r} in:\n{result.output}"
        assert "internal error" not in result.output and "Traceback" not in result.output
    assert not (workspace / "bad.docx").exists()
    assert sorted(p.name for p in workspace.iterdir()) == ["agreements", "parties.yaml", "summit.yaml"]


def test_tabs_and_line_breaks_are_allowed_in_clauses(workspace, run):
    text = replace_once(JPS, CLAUSE, '      text: "The Parties\\tnote\\nthat their insurers."\n')
    (workspace / "agreements" / "ok.yaml").write_text(text, encoding="utf-8")
    result = run("validate", "agreements/ok.yaml", cwd=workspace)
    assert result.exit_code == 0, result.output


def test_a_raw_nul_byte_is_refused_at_its_place(workspace, run):
    raw = replace_once(JPS, TITLE, "  title: Joint\x00Services\n").encode("utf-8")
    (workspace / "agreements" / "nul.yaml").write_bytes(raw)
    result = run("validate", "agreements/nul.yaml", cwd=workspace)
    assert result.exit_code == 1
    line = line_of(JPS, TITLE)
    assert (f"agreements/nul.yaml:{line}:15: error: the file is not UTF-8 text: it contains a NUL byte [yaml]"
            in result.output.splitlines())


def test_utf16_without_bom_is_not_utf8_with_a_position(workspace, run):
    (workspace / "agreements" / "u16.yaml").write_bytes(JPS.encode("utf-16-le"))
    result = run("validate", "agreements/u16.yaml", cwd=workspace)
    assert result.exit_code == 1
    assert ("agreements/u16.yaml:1:2: error: the file is not UTF-8 text: it looks like UTF-16 (every other byte "
            "is zero) [yaml]") in result.output.splitlines()


def test_utf16_with_bom_is_named(workspace, run):
    (workspace / "agreements" / "u16.yaml").write_bytes(JPS.encode("utf-16"))
    result = run("validate", "agreements/u16.yaml", cwd=workspace)
    assert result.exit_code == 1
    assert ("agreements/u16.yaml:1:1: error: the file is not UTF-8 text: it is UTF-16 (it starts with a UTF-16 "
            "byte order mark) [yaml]") in result.output.splitlines()


def test_a_binary_file_is_neither_utf16_nor_quoted(workspace, run):
    blob = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8
    (workspace / "agreements" / "bin.yaml").write_bytes(blob)
    result = run("validate", "agreements/bin.yaml", cwd=workspace)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == ("agreements/bin.yaml:1:8: error: the file is not UTF-8 text: "
                                             "it contains a NUL byte [yaml]")


def test_messages_never_quote_a_whole_text(workspace, run):
    """A file that is one long text (a key, a password file) is described, not repeated."""
    secret = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"] * 20) + "\n"
    (workspace / "agreements" / "key.yaml").write_text(secret)
    result = run("validate", "agreements/key.yaml", cwd=workspace)
    assert result.exit_code == 1
    assert "MIIE" not in result.output and "BEGIN" not in result.output
    assert "found text" in result.output
    bad_budget = replace_once(JPS, 'budget: "640000.00"', 'budget: "' + "secret words " * 20 + '"')
    (workspace / "agreements" / "budget.yaml").write_text(bad_budget)
    result = run("validate", "agreements/budget.yaml", cwd=workspace)
    assert result.exit_code == 1 and "secret" not in result.output
    assert "a text of 260 characters is not a number" in result.output
