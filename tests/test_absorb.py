"""absorb: a reviewer's Word edits back into the YAML, round trip.

Each test renders the example agreement, edits the .docx the way Word leaves it
(tests/word_edits.py: runs split, rsids, w:ins/w:del with author and date; LibreOffice's
bookmark moved into a deletion), absorbs it, renders the YAML again and reads the new
document: the absorbed changes read exactly as the reviewer left them, the YAML keeps its
comments, and computed figures and standard wording are reported, never written.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from agreement_builder import input_record
from agreement_builder.absorb import AbsorbRefused, absorb
from agreement_builder.docmodel import read_document
from agreement_builder.loader import load_yaml

from .word_edits import WordFile, text_of, w

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _render(run, ws: Path, name: str = "jps", out: str = "reviewed.docx") -> Path:
    result = run("render", f"agreements/{name}.yaml", "-o", out, cwd=ws)
    assert result.exit_code == 0, result.output
    return ws / out


def _style(p: etree._Element) -> str | None:
    ps = p.find(f"{w('pPr')}/{w('pStyle')}")
    return ps.get(w("val")) if ps is not None else None


def _cell(wf: WordFile, table_holding: str, row_label: str, column: int) -> etree._Element:
    """Return the paragraph of a cell: the table whose text holds `table_holding`, the row starting with `row_label`."""
    for tbl in wf.body.iter(w("tbl")):
        if table_holding not in "".join(text_of(p) for p in tbl.iter(w("p"))):
            continue
        for tr in tbl.iter(w("tr")):
            cells = tr.findall(w("tc"))
            if cells and text_of(cells[0]).strip() == row_label:
                return cells[column].find(w("p"))
    raise AssertionError(f"no cell {row_label!r} in a table holding {table_holding!r}")


def _paragraphs(path: Path) -> list[str]:
    """Return the body paragraphs of a document as a reader sees them (revisions accepted; contents left out)."""
    doc = read_document(path)
    return [b.text for b in doc.blocks if b.kind == "p" and not b.style_name.lower().startswith("toc")]


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#") or " # " in line]


def test_render_records_its_inputs(run, workspace):
    path = _render(run, workspace)
    record = input_record.read({n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()})
    assert record.source == "agreements/jps.yaml"  # relative to the workspace: no author's folders
    assert record.reference == "BCH-S22A-JPS" and record.version == "3.0"
    assert record.agreement_sha256 == input_record.file_sha256((workspace / "agreements/jps.yaml").read_bytes())
    assert not record.publication
    again = _render(run, workspace, out="again.docx")
    assert again.read_bytes() == path.read_bytes()  # deterministic


def test_round_trip_tracked_and_untracked(run, workspace):
    """Render, edit as Word would, absorb --write, render again: the absorbed changes read as the reviewer left them."""
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    # a tracked rewording of an agreement clause
    clause = wf.paragraph("The Lead Commissioner shall hold the Chief Constable of the Lead Force")
    wf.track_replace(clause, "Joint Protective Services", "the Functions", author="Ann Reviewer")
    # an untracked rewording of a function's purpose, typed over split runs
    purpose = wf.paragraph("To provide general purpose and specialist police dogs")
    wf.split_runs(purpose)
    wf.retype(purpose, "general purpose and specialist", "general-purpose and specialist")
    # a tracked new paragraph after the last clause of section 31: a new agreement clause
    underwriter = wf.paragraph("The Parties note that their insurers have confirmed")
    wf.track_insert_after(underwriter, "The Parties shall review their insurance arrangements annually & report “promptly”.",
                          _style(underwriter), author="Bob Counsel", date="2024-05-02T09:30:00Z")
    # an untracked new service between two services of an annex
    service = wf.paragraph("Fixed penalty and conditional offer administration")
    wf.insert_after(service, "Speed awareness course referrals", _style(service))
    # a tracked deletion of a service level
    wf.track_delete(wf.paragraph("ANPR camera availability of at least 95%"), author="Ann Reviewer")
    # formula input and budget in an annex
    wf.retype(_cell(wf, "41,250", "Bedfordshire Police", 1), "41,250", "41,300")
    wf.retype(wf.paragraph("The annual budget of the Function is £980,000.00"), "£980,000.00", "£1,000,000.00")
    # the version on the cover
    wf.retype(_cell(wf, "BCH-S22A-JPS", "Version", 1), "3.0", "3.1")
    wf.save()
    before = (workspace / "agreements/jps.yaml").read_text()

    result = run("absorb", "reviewed.docx", "--write", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "wrote agreements/jps.yaml" in result.output
    assert "8 absorbed, 0 not absorbed" in result.output, result.output
    assert "clause 8.5 (Ann Reviewer, 2024-05-01T10:00:00Z) -> clauses.accountability[0].text at agreements/jps.yaml:" \
        in result.output
    assert "(Bob Counsel, 2024-05-02T09:30:00Z) -> clauses.liabilities[1]" in result.output
    after = (workspace / "agreements/jps.yaml").read_text()
    assert _comments(after) == _comments(before)  # every comment kept, in order
    data = load_yaml(workspace / "agreements/jps.yaml").data
    assert data["agreement"]["version"] == "3.1"
    assert data["functions"][0]["apportionment"]["demand"]["bedfordshire"] == Decimal("41300")
    assert data["functions"][4]["budget"] == "1000000.00"  # written as the file wrote budgets: quoted digits
    assert data["clauses"]["liabilities"][1]["text"].endswith("& report “promptly”.")
    assert data["clauses"]["liabilities"][1]["id"]  # a new clause, with a new id
    assert "ANPR camera availability of at least 95%" not in after

    rendered = _render(run, workspace, out="again.docx")
    edited = _paragraphs(reviewed)
    new = _paragraphs(rendered)
    assert len(new) == len(edited)
    differing = [(a, b) for a, b in zip(new, edited) if a != b]
    # every paragraph reads as the reviewer left it, but for a computed figure: the total of the budgets
    assert [(a[-15:], b[-15:]) for a, b in differing] == [("£33,520,000.00.", "£33,500,000.00.")]
    doc = read_document(rendered)
    tables = [b for b in doc.blocks if b.kind == "tbl"]
    assert tables[0].rows[1].cells[1].text == "3.1"
    demand = next(t for t in tables if t.rows[1].text[1] == "41,300")
    assert demand.rows[-1].text == ("Total", "164,395")  # the total is computed again from the inputs


def test_computed_figures_and_standard_wording_are_reported_not_written(run, workspace):
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    wf.retype(_cell(wf, "£461,833.34", "Bedfordshire Police", 1), "25.10%", "26.00%")  # a computed share
    wf.track_replace(_cell(wf, "£461,833.34", "Cambridgeshire Constabulary", 2), "£593,161.95", "£600,000.00")
    standard = wf.paragraph("Each Policing Body remains responsible for holding")
    wf.track_replace(standard, "remains responsible", "is responsible", author="Ann Reviewer")
    wf.save()
    before = (workspace / "agreements/jps.yaml").read_bytes()

    result = absorb(reviewed, workspace / "agreements/jps.yaml")
    assert result.edits == [] and result.new_text == result.old_text
    computed = [c for c in result.changes if c.status == "computed"]
    assert [(c.before, c.after) for c in computed] == [("25.10%", "26.00%"), ("£593,161.95", "£600,000.00")]
    for change in computed:
        assert "never written" in change.reason
        assert "functions[0].apportionment.demand (" in change.reason and "functions[0].budget (" in change.reason
        assert ".yaml:31)" in change.reason  # where the budget is, FILE:LINE
    [template] = [c for c in result.changes if c.status == "template"]
    assert template.where == "clause 8.1" and template.who == "Ann Reviewer"
    assert "templates/umbrella.docx" in template.target and template.target.endswith(", clause 8.1")
    assert template.before.startswith("Each Policing Body remains responsible")
    assert template.after.startswith("Each Policing Body is responsible")

    out = run("absorb", "reviewed.docx", "agreements/jps.yaml", "--write", cwd=workspace)
    assert out.exit_code == 0, out.output
    assert "computed figure: Service Specification 1" in out.output
    assert "standard wording: clause 8.1 (Ann Reviewer, 2024-05-01T10:00:00Z)" in out.output
    assert "agreements/jps.yaml: unchanged" in out.output
    assert (workspace / "agreements/jps.yaml").read_bytes() == before


def test_dates_names_and_fixed_shares(run, workspace):
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    wf.retype(wf.paragraph("This Agreement takes effect on 1 August 2016"), "1 August 2016", "1 September 2016")
    wf.track_replace(wf.paragraph("Service Specification 3: Dog Unit", nth=1), "Dog Unit", "Dog Section")
    wf.retype(_cell(wf, "£598,500.00", "Bedfordshire Police", 1), "28.50%", "29.50%")
    wf.retype(_cell(wf, "£598,500.00", "Hertfordshire Constabulary", 1), "40.30%", "39.30%")
    wf.save()
    result = absorb(reviewed, workspace / "agreements/jps.yaml")
    assert {c.field: c.status for c in result.changes} == {
        "agreement.commencement": "absorbed", "functions[2].name": "absorbed",
        "functions[2].apportionment.shares.bedfordshire": "absorbed",
        "functions[2].apportionment.shares.hertfordshire": "absorbed"}
    assert result.problems == []
    assert "commencement: 2016-09-01" in result.new_text
    assert 'shares: {bedfordshire: "29.50", cambridgeshire: "31.20", hertfordshire: "39.30"}' in result.new_text


def test_shares_that_no_longer_sum_to_100_are_not_written(run, workspace):
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    wf.retype(_cell(wf, "£598,500.00", "Bedfordshire Police", 1), "28.50%", "30.00%")
    wf.save()
    before = (workspace / "agreements/jps.yaml").read_bytes()
    out = run("absorb", "reviewed.docx", "--write", cwd=workspace)
    assert out.exit_code == 1
    assert "agreements/jps.yaml:" in out.output and "error:" in out.output
    assert "not changed: the absorbed changes would make it invalid" in out.output
    assert (workspace / "agreements/jps.yaml").read_bytes() == before


def test_deleted_clause_with_the_bookmark_inside_the_deletion(run, workspace):
    """LibreOffice moves a deleted paragraph's bookmarks into the deletion; the clause is still found and removed."""
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    wf.track_delete(wf.paragraph("The Parties note that their insurers have confirmed"), author="Ann Reviewer",
                    bookmark_inside=True)
    clause = wf.paragraph("The Lead Commissioner shall hold the Chief Constable of the Lead Force")
    wf.track_replace(clause, "The Lead Commissioner", "The lead commissioner")
    wf.bookmarks_into_deletion(clause)  # the clause's own bookmark inside the deletion of its first words
    wf.save()
    result = absorb(reviewed, workspace / "agreements/jps.yaml")
    by_field = {c.field: c for c in result.changes}
    assert by_field["clauses.liabilities[0]"].status == "absorbed"
    assert by_field["clauses.liabilities[0]"].who == "Ann Reviewer"
    assert by_field["clauses.accountability[0].text"].after.startswith("The lead commissioner shall hold")
    assert "underwriter" not in result.new_text
    assert "liabilities: []" in result.new_text


