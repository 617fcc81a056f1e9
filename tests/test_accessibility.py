"""Accessible documents (issue 12, items 3-5): language, outline levels, header rows, no question on opening,
and, with LibreOffice, tagged PDF/UA-1 and PDF/A-2b PDFs whose outline follows the document's headings."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from agreement_builder.validate import load_agreement

from .conftest import ROOT, replace_once

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "dc": "http://purl.org/dc/elements/1.1/"}
needs_soffice = pytest.mark.skipif(not shutil.which("soffice") and not shutil.which("libreoffice"),
                                   reason="LibreOffice (soffice) is not installed")


def _xml(docx: bytes | str, part: str) -> etree._Element:
    import io

    source = io.BytesIO(docx) if isinstance(docx, bytes) else docx
    with zipfile.ZipFile(source) as z:
        return etree.fromstring(z.read(part))


def _render(path, **kwargs) -> bytes:
    from agreement_builder.render import render_agreement

    return render_agreement(load_agreement(path), **kwargs)


def test_the_language_defaults_to_en_gb_and_is_set_in_styles_and_properties():
    data = _render(ROOT / "agreements" / "psd.yaml")
    lang = _xml(data, "word/styles.xml").xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val", namespaces=NS)
    assert lang == ["en-GB"]
    assert _xml(data, "docProps/core.xml").xpath("dc:language/text()", namespaces=NS) == ["en-GB"]


def test_a_welsh_agreement_says_cy_gb_and_an_unknown_language_is_refused(tmp_path):
    from agreement_builder.errors import InputError

    for name in ("psd.yaml", ):
        (tmp_path / name).write_text((ROOT / "agreements" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "parties.yaml").write_text((ROOT / "parties.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    text = (tmp_path / "psd.yaml").read_text(encoding="utf-8")
    alliance = next(line for line in text.splitlines() if line.strip().startswith("alliance:"))
    (tmp_path / "psd.yaml").write_text(replace_once(text, alliance, alliance + "\n  language: cy-GB"), encoding="utf-8")
    data = _render(tmp_path / "psd.yaml")
    assert _xml(data, "word/styles.xml").xpath("//w:docDefaults//w:lang/@w:val", namespaces=NS) == ["cy-GB"]
    assert _xml(data, "docProps/core.xml").xpath("dc:language/text()", namespaces=NS) == ["cy-GB"]
    (tmp_path / "psd.yaml").write_text(replace_once(text, alliance, alliance + "\n  language: fr-FR"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_agreement(tmp_path / "psd.yaml")
    message = caught.value.format()
    assert "psd.yaml:" in message and "`language`" in message and "cy-GB" in message


@needs_soffice
def test_no_document_asks_word_to_update_fields_on_opening(pdf_pack):
    for docx in (pdf_pack / "out").rglob("*.docx"):
        with zipfile.ZipFile(docx) as z:
            assert b"updateFields" not in z.read("word/settings.xml"), docx.name


# ---------------------------------------------------------------------------- tables


def test_every_table_with_a_heading_row_repeats_it_as_a_header_row(tmp_path):
    """A table whose first row is in the Table Heading style marks that row as its header (w:tblHeader).

    The two-column cover tables (Reference | BCH-S22A-JPS ...) have no heading row: their
    first column labels the rows, and a header row would misname every cell below it.
    """
    from agreement_builder.build import build_summit

    for name in ("parties.yaml", "summit.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "agreements", tmp_path / "agreements")
    build_summit(tmp_path / "summit.yaml", tmp_path / "out", pdf=False, jobs=1)
    files = [*(ROOT / "templates").glob("*.docx"), *(ROOT / "annexes").glob("*.docx"), *(tmp_path / "out").rglob("*.docx")]
    headed = 0
    for docx in files:
        for table in _xml(str(docx), "word/document.xml").iter(f"{{{W}}}tbl"):
            first = table.find(f"{{{W}}}tr")
            styles = first.xpath(".//w:pStyle/@w:val", namespaces=NS)
            if styles and all(s == "TableHeading" for s in styles):
                assert first.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None, docx.name
                headed += 1
    assert headed > 30


# ---------------------------------------------------------------------------- the example pack's PDFs (LibreOffice)




@pytest.fixture(scope="module")
def pdf_pack(tmp_path_factory) -> Path:
    """Return the example pack built with PDFs, twice (the second one forced), in two folders."""
    from agreement_builder.build import build_summit

    ws = tmp_path_factory.mktemp("pdf-pack")
    for name in ("parties.yaml", "summit.yaml"):
        shutil.copy(ROOT / name, ws / name)
    shutil.copytree(ROOT / "agreements", ws / "agreements")
    build_summit(ws / "summit.yaml", ws / "out", pdf=True)
    build_summit(ws / "summit.yaml", ws / "again", pdf=True)
    return ws


def _docx_headings(docx: Path) -> list[tuple[str, int]]:
    """Return the document's headings as a reader sees them: (number and text, outline level from 0).

    Read from the .docx alone: a paragraph's outline level is its own, else its style's (through
    basedOn), Heading 1 being Word's level 1; a numbered heading (w:numPr in the paragraph or its
    style) carries its number, counted per numbering instance (each annex has its own).
    """
    styles = _xml(str(docx), "word/styles.xml")
    by_id = {s.get(f"{{{W}}}styleId"): s for s in styles.iter(f"{{{W}}}style")}

    def style_value(style_id: str | None, path: str) -> str | None:
        seen = set()
        while style_id and style_id in by_id and style_id not in seen:
            seen.add(style_id)
            found = by_id[style_id].xpath(path, namespaces=NS)
            if found:
                return found[0]
            based = by_id[style_id].xpath("w:basedOn/@w:val", namespaces=NS)
            style_id = based[0] if based else None
        return None

    counters: dict[str, int] = {}
    out = []
    for p in _xml(str(docx), "word/document.xml").find(f"{{{W}}}body").iter(f"{{{W}}}p"):
        style = (p.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) or [None])[0]
        level = (p.xpath("w:pPr/w:outlineLvl/@w:val", namespaces=NS)
                 or [style_value(style, "w:pPr/w:outlineLvl/@w:val")])[0]
        if level is None or int(level) > 8:
            continue
        text = "".join(p.xpath(".//w:t/text()", namespaces=NS)).strip()
        if not text:
            continue
        num = (p.xpath("w:pPr/w:numPr/w:numId/@w:val", namespaces=NS)
               or [style_value(style, "w:pPr/w:numPr/w:numId/@w:val")])[0]
        if num not in (None, "0"):
            counters[num] = counters.get(num, 0) + 1
            text = f"{counters[num]} {text}"
        out.append((text, int(level)))
    return out


def _outline(pdf) -> list[tuple[str, int]]:
    out = []
    with pdf.open_outline() as outline:
        def walk(items, depth):
            for item in items:
                out.append((" ".join(item.title.split()), depth))
                walk(item.children, depth + 1)
        walk(outline.root, 0)
    return out


@needs_soffice
def test_every_pdf_is_tagged_pdf_ua_and_pdf_a_with_title_and_language(pdf_pack):
    import pikepdf

    pdfs = sorted((pdf_pack / "out").rglob("*.pdf"))
    # every Word document of the pack has its PDF: agreements, publication versions, notices and their
    # exempt parts, the change report, the redline
    assert [p.with_suffix(".docx") for p in pdfs] == sorted((pdf_pack / "out").rglob("*.docx"))
    assert len(pdfs) >= 12
    for path in pdfs:
        docx = path.with_suffix(".docx")
        core = _xml(str(docx), "docProps/core.xml")
        title = core.xpath("dc:title/text()", namespaces=NS)[0]
        language = (core.xpath("dc:language/text()", namespaces=NS) or ["en-GB"])[0]
        with pikepdf.open(path) as pdf:
            root = pdf.Root
            assert "/StructTreeRoot" in root and len(root.StructTreeRoot.K) > 0, path.name
            assert root.MarkInfo.Marked is True, path.name
            assert str(root.Lang) == language, path.name
            assert root.ViewerPreferences.DisplayDocTitle is True, path.name
            assert str(pdf.docinfo["/Title"]) == title, path.name
            with pdf.open_metadata() as meta:
                assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B", path.name
                assert meta["pdfuaid:part"] == "1", path.name
                assert meta["dc:title"] == title, path.name
            assert len(root.OutputIntents) == 1, "PDF/A's output intent"


@needs_soffice
def test_the_outline_is_the_documents_headings_with_their_levels(pdf_pack):
    import pikepdf

    checked = 0
    for path in sorted((pdf_pack / "out").rglob("*.pdf")):
        if path.stem.endswith("-redline"):
            continue  # its deleted headings are in the outline too (shown struck through): see the next test
        expected = _docx_headings(path.with_suffix(".docx"))
        with pikepdf.open(path) as pdf:
            assert _outline(pdf) == expected, path.name
        checked += 1
    assert checked == len(list((pdf_pack / "out").rglob("*.docx"))) - 1
    jps = _docx_headings(pdf_pack / "out" / "jps" / "jps.docx")
    titles = [t for t, level in jps if level == 0]
    assert "PART B – SERVICE SPECIFICATIONS" in titles and "Execution" in titles
    assert "Appendix 1: Terms of Reference" in titles and "Appendix 2: Governance Structure" in titles
    annexes = [t for t in titles if t.startswith("Service Specification ")]
    assert len(annexes) == 8, "a bookmark for every annex"
    assert sum(1 for t, level in jps if level == 1 and t.endswith("Cost Apportionment")) == 8, "annex headings below"
    with pikepdf.open(pdf_pack / "out" / "jps" / "jps.pdf") as pdf:
        tags = _structure_tags(pdf.Root.StructTreeRoot)
    assert tags["/H1"] == sum(1 for _, level in jps if level == 0), "a heading tag for each, for screen readers"
    assert tags["/H2"] == sum(1 for _, level in jps if level == 1)
    assert tags["/TH"] >= 8 * 3, "each annex's apportionment table has its header row tagged"


def _structure_tags(root) -> "collections.Counter[str]":
    import collections

    import pikepdf

    counts: collections.Counter[str] = collections.Counter()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                counts[str(node.S)] += 1
            if "/K" in node:
                stack.append(node.K)
        elif isinstance(node, pikepdf.Array):
            stack.extend(node)
    return counts


@needs_soffice
def test_contents_page_numbers_are_the_pages_the_headings_are_on(pdf_pack):
    """Word shows the stored results: they are the pages LibreOffice laid each heading out on."""
    import subprocess

    for name in ("jps/jps.docx", "jps/jps-publication.docx", "psd/psd.docx", "jps/jps-redline.docx"):
        docx = pdf_pack / "out" / name
        body = _xml(str(docx), "word/document.xml").find(f"{{{W}}}body")
        entries = []
        for p in body.xpath("./w:p[w:pPr/w:pStyle/@w:val='TOC1']", namespaces=NS):
            texts = p.xpath(".//w:r/w:t/text() | .//w:r/w:delText/text()", namespaces=NS)  # a redline's deleted ones too
            entries.append((" ".join(texts[:-1]).strip(), int(texts[-1])))  # the last text is the PAGEREF's result
        assert len(entries) > 10, name
        pdf = docx.with_suffix(".pdf")
        pages = [" ".join(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                                         capture_output=True, text=True, check=True).stdout.split())
                 for n in range(1, entries[-1][1] + 1)]
        first = next(n for n, text in enumerate(pages, start=1) if " Contents " in f" {text} " and "...." in text)
        contents_pages = set(range(first, entries[0][1]))
        previous = 0
        for text, page in entries:
            heading = text.split(" ", 1)[1] if text[:1].isdigit() else text
            assert page >= previous and page not in contents_pages, (name, text, page)
            assert heading[:40] in pages[page - 1], (name, text, page)
            previous = page
        # and the PDF's own contents (LibreOffice computes the same fields) print the same numbers
        printed = " ".join(pages[n - 1] for n in sorted(contents_pages))
        assert [int(n) for n in re.findall(r"\.{4,}\s*(\d+)", printed)] == [page for _, page in entries], name


@needs_soffice
def test_pdfs_and_the_docx_given_page_numbers_are_byte_identical_across_builds(pdf_pack):
    first = {p.relative_to(pdf_pack / "out"): p.read_bytes() for p in (pdf_pack / "out").rglob("*") if p.is_file()}
    second = {p.relative_to(pdf_pack / "again"): p.read_bytes() for p in (pdf_pack / "again").rglob("*")
              if p.is_file()}
    assert first.keys() == second.keys()
    different = sorted(str(k) for k in first if first[k] != second[k] and k.name != "manifest.json"
                       and k.name != "index.html")
    assert different == []


@needs_soffice
def test_the_redline_pdf_shows_deleted_and_inserted_words(pdf_pack):
    import subprocess

    text = " ".join(subprocess.run(["pdftotext", str(pdf_pack / "out" / "jps" / "jps-redline.pdf"), "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    assert "Version 2.03.0" in text, "the old version struck through beside the new one"
    assert "FinalDraft" in text


@needs_soffice
def test_render_pdf_of_a_welsh_agreement_says_cy_gb_and_gives_the_docx_its_page_numbers(tmp_path, run):
    import pikepdf

    for name in ("parties.yaml", ):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "agreements", tmp_path / "agreements")
    source = tmp_path / "agreements" / "psd.yaml"
    text = source.read_text(encoding="utf-8")
    alliance = next(line for line in text.splitlines() if line.strip().startswith("alliance:"))
    source.write_text(replace_once(text, alliance, alliance + "\n  language: cy-GB"), encoding="utf-8")
    out = tmp_path / "psd.docx"
    result = run("render", str(source), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    with pikepdf.open(tmp_path / "psd.pdf") as pdf:
        assert str(pdf.Root.Lang) == "cy-GB"
        title = str(pdf.docinfo["/Title"])
    assert title == _xml(str(out), "docProps/core.xml").xpath("dc:title/text()", namespaces=NS)[0]
    body = _xml(str(out), "word/document.xml").find(f"{{{W}}}body")
    results = [p.xpath(".//w:r/w:t/text()", namespaces=NS)[-1]
               for p in body.xpath("./w:p[w:pPr/w:pStyle/@w:val='TOC1']", namespaces=NS)]
    assert results and all(r.isdigit() for r in results), results
    assert [int(r) for r in results] == sorted(int(r) for r in results)


def test_contents_entries_have_no_page_number_until_a_layout_gives_them_one():
    """Rendered alone, an entry's PAGEREF result is empty (never a made-up page); pages given are written in."""
    from agreement_builder.compose import set_contents_pages
    from agreement_builder.pdf import destination_name

    data = _render(ROOT / "agreements" / "psd.yaml")

    def results(docx: bytes) -> dict[str, str]:
        body = _xml(docx, "word/document.xml").find(f"{{{W}}}body")
        out = {}
        for p in body.xpath("./w:p[w:pPr/w:pStyle/@w:val='TOC1']", namespaces=NS):
            code = "".join(p.xpath(".//w:instrText/text()", namespaces=NS)).split()
            runs = p.xpath(".//w:r", namespaces=NS)
            separate = next(i for i, r in enumerate(runs) if r.xpath("w:fldChar/@w:fldCharType", namespaces=NS) == ["separate"])
            out[code[1]] = "".join(runs[separate + 1].xpath("w:t/text()", namespaces=NS))
        return out

    before = results(data)
    assert len(before) > 36 and set(before.values()) == {""}
    assert "_AB_S_definitions" in before and destination_name("_AB_S_definitions") == "5FAB5FS5Fdefinitions"
    pages = {name: n for n, name in enumerate(before, start=3)}
    after = results(set_contents_pages(data, pages.get))
    assert after == {name: str(n) for name, n in pages.items()}
    assert set_contents_pages(data, lambda name: None) == data


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000), publication=st.booleans())
def test_any_alliance_has_a_heading_at_the_right_level_for_each_part_section_appendix_and_annex(tmp_path_factory, seed,
                                                                                                publication):
    """For made-up alliances (2..7 forces, 1..5 functions, any provisions), read from the .docx alone."""
    from .alliances import make_alliance

    alliance = make_alliance(tmp_path_factory.mktemp("alliance"), seed)
    path = tmp_path_factory.mktemp("docx") / "a.docx"
    path.write_bytes(_render(alliance.agreement, publication=publication))
    headings = _docx_headings(path)
    top = [t for t, level in headings if level == 0]
    assert top[:4] == ["Parties", "Recitals", "Contents", "PART A – GENERAL TERMS"]
    sections = top[4:4 + 36]
    assert [t.split(" ", 1)[0] for t in sections] == [str(n) for n in range(1, 37)], "36 numbered sections"
    rest = top[40:]
    assert rest[:4] == ["Execution", "Appendix 1: Terms of Reference", "Appendix 2: Governance Structure",
                        "PART B – SERVICE SPECIFICATIONS"]
    annexes = rest[4:]
    assert len(annexes) == len(alliance.functions), "one top-level heading per annex, withheld or not"
    assert all(a.startswith(f"Service Specification {n}") for n, a in enumerate(annexes, start=1)), annexes
    assert {level for _, level in headings} <= {0, 1}, "two levels: nothing skips one"


