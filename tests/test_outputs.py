"""Inputs are sacred: no `-o` writes over an input, a workspace file or a final document (issue 10, item 4).

Every refusal is checked for its exact message, exit 1, and the untouched bytes of the file it
would have replaced. Write faults are injected by patching the write (EACCES, ENOSPC).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from agreement_builder.outputs import check_output, docx_status, final_documents, same_file
from agreement_builder.templates import SHIPPED_TEMPLATES

INPUT = "an output never replaces an input: choose another output name"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(run, workspace: Path, *args: str) -> str:
    """Run a command that must be refused: exit 1, one error line, no file changed or added."""
    before = snapshot(workspace)
    result = run(*args, cwd=workspace)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert snapshot(workspace) == before
    return result.output.strip()


@pytest.fixture
def final_docx(workspace, run) -> Path:
    """A final agreement rendered into the workspace as psd.docx."""
    path = workspace / "agreements" / "psd.yaml"
    path.write_text(path.read_text().replace("status: draft", "status: final"))
    assert run("render", "agreements/psd.yaml", "-o", "psd.docx", cwd=workspace).exit_code == 0
    path.write_text(path.read_text().replace("status: final", "status: draft"))
    return workspace / "psd.docx"


# ---------------------------------------------------------------------------- inputs


@pytest.mark.parametrize("output", ["agreements/jps.yaml", "./agreements/../agreements/jps.yaml",
                                    "agreements/./jps.yaml"])
def test_render_never_writes_over_its_agreement(workspace, run, output):
    message = refused(run, workspace, "render", "agreements/jps.yaml", "-o", output)
    assert message == f"error: {Path(output)}: this is an input of the command (agreements/jps.yaml); {INPUT}"


def test_links_to_an_input_are_the_input(workspace, run):
    os.link(workspace / "agreements" / "jps.yaml", workspace / "hard.yaml")
    (workspace / "soft.docx").symlink_to(workspace / "agreements" / "jps.yaml")
    assert refused(run, workspace, "render", "agreements/jps.yaml", "-o", "hard.yaml") == (
        f"error: hard.yaml: this is an input of the command (agreements/jps.yaml); {INPUT}")
    assert refused(run, workspace, "render", "agreements/jps.yaml", "-o", "soft.docx") == (
        f"error: soft.docx: this is an input of the command (agreements/jps.yaml); {INPUT}")


def test_render_never_writes_over_the_parties_file(workspace, run):
    assert refused(run, workspace, "render", "agreements/jps.yaml", "-o", "parties.yaml") == (
        f"error: parties.yaml: this is an input of the command (parties.yaml); {INPUT}")


def test_render_never_writes_over_a_template_in_use(workspace, run):
    shutil.copytree(SHIPPED_TEMPLATES, workspace / "templates")
    assert refused(run, workspace, "render", "agreements/jps.yaml", "-o", "templates/umbrella.docx") == (
        f"error: templates/umbrella.docx: this is an input of the command (templates/umbrella.docx); {INPUT}")
    # a template of the workspace that this render does not use is still a template
    assert refused(run, workspace, "render", "agreements/jps.yaml", "-o", "templates/decision_notice.docx",
                   "--templates", str(SHIPPED_TEMPLATES)) == (
        "error: templates/decision_notice.docx: this is a template of the workspace; an output never replaces "
        "one: choose another output name")


def test_no_command_writes_over_a_workspace_yaml_file(workspace, run):
    expected = ("error: summit.yaml: this is a YAML file of the workspace; an output never replaces one: "
                "choose another output name")
    assert refused(run, workspace, "render", "agreements/jps.yaml", "-o", "summit.yaml") == expected
    assert refused(run, workspace, "schema", "-o", "summit.yaml") == expected
    assert refused(run, workspace, "diff", "agreements/jps.yaml", "--format", "md", "-o", "summit.yaml") == expected


def test_diff_never_writes_over_old_or_new(workspace, run):
    for output in ("agreements/jps-2013.yaml", "agreements/jps.yaml"):
        assert refused(run, workspace, "diff", "agreements/jps.yaml", "-o", output) == (
            f"error: {output}: this is an input of the command ({output}); {INPUT}")


def test_redline_never_writes_over_old_or_new(workspace, run, final_docx):
    assert refused(run, workspace, "redline", "agreements/jps-2013.yaml", "agreements/jps.yaml",
                   "-o", "agreements/jps-2013.yaml") == (
        f"error: agreements/jps-2013.yaml: this is an input of the command (agreements/jps-2013.yaml); {INPUT}")
    shutil.copy(final_docx, workspace / "old.docx")
    assert refused(run, workspace, "redline", "old.docx", "psd.docx", "-o", "old.docx") == (
        f"error: old.docx: this is an input of the command (old.docx); {INPUT}")


def test_output_onto_a_folder_or_into_a_missing_one(workspace, run):
    assert refused(run, workspace, "schema", "-o", "agreements") == (
        "error: agreements: this is a folder; give the name of the file to write in it")
    assert refused(run, workspace, "render", "agreements/jps.yaml", "-o", "agreements") == (
        "error: agreements: this is a folder; give the name of the file to write in it")
    assert refused(run, workspace, "schema", "-o", "no/such/x.json") == (
        "error: no/such/x.json: the folder no/such does not exist")


# ---------------------------------------------------------------------------- final documents


FINAL = ("error: psd.docx: this is a final document (its properties say status Final); it is not overwritten "
         "(use --force to replace a signed document on purpose)")


def test_a_final_document_is_not_replaced_by_any_command(workspace, run, final_docx):
    assert docx_status(final_docx) == "Final"
    assert refused(run, workspace, "render", "agreements/psd.yaml", "-o", "psd.docx").endswith(FINAL)
    assert refused(run, workspace, "redline", "agreements/jps-2013.yaml", "agreements/jps.yaml",
                   "-o", "psd.docx") == FINAL
    assert refused(run, workspace, "diff", "agreements/jps.yaml", "--format", "docx", "-o", "psd.docx") == FINAL


def test_force_replaces_a_final_document_on_purpose(workspace, run, final_docx):
    result = run("render", "agreements/psd.yaml", "-o", "psd.docx", "--force", cwd=workspace)
    assert result.exit_code == 0 and "wrote psd.docx" in result.output
    assert docx_status(final_docx) == "Draft"


def test_a_final_agreement_rendered_again_unchanged_needs_no_force(workspace, run, final_docx):
    path = workspace / "agreements" / "psd.yaml"
    path.write_text(path.read_text().replace("status: draft", "status: final"))
    before = final_docx.stat().st_mtime_ns
    result = run("render", "agreements/psd.yaml", "-o", "psd.docx", cwd=workspace)
    assert result.exit_code == 0 and "psd.docx: unchanged" in result.output
    assert final_docx.stat().st_mtime_ns == before


def test_a_file_the_manifest_lists_as_final_is_kept(workspace, run):
    pack = workspace / "out" / "psd"
    pack.mkdir(parents=True)
    (pack / "psd.md").write_text("signed pack copy")
    manifest = {"generator": {"name": "agreement-builder"},
                "agreements": [{"folder": "psd", "status": "Final", "documents": ["psd/psd.md"]}]}
    (workspace / "out" / "manifest.json").write_text(json.dumps(manifest))
    message = refused(run, workspace, "diff", "agreements/jps.yaml", "-o", "out/psd/psd.md")
    assert message == (f"error: out/psd/psd.md: the pack's manifest ({workspace / 'out' / 'manifest.json'}) lists "
                       "this as a final agreement's document; it is not overwritten (use --force to replace a "
                       "signed document on purpose)")
    assert final_documents(manifest) == {"psd/psd.md"}
    assert final_documents({"generator": {"name": "someone else"}, **{k: v for k, v in manifest.items()
                                                                      if k != "generator"}}) == set()


def test_a_document_whose_status_cannot_be_read_is_kept(workspace, run, final_docx, monkeypatch):
    import zipfile

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(zipfile, "ZipFile", denied)
    message = refused(run, workspace, "schema", "-o", "psd.docx")
    assert message == ("error: psd.docx: this may be a final document (it cannot be read to tell: Permission "
                       "denied); it is not overwritten (use --force to replace a signed document on purpose)")


# ---------------------------------------------------------------------------- write faults


@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied"),
                                        (errno.EROFS, "Read-only file system")])
def test_a_failed_write_keeps_the_old_file_and_says_so(workspace, run, monkeypatch, code, words):
    (workspace / "schema.json").write_text("old schema")

    def failing_replace(src, dst):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", failing_replace)
    message = refused(run, workspace, "schema", "-o", "schema.json")
    assert message == f"error: schema.json: cannot write the file: {words}; nothing was changed"
    assert (workspace / "schema.json").read_text() == "old schema"


def test_a_write_failing_half_way_leaves_no_temporary_file(workspace, run, monkeypatch):
    """The disk fills while the temporary file is written: it is removed, the output never appears."""
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    message = refused(run, workspace, "render", "agreements/jps.yaml", "-o", "jps.docx")
    assert message == "error: jps.docx: cannot write the file: No space left on device; nothing was changed"
    assert not list(workspace.glob(".jps.docx.*"))


# ---------------------------------------------------------------------------- the rule itself


def test_same_file_by_name_link_and_inode(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("x")
    os.link(a, tmp_path / "hard.txt")
    (tmp_path / "soft.txt").symlink_to(a)
    (tmp_path / "sub").mkdir()
    assert same_file(a, tmp_path / "sub" / ".." / "a.txt")
    assert same_file(a, tmp_path / "hard.txt") and same_file(a, tmp_path / "soft.txt")
    assert not same_file(a, tmp_path / "other.txt")
    assert same_file(tmp_path / "new.txt", tmp_path / "sub" / ".." / "new.txt")  # not there yet: by name


def test_check_output_allows_a_new_file_and_a_draft(tmp_path):
    assert check_output(tmp_path / "new.docx", inputs=[tmp_path / "a.yaml"]) is True
    (tmp_path / "draft.docx").write_bytes(b"not even a zip")
    assert check_output(tmp_path / "draft.docx") is True
    assert check_output(tmp_path / "draft.docx", data=b"not even a zip") is False


def test_one_rule_says_what_a_final_status_is():
    """`is_final` is the one test: the agreement's `final`, a .docx's `Final`, a manifest's record, any case."""
    from agreement_builder.outputs import is_final

    assert all(is_final(s) for s in ("final", "Final", " FINAL\n"))
    assert not any(is_final(s) for s in ("draft", "Draft", "finalised", "", None, 1))
    manifest = {"generator": {"name": "agreement-builder"},
                "agreements": [{"folder": "a", "status": "FINAL", "documents": ["a/a.docx"]},
                               {"folder": "b", "status": "Draft", "documents": ["b/b.docx"]}]}
    assert final_documents(manifest) == {"a/a.docx"}
