"""`agreement-builder build`: the summit pack, through the command line on the example workspace."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from agreement_builder.context import function_figures
from agreement_builder.errors import InputError, ToolMissingError
from agreement_builder.formats import format_money
from agreement_builder.validate import load_agreement, load_summit

from .conftest import replace_once

HAS_SOFFICE = shutil.which("soffice") is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
POSITION = re.compile(r"^(?P<file>[^\s:]+\.yaml):(?P<line>\d+):(?P<col>\d+): error: ", re.MULTILINE)
NOTICES = [f"decision-notice-{f}.docx" for f in ("bedfordshire", "cambridgeshire", "hertfordshire")]
EXEMPT_PARTS = [f"decision-notice-{f}-exempt.docx" for f in ("bedfordshire", "cambridgeshire", "hertfordshire")]


#: The change report comes from agreement_builder.report (built alongside); the pack holds it when present.
HAS_REPORT = importlib.util.find_spec("agreement_builder.report") is not None


def expected_files() -> set[str]:
    """Return every file the example pack holds without PDFs."""
    changes = ["jps-changes.docx", "jps-changes.md"] if HAS_REPORT else []
    # jps replaces jps-2013, which is final (signed): the pack holds the agreement of variation too
    jps = ["jps.docx", "jps-publication.docx", "jps-redline.docx", "jps-variation.docx", *changes, *NOTICES]
    psd = ["psd.docx", "psd-publication.docx", *NOTICES, *EXEMPT_PARTS]  # psd withholds a function
    return {"manifest.json", "index.html", "finance.xlsx"} | {f"jps/{n}" for n in jps} | {f"psd/{n}" for n in psd}


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in files_in(out)}


def text_of(path: Path) -> str:
    d = docx.Document(str(path))
    chunks = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            chunks.extend(c.text for c in row.cells)
    return "\n".join(chunks)


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    """Return a workspace whose example pack was built once, without PDFs (shared, read-only)."""
    from click.testing import CliRunner

    from agreement_builder.cli import cli

    from .conftest import ROOT

    ws = tmp_path_factory.mktemp("pack")
    shutil.copy(ROOT / "parties.yaml", ws / "parties.yaml")
    shutil.copy(ROOT / "summit.yaml", ws / "summit.yaml")
    shutil.copytree(ROOT / "agreements", ws / "agreements")
    old = os.getcwd()
    os.chdir(ws)
    try:
        result = CliRunner().invoke(cli, ["build", "--no-pdf"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return ws


# ---------------------------------------------------------------------------- the pack


def test_every_expected_file_is_built(pack):
    assert files_in(pack / "out") == expected_files()
    assert not [p for p in pack.iterdir() if ".agreement-builder-" in p.name], "no staging, backup or lock left behind"


def test_manifest_lists_every_output_and_input_with_its_sha256(pack):
    out = pack / "out"
    m = manifest(out)
    assert m["generator"]["name"] == "agreement-builder" and m["generator"]["version"]
    listed = {o["path"]: o for o in m["outputs"]}
    assert set(listed) == expected_files() - {"manifest.json", "index.html", "finance.xlsx"}  # the workbook: m["finance"]
    for path, o in listed.items():
        assert o["sha256"] == sha(out / path), path
        assert o["bytes"] == (out / path).stat().st_size, path
        assert o["agreement"] == path.split("/")[0]
        assert "pages" in o
    inputs = {i["path"]: i["sha256"] for i in m["inputs"]}
    for name in ("summit.yaml", "parties.yaml", "agreements/jps.yaml", "agreements/jps-2013.yaml", "agreements/psd.yaml"):
        assert inputs[name] == sha(pack / name), name
    assert "shipped:templates/umbrella.docx" in inputs and "shipped:templates/decision_notice.docx" in inputs
    assert [a["folder"] for a in m["agreements"]] == ["jps", "psd"]
    assert all(a["error"] is None for a in m["agreements"])


def test_index_links_every_document_with_kind_version_and_status(pack):
    page = (pack / "out" / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "http://" not in page and "https://" not in page, "self-contained"
    for o in manifest(pack / "out")["outputs"]:
        assert f'href="./{o["path"]}"' in page, o["path"]  # plain names need no percent-encoding
    for words in ("Decision notice", "Publication version (s23E)", "Redline (tracked changes)", "Draft", "3.0", "2.0"):
        assert words in page
    assert "Joint Protective Services" in page and "Professional Standards Department" in page


def test_decision_notice_figures_equal_the_apportionment(pack):
    checked = load_agreement(pack / "agreements" / "psd.yaml")
    figures = function_figures(checked.agreement)
    names = {fn.id: fn.name for fn in checked.agreement.functions}
    published = {fn.id: fn.publish for fn in checked.agreement.functions}
    for force in checked.agreement.forces:
        everything = Decimal(0)
        for name, public, label in ((f"decision-notice-{force}.docx", True, "Total of the functions above"),
                                    (f"decision-notice-{force}-exempt.docx", False, "Total")):
            d = docx.Document(str(pack / "out" / "psd" / name))
            table = next(t for t in d.tables if t.rows[0].cells[0].text == "Function")
            rows = [(r.cells[0].text, r.cells[1].text) for r in table.rows[1:]]
            mine = {fid: f.by_force()[force].contribution for fid, f in figures.items()
                    if f.by_force()[force].contribution is not None and published[fid] == public}
            expected = [(names[fid], format_money(c)) for fid, c in mine.items()]
            assert rows == [*expected, (label, format_money(sum(mine.values(), Decimal(0))))], name
            everything += sum(mine.values(), Decimal(0))
        exempt = text_of(pack / "out" / "psd" / f"decision-notice-{force}-exempt.docx")
        assert f"under the agreement is {format_money(everything)}." in exempt
        assert "It is not for publication." in exempt
        text = text_of(pack / "out" / "psd" / f"decision-notice-{force}.docx")
        body = checked.parties.parties.forces[force].policing_body.title
        assert body in text and "Approved." not in text and "BCH-S22A-PSD" in text  # the decision is the body's own
        assert "Signature:" in text and "Date:" in text
        assert "Section 22A of the Police Act 1996" in text
        assert all(fn.name in text for fn in checked.agreement.functions), "background lists the functions in scope"


def test_publication_version_withholds_the_figures_of_unpublished_functions(pack):
    checked = load_agreement(pack / "agreements" / "psd.yaml")
    withheld = [fn for fn in checked.agreement.functions if not fn.publish]
    assert [fn.id for fn in withheld] == ["anti_corruption"]
    figures = function_figures(checked.agreement)["anti_corruption"]
    amounts = [format_money(s.contribution) for s in figures.shares]
    full = text_of(pack / "out" / "psd" / "psd.docx")
    public = text_of(pack / "out" / "psd" / "psd-publication.docx")
    assert all(a in full for a in amounts)
    assert not any(a in public for a in amounts), "the withheld function's contributions are published"
    assert "Anti-Corruption Unit" in public, "the withheld function keeps its title"
    assert "withheld" in public


def test_notices_match_a_plain_docxtpl_render(pack):
    """The prepared-once notice template gives what DocxTemplate.render gives (core properties aside)."""
    from docxtpl import DocxTemplate

    from agreement_builder.context import template_namespace
    from agreement_builder.notice import notice_contexts
    from agreement_builder.render import make_environment
    from agreement_builder.templates import find_templates

    summit = load_summit(pack / "summit.yaml").summit.summit
    from agreement_builder.figures import agreement_figures, agreement_totals

    checked = load_agreement(pack / "agreements" / "jps.yaml")
    old = agreement_figures(load_agreement(pack / "agreements" / "jps-2013.yaml"))
    totals = [agreement_totals(agreement_figures(load_agreement(pack / "agreements" / f"{n}.yaml"))) for n in ("jps", "psd")]
    context = notice_contexts(checked, summit, previous=old, summit_totals=totals)["cambridgeshire"]
    tpl = DocxTemplate(str(find_templates(pack).decision_notice()))
    tpl.render(template_namespace(context), jinja_env=make_environment(), autoescape=True)
    built = zipfile.ZipFile(pack / "out" / "jps" / "decision-notice-cambridgeshire.docx")
    plain = io.BytesIO()
    tpl.save(plain)
    plain_zip = zipfile.ZipFile(plain)
    for name in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):
        if name in plain_zip.namelist():
            assert built.read(name) == plain_zip.read(name) or _same_xml(built.read(name), plain_zip.read(name)), name


def _same_xml(a: bytes, b: bytes) -> bool:
    from lxml import etree

    return etree.tostring(etree.fromstring(a), method="c14n") == etree.tostring(etree.fromstring(b), method="c14n")


# ---------------------------------------------------------------------------- incremental and reproducible


def test_second_build_rebuilds_nothing_and_force_rebuilds_byte_identical(workspace, run):
    first = run("build", "--no-pdf", cwd=workspace)
    assert first.exit_code == 0, first.output
    out = workspace / "out"
    before = snapshot(out)
    inodes = {name: (out / name).stat().st_ino for name in before}

    again = run("build", "--no-pdf", cwd=workspace)
    assert again.exit_code == 0, again.output
    assert "up to date" in again.output
    assert {name: (out / name).stat().st_ino for name in before} == inodes, "nothing was rewritten"

    forced = run("build", "--no-pdf", "--force", cwd=workspace)
    assert forced.exit_code == 0, forced.output
    assert "2 agreement(s) built" in forced.output
    after = snapshot(out)
    assert after == before, "a forced rebuild gives byte-identical files"
    assert any((out / n).stat().st_ino != i for n, i in inodes.items()), "the files were written again"


def test_a_changed_input_rebuilds_the_agreements_that_depend_on_it(workspace, run):
    """jps-2013.yaml is jps's alone; psd.yaml is every agreement's (the notices state each force's summit total)."""
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    out = workspace / "out"
    psd_inode = (out / "psd" / "psd.docx").stat().st_ino
    old = workspace / "agreements" / "jps-2013.yaml"
    old.write_text(old.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "1 agreement(s) built, 1 unchanged" in result.output
    assert (out / "psd" / "psd.docx").stat().st_ino == psd_inode, "psd was linked from the previous pack"

    notice_before = (out / "jps" / "decision-notice-bedfordshire.docx").read_bytes()
    path = workspace / "agreements" / "psd.yaml"
    path.write_text(replace_once(path.read_text(encoding="utf-8"), 'budget: "390000.00"', 'budget: "395000.00"'),
                    encoding="utf-8")
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "2 agreement(s) built, 0 unchanged" in result.output
    assert (out / "jps" / "decision-notice-bedfordshire.docx").read_bytes() != notice_before, "its summit total changed"
    m = manifest(out)
    assert "agreements/psd.yaml" in next(a for a in m["agreements"] if a["folder"] == "jps")["inputs"]
    for o in m["outputs"]:
        assert o["sha256"] == sha(out / o["path"])


def test_a_changed_template_rebuilds_everything(workspace, run):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    from agreement_builder.templates import SHIPPED_TEMPLATES

    (workspace / "templates").mkdir()
    shutil.copy(SHIPPED_TEMPLATES / "decision_notice.docx", workspace / "templates" / "decision_notice.docx")
    with zipfile.ZipFile(workspace / "templates" / "decision_notice.docx", "a") as z:
        z.writestr("customXml/item9.xml", "<x/>")  # a different file: a different hash
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "2 agreement(s) built, 0 unchanged" in result.output
    labels = {i["path"] for i in manifest(workspace / "out")["inputs"]}
    assert "templates/decision_notice.docx" in labels


def test_jobs_one_builds_the_same_pack(workspace, run, pack):
    result = run("build", "--no-pdf", "--jobs", "1", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert snapshot(workspace / "out") == snapshot(pack / "out")


# ---------------------------------------------------------------------------- failures


def test_a_broken_agreement_fails_alone(workspace, run):
    path = workspace / "agreements" / "psd.yaml"
    path.write_text(replace_once(path.read_text(encoding="utf-8"), "lead_force: cambridgeshire", "lead_force: kent"),
                    encoding="utf-8")
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 1
    found = POSITION.search(result.output)
    assert found and found["file"] == "agreements/psd.yaml", result.output
    assert "lead force" in result.output
    out = workspace / "out"
    assert {n for n in expected_files() if n.startswith("jps/")} <= files_in(out), "the other agreement was built"
    assert not (out / "psd").exists()
    m = manifest(out)
    psd = next(a for a in m["agreements"] if a["folder"] == "psd")
    assert psd["error"] and "agreements/psd.yaml:" in psd["error"]
    assert "Not built" in (out / "index.html").read_text(encoding="utf-8")

    again = run("build", "--no-pdf", cwd=workspace)  # a failure is never "up to date"
    assert again.exit_code == 1 and POSITION.search(again.output)


def test_a_final_agreement_in_the_pack_is_not_replaced_without_force(workspace, run):
    path = workspace / "agreements" / "psd.yaml"
    text = replace_once(path.read_text(encoding="utf-8"), "status: draft", "status: final")
    path.write_text(text, encoding="utf-8")
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    signed = (workspace / "out" / "psd" / "psd.docx").read_bytes()
    path.write_text(replace_once(text, "budget: \"390000.00\"", "budget: \"395000.00\""), encoding="utf-8")

    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 1
    assert "the pack holds the final agreement and this build would replace" in result.output
    assert (workspace / "out" / "psd" / "psd.docx").read_bytes() == signed
    assert "the documents below were kept" in (workspace / "out" / "index.html").read_text(encoding="utf-8")
    psd = next(a for a in manifest(workspace / "out")["agreements"] if a["folder"] == "psd")
    assert psd["state"] == "kept" and psd["stale"] and "--force" in psd["kept"]
    assert manifest(workspace / "out")["ready"] is False
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 1, "still refused on the next build"

    result = run("build", "--no-pdf", "--force", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert (workspace / "out" / "psd" / "psd.docx").read_bytes() != signed
    psd = next(a for a in manifest(workspace / "out")["agreements"] if a["folder"] == "psd")
    assert psd["state"] == "built" and psd["kept"] is None and not psd["stale"]
    assert manifest(workspace / "out")["ready"] is True


def test_an_existing_pack_survives_a_broken_summit(workspace, run):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")
    summit = workspace / "summit.yaml"
    summit.write_text(replace_once(summit.read_text(encoding="utf-8"), "agreements/psd.yaml", "agreements/nope.yaml"),
                      encoding="utf-8")
    result = run("build", "--no-pdf", "--force", cwd=workspace)
    assert result.exit_code == 1
    found = POSITION.search(result.output)
    assert found and found["file"] == "summit.yaml", result.output
    assert snapshot(workspace / "out") == before
    assert not [p for p in workspace.iterdir() if ".agreement-builder-" in p.name]


def test_an_interrupted_build_leaves_the_previous_pack(workspace, run):
    from agreement_builder.build import build_summit

    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")

    def interrupt(event):
        if event.done >= 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_summit(workspace / "summit.yaml", workspace / "out", pdf=False, force=True, jobs=1, progress=interrupt)
    assert snapshot(workspace / "out") == before
    assert not [p for p in workspace.iterdir() if ".agreement-builder-" in p.name], "staging removed, lock released"


def test_a_pack_moved_aside_by_a_killed_swap_is_put_back_from_the_record(workspace, run):
    """A build killed between the swap's two renames: the next build restores the pack its record names."""
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")
    backup, staging = ".out.agreement-builder-previous-999999-abcd", ".out.agreement-builder-staging-999999-ef01"
    os.rename(workspace / "out", workspace / backup)
    (workspace / staging / "psd").mkdir(parents=True)
    (workspace / staging / "psd" / "psd.docx").write_bytes(b"half written")
    (workspace / ".out.agreement-builder-lock").write_text(
        json.dumps({"pid": 999999, "staging": staging, "backup": backup, "phase": "swapping"}))
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "put back the pack a stopped build had moved aside" in result.output
    assert "up to date" in result.output
    assert snapshot(workspace / "out") == before
    assert sorted(p.name for p in workspace.iterdir()) == ["agreements", "out", "parties.yaml", "summit.yaml"]


def test_folders_that_only_look_like_debris_are_never_touched(workspace, run):
    """Only what a build recorded is removed or renamed: look-alike names are the user's."""
    mine = ["out.old-july", "out.tmp-99999-mine", "out.old-keep", ".out.agreement-builder-staging-1-zz"]
    for name in mine:
        (workspace / name).mkdir()
        (workspace / name / "keep.txt").write_text(name)
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    os.rename(workspace / "out", workspace / "out.old-2019")  # the user's own archive of the pack
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "up to date" not in result.output, "a fresh pack was built; the user's copy was not renamed back"
    for name in mine:
        assert (workspace / name / "keep.txt").read_text() == name
    assert (workspace / "out.old-2019" / "manifest.json").is_file()
    assert files_in(workspace / "out") == files_in(workspace / "out.old-2019")


def test_a_folder_that_is_not_a_pack_is_never_replaced(workspace, run):
    (workspace / "notes").mkdir()
    (workspace / "notes" / "mine.txt").write_text("keep me")
    result = run("build", "--no-pdf", "--out", "notes", cwd=workspace)
    assert result.exit_code == 1
    assert "not a summit pack" in result.output
    assert (workspace / "notes" / "mine.txt").read_text() == "keep me"
    result = run("build", "--no-pdf", "--out", ".", cwd=workspace)
    assert result.exit_code == 1 and (workspace / "summit.yaml").is_file()


def test_missing_summit_is_an_input_error(tmp_path, run):
    result = run("build", cwd=tmp_path)
    assert result.exit_code == 1
    assert "summit.yaml" in result.output and "error" in result.output


# ---------------------------------------------------------------------------- PDFs


def test_pdf_without_libreoffice_says_how_to_install(workspace, run, monkeypatch):
    monkeypatch.setenv("SOFFICE", str(workspace / "no-such-soffice"))
    result = run("build", "--pdf", cwd=workspace)
    assert result.exit_code == 1
    assert "apt-get install libreoffice-writer-nogui" in result.output
    assert not (workspace / "out").exists()
    from agreement_builder.pdf import convert_to_pdf

    with pytest.raises(ToolMissingError, match="install LibreOffice"):
        convert_to_pdf([workspace / "x.docx"], workspace)
    result = run("build", cwd=workspace)  # the default: no LibreOffice, no PDFs, no error
    assert result.exit_code == 0, result.output
    assert not any(p.suffix == ".pdf" for p in (workspace / "out").rglob("*"))


@needs_soffice
def test_pdf_build_records_page_counts(workspace, run):
    result = run("build", "--pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    out = workspace / "out"
    m = manifest(out)
    outputs = {o["path"]: o for o in m["outputs"]}
    for name in ("jps/jps", "jps/jps-publication", "psd/psd", "psd/decision-notice-hertfordshire"):
        pdf = outputs[f"{name}.pdf"]
        assert (out / pdf["path"]).read_bytes()[:5] == b"%PDF-"
        assert pdf["sha256"] == sha(out / pdf["path"])
        assert pdf["pages"] and pdf["pages"] > 0
        assert outputs[f"{name}.docx"]["pages"] == pdf["pages"], "the .docx gets its PDF's page count"
    assert outputs["jps/jps.pdf"]["pages"] > 10
    assert outputs["psd/decision-notice-hertfordshire.pdf"]["pages"] <= 5
    redline = outputs["jps/jps-redline.pdf"]  # the tracked changes as a reviewer prints them
    assert redline["kind"] == "redline" and redline["pages"] == outputs["jps/jps-redline.docx"]["pages"]
    text = " ".join(subprocess.run(["pdftotext", str(out / redline["path"]), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Professional Standards Department" in text, "a deleted annex is shown"
    assert "Forensic collision investigation" in text, "an inserted service is shown"
    assert "12 December 2013" in text and "19 July 2016" in text, "both the old and the new date"
    assert "jps/jps-redline.pdf" in (out / "index.html").read_text(encoding="utf-8")
    page = (out / "index.html").read_text(encoding="utf-8")
    assert f'>{outputs["jps/jps.pdf"]["pages"]}<' in page


@needs_soffice
def test_convert_to_pdf_converts_many_files_in_one_run(pack, tmp_path):
    from agreement_builder.pdf import convert_to_pdf, page_count

    sources = [pack / "out" / "psd" / "psd.docx", pack / "out" / "psd" / NOTICES[0]]
    made = convert_to_pdf(sources, tmp_path / "pdf")
    assert [p.name for p in made] == ["psd.pdf", NOTICES[0].replace(".docx", ".pdf")]
    assert page_count(made[0]) > 10 and page_count(made[1]) >= 1
    with pytest.raises(ValueError):
        convert_to_pdf([sources[0], tmp_path / "psd.docx"], tmp_path / "pdf")
    assert convert_to_pdf([], tmp_path / "none") == []


@needs_soffice
def test_libreoffice_pdfs_are_made_reproducible(pack, tmp_path):
    """LibreOffice stamps the clock and a random /ID; the PDFs kept are the same bytes every time."""
    import pikepdf

    from agreement_builder.pdf import convert_to_pdf, document_date, make_reproducible

    source = pack / "out" / "psd" / NOTICES[0]
    raw, kept = [], []
    for n in range(2):
        made = convert_to_pdf([source], tmp_path / f"raw{n}", profile=tmp_path / f"profile{n}", reproducible=False)[0]
        raw.append(made.read_bytes())
        assert make_reproducible(made, document_date(source)) >= 1
        kept.append(made.read_bytes())
    assert raw[0] != raw[1], "LibreOffice's own output differs run to run"
    assert kept[0] == kept[1]
    with pikepdf.open(tmp_path / "raw0" / NOTICES[0].replace(".docx", ".pdf")) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20160719000000Z", "the notice's own date (the summit's)"
        assert "/DocChecksum" not in pdf.trailer


@needs_soffice
def test_convert_to_pdf_splits_long_lists_into_runs(pack, tmp_path, monkeypatch):
    """LibreOffice ignores arguments past about the 250th, so long lists are converted in several runs."""
    from agreement_builder import pdf

    monkeypatch.setattr(pdf, "MAX_FILES_PER_RUN", 2)
    made = pdf.convert_to_pdf([pack / "out" / "psd" / n for n in NOTICES], tmp_path / "pdf")
    assert [p.name for p in made] == [n.replace(".docx", ".pdf") for n in NOTICES]
    assert all(p.is_file() for p in made)


def test_library_reports_failures_without_raising(workspace):
    from agreement_builder.build import build_summit
    from agreement_builder.errors import BuildFailures

    path = workspace / "agreements" / "jps.yaml"
    path.write_text(replace_once(path.read_text(encoding="utf-8"), "lead_force: bedfordshire", "lead_force: kent"),
                    encoding="utf-8")
    result = build_summit(workspace / "summit.yaml", workspace / "out", pdf=False)
    assert result.built == ["psd"] and result.replaced
    assert len(result.failures) == 1 and isinstance(result.failures[0], InputError)
    with pytest.raises(BuildFailures):
        result.raise_for_failures()
