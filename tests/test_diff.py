"""`agreement-builder diff`: the change report, through the CLI and the library.

The example pair (agreements/jps-2013.yaml -> agreements/jps.yaml) must say what seed paper
004 says; small pairs that change one thing each must report exactly that change and nothing
else; numbers must be the ones the rendered documents print.
"""

from __future__ import annotations

import io
import re
import shutil
import string
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreement_builder.context import function_figures
from agreement_builder.diff import diff_agreements, word_diff
from agreement_builder.docmodel import read_document
from agreement_builder.formats import format_money, format_percent, format_points
from agreement_builder.render import render_agreement
from agreement_builder.report import format_docx, format_html, format_markdown, format_text
from agreement_builder.templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES, find_templates
from agreement_builder.validate import load_agreement

from .conftest import ROOT, replace_once

OLD, NEW = "agreements/jps-2013.yaml", "agreements/jps.yaml"


def summaries(text: str) -> list[str]:
    """Return the change lines of a text report (indented two spaces; details are indented more)."""
    return [line[2:] for line in text.splitlines() if line.startswith("  ") and not line.startswith("   ")]


# ---------------------------------------------------------------------------- the example pair


@pytest.fixture(scope="module")
def example():
    old, new = load_agreement(ROOT / OLD), load_agreement(ROOT / NEW)
    return old, new, diff_agreements(old, new)


def test_example_pair_reports_what_seed_004_says(run):
    result = run("diff", OLD, NEW, cwd=ROOT)
    assert result.exit_code == 0, result.output
    text = result.output
    lines = summaries(text)
    assert text.startswith("Joint Protective Services (BCH-S22A-JPS): changes from agreements/jps-2013.yaml "
                           "to agreements/jps.yaml\n")
    for expected in [
        "Version changes from 2.0 to 3.0",
        "Status changes from Final to Draft",
        "Date of the agreement changes from 12 December 2013 to 19 July 2016",
        "Commencement changes from 1 January 2014 to 1 August 2016",
        "Review date changes from 31 December 2016 to 31 July 2019",
        "Lead force changes from Cambridgeshire Constabulary to Bedfordshire Police",
        "Provisions: policing body and force collaboration provision added",
        "Professional Standards Department removed (was Service Specification 9)",
        "Delegation of Authority (On-call arrangements) removed (was Service Specification 10)",
        "Service Specification 2 renamed from “Roads Policing and ANPR” to "
        "“Roads Policing and Automatic Number Plate Recognition”",
        "Section 8 Accountability Arrangements: clause 8.5 inserted: “The Lead Commissioner shall hold the Chief "
        "Constable of the Lead Force to account for the delivery of Joint Protective Services in all the policing "
        "areas under this Agreement, in accordance with the Home Office Statutory Guidance for Police "
        "Collaboration (October 2012).”",
        "Section 31 General Liabilities: clause 31.6 reworded",
        "Net revenue expenditure changes for 3 forces",
        "Service Specification 3 Dog Unit: cost apportionment changes (budget +£50,000.00)",
        "Service Specification 4 Armed Policing Unit: cost apportionment changes (formula changes; budget +£150,000.00)",
        "Service Specification 1 Camera Tickets and Collisions: service level added: “Collision disclosure requests "
        "answered within 20 working days”",
    ]:
        assert expected in lines, expected
    # the reworded clause, word by word
    assert ("The Parties [-shall seek the agreement of-]{+note that+} their insurers {+have confirmed in writing "
            "that they agree +}to the Lead Force arrangements in this Agreement[- before it takes effect-].") in text
    # apportionment: formula, inputs, and every force's share and contribution with pp and £
    assert "formula changes from net revenue expenditure to 50% net revenue expenditure and 50% demand" in text
    assert re.search(r"Bedfordshire Police +29\.00% → 28\.50% \(-0\.50 pp\) +£594,500\.00 → £598,500\.00 "
                     r"\(\+£4,000\.00\)", text)
    assert re.search(r"Cambridgeshire Constabulary +demand 53,420 → 52,980 +32\.88% → 32\.24% \(-0\.64 pp\)", text)
    assert "Bedfordshire Police £104,100,000.00 → £102,400,000.00 (-£1,700,000.00)" in text
    # headings as a summit paper has them
    for heading in ["Accountability Arrangements – Section 8", "General Liabilities – Section 31",
                    "Cost Apportionment – Section 13", "Parties and lead force", "Part B – Service Specifications"]:
        assert f"\n{heading}\n" in text
    # nothing that did not change
    for absent in ["Title changes", "Reference changes", "Alliance changes", "joins the agreement",
                   "leaves the agreement", "Order of", "Template wording", "Renumbered", "renamed from “Dog Unit”",
                   "Section 31 General Liabilities: clause 31.6 inserted", "removed: “The Parties",
                   "Service Specification 5 Operational Planning Support Unit: service"]:
        assert absent not in text, absent
    assert len(lines) == 30


