"""Redline: accept all gives NEW, reject all gives OLD, and nothing else is marked.

The accept/reject here is written independently of the engine, straight over the XML, with
Word's semantics: a deleted paragraph mark joins the paragraph to the next one.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))

from redline_helpers import (  # noqa: E402
    Annex, Body, Clause, H1, Para, Table, build_docx,
)

from agreement_builder.docmodel import bookmark_name, read_document  # noqa: E402
from agreement_builder.errors import InputError  # noqa: E402
from agreement_builder.redline import redline, word_changes  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def q(tag):
    return f"{{{W}}}{tag}"


# --------------------------------------------------------------------------- independent accept/reject

def document_xml(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read("word/document.xml"))


def resolve(root: etree._Element, accept: bool) -> etree._Element:
    """Return the tree with every revision accepted (or rejected)."""
    keep, drop = (q("ins"), q("del")) if accept else (q("del"), q("ins"))
    marks = (q("rPr"), q("trPr"))
    for tr in list(root.iter(q("tr"))):
        trpr = tr.find(q("trPr"))
        if trpr is not None and trpr.find(drop) is not None:
            tr.getparent().remove(tr)
    for tbl in list(root.iter(q("tbl"))):  # a table whose rows are all gone goes too
        if not list(tbl.iter(q("tr"))):
            tbl.getparent().remove(tbl)
    for el in list(root.iter(drop)):
        if el.getparent() is not None and el.getparent().tag not in marks:
            el.getparent().remove(el)
    for el in list(root.iter(keep)):
        parent = el.getparent()
        if parent is None or parent.tag in marks:
            continue
        at = parent.index(el)
        for child in reversed(list(el)):
            parent.insert(at, child)
        parent.remove(el)
    if not accept:
        for el in root.iter(q("delText")):
            el.tag = q("t")
        for el in root.iter(q("delInstrText")):
            el.tag = q("instrText")
    for p in reversed(list(root.iter(q("p")))):
        if p.find(f"{q('pPr')}/{q('rPr')}/{drop}") is None:
            continue
        content = [c for c in p if c.tag != q("pPr")]
        nxt = p.getnext()
        if nxt is not None and nxt.tag == q("p"):
            ppr = nxt.find(q("pPr"))
            at = 1 if ppr is not None else 0
            for child in reversed(content):
                nxt.insert(at, child)
            p.getparent().remove(p)
        elif not text_of(p):
            p.getparent().remove(p)
    return root


def text_of(p: etree._Element) -> str:
    out = []
    for el in p.iter(q("t"), q("tab"), q("br"), q("delText")):
        if el.getparent().tag != q("r"):  # tab stops in w:pPr/w:tabs
            continue
        if el.tag == q("t"):
            out.append(el.text or "")
        elif el.tag == q("tab"):
            out.append("\t")
        elif el.tag == q("br"):
            out.append("\n")
    return "".join(out)


def texts(root: etree._Element) -> list:
    """Return the body as [text of each paragraph | rows of cell texts of each table]."""
    out = []

    def walk(container):
        for el in container:
            if el.tag == q("p"):
                out.append(text_of(el))
            elif el.tag == q("tbl"):
                out.append([["\n".join(text_of(p) for p in tc.iter(q("p"))) for tc in tr.iter(q("tc"))]
                            for tr in el.iter(q("tr"))])
            elif el.tag == q("sdt"):
                walk(el.find(q("sdtContent")))

    walk(root.find(q("body")))
    return out


def revisions(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(q("ins"), q("del")))


def check(old: bytes, new: bytes, **kw) -> etree._Element:
    """Redline OLD -> NEW; assert accept-all == NEW and reject-all == OLD; return the output tree."""
    out = redline(old, new, **kw)
    assert out == redline(old, new, **kw), "output is not deterministic"
    root = document_xml(out)
    assert texts(resolve(document_xml(out), accept=True)) == texts(document_xml(new))
    assert texts(resolve(document_xml(out), accept=False)) == texts(document_xml(old))
    ids = [r.get(q("id")) for r in revisions(root)]
    assert len(ids) == len(set(ids)), "revision ids are not unique"
    names = [b.get(q("name")) for b in root.iter(q("bookmarkStart"))]
    assert len(names) == len(set(names)), "bookmark names are not unique"
    bids = [b.get(q("id")) for b in root.iter(q("bookmarkStart"))]
    assert len(bids) == len(set(bids)), "bookmark ids are not unique"
    assert not list(root.iter(q("moveFrom"), q("moveTo")))
    ns = {"w": W}
    assert not root.xpath("//w:del//w:t | //w:ins//w:delText", namespaces=ns), "text in the wrong revision"
    assert not root.xpath("//w:delText[not(ancestor::w:del)]", namespaces=ns), "deleted text outside w:del"
    assert not root.xpath("//w:ins//w:ins | //w:del//w:del | //w:ins//w:del | //w:del//w:ins", namespaces=ns)
    return root


def inserted_text(root) -> list[str]:
    return ["".join(t.text or "" for t in el.iter(q("t"))) for el in root.iter(q("ins"))
            if el.getparent().tag != q("rPr") and el.getparent().tag != q("trPr")]


def deleted_text(root) -> list[str]:
    return ["".join(t.text or "" for t in el.iter(q("delText"))) for el in root.iter(q("del"))
            if el.getparent().tag != q("rPr") and el.getparent().tag != q("trPr")]


# --------------------------------------------------------------------------- the pairs

BOOKMARKED = [True, False]


def ids(on: bool, prefix: str, key: str):
    return bookmark_name(prefix, key) if on else None


def base(on=True, *, clauses=None, extra=()):
    clauses = clauses or ["The parties shall co-operate.", "The Lead Force shall deliver the service."]
    return [
        Para("Collaboration Agreement", "Title"),
        Body("This agreement is made under section 22A of the Police Act 1996."),
        H1("Definitions", ids(on, "_AB_S_", "definitions")),
        Clause("In this agreement the following words have the meanings given."),
        H1("Governance", ids(on, "_AB_S_", "governance")),
        *[Clause(c) for c in clauses],
        *extra,
        H1("Termination", ids(on, "_AB_S_", "termination")),
        Clause("Any party may withdraw on twelve months' notice."),
    ]


@pytest.mark.parametrize("on", BOOKMARKED)
def test_identical_documents_have_no_revision(on):
    doc = build_docx(base(on))
    root = check(doc, doc)
    assert revisions(root) == []


@pytest.mark.parametrize("on", BOOKMARKED)
def test_a_changed_word(on):
    old = build_docx(base(on))
    new = build_docx(base(on, clauses=["The parties shall co-operate.", "The Lead Force shall provide the service."]))
    root = check(old, new)
    assert inserted_text(root) == ["provide"]
    assert deleted_text(root) == ["deliver"]


@pytest.mark.parametrize("on", BOOKMARKED)
def test_a_clause_inserted_in_the_middle_renumbers_without_revision(on):
    old = build_docx(base(on))
    new = build_docx(base(on, clauses=["The parties shall co-operate.", "A Strategic Board is established.",
                                       "The Lead Force shall deliver the service."]))
    root = check(old, new)
    assert inserted_text(root) == ["A Strategic Board is established."]
    assert deleted_text(root) == []
    # the only other revision is the inserted paragraph mark
    assert len(revisions(root)) == 2


@pytest.mark.parametrize("on", BOOKMARKED)
def test_a_paragraph_deleted(on):
    old = build_docx(base(on))
    new = build_docx(base(on, clauses=["The Lead Force shall deliver the service."]))
    root = check(old, new)
    assert deleted_text(root) == ["The parties shall co-operate."]
    assert inserted_text(root) == []
    marks = root.findall(f".//{q('pPr')}/{q('rPr')}/{q('del')}")
    assert len(marks) == 1


@pytest.mark.parametrize("on", BOOKMARKED)
def test_a_section_inserted(on):
    old = build_docx(base(on))
    section = [H1("Finance", ids(on, "_AB_S_", "finance")), Clause("Each party shall pay its share."),
               Clause("The budget is set annually.")]
    new = build_docx(base(on, extra=section))
    root = check(old, new)
    assert inserted_text(root) == ["Finance", "Each party shall pay its share.", "The budget is set annually."]
    assert deleted_text(root) == []


def annex(key, on, rows, title=None):
    return [Annex(title or f"Service Specification: {key.title()}", ids(on, "_AB_F_", key)),
            Clause(f"The {key} unit shall serve every party."),
            Table([["Force", "Share", "Annual contribution"], *rows, ["Total", "100.00%", "£300.00"]])]


ROWS = [["Bedfordshire Police", "30.00%", "£90.00"], ["Cambridgeshire Constabulary", "30.00%", "£90.00"],
        ["Hertfordshire Constabulary", "40.00%", "£120.00"]]


@pytest.mark.parametrize("on", BOOKMARKED)
def test_table_row_added_removed_changed(on):
    old = build_docx(base(on, extra=annex("dogs", on, ROWS)))
    rows = [["Bedfordshire Police", "25.00%", "£75.00"], ["Hertfordshire Constabulary", "40.00%", "£120.00"],
            ["Kent Police", "35.00%", "£105.00"]]
    new = build_docx(base(on, extra=annex("dogs", on, rows)))
    root = check(old, new)
    trs = list(root.iter(q("tr")))
    assert sum(tr.find(f"{q('trPr')}/{q('ins')}") is not None for tr in trs) == 1
    assert sum(tr.find(f"{q('trPr')}/{q('del')}") is not None for tr in trs) == 1
    assert "25.00" in inserted_text(root) and "30.00" in deleted_text(root)
    assert "Kent Police" in inserted_text(root) and "Cambridgeshire Constabulary" in deleted_text(root)
    # the changed row is diffed word by word, the force name is untouched
    assert "Bedfordshire Police" not in inserted_text(root) + deleted_text(root)


@pytest.mark.parametrize("on", BOOKMARKED)
def test_runs_split_differently_give_no_revision(on):
    old = build_docx(base(on))
    split = Para([("The Lead ", {}), ("Fo", {}), ("rce shall deliver", {}), (" the service.", {})], "Clause")
    items = base(on)
    items[6] = split
    new = build_docx(items)
    root = check(old, new)
    assert revisions(root) == []


@pytest.mark.parametrize("on", BOOKMARKED)
def test_bold_only_change_gives_no_revision(on):
    old = build_docx(base(on))
    items = base(on)
    items[6] = Para([("The Lead Force shall ", {}), ("deliver", {"b": True}), (" the service.", {})], "Clause")
    new = build_docx(items)
    root = check(old, new)
    assert revisions(root) == []


@pytest.mark.parametrize("on", BOOKMARKED)
def test_special_characters_are_literal(on):
    old = build_docx(base(on, clauses=["Costs & charges < £5 are “de minimis” and ‘small’."]))
    new = build_docx(base(on, clauses=["Costs & charges < £50 are “de minimis” & ‘trivial’ {{ x }}."]))
    root = check(old, new)
    assert "‘trivial’" in "".join(inserted_text(root)) or "trivial" in "".join(inserted_text(root))
    assert "{{ x }}" in "".join(inserted_text(root))


@pytest.mark.parametrize("on", BOOKMARKED)
def test_a_moved_annex_is_a_deletion_and_an_insertion(on):
    dogs, drones = annex("dogs", on, ROWS), annex("drones", on, ROWS)
    old = build_docx(base(on, extra=dogs + drones))
    new = build_docx(base(on, extra=drones + dogs))
    root = check(old, new)
    assert not list(root.iter(q("moveFrom"), q("moveTo")))
    moved = "The dogs unit shall serve every party." if "dogs" in "".join(deleted_text(root)) \
        else "The drones unit shall serve every party."
    assert moved in deleted_text(root) and moved in inserted_text(root)
    # the annex that stayed in place carries no revision
    stayed = "drones" if "dogs" in moved else "dogs"
    assert not any(stayed in t for t in inserted_text(root) + deleted_text(root))


@pytest.mark.parametrize("on", BOOKMARKED)
def test_annex_removed_and_another_inserted_in_its_place(on):
    old = build_docx(base(on, extra=annex("dogs", on, ROWS)))
    new = build_docx(base(on, extra=annex("drones", on, ROWS)))
    root = check(old, new)
    if on:  # stable ids: the two annexes never share content; whole annex out, whole annex in
        assert "The dogs unit shall serve every party." in deleted_text(root)
        assert sum(tr.find(f"{q('trPr')}/{q('del')}") is not None for tr in root.iter(q("tr"))) == 5


def test_unchanged_sections_carry_no_revision_and_renamed_heading_aligns_by_id():
    old = build_docx(base(True))
    items = base(True)
    items[4] = H1("Governance and Oversight", bookmark_name("_AB_S_", "governance"))
    new = build_docx(items)
    root = check(old, new)
    assert inserted_text(root) == [" and Oversight"]


def test_long_stable_ids_are_hashed():
    assert bookmark_name("_AB_C_", "short") == "_AB_C_short"
    long_id = "accountability-" + "x" * 40
    name = bookmark_name("_AB_C_", long_id)
    assert len(name) <= 40 and name.startswith("_AB_C_") and len(name) == 6 + 16


def test_clause_ids_anchor_even_when_text_is_rewritten():
    on = True
    old = build_docx(base(on, extra=[Clause("Alpha beta gamma.", "_AB_C_c1"), Clause("Zeta eta theta.", "_AB_C_c2")]))
    new = build_docx(base(on, extra=[Clause("Completely different words.", "_AB_C_c1"),
                                     Clause("Zeta eta theta.", "_AB_C_c2")]))
    root = check(old, new)
    # c1 is the same clause: diffed in place (its bookmark stays, no deleted paragraph mark)
    assert not root.findall(f".//{q('pPr')}/{q('rPr')}/{q('del')}")


def test_whole_word_phrases_not_fragments():
    changes = word_changes("delivered by Bedfordshire Police as lead", "delivered by Kent Constabulary as lead")
    assert changes == [(13, 32, 13, 30)]
    old, new = "a budget of £1,377,661.42 (27.85%)", "a budget of £1,440,512.06 (26.10%)"
    # figures change whole (never "1,[377]661"); the short separator between them folds in
    assert [(old[a:b], new[c:d]) for a, b, c, d in word_changes(old, new)] == [
        ("1,377,661.42 (27.85", "1,440,512.06 (26.10")]
    old, new = "a budget of £1,377,661.42 for the unit", "a budget of £1,440,512.06 for the unit"
    assert [(old[a:b], new[c:d]) for a, b, c, d in word_changes(old, new)] == [("1,377,661.42", "1,440,512.06")]


def test_a_changed_cell_value_is_diffed_in_place():
    old = build_docx(base(True, extra=[Table([["Force", "Demand"], ["Kent Police", "36"]])]))
    new = build_docx(base(True, extra=[Table([["Force", "Demand"], ["Kent Police", "38"]])]))
    root = check(old, new)
    assert inserted_text(root) == ["38"] and deleted_text(root) == ["36"]
    assert not root.findall(f".//{q('pPr')}/{q('rPr')}/{q('del')}")  # no paragraph deleted


def test_author_and_date():
    old = build_docx(base(True))
    new = build_docx(base(True, clauses=["The parties shall co-operate fully."]))
    root = check(old, new, author="Legal Services", date="2017-03-01")
    dates = {r.get(q("date")) for r in revisions(root)}
    assert dates == {"2017-03-01T00:00:00Z"}
    assert {r.get(q("author")) for r in revisions(root)} == {"Legal Services"}
    default = check(old, new)
    assert {r.get(q("date")) for r in revisions(default)} == {"2016-07-19T00:00:00Z"}


def test_fields_use_their_result_and_hyperlinks_count():
    field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> REF x </w:instrText>'
             '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>12</w:t></w:r>'
             '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> days</w:t></w:r>')
    link = '<w:hyperlink w:anchor="x"><w:r><w:t xml:space="preserve">see clause</w:t></w:r></w:hyperlink>'
    old = build_docx(base(True, extra=[Para(raw=f"<w:r><w:t xml:space=\"preserve\">Notice of </w:t></w:r>{field}"),
                                       Para(raw=link)]))
    new = build_docx(base(True, extra=[Para(raw=f"<w:r><w:t xml:space=\"preserve\">Notice of </w:t></w:r>{field}"),
                                       Para(raw=link.replace("see clause", "see the clause"))]))
    doc = read_document(old)
    assert "Notice of 12 days" in [b.text for b in doc.blocks]
    root = check(old, new)
    assert inserted_text(root) == ["the "]
    # a deleted paragraph keeps its field's result as plain deleted text, never a dangling field
    toc = field.replace("REF x", "PAGEREF _Toc123 \\h")
    old = build_docx(base(True, extra=[Para(raw=f"<w:r><w:t xml:space=\"preserve\">Annex 9 </w:t></w:r>{toc}")]))
    root = check(old, build_docx(base(True)))
    assert deleted_text(root) == ["Annex 9 12 days"]
    assert not list(root.iter(q("fldChar"), q("instrText"), q("delInstrText")))


def test_existing_revisions_in_an_input_are_accepted_first():
    raw = ('<w:r><w:t xml:space="preserve">The board </w:t></w:r><w:del w:id="901" w:author="x" w:date="2016-01-01T00:00:00Z">'
           '<w:r><w:delText>may</w:delText></w:r></w:del><w:ins w:id="902" w:author="x" w:date="2016-01-01T00:00:00Z">'
           '<w:r><w:t>shall</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> meet.</w:t></w:r>')
    edited = build_docx(base(True, extra=[Para(raw=raw)]))
    doc = read_document(edited)
    assert doc.accepted_revisions == 2
    assert "The board shall meet." in [b.text for b in doc.blocks]
    clean = build_docx(base(True, extra=[Clause("The board shall meet.")]))
    out = redline(clean, edited)
    assert revisions(document_xml(out)) == []


def test_a_national_scale_pair_is_consistent():
    from redline_helpers import national_items

    annexes = [f"function_{n:02d}" for n in range(8)]
    old = build_docx(national_items(lead="Bedfordshire Police", annexes=annexes))
    new_annexes = annexes[:3] + annexes[4:] + ["function_new"]
    new = build_docx(national_items(lead="Kent Police", annexes=new_annexes, extra_clause=True))
    root = check(old, new)
    assert "Kent" in inserted_text(root) and "Bedfordshire" in deleted_text(root)


@pytest.mark.parametrize("on", BOOKMARKED)
def test_first_and_last_paragraphs_deleted(on):
    old = build_docx(base(on) + [Body("Schedule of amendments.")])
    new = build_docx(base(on)[1:])
    root = check(old, new)
    assert deleted_text(root) == ["Collaboration Agreement", "Schedule of amendments."]
    body = root.find(q("body"))
    assert body[-1].tag == q("sectPr")


@pytest.mark.parametrize("on", BOOKMARKED)
def test_first_and_last_paragraphs_inserted(on):
    old = build_docx(base(on)[1:])
    new = build_docx(base(on) + [Body("Schedule of amendments.")])
    root = check(old, new)
    assert inserted_text(root) == ["Collaboration Agreement", "Schedule of amendments."]


def test_tabs_breaks_and_tab_stops():
    tabs = '<w:pPr><w:pStyle w:val="Clause"/><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
    para = ('<w:r><w:t>Name</w:t><w:tab/><w:t xml:space="preserve">Chief Constable</w:t><w:br/>'
            '<w:t>of Kent</w:t></w:r>')
    old = build_docx(base(True, extra=[Para(raw=para)]))
    new_items = base(True, extra=[Para(raw=para.replace("of Kent", "of Essex"))])
    new = build_docx(new_items)
    root = check(old, new)
    assert inserted_text(root) == ["Essex"] and deleted_text(root) == ["Kent"]
    doc = read_document(new)
    assert "Name\tChief Constable\nof Essex" in [b.text for b in doc.blocks]
    # tab stops in the paragraph properties are not text
    from agreement_builder.docmodel import paragraph_text
    p = etree.fromstring(f'<w:p xmlns:w="{W}">{tabs}<w:r><w:t>x</w:t></w:r></w:p>')
    assert paragraph_text(p) == "x"


def test_a_cell_gains_and_loses_paragraphs():
    old = build_docx(base(True, extra=annex("dogs", True, ROWS)))
    new = build_docx(base(True, extra=annex("dogs", True, [[r[0], r[1], r[2] + "\n(estimate)"] for r in ROWS])))
    # build_docx puts a cell's text in one paragraph; split the new one into two paragraphs
    with zipfile.ZipFile(io.BytesIO(new)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        "\n(estimate)".encode(), '</w:t></w:r></w:p><w:p><w:r><w:t>(estimate)'.encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    new = buffer.getvalue()
    check(old, new)
    check(new, old)


def test_a_table_whose_columns_change_is_replaced():
    old = build_docx(base(True, extra=[Table([["Force", "Share"], ["Kent Police", "100.00%"]])]))
    new = build_docx(base(True, extra=[Table([["Force", "Share", "Contribution"], ["Kent Police", "100.00%", "£1"]])]))
    root = check(old, new)
    trs = list(root.iter(q("tr")))
    assert [tr.find(f"{q('trPr')}/{q('del')}") is not None for tr in trs] == [True, True, False, False]


def test_deleted_hyperlinks_images_and_comments_do_not_reference_old_parts():
    raw = ('<w:commentRangeStart w:id="0"/><w:hyperlink xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
           '2006/relationships" r:id="rId999"><w:r><w:t>Home Office guidance</w:t></w:r></w:hyperlink>'
           '<w:commentRangeEnd w:id="0"/><w:r><w:footnoteReference w:id="7"/></w:r>')
    old = build_docx(base(True, extra=[Para(raw=raw, bookmark="_AB_C_guidance")]))
    new = build_docx(base(True))
    root = check(old, new)
    assert deleted_text(root) == ["Home Office guidance"]
    xml = etree.tostring(root).decode()
    assert "rId999" not in xml and "commentRange" not in xml and "footnoteReference" not in xml
    # OLD's stable id stays on its deleted paragraph (NEW has no such bookmark), so a reference to it still works
    assert [b.get(q("name")) for b in root.iter(q("bookmarkStart"))].count("_AB_C_guidance") == 1


def test_content_controls_are_read_through():
    sdt = ('<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent><w:r><w:t>Kent Police</w:t></w:r>'
           '</w:sdtContent></w:sdt><w:r><w:t xml:space="preserve"> is the lead force.</w:t></w:r>')
    old = build_docx(base(True, extra=[Para(raw=sdt)]))
    new = build_docx(base(True, extra=[Para(raw=sdt.replace("Kent", "Essex"))]))
    root = check(old, new)
    assert inserted_text(root) == ["Essex"]


def test_a_clause_emptied_and_refilled():
    old = build_docx(base(True, extra=[Clause("To be agreed.", "_AB_C_x")]))
    new = build_docx(base(True, extra=[Clause("", "_AB_C_x")]))
    check(old, new)
    check(new, old)


def test_documents_as_input_are_not_modified_and_settings_show_markup():
    old = build_docx(base(True))
    new = build_docx(base(True, clauses=["The parties shall co-operate fully."]))
    with zipfile.ZipFile(io.BytesIO(new)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/settings.xml"] = parts["word/settings.xml"].replace(
        b"</w:settings>", b'<w:revisionView w:markup="0"/></w:settings>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    old_doc, new_doc = read_document(old), read_document(buffer.getvalue())
    before = etree.tostring(new_doc.root)
    out = redline(old_doc, new_doc)
    assert etree.tostring(new_doc.root) == before
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        settings = zf.read("word/settings.xml")
    assert b"revisionView" not in settings and b"trackRevisions" not in settings
    assert out == redline(old, buffer.getvalue())


WORDS = ("the party lead force shall may board chief constable commissioner budget annex share & < "
         "“quoted” ‘single’ — 12.50% £1,000 Kent Essex Bedfordshire and of to in").split()


def _random_runs(rng, text):
    """Return `text` split into runs at random places, some bold."""
    cuts = sorted(rng.sample(range(1, len(text)), k=min(len(text) - 1, rng.randint(0, 3)))) if len(text) > 1 else []
    pieces = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
    return [(p, {"b": True} if rng.random() < 0.2 else {}) for p in pieces]


def _random_doc(rng, on):
    sections = []
    for s in range(rng.randint(2, 4)):
        clauses = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 4))]
        rows = [[f"Force {r}", f"{rng.randint(1, 99)}.00%"] for r in range(rng.randint(1, 4))] if rng.random() < 0.4 else None
        sections.append([f"s{s}", clauses, rows])
    return sections


def _mutate(rng, sections):
    sections = [[k, list(c), [list(r) for r in rows] if rows else rows] for k, c, rows in sections]
    for _ in range(rng.randint(1, 4)):
        k, clauses, rows = rng.choice(sections)
        action = rng.randrange(7)
        if action == 0 and clauses:  # change words
            i = rng.randrange(len(clauses))
            words = clauses[i].split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words) + 1), rng.choice(WORDS))
            clauses[i] = " ".join(words)
        elif action == 1:
            clauses.insert(rng.randrange(len(clauses) + 1), " ".join(rng.choice(WORDS) for _ in range(5)))
        elif action == 2 and len(clauses) > 1:
            del clauses[rng.randrange(len(clauses))]
        elif action == 3 and rows:
            rows[rng.randrange(len(rows))][1] = f"{rng.randint(1, 99)}.50%"
        elif action == 4 and rows:
            rows.insert(rng.randrange(len(rows) + 1), [f"Force {rng.randint(10, 99)}", "1.00%"])
        elif action == 5 and rows and len(rows) > 1:
            del rows[rng.randrange(len(rows))]
        elif action == 6 and len(sections) > 1:  # move a section
            sections.insert(rng.randrange(len(sections)), sections.pop(rng.randrange(len(sections))))
    if rng.random() < 0.3:
        sections.append([f"s{len(sections) + 10}", ["A new section."], None])
    return sections


def _items(rng, sections, on):
    items = [Para("Agreement", "Title")]
    for key, clauses, rows in sections:
        items.append(H1(f"Section {key}", ids(on, "_AB_S_", key)))
        items += [Para(_random_runs(rng, c), "Clause") for c in clauses]
        if rows:
            items.append(Table([["Force", "Share"], *rows]))
    return items


@pytest.mark.parametrize("seed", range(30))
def test_random_pairs_accept_to_new_and_reject_to_old(seed):
    import random

    rng = random.Random(seed)
    on = seed % 2 == 0
    sections = _random_doc(rng, on)
    changed = _mutate(rng, sections)
    check(build_docx(_items(rng, sections, on)), build_docx(_items(rng, changed, on)))
    # equal text, different run splits and bold: no revision at all
    root = check(build_docx(_items(rng, sections, on)), build_docx(_items(rng, sections, on)))
    assert revisions(root) == []


# --------------------------------------------------------------------------- untrusted input

def test_zip_bomb_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (8 * 1024 * 1024))
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="zip bomb") as info:
        redline(bomb, build_docx(base(True)))
    assert str(bomb) in str(info.value)


def test_a_text_file_renamed_docx_is_refused(tmp_path):
    fake = tmp_path / "agreement.docx"
    fake.write_text("this is not a Word document\n")
    with pytest.raises(InputError, match="not a Word .docx file") as info:
        redline(build_docx(base(True)), fake)
    assert str(fake) in info.value.format()
    with pytest.raises(InputError, match="jps.yaml"):  # a caller's label names the source
        redline(fake.read_bytes(), build_docx(base(True)), old_label="agreements/jps.yaml")


def test_xml_entities_are_not_expanded(tmp_path):
    good = build_docx(base(True))
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["word/document.xml"].decode()
    head, rest = xml.split("?>", 1)
    parts["word/document.xml"] = (
        head + '?><!DOCTYPE w:document [<!ENTITY boom "EXPANDED-ENTITY">]>'
        + rest.replace("The parties shall co-operate.", "&boom;")).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    evil = tmp_path / "evil.docx"
    evil.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="DTD") as info:
        read_document(evil)
    assert "EXPANDED-ENTITY" not in str(info.value)


def test_malformed_xml_gives_a_position():
    good = build_docx(base(True))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for n in src.namelist():
            data = src.read(n)
            dst.writestr(n, data.replace(b"</w:body>", b"</w:bod>") if n == "word/document.xml" else data)
    with pytest.raises(InputError, match="not well-formed"):
        read_document(buffer.getvalue(), "broken.docx")


# --------------------------------------------------------------------------- LibreOffice opens it

@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice (soffice) or pdftotext is not installed")
def test_libreoffice_opens_the_redline(tmp_path):
    old = build_docx(base(True, extra=annex("dogs", True, ROWS)))
    new = build_docx(base(True, clauses=["The parties shall co-operate.", "The Lead Force shall provide the service."],
                          extra=annex("dogs", True, ROWS[:2])))
    out = tmp_path / "redline.docx"
    out.write_bytes(redline(old, new))
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    pdf = tmp_path / "redline.pdf"
    assert pdf.exists(), result.stderr + result.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "provide" in text and "deliver" in text  # new word and struck-through old word
    assert "Hertfordshire" in text  # the deleted row is shown
