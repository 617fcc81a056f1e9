"""What Word and LibreOffice do to a template on saving, and what a render puts back (template_repair.py).

Each case makes the change the way the editor writes it (lxml on a copy of a shipped
template), renders the example agreement from it through the CLI, and reads the result.
The LibreOffice re-save itself is tested end to end in test_resave.py.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import docx
import pytest
from lxml import etree

from agreement_builder.diff import template_outline
from agreement_builder.template_check import check_template
from agreement_builder.templates import SHIPPED_TEMPLATES

from .word_edits import WordFile, text_of, w

UMBRELLA = SHIPPED_TEMPLATES / "umbrella.docx"
ROOT = Path(__file__).resolve().parent.parent
NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


def umbrella_in(workspace: Path, edit) -> Path:
    target = workspace / "templates" / "umbrella.docx"
    target.parent.mkdir(exist_ok=True)
    shutil.copy(UMBRELLA, target)
    f = WordFile(target)
    edit(f)
    f.save()
    return target


def render(run, workspace: Path, tmp_path: Path) -> docx.Document:
    result = run("render", "agreements/jps.yaml", "-o", tmp_path / "jps.docx", cwd=workspace)
    assert result.exit_code == 0, result.output
    return docx.Document(str(tmp_path / "jps.docx"))


def contents(d: docx.Document) -> list[str]:
    """Return the contents entries as read ("36<tab>Governing Law<tab>page"), wherever they are
    (Word keeps its contents in a content control)."""
    from agreement_builder.docmodel import paragraph_text

    return [paragraph_text(p) for p in etree.XPath('.//w:p[w:pPr/w:pStyle/@w:val="TOC1"]', namespaces=NS)(
        d.element.body)]


def _toc_paragraph(f: WordFile) -> etree._Element:
    return next(p for p in f.body.iter(w("p")) if any((i.text or "").startswith(" TOC") for i in p.iter(w("instrText"))))


def like_libreoffice(f: WordFile) -> None:
    """What LibreOffice's Word filter writes: TOC1 renamed Contents1 and emptied, BodyText renamed TextBody,
    page break before "Parties" moved into the {%p endfor %} paragraph before it."""
    for style in f.styles().iter(w("style")):
        renamed = {"TOC1": "Contents1", "BodyText": "TextBody"}.get(style.get(w("styleId")))
        if renamed:
            style.set(w("styleId"), renamed)
    for el in f.root.iter(w("pStyle")):
        el.set(w("val"), {"TOC1": "Contents1", "BodyText": "TextBody"}.get(el.get(w("val")), el.get(w("val"))))
    toc = _toc_paragraph(f)
    for r in toc.findall(w("r")):
        toc.remove(r)
    parties = f.paragraph("Parties")
    parties.find(w("pPr")).remove(parties.find(w("pPr")).find(w("pageBreakBefore")))
    before = parties.getprevious()
    assert text_of(before) == "{%p endfor %}"
    etree.SubElement(etree.SubElement(before, w("r")), w("br")).set(w("type"), "page")


def test_what_libreoffice_loses_is_put_back(workspace, run, tmp_path):
    path = umbrella_in(workspace, like_libreoffice)
    assert check_template(path).issues == ()
    d = render(run, workspace, tmp_path)
    assert len(contents(d)) == 36 + 3 + 8 and contents(d)[0].startswith("1\tDefinitions and Interpretation\t")
    assert next(p for p in d.paragraphs if p.text == "Parties").paragraph_format.page_break_before
    assert any(p.style.name == "Body Text" for p in d.paragraphs)
    styles = {s.style_id for s in d.styles}
    assert {"BodyText", "TOC1"} <= styles and not {"TextBody", "Contents1"} & styles
    assert not (workspace / "templates" / "umbrella.docx").read_bytes() == UMBRELLA.read_bytes()  # the file as saved


def test_a_contents_table_inserted_by_word(workspace, run, tmp_path):
    """Word's References > Table of Contents: a content control, one field over a paragraph per entry."""
    def edit(f):
        toc = _toc_paragraph(f)
        sdt = etree.fromstring(
            f'<w:sdt xmlns:w="{NS["w"]}"><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
            '<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>'
            '<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1 Old entry</w:t></w:r></w:p>'
            '<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr><w:r><w:t>2 Another old entry</w:t></w:r></w:p>'
            '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:sdtContent></w:sdt>')
        toc.addprevious(sdt)
        f.remove(toc)

    path = umbrella_in(workspace, edit)
    assert check_template(path).issues == ()
    d = render(run, workspace, tmp_path)
    entries = contents(d)
    assert len(entries) == 47 and not any("Old entry" in e for e in entries)
    assert entries[35].startswith("36\tGoverning Law\t")