def test_clause_numbers_are_the_printed_ones(example):
    """Clause 8.5 and 31.6 are where the rendered agreement prints the clauses (Word numbering counted)."""
    old, new, changes = example
    document = read_document(render_agreement(new))
    printed = {}
    for section in ("_AB_S_accountability", "_AB_S_liabilities"):
        number = [b for b in document.blocks if b.stable_id == section][0]
        clauses = [b for b in document.blocks if b.path == section and b.style_name == "Clause"]
        n = 1 + sum(1 for b in document.blocks if b.style_name.lower() == "heading 1"
                    and document.blocks.index(b) < document.blocks.index(number))
        for k, block in enumerate(clauses, start=1):
            if block.stable_id:
                printed[block.stable_id] = f"{n}.{k}"
    inserted = changes.of_kind("clause_inserted")[0]
    reworded = changes.of_kind("clause_reworded")[0]
    assert printed["_AB_C_lead_commissioner"] == inserted.number == "8.5"
    assert printed["_AB_C_underwriter"] == reworded.number == "31.6"
    assert (inserted.section_key, inserted.section_number, inserted.section_title) == (
        "accountability", 8, "Accountability Arrangements")
    assert inserted.id == "lead_commissioner" and reworded.id == "underwriter"


def test_apportionment_figures_are_the_annexes_figures(example):
    """Every force's share and contribution, old and new, are those the annexes print (exact, largest remainder)."""
    old, new, changes = example
    before, after = function_figures(old.agreement), function_figures(new.agreement)
    reported = {c.id: c.apportionment for c in changes.of_kind("apportionment")}
    assert set(reported) == set(after)  # every function's figures changed in this pair
    for fid, ap in reported.items():
        budget = next(f.budget for f in new.agreement.functions if f.id == fid)
        assert sum(r.new_contribution for r in ap.rows) == budget
        assert sum(r.new_share for r in ap.rows) == Decimal("100.00")
        for row in ap.rows:
            was, now = before[fid].by_force()[row.force], after[fid].by_force()[row.force]
            assert (row.old_share, row.new_share) == (was.percent, now.percent)
            assert (row.old_contribution, row.new_contribution) == (was.contribution, now.contribution)
            assert row.share_change == now.percent - was.percent
            assert format_points(row.share_change) in row.share_text() or row.share_change == 0
            assert format_money(row.new_contribution) in row.contribution_text()
            assert format_percent(row.new_share) in row.share_text()


def test_old_may_be_omitted_when_new_names_previous(run):
    both = run("diff", OLD, NEW, cwd=ROOT)
    alone = run("diff", NEW, cwd=ROOT)
    assert alone.exit_code == 0
    assert alone.output == both.output


def test_exit_code_like_git_diff(run):
    assert run("diff", OLD, NEW, "--exit-code", cwd=ROOT).exit_code == 1
    same = run("diff", NEW, NEW, "--exit-code", cwd=ROOT)
    assert same.exit_code == 0
    assert "No changes." in same.output
    assert summaries(same.output) == []


def test_old_missing_is_a_usage_error(run):
    result = run("diff", OLD, cwd=ROOT)
    assert result.exit_code == 2
    assert "does not name its previous version" in result.output
    assert run("diff", OLD, NEW, NEW, cwd=ROOT).exit_code == 2


def test_invalid_input_exits_1_with_position(run, tmp_path):
    shutil.copy(ROOT / "parties.yaml", tmp_path / "parties.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / NEW).read_text(encoding="utf-8").replace("lead_force: bedfordshire", "lead_force: essex")
                   .replace("  previous: jps-2013.yaml\n", ""), encoding="utf-8")
    result = run("diff", bad, bad)
    assert result.exit_code == 1
    assert "bad.yaml:" in result.output and "essex" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------- one change at a time


BASE = (ROOT / NEW).read_text(encoding="utf-8").replace("  previous: jps-2013.yaml\n", "")


def pair(tmp_path: Path, old_text: str, new_text: str):
    """Write old.yaml and new.yaml beside a copy of parties.yaml; return both checked and their change set."""
    shutil.copy(ROOT / "parties.yaml", tmp_path / "parties.yaml")
    (tmp_path / "old.yaml").write_text(old_text, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new_text, encoding="utf-8")
    old, new = load_agreement(tmp_path / "old.yaml"), load_agreement(tmp_path / "new.yaml")
    return diff_agreements(old, new)


