"""finance.xlsx in the summit pack: read back, cell by cell against the pack's own agreements, and kept like a document."""

from __future__ import annotations

import io
from decimal import Decimal
from html.parser import HTMLParser

import docx
import openpyxl
import pytest

from agreement_builder.formats import format_money
from agreement_builder.validate import load_agreement

from .conftest import ROOT, replace_once
from .independent import force_totals, independent
from .pack_helpers import manifest, sha, snapshot

PARTIES = ROOT / "parties.yaml"


def _annex_tables(path) -> list[list[list[str]]]:
    document = docx.Document(str(path))
    return [[[c.text for c in r.cells] for r in t.rows] for t in document.tables
            if [c.text for c in t.rows[0].cells] == ["Force", "Share", "Annual Contribution"]]


def _money(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", ""))


def _number(cell) -> Decimal:
    assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), (cell.coordinate, cell.value)
    return Decimal(str(cell.value))


@pytest.fixture
def built(workspace, run):
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    return workspace


def test_the_workbook_states_what_the_packs_agreements_print(built):
    out = built / "out"
    book = openpyxl.load_workbook(out / "finance.xlsx")
    assert book.sheetnames == ["Summary", "BCH-S22A-JPS", "BCH-S22A-PSD"]
    for stem, name in (("jps", "BCH-S22A-JPS"), ("psd", "BCH-S22A-PSD")):
        checked = load_agreement(built / "agreements" / f"{stem}.yaml")
        expected = independent(checked)
        ws = book[name]
        assert ws.freeze_panes == "A3"
        header = [c.value for c in ws[2]]
        rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=3) if r[3].value]
        tables = iter(_annex_tables(out / stem / f"{stem}.docx"))  # the agreement as the pack holds it
        names = {f: checked.parties.parties.forces[f].name for f in checked.agreement.forces}
        for fn in checked.agreement.functions:
            if fn.apportionment is None:
                continue
            table = next(tables)
            mine = [r for r in rows if r["Function"].value == fn.name]
            assert [r["Force"].value for r in mine] == [names[f] for f in checked.agreement.forces] + ["Total"]
            for force, r, printed in zip(checked.agreement.forces, mine, table[1:]):
                share, contribution = expected[fn.id][force]
                assert printed[0] == names[force]
                assert _number(r["Share"]) * 100 == share == Decimal(printed[1].rstrip("%"))
                assert _number(r["Contribution (£)"]) == contribution == _money(printed[2])
                assert r["Share"].number_format == "0.00%" and "£" in r["Contribution (£)"].number_format
            assert _number(mine[-1]["Contribution (£)"]) == fn.budget == _money(table[-1][2])
            weights = fn.apportionment.weights  # the formula as applied: with its weights
            if weights is not None:
                assert {r["Formula"].value for r in mine} == {
                    f"{weights.nre}% net revenue expenditure and {weights.demand}% demand"}
        assert next(tables, None) is None


def test_the_manifest_lists_the_workbook_not_for_publication(built):
    out = built / "out"
    entry = manifest(out)["finance"]
    assert entry["path"] == "finance.xlsx" and entry["for_publication"] is False and entry["state"] == "built"
    assert entry["sha256"] == sha(out / "finance.xlsx") and entry["bytes"] == (out / "finance.xlsx").stat().st_size
    assert [a["folder"] for a in entry["agreements"]] == ["jps", "psd"] and entry["left_out"] == []
    assert entry["compared"] == ["BCH-S22A-JPS"]


def _force_expectations(workspace):
    jps = load_agreement(workspace / "agreements" / "jps.yaml")
    psd = load_agreement(workspace / "agreements" / "psd.yaml")
    old = load_agreement(workspace / "agreements" / "jps-2013.yaml")
    a, b, before = force_totals(jps), force_totals(psd), force_totals(old)
    names = {f: p.name for f, p in jps.parties.parties.forces.items()}
    return {names[f]: (a[f], b[f], a[f] + b[f], before[f], a[f] - before[f]) for f in jps.agreement.forces}


