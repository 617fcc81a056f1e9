"""Rendering: open the produced .docx and check what a legal officer would check."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from lxml import etree

from agreement_builder.formulas import apportion
from agreement_builder.formats import format_money, format_percent
from agreement_builder.outline import SECTIONS
from agreement_builder.render import render_agreement
from agreement_builder.validate import load_agreement

from .conftest import replace_once

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def jps_bytes() -> bytes:
    root = Path(__file__).resolve().parent.parent
    return render_agreement(load_agreement(root / "agreements" / "jps.yaml"))


def open_docx(data: bytes, tmp_path: Path, name: str = "out.docx") -> docx.Document:
    path = tmp_path / name
    path.write_bytes(data)
    return docx.Document(str(path))


def part(data: bytes, name: str) -> etree._Element:
    """Return a part of the package parsed with plain lxml (xpath with the w: prefix)."""
    import io
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def xp(el, path: str):
    return etree.XPath(path, namespaces=NS)(el)


def style_id(p) -> str:
    return p._p.pPr.pStyle.val if p._p.pPr is not None and p._p.pPr.pStyle is not None else ""


def test_part_a_headings_are_the_36_sections_in_order_numbered_by_word(jps_bytes, tmp_path):
    d = open_docx(jps_bytes, tmp_path)
    headings = [p.text for p in d.paragraphs if style_id(p) == "Heading1"]
    assert headings == [title for _, title in SECTIONS]
    assert not any(re.match(r"^\d", h) for h in headings), "numbers must come from Word numbering, not text"
    styles, numbering = part(jps_bytes, "word/styles.xml"), part(jps_bytes, "word/numbering.xml")
    num_id = xp(styles, '//w:style[@w:styleId="Heading1"]/w:pPr/w:numPr/w:numId/@w:val')[0]
    abstract_id = xp(numbering, f'//w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')[0]
    levels = xp(numbering, f'//w:abstractNum[@w:abstractNumId="{abstract_id}"]/w:lvl')
    texts = [xp(lvl, "./w:lvlText/@w:val")[0] for lvl in levels[:2]]
    assert texts == ["%1", "%1.%2"]


def test_agreement_clause_is_appended_to_its_section_with_its_id(jps_bytes, tmp_path):
    d = open_docx(jps_bytes, tmp_path)
    paras = d.paragraphs
    start = next(i for i, p in enumerate(paras) if style_id(p) == "Heading1" and p.text == "Accountability Arrangements")
    end = next(i for i in range(start + 1, len(paras)) if style_id(paras[i]) == "Heading1")
    section = paras[start + 1:end]
    assert section[-1].text.startswith("The Lead Commissioner shall hold the Chief Constable of the Lead Force to account")
    assert style_id(section[-1]) == "Clause"
    assert xp(section[-1]._p, './w:bookmarkStart[@w:name="_AB_C_lead_commissioner"]')
    assert all(style_id(p) == "Clause" or style_id(p) == "ClauseItem" for p in section)


def test_signature_blocks_in_party_order(jps_bytes, tmp_path):
    d = open_docx(jps_bytes, tmp_path)
    signed = [p.text for p in d.paragraphs if p.text.startswith("Signed by")]
    assert signed == [
        "Signed by the Chief Constable of Bedfordshire Police",
        "Signed by the Chief Constable of Cambridgeshire Constabulary",
        "Signed by the Chief Constable of Hertfordshire Constabulary",
        "Signed by the Police and Crime Commissioner for Bedfordshire",
        "Signed by the Police and Crime Commissioner for Cambridgeshire",
        "Signed by the Police and Crime Commissioner for Hertfordshire",
    ]


def _apportionment_tables(d):
    return [t for t in d.tables if [c.text for c in t.rows[0].cells] == ["Force", "Share", "Annual Contribution"]]


def test_annex_tables_hold_the_exact_figures(jps_bytes, tmp_path):
    d = open_docx(jps_bytes, tmp_path)
    checked = load_agreement(Path(__file__).resolve().parent.parent / "agreements" / "jps.yaml")
    a = checked.agreement
    tables = _apportionment_tables(d)
    assert len(tables) == len(a.functions) == 8
    names = {f: checked.parties.parties.forces[f].name for f in a.forces}
    for fn, table in zip(a.functions, tables):
        ap = fn.apportionment
        shares = apportion(ap.formula, a.forces, fn.budget, nre=a.finance.net_revenue_expenditure, demand=ap.demand,
                           shares=ap.shares, weights=ap.weights.model_dump() if ap.weights else None)
        rows = [[c.text for c in r.cells] for r in table.rows[1:]]
        expected = [[names[s.force], format_percent(s.percent), format_money(s.contribution)] for s in shares]
        assert rows[:-1] == expected
        assert rows[-1] == ["Total", "100.00%", format_money(fn.budget)]


def test_every_annex_starts_on_a_new_page_and_restarts_its_numbering(jps_bytes, tmp_path):
    body = xp(part(jps_bytes, "word/document.xml"), "/w:document/w:body")[0]
    titles = xp(body, './w:p[w:pPr/w:pStyle/@w:val="AnnexTitle"]')
    assert len(titles) == 8
    assert xp(part(jps_bytes, "word/styles.xml"), '//w:style[@w:styleId="AnnexTitle"]/w:pPr/w:pageBreakBefore')
    # numbered annex paragraphs: one numbering instance per annex, each starting at 1
    num_ids = []
    for title in titles:
        node, seen = title.getnext(), None
        while node is not None and not (node.tag == W + "p" and xp(node, './w:pPr/w:pStyle/@w:val="AnnexTitle"')):
            ids = xp(node, './w:pPr/w:numPr/w:numId/@w:val') if node.tag == W + "p" else []
            if ids and seen is None:
                seen = ids[0]
            node = node.getnext()
        num_ids.append(seen)
    assert None not in num_ids and len(set(num_ids)) == 8
    numbering = part(jps_bytes, "word/numbering.xml")
    for nid in num_ids:
        assert xp(numbering, f'//w:num[@w:numId="{nid}"]/w:lvlOverride[@w:ilvl="0"]/w:startOverride/@w:val') == ["1"]
    # each annex carries its function id
    names = [b for t in titles for b in xp(t, "./w:bookmarkStart/@w:name")]
    assert names[0] == "_AB_F_camera_tickets_collisions"


def test_header_and_footer(jps_bytes, tmp_path):
    d = open_docx(jps_bytes, tmp_path)
    section = d.sections[0]
    assert "DRAFT – Version 3.0 – 19 July 2016" in "\n".join(p.text for p in section.header.paragraphs)
    footer_xml = etree.tostring(section.footer._element, encoding="unicode")
    assert "BCH-S22A-JPS" in footer_xml and "Version 3.0" in footer_xml
    instructions = " ".join(xp(section.footer._element, ".//w:instrText/text()"))
    assert "PAGE" in instructions and "NUMPAGES" in instructions
    props = core_properties(jps_bytes)
    assert props["keywords"] == "BCH-S22A-JPS" and props["creator"] == "agreement-builder"
    assert props["version"] == "3.0" and props["contentStatus"] == "Draft" and props["created"] == "2016-07-19T00:00:00Z"


CORE_NAMESPACES = {"http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
                   "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"}


def core_properties(data: bytes) -> dict[str, str]:
    """Return docProps/core.xml as {local name: text}, insisting on the right namespaces, each name once.

    Read with lxml, not python-docx: docxcompose (imported by docxtpl) rebinds python-docx's
    `cp` prefix to the custom-properties namespace for the whole process, so python-docx then
    reads and writes keywords, version, status ... in the wrong namespace (docxtpl issue #471).
    """
    root = part(data, "docProps/core.xml")
    names = [etree.QName(el).localname for el in root]
    assert len(names) == len(set(names)), f"a core property is given twice: {names}"
    assert {etree.QName(el).namespace for el in root} <= CORE_NAMESPACES
    return {etree.QName(el).localname: el.text or "" for el in root}


def test_rendering_is_deterministic(jps_bytes):
    root = Path(__file__).resolve().parent.parent
    again = render_agreement(load_agreement(root / "agreements" / "jps.yaml"))
    assert again == jps_bytes
    infos = zipfile.ZipFile(__import__("io").BytesIO(jps_bytes)).infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_user_text_is_literal(workspace, tmp_path):
    path = workspace / "agreements" / "jps.yaml"
    tricky = 'The “Board” shall note {{ agreement.title }} & <b>not bold</b> {% if x %} {_{ as written.'
    text = replace_once(path.read_text(), "        The Parties note that their insurers", f"        {tricky} The Parties note that their insurers")
    text = replace_once(text, "name: Dog Unit", "name: Dog & <Search> Unit")
    path.write_text(text)
    d = open_docx(render_agreement(load_agreement(path)), tmp_path)
    all_text = "\n".join(p.text for p in d.paragraphs)
    assert tricky in all_text
    assert "Service Specification 3: Dog & <Search> Unit" in all_text


def test_final_agreement_carries_a_fingerprint(workspace, tmp_path):
    path = workspace / "agreements" / "jps.yaml"
    path.write_text(path.read_text().replace("status: draft", "status: final"))
    data = render_agreement(load_agreement(path))
    d = open_docx(data, tmp_path)
    match = re.search(r"[0-9a-f]{64}", core_properties(data)["description"])
    assert match
    footer_text = "".join(xp(d.sections[0].footer._element, ".//w:t/text()"))
    assert match.group(0) in footer_text
    assert "DRAFT" not in "".join(xp(d.sections[0].header._element, ".//w:t/text()"))


def test_publication_version_withholds_unpublished_functions(workspace, tmp_path):
    d = open_docx(render_agreement(load_agreement(workspace / "agreements" / "psd.yaml"), publication=True), tmp_path)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "Anti-Corruption Unit" in text
    assert "withheld" in text.lower()
    assert len(_apportionment_tables(d)) == 6  # seven functions, one withheld


def test_missing_template_value_names_template_and_tag(workspace, run, tmp_path):
    from agreement_builder.templates import SHIPPED_ANNEXES
    annexes = workspace / "annexes"
    shutil.copytree(SHIPPED_ANNEXES, annexes)
    tpl = docx.Document(str(annexes / "service_specification.docx"))
    tpl.add_paragraph("{{ function.nmae }}")
    tpl.save(str(annexes / "service_specification.docx"))
    result = run("render", "agreements/psd.yaml", "-o", tmp_path / "x.docx", cwd=workspace)
    assert result.exit_code == 1
    assert "service_specification.docx" in result.output and "`function.nmae` is not provided" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.docx").exists()
    check = run("templates", "check", cwd=workspace)
    assert check.exit_code == 1 and "function.nmae" in check.output


def test_final_output_is_not_overwritten_without_force(workspace, run):
    path = workspace / "agreements" / "jps.yaml"
    path.write_text(path.read_text().replace("status: draft", "status: final"))
    assert run("render", "agreements/jps.yaml", "-o", "signed.docx", cwd=workspace).exit_code == 0
    path.write_text(path.read_text().replace('version: "3.0"', 'version: "3.1"'))
    refused = run("render", "agreements/jps.yaml", "-o", "signed.docx", cwd=workspace)
    assert refused.exit_code == 1 and "--force" in refused.output
    assert run("render", "agreements/jps.yaml", "-o", "signed.docx", "--force", cwd=workspace).exit_code == 0


def test_init_creates_a_workspace_that_renders(tmp_path, run):
    assert run("init", tmp_path / "ws").exit_code == 0
    assert not (tmp_path / "ws" / "templates").exists()  # the shipped templates are used
    assert run("validate", "agreements/jps.yaml", cwd=tmp_path / "ws").exit_code == 0
    assert run("render", "agreements/jps.yaml", "-o", "jps.docx", cwd=tmp_path / "ws").exit_code == 0
    assert run("init", tmp_path / "ws").exit_code == 1  # not over an existing workspace


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_pdf_shows_word_numbering(jps_bytes, tmp_path):
    src = tmp_path / "jps.docx"
    src.write_bytes(jps_bytes)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "jps.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    assert flat.count("8 Accountability Arrangements") >= 2  # contents and heading
    assert flat.count("31 General Liabilities") >= 2
    assert "8.4 The Lead Commissioner shall hold" in flat or re.search(r"8\.\d+ The Lead Commissioner shall hold", flat)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 25 <= pages <= 60
    # contents page numbers are real: the Execution entry points at the page holding "Execution"
    assert re.search(r"Execution\.{5,}\s*\d+", text)


def _png(width: int = 4, height: int = 3) -> bytes:
    """Return a small valid PNG (solid colour), made here so the test needs no files."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x20\x60\xa0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_annex_images_links_and_namespaces_are_carried_into_the_agreement(workspace, tmp_path):
    """An annex template edited in Word may hold a picture, a hyperlink and namespaces the umbrella lacks."""
    import io

    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    from agreement_builder.package import Package, read_docx_parts

    source = docx.Document(str(ROOT / "annexes" / "service_specification.docx"))
    source.add_paragraph("Organisation chart:").add_run().add_picture(io.BytesIO(_png()))
    rid = source.part.relate_to("https://www.example.police.uk/dogs", RT.HYPERLINK,
                                is_external=True)
    link = etree.fromstring(f'<w:hyperlink xmlns:w="{NS["w"]}" xmlns:r="{R_NS}" r:id="{rid}"><w:r><w:t>dog unit '
                            f'page</w:t></w:r></w:hyperlink>')
    source.add_paragraph("See the ")._p.append(link)
    buffer = io.BytesIO()
    source.save(buffer)
    package = Package(read_docx_parts(buffer.getvalue()))
    document = package.xml("word/document.xml")
    document.set("{urn:example:dog-unit}reviewed", "yes")  # declares a namespace the umbrella does not know
    package.set_xml("word/document.xml", etree.fromstring(etree.tostring(document).replace(
        b"<w:body>", b'<w:body><w:p xmlns:du="urn:example:dog-unit" du:note="kept"/>', 1)))
    (workspace / "annexes").mkdir()
    (workspace / "annexes" / "dogs.docx").write_bytes(package.to_bytes())

    data = render_agreement(load_agreement(workspace / "agreements" / "jps.yaml"))
    d = open_docx(data, tmp_path)  # python-docx opens it: parts, relationships and content types agree
    body = d.element.body
    blips = body.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip")
    assert len(blips) == 1
    image = d.part.related_parts[blips[0].get(f"{{{R_NS}}}embed")]
    assert image.content_type == "image/png" and image.blob == _png()
    links = body.findall(f".//{W}hyperlink")
    assert [d.part.rels[h.get(f'{{{R_NS}}}id')].target_ref for h in links] == ["https://www.example.police.uk/dogs"]
    noted = [p for p in body.iter(f"{W}p") if p.get("{urn:example:dog-unit}note") == "kept"]
    assert len(noted) == 1
    assert "urn:example:dog-unit" in part(data, "word/document.xml").nsmap.values()  # declared on the root
    assert "urn:agreement-builder:annex" not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()


def test_annex_that_rebinds_a_prefix_is_refused_with_its_name(workspace, run):
    from agreement_builder.package import read_docx_parts, write_docx_bytes

    parts = read_docx_parts((ROOT / "annexes" / "service_specification.docx").read_bytes())
    parts["word/document.xml"] = (parts["word/document.xml"]
                                  .replace(R_NS.encode(), b"urn:not-relationships", 1)
                                  .replace(b"<w:body>", b'<w:body><w:p r:x="1"/>', 1))
    (workspace / "annexes").mkdir()
    (workspace / "annexes" / "dogs.docx").write_bytes(write_docx_bytes(parts))
    result = run("render", workspace / "agreements" / "jps.yaml", "-o", workspace / "out.docx")
    assert result.exit_code != 0
    assert "dogs.docx" in result.output and "prefix `r`" in result.output
    assert not (workspace / "out.docx").exists()


def test_bookmarks_contents_and_references_run_on_across_the_annexes(jps_bytes):
    """Annexes are finished one at a time (compose.AnnexStream); what needs the whole body still comes out whole:
    bookmark ids unique and in document order, the contents listing every heading in order (Part A's numbered),
    each entry's PAGEREF naming a bookmark on its heading, cross-references holding their section's number."""
    body = xp(part(jps_bytes, "word/document.xml"), "/w:document/w:body")[0]
    starts = xp(body, ".//w:bookmarkStart")
    assert [s.get(W + "id") for s in starts] == [str(i) for i in range(1, len(starts) + 1)]
    names = [s.get(W + "name") for s in starts]
    assert len(set(names)) == len(names)
    assert sorted(e.get(W + "id") for e in xp(body, ".//w:bookmarkEnd")) == sorted(s.get(W + "id") for s in starts)
    def style(p) -> str:
        return "".join(xp(p, "./w:pPr/w:pStyle/@w:val"))

    headings = [p for p in body.iter(W + "p") if style(p) in ("Heading1", "AppendixTitle", "AnnexTitle")
                and "".join(t.text or "" for t in p.iter(W + "t")).strip()]
    entries = xp(body, './w:p[w:pPr/w:pStyle/@w:val="TOC1"]')
    assert len(entries) == len(headings) and len(headings) > 36 + 8
    section = 0
    for entry, heading in zip(entries, headings):
        text = "".join(t.text or "" for t in heading.iter(W + "t")).strip()
        shown = [t.text or "" for t in entry.iter(W + "t")]
        if style(heading) == "Heading1":
            section += 1
            assert shown[:2] == [str(section), text]
        else:
            assert shown[0] == text
        target = re.search(r"PAGEREF (\S+)", "".join(i.text for i in entry.iter(W + "instrText")))[1]
        assert target in xp(heading, "./w:bookmarkStart/@w:name")
    numbers = {name: str(n) for n, p in enumerate(xp(body, './w:p[w:pPr/w:pStyle/@w:val="Heading1"]'), start=1)
               for name in xp(p, "./w:bookmarkStart/@w:name") if name.startswith("_AB_S_")}
    in_annexes = 0
    annex_start = xp(body, './w:p[w:pPr/w:pStyle/@w:val="AnnexTitle"]')[0]
    annex_blocks = set(annex_start.itersiblings()) | {annex_start}
    for instr in body.iter(W + "instrText"):
        ref = re.match(r"\s*REF (_AB_S_\w+)", instr.text or "")
        if not ref:
            continue
        run = instr.getparent()
        result = next(r for r in run.itersiblings() if xp(r, "./w:t"))
        assert "".join(xp(result, "./w:t/text()")) == numbers[ref[1]]
        in_annexes += any(a in annex_blocks for a in run.iterancestors())
    assert in_annexes > 0  # the annexes' cross-references to Part A are filled too


def test_spaces_in_annex_text_are_kept_and_the_rest_needs_no_preserve(workspace, tmp_path):
    """Annex text whose spaces matter keeps xml:space="preserve"; plain words lose it (memory), and read the same."""
    path = workspace / "agreements" / "jps.yaml"
    text = replace_once(path.read_text(encoding="utf-8"), "name: Dog Unit", 'name: "Dog  Unit  (two  spaces)"')
    path.write_text(text, encoding="utf-8")
    data = render_agreement(load_agreement(workspace / "agreements" / "jps.yaml"))
    d = open_docx(data, tmp_path)
    assert any(p.text == "Service Specification 3: Dog  Unit  (two  spaces)" for p in d.paragraphs)
    body = part(data, "word/document.xml")
    spaced = [t for t in body.iter(W + "t") if "  " in (t.text or "") or (t.text or "") != (t.text or "").strip()]
    assert spaced and all(t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve" for t in spaced)


def _render_with_umbrella_edited(workspace: Path, edit) -> str:
    """Render jps with a copy of the shipped umbrella whose document element `edit(root, place)` changed
    (`place`: the `{{p annexes }}` paragraph); return the TemplateError's message the render must raise."""
    from agreement_builder.errors import TemplateError
    from agreement_builder.package import read_docx_parts, write_docx_bytes

    parts = read_docx_parts((ROOT / "templates" / "umbrella.docx").read_bytes())
    root = etree.fromstring(parts["word/document.xml"])
    edit(root, next(p for p in root.iter(W + "p") if "".join(p.itertext()).strip() == "{{p annexes }}"))
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    (workspace / "templates").mkdir(exist_ok=True)
    (workspace / "templates" / "umbrella.docx").write_bytes(write_docx_bytes(parts))
    with pytest.raises(TemplateError) as raised:
        render_agreement(load_agreement(workspace / "agreements" / "jps.yaml"))
    return raised.value.format()


def test_annexes_printed_inside_a_table_are_refused(workspace):
    """`{{p annexes }}` inside a table cell would put Part B in a cell: refused by name, nothing half-made."""
    message = _render_with_umbrella_edited(workspace, lambda root, place: next(root.iter(W + "tc")).append(place))
    assert "`{{p annexes }}`" in message and "inside a table" in message


def test_an_annex_referring_to_a_section_after_the_annexes_is_refused(workspace):
    """Annexes are written one at a time, their cross-references filled as they go: one to a section that comes
    after the annexes (its number not known yet) is refused, naming the annex template and the section."""
    def move_governance_after_the_annexes(root, place):
        heading = next(p for p in root.iter(W + "p") if "_AB_S_governance" in xp(p, "./w:bookmarkStart/@w:name"))
        place.addnext(heading)

    message = _render_with_umbrella_edited(workspace, move_governance_after_the_annexes)
    assert "refers to the section `governance`, which comes after the annexes" in message
    assert ".docx" in message and "annexes" in message
