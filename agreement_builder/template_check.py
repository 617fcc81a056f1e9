"""`templates check`: the contract between the Word templates and the code, guarded before any render.

Why: the wording lives in .docx files that legal officers edit in Word, and Word and docxtpl
fail quietly. Tracked changes render as run-together words ("thantwelveeighteen"); a tag with
one brace missing makes docxtpl drop its whole paragraph; text typed beside a `{%p %}` tag
vanishes; an `{% if %}` without its `{% endif %}` is reported by Jinja at the end of the part.
The check finds each of these, and anything the product relies on that is missing (the styles
and numbering of docs/templates.md, the Part A anchors, the contents, the place of Part B,
the execution page's loop), and says where a person finds it in Word (template_text.Where)
and what to do about it there.

It runs by itself (`agreement-builder templates check`) and at the start of `render` and
`build`. A verdict is kept in the template cache (cache.py), found by the template's exact
bytes and the code that judged it, so a render pays for it once per template version.

The rules themselves are in template_rules.py; this module keeps the verdicts and is what
the commands call. It imports little, so a render whose templates were judged before pays
for a file read, a hash and a cache lookup per template, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import cache
from .errors import InputError, Issue, Position
from .templates import SHIPPED_ANNEXES, SHIPPED_EXAMPLE, TemplateSet, template_kind

RULE = "template"


@dataclass(frozen=True)
class Verdict:
    """What the check found in one template, and the custom `spec.` fields an annex template uses."""

    issues: tuple[Issue, ...]
    spec_fields: tuple[str, ...] = ()

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]


def check_template(path: Path, kind: str | None = None) -> Verdict:
    """Return the verdict on one template (kept in the template cache, found by its bytes)."""
    path = Path(path)
    kind = kind or template_kind(path)
    try:
        stat = path.stat()
    except OSError as exc:
        return Verdict((Issue(Position(str(path)), f"cannot read the template: {exc.strerror}", rule=RULE),))
    return _checked(path, kind, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=128)
def _checked(path: Path, kind: str, mtime_ns: int, size: int) -> Verdict:
    """The verdict on `path` while the file is unchanged (a national agreement asks for one annex 30 times)."""
    try:
        blob = path.read_bytes()
    except OSError as exc:
        return Verdict((Issue(Position(str(path)), f"cannot read the template: {exc.strerror}", rule=RULE),))
    key = cache.key(f"check|{kind}|{_judges()}", blob)
    return _relabel(_verdict(key, kind, blob, path.name), path)


@lru_cache(maxsize=128)
def _verdict(key: str, kind: str, blob: bytes, name: str) -> tuple:
    stored = cache.load(key)
    if isinstance(stored, tuple) and len(stored) == 2:
        return stored
    issues, spec_fields = _judge(Path(name), kind, blob)
    entry = (tuple((i.position.line, i.position.column, i.position.place, i.message, i.severity, i.rule, i.hint)
                   for i in issues), spec_fields)
    cache.store(key, entry)
    return entry


def _relabel(entry: tuple, path: Path) -> Verdict:
    issues, spec_fields = entry
    return Verdict(tuple(Issue(Position(str(path), line, column, place), message, severity, rule, hint)
                         for line, column, place, message, severity, rule, hint in issues), tuple(spec_fields))


def _judges() -> str:
    """Return what identifies the code and data a verdict depends on (beyond the template's bytes)."""
    here = Path(__file__).resolve().parent
    files = [here / n for n in ("template_check.py", "template_rules.py", "template_text.py", "template_repair.py",
                                "context.py", "report.py", "diff.py", "models.py")]
    files += [SHIPPED_EXAMPLE / "agreements" / "jps.yaml", SHIPPED_EXAMPLE / "agreements" / "jps-2013.yaml"]
    return ",".join(cache.stamp(str(f)) for f in files)


def _judge(path: Path, kind: str, blob: bytes) -> tuple:
    from .template_rules import judge

    return judge(path, kind, blob)


# ---------------------------------------------------------------------------- entry points


def check_templates(tset: TemplateSet, *, agreements: list | None = None) -> list[Issue]:
    """Return every finding for the visible templates, and for the workspace's own annex templates.

    `agreements` (CheckedAgreements): an annex template named after no function id of any of
    them is a warning, as is a custom specification field a function lacks.
    """
    issues: list[Issue] = []
    for path in tset.all_templates():
        issues += check_template(path).issues
    if agreements:
        ids = {fn.id for checked in agreements for fn in checked.agreement.functions}
        generic = {"service_specification.docx", "no_specification.docx", "withheld.docx"}
        for path in tset.all_templates():
            if path.parent.name == "annexes" and path.name not in generic and path.stem not in ids \
                    and path.parent != SHIPPED_ANNEXES:
                from .validate import did_you_mean

                suggestion = did_you_mean(path.stem, sorted(ids))
                issues.append(Issue(Position(str(path)), f"matches no function: an annex template is used for "
                                    f"the function whose id is its file name (`{path.stem}`)", "warning", RULE,
                                    suggestion or "function ids: " + ", ".join(sorted(ids))))
        for checked in agreements:
            issues += [Issue(i.position, i.message, "warning", i.rule, i.hint)
                       for i in specification_issues(checked, tset)]
    return issues


def specification_issues(checked, tset: TemplateSet, *, publication: bool = False) -> list[Issue]:
    """Return an error for each custom `spec.` field an annex template uses that its function does not give.

    Located at the function's `specification` in the YAML (validate reports it; render refuses
    with it before rendering).
    """
    from .context import annex_kind

    issues = []
    a = checked.agreement
    for index, fn in enumerate(a.functions):
        kind = annex_kind(fn, publication)
        if kind != "specification":
            continue
        path = tset.annex(fn.id, kind)
        verdict = check_template(path, "annex")
        given = set((fn.specification.model_extra or {})) if not isinstance(fn.specification, str) else set()
        missing = [f for f in verdict.spec_fields if f not in given]
        if missing:
            names = ", ".join(f"`{m}`" for m in missing)
            issues.append(Issue(checked.source.key(("functions", index, "specification")),
                                f"function `{fn.id}` ({fn.name}) has no specification field {names}, which its "
                                f"annex template {path.parent.name}/{path.name} prints", "error", RULE,
                                f"add {names} under this function's `specification`, or use an annex template "
                                "without it"))
    return issues


def require_sound_templates(paths) -> None:
    """Raise InputError listing every error of these templates (for the start of render and build)."""
    errors = [i for path in dict.fromkeys(paths) for i in check_template(Path(path)).errors]
    if errors:
        raise InputError(errors)


def check_before_render(checked, tset: TemplateSet, *, publication: bool = False) -> None:
    """Raise InputError when a template this agreement's render uses fails the check, or lacks a field it gives.

    The start of `render`: the umbrella and every annex template the agreement uses, then the
    custom specification fields (located in the agreement's YAML).
    """
    from .context import annex_kind

    a = checked.agreement
    paths = [tset.umbrella(), *(tset.annex(fn.id, annex_kind(fn, publication)) for fn in a.functions)]
    require_sound_templates(paths)
    errors = specification_issues(checked, tset, publication=publication)
    if errors:
        raise InputError(errors)


def template_field_issues(path: Path, *, parties: Path | None = None, workspace: Path | None = None) -> list[Issue]:
    """Return, for `validate`, each custom specification field an annex template prints that a function lacks,
    and each agreement clause that repeats the standard wording of its section (standard_wording.py).

    `path`: an agreement or a summit file (then every agreement it names); anything else, or a
    file with errors of its own, gives nothing here (validate reports those).
    """
    from .loader import load_yaml
    from .templates import find_templates
    from .validate import load_agreement, load_summit

    try:
        data = load_yaml(path).data
        if isinstance(data, dict) and "summit" in data:
            summit = load_summit(path, workspace=workspace)
            paths, parties = list(summit.agreement_paths), summit.parties_path
            workspace = workspace or Path(path).parent
        elif isinstance(data, dict) and "agreement" in data:
            paths = [Path(path)]
        else:
            return []
        from .standard_wording import repeated_wording_issues

        issues: list[Issue] = []
        for agreement in paths:
            checked = load_agreement(agreement, parties=parties, workspace=workspace)
            tset = find_templates(agreement)
            issues += specification_issues(checked, tset)
            if not check_template(tset.umbrella()).errors:
                issues += repeated_wording_issues(checked, tset.umbrella())
        return issues
    except InputError as exc:  # a template that cannot be read or judged: said, not dropped (validate fails)
        return list(exc.issues)


def workspace_agreements(folder: Path) -> list:
    """Return the agreements of the workspace at `folder` that load without error (for the check's warnings)."""
    from .validate import load_agreement

    out = []
    for path in sorted((Path(folder) / "agreements").glob("*.y*ml")):
        try:
            out.append(load_agreement(path))
        except InputError:  # an agreement with errors is validate's to report; templates are judged with the others
            continue
    return out
