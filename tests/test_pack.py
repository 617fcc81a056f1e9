"""The pack is a ledger: what a build keeps, refuses, carries over and never touches (docs/pack.md).

Faults are injected: a fake LibreOffice on $SOFFICE (tests/fake_soffice.py), writes patched to
fail with ENOSPC or EACCES, folders that are not the pack's. Every build here is --no-pdf or
uses the fake LibreOffice, so the tests stay fast.
"""

from __future__ import annotations

import errno
import fcntl
import html.parser
import json
import os
import shutil
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf
import pytest

from .conftest import replace_once
from .pack_helpers import debris, entry, files_in, install_fake_soffice, manifest, sha, snapshot

PSD = "agreements/psd.yaml"


def edit(workspace: Path, rel: str, old: str, new: str) -> None:
    path = workspace / rel
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


def documents_of(out: Path, folder: str) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(out).items() if name.startswith(folder + "/")}


def one_line_error(output: str) -> str:
    lines = [ln for ln in output.splitlines() if "error:" in ln]
    assert len(lines) == 1, output
    assert "internal error" not in output and "Traceback" not in output, output
    return lines[0]


# ---------------------------------------------------------------------------- 1. a failed build keeps documents


def test_a_broken_agreement_keeps_its_previous_documents_marked_stale(workspace, run):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    out = workspace / "out"
    before = documents_of(out, "psd")
    edit(workspace, PSD, 'version: "2.0"', 'version: "2.1"\n  version: "2.2"')  # a duplicate key: a YAML error

    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 1
    assert "agreements/psd.yaml:" in result.output
    assert documents_of(out, "psd") == before, "the failed agreement's documents are kept, byte for byte"
    psd = entry(out, "psd")
    assert psd["state"] == "failed" and psd["stale"] and psd["error"].startswith("agreements/psd.yaml:")
    assert psd["version"] == "2.0", "the entry describes the documents kept, not the broken input"
    assert sorted(psd["documents"]) == sorted(before)
    m = manifest(out)
    assert m["ready"] is False and m["stale"] == ["psd"]
    for o in m["outputs"]:
        assert sha(out / o["path"]) == o["sha256"]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Out of date: this build failed; the documents below are the previous build" in page
    assert "Not ready: 1 of 2 agreements are out of date" in page
    assert debris(workspace) == []

    edit(workspace, PSD, 'version: "2.1"\n  version: "2.2"', 'version: "2.1"')
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert entry(out, "psd")["state"] == "built" and manifest(out)["ready"] is True
    assert "Out of date" not in (out / "index.html").read_text(encoding="utf-8")


def test_a_broken_template_keeps_every_previous_document(workspace, run):
    """The templates check runs before anything is rendered: the pack is left exactly as it was."""
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")
    (workspace / "templates").mkdir()
    (workspace / "templates" / "umbrella.docx").write_bytes(b"PK\x03\x04 not really a zip")
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 1
    assert "umbrella.docx" in result.output and "internal error" not in result.output
    assert snapshot(workspace / "out") == before
    assert debris(workspace) == []


@pytest.mark.parametrize("mode, words", [
    ("fail", "LibreOffice failed converting to PDF: Error: source file could not be loaded"),
    ("garbage", "is not a readable PDF"),
    ("missing", "LibreOffice did not write"),
])
def test_libreoffice_failing_keeps_the_previous_documents(workspace, run, monkeypatch, tmp_path, mode, words):
    install_fake_soffice(tmp_path, monkeypatch, "ok")
    assert run("build", "--pdf", cwd=workspace).exit_code == 0
    out = workspace / "out"
    before = snapshot(out)
    assert "psd/psd.pdf" in before
    edit(workspace, PSD, 'version: "2.0"', 'version: "2.1"')
    monkeypatch.setenv("FAKE_SOFFICE_MODE", mode)

    result = run("build", "--pdf", cwd=workspace)
    assert result.exit_code == 1
    assert words in result.output and "agreements/psd.yaml" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert documents_of(out, "psd") == documents_of_snapshot(before, "psd")
    assert documents_of(out, "jps") == documents_of_snapshot(before, "jps"), "jps was unchanged, reused"
    assert entry(out, "psd")["state"] == "failed" and entry(out, "psd")["version"] == "2.0"
    assert debris(workspace) == []


