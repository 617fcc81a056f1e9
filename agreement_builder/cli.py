"""The command line: a thin layer over the library.

This is the only module that imports click, prints and exits. Library functions raise
`AgreementBuilderError`s; `main` turns them into messages and exit codes (0 ok, 1 invalid
input or failed checks, 2 usage error) and never shows a traceback unless `--debug`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .version import __version__
from .errors import AgreementBuilderError, Issue


class _State:
    debug = False


def _out(text: str, nl: bool = True) -> None:
    """Print to standard output. A pipe closed early (`| head`) ends the command quietly (click
    handles EPIPE); any other failure to write (`>/dev/full`) is a one-line error, not a bug."""
    try:
        click.echo(text, nl=nl)
    except BrokenPipeError:
        raise
    except OSError as exc:
        from .errors import OutputError

        _discard_stdout()
        raise OutputError(f"standard output: cannot write: {exc.strerror or type(exc).__name__}") from None


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that Python's last flush at exit does not fail again."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture it)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


def _echo_issue(issue: Issue) -> None:
    color = "red" if issue.is_error else "yellow"
    head, _, hint = issue.format().partition("\n")
    file_part, _, rest = head.partition(f": {issue.severity}: ")
    _out(f"{file_part}: " + click.style(f"{issue.severity}:", fg=color, bold=True) + f" {rest}")
    if hint:
        _out(click.style(hint, dim=True))


def _write(output: Path, data: bytes, *, inputs=(), force: bool = False) -> None:
    """Write an output file, unless it would replace an input, a workspace file or a final document."""
    from .outputs import check_output
    from .package import atomic_write

    if check_output(output, inputs=inputs, force=force, data=data):
        atomic_write(output, data)
        _out(f"wrote {output}")
    else:
        _out(f"{output}: unchanged")


class _Group(click.Group):
    """Turns library errors into messages and exit codes, for every command in one place."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AgreementBuilderError as exc:
            if _State.debug:
                raise
            for line in exc.format().splitlines():
                click.echo(line, err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, BrokenPipeError):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for --debug
            if _State.debug:
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("this is a bug in agreement-builder; run again with --debug and report the traceback", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="agreement-builder")
@click.option("--debug", is_flag=True, help="Show tracebacks (for reporting bugs).")
def cli(debug: bool) -> None:
    """Section 22A collaboration agreements from YAML: Word documents, change reports, redlines, summit packs."""
    _State.debug = debug


def _workspace_option(f):
    return click.option(
        "--workspace", type=click.Path(file_okay=False, path_type=Path),
        help="The folder that files named inside a file (`previous`, a summit's parties and agreements) "
             "must be in (default: that file's own folder).")(f)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--parties", type=click.Path(path_type=Path), help="Parties file (default: the nearest parties.yaml).")
@click.option("--quiet", "-q", is_flag=True, help="Print problems only.")
@_workspace_option
def validate(files: tuple[Path, ...], parties: Path | None, quiet: bool, workspace: Path | None) -> None:
    """Check agreements, summit and parties files; exit 1 on errors."""
    from .template_check import template_field_issues
    from .validate import check_file

    failed = False
    for path in files:
        issues = check_file(path, parties=parties, workspace=workspace)
        if not any(i.is_error for i in issues):
            issues += template_field_issues(path, parties=parties, workspace=workspace)
        for issue in issues:
            _echo_issue(issue)
        errors = sum(1 for i in issues if i.is_error)
        failed |= errors > 0
        if not errors and not quiet:
            warnings = len(issues)
            _out(f"{path}: ok" + (f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""))
    if failed:
        sys.exit(1)