def only(tmp_path: Path, old: str, new: str) -> list[str]:
    """Return the summaries of a pair's changes, checking the text report lists exactly those."""
    changes = pair(tmp_path, old, new)
    lines = [c.summary for c in changes.changes]
    assert summaries(format_text(changes)) == lines
    return lines


def test_identical_agreements_have_no_changes(tmp_path):
    changes = pair(tmp_path, BASE, BASE)
    assert not changes and len(changes) == 0
    assert "No changes." in format_text(changes)


def test_lead_force_only(tmp_path):
    new = replace_once(BASE, "lead_force: bedfordshire", "lead_force: hertfordshire")
    assert only(tmp_path, BASE, new) == ["Lead force changes from Bedfordshire Police to Hertfordshire Constabulary"]


def test_version_and_status_only(tmp_path):
    new = replace_once(replace_once(BASE, 'version: "3.0"', 'version: "3.1"'), "status: draft", "status: final")
    assert only(tmp_path, BASE, new) == ["Version changes from 3.0 to 3.1", "Status changes from Draft to Final"]


def test_provision_removed_only(tmp_path):
    new = replace_once(BASE, "provisions: [force, policing_body_and_force]", "provisions: [force]")
    assert only(tmp_path, BASE, new) == ["Provisions: policing body and force collaboration provision removed"]


def test_clause_appended_cites_the_next_printed_number(tmp_path):
    new = replace_once(BASE, "  liabilities:\n", "    - A new accountability clause.\n  liabilities:\n")
    assert only(tmp_path, BASE, new) == [
        "Section 8 Accountability Arrangements: clause 8.6 inserted: “A new accountability clause.”"]


def test_clause_inserted_before_another_renumbers_it_in_one_line(tmp_path):
    new = replace_once(BASE, "  accountability:\n", "  accountability:\n    - A clause that comes first.\n")
    assert only(tmp_path, BASE, new) == [
        "Section 8 Accountability Arrangements: clause 8.5 inserted: “A clause that comes first.”",
        "Renumbered as a result of the changes above: clause 8.5 becomes 8.6",
    ]


def test_clause_inserted_in_a_section_without_clauses(tmp_path):
    new = BASE + "  insurance:\n    - Each Party shall insure its own premises.\n"
    lines = only(tmp_path, BASE, new)
    assert len(lines) == 1
    assert re.fullmatch(r"Section 32 Insurance: clause 32\.\d+ inserted: “Each Party shall insure its own premises\.”",
                        lines[0])


def test_clause_removed_cites_the_old_number(tmp_path):
    old = BASE
    new = BASE[:BASE.index("  liabilities:\n")]
    assert only(tmp_path, old, new) == [
        "Section 31 General Liabilities: clause 31.6 removed: “The Parties note that their insurers have confirmed "
        "in writing that they agree to the Lead Force arrangements in this Agreement.”"]


def test_clause_without_id_reworded_aligns_by_similarity(tmp_path):
    old = BASE + "  insurance:\n    - Each Party shall insure its own premises and vehicles.\n"
    new = BASE + "  insurance:\n    - Each Party shall insure its own premises, equipment and vehicles.\n"
    changes = pair(tmp_path, old, new)
    assert [c.kind for c in changes.changes] == ["clause_reworded"]
    assert [c.summary for c in changes.changes] == ["Section 32 Insurance: clause 32.4 reworded"]
    assert "      Each Party shall insure its own premises{+, equipment+} and vehicles.\n" in format_text(changes)


def test_clause_without_id_rewritten_is_removed_and_inserted(tmp_path):
    old = BASE + "  insurance:\n    - Each Party shall insure its own premises and vehicles.\n"
    new = BASE + "  insurance:\n    - The Lead Force arranges cover for the Functions under one policy.\n"
    changes = pair(tmp_path, old, new)
    assert sorted(c.kind for c in changes.changes) == ["clause_inserted", "clause_removed"]


def test_clause_moved_to_another_section_by_id(tmp_path):
    clause = ("    - id: underwriter\n      text: >-\n        The Parties note that their insurers have confirmed in "
              "writing that they agree to the\n        Lead Force arrangements in this Agreement.\n")
    base = BASE.replace("  liabilities:\n" + clause, "")
    assert base != BASE
    new = base + "  insurance:\n" + clause
    lines = only(tmp_path, BASE, new)
    assert len(lines) == 1
    assert re.fullmatch(r"Section 32 Insurance: clause 32\.\d+ moved from Section 31 General Liabilities \(was 31\.6\)",
                        lines[0])