def test_diff_prints_the_yaml_changes_and_writes_nothing(run, workspace):
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    wf.retype(wf.paragraph("To provide general purpose and specialist police dogs"), "police dogs", "police dogs")
    wf.retype(wf.paragraph("Firearms command and tactical advice"), "tactical advice", "tactical advice and support")
    wf.save()
    before = (workspace / "agreements/jps.yaml").read_bytes()
    out = run("absorb", "reviewed.docx", "--diff", cwd=workspace)
    assert out.exit_code == 0, out.output
    assert "--- a/agreements/jps.yaml" in out.output
    assert "-        - Firearms command and tactical advice\n+        - Firearms command and tactical advice and support" \
        in out.output
    assert (workspace / "agreements/jps.yaml").read_bytes() == before


def test_refuses_a_document_not_rendered_from_the_agreement(run, workspace):
    reviewed = _render(run, workspace)
    out = run("absorb", "reviewed.docx", "agreements/psd.yaml", cwd=workspace)
    assert out.exit_code == 1
    assert "rendered from the agreement with reference 'BCH-S22A-JPS', not from agreements/psd.yaml" in out.output
    # the agreement changed since the render
    path = workspace / "agreements/jps.yaml"
    path.write_text(path.read_text() + "# a later note\n")
    out = run("absorb", "reviewed.docx", cwd=workspace)
    assert out.exit_code == 1 and "has changed since the document was rendered" in out.output
    assert "Traceback" not in out.output
    # a document without the record
    with zipfile.ZipFile(reviewed) as z:
        parts = {n: z.read(n) for n in z.namelist() if n != "docProps/custom.xml"}
    bare = workspace / "bare.docx"
    with zipfile.ZipFile(bare, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    with pytest.raises(AbsorbRefused, match="does not say which agreement"):
        absorb(bare, path)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_through_a_libreoffice_resave(run, workspace):
    """Tracked and untracked edits, then a re-save in LibreOffice (fields updated, bookmarks moved, runs rewritten)."""
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    clause = wf.paragraph("The Lead Commissioner shall hold the Chief Constable of the Lead Force")
    wf.track_replace(clause, "Joint Protective Services", "the Functions", author="Ann Reviewer")
    wf.track_delete(wf.paragraph("The Parties note that their insurers have confirmed"), author="Ann Reviewer")
    wf.retype(wf.paragraph("Firearms command and tactical advice"), "tactical advice", "tactical advice and support")
    wf.save()
    out_dir = workspace / "resaved"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{workspace}/profile", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(reviewed)],
                   check=True, capture_output=True, timeout=300)
    resaved = out_dir / "reviewed.docx"
    result = absorb(resaved, None)  # the agreement found from the document's own record
    assert sorted((c.field, c.status, c.who) for c in result.changes) == [
        ("clauses.accountability[0].text", "absorbed", "Ann Reviewer"),
        ("clauses.liabilities[0]", "absorbed", "Ann Reviewer"),
        ("functions[3].specification.services[1]", "absorbed", ""),
    ]
    (workspace / "agreements/jps.yaml").write_text(result.new_text)
    rendered = _render(run, workspace, out="again.docx")
    assert _paragraphs(rendered) == _paragraphs(resaved)