@cli.command()
@click.option("--kind", type=click.Choice(["agreement", "parties", "summit"]), default="agreement", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to a file instead of standard output.")
def schema(kind: str, output: Path | None) -> None:
    """Print the JSON Schema of an input format (for editors)."""
    from .schema import json_schema

    import json

    text = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
    if output:
        _write(output, text.encode("utf-8"))
    else:
        _out(text, nl=False)


def _template_options(f):
    f = click.option("--annexes", type=click.Path(file_okay=False, path_type=Path), help="Annex template folder.")(f)
    f = click.option("--templates", type=click.Path(file_okay=False, path_type=Path), help="Template folder.")(f)
    f = click.option("--parties", type=click.Path(dir_okay=False, path_type=Path), help="Parties file (default: the nearest parties.yaml).")(f)
    return f


@cli.command()
@click.argument("agreement", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The .docx to write (default: AGREEMENT's name with .docx, in the current folder).")
@click.option("--pdf", is_flag=True, help="Also convert to PDF with LibreOffice (beside the .docx).")
@click.option("--publication", is_flag=True, help="The publication version (s23E): functions with publish: false are withheld.")
@click.option("--force", is_flag=True, help="Replace a final (signed) document at the output path on purpose.")
@_template_options
@_workspace_option
def render(agreement: Path, output: Path | None, pdf: bool, publication: bool, force: bool,
           parties: Path | None, templates: Path | None, annexes: Path | None, workspace: Path | None) -> None:
    """Render one agreement to a Word document (and PDF).

    The output never replaces an input, a workspace's YAML or templates, or (without --force)
    a final document.
    """
    from .outputs import check_output
    from .render import render_agreement
    from .template_check import check_before_render
    from .templates import find_templates
    from .validate import load_agreement

    checked = load_agreement(agreement, parties=parties, workspace=workspace)
    for issue in checked.warnings:
        _echo_issue(issue)
    tset = find_templates(agreement, templates=templates, annexes=annexes)
    check_before_render(checked, tset, publication=publication)
    if output is None:
        output = Path(agreement.stem + ("-publication" if publication else "") + ".docx")
    inputs = [agreement, checked.parties.path, *tset.all_templates()]
    # before the work, so that a wrong -o fails at once (a final document is judged with the bytes, below)
    check_output(output, inputs=inputs, force=True)
    if pdf:
        check_output(output.with_suffix(".pdf"), inputs=inputs, force=force)
    data = render_agreement(checked, templates=tset, publication=publication)
    _write(output, data, inputs=inputs, force=force)
    if pdf:
        from .compose import fill_contents_pages
        from .pdf import convert_to_pdf

        for path in convert_to_pdf([output], output.parent):
            fill_contents_pages(output, path)  # the contents' page numbers, as laid out for the PDF
            _out(f"wrote {path}")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--templates", "with_templates", is_flag=True,
              help="Also copy every shipped template into the workspace, to edit in Word "
                   "(otherwise they come from the installed package; see `templates copy`).")
def init(directory: Path, with_templates: bool) -> None:
    """Create a new workspace with the example alliance and its agreements."""
    from .workspace import create_workspace

    created = create_workspace(directory, templates=with_templates)
    for path in created:
        _out(f"created {path}")
    if not with_templates:
        _out("templates: the shipped ones are used; copy one to edit it in Word with "
             "`agreement-builder templates copy NAME` (e.g. umbrella)")
    _out(f"\nnext: cd {directory} && agreement-builder validate agreements/*.yaml && agreement-builder build")


@cli.group("templates")
def templates_group() -> None:
    """Work with templates."""


@templates_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def templates_check(paths: tuple[Path, ...]) -> None:
    """Check templates against what the product relies on, before any render.

    PATHS: a workspace (its templates/ and annexes/, then the shipped ones), a template
    folder, or .docx files (default: the workspace around the current folder). Each finding
    says where it is in Word and what to do there.
    """
    from .template_check import check_template, check_templates, workspace_agreements
    from .templates import find_templates

    files = [p for p in paths if p.is_file()]
    folders = [p for p in paths if not p.is_file()]
    issues, count = [], 0
    for folder in folders or ([] if files else [Path.cwd()]):
        if not paths:
            tset = find_templates(folder)
        else:
            tset = find_templates(templates=folder / "templates" if (folder / "templates").is_dir() else folder,
                                  annexes=folder / "annexes" if (folder / "annexes").is_dir() else None)
        issues += check_templates(tset, agreements=workspace_agreements(folder))
        count += len(tset.all_templates())
    for path in files:
        issues += check_template(path).issues
        count += 1
    for issue in issues:
        _echo_issue(issue)
    errors = sum(1 for i in issues if i.is_error)
    _out(f"{count} template{'s' if count != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, "
         f"{len(issues) - errors} warning{'s' if len(issues) - errors != 1 else ''}")
    if errors:
        sys.exit(1)


@templates_group.command("show")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def templates_show(path: Path) -> None:
    """Print a template as text: its paragraphs in order with their styles and tags.

    Also a git textconv driver, so that `git diff` shows a changed template as words
    (docs/templates.md, "Reviewing a change").
    """
    from .template_text import show_template

    _out(show_template(path), nl=False)


@templates_group.command("diff")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("other", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def templates_diff(path: Path, other: Path | None) -> None:
    """Show how a workspace's template differs from the shipped one (or from OTHER), paragraph by paragraph."""
    from .version import __version__
    from .template_text import compare_templates
    from .templates import shipped_counterpart
    from .workspace import copied_from

    if other is not None:
        old, new = path, other
    else:
        old = copied_from(path) or shipped_counterpart(path)
        if old is None:
            raise click.UsageError(f"{path} overrides no shipped template: give the template to compare it with")
        new = path
    labels = (f"shipped {old.parent.name}/{old.name} (agreement-builder {__version__})", str(new)) if other is None \
        else None
    _out(compare_templates(old, new, labels=labels) or f"{old} and {new} read the same\n", nl=False)


@templates_group.command("status")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def templates_status(directory: Path | None) -> None:
    """List the templates a workspace holds and whether the shipped ones changed since they were copied."""
    from .version import __version__
    from .templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES
    from .workspace import template_status

    from .loader import display_path

    folder = directory or Path.cwd()
    held = template_status(folder)
    for status in held:
        shown = display_path(status.path)
        _out(f"{shown}: {status.describe()}")
        if status.shipped is not None and (status.shipped_changed or status.changed):
            _out(click.style(f"    see the difference: agreement-builder templates diff {shown}", dim=True))
    overridden = {(s.path.parent.name, s.path.name) for s in held}
    shipped = [f"{d.name}/{p.name}" for d in (SHIPPED_TEMPLATES, SHIPPED_ANNEXES) for p in sorted(d.glob("*.docx"))
               if (d.name, p.name) not in overridden]
    _out(f"from agreement-builder {__version__} ({SHIPPED_TEMPLATES.parent}): " + ", ".join(shipped))


@templates_group.command("copy")
@click.argument("name")
@click.option("--as", "as_name", help="The copy's name: a function id makes an annex that function's own.")
@click.option("--to", "workspace", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The workspace (default: the current folder).")
def templates_copy(name: str, as_name: str | None, workspace: Path | None) -> None:
    """Copy a shipped template into the workspace, to edit it in Word (e.g. umbrella, service_specification)."""
    from .workspace import copy_template

    target = copy_template(name, workspace or Path.cwd(), as_name=as_name)
    _out(f"created {target}")
    _out("edit it in Word, then run `agreement-builder templates check`; "
         "`agreement-builder templates status` tells when the shipped template changes")


@cli.command("diff")
@click.argument("versions", nargs=-1, required=True, metavar="[OLD] NEW", type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "md", "html", "docx"]),
              help="Form of the report (default: from -o's suffix, else text).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option("--force", is_flag=True, help="Replace a final (signed) document at the output path on purpose.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are changes and 0 when there are none, like git diff.")
@click.option("--old-templates", type=click.Path(file_okay=False, path_type=Path),
              help="OLD's template folder, when it differs from NEW's (default: found beside OLD, else --templates).")
@click.option("--old-annexes", type=click.Path(file_okay=False, path_type=Path),
              help="OLD's annex template folder (default: found beside OLD, else --annexes).")
@_template_options
@_workspace_option
def diff(versions: tuple[Path, ...], fmt: str | None, output: Path | None, force: bool, exit_code: bool,
         old_templates: Path | None, old_annexes: Path | None,
         parties: Path | None, templates: Path | None, annexes: Path | None, workspace: Path | None) -> None:
    """What changed from OLD to NEW, citing section and clause numbers as printed in NEW.

    OLD may be left out when NEW names it in `agreement.previous`.
    """
    from .diff import diff_agreements
    from .outputs import check_output
    from .report import format_docx, format_html, format_markdown, format_text
    from .templates import find_templates
    from .validate import load_agreement

    if len(versions) > 2:
        raise click.UsageError("give OLD and NEW, or NEW alone when it names OLD in `previous`")
    new_path = versions[-1]
    new = load_agreement(new_path, parties=parties, workspace=workspace)
    old_path = versions[0] if len(versions) == 2 else new.previous_path()
    if old_path is None:
        raise click.UsageError(f"{new_path} does not name its previous version (`agreement.previous`): "
                               "give OLD as well, as in `agreement-builder diff OLD NEW`")
    old = load_agreement(old_path, parties=parties, workspace=workspace)
    new_set = find_templates(new_path, templates=templates, annexes=annexes)
    old_set = find_templates(old_path, templates=old_templates or templates, annexes=old_annexes or annexes)
    inputs = [new_path, old_path, new.parties.path, old.parties.path, *new_set.all_templates(), *old_set.all_templates()]
    if output is not None:
        check_output(output, inputs=inputs, force=True)  # at once; a final document is judged with the bytes
    changes = diff_agreements(old, new, old_templates=old_set, new_templates=new_set)
    if fmt is None:
        suffix = output.suffix.lower() if output else ""
        fmt = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx"}.get(suffix, "text")
    if fmt == "docx":
        if output is None:
            raise click.UsageError("--format docx writes a Word document: give -o FILE.docx")
        data = format_docx(changes, new_set)
    else:
        color = output is None and sys.stdout.isatty()  # plain [-deleted-]{+inserted+} marks otherwise
        text = {"md": format_markdown, "html": format_html}.get(fmt, lambda c: format_text(c, color=color))(changes)
        data = text.encode("utf-8")
    if output is not None:
        _write(output, data, inputs=inputs, force=force)
    else:
        _out(text, nl=False)
    if exit_code and changes:
        sys.exit(1)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The .docx to write.")
@click.option("--force", is_flag=True, help="Replace a final (signed) document at the output path on purpose.")
@click.option("--author", default="agreement-builder", show_default=True, help="Author of the revisions.")
@click.option("--date", "when", help="Date of the revisions (YYYY-MM-DD; default: NEW's date, so output is reproducible).")
@_template_options
@_workspace_option
def redline(old: Path, new: Path, output: Path, force: bool, author: str, when: str | None,
            parties: Path | None, templates: Path | None, annexes: Path | None, workspace: Path | None) -> None:
    """Word document with tracked changes: accept all = NEW, reject all = OLD.

    OLD and NEW are agreement .yaml files (rendered first) or .docx files. Anything that could
    not be shown as a revision is printed as a warning (on stderr) and recorded in the output's
    custom property "Redline not compared".
    """
    from .outputs import check_output
    from .redline import compare

    inputs: list[Path] = [old, new]
    check_output(output, inputs=inputs, force=True)  # at once; a final document is judged with the bytes
    sources = [_docx_source(p, parties, templates, annexes, workspace, inputs) for p in (old, new)]
    result = compare(sources[0], sources[1], author=author, date=when, old_label=str(old), new_label=str(new))
    _write(output, result.data, inputs=inputs, force=force)
    for warning in result.warnings:
        click.echo(f"{output}: " + click.style("warning:", fg="yellow", bold=True) + f" {warning}", err=True)


@cli.command()
@click.argument("versions", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="[OLD] NEW")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The .docx to write (default: NEW's name with -variation.docx, in the current folder).")
@click.option("--pdf", is_flag=True, help="Also convert to PDF with LibreOffice (beside the .docx).")
@click.option("--force", is_flag=True, help="Replace a final (signed) document at the output path on purpose.")
@_template_options
@_workspace_option
def vary(versions: tuple[Path, ...], output: Path | None, pdf: bool, force: bool,
         parties: Path | None, templates: Path | None, annexes: Path | None, workspace: Path | None) -> None:
    """An agreement of variation of a signed OLD into NEW, its amendments in UK drafting forms.

    OLD may be left out when NEW names it in `agreement.previous`; OLD must be final (signed).
    Its Schedules set out each Service Specification substituted or inserted, and the
    Principal Agreement as varied (NEW in full) as a conformed copy.
    """
    from .outputs import check_output
    from .template_check import check_before_render
    from .templates import find_templates
    from .validate import load_agreement
    from .vary import check_variable, draft_variation

    if len(versions) > 2:
        raise click.UsageError("give OLD and NEW, or NEW alone when it names OLD in `previous`")
    new_path = versions[-1]
    new = load_agreement(new_path, parties=parties, workspace=workspace)
    old_path = versions[0] if len(versions) == 2 else new.previous_path()
    if old_path is None:
        raise click.UsageError(f"{new_path} does not name its previous version (`agreement.previous`): "
                               "give OLD as well, as in `agreement-builder vary OLD NEW`")
    old = load_agreement(old_path, parties=parties, workspace=workspace)
    check_variable(old, new)
    tset = find_templates(new_path, templates=templates, annexes=annexes)
    old_set = find_templates(old_path, templates=templates, annexes=annexes)
    check_before_render(new, tset)
    check_before_render(old, old_set)
    if output is None:
        output = Path(new_path.stem + "-variation.docx")
    inputs = [new_path, old_path, new.parties.path, old.parties.path, *tset.all_templates(), *old_set.all_templates()]
    check_output(output, inputs=inputs, force=True)  # at once; a final document is judged with the bytes
    if pdf:
        check_output(output.with_suffix(".pdf"), inputs=inputs, force=force)
    result = draft_variation(old, new, templates=tset, old_templates=old_set)
    _write(output, result.data, inputs=inputs, force=force)
    if pdf:
        from .pdf import convert_to_pdf

        for path in convert_to_pdf([output], output.parent):
            _out(f"wrote {path}")


def _docx_source(path: Path, parties: Path | None, templates: Path | None, annexes: Path | None,
                 workspace: Path | None, inputs: list[Path]):
    """Return a .docx path as it is, or an agreement rendered to .docx bytes (its files added to `inputs`)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        from .render import render_agreement
        from .templates import find_templates
        from .validate import load_agreement

        checked = load_agreement(path, parties=parties, workspace=workspace)
        tset = find_templates(path, templates=templates, annexes=annexes)
        inputs += [checked.parties.path, *tset.all_templates()]
        return render_agreement(checked, templates=tset)
    return path


@cli.command()
@click.argument("reviewed", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("agreement", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--write", "mode", flag_value="write", help="Edit the agreement in place (atomically), keeping its comments and layout.")
@click.option("--diff", "mode", flag_value="diff", help="Print the YAML's changes as a unified diff; write nothing.")
@_template_options
@_workspace_option
def absorb(reviewed: Path, agreement: Path | None, mode: str | None, parties: Path | None, templates: Path | None,
           annexes: Path | None, workspace: Path | None) -> None:
    """A reviewer's Word edits (tracked or not) back into the agreement's YAML.

    AGREEMENT defaults to the one the document records it was rendered from. Each change is
    reported with where it was (clause, who, when) and where it went (FILE:LINE); computed
    figures and standard wording are reported, never written. Without --write nothing is written.
    """
    import difflib

    from .absorb import absorb as absorb_document
    from .absorb import refuse_signed
    from .yaml_edit import write

    result = absorb_document(reviewed, agreement, label=str(reviewed), parties=parties, templates=templates,
                             annexes=annexes, workspace=workspace)
    absorbed, others = result.absorbed, result.not_absorbed
    _out(f"{reviewed}: {len(result.changes)} change{'s' if len(result.changes) != 1 else ''} against "
         f"{result.label} ({result.tracked} tracked): {len(absorbed)} absorbed, {len(others)} not absorbed")
    for change in absorbed:
        _out(f"  absorbed: {change.where}{_by(change)} -> {change.field} at {change.target}")
        _echo_texts(change)
        if change.reason:
            _out(f"      {change.reason}")
    kinds = {"computed": "computed figure", "template": "standard wording", "not absorbed": "not absorbed"}
    for change in others:
        _out(f"  {kinds.get(change.status, change.status)}: {change.where}{_by(change)}"
             + (f" ({change.field})" if change.field else ""))
        _echo_texts(change)
        _out(f"      {change.reason}" + (f" [{change.target}]" if change.status == "template" else ""))
    for problem in result.problems:
        _out(problem)
    if mode == "diff":
        for file in result.files:
            _out("".join(difflib.unified_diff(file.old_text.splitlines(True), file.new_text.splitlines(True),
                                              f"a/{file.label}", f"b/{file.label}")), nl=False)
    if result.problems:
        _out(f"{result.label}: not changed: the absorbed changes would make it invalid (above)")
        sys.exit(1)
    if mode == "write":
        refuse_signed(result)
    for file in result.files:
        if mode == "write":
            if file.new_text != file.old_text:
                write(file.path, file.new_text)
                _out(f"wrote {file.label}")
            else:
                _out(f"{file.label}: unchanged")
        elif mode is None and file.new_text != file.old_text:
            _out(f"{file.label}: not changed (--diff shows the edits, --write makes them)")


def _by(change) -> str:
    if change.who or change.when:
        return f" ({', '.join(x for x in (change.who, change.when) if x)})"
    return " (untracked)"


def _echo_texts(change) -> None:
    if change.before:
        _out(f"      - {_one_line(change.before)}")
    if change.after:
        _out(f"      + {_one_line(change.after)}")


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cli.command()
@click.argument("summit", required=False, default="summit.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="The pack folder: absent, empty, or a pack built from this summit (see docs/pack.md).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Parallel workers (default: the number of CPUs).")
@click.option("--pdf/--no-pdf", default=None, help="Make PDFs with LibreOffice (default: when it is installed).")
@click.option("--force", is_flag=True, help="Rebuild every agreement, and replace a final agreement's documents.")
@click.option("--force-edited", is_flag=True, help="Replace documents changed by hand in the pack since they were written.")
@click.option("--prune", is_flag=True, help="Remove the documents of agreements no longer in the summit.")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path), help="Template folder.")
@click.option("--annexes", type=click.Path(file_okay=False, path_type=Path), help="Annex template folder.")
def build(summit: Path, out_dir: Path, jobs: int | None, pdf: bool | None, force: bool, force_edited: bool,
          prune: bool, templates: Path | None, annexes: Path | None) -> None:
    """Build the whole summit pack: agreements, publication versions, change reports, redlines,
    decision notices, PDFs, manifest.json and index.html.

    A failed build keeps the documents it could not rebuild; see docs/pack.md for what the pack promises."""
    import signal

    from .build import AgreementFailed, build_summit

    options = dict(jobs=jobs, pdf=pdf, force=force, force_edited=force_edited, prune=prune,
                   templates=templates, annexes=annexes)
    out = _Output()

    def terminated(signum, frame):
        raise _Terminated()

    try:
        previous_handler = signal.signal(signal.SIGTERM, terminated)  # stop as for Ctrl-C: workers, LibreOffice, staging
    except ValueError:  # not the main thread: the caller handles signals
        previous_handler = None
    try:
        if sys.stdout.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            # auto_refresh=False: no refresh thread, so the worker processes fork from a single thread
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          auto_refresh=False) as bar:
                task = bar.add_task("reading the summit", total=None)

                def show(event) -> None:
                    bar.update(task, description=event.message, completed=event.done, total=event.total or None)
                    bar.refresh()

                result = build_summit(summit, out_dir, progress=show, **options)
        else:
            def show(event) -> None:
                out.line(f"[{event.done}/{event.total}] {event.message}" if event.total else event.message)

            result = build_summit(summit, out_dir, progress=show, **options)
    except _Terminated:
        click.echo("terminated", err=True)
        sys.exit(143)
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    for issue in result.warnings:
        out.issue(issue)
    for notice in result.notices:
        out.line(notice)
    if result.replaced:
        count = len(result.outputs) + (1 if result.finance and result.finance.get("state") != "kept" else 0)
        stale = f", {len(result.stale)} out of date (kept from before)" if result.stale else ""
        out.line(f"{out_dir}: {count} files; {len(result.built)} agreement(s) built, {len(result.reused)} unchanged"
                 + stale + (", PDFs made" if result.pdf else ", no PDFs") + f"; see {out_dir / 'index.html'}")
    if _State.debug:
        for failure in result.failures:
            if isinstance(failure, AgreementFailed) and failure.detail:
                click.echo(failure.detail, err=True)
    result.raise_for_failures()


class _Terminated(BaseException):
    """SIGTERM during a build: unwinds like Ctrl-C, so workers, LibreOffice and the staging folder go."""


class _Output:
    """Standard output that cannot stop a build: once it fails (`build | head` closing the pipe, a
    full disk behind `>`), later lines are dropped and the build goes on; its outcome is still
    the exit status and the errors on standard error."""

    closed = False

    def line(self, text: str) -> None:
        self._write(lambda: click.echo(text))

    def issue(self, issue: Issue) -> None:
        self._write(lambda: _echo_issue(issue))

    def _write(self, echo) -> None:
        if self.closed:
            return
        try:
            echo()
            sys.stdout.flush()
        except (OSError, AgreementBuilderError):  # BrokenPipeError, or _out's error for any other failure
            self.closed = True
            _discard_stdout()


def main(argv: list[str] | None = None) -> None:
    """Run the command line through click (start.main, the console script, hands over all it does not answer)."""
    cli.main(args=argv, prog_name="agreement-builder")
