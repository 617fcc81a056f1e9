"""The scripted template edits (tools/template_edits/) are idempotent and state what the shipped files say."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from agreement_builder.template_text import show_template
from tests.conftest import ROOT
from tests.word_edits import WordFile, w

SCRIPT = ROOT / "tools" / "template_edits" / "issue13.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT)


def test_the_shipped_templates_read_as_the_script_states():
    result = _run("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("reads as stated") == 5  # and the decision notice: issue16.py


def test_the_script_puts_a_stretch_back_and_a_second_run_changes_nothing(tmp_path):
    for folder in ("templates", "annexes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    umbrella = tmp_path / "templates" / "umbrella.docx"
    f = WordFile(umbrella)  # a paragraph reworded as Word leaves it (runs split), and one removed
    p = f.paragraph("A change of Lead Force may be made only")
    f.retype(p, "A change of Lead Force", "A change of the Lead Force")
    f.split_runs(p)
    f.remove(f.paragraph("The Parties shall consult the recognised trade unions"))
    f.save()
    first = _run("--root", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "templates/umbrella.docx: 2 edits" in first.stdout
    assert umbrella.read_bytes() == (ROOT / "templates" / "umbrella.docx").read_bytes()
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.docx")}
    second = _run("--root", str(tmp_path))
    assert second.stdout.count("reads as stated") == 5
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.docx")} == before


SCRIPT_12B = ROOT / "tools" / "template_edits" / "issue12b.py"


def test_issue12b_outline_levels_are_in_the_shipped_templates_and_a_second_run_changes_nothing(tmp_path):
    check = subprocess.run([sys.executable, str(SCRIPT_12B), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("reads as stated") == 10
    for folder in ("templates", "annexes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    umbrella = tmp_path / "templates" / "umbrella.docx"
    f = WordFile(umbrella)  # a level taken away in Word, as a legal officer might
    ppr = f.paragraph("Recitals").find(w("pPr"))
    ppr.remove(ppr.find(w("outlineLvl")))
    f.save()
    first = subprocess.run([sys.executable, str(SCRIPT_12B), "--root", str(tmp_path)], capture_output=True,
                           text=True, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert "templates/umbrella.docx: 1 edits" in first.stdout
    assert umbrella.read_bytes() == (ROOT / "templates" / "umbrella.docx").read_bytes()
    second = subprocess.run([sys.executable, str(SCRIPT_12B), "--root", str(tmp_path)], capture_output=True,
                            text=True, cwd=ROOT)
    assert second.stdout.count("reads as stated") == 10


SCRIPT_12A = ROOT / "tools" / "template_edits" / "issue12a.py"
ISSUE16 = ROOT / "tools" / "template_edits" / "issue16.py"


def _run_12a(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT_12A), *args], capture_output=True, text=True, cwd=ROOT)


def test_the_shipped_templates_read_as_issue12a_states():
    result = _run_12a("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("reads as stated") == 3


def test_issue12a_makes_the_exempt_part_and_a_second_run_changes_nothing(tmp_path):
    for folder in ("templates", "annexes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "templates" / "decision_notice_exempt.docx").unlink()  # made again from the decision notice
    f = WordFile(tmp_path / "annexes" / "withheld.docx")
    f.retype(f.paragraph("The details of this Service Specification"), "are withheld", "are kept back")
    f.save()
    first = _run_12a("--root", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "annexes/withheld.docx: 1 edits" in first.stdout
    assert "templates/decision_notice_exempt.docx" in first.stdout
    then = subprocess.run([sys.executable, str(ISSUE16), "--root", str(tmp_path)], capture_output=True, text=True)
    assert then.returncode == 0, then.stderr  # the exempt part's body: issue16.py states it
    for name in ("annexes/withheld.docx", "templates/decision_notice_exempt.docx"):
        assert (tmp_path / name).read_bytes() == (ROOT / name).read_bytes(), name
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.docx")}
    second = _run_12a("--root", str(tmp_path))
    assert second.stdout.count("reads as stated") == 3
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.docx")} == before


def test_issue16_templates_read_as_stated_and_a_run_puts_them_back(tmp_path):
    result = subprocess.run([sys.executable, str(ISSUE16), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    report = tmp_path / "templates" / "change_report.docx"
    f = WordFile(report)
    f.remove(f.paragraph("{{ totals_intro }}"))
    f.save()
    first = subprocess.run([sys.executable, str(ISSUE16), "--root", str(tmp_path)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert report.read_bytes() == (ROOT / "templates" / "change_report.docx").read_bytes()
    second = subprocess.run([sys.executable, str(ISSUE16), "--root", str(tmp_path)], capture_output=True, text=True)
    assert second.stdout.count("reads as stated") == 3
    assert report.read_bytes() == (ROOT / "templates" / "change_report.docx").read_bytes()


def test_issue16_turns_the_earlier_notice_into_the_one_a_commissioners_office_writes(tmp_path):
    """From the notice as issue 12a left it (two-column table, "Approved." pre-printed) to the shipped one, once."""
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    earlier = subprocess.run(["git", "show", "f85e30f:templates/decision_notice.docx"], capture_output=True, cwd=ROOT)
    if earlier.returncode != 0:
        pytest.skip("not a git checkout with issue 12a's commit")
    (tmp_path / "templates" / "decision_notice.docx").write_bytes(earlier.stdout)
    first = subprocess.run([sys.executable, str(ISSUE16), "--root", str(tmp_path)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    check = subprocess.run([sys.executable, str(ISSUE16), "--check", "--root", str(tmp_path)], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for name in ("decision_notice.docx", "decision_notice_exempt.docx"):  # the same words as shipped, paragraph by paragraph
        assert template_text(tmp_path / "templates" / name) == template_text(ROOT / "templates" / name), name


def template_text(path) -> str:
    """A template as `templates show` prints it, its file name left out."""
    return show_template(path).replace(str(path), path.name)