def documents_of_snapshot(snap: dict[str, bytes], folder: str) -> dict[str, bytes]:
    return {k: v for k, v in snap.items() if k.startswith(folder + "/")}


def test_libreoffice_timing_out_is_stopped_and_the_previous_documents_kept(workspace, run, monkeypatch, tmp_path):
    from agreement_builder import pdf

    install_fake_soffice(tmp_path, monkeypatch, "ok")
    assert run("build", "--pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")
    edit(workspace, PSD, 'version: "2.0"', 'version: "2.1"')
    pids = install_fake_soffice(tmp_path, monkeypatch, "hang")
    pids.unlink(missing_ok=True)
    monkeypatch.setattr(pdf, "DEFAULT_TIMEOUT", 1.0)
    monkeypatch.setattr(pdf, "PER_FILE_TIMEOUT", 0.0)

    result = run("build", "--pdf", cwd=workspace)
    assert result.exit_code == 1
    assert "did not finish converting" in result.output and "it was stopped" in result.output
    assert snapshot(workspace / "out") != before  # the manifest says psd is stale ...
    assert documents_of(workspace / "out", "psd") == documents_of_snapshot(before, "psd")  # ... its documents stay
    from .pack_helpers import alive

    assert pids.read_text().split(), "the fake LibreOffice ran"
    assert not any(alive(int(p)) for p in pids.read_text().split()), "the stuck LibreOffice was killed"


