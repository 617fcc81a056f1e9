"""Paths named inside a file stay in the workspace, and nothing read is echoed (issue 10, item 5).

`previous`, a summit's `parties` and `agreements` leading out of the workspace are refused at
the key's FILE:LINE:COL, before the file is opened; a file in the workspace that is not YAML (a
binary, a key) is refused without a word of its content in the message.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from agreement_builder.inputs import outside_reason


SECRET = "TOP-SECRET-4f1c9 do not publish"
HINT = ("    hint: keep the files a file names beside it or in subfolders, or widen the workspace with "
        "--workspace DIR")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A secret file outside the workspace (the workspace fixture is tmp_path itself: use a sibling)."""
    folder = tmp_path.parent / (tmp_path.name + "-elsewhere")
    folder.mkdir()
    secret = folder / "id_rsa"
    secret.write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n-----END OPENSSH PRIVATE KEY-----\n")
    return secret


def with_previous(workspace: Path, value: str) -> Path:
    path = workspace / "agreements" / "jps.yaml"
    path.write_text(re.sub(r"(?m)^  previous: .*$", lambda m: f"  previous: {value}", path.read_text(), count=1))
    return path


def previous_line(workspace: Path) -> int:
    text = (workspace / "agreements" / "jps.yaml").read_text()
    return text[: text.index("  previous:")].count("\n") + 1


def expected(workspace: Path, value: str, reason: str) -> str:
    return (f"agreements/jps.yaml:{previous_line(workspace)}:3: error: `previous`: `{value}` is outside the "
            f"workspace (agreements/ and its subfolders): {reason}; it is not read [workspace]")


@pytest.mark.parametrize("command", [["validate", "agreements/jps.yaml"], ["diff", "agreements/jps.yaml"],
                                     ["render", "agreements/jps.yaml", "-o", "x.docx"]])
def test_previous_leading_out_is_refused_at_the_key(workspace, run, outside, command):
    value = os.path.relpath(outside, workspace / "agreements")  # ../../x-outside/id_rsa
    with_previous(workspace, value)
    result = run(*command, cwd=workspace)
    assert result.exit_code == 1
    assert result.output.splitlines() == [expected(workspace, value, "`..` leads out of it"), HINT]
    assert SECRET not in result.output and not (workspace / "x.docx").exists()


def test_etc_passwd_and_absolute_paths(workspace, run):
    with_previous(workspace, "../../../../../../../../etc/passwd")
    result = run("diff", "agreements/jps.yaml", cwd=workspace)
    assert result.exit_code == 1 and "root:" not in result.output
    assert result.output.splitlines()[0] == expected(workspace, "../../../../../../../../etc/passwd",
                                                     "`..` leads out of it")
    with_previous(workspace, "/etc/passwd")
    result = run("validate", "agreements/jps.yaml", cwd=workspace)
    assert result.output.splitlines()[0] == expected(workspace, "/etc/passwd", "it is an absolute path")


def test_a_link_leading_out_is_refused(workspace, run, outside):
    (workspace / "agreements" / "keys").symlink_to(outside.parent, target_is_directory=True)
    with_previous(workspace, "keys/id_rsa")
    result = run("diff", "agreements/jps.yaml", cwd=workspace)
    assert result.exit_code == 1 and SECRET not in result.output
    assert result.output.splitlines()[0] == expected(workspace, "keys/id_rsa", "a link on the way leads out of it")


def test_the_file_outside_is_not_even_looked_at(workspace, outside, monkeypatch):
    """Neither opened nor tested for existence: a probe cannot learn which files exist."""
    from agreement_builder.validate import load_agreement

    looked: list[str] = []
    for name in ("is_file", "exists", "read_bytes", "stat"):
        real = getattr(Path, name)
        monkeypatch.setattr(Path, name, lambda self, *a, _real=real, **k: (
            looked.append(str(self)) if "elsewhere" in str(self) else None) or _real(self, *a, **k))
    with_previous(workspace, os.path.relpath(outside, workspace / "agreements"))
    with pytest.raises(Exception):
        load_agreement(workspace / "agreements" / "jps.yaml")
    assert looked == []


