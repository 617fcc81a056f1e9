"""An unchanged rebuild is decided from the inputs' bytes before anything is parsed (unchanged.py),
and any change to any input, option or document of the pack means a real build.

The example summit is built once; each test works on a copy of that workspace and pack (copied
with their modification times), changes one thing, and asks `unchanged_pack`; a few run the
command itself, in a fresh interpreter, to see what the user sees.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agreement_builder.build import build_summit
from agreement_builder.templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES
from agreement_builder.unchanged import unchanged_pack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Return a workspace (the example alliance) with its pack built in out/, without PDFs."""
    folder = tmp_path_factory.mktemp("unchanged") / "ws"
    folder.mkdir()
    for name in ("parties.yaml", "summit.yaml"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "agreements", folder / "agreements")
    result = build_summit(folder / "summit.yaml", folder / "out", pdf=False, jobs=1)
    assert result.replaced and not result.failures
    old = (folder / "out" / "manifest.json").stat().st_mtime_ns - 10**9  # every document strictly older
    for path in (folder / "out").rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            os.utime(path, ns=(old, old))
    return folder


@pytest.fixture
def ws(built, tmp_path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(built, copy)  # copy2: modification times kept
    return copy


def same(ws: Path, **options) -> bool:
    return unchanged_pack(ws / "summit.yaml", ws / "out", **{"pdf": False, **options}) is not None


def _append(path: Path, text: bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(text)


def _run(ws: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the console script's code in a fresh interpreter; report which heavy modules it loaded."""
    code = ("import sys\nfrom agreement_builder.start import main\ntry:\n    main(sys.argv[1:])\nfinally:\n"
            "    sys.stderr.write('LOADED ' + ' '.join(m for m in ('pydantic', 'yaml', 'click', 'lxml', "
            "'agreement_builder.validate') if m in sys.modules))")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ws, capture_output=True, text=True)


# ---------------------------------------------------------------------------- unchanged


def test_an_unchanged_pack_is_known_without_parsing_anything(ws):
    assert same(ws)
    before = {p: p.stat().st_mtime_ns for p in (ws / "out").rglob("*")}
    result = _run(ws, "build", "--no-pdf")
    assert result.returncode == 0
    assert result.stdout == "out: up to date (2 agreements unchanged)\n"
    assert result.stderr == "LOADED "  # no YAML, no models, no click, no lxml
    assert {p: p.stat().st_mtime_ns for p in (ws / "out").rglob("*")} == before
    assert not [p for p in ws.iterdir() if ".agreement-builder-" in p.name]


def test_the_library_says_the_same_and_returns_the_records(ws):
    events = []
    result = build_summit(ws / "summit.yaml", ws / "out", pdf=False, progress=events.append)
    assert not result.replaced and not result.failures
    assert [e.message for e in events] == [f"{ws / 'out'}: up to date (2 agreements unchanged)"]
    assert sorted(result.reused) == ["jps", "psd"] and result.built == []


@pytest.mark.parametrize("args", [["--no-pdf", "--jobs", "3"], ["summit.yaml", "--out=out", "--no-pdf", "-j", "1"]])
def test_the_plain_forms_of_build_are_answered_at_once(ws, args):
    result = _run(ws, "build", *args)
    assert result.stdout == "out: up to date (2 agreements unchanged)\n" and result.stderr == "LOADED "


@pytest.mark.parametrize("args", [["--no-pdf", "--force"], ["--no-pdf", "--templates", "x"], ["--no-pdf", "--jobs", "0"],
                                  ["--no-pdf", "--help"], ["--no-pdf", "a.yaml", "b.yaml"]])
def test_any_other_build_command_line_is_clicks(ws, args):
    result = _run(ws, "build", *args)
    assert "click" in result.stderr.rpartition("LOADED ")[2]


# ---------------------------------------------------------------------------- each change means a build


def test_an_agreement_changed(ws):
    _append(ws / "agreements" / "psd.yaml", b"# a comment is a change of bytes\n")
    assert not same(ws)


def test_a_previous_version_changed(ws):
    _append(ws / "agreements" / "jps-2013.yaml", b"\n")
    assert not same(ws)


def test_the_parties_changed_and_the_build_rebuilds(ws):
    _append(ws / "parties.yaml", b"# new\n")
    assert not same(ws)
    result = _run(ws, "build", "--no-pdf")
    assert result.returncode == 0, result.stderr
    assert "2 agreement(s) built, 0 unchanged" in result.stdout
    again = _run(ws, "build", "--no-pdf")
    assert again.stdout == "out: up to date (2 agreements unchanged)\n"


def test_the_summit_changed(ws):
    _append(ws / "summit.yaml", b"\n")
    assert not same(ws)


@pytest.mark.parametrize("folder, name", [("templates", "umbrella.docx"), ("annexes", "dogs.docx"),
                                          ("annexes", "service_specification.docx")])
def test_a_template_appears_in_the_workspace(ws, folder, name):
    """Even with the shipped template's very bytes: which file is read changed."""
    (ws / folder).mkdir(exist_ok=True)
    shipped = (SHIPPED_TEMPLATES if folder == "templates" else SHIPPED_ANNEXES)
    shutil.copy(shipped / (name if (shipped / name).exists() else "service_specification.docx"), ws / folder / name)
    assert not same(ws)


def test_a_workspace_template_changed(built, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(built, ws)
    (ws / "annexes").mkdir()
    shutil.copy(SHIPPED_ANNEXES / "service_specification.docx", ws / "annexes" / "service_specification.docx")
    result = build_summit(ws / "summit.yaml", ws / "out", pdf=False, jobs=1)
    assert result.replaced and not result.failures
    _backdate(ws / "out")
    assert same(ws)
    _append(ws / "annexes" / "service_specification.docx", b"\0")
    assert not same(ws)
    (ws / "annexes" / "service_specification.docx").unlink()
    assert not same(ws)


def test_templates_given_on_the_command_line(ws, tmp_path):
    other = tmp_path / "mine"
    other.mkdir()
    shutil.copy(SHIPPED_TEMPLATES / "umbrella.docx", other / "umbrella.docx")
    assert not same(ws, templates=other)
    assert same(ws, templates=tmp_path / "empty-does-not-exist") is False


def test_the_tool_version_or_manifest_format_changed(ws):
    path = ws / "out" / "manifest.json"
    data = json.loads(path.read_text())
    stamp = path.stat().st_mtime_ns
    data["generator"]["version"] = data["settings"]["version"] = "0.0.9"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    os.utime(path, ns=(stamp, stamp))
    assert not same(ws)


def test_pdfs_wanted_now(ws, monkeypatch):
    assert not same(ws, pdf=True)
    monkeypatch.setenv("SOFFICE", str(ws / "no-such-soffice"))  # LibreOffice gone: the default is no PDFs
    assert same(ws, pdf=None)


@pytest.mark.parametrize("change", ["deleted", "longer", "same size, later", "a link", "index gone", "lock"])
def test_the_pack_is_not_as_written(ws, change):
    doc = ws / "out" / "psd" / "psd.docx"
    if change == "deleted":
        doc.unlink()
    elif change == "longer":
        _append(doc, b"x")
    elif change == "same size, later":
        data = bytearray(doc.read_bytes())
        data[-1] ^= 1
        doc.write_bytes(bytes(data))
    elif change == "a link":
        target = ws / "elsewhere.docx"
        shutil.copy2(doc, target)
        doc.unlink()
        doc.symlink_to(target)
    elif change == "index gone":
        (ws / "out" / "index.html").unlink()
    else:
        (ws / ".out.agreement-builder-lock").write_text("{}")
    assert not same(ws)


def test_a_failed_agreement_is_tried_again(ws):
    path = ws / "out" / "manifest.json"
    data = json.loads(path.read_text())
    stamp = path.stat().st_mtime_ns
    data["ready"], data["stale"] = False, ["psd"]
    path.write_text(json.dumps(data))
    os.utime(path, ns=(stamp, stamp))
    assert not same(ws)


def test_no_pack_or_a_damaged_manifest(ws):
    (ws / "out" / "manifest.json").write_text("{not json")
    assert not same(ws)
    shutil.rmtree(ws / "out")
    assert not same(ws)


def _backdate(out: Path) -> None:
    old = (out / "manifest.json").stat().st_mtime_ns - 10**9
    for path in out.rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            os.utime(path, ns=(old, old))
