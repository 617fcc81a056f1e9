"""A workspace holds only what its users changed; the shipped files are real files, in the wheel too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from agreement_builder import workspace as ws_module
from agreement_builder.templates import (SHIPPED_ANNEXES, SHIPPED_EXAMPLE, SHIPPED_TEMPLATES, find_templates)
from agreement_builder.workspace import COPIES, copy_template, create_workspace, template_status

from .word_edits import WordFile

ROOT = Path(__file__).resolve().parent.parent


def test_the_example_workspace_and_templates_are_real_files():
    for name in ("parties.yaml", "summit.yaml", "agreements", "templates", "annexes"):
        assert not (ROOT / name).is_symlink(), name
    assert (ROOT / "templates" / "umbrella.docx").read_bytes()[:2] == b"PK"
    assert SHIPPED_TEMPLATES == ROOT / "templates" and SHIPPED_ANNEXES == ROOT / "annexes"  # a checkout
    assert SHIPPED_EXAMPLE == ROOT
    assert not (ROOT / "agreement_builder" / "data").exists()  # one copy only
    tracked = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True).stdout
    assert not [line for line in tracked.splitlines() if line.startswith("120000")]  # no symbolic links in git


def test_init_copies_the_example_but_no_template(tmp_path, run):
    result = run("init", tmp_path / "ws")
    assert result.exit_code == 0 and "templates copy" in result.output
    ws = tmp_path / "ws"
    assert sorted(p.name for p in ws.iterdir()) == ["agreements", "parties.yaml", "summit.yaml"]
    assert (ws / "agreements" / "jps.yaml").read_bytes() == (ROOT / "agreements" / "jps.yaml").read_bytes()
    tset = find_templates(ws / "agreements" / "jps.yaml")
    assert tset.umbrella() == SHIPPED_TEMPLATES / "umbrella.docx"
    status = run("templates", "status", cwd=ws)
    assert status.exit_code == 0 and "templates/umbrella.docx" in status.output.splitlines()[-1]


def test_init_with_templates_copies_and_records_each(tmp_path, run):
    assert run("init", tmp_path / "ws", "--templates").exit_code == 0
    ws = tmp_path / "ws"
    copied = sorted(p.name for p in (ws / "templates").glob("*.docx"))
    assert copied == sorted(p.name for p in SHIPPED_TEMPLATES.glob("*.docx"))
    records = json.loads((ws / "annexes" / COPIES).read_text())
    assert set(records) == {p.name for p in SHIPPED_ANNEXES.glob("*.docx")}
    import hashlib

    assert records["withheld.docx"]["sha256"] == hashlib.sha256((SHIPPED_ANNEXES / "withheld.docx").read_bytes()).hexdigest()
    assert run("render", "agreements/jps.yaml", "-o", "jps.docx", cwd=ws).exit_code == 0


def test_templates_copy_never_replaces_and_makes_a_function_annex(tmp_path, run):
    ws = tmp_path
    result = run("templates", "copy", "umbrella", cwd=ws)
    assert result.exit_code == 0 and (ws / "templates" / "umbrella.docx").is_file()
    again = run("templates", "copy", "umbrella", cwd=ws)
    assert again.exit_code == 1 and "not replaced" in again.output
    dogs = run("templates", "copy", "service_specification", "--as", "dogs", cwd=ws)
    assert dogs.exit_code == 0 and (ws / "annexes" / "dogs.docx").is_file()
    unknown = run("templates", "copy", "umbrela", cwd=ws)
    assert unknown.exit_code == 1 and "templates/umbrella.docx" in unknown.output
    escape = run("templates", "copy", "withheld", "--as", "../x", cwd=ws)
    assert escape.exit_code == 1 and not (ws / "x.docx").exists()


def test_status_says_what_changed_on_which_side(tmp_path, monkeypatch, run):
    shipped = tmp_path / "shipped"
    shutil.copytree(SHIPPED_TEMPLATES, shipped / "templates")
    shutil.copytree(SHIPPED_ANNEXES, shipped / "annexes")
    monkeypatch.setattr(ws_module, "SHIPPED_TEMPLATES", shipped / "templates")
    monkeypatch.setattr(ws_module, "SHIPPED_ANNEXES", shipped / "annexes")
    ws = tmp_path / "ws"
    ws.mkdir()
    copy_template("umbrella", ws)
    copy_template("decision_notice", ws)
    copy_template("service_specification", ws, as_name="dogs")
    (ws / "annexes" / "own.docx").write_bytes((SHIPPED_ANNEXES / "withheld.docx").read_bytes())

    statuses = {s.path.name: s for s in template_status(ws)}
    assert not statuses["umbrella.docx"].changed and not statuses["umbrella.docx"].shipped_changed
    assert statuses["dogs.docx"].shipped.name == "service_specification.docx" and not statuses["dogs.docx"].overrides
    assert statuses["own.docx"].shipped is None

    f = WordFile(ws / "templates" / "umbrella.docx")  # the user's edit
    f.retype(f.paragraph("not less than twelve months"), "twelve", "eighteen")
    f.save()
    f = WordFile(shipped / "templates" / "decision_notice.docx")  # a new release's wording fix
    f.retype(f.paragraph("I declare that I have no personal"), "prejudicial interest", "prejudicial or family interest")
    f.save()
    statuses = {s.path.name: s for s in template_status(ws)}
    assert statuses["umbrella.docx"].changed and not statuses["umbrella.docx"].shipped_changed
    assert not statuses["decision_notice.docx"].changed and statuses["decision_notice.docx"].shipped_changed
    assert "the shipped one has changed since" in statuses["decision_notice.docx"].describe()

    result = run("templates", "status", cwd=ws)
    assert result.exit_code == 0
    assert "templates/umbrella.docx: overrides the shipped umbrella.docx; you changed it; the shipped one has not " \
           "changed since" in result.output
    assert "agreement-builder templates diff templates/decision_notice.docx" in result.output


def test_templates_diff_against_the_shipped_template(tmp_path, run):
    copy_template("umbrella", tmp_path)
    target = tmp_path / "templates" / "umbrella.docx"
    assert run("templates", "diff", target).output.endswith("read the same\n")
    f = WordFile(target)
    f.retype(f.paragraph("not less than twelve months"), "twelve", "eighteen")
    f.save()
    result = run("templates", "diff", target)
    assert result.exit_code == 0
    assert result.output.startswith("--- shipped templates/umbrella.docx (agreement-builder ")
    assert [line[:1] for line in result.output.splitlines()[2:] if line[:1] in "+-"] == ["-", "+"]


def test_create_workspace_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "mine.txt").write_text("keep")
    from agreement_builder.errors import OutputError

    with pytest.raises(OutputError):
        create_workspace(tmp_path / "x")
    assert (tmp_path / "x" / "mine.txt").read_text() == "keep"


def test_an_installed_wheel_carries_the_templates_and_the_example(tmp_path):
    """`pip wheel .`, install it, then `init` and `build` from an empty folder use the wheel's own files."""
    dist, target = tmp_path / "dist", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("agreement_builder-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("agreement_builder/data/templates/umbrella.docx", "agreement_builder/data/annexes/withheld.docx",
                 "agreement_builder/data/example/parties.yaml", "agreement_builder/data/example/agreements/jps.yaml"):
        assert name in names
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target), "AGREEMENT_BUILDER_CACHE": "off"}
    empty = tmp_path / "empty"
    empty.mkdir()

    def ab(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "agreement_builder", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=600)

    where = subprocess.run([sys.executable, "-c", "import agreement_builder.templates as t; "
                            "print(t.__file__); print(t.SHIPPED_TEMPLATES)"], cwd=empty, env=env,
                           capture_output=True, text=True, check=True).stdout.split()
    assert where[0].startswith(str(target)) and where[1] == str(target / "agreement_builder" / "data" / "templates")
    assert ab("init", "ws", cwd=empty).returncode == 0
    built = ab("build", "--no-pdf", cwd=empty / "ws")
    assert built.returncode == 0, built.stdout + built.stderr
    manifest = json.loads((empty / "ws" / "out" / "manifest.json").read_text())
    inputs = {entry["path"] for entry in manifest["inputs"]}
    assert {"shipped:templates/umbrella.docx", "shipped:annexes/service_specification.docx"} <= inputs
    assert (empty / "ws" / "out" / "jps" / "jps.docx").is_file() and (empty / "ws" / "out" / "psd" / "psd.docx").is_file()
