"""Each force's total across an agreement's functions, in every form of the change report."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import docx
import pytest

from agreement_builder.diff import diff_agreements
from agreement_builder.formats import format_money, format_percent, format_points
from agreement_builder.report import TOTALS_HEADING, format_docx, format_html, format_markdown, format_text
from agreement_builder.templates import find_templates
from agreement_builder.validate import load_agreement
from tests.conftest import ROOT
from tests.independent import force_totals, parts_of_whole

PARTIES = ROOT / "parties.yaml"


@pytest.fixture(scope="module")
def pair():
    old = load_agreement(ROOT / "agreements" / "jps-2013.yaml", parties=PARTIES)
    new = load_agreement(ROOT / "agreements" / "jps.yaml", parties=PARTIES)
    return old, new, diff_agreements(old, new)


def _expected(old, new):
    """Return {force name: (old total, new total, change £, old part, new part, change pp)}, computed independently."""
    names = {f: p.name for f, p in new.parties.parties.forces.items()}
    ot, nt = force_totals(old), force_totals(new)
    op, np_ = parts_of_whole(old), parts_of_whole(new)
    return {names[f]: (ot[f], nt[f], nt[f] - ot[f], op[f], np_[f], np_[f] - op[f]) for f in new.agreement.forces}


def test_the_change_set_totals_each_force_exactly(pair):
    old, new, cs = pair
    expected = _expected(old, new)
    got = {t.name: (t.old_total, t.new_total, t.change, t.old_share, t.new_share, t.points) for t in cs.force_totals}
    assert got == expected
    assert sum(t.new_share for t in cs.force_totals) == Decimal("100.00")
    assert sum(t.new_total for t in cs.force_totals) == sum(
        fn.budget for fn in new.agreement.functions if fn.apportionment and fn.budget)


def test_every_form_prints_each_force_total(pair):
    old, new, cs = pair
    expected = _expected(old, new)
    text, md, page = format_text(cs), format_markdown(cs), format_html(cs)
    for form in (text, md, page):
        assert TOTALS_HEADING in form
    for name, (ot, nt, change, op, np_, points) in expected.items():
        figures = [f"{format_money(ot)} → {format_money(nt)}", format_money(change, sign=True),
                   f"{format_percent(op)} → {format_percent(np_)}", format_points(points)]
        line = next(l for l in text.splitlines() if l.startswith(f"      {name}"))
        assert re.split(r"\s{2,}", line.strip()) == [name, *figures]
        row = next(l for l in md.splitlines() if l.startswith(f"| {name} |"))
        assert [c.strip() for c in row.strip("|").split("|")] == [name, *figures]
        assert f"<tr><td>{name}</td>" + "".join(f'<td class="n">{c}</td>' for c in figures) + "</tr>" in page


def test_the_word_report_has_the_totals_table(pair):
    old, new, cs = pair
    expected = _expected(old, new)
    document = docx.Document(io.BytesIO(format_docx(cs, find_templates(ROOT / "agreements" / "jps.yaml"))))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["Introduction", TOTALS_HEADING]
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Total contribution")
    rows = {r.cells[0].text: [c.text.replace("\u2060", "") for c in r.cells[1:]] for r in table.rows[1:]}
    assert list(rows) == list(expected)
    for name, (ot, nt, change, op, np_, points) in expected.items():
        assert rows[name] == [f"{format_money(ot)} → {format_money(nt)}", format_money(change, sign=True),
                              f"{format_percent(op)} → {format_percent(np_)}", format_points(points)]


def test_a_force_that_leaves_counts_to_nothing(tmp_path):
    """Hertfordshire leaving: its total changes to nothing, by exactly what it paid, and its part of the whole goes."""
    import shutil

    shutil.copy(PARTIES, tmp_path / "parties.yaml")
    old_text = (ROOT / "agreements" / "psd.yaml").read_text()
    (tmp_path / "old.yaml").write_text(old_text)
    new_text = (old_text.replace("forces: [bedfordshire, cambridgeshire, hertfordshire]", "forces: [bedfordshire, cambridgeshire]")
                .replace('    hertfordshire: "176300000"\n', "")
                .replace('shares: {bedfordshire: "30.00", cambridgeshire: "32.50", hertfordshire: "37.50"}',
                         'shares: {bedfordshire: "48.00", cambridgeshire: "52.00"}'))
    new_text = re.sub(r", hertfordshire: \d+", "", new_text)
    (tmp_path / "new.yaml").write_text(new_text)
    old, new = load_agreement(tmp_path / "old.yaml"), load_agreement(tmp_path / "new.yaml")
    cs = diff_agreements(old, new)
    assert [t.force for t in cs.force_totals] == ["bedfordshire", "cambridgeshire", "hertfordshire"]
    left = cs.force_totals[-1]
    assert left.new_total is None and left.change == -force_totals(old)["hertfordshire"]
    assert left.points == -parts_of_whole(old)["hertfordshire"]
    assert left.total_span() == f"{format_money(force_totals(old)['hertfordshire'])} → –"
    stay = {t.force: t for t in cs.force_totals[:2]}
    for f, total in force_totals(new).items():
        assert stay[f].new_total == total and stay[f].new_share == parts_of_whole(new)[f]