def test_function_renamed_only(tmp_path):
    new = replace_once(BASE, "name: Dog Unit", "name: Police Dog Unit")
    assert only(tmp_path, BASE, new) == ["Service Specification 3 renamed from “Dog Unit” to “Police Dog Unit”"]


def test_function_moved_is_one_line(tmp_path):
    start, middle = BASE.index("  - id: dogs\n"), BASE.index("  - id: armed_policing\n")
    end = BASE.index("  - id: ops_planning\n")
    new = BASE[:start] + BASE[middle:end] + BASE[start:middle] + BASE[end:]
    assert only(tmp_path, BASE, new) == [
        "Order of Part B changes: Armed Policing Unit moves from Service Specification 4 to 3"]


def test_function_removed_renumbers_the_rest_in_one_line(tmp_path):
    start, end = BASE.index("  - id: camera_tickets_collisions\n"), BASE.index("  - id: roads_policing_anpr\n")
    new = BASE[:start] + BASE[end:]
    assert only(tmp_path, BASE, new) == [
        "Camera Tickets and Collisions removed (was Service Specification 1)",
        "Renumbered as a result of the changes above: Service Specification 2–8 become 1–7",
    ]


def test_function_added_with_its_apportionment(tmp_path):
    new = replace_once(BASE, "clauses:\n", "  - id: counter_terrorism\n    name: Counter Terrorism Unit\n"
                       "    budget: \"900000.00\"\n    apportionment: {formula: equal}\n"
                       "    specification: {purpose: To counter terrorism.}\nclauses:\n")
    changes = pair(tmp_path, BASE, new)
    assert [c.summary for c in changes.changes] == [
        "Service Specification 9 Counter Terrorism Unit added",
        "Service Specification 9 Counter Terrorism Unit (new): cost apportionment by equal shares",
    ]
    rows = changes.changes[1].apportionment.rows
    assert [(r.new_share, r.new_contribution) for r in rows] == [
        (Decimal("33.34"), Decimal("300000.00")), (Decimal("33.33"), Decimal("300000.00")),
        (Decimal("33.33"), Decimal("300000.00"))]
    assert all(r.old_share is None for r in rows)
    assert "– → 33.34%" in format_text(changes)


def test_demand_change_only(tmp_path):
    new = replace_once(BASE, "demand: {bedfordshire: 6240, cambridgeshire: 7315, hertfordshire: 9880}",
                       "demand: {bedfordshire: 6240, cambridgeshire: 7315, hertfordshire: 10880}")
    changes = pair(tmp_path, BASE, new)
    assert [c.summary for c in changes.changes] == [
        "Service Specification 7 Scientific Services Unit: cost apportionment changes"]
    text = format_text(changes)
    assert "formula: demand (unchanged)" in text
    assert "budget: £5,410,000.00 (unchanged)" in text
    assert re.search(r"Hertfordshire Constabulary +demand 9,880 → 10,880 +", text)
    assert re.search(r"Bedfordshire Police +demand 6,240 +", text)  # inputs shown for every force
    rows = changes.changes[0].apportionment.rows
    assert sum(r.contribution_change for r in rows) == 0
    assert sum(r.share_change for r in rows) == 0
    assert rows[2].share_change > 0 > rows[0].share_change


def test_budget_change_only(tmp_path):
    new = replace_once(BASE, 'budget: "980000.00"', 'budget: "1010000.00"')
    changes = pair(tmp_path, BASE, new)
    assert [c.summary for c in changes.changes] == [
        "Service Specification 5 Operational Planning Support Unit: cost apportionment changes (budget +£30,000.00)"]
    text = format_text(changes)
    assert "33.34% (unchanged)" in text
    assert "£326,666.67 → £336,666.67 (+£10,000.00)" in text


def test_specification_item_added_only(tmp_path):
    new = replace_once(BASE, "        - Event and operation planning\n",
                       "        - Event and operation planning\n        - Football policing plans\n")
    assert only(tmp_path, BASE, new) == [
        "Service Specification 5 Operational Planning Support Unit: service added: “Football policing plans”"]


def test_specification_purpose_reworded_only(tmp_path):
    new = replace_once(BASE, "purpose: To plan the policing of events, operations and public order across the three "
                       "counties.", "purpose: To plan the policing of events, operations and public order across the "
                       "three force areas.")
    changes = pair(tmp_path, BASE, new)
    assert [c.summary for c in changes.changes] == [
        "Service Specification 5 Operational Planning Support Unit: purpose reworded"]
    assert "[-counties-]{+force areas+}" in format_text(changes)