def test_workspace_option_widens_the_workspace(workspace, run, outside):
    archive = workspace / "archive"
    archive.mkdir()
    (workspace / "agreements" / "jps-2013.yaml").rename(archive / "jps-2013.yaml")
    with_previous(workspace, "../archive/jps-2013.yaml")
    assert run("validate", "agreements/jps.yaml", cwd=workspace).exit_code == 1
    result = run("diff", "agreements/jps.yaml", "--workspace", ".", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "Lead force changes from Cambridgeshire Constabulary to Bedfordshire Police" in result.output
    # the widened workspace still ends somewhere
    with_previous(workspace, os.path.relpath(outside, workspace / "agreements"))
    result = run("validate", "agreements/jps.yaml", "--workspace", ".", cwd=workspace)
    assert result.exit_code == 1 and "is outside the workspace (the current folder and its subfolders)" in result.output


def test_a_summit_keeps_its_parties_and_agreements_inside(workspace, run, outside):
    summit = workspace / "summit.yaml"
    text = summit.read_text()
    summit.write_text(text.replace("parties: parties.yaml", f"parties: {outside}")
                      .replace("agreements/psd.yaml", "../../../etc/passwd"))
    result = run("validate", "summit.yaml", cwd=workspace)
    assert result.exit_code == 1 and SECRET not in result.output
    lines = [l for l in result.output.splitlines() if ": error: " in l]
    written = summit.read_text()
    parties_line = written[: written.index("parties:")].count("\n") + 1
    agreement = written.index("../../../etc/passwd")
    agreement_line = written[:agreement].count("\n") + 1
    agreement_col = agreement - written.rfind("\n", 0, agreement)
    assert lines == [
        f"summit.yaml:{parties_line}:1: error: `parties`: `{outside}` is outside the workspace (the current folder "
        "and its subfolders): it is an absolute path; it is not read [workspace]",
        f"summit.yaml:{agreement_line}:{agreement_col}: error: `agreements`: `../../../etc/passwd` is outside the "
        "workspace (the current folder and its subfolders): `..` leads out of it; it is not read [workspace]",
    ]


def test_a_summit_checks_its_agreements_against_its_own_workspace(workspace, run):
    """A summit's agreements may name previous versions anywhere in the summit's workspace."""
    archive = workspace / "archive"
    archive.mkdir()
    (workspace / "agreements" / "jps-2013.yaml").rename(archive / "jps-2013.yaml")
    with_previous(workspace, "../archive/jps-2013.yaml")
    assert run("validate", "summit.yaml", cwd=workspace).exit_code == 0
    assert run("validate", "agreements/jps.yaml", cwd=workspace).exit_code == 1


@pytest.mark.parametrize("content,first_line", [
    (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "agreements/blob:1:8: error: the file is not UTF-8 text: "
                                                         "it contains a NUL byte [yaml]"),
    (f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n-----END OPENSSH PRIVATE KEY-----\n".encode(),
     "agreements/blob:1:1: error: expected a mapping starting with `agreement:` at the top of the file, found text "
     "[format]"),
    (f"root:x:0:0:{SECRET}:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n".encode(),
     "agreements/blob:1:1: error: expected a mapping starting with `agreement:` at the top of the file, found text "
     "[format]"),
    (f"password: {SECRET}\n".encode(), "agreements/blob:1:1: error: `agreement` is missing [format]"),
])
def test_a_previous_that_is_not_an_agreement_is_never_echoed(workspace, run, content, first_line):
    (workspace / "agreements" / "blob").write_bytes(content)
    with_previous(workspace, "blob")
    result = run("diff", "agreements/jps.yaml", cwd=workspace)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == first_line
    assert SECRET not in result.output and "root:" not in result.output


def test_outside_reason_compares_names_and_links(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    (ws / "out").symlink_to(tmp_path, target_is_directory=True)
    file = ws / "a.yaml"
    assert outside_reason(file, "b.yaml", ws) is None
    assert outside_reason(file, "sub/../b.yaml", ws) is None
    assert outside_reason(file, "../ws/b.yaml", ws) is None  # out and back in by name
    assert outside_reason(file, "../b.yaml", ws) == "`..` leads out of it"
    assert outside_reason(file, "out/x.yaml", ws) == "a link on the way leads out of it"
    assert outside_reason(file, str(ws / "b.yaml"), ws) == "it is an absolute path"
