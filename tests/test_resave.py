"""Every shipped template re-saved through LibreOffice's Word filter still renders right.

A real re-save (`soffice --convert-to docx:"MS Word 2007 XML"`) renames built-in style ids,
turns "page break before" into page breaks that land in tag-only paragraphs, and drops the
empty contents field; the product puts these back (template_repair.py). The agreement
rendered from the re-saved templates must read exactly as the one from the shipped
templates, have the same number of pages, its contents with real page numbers, its
headers, footers and signature blocks, and annex numbering restarting in every annex.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from agreement_builder.outline import SECTIONS
from agreement_builder.templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}


def soffice(tmp: Path, *args: str) -> None:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", *args],
                   check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def resaved(tmp_path_factory) -> Path:
    """Return a workspace whose templates/ and annexes/ hold every shipped template re-saved by LibreOffice."""
    ws = tmp_path_factory.mktemp("resaved")
    for name in ("parties.yaml", "summit.yaml"):
        shutil.copy(ROOT / name, ws / name)
    shutil.copytree(ROOT / "agreements", ws / "agreements")
    sources = sorted([*SHIPPED_TEMPLATES.glob("*.docx"), *SHIPPED_ANNEXES.glob("*.docx")])
    out = ws / "converted"
    soffice(ws, "--convert-to", 'docx:MS Word 2007 XML', "--outdir", str(out), *map(str, sources))
    for source in sources:
        target = ws / source.parent.name / source.name
        target.parent.mkdir(exist_ok=True)
        shutil.move(out / source.name, target)
    return ws


@pytest.fixture(scope="module")
def rendered(resaved, tmp_path_factory) -> dict[str, Path]:
    """Return the example agreement rendered from the re-saved templates and from the shipped ones."""
    from click.testing import CliRunner

    from agreement_builder.cli import cli

    out = tmp_path_factory.mktemp("rendered")
    runner = CliRunner()
    paths = {}
    for label, extra in (("resaved", []), ("shipped", ["--templates", str(SHIPPED_TEMPLATES),
                                                       "--annexes", str(SHIPPED_ANNEXES)])):
        target = out / f"{label}.docx"
        result = runner.invoke(cli, ["render", str(resaved / "agreements" / "jps.yaml"), "-o", str(target), *extra])
        assert result.exit_code == 0, result.output
        paths[label] = target
    return paths


def test_the_resave_really_lost_what_the_product_puts_back(resaved):
    xml = zipfile.ZipFile(resaved / "templates" / "umbrella.docx").read("word/document.xml").decode()
    assert " TOC " not in xml  # the empty contents field is gone
    assert 'w:val="TextBody"' in xml and 'w:val="BodyText"' not in xml  # a style id renamed
    assert re.search(r"\{%p endfor %\}</w:t></w:r><w:r>(?:<w:rPr></w:rPr>)?<w:br w:type=\"page\"/>", xml)


def test_every_resaved_template_passes_the_check(resaved, run):
    result = run("templates", "check", cwd=resaved)
    assert result.exit_code == 0, result.output
    count = len([*(resaved / "templates").glob("*.docx"), *(resaved / "annexes").glob("*.docx")])
    assert count >= 10 and result.output.strip().endswith(f"{count} templates checked: 0 errors, 0 warnings")


def test_the_agreement_reads_exactly_as_from_the_shipped_templates(rendered):
    def texts(path):
        d = docx.Document(str(path))
        return [(p.style.name.lower(), p.text) for p in d.paragraphs]

    resaved, shipped = texts(rendered["resaved"]), texts(rendered["shipped"])
    assert [t for _, t in resaved] == [t for _, t in shipped]
    assert [s for s, _ in resaved] == [s for s, _ in shipped]


def test_sections_contents_signatures_headers_and_footers(rendered):
    d = docx.Document(str(rendered["resaved"]))
    headings = [p.text for p in d.paragraphs if p.style.name.lower() == "heading 1"]
    assert headings == [title for _, title in SECTIONS]
    body = d.element.body
    contents = etree.XPath('./w:p[w:pPr/w:pStyle/@w:val="TOC1"]', namespaces=NS)(body)
    refs = [" ".join(etree.XPath(".//w:instrText/text()", namespaces=NS)(p)) for p in contents]
    assert len(contents) == 36 + 3 + 8  # sections, execution and two appendices, eight annexes
    assert all("PAGEREF" in ref for ref in refs)
    signed = [p.text for p in d.paragraphs if p.text.startswith("Signed by")]
    assert len(signed) == 6 and signed[0] == "Signed by the Chief Constable of Bedfordshire Police"
    section = d.sections[0]
    assert "DRAFT – Version 3.0 – 19 July 2016" in "\n".join(p.text for p in section.header.paragraphs)
    footer = etree.tostring(section.footer._element, encoding="unicode")
    assert "BCH-S22A-JPS · Version 3.0 · Page " in footer and "NUMPAGES" in footer
    parties = next(p for p in d.paragraphs if p.text == "Parties")
    assert parties.paragraph_format.page_break_before  # the cover ends on its own page again


def test_annex_numbering_restarts_in_every_annex(rendered):
    root = etree.fromstring(zipfile.ZipFile(rendered["resaved"]).read("word/document.xml"))
    numbering = etree.fromstring(zipfile.ZipFile(rendered["resaved"]).read("word/numbering.xml"))
    body = root.find(f"{W}body")
    titles = body.xpath('./w:p[w:pPr/w:pStyle/@w:val="AnnexTitle"]', namespaces=NS)
    assert len(titles) == 8
    first_lists = []
    for title in titles:
        node = title.getnext()
        while node is not None and not node.xpath('./w:pPr/w:pStyle[@w:val="AnnexTitle"]', namespaces=NS):
            ids = node.xpath("./w:pPr/w:numPr/w:numId/@w:val", namespaces=NS)
            if ids:
                first_lists.append(ids[0])
                break
            node = node.getnext()
    assert len(set(first_lists)) == 8
    for num_id in first_lists:
        assert numbering.xpath(f'//w:num[@w:numId="{num_id}"]/w:lvlOverride[@w:ilvl="0"]/w:startOverride/@w:val',
                               namespaces=NS) == ["1"]


def test_same_pages_and_real_contents_page_numbers_in_the_pdf(rendered, tmp_path):
    soffice(tmp_path, "--convert-to", "pdf", "--outdir", str(tmp_path), str(rendered["resaved"]),
            str(rendered["shipped"]))

    def pdf(label):
        path = tmp_path / f"{label}.pdf"
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        return int(re.search(r"Pages:\s+(\d+)", info).group(1)), text

    (pages, text), (shipped_pages, shipped_text) = pdf("resaved"), pdf("shipped")
    assert pages == shipped_pages
    entries = re.findall(r"^\s*(\d+)\s+(Governing Law)\.{3,}\s*(\d+)\s*$", text, flags=re.M)
    assert entries and entries == re.findall(r"^\s*(\d+)\s+(Governing Law)\.{3,}\s*(\d+)\s*$", shipped_text,
                                             flags=re.M)
    page = int(entries[0][2])
    assert "36 Governing Law" in re.sub(r"\s+", " ", text.split("\f")[page - 1])  # the entry points at its page