def test_a_template_asking_word_to_update_fields_gives_documents_that_do_not(tmp_path):
    """A template saved with w:updateFields (some editors write it) does not pass the question on."""
    from agreement_builder.notice import render_decision_notices
    from agreement_builder.models import SummitInfo
    from agreement_builder.templates import find_templates

    from .word_edits import WordFile

    for folder in ("templates", "annexes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for name in ("umbrella.docx", "decision_notice.docx"):
        f = WordFile(tmp_path / "templates" / name)
        from agreement_builder.package import RT_SETTINGS

        settings = f.package.xml(f.package.related(f.document, RT_SETTINGS))
        settings.insert(0, settings.makeelement(f"{{{W}}}updateFields", {f"{{{W}}}val": "true"}))
        f.save()
    tset = find_templates(ROOT / "agreements" / "psd.yaml", templates=tmp_path / "templates", annexes=tmp_path / "annexes")
    checked = load_agreement(ROOT / "agreements" / "psd.yaml")
    import datetime as dt

    documents = [_render(ROOT / "agreements" / "psd.yaml", templates=tset),
                 *render_decision_notices(checked, SummitInfo(name="Summit", date=dt.date(2016, 7, 19)),
                                          templates=tset).values()]
    for data in documents:
        assert _xml(data, "word/settings.xml").find(f"{{{W}}}updateFields") is None
