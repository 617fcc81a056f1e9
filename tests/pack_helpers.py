"""Helpers for the pack tests: reading a pack back, and a fake LibreOffice for fault injection."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in files_in(folder)}


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def entry(out: Path, folder: str) -> dict:
    return next(a for a in manifest(out)["agreements"] if a["folder"] == folder)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def debris(workspace: Path) -> list[str]:
    """Return what the tool left beside the pack: staging, backup or lock (none after any build)."""
    return sorted(p.name for p in workspace.iterdir() if ".agreement-builder-" in p.name)


def install_fake_soffice(folder: Path, monkeypatch, mode: str = "ok", **env: str) -> Path:
    """Put the fake LibreOffice (tests/fake_soffice.py) in `folder` and name it in $SOFFICE; return its pid log."""
    script = folder / "fake-soffice"
    script.write_text(f"#!{sys.executable}\n" + (HERE / "fake_soffice.py").read_text())
    script.chmod(0o755)
    pids = folder / "fake-soffice.pids"
    monkeypatch.setenv("SOFFICE", str(script))
    monkeypatch.setenv("FAKE_SOFFICE_MODE", mode)
    monkeypatch.setenv("FAKE_SOFFICE_PIDS", str(pids))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return pids


def alive(pid: int) -> bool:
    """Return whether a process runs (a zombie does not count)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def processes_in(folder: Path) -> list[int]:
    """Return the running processes whose working folder is `folder` or below (orphans of a build)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if (cwd == str(folder) or cwd.startswith(str(folder) + "/")) and alive(int(entry)):
            found.append(int(entry))
    return found