def test_a_retyped_heading_gets_its_anchor_back(workspace, run, tmp_path):
    """Retyping a heading in Word drops its hidden bookmark; diff and redline align sections on it."""
    def edit(f):
        heading = f.paragraph("Financial Arrangements")
        for b in list(heading.iter(w("bookmarkStart"), w("bookmarkEnd"))):
            heading.remove(b)
        f.retype(heading, "Financial Arrangements", "Finance")

    path = umbrella_in(workspace, edit)
    assert check_template(path).issues == ()
    assert template_outline(path).sections["finance"].title == "Finance"
    d = render(run, workspace, tmp_path)
    heading = next(p for p in d.paragraphs if p.text == "Finance")
    assert [b.get(f"{{{NS['w']}}}name") for b in heading._p.iter(f"{{{NS['w']}}}bookmarkStart")] == ["_AB_S_finance"]


# ---------------------------------------------------------------------------- the tools


def _tool(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_normalise_templates_writes_the_restoration_without_changing_a_word(tmp_path, capsys):
    from agreement_builder.template_text import TemplateText, show_template

    path = umbrella_in(tmp_path, like_libreoffice)
    words = [p.text for p in TemplateText.read(path).paragraphs]
    normalise = _tool("normalise_templates")
    assert normalise.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "style “TOC 1” given back its id TOC1" in out and "contents field put back" in out
    after = show_template(path)
    assert '[TOC 1] ⟨TOC \\o "1-1" \\h \\z \\u⟩' in after
    assert "[Unnumbered Heading] ⟨page break before⟩ Parties" in after
    assert [p.text for p in TemplateText.read(path).paragraphs] == words
    data = path.read_bytes()
    assert normalise.main([str(path)]) == 0 and "nothing to restore" in capsys.readouterr().out
    assert path.read_bytes() == data


def test_edit_template_rewords_across_split_runs(tmp_path, capsys):
    path = tmp_path / "umbrella.docx"
    shutil.copy(UMBRELLA, path)
    f = WordFile(path)
    p = f.paragraph("not less than twelve months")
    f.split_runs(p, size=4)
    f.save()
    edit = _tool("edit_template")
    assert edit.main([str(path), "replace", "twelve months’ written", "eighteen months’ written"]) == 0
    out = capsys.readouterr().out
    assert [line[:1] for line in out.splitlines() if line[:1] in "+-" and not line.startswith(("---", "+++"))] == \
        ["-", "+"]
    d = docx.Document(str(path))
    text = next(p.text for p in d.paragraphs if "written notice expiring" in p.text)
    assert "not less than eighteen months’ written notice" in text
    assert edit.main([str(path), "insert-after", "A Party may withdraw", "A new clause.", "--style", "Clause"]) == 0
    d = docx.Document(str(path))
    index = next(i for i, p in enumerate(d.paragraphs) if p.text.startswith("A Party may withdraw"))
    assert (d.paragraphs[index + 1].text, d.paragraphs[index + 1].style.name) == ("A new clause.", "Clause")
    assert edit.main([str(path), "delete", "A new clause."]) == 0
    before = path.read_bytes()
    capsys.readouterr()
    assert edit.main([str(path), "replace", "the", "a"]) == 1  # not unique: nothing written
    assert path.read_bytes() == before
    assert "nothing written" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _tools_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    yield
    sys.modules.pop("normalise_templates", None)
    sys.modules.pop("edit_template", None)
