"""`templates show`, `templates diff` and git's textconv: a template read as text."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agreement_builder.outline import SECTIONS
from agreement_builder.template_text import TemplateText, compare_templates, show_template
from agreement_builder.templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES

from .word_edits import WordFile, w

UMBRELLA = SHIPPED_TEMPLATES / "umbrella.docx"


def copy_of(tmp_path: Path, source: Path = UMBRELLA, name: str | None = None) -> Path:
    target = tmp_path / (name or source.name)
    shutil.copy(source, target)
    return target


def test_show_lists_sections_paragraphs_styles_tags_tables_headers_and_footers():
    text = show_template(UMBRELLA)
    lines = text.splitlines()
    headings = [line for line in lines if line.startswith("[Heading 1] ") and "numbered “" not in line]
    assert [h.split("] ", 1)[1].split(" ⟨")[0] for h in headings] == [title for _, title in SECTIONS]
    assert headings[5] == "[Heading 1] Lead Force Arrangements ⟨bookmark _AB_S_lead_force⟩"
    assert "[Normal] {{p clauses.lead_force }}" in lines
    assert "[Normal] {{p annexes }}" in lines
    assert '[TOC 1] ⟨TOC \\o "1-1" \\h \\z \\u⟩' in lines
    assert "[Unnumbered Heading] ⟨page break before⟩ Contents" in lines
    assert "  row 2, cell 1 | [Table Text] {%tr for f in forces %}" in lines
    assert "[Clause Item] **“Commencement Date”** means {{ agreement.commencement }};" in lines
    assert "[Clause] This Agreement takes effect on {{ agreement.commencement }} and continues until it is terminated " \
           "in accordance with section ⟨REF _AB_S_termination \\r \\h⟩." in lines  # a cross-reference by number
    header = lines[lines.index("=== the header ===") + 1:]
    assert header[:3] == ["[Header] {%p if agreement.is_draft %}",
                          "[Header] **DRAFT – Version {{ agreement.version }} – {{ agreement.date }}**",
                          "[Normal] {%p endif %}"]
    assert ("[Footer] {{ agreement.reference }} · Version {{ agreement.version }} · Page ⟨PAGE⟩ of ⟨NUMPAGES⟩"
            in lines)
    assert "[Clause] numbered “%1.%2” (decimal, level 2)" in lines
    assert text == show_template(UMBRELLA)


@pytest.mark.parametrize("path", sorted([*SHIPPED_TEMPLATES.glob("*.docx"), *SHIPPED_ANNEXES.glob("*.docx")]),
                         ids=lambda p: p.name)
def test_show_ignores_how_word_splits_runs(tmp_path, path):
    copy = copy_of(tmp_path, path)
    f = WordFile(copy)
    for p in list(f.body.iter(w("p"))):
        f.split_runs(p, size=2)
    f.save()
    assert show_template(copy) == show_template(path)


def test_show_marks_tracked_changes_and_comments(tmp_path):
    copy = copy_of(tmp_path)
    f = WordFile(copy)
    p = f.paragraph("not less than twelve months")
    f.track_replace(p, "twelve", "eighteen", author="Jane Doe")
    f.comment(p, "Sam Smith", "Why eighteen?")
    f.save()
    lines = show_template(copy).splitlines()
    changed = next(i for i, line in enumerate(lines) if "«-twelve-»«+eighteen+»" in line)
    assert lines[changed].startswith("[Clause] A Party may withdraw")
    assert lines[changed + 1] == "    ⟨comment by Sam Smith: Why eighteen?⟩"


def test_locations_count_paragraphs_as_word_shows_them():
    text = TemplateText.read(UMBRELLA)
    by_text = {p.text: p for p in text.paragraphs}
    assert str(by_text["{{p clauses.lead_force }}"].where) == \
        "section 6 “Lead Force Arrangements”, paragraph 11 “{{p clauses.lead_force }}”"
    assert str(by_text["Lead Force Arrangements"].where) == "section 6 “Lead Force Arrangements”, its heading"
    assert str(by_text["{{ agreement.title }}"].where) == "the title page, the title"
    member = next(p for p in text.paragraphs if p.text == "{{ f.name }}" and p.in_table)
    assert str(member.where) == "“Membership”, table 1, row 3, cell 1, paragraph 1 “{{ f.name }}”"


def test_templates_show_command(run):
    result = run("templates", "show", UMBRELLA)
    assert result.exit_code == 0
    assert result.output == show_template(UMBRELLA)
    missing = run("templates", "show", "no-such.docx")
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_templates_diff_prints_the_changed_paragraphs(tmp_path, run):
    copy = copy_of(tmp_path)
    f = WordFile(copy)
    f.retype(f.paragraph("not less than twelve months"), "twelve", "eighteen")
    f.save()
    diff = compare_templates(UMBRELLA, copy)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("---", "+++"))]
    assert len(changed) == 2
    assert changed[0].startswith("-[Clause] A Party may withdraw") and "twelve months’" in changed[0]
    assert changed[1].startswith("+[Clause] A Party may withdraw") and "eighteen months’" in changed[1]
    assert compare_templates(UMBRELLA, UMBRELLA) == ""
    result = run("templates", "diff", UMBRELLA, copy)
    assert result.exit_code == 0 and result.output == diff


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_diff_shows_a_changed_template_as_words(tmp_path):
    """The textconv driver of .gitattributes: `git diff` of a reworded template shows the words."""
    repo = tmp_path / "repo"
    (repo / "templates").mkdir(parents=True)
    root = Path(__file__).resolve().parent.parent
    shutil.copy(root / ".gitattributes", repo / ".gitattributes")
    shutil.copy(UMBRELLA, repo / "templates" / "umbrella.docx")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout

    git("init", "-q")
    # the one line of docs/templates.md, with this interpreter standing in for the installed command
    git("config", "diff.agreement-template.textconv", f"{sys.executable} -m agreement_builder templates show")
    git("add", ".")
    git("commit", "-qm", "shipped")
    f = WordFile(repo / "templates" / "umbrella.docx")
    p = f.paragraph("not less than twelve months")
    f.retype(p, "twelve", "eighteen")
    f.split_runs(p)
    f.save()
    words = git("diff", "--word-diff", "templates/umbrella.docx")
    assert "[-twelve-]{+eighteen+}" in words
    assert "Binary files" not in words
    lines = git("diff", "templates/umbrella.docx").splitlines()
    assert sum(1 for line in lines if line.startswith("-[")) == 1
    assert sum(1 for line in lines if line.startswith("+[")) == 1
