"""Clean stops: a real `agreement-builder build` process interrupted, terminated or killed.

Ctrl-C (SIGINT to the whole process group, as a terminal sends it) and SIGTERM stop the
workers and LibreOffice at once and remove the staging folder; `kill -9` of the build takes
its workers and LibreOffice down with it, and the next build cleans what it recorded. A
closed standard output (`build | head -c 10`) does not stop a build.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import replace_once
from .pack_helpers import alive, debris, install_fake_soffice, manifest, processes_in, sha, snapshot

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process checks read /proc")


def start(workspace: Path, *args: str, env: dict | None = None, stdout=subprocess.PIPE) -> subprocess.Popen:
    """Start a build in its own session (so a signal can go to its whole process group, as from a terminal)."""
    return subprocess.Popen([sys.executable, "-m", "agreement_builder", "build", *args], cwd=workspace,
                            stdout=stdout, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
                            start_new_session=True)


def wait_for(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def many_agreements(workspace: Path, n: int = 8) -> None:
    """Make the summit list `n` copies of psd (a build long enough to interrupt mid-render)."""
    text = (workspace / "agreements" / "psd.yaml").read_text(encoding="utf-8")
    lines = []
    for k in range(n):
        (workspace / "agreements" / f"psd{k}.yaml").write_text(text, encoding="utf-8")
        lines.append(f"  - agreements/psd{k}.yaml\n")
    summit = workspace / "summit.yaml"
    summit.write_text(replace_once(summit.read_text(encoding="utf-8"), "  - agreements/psd.yaml\n", "".join(lines)),
                      encoding="utf-8")


def first_build(workspace: Path, *args: str) -> dict[str, bytes]:
    proc = subprocess.run([sys.executable, "-m", "agreement_builder", "build", *args], cwd=workspace,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return snapshot(workspace / "out")


def bump_versions(workspace: Path) -> None:
    for path in (workspace / "agreements").glob("psd*.yaml"):
        path.write_text(replace_once(path.read_text(encoding="utf-8"), 'version: "2.0"', 'version: "2.1"'),
                        encoding="utf-8")


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    pids = install_fake_soffice(folder, monkeypatch, "ok", FAKE_SOFFICE_PROFILES=str(folder / "profiles"))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    return pids, folder / "profiles", temp


@pytest.mark.parametrize("how, code, word", [("ctrl-c", 130, "interrupted"), ("sigterm", 143, "terminated")])
def test_stopping_a_build_during_pdfs_stops_libreoffice_and_removes_staging(workspace, fake_soffice, how, code, word):
    pids, profiles, temp = fake_soffice
    before = first_build(workspace, "--pdf")
    bump_versions(workspace)
    pids.write_text("")
    proc = start(workspace, "--pdf", env={"FAKE_SOFFICE_MODE": "hang"})
    wait_for(lambda: pids.read_text().split(), what="LibreOffice to start")
    started = time.monotonic()
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # a terminal sends it to the whole foreground group
    else:
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 10, "stopped promptly"
    assert proc.returncode == code, err
    assert word in err.decode() and "Traceback" not in err.decode()
    wait_for(lambda: not any(alive(int(p)) for p in pids.read_text().split()), 10, "LibreOffice to be stopped")
    assert snapshot(workspace / "out") == before
    assert debris(workspace) == [], "staging removed, lock released"
    assert not any(Path(p).exists() for p in profiles.read_text().split()), "no LibreOffice profile is left"
    assert list(temp.iterdir()) == []
    assert processes_in(workspace) == []


def test_sigterm_during_rendering_stops_the_workers_at_once(workspace):
    many_agreements(workspace)
    before = first_build(workspace, "--no-pdf", "--jobs", "2")
    bump_versions(workspace)
    proc = start(workspace, "--no-pdf", "--jobs", "2", "--force")
    wait_for(lambda: len(children(proc.pid)) >= 2, what="the workers to start")
    workers = children(proc.pid)
    time.sleep(0.3)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert time.monotonic() - started < 5, "did not wait for the agreements in hand"
    wait_for(lambda: not any(alive(w) for w in workers), 5, "the workers to stop")
    assert snapshot(workspace / "out") == before
    assert debris(workspace) == []


def test_killing_the_build_takes_its_workers_down_and_the_next_build_cleans_up(workspace):
    many_agreements(workspace)
    before = first_build(workspace, "--no-pdf", "--jobs", "2")
    bump_versions(workspace)
    proc = start(workspace, "--no-pdf", "--jobs", "2")
    wait_for(lambda: len(children(proc.pid)) >= 2, what="the workers to start")
    workers = children(proc.pid)
    wait_for(lambda: any(p.name.startswith(".out.agreement-builder-staging-") for p in workspace.iterdir()),
             what="the staging folder")
    proc.kill()
    proc.communicate(timeout=30)
    wait_for(lambda: not any(alive(w) for w in workers), 5, "the workers to die with their parent")
    assert snapshot(workspace / "out") == before, "the previous pack is whole"
    assert processes_in(workspace) == []

    result = subprocess.run([sys.executable, "-m", "agreement_builder", "build", "--no-pdf"], cwd=workspace,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert debris(workspace) == [], "the dead build's staging folder was removed"
    for o in manifest(workspace / "out")["outputs"]:
        assert sha(workspace / "out" / o["path"]) == o["sha256"]


def test_killing_the_build_during_pdfs_takes_libreoffice_down(workspace, fake_soffice):
    pids, profiles, temp = fake_soffice
    first_build(workspace, "--pdf")
    bump_versions(workspace)
    pids.write_text("")
    proc = start(workspace, "--pdf", env={"FAKE_SOFFICE_MODE": "hang"})
    wait_for(lambda: pids.read_text().split(), what="LibreOffice to start")
    proc.kill()
    proc.communicate(timeout=30)
    wait_for(lambda: not any(alive(int(p)) for p in pids.read_text().split()), 10, "LibreOffice to die with the build")
    assert list(temp.iterdir()) == [], "the profile is in the staging folder, not the temporary folder"
    result = subprocess.run([sys.executable, "-m", "agreement_builder", "build", "--pdf"], cwd=workspace,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert debris(workspace) == []
    assert not any(Path(p).exists() for p in profiles.read_text().split())
    assert processes_in(workspace) == []


def test_a_closed_standard_output_does_not_stop_the_build(workspace):
    proc = start(workspace, "--no-pdf")
    head = proc.stdout.read(10)  # `build | head -c 10`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert len(head) == 10
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "internal error" not in err and "BrokenPipe" not in err
    out = workspace / "out"
    for o in manifest(out)["outputs"]:
        assert sha(out / o["path"]) == o["sha256"]
