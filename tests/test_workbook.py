"""finance.xlsx: read back with openpyxl, every figure equals the agreements' own tables and an independent computation."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from fractions import Fraction

import docx
import openpyxl
import pytest

from agreement_builder.figures import agreement_figures, summit_summary
from agreement_builder.render import render_agreement
from agreement_builder.validate import load_agreement
from agreement_builder.workbook import finance_workbook, sheet_from_checked
from tests.conftest import ROOT
from tests.independent import independent as _independent

PARTIES = ROOT / "parties.yaml"


def _annex_tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[c.text for c in r.cells] for r in t.rows] for t in document.tables
            if [c.text for c in t.rows[0].cells] == ["Force", "Share", "Annual Contribution"]]


def _money(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", ""))


@pytest.fixture(scope="module")
def example():
    jps = load_agreement(ROOT / "agreements" / "jps.yaml", parties=PARTIES)
    old = load_agreement(ROOT / "agreements" / "jps-2013.yaml", parties=PARTIES)
    psd = load_agreement(ROOT / "agreements" / "psd.yaml", parties=PARTIES)
    sheets = [sheet_from_checked(jps, agreement_figures(jps), agreement_figures(old)),
              sheet_from_checked(psd, agreement_figures(psd))]
    data = finance_workbook(sheets, summit="Alliance Summit", date=dt.date(2016, 7, 19))
    return {"checked": [jps, psd], "old": old, "sheets": sheets, "data": data,
            "book": openpyxl.load_workbook(io.BytesIO(data))}


def _rows(ws):
    header = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3):
        values = dict(zip(header, (c for c in row)))
        if values["Force"].value:
            yield values


def test_every_figure_matches_the_agreement_and_an_independent_computation(example):
    book = example["book"]
    assert book.sheetnames == ["Summary", "BCH-S22A-JPS", "BCH-S22A-PSD"]
    for checked, name in zip(example["checked"], book.sheetnames[1:]):
        ws = book[name]
        expected = _independent(checked)
        tables = iter(_annex_tables(render_agreement(checked)))
        names = {f: checked.parties.parties.forces[f].name for f in checked.agreement.forces}
        rows = [r for r in _rows(ws)]
        seen = 0
        for fn in checked.agreement.functions:
            if fn.apportionment is None:
                continue
            table = next(tables)
            mine = [r for r in rows if r["Function"].value == fn.name]
            assert [r["Force"].value for r in mine] == [names[f] for f in checked.agreement.forces] + ["Total"]
            for force, r, printed in zip(checked.agreement.forces, mine, table[1:]):
                share, contribution = expected[fn.id][force]
                # numbers, not text, with formats; equal to the independent figures and to the annex's own table
                assert isinstance(r["Share"].value, (int, float)) and r["Share"].number_format == "0.00%"
                assert isinstance(r["Contribution (£)"].value, (int, float)) and "£" in r["Contribution (£)"].number_format
                assert Decimal(str(r["Share"].value)) * 100 == share == Decimal(printed[1].rstrip("%"))
                assert Decimal(str(r["Contribution (£)"].value)) == contribution == _money(printed[2])
            total = mine[-1]
            assert Decimal(str(total["Contribution (£)"].value)) == fn.budget == _money(table[-1][2])
            seen += 1
        assert seen == len(expected)


def test_previous_version_figures_sit_beside_the_new(example):
    ws = example["book"]["BCH-S22A-JPS"]
    old = {fn.id: fn for fn in example["old"].agreement.functions}
    independent_old = _independent(example["old"])
    names = {v.name: k for k, v in example["checked"][0].parties.parties.forces.items()}
    functions = {fn.name: fn.id for fn in example["checked"][0].agreement.functions}
    compared = 0
    for r in _rows(ws):
        fid = functions[r["Function"].value]
        if r["Force"].value == "Total" or fid not in independent_old:
            continue
        share, contribution = independent_old[fid][names[r["Force"].value]]
        assert Decimal(str(r["Previous share"].value)) * 100 == share
        assert Decimal(str(r["Previous contribution (£)"].value)) == contribution
        assert Decimal(str(r["Change (£)"].value)) == Decimal(str(r["Contribution (£)"].value)) - contribution
        compared += 1
    assert compared >= 3 * len([f for f in old if f in independent_old]) - 3


def test_summary_totals_each_force_across_the_summit(example):
    ws = example["book"]["Summary"]
    header = [c.value for c in ws[2]]
    assert header[:3] == ["Force", "BCH-S22A-JPS", "BCH-S22A-PSD"] and ws.freeze_panes == "A3"
    expected: dict[str, Decimal] = {}
    for checked in example["checked"]:
        names = {f: checked.parties.parties.forces[f].name for f in checked.agreement.forces}
        for rows in _independent(checked).values():
            for force, (_, contribution) in rows.items():
                expected[names[force]] = expected.get(names[force], Decimal(0)) + contribution
    found = {}
    for row in ws.iter_rows(min_row=3, values_only=True):
        if row[0] in expected:
            found[row[0]] = Decimal(str(row[header.index("Total")]))
    assert found == expected


def test_same_inputs_same_bytes(example, monkeypatch):
    import datetime as real

    class Later(real.datetime):  # the clock has moved on: the file must not notice
        @classmethod
        def now(cls, tz=None):
            return real.datetime(2031, 1, 2, 3, 4, 5, tzinfo=tz)

    monkeypatch.setattr("openpyxl.writer.excel.datetime.datetime", Later)
    again = finance_workbook(example["sheets"], summit="Alliance Summit", date=dt.date(2016, 7, 19))
    assert again == example["data"]
    core = zipfile.ZipFile(io.BytesIO(again)).read("docProps/core.xml").decode()
    assert "2016-07-19T00:00:00Z</dcterms:modified>" in core and "2031" not in core


def test_summary_of_forces_in_some_agreements_only():
    from agreement_builder.figures import AgreementFigures, ForceLine, FunctionFigures

    def figures(ref, forces, amounts):
        lines = tuple(ForceLine(f, Fraction(1, len(forces)), Decimal("0"), Decimal(a)) for f, a in zip(forces, amounts))
        return AgreementFigures(ref, ref, "1", tuple((f, f.title()) for f in forces),
                                (FunctionFigures("x", "X", 1, "equal", Decimal(sum(amounts)), True, lines),))

    people = summit_summary([figures("A", ["kent", "essex"], [10, 20]), figures("B", ["essex", "surrey"], [5, 7])])
    assert [(p.force, p.total, p.by_agreement) for p in people] == [
        ("kent", Decimal(10), (("A", Decimal(10)), ("B", Decimal(0)))),
        ("essex", Decimal(25), (("A", Decimal(20)), ("B", Decimal(5)))),
        ("surrey", Decimal(7), (("A", Decimal(0)), ("B", Decimal(7))))]
    assert people[0].previous_total is None