def test_publication_flag_only(tmp_path):
    new = replace_once(BASE, "  - id: dogs\n    name: Dog Unit\n", "  - id: dogs\n    name: Dog Unit\n    publish: false\n")
    assert only(tmp_path, BASE, new) == ["Service Specification 3 Dog Unit is withheld from the publication version"]


# ---------------------------------------------------------------------------- forces (a small alliance)


SMALL = """\
agreement:
  title: Dogs
  reference: X-DOGS
  version: "1.0"
  status: draft
  date: 2016-07-19
  commencement: 2016-08-01
  review: 2019-07-31
  alliance: Test Alliance
forces: [{forces}]
lead_force: bedfordshire
provisions: [force]
functions:
  - id: dogs
    name: Dog Unit
    budget: "300000.00"
    apportionment: {{formula: equal}}
    specification: {{purpose: Dogs.}}
"""


def test_force_joins(tmp_path):
    old = SMALL.format(forces="bedfordshire, cambridgeshire")
    new = SMALL.format(forces="bedfordshire, cambridgeshire, hertfordshire")
    changes = pair(tmp_path, old, new)
    assert [c.summary for c in changes.changes] == [
        "Hertfordshire Constabulary joins the agreement (the Chief Constable of Hertfordshire Constabulary and "
        "the Police and Crime Commissioner for Hertfordshire)",
        "Service Specification 1 Dog Unit: cost apportionment changes",
    ]
    rows = {r.force: r for r in changes.changes[1].apportionment.rows}
    assert rows["bedfordshire"].share_text() == "50.00% → 33.34% (-16.66 pp)"
    assert rows["hertfordshire"].share_text() == "– → 33.33%"
    assert rows["hertfordshire"].contribution_text() == "– → £100,000.00"


def test_force_leaves(tmp_path):
    old = SMALL.format(forces="bedfordshire, cambridgeshire, hertfordshire")
    new = SMALL.format(forces="bedfordshire, cambridgeshire")
    changes = pair(tmp_path, old, new)
    assert changes.changes[0].summary.startswith("Hertfordshire Constabulary leaves the agreement")
    assert [c.kind for c in changes.changes] == ["force_left", "apportionment"]
    rows = {r.force: r for r in changes.changes[1].apportionment.rows}
    assert rows["hertfordshire"].share_text() == "33.33% → –"


def test_party_details_change(tmp_path):
    text = (ROOT / "parties.yaml").read_text(encoding="utf-8")
    old = SMALL.format(forces="bedfordshire, cambridgeshire")
    changes = pair(tmp_path, old, old)
    assert not changes
    (tmp_path / "parties.yaml").write_text(replace_once(
        text, "title: Police and Crime Commissioner for Cambridgeshire",
        "title: Police, Fire and Crime Commissioner for Cambridgeshire"), encoding="utf-8")
    new_checked = load_agreement(tmp_path / "new.yaml")
    old_parties = tmp_path / "old-parties.yaml"
    old_parties.write_text(text, encoding="utf-8")
    old_checked = load_agreement(tmp_path / "old.yaml", parties=old_parties)
    changes = diff_agreements(old_checked, new_checked)
    assert [c.summary for c in changes.changes] == [
        "Cambridgeshire Constabulary: policing body changes from “Police and Crime Commissioner for Cambridgeshire” "
        "to “Police, Fire and Crime Commissioner for Cambridgeshire”"]


# ---------------------------------------------------------------------------- template wording


def _edited_umbrella(folder: Path) -> Path:
    """Write an umbrella where clause 6.5 is reworded and clause 8.3 is missing; return its folder."""
    document = docx.Document(str(SHIPPED_TEMPLATES / "umbrella.docx"))
    for p in document.paragraphs:
        if p.text.startswith("A change of Lead Force may be made only"):
            for r in p.runs:
                r.text = r.text.replace("agreed by {{ words.all_parties }}", "agreed in writing by {{ words.all_parties }}")
        if p.text.startswith("{{ words.each_other_policing_body_start }} may raise with the {{ terms.lead_body }}"):
            p._p.getparent().remove(p._p)
    folder.mkdir(parents=True, exist_ok=True)
    document.save(str(folder / "umbrella.docx"))
    return folder