class _Table(HTMLParser):
    """The cells of the table under the index's "Each force across the summit"."""

    def __init__(self):
        super().__init__()
        self.on = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.on = dict(attrs).get("id") == "finance"
        elif self.on and tag == "tr":
            self.rows.append([])
        elif self.on and tag in ("td", "th"):
            self.cell = []
        elif self.on and tag == "a":
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_index_shows_each_force_across_the_summit_and_links_the_workbook(built):
    parser = _Table()
    parser.feed((built / "out" / "index.html").read_text(encoding="utf-8"))
    assert parser.links == ["./finance.xlsx"]
    head, *rows = parser.rows
    assert head == ["Force", "BCH-S22A-JPS", "BCH-S22A-PSD", "Total", "Previous versions¹", "Change¹"]
    expected = _force_expectations(built)
    assert {r[0]: r[1:] for r in rows} == {
        name: [format_money(a), format_money(b), format_money(total), format_money(before), format_money(change, sign=True)]
        for name, (a, b, total, before, change) in expected.items()}
    # the workbook's summary sheet says the same, as numbers
    ws = openpyxl.load_workbook(built / "out" / "finance.xlsx")["Summary"]
    header = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3):
        if row[0].value in expected:
            a, b, total, before, change = expected[row[0].value]
            values = {h: _number(c) for h, c in zip(header, row) if h and c.value is not None and h != "Force"}
            assert values["BCH-S22A-JPS"] == a and values["BCH-S22A-PSD"] == b and values["Total"] == total
            assert values["Previous versions¹"] == before and values["Change¹ (£)"] == change


def test_force_names_are_escaped_in_the_index(workspace, run):
    parties = workspace / "parties.yaml"
    parties.write_text(replace_once(parties.read_text(encoding="utf-8"), "name: Bedfordshire Police",
                                    'name: "Bedfordshire <script>alert(1)</script> & Co"'), encoding="utf-8")
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    page = (workspace / "out" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "Bedfordshire &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page


def test_a_workbook_edited_by_hand_is_kept_without_force_edited(built, run):
    out = built / "out"
    book = openpyxl.load_workbook(out / "finance.xlsx")
    book["Summary"]["A1"] = "my notes"
    buffer = io.BytesIO()
    book.save(buffer)
    (out / "finance.xlsx").write_bytes(buffer.getvalue())
    mine = buffer.getvalue()
    path = built / "agreements" / "psd.yaml"
    path.write_text(replace_once(path.read_text(encoding="utf-8"), 'budget: "390000.00"', 'budget: "395000.00"'),
                    encoding="utf-8")
    result = run("build", "--no-pdf", cwd=built)
    assert result.exit_code == 1
    assert "finance.xlsx was changed by hand" in result.output and "--force-edited" in result.output
    assert (out / "finance.xlsx").read_bytes() == mine
    entry = manifest(out)["finance"]
    assert entry["state"] == "kept" and "changed by hand" in entry["kept"]
    assert "the workbook was kept as it was" in (out / "index.html").read_text(encoding="utf-8")
    result = run("build", "--no-pdf", "--force-edited", cwd=built)
    assert result.exit_code == 0, result.output
    assert (out / "finance.xlsx").read_bytes() != mine and manifest(out)["finance"]["state"] == "built"
    assert manifest(out)["finance"]["sha256"] == sha(out / "finance.xlsx")


def test_a_failed_agreement_is_left_out_and_said_so(built, run):
    out = built / "out"
    path = built / "agreements" / "psd.yaml"
    path.write_text(replace_once(path.read_text(encoding="utf-8"), "lead_force: cambridgeshire", "lead_force: kent"),
                    encoding="utf-8")
    result = run("build", "--no-pdf", cwd=built)
    assert result.exit_code == 1
    assert openpyxl.load_workbook(out / "finance.xlsx").sheetnames == ["Summary", "BCH-S22A-JPS"]
    entry = manifest(out)["finance"]
    assert entry["left_out"] == [{"folder": "psd", "reason": "this build failed"}]
    assert "Not in the workbook or the totals: psd (this build failed)" in (out / "index.html").read_text(encoding="utf-8")


def test_an_unchanged_pack_is_up_to_date_and_a_missing_workbook_comes_back(built, run):
    out = built / "out"
    before = snapshot(out)
    again = run("build", "--no-pdf", cwd=built)
    assert again.exit_code == 0 and "up to date" in again.output
    (out / "finance.xlsx").unlink()
    result = run("build", "--no-pdf", cwd=built)
    assert result.exit_code == 0, result.output
    assert snapshot(out) == before


def test_a_file_of_the_users_called_finance_xlsx_is_never_overwritten(workspace, run):
    out = workspace / "out"
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    (out / "finance.xlsx").unlink()
    m = manifest(out)
    m["finance"] = None
    import json

    (out / "manifest.json").write_text(json.dumps(m, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "finance.xlsx").write_bytes(b"the user's own")
    result = run("build", "--no-pdf", "--force", cwd=workspace)
    assert result.exit_code == 1
    assert "finance.xlsx is not agreement-builder's" in result.output
    assert (out / "finance.xlsx").read_bytes() == b"the user's own"
