"""Redline of what Word documents hold besides paragraphs of text, judged by the independent reader.

Every pair must be exact: accepting all revisions reads as NEW and rejecting all as OLD over
the body, tables, text boxes, equations, field codes, pictures (by the bytes of their parts),
footnotes, endnotes, comments, headers and footers (`docx_views.judge`), with no warning.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))

from docx_views import judge, revision_groups, view  # noqa: E402
from redline_helpers import (  # noqa: E402
    Body, Clause, Para, Raw, Table, build_docx, header_part, image_part, notes_part, picture, png, text_box,
)

from agreement_builder.redline import compare  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
NS = {"w": W, "m": M, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(name))


def names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.namelist()


def exact(old: bytes, new: bytes):
    """Redline OLD -> NEW; assert it is exact, warning-free and deterministic; return (output, document root)."""
    result = compare(old, new)
    status, differ = judge(old, new, result.data, result.warnings)
    assert (status, differ, result.warnings) == ("exact", [], [])
    assert compare(old, new).data == result.data
    root = part(result.data, "word/document.xml")
    ids = [el.get(f"{{{W}}}id") for el in root.xpath("//w:ins | //w:del", namespaces=NS)]
    assert len(ids) == len(set(ids)), "revision ids are not unique"
    return result.data, root


def texts(root, tag: str) -> list[str]:
    """Return the text under each content-wrapping w:ins or w:del (not marks on paragraphs or rows)."""
    out = []
    for el in root.iter(f"{{{W}}}{tag}"):
        if el.getparent().tag in (f"{{{W}}}rPr", f"{{{W}}}trPr"):
            continue
        out.append("".join(t.text or "" for t in el.iter(f"{{{W}}}t", f"{{{W}}}delText", f"{{{M}}}t")))
    return out


def p(text: str) -> str:
    return f"<w:p>{run(text)}</w:p>"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def cell(inner: str) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr>{inner}</w:tc>'


def table(rows: list[list[str]]) -> str:
    grid = "".join('<w:gridCol w:w="2000"/>' for _ in rows[0])
    body = "".join("<w:tr>" + "".join(cell(c if c.startswith("<") else p(c)) for c in r) + "</w:tr>" for r in rows)
    return f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>'




# --------------------------------------------------------------------------- tables

def test_a_one_letter_change_in_a_nested_table_is_two_revisions():
    def doc(word):
        nested = table([["Alpha", word], ["Gamma", "Delta"]])
        return build_docx([Body("Before."), Raw(table([["Outer", "x"], ["Holds", nested + p("")]])), Body("After.")])

    data, root = exact(doc("Beta"), doc("Bets"))
    assert revision_groups(data) == 2
    assert texts(root, "del") == ["Beta"] and texts(root, "ins") == ["Bets"]
    assert not root.xpath("//w:trPr/w:ins | //w:trPr/w:del", namespaces=NS), "no row was replaced"


def test_an_edit_in_a_first_cell_diffs_the_cell_not_the_row():
    rows = [["Force", "Share"], ["Bedfordshire Police", "30.00%"], ["Kent Police", "70.00%"]]
    old = build_docx([Body("Shares."), Table(rows)])
    new = build_docx([Body("Shares."), Table([rows[0], ["Bedfordshire and Luton Police", "30.00%"], rows[2]])])
    _, root = exact(old, new)
    assert texts(root, "ins") == ["and Luton "] and texts(root, "del") == []
    assert not root.xpath("//w:trPr/w:ins | //w:trPr/w:del", namespaces=NS)


def test_a_row_whose_cells_merge_is_replaced_exactly():
    old = build_docx([Raw(table([["a", "b"], ["c", "d"]])), Body("")])
    merged = table([["a", "b"], ["c", "d"]]).replace(
        '<w:tr><w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t xml:space="preserve">c</w:t>'
        '</w:r></w:p></w:tc><w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t xml:space="preserve">d'
        '</w:t></w:r></w:p></w:tc></w:tr>',
        '<w:tr><w:tc><w:tcPr><w:tcW w:w="4000" w:type="dxa"/><w:gridSpan w:val="2"/></w:tcPr>' + p("c d") + '</w:tc></w:tr>')
    _, root = exact(old, build_docx([Raw(merged), Body("")]))
    assert len(root.xpath("//w:trPr/w:del", namespaces=NS)) == 1 and len(root.xpath("//w:trPr/w:ins", namespaces=NS)) == 1


# --------------------------------------------------------------------------- paragraph marks

def test_the_final_paragraph_mark_is_never_inserted_or_deleted():
    old = build_docx([Body("Kept."), Body("The old ending.")])
    new = build_docx([Body("Kept."), Body("A different close altogether."), Body("And one more.")])
    _, root = exact(old, new)
    body = root.find(f"{{{W}}}body")
    last = [el for el in body if el.tag == f"{{{W}}}p"][-1]
    assert last.find(f"{{{W}}}pPr/{{{W}}}rPr/{{{W}}}ins") is None
    assert last.find(f"{{{W}}}pPr/{{{W}}}rPr/{{{W}}}del") is None
    _, root = exact(new, old)
    last = [el for el in root.find(f"{{{W}}}body") if el.tag == f"{{{W}}}p"][-1]
    assert last.find(f"{{{W}}}pPr/{{{W}}}rPr/{{{W}}}del") is None


def test_a_paragraph_deleted_before_a_table_leaves_no_empty_one():
    rows = [["Force", "Share"], ["Kent Police", "100.00%"]]
    old = build_docx([Body("Intro."), Body("This paragraph goes."), Table(rows), Body("")])
    new = build_docx([Body("Intro."), Table(rows), Body("")])
    _, root = exact(old, new)
    # accepting: no empty paragraph between the intro and the table
    assert [kind for kind, _ in view(compare(old, new).data, True)["body"]] == ["p", "tbl", "p"]
    data, _ = exact(new, old)  # and the mirror: an inserted paragraph before a table
    assert [kind for kind, _ in view(data, False)["body"]] == ["p", "tbl", "p"]


def test_a_short_paragraph_is_diffed_word_by_word():
    old = build_docx([Body("Yes."), Body("Unchanged text here.")])
    new = build_docx([Body("No."), Body("Unchanged text here.")])
    _, root = exact(old, new)
    assert texts(root, "del") == ["Yes"] and texts(root, "ins") == ["No"]
    assert not root.xpath("//w:pPr/w:rPr/w:ins | //w:pPr/w:rPr/w:del", namespaces=NS)


def test_a_table_inserted_at_the_end_is_exact():
    rows = [["Force", "Share"], ["Kent Police", "100.00%"]]
    exact(build_docx([Body("Intro.")]), build_docx([Body("Intro."), Table(rows), Body("")]))
    exact(build_docx([Body("Intro."), Table(rows), Body("")]), build_docx([Body("Intro.")]))


# --------------------------------------------------------------------------- notes and comments

FOOTNOTE_REF = '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="{}"/></w:r>'


def note(text: str) -> str:
    return f'<w:p><w:r><w:footnoteRef/></w:r>{run(" " + text)}</w:p>'


def test_a_changed_footnote_is_marked_in_the_note():
    def doc(text):
        return build_docx([Para(raw=run("Costs are shared") + FOOTNOTE_REF.format(1) + run(" equally."))],
                          parts=[notes_part("footnotes", {"1": note(text)})])

    data, root = exact(doc("As set out in Annex A."), doc("As set out in Annex B."))
    assert not root.xpath("//w:ins | //w:del", namespaces=NS), "the body is unchanged"
    notes = part(data, "word/footnotes.xml")
    assert texts(notes, "del") == ["A"] and texts(notes, "ins") == ["B"]


def test_a_footnote_added_and_one_removed():
    with_note = build_docx([Para(raw=run("Costs are shared") + FOOTNOTE_REF.format(1) + run(" equally."))],
                           parts=[notes_part("footnotes", {"1": note("Per the 2016 formula.")})])
    without = build_docx([Para(raw=run("Costs are shared equally."))])
    data, root = exact(without, with_note)
    notes = part(data, "word/footnotes.xml")
    assert "Per the 2016 formula." in " ".join(texts(notes, "ins"))
    data, root = exact(with_note, without)  # NEW has no footnotes part: OLD's note comes in, deleted
    assert "word/footnotes.xml" in names(data)
    ref = root.find(f".//{{{W}}}del//{{{W}}}footnoteReference")
    notes = part(data, "word/footnotes.xml")
    copied = notes.find(f"{{{W}}}footnote[@{{{W}}}id='{ref.get(f'{{{W}}}id')}']")
    assert "Per the 2016 formula." in "".join(copied.itertext())


def test_a_deleted_paragraph_keeps_its_comment():
    comment = notes_part("comments", {"5": p("Check with finance.")})
    ref = '<w:commentRangeStart w:id="5"/>' + run("Budget review.") + '<w:commentRangeEnd w:id="5"/>' \
          '<w:r><w:commentReference w:id="5"/></w:r>'
    old = build_docx([Body("Kept."), Para(raw=ref), Body("End.")], parts=[comment])
    new = build_docx([Body("Kept."), Body("End.")])
    data, _ = exact(old, new)
    assert "Check with finance." in "".join(part(data, "word/comments.xml").itertext())


# --------------------------------------------------------------------------- text boxes, equations, pictures

def test_an_edit_in_a_text_box_is_marked_in_both_of_its_copies():
    old = build_docx([Para(raw=run("See the box.") + text_box(["The lead force is Kent."]))])
    new = build_docx([Para(raw=run("See the box.") + text_box(["The lead force is Essex."]))])
    data, root = exact(old, new)
    choice = root.find(".//mc:Choice//w:txbxContent", NS)
    fallback = root.find(".//mc:Fallback//w:txbxContent", NS)
    assert texts(choice, "del") == ["Kent"] and texts(choice, "ins") == ["Essex"]
    assert texts(fallback, "del") == ["Kent"] and texts(fallback, "ins") == ["Essex"]
    assert revision_groups(data) == 2


def test_a_text_box_inserted_and_deleted():
    plain = build_docx([Body("Text.")])
    boxed = build_docx([Para(raw=run("Text.") + text_box(["Boxed note."]))])
    _, root = exact(plain, boxed)
    _, root = exact(boxed, plain)
    assert root.find(f".//{{{W}}}del//{{{W}}}txbxContent") is not None


def math(text: str) -> str:
    return f'<m:oMath><m:r><m:t>{text}</m:t></m:r></m:oMath>'


def test_a_changed_equation_is_replaced():
    old = build_docx([Para(raw=run("Share = ") + math("N/T")), Body("End.")])
    new = build_docx([Para(raw=run("Share = ") + math("N/(T+1)")), Body("End.")])
    _, root = exact(old, new)
    assert root.find(f".//{{{W}}}del/{{{M}}}oMath") is not None and root.find(f".//{{{W}}}ins/{{{M}}}oMath") is not None


def test_a_picture_replaced_with_the_text_unchanged_is_a_revision():
    def doc(colour):
        return build_docx([Para(raw=run("Logo: ") + picture("rIdLogo"))],
                          parts=[image_part("word/media/logo.png", png(*colour), "rIdLogo")])

    data, root = exact(doc((255, 0, 0)), doc((0, 0, 255)))
    assert root.find(f".//{{{W}}}del//{{{W}}}drawing") is not None
    assert root.find(f".//{{{W}}}ins//{{{W}}}drawing") is not None
    # OLD's image came along under a fresh name, with its bytes
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.read("word/media/old-logo.png") == png(255, 0, 0)
    doc_prs = [el.get("id") for el in root.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert len(doc_prs) == len(set(doc_prs)), "drawing ids stay unique"


def test_a_deleted_paragraph_keeps_its_picture_and_hyperlink():
    link = ('<w:hyperlink r:id="rIdLink"><w:r><w:t>guidance</w:t></w:r></w:hyperlink>')
    from redline_helpers import Part
    old = build_docx([Body("Kept."), Para(raw=run("See ") + link + picture("rIdPic")), Body("End.")],
                     parts=[image_part("word/media/pic.png", png(9, 9, 9), "rIdPic"),
                            Part("https://www.gov.uk/guidance", b"", "", "hyperlink", "rIdLink", external=True)])
    new = build_docx([Body("Kept."), Body("End.")])
    data, root = exact(old, new)
    rels = part(data, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    link_id = root.find(f".//{{{W}}}hyperlink").get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    assert targets[link_id] == "https://www.gov.uk/guidance"


# --------------------------------------------------------------------------- fields, content controls, headers

DATE_FIELD = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> DATE \\@ "d MMMM yyyy" '
              '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>19 July 2016</w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def test_a_deleted_paragraph_keeps_its_date_field():
    old = build_docx([Body("Kept."), Para(raw=run("Dated ") + DATE_FIELD), Body("End.")])
    new = build_docx([Body("Kept."), Body("End.")])
    _, root = exact(old, new)
    assert "DATE" in "".join(t.text for t in root.iter(f"{{{W}}}delInstrText"))


def test_a_field_whose_code_changed_is_replaced_whole():
    old = build_docx([Para(raw=run("Dated ") + DATE_FIELD)])
    new = build_docx([Para(raw=run("Dated ") + DATE_FIELD.replace("d MMMM yyyy", "dd/MM/yyyy"))])
    _, root = exact(old, new)
    assert root.find(f".//{{{W}}}del//{{{W}}}delInstrText") is not None
    assert root.find(f".//{{{W}}}ins//{{{W}}}instrText") is not None


def test_content_controls_are_compared_inside():
    def doc(name):
        return build_docx([Raw(f'<w:sdt><w:sdtPr><w:alias w:val="Lead"/><w:id w:val="7"/></w:sdtPr><w:sdtContent>'
                               f'{p("The lead force is " + name + ".")}{p("Second.")}</w:sdtContent></w:sdt>'), Body("")])

    _, root = exact(doc("Kent Police"), doc("Essex Police"))
    assert texts(root, "ins") == ["Essex"]
    assert root.find(f".//{{{W}}}sdtContent//{{{W}}}ins") is not None


def test_a_changed_header_is_marked_in_the_header():
    def doc(text):
        return build_docx([Body("Body text.")], parts=[header_part(p(text))])

    data, root = exact(doc("OFFICIAL"), doc("OFFICIAL-SENSITIVE"))
    assert not root.xpath("//w:ins | //w:del", namespaces=NS)
    header = part(data, "word/header1.xml")
    assert texts(header, "ins") == ["-SENSITIVE"]


# --------------------------------------------------------------------------- inputs with revisions, the report

def test_an_input_with_tracked_changes_is_compared_as_accepted_and_said_so(tmp_path):
    tracked = ('<w:r><w:t xml:space="preserve">The board </w:t></w:r><w:del w:id="901" w:author="x" '
               'w:date="2016-01-01T00:00:00Z"><w:r><w:delText>may</w:delText></w:r></w:del><w:ins w:id="902" '
               'w:author="x" w:date="2016-01-01T00:00:00Z"><w:r><w:t>shall</w:t></w:r></w:ins>'
               '<w:r><w:t xml:space="preserve"> meet.</w:t></w:r>')
    old = build_docx([Para(raw=tracked)])
    new = build_docx([Body("The board shall meet monthly.")])
    result = compare(old, new)
    assert judge(old, new, result.data, result.warnings) == ("exact", [])
    assert any(w.startswith("tracked changes: OLD") and "2 tracked changes" in w for w in result.warnings)
    props = part(result.data, "docProps/custom.xml")
    value = props.find(".//{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}lpwstr").text
    assert "tracked changes" in value
    assert "x" not in {r.get(f"{{{W}}}author") for r in part(result.data, "word/document.xml").iter(f"{{{W}}}ins")}


def test_no_report_property_when_everything_was_compared():
    result = compare(build_docx([Body("A.")]), build_docx([Body("B.")]))
    assert result.warnings == [] and "docProps/custom.xml" not in names(result.data)


# --------------------------------------------------------------------------- property: objects among words

ATOMS = st.sampled_from(["alpha", "beta", "gamma", "delta", "Kent", "Essex", "&", "<", "12.50%", "\t", "BR", "FN1", "FN2",
                         "DATE", "MATH", "BOX"])


def _paragraph(atoms: list[str], notes: dict) -> str:
    out = []
    for a in atoms:
        if a == "\t":
            out.append("<w:r><w:tab/></w:r>")
        elif a == "BR":
            out.append("<w:r><w:br/></w:r>")
        elif a.startswith("FN"):
            out.append(FOOTNOTE_REF.format(a[2:]))
            notes.setdefault(a[2:], note(f"Note {a[2:]}."))
        elif a == "DATE":
            out.append(DATE_FIELD)
        elif a == "MATH":
            out.append(math("x+1"))
        elif a == "BOX":
            out.append(text_box(["boxed"]))
        else:
            out.append(run(a.replace("&", "&amp;").replace("<", "&lt;") + " "))
    return "".join(out)


def _doc(paragraphs: list[list[str]]) -> bytes:
    notes: dict = {}
    items = [Para(raw=_paragraph(a, notes)) for a in paragraphs] + [Clause("End.")]
    return build_docx(items, parts=[notes_part("footnotes", notes)] if notes else [])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(ATOMS, max_size=8), min_size=1, max_size=4),
       st.lists(st.lists(ATOMS, max_size=8), min_size=1, max_size=4))
def test_any_two_paragraph_lists_with_objects_redline_exactly(old, new):
    exact(_doc(old), _doc(new))