def test_template_wording_changes_clause_by_clause(run, tmp_path):
    shutil.copy(ROOT / "parties.yaml", tmp_path / "parties.yaml")
    (tmp_path / "old.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(BASE, encoding="utf-8")
    old_templates = _edited_umbrella(tmp_path / "old-templates")
    result = run("diff", tmp_path / "old.yaml", tmp_path / "new.yaml", "--old-templates", old_templates)
    assert result.exit_code == 0, result.output
    assert summaries(result.output) == [
        "Section 6 Lead Force Arrangements: template clause 6.5 reworded",
        "Section 8 Accountability Arrangements: template clause 8.3 inserted: “Each other Policing Body may raise "
        "with the Lead Commissioner, directly or through the Collaboration Board, any matter concerning the delivery "
        "of the Functions in its Police Area, and the Lead Commissioner shall take that matter into account in "
        "holding the Lead Chief Officer to account.”",
        "Renumbered as a result of the changes above: clause 8.3–8.4 become 8.4–8.5",
    ]
    assert "agreed [-in writing -]by all the Parties." in result.output


def test_template_clauses_that_depend_on_the_data_are_counted_as_rendered(tmp_path):
    """A template clause inside {%p if %} moves the agreement clauses after it only when it is printed."""
    import copy

    document = docx.Document(str(SHIPPED_TEMPLATES / "umbrella.docx"))
    first = next(p for p in document.paragraphs if p.text.startswith("Each Policing Body remains responsible"))
    clause = copy.deepcopy(first._p)
    for t in clause.iter(docx.oxml.ns.qn("w:t")):
        t.text = ""
    next(clause.iter(docx.oxml.ns.qn("w:t"))).text = "A clause printed only with policing body provision."
    first._p.addprevious(copy.deepcopy(document.add_paragraph("{%p if provisions.policing_body %}")._p))
    first._p.addprevious(clause)
    first._p.addprevious(copy.deepcopy(document.add_paragraph("{%p endif %}")._p))
    for p in document.paragraphs[-2:]:
        p._p.getparent().remove(p._p)
    (tmp_path / "templates").mkdir()
    document.save(str(tmp_path / "templates" / "umbrella.docx"))
    new = replace_once(BASE, "provisions: [force, policing_body_and_force]",
                       "provisions: [force, policing_body, policing_body_and_force]")
    assert only(tmp_path, BASE, new) == [
        "Provisions: policing body collaboration provision added",
        "Renumbered as a result of the changes above: clause 8.5 becomes 8.6",
    ]
    rendered = read_document(render_agreement(load_agreement(tmp_path / "new.yaml")))
    section = [b for b in rendered.blocks if b.path == "_AB_S_accountability" and b.style_name == "Clause"]
    assert section[0].text == "A clause printed only with policing body provision."
    assert [b.stable_id for b in section].index("_AB_C_lead_commissioner") + 1 == 6


def test_same_templates_are_not_compared(example, monkeypatch):
    """With the same template files, no annex is rendered and template wording is not compared (that is what
    keeps diff fast); the umbrella is rendered only to number the agreement clauses of a section whose printed
    clauses depend on the data (31.2 is printed only with force collaboration provision), once per version."""
    from agreement_builder.diff import numbering, wording

    def boom(*args, **kwargs):
        raise AssertionError("rendered although the templates are the same")

    calls = []
    real = numbering.render_umbrella
    monkeypatch.setattr(numbering, "render_umbrella", lambda *a: calls.append(a) or real(*a))
    monkeypatch.setattr(wording, "render_umbrella", boom)
    monkeypatch.setattr(wording, "render_template", boom)
    old, new, _ = example
    changes = diff_agreements(old, new)
    assert len(changes) == 30
    assert not [c for c in changes.changes if "template" in c.summary]
    assert len(calls) <= 2


# ---------------------------------------------------------------------------- forms


def test_markdown_form(run, tmp_path):
    out = tmp_path / "changes.md"
    result = run("diff", OLD, NEW, "-o", out, cwd=ROOT)
    assert result.exit_code == 0 and "wrote" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Joint Protective Services (BCH-S22A-JPS): what changed\n")
    assert "| # | Where | Change |" in text
    assert "| 6 | Parties | Lead force changes from Cambridgeshire Constabulary to Bedfordshire Police |" in text
    assert "## Accountability Arrangements – Section 8" in text
    assert ("Section 8 Accountability Arrangements: clause 8.5 inserted: <ins>The Lead Commissioner shall hold "
            in text)
    assert "The Parties <del>shall seek the agreement of</del><ins>note that</ins> their insurers" in text
    assert "| Force | Demand | Share | Contribution |" in text
    assert "| Bedfordshire Police | 29.00% → 28.50% (-0.50 pp) | £594,500.00 → £598,500.00 (+£4,000.00) |" in text


def test_html_form_is_one_self_contained_page(run, tmp_path):
    out = tmp_path / "changes.html"
    assert run("diff", OLD, NEW, "--format", "html", "-o", out, cwd=ROOT).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for external in ("<script", "<link", "src=", "@import", "url("):
        assert external not in page
    assert '<table class="summary">' in page
    assert page.index('<table class="summary">') < page.index("<h2>Parties and lead force</h2>")
    assert "<td>Lead force changes from Cambridgeshire Constabulary to Bedfordshire Police</td>" not in page  # linked
    assert ">Lead force changes from Cambridgeshire Constabulary to Bedfordshire Police</a>" in page
    assert "The Parties <del>shall seek the agreement of</del><ins>note that</ins> their insurers" in page
    assert "<ins>The Lead Commissioner shall hold" in page
    assert '<td class="n">29.00% → 28.50% (-0.50 pp)</td>' in page


def test_docx_form_is_a_summit_paper(run, tmp_path):
    out = tmp_path / "changes.docx"
    result = run("diff", OLD, NEW, "-o", out, cwd=ROOT)
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    texts = [t for _, t in paragraphs]
    assert paragraphs[0] == ("Title", "Section 22A Agreement – Joint Protective Services")
    assert ("Subtitle", "Changes since version 2.0") in paragraphs
    assert ("Clause", "Lead force changes from Cambridgeshire Constabulary to Bedfordshire Police") in paragraphs
    assert ("Clause", "Professional Standards Department removed (was Service Specification 9)") in paragraphs
    for heading in ["Accountability Arrangements – Section 8", "General Liabilities – Section 31",
                    "Cost Apportionment – Section 13"]:
        assert ("Unnumbered Heading", heading) in paragraphs
    assert any(t.startswith("Section 8 Accountability Arrangements: clause 8.5 inserted: “The Lead Commissioner")
               for t in texts)
    # inserted words underlined, deleted words struck through
    reworded = next(p for p in document.paragraphs if p.text.startswith("The Parties shall seek the agreement of"))
    struck = "".join(r.text for r in reworded.runs if r.font.strike)
    underlined = "".join(r.text for r in reworded.runs if r.font.underline)
    assert struck == "shall seek the agreement of before it takes effect"
    assert underlined == "note thathave confirmed in writing that they agree "
    # apportionment tables: one per function whose figures changed, every force a row
    totals, *tables = document.tables  # each force's total first (tests/test_force_totals.py), then the functions'
    assert [c.text for c in totals.rows[0].cells][:2] == ["Force", "Total contribution"]
    assert len(tables) == 8
    assert [c.text for c in tables[2].rows[0].cells] == ["Force", "Share", "Change", "Annual contribution", "Change"]
    assert [c.text for c in tables[2].rows[1].cells] == [
        "Bedfordshire Police", "29.00% → 28.50%", "-\u20600.50 pp", "£594,500.00 → £598,500.00", "+\u2060£4,000.00"]
    assert [c.text for c in tables[0].rows[0].cells][:2] == ["Force", "Demand"]
    assert not re.search(r"\{\{|\{%", "\n".join(texts))
    # deterministic: the same inputs give the same bytes
    again = tmp_path / "again.docx"
    run("diff", OLD, NEW, "-o", again, cwd=ROOT)
    assert again.read_bytes() == out.read_bytes()


def test_docx_needs_an_output_file(run):
    result = run("diff", OLD, NEW, "--format", "docx", cwd=ROOT)
    assert result.exit_code == 2 and "-o FILE.docx" in result.output


def test_text_colours_only_when_asked(example):
    changes = example[2]
    plain, coloured = format_text(changes), format_text(changes, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[32mnote that\x1b[0m" in coloured and "\x1b[31mshall seek the agreement of\x1b[0m" in coloured
    assert re.sub(r"\x1b\[\d+m", "", coloured).count("\n") == plain.count("\n")


def test_clause_text_is_literal_in_every_form(tmp_path):
    tricky = "The {{ lead }} & <Board> shall meet “quarterly” {% if x %}."
    new = replace_once(BASE, "  liabilities:\n", f"    - '{tricky}'\n  liabilities:\n")
    changes = pair(tmp_path, BASE, new)
    assert f"clause 8.6 inserted: “{tricky}”" in format_text(changes)
    assert "The {{ lead }} &amp; &lt;Board&gt; shall meet “quarterly” {% if x %}." in format_html(changes)
    import cmarkgfm

    assert "The {{ lead }} &amp; &lt;Board&gt; shall meet “quarterly” {% if x %}." in \
        cmarkgfm.github_flavored_markdown_to_html(format_markdown(changes))
    document = docx.Document(io.BytesIO(format_docx(changes, find_templates(tmp_path / "new.yaml"))))
    assert any(tricky in p.text for p in document.paragraphs)


# ---------------------------------------------------------------------------- word diffs


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_letters[:6] + " .,", max_size=60),
       st.text(alphabet=string.ascii_letters[:6] + " .,", max_size=60))
def test_word_diff_rebuilds_both_texts(old, new):
    segments = word_diff(old, new)
    assert "".join(t for op, t in segments if op != "+") == old
    assert "".join(t for op, t in segments if op != "-") == new
    assert all(t for _, t in segments)


def test_changed_annex_and_decision_notice_templates_are_reported(run, tmp_path):
    """`--old-annexes` with a changed annex template (once an AttributeError) and a reworded decision notice."""
    from .word_edits import WordFile

    shutil.copy(ROOT / "parties.yaml", tmp_path / "parties.yaml")
    (tmp_path / "old.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(BASE, encoding="utf-8")
    old_annexes, old_templates = tmp_path / "old-annexes", tmp_path / "old-templates"
    old_annexes.mkdir()
    old_templates.mkdir()
    shutil.copy(SHIPPED_ANNEXES / "service_specification.docx", old_annexes)
    shutil.copy(SHIPPED_TEMPLATES / "decision_notice.docx", old_templates)
    f = WordFile(old_annexes / "service_specification.docx")
    p = f.paragraph("shall report to the {{ governance.board }} on the delivery")
    f.retype(p, "shall report to the {{ governance.board }}", "shall report quarterly to the {{ governance.board }}")
    f.split_runs(p)
    f.save()
    f = WordFile(old_templates / "decision_notice.docx")
    f.retype(f.paragraph("I declare that I have no personal"), "prejudicial interest", "prejudicial or family interest")
    f.save()
    result = run("diff", tmp_path / "old.yaml", tmp_path / "new.yaml", "--old-annexes", old_annexes,
                 "--old-templates", old_templates)
    assert result.exit_code == 0, result.output
    functions = [n for n, fn in enumerate(load_agreement(tmp_path / "new.yaml").agreement.functions, start=1)
                 if fn.specification != "none" and not (ROOT / "annexes" / f"{fn.id}.docx").exists()]
    used = ", ".join(str(n) for n in functions)
    assert summaries(result.output) == [
        f"Annex template service_specification.docx (Service Specification{'s' if len(functions) > 1 else ''} "
        f"{used}): template clause 4.1 reworded",
        "Decision notice template decision_notice.docx: template paragraph reworded",
    ]
    assert "[-quarterly -]to the Collaboration Board" in result.output
    assert "prejudicial [-or family -]interest" in result.output


def test_many_reworded_clauses_pair_within_the_bound(tmp_path):
    """600 clauses without ids, each reworded: more pairs than are compared in full, still all reworded."""
    import json
    import random

    rnd = random.Random(5)
    words = "the parties shall agree lead force chief board panel budget annual report".split()
    texts = [" ".join(rnd.choice(words) + str(rnd.randrange(30)) for _ in range(20)) for _ in range(600)]
    new_texts = [" ".join(("revised" + w if k % 5 == 0 else w) for k, w in enumerate(t.split())) for t in texts]
    old = replace_once(BASE, "  liabilities:\n", "".join(f"    - {json.dumps(t)}\n" for t in texts) + "  liabilities:\n")
    new = replace_once(BASE, "  liabilities:\n", "".join(f"    - {json.dumps(t)}\n" for t in new_texts) + "  liabilities:\n")
    changes = pair(tmp_path, old, new)
    assert [c.kind for c in changes.changes] == ["clause_reworded"] * 600
    assert [c.number for c in changes.changes] == [f"8.{n}" for n in range(6, 606)]  # after 8.5, the example's own


def test_a_changed_exempt_part_template_is_reported_when_a_function_is_withheld(run, tmp_path):
    from .word_edits import WordFile

    shutil.copy(ROOT / "parties.yaml", tmp_path / "parties.yaml")
    psd = (ROOT / "agreements" / "psd.yaml").read_text(encoding="utf-8")
    (tmp_path / "old.yaml").write_text(psd, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(psd, encoding="utf-8")
    old_templates = tmp_path / "old-templates"
    old_templates.mkdir()
    shutil.copy(SHIPPED_TEMPLATES / "decision_notice_exempt.docx", old_templates)
    f = WordFile(old_templates / "decision_notice_exempt.docx")
    f.retype(f.paragraph("It is not for publication."), "It is not for publication.", "It is confidential.")
    f.save()
    result = run("diff", tmp_path / "old.yaml", tmp_path / "new.yaml", "--old-templates", old_templates)
    assert result.exit_code == 0, result.output
    assert summaries(result.output) == [
        "Decision notice exempt part template decision_notice_exempt.docx: template clause 1.1 reworded"]
