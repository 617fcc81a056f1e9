"""Where templates come from (DESIGN.md §2).

Lookup, file by file: the folder given with --templates/--annexes, else `templates/` and
`annexes/` beside the agreement or summit file or in a parent folder, else the defaults
shipped inside the package (so an installed wheel works with no workspace at all). A
workspace may override only the files it wants to change.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

PACKAGE_DATA = Path(__file__).resolve().parent / "data"
SHIPPED_TEMPLATES = PACKAGE_DATA / "templates"
SHIPPED_ANNEXES = PACKAGE_DATA / "annexes"


def _nearest(start: Path, name: str) -> Path | None:
    folder = Path(os.path.abspath(start))
    if folder.is_file() or folder.suffix:
        folder = folder.parent
    for candidate in [folder, *folder.parents]:
        if (candidate / name).is_dir():
            return candidate / name
    return None


@dataclass(frozen=True)
class TemplateSet:
    """The template folders to search, most specific first."""

    template_dirs: tuple[Path, ...]
    annex_dirs: tuple[Path, ...]

    def _find(self, dirs: tuple[Path, ...], name: str, what: str) -> Path:
        for folder in dirs:
            path = folder / name
            if path.is_file():
                return path
        raise InputError.in_file(
            str(dirs[0] / name) if dirs else name, f"the {what} template `{name}` was not found",
            hint="searched: " + ", ".join(str(d) for d in dirs))

    def umbrella(self) -> Path:
        return self._find(self.template_dirs, "umbrella.docx", "umbrella")

    def decision_notice(self) -> Path:
        return self._find(self.template_dirs, "decision_notice.docx", "decision notice")

    def change_report(self) -> Path:
        return self._find(self.template_dirs, "change_report.docx", "change report")

    def annex(self, function_id: str, kind: str) -> Path:
        """Return the annex template for a function: its own, else the generic one for its kind."""
        if kind == "withheld":
            return self._find(self.annex_dirs, "withheld.docx", "withheld annex")
        if kind == "no_specification":
            return self._find(self.annex_dirs, "no_specification.docx", "no-specification annex")
        for folder in self.annex_dirs:
            own = folder / f"{function_id}.docx"
            if own.is_file():
                return own
        return self._find(self.annex_dirs, "service_specification.docx", "service specification")

    def all_templates(self) -> list[Path]:
        """Return every .docx template visible through this set (the first of each name wins)."""
        seen: dict[str, Path] = {}
        for dirs, kind in ((self.template_dirs, "templates"), (self.annex_dirs, "annexes")):
            for folder in dirs:
                for path in sorted(folder.glob("*.docx")):
                    if not path.name.startswith(("~$", ".")):
                        seen.setdefault(f"{kind}/{path.name}", path)
        return [seen[k] for k in sorted(seen)]


def find_templates(near: Path | None = None, *, templates: Path | None = None, annexes: Path | None = None) -> TemplateSet:
    """Return the template set for a file at `near` (DESIGN.md §2 lookup order)."""
    template_dirs: list[Path] = []
    annex_dirs: list[Path] = []
    for given, dirs in ((templates, template_dirs), (annexes, annex_dirs)):
        if given is not None:
            if not Path(given).is_dir():
                raise InputError.in_file(str(given), "the template folder does not exist")
            dirs.append(Path(given))
    if near is not None:
        if templates is None and (found := _nearest(near, "templates")):
            template_dirs.append(found)
        if annexes is None and (found := _nearest(near, "annexes")):
            annex_dirs.append(found)
    template_dirs.append(SHIPPED_TEMPLATES)
    annex_dirs.append(SHIPPED_ANNEXES)
    return TemplateSet(tuple(template_dirs), tuple(annex_dirs))


def file_digest(path: Path) -> str:
    from .inputs import read_input

    return hashlib.sha256(read_input(path)).hexdigest()


# ---------------------------------------------------------------------------- templates check


def template_kind(path: Path) -> str:
    """Return what a template is for, from where it lives and its name."""
    if path.parent.name == "annexes":
        return "annex"
    return {"umbrella.docx": "umbrella", "decision_notice.docx": "decision_notice",
            "change_report.docx": "change_report"}.get(path.name, "other")


def check_templates(tset: TemplateSet) -> list:
    """Return every problem of the visible templates, before any render.

    Jinja syntax errors, and every variable a template uses that the context does not
    provide (with its dotted path), checked against the context of the shipped example
    agreement. A field of `spec` that is not a standard one is a warning: it works only for
    functions whose specification gives it.
    """
    from docxtpl import DocxTemplate
    import jinja2

    from .errors import Issue, Position
    from .render import _ENV, _tags

    contexts = _reference_contexts()
    issues: list[Issue] = []
    for path in tset.all_templates():
        kind = template_kind(path)
        try:
            tpl = DocxTemplate(str(path))
            tpl.init_docx()
            xml = tpl.patch_xml(tpl.get_xml())
            for _, part in tpl.get_headers_footers(tpl.HEADER_URI):
                xml += tpl.patch_xml(tpl.get_part_xml(part))
            for _, part in tpl.get_headers_footers(tpl.FOOTER_URI):
                xml += tpl.patch_xml(tpl.get_part_xml(part))
        except Exception as exc:
            issues.append(Issue(Position(str(path)), f"cannot open the template: {exc}", rule="template"))
            continue
        xml = xml.replace("<w:p ", "\n<w:p ").replace("<w:p>", "\n<w:p>")
        try:
            ast = _ENV.parse(xml)
        except jinja2.TemplateSyntaxError as exc:
            lines = xml.splitlines()
            line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
            found = _tags(line)
            issues.append(Issue(Position(str(path)), f"template syntax error: {exc.message}"
                                + (f" (in {found[0]})" if found else ""), rule="template",
                                hint="every {% if %}/{% for %} needs its end tag; a tag must be typed in one go so that Word keeps it in one piece"))
            continue
        scope = contexts.get(kind)
        if scope is None:
            continue
        problems: list[tuple[str, str]] = []
        _walk(ast, dict(scope), problems)
        tags = _tags(xml)
        for severity, dotted in dict.fromkeys(problems):
            leaf = dotted.rsplit(".", 1)[-1].strip("`")
            tag = next((t for t in tags if leaf in t), "")
            where = f" (in {tag})" if tag else ""
            if severity == "warning":
                issues.append(Issue(Position(str(path)), f"{dotted} is not a standard specification field{where}",
                                    "warning", "template", "every function using this template must give it in its `specification`"))
            else:
                issues.append(Issue(Position(str(path)), f"{dotted} is not provided by the data{where}",
                                    "error", "template", "see docs/templates.md for what each template can use"))
    return issues


class _Any:
    """A value the check cannot know (loop counters, filters' results): anything goes."""


_ANY = _Any()


def _reference_contexts() -> dict[str, dict]:
    from .context import build_context, template_namespace
    from .validate import load_agreement

    example = PACKAGE_DATA / "example" / "agreements" / "jps.yaml"
    checked = load_agreement(example, parties=PACKAGE_DATA / "example" / "parties.yaml")
    ctx = build_context(checked, fingerprint="0" * 64)
    annex = max(ctx.annexes, key=lambda a: len(a.context["apportionment"]["inputs"]))
    common = ctx.common
    body = common["policing_bodies"][0]
    notice = {**common, "body": body, "force": common["forces"][0],
              "contributions": [{"function": "x", "contribution": "£1.00"}], "total_contribution": "£1.00",
              "summit": {"name": "Summit", "date": "19 July 2016"}}
    from .diff import diff_agreements
    from .report import report_context

    previous = load_agreement(PACKAGE_DATA / "example" / "agreements" / "jps-2013.yaml",
                              parties=PACKAGE_DATA / "example" / "parties.yaml")
    report = report_context(diff_agreements(previous, checked))
    return {
        "change_report": template_namespace(report),
        "umbrella": template_namespace({**ctx.umbrella, "annexes": ""}),
        "annex": template_namespace(annex.context),
        "decision_notice": template_namespace(notice),
    }


def _walk(node, scope: dict, problems: list) -> None:
    from jinja2 import nodes

    if isinstance(node, nodes.For):
        iterable = _resolve(node.iter, scope, problems)
        element = iterable[0] if isinstance(iterable, list) and iterable else _ANY
        inner = dict(scope)
        _bind(node.target, element, inner)
        inner["loop"] = _ANY
        for child in node.body + node.else_:
            _walk(child, inner, problems)
        if node.test is not None:
            _walk(node.test, inner, problems)
        return
    if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
        if isinstance(node, nodes.Assign):
            _walk(node.node, scope, problems)
        _bind(node.target, _ANY, scope)
        return
    if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
        _resolve(node, scope, problems)
        return
    if isinstance(node, (nodes.Macro, nodes.CallBlock)):
        return
    for child in node.iter_child_nodes():
        _walk(child, scope, problems)


def _bind(target, value, scope: dict) -> None:
    from jinja2 import nodes

    if isinstance(target, nodes.Name):
        scope[target.name] = value
    elif isinstance(target, nodes.Tuple):
        for item in target.items:
            _bind(item, _ANY, scope)


def _resolve(node, scope: dict, problems: list):
    from jinja2 import nodes

    from .context import Namespace

    if isinstance(node, nodes.Name):
        if node.name in scope:
            return scope[node.name]
        if node.name in ("range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "true", "false", "none"):
            return _ANY
        problems.append(("error", f"`{node.name}`"))
        return _ANY
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        base = _resolve(node.node, scope, problems)
        if isinstance(node, nodes.Getitem):
            if not isinstance(node.arg, nodes.Const):
                _walk(node.arg, scope, problems)
                return _ANY
            key = node.arg.value
        else:
            key = node.attr
        if isinstance(base, Namespace):
            if key in base:
                return base[key]
            severity = "warning" if base._path == "spec" else "error"
            problems.append((severity, f"`{base._path}.{key}`"))
            return _ANY
        if isinstance(base, list) and isinstance(key, int):
            return base[key] if -len(base) <= key < len(base) else _ANY
        return _ANY
    _walk(node, scope, problems)
    return _ANY