def test_office_holders_go_to_the_parties_file(run, workspace):
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    signed = wf.paragraph("Signed by the Chief Constable of Cambridgeshire Constabulary")
    wf.track_replace(signed, "Signed by the", "Signed by Nick Dean, the", author="Ann Reviewer")
    wf.save()
    before = (workspace / "parties.yaml").read_text()
    out = run("absorb", "reviewed.docx", "--write", cwd=workspace)
    assert out.exit_code == 0, out.output
    assert "-> forces.cambridgeshire.chief_officer.holder at parties.yaml:" in out.output
    assert "wrote parties.yaml" in out.output and "agreements/jps.yaml: unchanged" in out.output
    after = (workspace / "parties.yaml").read_text()
    assert _comments(after) == _comments(before)
    assert load_yaml(workspace / "parties.yaml").data["forces"]["cambridgeshire"]["chief_officer"]["holder"] == "Nick Dean"
    rendered = _render(run, workspace, out="again.docx")
    assert "Signed by Nick Dean, the Chief Constable of Cambridgeshire Constabulary" in _paragraphs(rendered)


def test_header_footer_edits_and_comments_are_reported(run, workspace):
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    header = wf.header()
    p = next(p for p in header.iter(w("p")) if "DRAFT" in text_of(p))
    wf.retype(p, "DRAFT", "SECOND DRAFT")
    wf.comment(wf.paragraph("The Lead Commissioner shall hold the Chief Constable of the Lead Force"), "Ann Reviewer",
               "Should this name the Lead Force?")
    wf.save()
    result = absorb(reviewed, workspace / "agreements/jps.yaml")
    assert result.edits == []
    [header_change] = [c for c in result.changes if c.where == "the header"]
    assert "SECOND DRAFT" in header_change.after and header_change.status == "not absorbed"
    [comment] = [c for c in result.changes if c.where.startswith("comment on")]
    assert comment.where == "comment on clause 8.5" and comment.who == "Ann Reviewer"
    assert comment.after == "Should this name the Lead Force?"


