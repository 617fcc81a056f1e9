"""Render every shipped template with docxtpl and a hand-written context (tests/sample_context.py).

Rendering is as strict as the product's: a sandboxed Jinja environment with StrictUndefined
and autoescape, so a tag naming anything docs/templates.md does not list fails here.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import docx
import jinja2
import pytest
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sample_context  # noqa: E402

from agreement_builder.templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES  # noqa: E402

UMBRELLA = SHIPPED_TEMPLATES / "umbrella.docx"
DECISION = SHIPPED_TEMPLATES / "decision_notice.docx"
ANNEXES = SHIPPED_ANNEXES
SPEC_ANNEXES = ["service_specification.docx", "armed_policing.docx", "major_crime.docx"]
ALL = [UMBRELLA, DECISION] + sorted(ANNEXES.glob("*.docx"))

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

SECTION_TITLES = [
    "Definitions and Interpretation", "Legal Framework", "Purpose and Objectives", "Commencement and Duration",
    "Scope of the Collaboration", "Lead Force Arrangements", "Governance", "Accountability Arrangements",
    "Direction and Control", "Performance Management",
    "Police and Crime Plans and the Strategic Policing Requirement", "Financial Arrangements",
    "Cost Apportionment", "Budget Setting and Savings", "Assets, Premises and Equipment",
    "Contracts and Procurement", "Workforce: Police Officers", "Workforce: Police Staff",
    "Designated Police Staff", "Health and Safety", "Information Management and Data Protection",
    "Freedom of Information", "Complaints and Conduct", "Audit and Inspection", "Equality and Diversity",
    "Confidentiality", "Intellectual Property", "Review and Variation", "Admission of New Parties",
    "Withdrawal and Termination", "General Liabilities", "Insurance", "Dispute Resolution", "Publication",
    "Notices", "Governing Law",
]


def render(path: Path, context: dict) -> docx.document.Document:
    """Return the python-docx Document of `path` rendered strictly with `context`."""
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)
    template = DocxTemplate(str(path))
    template.render(context, jinja_env=env, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return docx.Document(io.BytesIO(out.getvalue()))


def part_xml(document, name: str) -> str:
    """Return the XML of every part whose name contains `name` (e.g. 'header'), concatenated."""
    parts = document.part.package.iter_parts()
    return "".join(p.blob.decode("utf-8") for p in parts if name in str(p.partname))


def styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def leftover_tags(xml: str) -> list[str]:
    return re.findall(r"\{\{.*?\}\}|\{%.*?%\}", xml)


# --- the raw templates ------------------------------------------------------------------


def test_section_titles_match_the_outline():
    from agreement_builder.outline import SECTIONS

    assert [title for _, title in SECTIONS] == SECTION_TITLES
    assert [key for key, _ in SECTIONS] == sample_context.SECTION_KEYS


def test_styles_and_numbering_follow_the_contract():
    document = docx.Document(str(UMBRELLA))
    names = {s.name for s in document.styles}
    for style in ["Title", "Subtitle", "Part Heading", "Heading 1", "Clause", "Clause Item", "Body Text",
                  "Recital", "Appendix Title", "Annex Title", "Annex Heading", "Annex Clause", "Table Text",
                  "Table Heading"]:
        assert style in names, style
    expected_ids = {"Heading 1": "Heading1", "Annex Title": "AnnexTitle", "Clause Item": "ClauseItem",
                    "Part Heading": "PartHeading", "Table Heading": "TableHeading"}
    for name, style_id in expected_ids.items():
        assert document.styles[name].style_id == style_id
    styles_xml = part_xml(document, "styles")
    assert 'w:ascii="Calibri"' in styles_xml
    numbering = document.part.numbering_part.element
    lists = {}
    for style_id, shares, ilvl, text in [("Heading1", None, 0, "%1"), ("Clause", "Heading1", 1, "%1.%2"),
                                         ("ClauseItem", "Heading1", 2, "(%3)"), ("AnnexHeading", None, 0, "%1"),
                                         ("AnnexClause", "AnnexHeading", 1, "%1.%2"), ("Recital", None, 0, "(%1)")]:
        style = document.styles.element.get_by_id(style_id)
        num_pr = style.pPr.find(f"{W}numPr")
        num_id = num_pr.find(f"{W}numId").get(f"{W}val")
        assert num_pr.find(f"{W}ilvl").get(f"{W}val") == str(ilvl), style_id
        num = next(n for n in numbering.iter(f"{W}num") if n.get(f"{W}numId") == num_id)
        abstract = num.find(f"{W}abstractNumId").get(f"{W}val")
        lists[style_id] = abstract
        level = next(lv for an in numbering.iter(f"{W}abstractNum") if an.get(f"{W}abstractNumId") == abstract
                     for lv in an.iter(f"{W}lvl") if lv.get(f"{W}ilvl") == str(ilvl))
        assert level.find(f"{W}lvlText").get(f"{W}val") == text, style_id
        if shares:
            assert lists[shares] == abstract, style_id  # Clause is level 2 of the list of Heading 1 ...
    assert len({lists["Heading1"], lists["AnnexHeading"], lists["Recital"]}) == 3
    section = document.sections[0]
    assert (section.page_width.cm, section.page_height.cm) == pytest.approx((21.0, 29.7), abs=0.01)
    assert section.left_margin.cm == pytest.approx(2.54, abs=0.01)
    assert section.different_first_page_header_footer


def test_umbrella_bookmarks_and_toc_field():
    document = docx.Document(str(UMBRELLA))
    body = document.element.body
    names = [b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")]
    assert names == [f"_AB_S_{k}" for k in sample_context.SECTION_KEYS] + [
        "_AB_A_terms_of_reference", "_AB_A_governance_structure"]
    ids = [b.get(f"{W}id") for b in body.iter(f"{W}bookmarkStart")]
    assert len(set(ids)) == len(ids) and all(i.isdigit() for i in ids)
    for para in document.paragraphs:
        starts = para._p.findall(f"{W}bookmarkStart")
        if starts:
            assert para.style.name in ("Heading 1", "Appendix Title")
            assert len(para._p.findall(f"{W}bookmarkEnd")) == 1
    instr = [i.text for i in body.iter(f"{W}instrText")]
    assert [i for i in instr if "TOC" in i] == [' TOC \\o "1-1" \\h \\z \\u ']
    # every other field (the publication version's cover names section 34 before it) is a
    # cross-reference by number to a section's bookmark
    refs = [re.fullmatch(r" REF _AB_S_(\w+) \\r \\h ", i) for i in instr if "TOC" not in i]
    assert refs and all(m and m.group(1) in sample_context.SECTION_KEYS for m in refs), instr
    kinds = [f.get(f"{W}fldCharType") for f in body.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"] * len(instr)


# --- the umbrella, rendered -------------------------------------------------------------


@pytest.fixture(scope="module")
def umbrella():
    return render(UMBRELLA, sample_context.umbrella())


def test_umbrella_has_the_36_sections_in_order(umbrella):
    assert styled(umbrella, "Heading 1") == SECTION_TITLES
    assert styled(umbrella, "Part Heading") == ["PART A – GENERAL TERMS", "PART B – SERVICE SPECIFICATIONS"]


def test_every_section_has_clauses_and_agreement_clauses_land_at_its_end(umbrella):
    sections: dict[str, list] = {}
    current = None
    for para in umbrella.paragraphs:
        if para.style.name == "Heading 1":
            current = para.text
            sections[current] = []
        elif para.style.name == "Appendix Title":
            current = None
        elif current:
            sections[current].append(para)
    for title, paras in sections.items():
        clauses = [p for p in paras if p.style.name == "Clause"]
        assert 2 <= len(clauses) <= 7, title
        assert all(p.style.name in ("Clause", "Clause Item") for p in paras), title
    last = sections["Accountability Arrangements"][-1]
    assert last.text == sample_context.ACCOUNTABILITY_CLAUSE.replace("&amp;", "&")


def test_umbrella_uses_the_data(umbrella):
    text = "\n".join(p.text for p in umbrella.paragraphs)
    assert "Bedfordshire Police is the Lead Force for the Functions." in text
    assert ("“Lead Commissioner” means the Police and Crime Commissioner for Bedfordshire, the Policing Body that "
            "maintains the Lead Force") in text
    assert ("The Lead Commissioner shall hold the Lead Chief Officer to account for the delivery of the Functions "
            "throughout the Police Areas") in text
    assert "force collaboration provision and policing body and force collaboration provision" in text
    assert "not less than twelve months’ written notice expiring on 31 March" in text
    assert "Bridgebury House, Woburn Road, Kempston, Bedford MK43 9AX" in text
    assert styled(umbrella, "Party") == [
        "the Chief Constable of Bedfordshire Police, a corporation sole;",
        "the Chief Constable of Cambridgeshire Constabulary, a corporation sole;",
        "the Chief Constable of Hertfordshire Constabulary, a corporation sole;",
        "the Police and Crime Commissioner for Bedfordshire, a corporation sole, of Bridgebury House, Woburn "
        "Road, Kempston, Bedford MK43 9AX;",
        "the Police and Crime Commissioner for Cambridgeshire, a corporation sole;",
        "the Police and Crime Commissioner for Hertfordshire, a corporation sole.",
    ]
    recitals = styled(umbrella, "Recital")
    assert len(recitals) == 7  # policing body collaboration provision is not made
    assert not any("policing body collaboration provision of this" in r for r in recitals)
    scope = [p.text for p in umbrella.paragraphs if p.style.name == "Clause Item"]
    for function in sample_context.FUNCTIONS:
        assert function["name"] in scope
    assert not leftover_tags(umbrella.element.xml)


def test_umbrella_signature_blocks(umbrella):
    paras = umbrella.paragraphs
    execution = next(i for i, p in enumerate(paras) if p.style.name == "Appendix Title")
    assert paras[execution].text == "Execution"
    block = paras[execution:]
    signed = [i for i, p in enumerate(block) if p.text.startswith("Signed by")]
    expected = [p["signed_by"] for p in sample_context.umbrella()["parties"]]
    assert [block[i].text for i in signed] == expected
    assert expected[0] == "Signed by Jane Doe, the Chief Constable of Bedfordshire Police"
    for i in signed:
        assert block[i].paragraph_format.keep_with_next
        assert block[i + 1].text.startswith("Signature:") and block[i + 1].paragraph_format.keep_with_next
        assert block[i + 2].text.startswith("Date:")


def test_umbrella_appendices_and_part_b(umbrella):
    assert styled(umbrella, "Appendix Title") == [
        "Execution", "Appendix 1: Terms of Reference", "Appendix 2: Governance Structure"]
    membership = umbrella.tables[1]
    assert [c.text for c in membership.rows[0].cells] == ["Force", "Members"]
    assert [r.cells[0].text for r in membership.rows[1:]] == [f["name"] for f in sample_context.FORCES]
    governance = umbrella.tables[2]
    assert [r.cells[0].text for r in governance.rows[1:]] == [
        "Strategic Alliance Summit", "Joint Chief Officer Board", "Collaboration Board", "Lead Chief Officer"]
    # the annexes Markup is spliced in place of {{p annexes }}, after PART B
    assert styled(umbrella, "Annex Title") == ["Service Specification 1: Armed Policing Unit"]
    assert umbrella.paragraphs[-1].text == "Spliced annex text."


def test_umbrella_header_and_footer(umbrella):
    header = part_xml(umbrella, "header")
    footer = part_xml(umbrella, "footer")
    assert "DRAFT – Version 3.0 – 19 July 2016" in header
    assert "BCH-S22A-JPS · Version 3.0 · Page " in footer
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert "Fingerprint" not in footer
    assert not leftover_tags(header + footer)


def test_final_umbrella_has_no_draft_line_and_a_fingerprint():
    context = sample_context.umbrella()
    context["agreement"].update(status="Final", is_draft=False, fingerprint="ab" * 32)
    document = render(UMBRELLA, context)
    assert "DRAFT" not in part_xml(document, "header")
    assert "Fingerprint: " + "ab" * 32 in part_xml(document, "footer")


def test_literal_text_is_escaped_not_evaluated():
    context = sample_context.umbrella()
    context["forces"][1]["policing_body"]["address"] = "Unit <1> & {{ evil }}"
    document = render(UMBRELLA, context)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Unit <1> & {{ evil }}" in text


# --- annexes ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", SPEC_ANNEXES)
def test_service_specification_annex(name):
    context = sample_context.annex()
    document = render(ANNEXES / name, context)
    paras = document.paragraphs
    assert paras[0].style.name == "Annex Title"
    assert paras[0].text == "Service Specification 1: Armed Policing Unit"
    headings = styled(document, "Annex Heading")
    assert headings[:2] == ["Purpose", "Services in Scope"]
    assert headings[-4:] == ["Service Levels", "Governance and Reporting", "Budget", "Cost Apportionment"]
    clauses = styled(document, "Annex Clause")
    assert context["spec"]["purpose"] in clauses
    for service in context["spec"]["services"] + context["spec"]["service_levels"]:
        assert service in clauses
    assert "Quarterly performance reports by force area." in clauses
    assert any("The Lead Chief Officer shall report to the Collaboration Board" in c for c in clauses)
    assert any("£6,250,000.00" in c for c in clauses)
    text = "\n".join(p.text for p in paras)
    assert context["apportionment"]["formula_text"] in text

    *inputs, shares = document.tables
    assert len(inputs) == 2
    for table, expected in zip(inputs, context["apportionment"]["inputs"]):
        rows = [[c.text for c in r.cells] for r in table.rows]
        assert rows[0] == ["Force", f"{expected['label']} ({expected['unit']})" if expected["unit"] else expected["label"]]
        assert rows[1:-1] == [[r["force"], r["value"]] for r in expected["rows"]]
        assert rows[-1] == ["Total", expected["total"]]
    rows = [[c.text for c in r.cells] for r in shares.rows]
    assert rows[0] == ["Force", "Share", "Annual Contribution"]
    assert rows[1:-1] == [[r["force"], r["share"], r["contribution"]] for r in context["apportionment"]["rows"]]
    assert rows[-1] == ["Total", "100.00%", "£6,250,000.00"]
    assert shares.rows[-1].cells[0].paragraphs[0].style.name == "Table Heading"
    assert not leftover_tags(document.element.xml)


def test_annex_without_inputs_or_governance():
    context = sample_context.annex()
    context["apportionment"]["inputs"] = []
    context["spec"]["services"] = []
    context["spec"]["governance"] = "Governed by the JPS Board."
    document = render(ANNEXES / "service_specification.docx", context)
    assert len(document.tables) == 1
    clauses = styled(document, "Annex Clause")
    assert "Governed by the JPS Board." in clauses
    assert "The services in scope of the Function are [to be agreed]." in clauses  # a drafting gap, marked


def test_annex_without_apportionment_or_purpose():
    context = sample_context.annex()
    context["apportionment"].update(rows=[], inputs=[], formula_text="", total_share="", total_contribution="")
    context["spec"]["purpose"] = ""
    document = render(ANNEXES / "service_specification.docx", context)
    assert not document.tables
    clauses = styled(document, "Annex Clause")
    assert "" not in clauses
    assert any("not apportioned separately" in c for c in clauses)
    assert styled(document, "Annex Heading")[-1] == "Cost Apportionment"


def test_function_specific_wording():
    armed = "\n".join(p.text for p in render(ANNEXES / "armed_policing.docx", sample_context.annex()).paragraphs)
    for phrase in ["Authorised Firearms Officer", "Authorising Officer", "Strategic Firearms Commander",
                   "Authorised Professional Practice (APP) on armed policing", "Firearms Act 1968"]:
        assert phrase in armed
    major = "\n".join(p.text for p in render(ANNEXES / "major_crime.docx", sample_context.annex()).paragraphs)
    for phrase in ["Senior Investigating Officer", "homicide", "MIRSAP", "HOLMES"]:
        assert phrase in major


def test_no_specification_and_withheld():
    context = sample_context.common()
    context["function"] = context["functions"][2]
    document = render(ANNEXES / "no_specification.docx", context)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Service Specification 3: Delegation of Authority (On-call arrangements)"
    assert document.paragraphs[0].style.name == "Annex Title"
    assert "No service specification has yet been agreed for this business area." in texts
    assert context["function"]["reason"] in texts

    context["function"] = context["functions"][1]
    document = render(ANNEXES / "withheld.docx", context)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Service Specification 2: Dog Unit"
    assert len(texts) == 2 and "withheld from publication under section 23E" in texts[1]
    assert not document.tables


# --- decision notice --------------------------------------------------------------------


def test_decision_notice():
    context = sample_context.decision_notice()
    document = render(DECISION, context)
    text = "\n".join(p.text for p in document.paragraphs)
    assert styled(document, "Heading 1") == [
        "Executive Summary", "Recommendation", "Background", "Financial Implications", "Legal Implications",
        "Equality and Risk", "Consultation", "Publication", "Declaration of Personal Interests", "Decision",
        "Officers’ Sign-off"]
    assert "Approved." not in text and "in the decision maker’s own words" in text
    assert "the Police and Crime Commissioner for Cambridgeshire" in text
    assert "Strategic Alliance Summit on 19 July 2016" in text
    for function in sample_context.FUNCTIONS:
        assert function["name"] in text
    cover, money, summit = document.tables
    assert cover.rows[0].cells[1].text == "BCH-S22A-JPS/3.0/CAMBRIDGESHIRE"
    assert cover.rows[2].cells[1].text == "BCH-S22A-JPS"
    rows = [[c.text for c in r.cells] for r in money.rows]
    assert rows == [["Function", "Annual contribution"],
                    ["Armed Policing Unit", "£1,860,000.00"], ["Dog Unit", "£655,200.00"],
                    ["Total", "£2,515,200.00"]]
    assert [[c.text for c in r.cells] for r in summit.rows][-1] == ["Total", "£2,516,200.00"]
    assert "BCH-S22A-JPS · Decision notice · Police and Crime Commissioner for Cambridgeshire" in part_xml(
        document, "footer")
    assert not leftover_tags(document.element.xml)