@pytest.mark.parametrize("code, reason", [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied")])
def test_a_failed_write_in_a_worker_leaves_the_previous_pack_whole(workspace, run, monkeypatch, code, reason):
    from agreement_builder import documents

    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")
    edit(workspace, PSD, 'version: "2.0"', 'version: "2.1"')
    real_open = open

    def failing_open(path, mode="r", *args, **kwargs):
        if "x" in mode and str(path).endswith("psd-publication.docx"):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(documents, "open", failing_open, raising=False)
    result = run("build", "--no-pdf", "--jobs", "1", cwd=workspace)  # one job: the write runs in this process
    assert result.exit_code == 1
    line = one_line_error(result.output)
    assert line == f"error: out/psd/psd-publication.docx: cannot write: {reason}; the pack in out was left as it was"
    assert snapshot(workspace / "out") == before
    assert debris(workspace) == []


@pytest.mark.parametrize("where", ["manifest", "link"])
def test_disk_full_while_assembling_the_pack_leaves_the_previous_pack_whole(workspace, run, monkeypatch, where):
    from agreement_builder import build, pack

    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")
    # jps's previous version is jps's input alone: jps is rebuilt, psd carried over (linked) into the new pack
    edit(workspace, "agreements/jps-2013.yaml", 'version: "2.0"', 'version: "2.0"  # reread')
    if where == "manifest":
        real = Path.write_bytes

        def full(self, data):
            if self.name == "manifest.json":
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
            return real(self, data)

        monkeypatch.setattr(Path, "write_bytes", full)
        shown = "out/manifest.json"
    else:
        def full(source, target, *args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device", str(source), str(target))

        monkeypatch.setattr(pack.os, "link", full)
        monkeypatch.setattr(pack.shutil, "copy2", full)
        shown = "out/psd/"
    result = run("build", "--no-pdf", "--jobs", "1", cwd=workspace)
    assert result.exit_code == 1
    line = one_line_error(result.output)
    assert "No space left on device; the pack in out was left as it was" in line
    assert shown in line and ".agreement-builder-" not in line, "the file is named as the user knows it"
    assert snapshot(workspace / "out") == before
    assert debris(workspace) == []
    del build


def test_an_interruption_between_the_swaps_two_renames_puts_the_old_pack_back(workspace, run, monkeypatch):
    from agreement_builder import pack
    from agreement_builder.build import build_summit

    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")
    edit(workspace, PSD, 'version: "2.0"', 'version: "2.1"')
    real, calls = os.rename, []

    def interrupted(source, target):
        calls.append(target)
        if len(calls) == 2:  # the old pack is aside, the new one not yet in
            raise KeyboardInterrupt
        return real(source, target)

    monkeypatch.setattr(pack.os, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_summit(workspace / "summit.yaml", workspace / "out", pdf=False, jobs=1)
    monkeypatch.undo()
    assert len(calls) == 3, "the old pack was renamed back"
    assert snapshot(workspace / "out") == before
    assert debris(workspace) == []


def test_an_out_folder_that_cannot_be_made_is_one_line(workspace, run):
    result = run("build", "--no-pdf", "--out", "/proc/x", cwd=workspace)
    assert result.exit_code == 1
    line = one_line_error(result.output)
    assert line.startswith("error: /proc/x: ")


# ---------------------------------------------------------------------------- 2. final and hand-edited documents


def test_a_document_edited_by_hand_is_never_overwritten_without_force_edited(workspace, run):
    edit(workspace, PSD, "status: draft", "status: final")
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    out = workspace / "out"
    written = (out / "psd" / "psd.docx").read_bytes()
    (out / "psd" / "psd.docx").write_bytes(written + b"signed copy")  # someone saved over it in the pack
    edited = (out / "psd" / "psd.docx").read_bytes()

    for flags in ([], ["--force"]):
        result = run("build", "--no-pdf", *flags, cwd=workspace)
        assert result.exit_code == 1, flags
        assert "out/psd/psd.docx was changed by hand since agreement-builder wrote it" in result.output
        assert (out / "psd" / "psd.docx").read_bytes() == edited, flags
        psd = entry(out, "psd")
        assert psd["state"] == "kept" and psd["edited"] == ["psd/psd.docx"] and "--force-edited" in psd["kept"]
        listed = next(o for o in manifest(out)["outputs"] if o["path"] == "psd/psd.docx")
        assert listed["sha256"] == sha_bytes(written), "the manifest keeps what the tool wrote"

    result = run("build", "--no-pdf", "--force-edited", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert (out / "psd" / "psd.docx").read_bytes() == written, "inputs unchanged: the same final document"
    assert entry(out, "psd")["edited"] == [] and entry(out, "psd")["state"] == "built"


def test_a_draft_edited_by_hand_is_kept_too(workspace, run):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    notice = workspace / "out" / "jps" / "decision-notice-bedfordshire.docx"
    notice.write_bytes(b"my notes")
    edit(workspace, "agreements/jps.yaml", 'version: "3.0"', 'version: "3.1"')
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 1
    assert notice.read_bytes() == b"my notes"
    assert entry(workspace / "out", "jps")["state"] == "kept"
    assert entry(workspace / "out", "psd")["state"] == "built"


def test_a_final_agreement_is_not_removed_with_its_pdfs_by_a_build_without_them(workspace, run, monkeypatch, tmp_path):
    install_fake_soffice(tmp_path, monkeypatch, "ok")
    edit(workspace, PSD, "status: draft", "status: final")
    assert run("build", "--pdf", cwd=workspace).exit_code == 0
    before = documents_of(workspace / "out", "psd")
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 1
    assert "would remove this document" in result.output
    assert documents_of(workspace / "out", "psd") == before
    result = run("build", "--no-pdf", "--force", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert not any(p.endswith(".pdf") for p in files_in(workspace / "out"))


def test_an_agreement_taken_out_of_the_summit_is_kept_until_prune(workspace, run):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    out = workspace / "out"
    before = documents_of(out, "psd")
    edit(workspace, "summit.yaml", "  - agreements/psd.yaml\n", "")

    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "out/psd: no longer in the summit; its documents are kept (build with --prune to remove them)" in result.output
    assert documents_of(out, "psd") == before
    assert entry(out, "psd")["state"] == "removed" and manifest(out)["ready"] is False
    assert "up to date" in run("build", "--no-pdf", cwd=workspace).output

    result = run("build", "--no-pdf", "--prune", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "out/psd: removed" in result.output
    assert not (out / "psd").exists() and [a["folder"] for a in manifest(out)["agreements"]] == ["jps"]
    assert manifest(out)["ready"] is True


def test_a_final_agreement_is_pruned_only_with_force(workspace, run):
    edit(workspace, PSD, "status: draft", "status: final")
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    edit(workspace, "summit.yaml", "  - agreements/psd.yaml\n", "")
    before = documents_of(workspace / "out", "psd")
    result = run("build", "--no-pdf", "--prune", cwd=workspace)
    assert result.exit_code == 1
    assert "would remove this document" in result.output
    assert documents_of(workspace / "out", "psd") == before
    result = run("build", "--no-pdf", "--prune", "--force", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert not (workspace / "out" / "psd").exists()


def sha_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------- 3. whose folder it is


def test_files_the_tool_did_not_write_are_carried_into_every_new_pack(workspace, run):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    out = workspace / "out"
    (out / "NOTES.txt").write_text("agenda")
    (out / "psd" / "comments.txt").write_text("legal's comments")
    (out / "minutes").mkdir()
    (out / "minutes" / "2016.txt").write_text("minutes")
    os.symlink("NOTES.txt", out / "notes-link")
    edit(workspace, PSD, 'version: "2.0"', 'version: "2.1"')
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert (out / "NOTES.txt").read_text() == "agenda"
    assert (out / "psd" / "comments.txt").read_text() == "legal's comments"
    assert (out / "minutes" / "2016.txt").read_text() == "minutes"
    assert os.readlink(out / "notes-link") == "NOTES.txt"
    listed = {o["path"] for o in manifest(out)["outputs"]}
    assert "NOTES.txt" not in listed and "psd/comments.txt" not in listed, "carried, never adopted"


def test_a_file_of_the_user_where_a_document_would_go_keeps_the_agreement(workspace, run, monkeypatch, tmp_path):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    out = workspace / "out"
    (out / "psd" / "psd.pdf").write_bytes(b"the user's own PDF")
    before = documents_of(out, "psd")
    install_fake_soffice(tmp_path, monkeypatch, "ok")
    result = run("build", "--pdf", cwd=workspace)
    assert result.exit_code == 1
    assert "out/psd/psd.pdf is not agreement-builder's" in result.output
    assert documents_of(out, "psd") == before
    assert (out / "jps" / "jps.pdf").is_file(), "the other agreement got its PDFs"


def test_another_summits_pack_is_never_replaced(workspace, run, tmp_path):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    other = tmp_path / "other"
    shutil.copytree(workspace, other, ignore=shutil.ignore_patterns("out"))
    edit(other, "summit.yaml", "name: Bedfordshire", "name: Another")
    before = snapshot(workspace / "out")
    result = run("build", "--no-pdf", "--out", str(workspace / "out"), cwd=other)
    assert result.exit_code == 1
    assert "holds the pack of another summit" in one_line_error(result.output)
    assert snapshot(workspace / "out") == before


def test_out_star_deletes_nothing_of_the_users(workspace, run):
    for name in ("notes.old-draft", "photos.old-2019", "out.old-1", "x.tmp-1-y"):
        (workspace / name).mkdir()
        (workspace / name / "f.txt").write_text(name)
    result = run("build", "--no-pdf", "--out", "*", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert (workspace / "*" / "manifest.json").is_file()
    for name in ("notes.old-draft", "photos.old-2019", "out.old-1", "x.tmp-1-y"):
        assert (workspace / name / "f.txt").read_text() == name
    assert run("build", "--no-pdf", "--force", "--out", "*", cwd=workspace).exit_code == 0
    assert sorted(p.name for p in workspace.iterdir()) == sorted(
        ["*", "agreements", "parties.yaml", "summit.yaml", "notes.old-draft", "photos.old-2019", "out.old-1", "x.tmp-1-y"])


def test_a_second_build_of_the_same_pack_is_refused_while_one_runs(workspace, run):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")
    lock = workspace / ".out.agreement-builder-lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    os.write(fd, json.dumps({"pid": 4242, "staging": None}).encode())
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        result = run("build", "--no-pdf", "--force", cwd=workspace)
    finally:
        os.close(fd)
    assert result.exit_code == 1
    assert one_line_error(result.output) == "error: out: another build (pid 4242) is writing this pack; wait for it to finish"
    assert snapshot(workspace / "out") == before
    lock.unlink()


def test_the_pack_folder_has_ordinary_permissions(workspace, run):
    old = os.umask(0o022)
    try:
        assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((workspace / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((workspace / "out" / "psd").stat().st_mode) == 0o755
    assert stat.S_IMODE((workspace / "out" / "psd" / "psd.docx").stat().st_mode) == 0o644


# ---------------------------------------------------------------------------- 6. index.html


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        self.hrefs += [value for name, value in attrs if name in ("href", "src")]


def test_index_links_are_relative_files_whatever_the_names(workspace, run):
    hostile = "javascript:alert(document.domain)"
    os.rename(workspace / PSD, workspace / "agreements" / f"{hostile}.yaml")
    edit(workspace, "summit.yaml", "agreements/psd.yaml", f"'agreements/{hostile}.yaml'")
    edit(workspace, f"agreements/{hostile}.yaml", "title: Professional Standards Department",
         'title: "<script>alert(1)</script> & <b>PSD</b>"')
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    page = (workspace / "out" / "index.html").read_text(encoding="utf-8")
    links = _Links()
    links.feed(page)
    assert links.scripts == 0 and "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    listed = {o["path"] for o in manifest(workspace / "out")["outputs"]} | {"manifest.json", "finance.xlsx"}
    targets = set()
    for href in links.hrefs:
        parts = urlsplit(href)
        assert not parts.scheme and not parts.netloc and href.startswith("./"), href
        targets.add(unquote(parts.path)[2:])
        assert (workspace / "out" / unquote(parts.path)).is_file(), href
    assert targets == listed
    assert f"./{'javascript%3Aalert%28document.domain%29'}/" in page


# ---------------------------------------------------------------------------- 7. names


@pytest.mark.parametrize("stem", ["decision-notice-bedfordshire", ".pdf-0", "index.html", "manifest.json", "Manifest.JSON"])
def test_agreement_names_the_pack_uses_itself_are_refused(workspace, run, stem):
    assert run("build", "--no-pdf", cwd=workspace).exit_code == 0
    before = snapshot(workspace / "out")
    shutil.copy(workspace / PSD, workspace / "agreements" / f"{stem}.yaml")
    edit(workspace, "summit.yaml", "  - agreements/psd.yaml\n", f"  - agreements/psd.yaml\n  - 'agreements/{stem}.yaml'\n")
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 1
    line = one_line_error(result.output)
    assert line.startswith("summit.yaml:9:5: error: ") and "cannot name a folder of the pack" in line
    assert snapshot(workspace / "out") == before


def test_agreement_names_differing_only_in_case_are_refused(workspace, run):
    shutil.copy(workspace / PSD, workspace / "agreements" / "PSD.yaml")
    edit(workspace, "summit.yaml", "  - agreements/psd.yaml\n", "  - agreements/psd.yaml\n  - agreements/PSD.yaml\n")
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 1
    assert "summit.yaml:9:5: error: two agreements are called `PSD` (letter case aside)" in result.output
    assert not (workspace / "out").exists()


# ---------------------------------------------------------------------------- 12. reproducible PDFs


def test_pdfs_and_manifest_are_byte_identical_across_builds(workspace, run, monkeypatch, tmp_path):
    """The fake LibreOffice stamps the clock, a random /ID and a checksum, as LibreOffice does."""
    install_fake_soffice(tmp_path, monkeypatch, "ok")
    assert run("build", "--pdf", cwd=workspace).exit_code == 0
    first = snapshot(workspace / "out")
    assert run("build", "--pdf", "--force", cwd=workspace).exit_code == 0
    assert snapshot(workspace / "out") == first
    with pikepdf.open(workspace / "out" / "psd" / "psd.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20160719000000Z" == str(pdf.docinfo["/ModDate"])
        assert "/DocChecksum" not in pdf.trailer and len(pdf.trailer.ID) == 2
    with pikepdf.open(workspace / "out" / "psd" / "decision-notice-bedfordshire.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20160719000000Z", "a notice carries the summit's date"
