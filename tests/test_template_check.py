"""`templates check`: each finding, made by editing a shipped template as Word leaves it, located as in Word.

Every case copies a shipped template, edits it with tests/word_edits.py (runs split at
edits, rsids, w:ins/w:del, a comments part) and asserts the message, the place a person
finds it in Word, and the hint. Where the product would otherwise go wrong silently, the
test also shows that it does (docxtpl dropping a paragraph), so the check is not idle.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from agreement_builder import template_check
from agreement_builder.errors import InputError
from agreement_builder.template_check import check_template
from agreement_builder.templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES

from .word_edits import WordFile, text_of, w

UMBRELLA = SHIPPED_TEMPLATES / "umbrella.docx"
SPEC = SHIPPED_ANNEXES / "service_specification.docx"


def edited(tmp_path: Path, source: Path, edit, folder: str | None = None) -> Path:
    """Return a copy of `source` in tmp_path/templates|annexes, edited by `edit(WordFile)`."""
    target = tmp_path / (folder or source.parent.name) / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    f = WordFile(target)
    edit(f)
    f.save()
    return target


def findings(path: Path, severity: str = "error") -> list:
    return [i for i in check_template(path).issues if i.severity == severity]


def only(path: Path, severity: str = "error"):
    found = findings(path, severity)
    assert len(found) == 1, [i.format() for i in found]
    return found[0]


# ---------------------------------------------------------------------------- the shipped templates pass


@pytest.mark.parametrize("path", sorted([*SHIPPED_TEMPLATES.glob("*.docx"), *SHIPPED_ANNEXES.glob("*.docx")]),
                         ids=lambda p: p.name)
def test_every_shipped_template_passes(path):
    assert check_template(path).issues == ()


def test_templates_check_command_on_the_example_workspace(run):
    result = run("templates", "check", cwd=Path(__file__).resolve().parent.parent)
    assert result.exit_code == 0, result.output
    count = len([*SHIPPED_TEMPLATES.glob("*.docx"), *SHIPPED_ANNEXES.glob("*.docx")])
    assert result.output.strip().endswith(f"{count} templates checked: 0 errors, 0 warnings")


# ---------------------------------------------------------------------------- review marks


def test_tracked_change_named_with_author_text_place_and_the_word_command(tmp_path):
    def edit(f):
        p = f.paragraph("not less than twelve months")
        f.split_runs(p)
        f.track_replace(p, "twelve", "eighteen", author="Jane Doe")

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place.startswith("section 30 “Withdrawal and Termination”, paragraph 1 “A Party may withdraw")
    assert issue.message == "tracked changes by Jane Doe: “twelve” deleted; “eighteen” inserted"
    assert "Review > Accept > Accept All Changes" in issue.hint


def test_tracked_change_in_the_header(tmp_path):
    def edit(f):
        f.track_replace(f.paragraph("DRAFT", part=f.header()), "DRAFT", "Draft", author="Kim Lee")

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place.startswith("the header, paragraph 2 “Draft – Version")
    assert "by Kim Lee" in issue.message


def test_comment_named_with_author_and_text(tmp_path):
    def edit(f):
        f.comment(f.paragraph("A change of Lead Force may be made only"), "Sam Smith", "Is a variation enough here?")

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.message == "a comment by Sam Smith: “Is a variation enough here?”"
    assert issue.position.place.startswith("section 6 “Lead Force Arrangements”, paragraph 10 “A change of Lead Force may")
    assert "Delete All Comments in Document" in issue.hint


def test_render_refuses_a_template_with_tracked_changes_and_writes_nothing(workspace, run, tmp_path):
    def edit(f):
        f.track_replace(f.paragraph("not less than twelve months"), "twelve", "eighteen")

    edited(workspace, UMBRELLA, edit)
    result = run("render", "agreements/jps.yaml", "-o", tmp_path / "jps.docx", cwd=workspace)
    assert result.exit_code == 1
    assert "templates/umbrella.docx: section 30 “Withdrawal and Termination”" in result.output
    assert "tracked changes by Jane Doe" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "jps.docx").exists()


def test_build_refuses_before_rendering_anything(workspace, run):
    edited(workspace, UMBRELLA, lambda f: f.comment(f.paragraph("A change of Lead Force"), "Sam", "?"))
    result = run("build", "--no-pdf", cwd=workspace)
    assert result.exit_code == 1
    assert "a comment by Sam" in result.output
    assert not (workspace / "out").exists()


# ---------------------------------------------------------------------------- tags


def test_text_beside_a_paragraph_tag(tmp_path):
    def edit(f):
        p = f.paragraph("{{p clauses.lead_force }}")
        f.retype(p, "{{p clauses.lead_force }}", "{{p clauses.lead_force }} See also Appendix 1.")
        f.split_runs(p)

    path = edited(tmp_path, UMBRELLA, edit)
    issue = only(path)
    assert issue.position.place == ("section 6 “Lead Force Arrangements”, paragraph 11 “{{p clauses.lead_force }} "
                                    "See also Appendix 1.”")
    assert "“See also Appendix 1.” would be lost" in issue.message
    assert "paragraph of its own" in issue.hint
    assert not any("See also Appendix 1." in t for t in _render_unchecked(path))  # and so it would


def test_text_beside_a_row_tag(tmp_path):
    def edit(f):
        row = f.paragraph("{%tr for f in forces %}").getparent().getparent()
        row.findall(w("tc"))[1].find(w("p")).append(f._run("Members:"))

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place == "“Membership”, table 1, row 2, cell 1, paragraph 1 “{%tr for f in forces %}”"
    assert "“Members:” would be lost, because a {%tr %} tag replaces its whole row" in issue.message


def _render_unchecked(path: Path) -> list[str]:
    """Return the paragraphs of the umbrella at `path` rendered with the example, skipping the check."""
    from agreement_builder.context import build_context, template_namespace
    from agreement_builder.render import PreparedTemplate
    from agreement_builder.validate import load_agreement

    root = Path(__file__).resolve().parent.parent
    ctx = build_context(load_agreement(root / "agreements" / "jps.yaml"))
    template = PreparedTemplate.prepare(path)
    package = template.new_package()
    template.render_into(package, {**template_namespace(ctx.umbrella), "annexes": ""})
    return [text_of(p) for p in package.xml(template.document).iter(w("p"))]


def test_a_tag_missing_a_brace(tmp_path):
    def edit(f):
        p = f.paragraph("is the Lead Force for the Functions")
        f.retype(p, "{{ lead_force.name }} is", "{{ lead_force.name }. is")
        f.split_runs(p)

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place.startswith("section 6 “Lead Force Arrangements”, paragraph 1 “{{ lead_force.name }. is")
    assert issue.message.startswith("the tag “{{ lead_force.name }.…” is not closed: it must end with }}")


def test_a_tag_missing_its_opening_brace_would_print_as_typed(tmp_path):
    def edit(f):
        p = f.paragraph("is the Lead Force for the Functions")
        f.retype(p, "{{ lead_force.name }} is", "{ lead_force.name }} is")
        f.split_runs(p)

    path = edited(tmp_path, UMBRELLA, edit)
    issue = only(path)
    assert issue.position.place.startswith("section 6 “Lead Force Arrangements”, paragraph 1 “{ lead_force.name }} is")
    assert issue.message.startswith("“}}” closes no tag")
    # without the check, the agreement would say so, braces and all
    assert any(t.startswith("{ lead_force.name }} is the Lead Force") for t in _render_unchecked(path))


def test_an_unbalanced_if_is_located_at_the_if(tmp_path):
    def edit(f):
        f.insert_after(f.paragraph("The {{ terms.deliverer }} shall consult"), "{%p if lead_force.name %}")

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place == "section 6 “Lead Force Arrangements”, paragraph 9 “{%p if lead_force.name %}”"
    assert issue.message == ("“{%p if lead_force.name %}” is never closed: every {% if %} needs an {% endif %} "
                             "after it")
    assert issue.hint.startswith("add {%p endif %} where the if block should end")


def test_a_closing_tag_with_nothing_open(tmp_path):
    issue = only(edited(tmp_path, UMBRELLA, lambda f: f.insert_after(
        f.paragraph("The {{ terms.deliverer }} shall consult"), "{%p endif %}")))
    assert issue.position.place == "section 6 “Lead Force Arrangements”, paragraph 9 “{%p endif %}”"
    assert issue.message == "“{%p endif %}” closes nothing: no {% if %} is open before it"


def test_a_block_closed_by_the_wrong_tag(tmp_path):
    def edit(f):
        p = f.paragraph("{%p endfor %}", nth=0)
        f.retype(p, "{%p endfor %}", "{%p endif %}")

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place == "the title page, paragraph 10 “{%p for p in parties %}”"
    assert issue.message.startswith("“{%p for p in parties %}” is not closed: the next closing tag is “{%p endif %}” "
                                    "(the title page, paragraph 12")


def test_a_plain_if_over_two_paragraphs(tmp_path):
    def edit(f):
        p = f.paragraph("The {{ terms.deliverer }} shall consult")
        f.retype(p, "The {{ terms.deliverer }} shall", "{% if lead_force.name %}The {{ terms.deliverer }} shall")
        q = f.paragraph("{{ words.each_other_party_start }} shall co-operate")
        f.retype(q, "{{ words.each_other_party_start }}", "{% endif %}{{ words.each_other_party_start }}")

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place.startswith("section 6 “Lead Force Arrangements”, paragraph 8 “{% if lead_force.name %}")
    assert "opens in this paragraph but “{% endif %}” is in another" in issue.message
    assert "{%p" in issue.hint


def test_a_name_the_data_lacks_is_located(tmp_path, workspace, run):
    def edit(f):
        p = f.paragraph("is the Lead Force for the Functions")
        f.retype(p, "{{ lead_force.name }} is", "{{ lead_force.nmae }} is")
        f.split_runs(p)

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place.startswith("section 6 “Lead Force Arrangements”, paragraph 1 “{{ lead_force.nmae }}")
    assert issue.message == "`lead_force.nmae` is not provided by the data"
    edited(workspace, UMBRELLA, edit)
    result = run("templates", "check", cwd=workspace)
    assert result.exit_code == 1 and "1 error" in result.output


# ---------------------------------------------------------------------------- what the product relies on


def test_a_missing_style(tmp_path):
    def edit(f):
        style = f.style("ClauseItem")
        style.getparent().remove(style)

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place == "its styles"
    assert issue.message.startswith("the style “Clause Item” is missing")


def test_a_style_that_lost_its_numbering(tmp_path):
    def edit(f):
        ppr = f.style("Clause").find(w("pPr"))
        ppr.remove(ppr.find(w("numPr")))

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.message.startswith("the style “Clause” is not numbered: Word numbers these paragraphs 1.1, 1.2")
    assert "link level 2 of the list of “Heading 1” to the style Clause" in issue.hint


def test_annex_clauses_numbered_in_the_wrong_list(tmp_path):
    def edit(f):
        f.style("AnnexClause").find(w("pPr")).find(w("numPr")).find(w("numId")).set(w("val"), "1")

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.message.startswith("the style “Annex Clause” is not in the same list as “Annex Heading”")


def test_a_section_without_its_place_for_agreement_clauses(tmp_path):
    issue = only(edited(tmp_path, UMBRELLA, lambda f: f.remove(f.paragraph("{{p clauses.finance }}"))))
    assert issue.position.place == "section 12 “Financial Arrangements”, its heading"
    assert "(key `finance`): they would not be printed" in issue.message
    assert "{{p clauses.finance }}" in issue.hint


def test_agreement_clauses_placed_under_another_section(tmp_path):
    def edit(f):
        p = f.paragraph("{{p clauses.finance }}")
        f.remove(p)
        f.paragraph("{{p clauses.governance }}").addprevious(p)

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place.startswith("section 7 “Governance”")
    assert "whose anchor is `governance`: the clauses of `finance` would print in the wrong section" in issue.message


def test_an_extra_section_is_fine(tmp_path):
    def edit(f):
        anchor = f.paragraph("{{p clauses.governing_law }}")
        heading = f.insert_after(anchor, "Counterparts", "Heading1")
        f.insert_after(heading, "This Agreement may be signed in counterparts.", "Clause")

    assert check_template(edited(tmp_path, UMBRELLA, edit)).issues == ()


def test_the_contents_field_missing(tmp_path):
    def edit(f):
        for p in list(f.body.iter(w("p"))):
            if any((i.text or "").startswith(" TOC") for i in p.iter(w("instrText"))):
                f.remove(p)

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place == "“Contents”, its heading"
    assert "References > Table of Contents" in issue.hint


def test_no_place_for_part_b(tmp_path):
    issue = only(edited(tmp_path, UMBRELLA, lambda f: f.remove(f.paragraph("{{p annexes }}"))))
    assert issue.position.place == "“PART B – SERVICE SPECIFICATIONS”, its heading"
    assert issue.message.startswith("there is no place for Part B")


def test_no_signature_block_loop(tmp_path):
    def edit(f):
        p = f.paragraph("{{ p.signed_by }}")
        f.retype(p, "{{ p.signed_by }}", "{{ p.title }}")

    issue = only(edited(tmp_path, UMBRELLA, edit))
    assert issue.position.place == "“Execution”, its heading"
    assert issue.message.startswith("the execution page has no signature block for every party")


def test_an_annex_must_begin_with_its_title(tmp_path):
    def edit(f):
        f.paragraph("Service Specification").find(w("pPr")).find(w("pStyle")).set(w("val"), "BodyText")

    issue = only(edited(tmp_path, SPEC, edit))
    assert issue.position.place.startswith("before the first heading, paragraph 1 “Service Specification")
    assert "(this paragraph is in “Body Text”)" in issue.message


def test_track_changes_left_on_is_a_warning(tmp_path):
    def edit(f):
        from agreement_builder.package import RT_SETTINGS

        settings = f.package.xml(f.package.related(f.document, RT_SETTINGS))
        settings.insert(0, settings.makeelement(w("trackRevisions"), {}))

    path = edited(tmp_path, UMBRELLA, edit)
    assert findings(path) == []
    assert "Track Changes is switched on" in only(path, "warning").message


def test_a_heading_style_without_its_outline_level_is_a_warning(tmp_path):
    def edit(f):
        ppr = f.style("AnnexTitle").find(w("pPr"))
        ppr.remove(ppr.find(w("outlineLvl")))
        f.style("AnnexHeading").find(w("pPr")).find(w("outlineLvl")).set(w("val"), "9")

    path = edited(tmp_path, UMBRELLA, edit)
    assert findings(path) == []
    warnings = [i.message for i in findings(path, "warning")]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("the style “Annex Title” has no outline level, not level 1: its paragraphs are no "
                                  "bookmarks in the PDF")
    assert warnings[1].startswith("the style “Annex Heading” has outline level Body Text, not level 2")


# ---------------------------------------------------------------------------- custom specification fields, annex names


def _custom_field(f):
    f.insert_after(f.paragraph("Purpose"), "The handler ratio is {{ spec.handler_ratio }}.", "AnnexClause")


def test_a_custom_specification_field_is_a_warning_of_the_template(tmp_path):
    issue = only(edited(tmp_path, SPEC, _custom_field), "warning")
    assert "`spec.handler_ratio` is not a standard specification field" in issue.message
    assert check_template(tmp_path / "annexes" / SPEC.name).spec_fields == ("handler_ratio",)


def test_validate_names_each_function_lacking_the_field_at_its_line(workspace, run, tmp_path):
    edited(workspace, SPEC, _custom_field)
    path = workspace / "agreements" / "psd.yaml"
    text = path.read_text()
    result = run("validate", "agreements/psd.yaml", cwd=workspace)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "handler_ratio" in line]
    assert lines, result.output
    first = lines[0]
    location, _, message = first.partition(": error: ")
    file, line, _ = location.rsplit(":", 2)
    assert file == "agreements/psd.yaml"
    assert text.splitlines()[int(line) - 1].strip().startswith("specification:")
    assert "has no specification field `handler_ratio`, which its annex template annexes/service_specification.docx " \
           "prints" in message
    # render refuses with the same located message, before rendering anything
    rendered = run("render", "agreements/psd.yaml", "-o", tmp_path / "psd.docx", cwd=workspace)
    assert rendered.exit_code == 1 and first.split(": error: ")[1] in rendered.output
    assert not (tmp_path / "psd.docx").exists()


def test_an_annex_template_that_matches_no_function(workspace, run):
    (workspace / "annexes").mkdir()
    shutil.copy(SPEC, workspace / "annexes" / "dgos.docx")
    result = run("templates", "check", cwd=workspace)
    assert result.exit_code == 0
    assert "annexes/dgos.docx: warning: matches no function" in result.output
    assert "did you mean `dogs`?" in result.output


# ---------------------------------------------------------------------------- the verdict is kept


def test_a_verdict_is_kept_by_template_bytes(tmp_path, monkeypatch):
    path = edited(tmp_path, UMBRELLA, lambda f: f.remove(f.paragraph("{{p annexes }}")))
    first = check_template(path)
    template_check._verdict.cache_clear()  # forget the process's memory: the verdict comes from disk
    template_check._checked.cache_clear()

    def judged_again(*args):
        raise AssertionError("judged again")

    monkeypatch.setattr(template_check, "_judge", judged_again)
    assert check_template(path) == first
    copy = tmp_path / "elsewhere" / "templates" / "umbrella.docx"
    copy.parent.mkdir(parents=True)
    shutil.copy(path, copy)
    assert [i.position.file for i in check_template(copy).issues] == [str(copy)]  # same bytes, its own name
    f = WordFile(path)
    f.insert_after(f.paragraph("A change of Lead Force"), "A new clause.", "Clause")
    f.save()
    with pytest.raises(AssertionError, match="judged again"):  # new bytes: judged afresh
        check_template(path)


def test_require_sound_templates_raises_every_error_once(tmp_path):
    path = edited(tmp_path, UMBRELLA, lambda f: f.remove(f.paragraph("{{p annexes }}")))
    spec = edited(tmp_path, SPEC, lambda f: f.paragraph("Service Specification").find(w("pPr")).find(
        w("pStyle")).set(w("val"), "BodyText"))
    with pytest.raises(InputError) as raised:
        template_check.require_sound_templates([path, spec, path])
    assert sorted(i.position.file for i in raised.value.issues) == sorted([str(path), str(spec)])


def test_word_opens_the_edited_templates(tmp_path):
    """The helpers make files Word accepts: python-docx opens each edited copy."""
    path = edited(tmp_path, UMBRELLA, lambda f: f.comment(f.paragraph("A change of Lead Force"), "Sam", "?"))
    assert docx.Document(str(path)).paragraphs


def test_text_beside_a_cell_tag(tmp_path):
    def edit(f):
        cell = f.paragraph("{{ f.name }}", nth=1)
        f.retype(cell, "{{ f.name }}", "{%tc for x in forces %} each")

    path = edited(tmp_path, UMBRELLA, edit)
    beside = [i for i in findings(path) if "cell tag" in i.message]
    assert beside and "“each” would be lost, because a {%tc %} tag replaces its whole cell" in beside[0].message
    assert beside[0].position.place.startswith("“Membership”, table 1, row 3, cell 1, paragraph 1")


# ---------------------------------------------------------------------------- reading tags, as a property


from hypothesis import given, strategies as st  # noqa: E402

from agreement_builder.template_rules import read_tags  # noqa: E402
from agreement_builder.template_text import TemplateParagraph, Where  # noqa: E402

_plain = st.text(alphabet="abc .,%#}{\n", max_size=8).filter(
    lambda t: not any(d in t for d in ("{{", "{%", "{#", "}}", "%}", "#}")) and not t.endswith("{")
    and not t.startswith(("}", "%", "#")))
_tag = st.builds(lambda kind, level, body: {"{{": f"{{{{{level}{body}}}}}", "{%": f"{{%{level}{body}%}}"}[kind],
                 st.sampled_from(["{{", "{%"]), st.sampled_from(["", "p ", "tr ", "r "]),
                 st.text(alphabet="abc .|", min_size=1, max_size=6))


def _paragraph(text: str) -> TemplateParagraph:
    from lxml import etree

    return TemplateParagraph(etree.Element("p"), "word/document.xml", Where("", "", "", 1, ""), 0, "Normal", text, text)


@given(st.lists(st.tuples(_plain, _tag), max_size=6), _plain)
def test_well_formed_tags_are_read_exactly(pieces, tail):
    text = "".join(a + b for a, b in pieces) + tail
    problems: list = []
    tags = read_tags(_paragraph(text), problems)
    assert problems == []
    assert [t.raw for t in tags] == [b for _, b in pieces]


@given(st.text(alphabet="{}%# ab", max_size=40))
def test_any_text_is_read_without_failing_and_in_order(text):
    problems: list = []
    tags = read_tags(_paragraph(text), problems)
    gaps, position = [], 0
    for tag in tags:  # in order, without overlap
        start = text.index(tag.raw, position)
        gaps.append(text[position:start])
        position = start + len(tag.raw)
    gaps.append(text[position:])
    if not problems:  # every delimiter belongs to a tag that was read
        assert not any(d in gap for gap in gaps for d in ("{{", "{%", "{#", "}}", "%}", "#}"))


# ---------------------------------------------------------------------------- cross-references by number


def _point_reference_at(f: WordFile, paragraph: str, key: str) -> None:
    """Make the first cross-reference field of the paragraph point at the section `key` (as Word's field edit does)."""
    p = f.paragraph(paragraph)
    instr = next(p.iter(w("instrText")))
    instr.text = f" REF _AB_S_{key} \\r \\h "


def test_a_cross_reference_to_a_section_the_umbrella_lacks(tmp_path):
    issue = only(edited(tmp_path, UMBRELLA, lambda f: _point_reference_at(
        f, "continues until it is terminated in accordance with section", "termnation")))
    assert issue.position.place.startswith("section 4 “Commencement and Duration”, paragraph 1 “This Agreement takes")
    assert issue.message.startswith("a cross-reference to the section `termnation`, which no heading of this "
                                    "template carries")
    assert "References > Cross-reference" in issue.hint


def test_a_cross_reference_from_an_annex_to_no_section_of_part_a(tmp_path):
    issue = only(edited(tmp_path, SPEC, lambda f: _point_reference_at(
        f, "apportioned between the Policing Bodies in accordance with section", "costs")))
    assert "a cross-reference to the section `costs`, which is not a section of Part A" in issue.message


def test_the_composer_refuses_a_reference_it_cannot_number():
    from lxml import etree

    from agreement_builder.compose import fill_section_references
    from agreement_builder.errors import TemplateError

    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = etree.fromstring(
        f'<w:body xmlns:w="{ns}"><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
        '<w:bookmarkStart w:id="1" w:name="_AB_S_scope"/><w:r><w:t>Scope</w:t></w:r><w:bookmarkEnd w:id="1"/></w:p>'
        '<w:p><w:r><w:t xml:space="preserve">see section </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText> REF _AB_S_scope \\r \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>9</w:t></w:r><w:r><w:t>9</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:body>')
    fill_section_references(body)
    assert "".join(t.text for t in body.iter(f"{{{ns}}}t")) == "Scopesee section 1"  # one result, the right number
    body.find(f".//{{{ns}}}instrText").text = " REF _AB_S_audit \\r \\h "
    with pytest.raises(TemplateError, match="section `audit`, which this umbrella template does not contain"):
        fill_section_references(body)