def test_a_new_paragraph_among_standard_clauses_becomes_the_sections_last_clause(run, workspace):
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    first = wf.paragraph("Police officers and police staff assigned to the Functions are under the direction")
    wf.insert_after(first, "Tasking shall follow the joint tasking protocol.", _style(first))
    wf.save()
    result = absorb(reviewed, workspace / "agreements/jps.yaml")
    [change] = result.changes
    assert change.status == "absorbed" and change.field == "clauses.direction_and_control[0]"
    assert "come last in a section" in change.reason
    assert "  direction_and_control:\n    - id: tasking_follow_joint_tasking\n      text: Tasking shall follow the joint " \
           "tasking protocol.\n" in result.new_text


def test_formula_weights_and_a_value_two_fields_print_alike(run, workspace):
    path = workspace / "agreements/jps.yaml"
    path.write_text(path.read_text().replace("date: 2016-07-19", "date: 2016-08-01"))  # = commencement
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    weights = wf.paragraph("Of the cost of the Function, 50% is shared")  # armed policing: 50 / 50
    wf.retype(weights, text_of(weights), text_of(weights).replace("50%", "40%", 1).replace("and 50%", "and 60%"))
    wf.retype(wf.paragraph("This Agreement takes effect on 1 August 2016"), "1 August 2016", "1 September 2016")
    wf.save()
    result = absorb(reviewed, path)
    by_field = {c.field: c for c in result.changes if c.field}
    assert by_field["functions[3].apportionment.weights.nre"].after == "40%"
    assert by_field["functions[3].apportionment.weights.demand"].after == "60%"
    assert "weights: {nre: 40, demand: 60}" in result.new_text and result.problems == []
    [ambiguous] = [c for c in result.changes if "more than one field" in c.reason]
    assert ambiguous.status == "not absorbed"
    assert "agreement.date (" in ambiguous.reason and "agreement.commencement (" in ambiguous.reason
    assert "jps.yaml:9)" in ambiguous.reason  # where each is, FILE:LINE


def test_write_refuses_a_final_agreement(run, workspace):
    """A final agreement's YAML is the record of what was signed: edits are reported, never written into it."""
    reviewed = _render(run, workspace, "jps-2013")
    wf = WordFile(reviewed)
    wf.retype(wf.paragraph("This Agreement takes effect on"), "1 January 2014", "1 February 2014")
    wf.save()
    before = (workspace / "agreements/jps-2013.yaml").read_bytes()
    out = run("absorb", "reviewed.docx", "--write", cwd=workspace)
    assert out.exit_code == 1, out.output
    status_line = before.decode().splitlines().index("  status: final") + 1
    assert f"agreements/jps-2013.yaml:{status_line}:" in out.output
    assert "is final (signed)" in out.output and "[absorb-final]" in out.output
    assert "Traceback" not in out.output
    assert (workspace / "agreements/jps-2013.yaml").read_bytes() == before
    shown = run("absorb", "reviewed.docx", "--diff", cwd=workspace)  # still shows what would change
    assert shown.exit_code == 0 and "+  commencement: 2014-02-01" in shown.output


def test_write_keeps_the_file_its_owner_knows(run, workspace):
    """--write edits the agreement as the same file: a link keeps pointing at it (its target is written), and its
    permissions and byte-order mark are kept."""
    import os
    import stat

    agreements = workspace / "agreements"
    real = agreements / "jps-source.yaml"
    real.write_bytes(b"\xef\xbb\xbf" + (agreements / "jps.yaml").read_bytes())
    (agreements / "jps.yaml").unlink()
    (agreements / "jps.yaml").symlink_to("jps-source.yaml")
    real.chmod(0o640)
    reviewed = _render(run, workspace)
    wf = WordFile(reviewed)
    wf.retype(wf.paragraph("This Agreement takes effect on 1 August 2016"), "1 August 2016", "1 September 2016")
    wf.save()
    out = run("absorb", "reviewed.docx", "--write", cwd=workspace)
    assert out.exit_code == 0, out.output
    assert (agreements / "jps.yaml").is_symlink() and os.readlink(agreements / "jps.yaml") == "jps-source.yaml"
    data = real.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"commencement: 2016-09-01" in data
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert not [p.name for p in agreements.iterdir() if p.name.endswith(".tmp")]
