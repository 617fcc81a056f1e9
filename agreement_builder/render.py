"""Render an agreement: annexes and umbrella through docxtpl, then compose and package.

The Jinja environment is sandboxed (a template cannot reach Python internals), strict (a
missing value fails the render, naming the template and the tag) and autoescaping (user text
prints literally). Each annex template is prepared and compiled once per process, however
many functions use it: for a national agreement most of the 30 annexes share the generic one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from docx.opc.pkgwriter import _ContentTypesItem
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .compose import AnnexSource, Composer, finish
from .context import Namespace, build_context, template_namespace, xml_text
from .errors import TemplateError
from .package import write_docx_bytes
from .templates import TemplateSet, find_templates
from .validate import CheckedAgreement


class _Missing(jinja2.StrictUndefined):
    """StrictUndefined that names the dotted path the template asked for."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:  # type: ignore[override]
        obj, name = self._undefined_obj, self._undefined_name
        if isinstance(obj, Namespace):
            return f"`{obj._path}.{name}` is not provided"
        if obj is jinja2.utils.missing:
            return f"`{name}` is not provided"
        return super()._undefined_message


def _finalize(value):
    """Escape plain text ourselves so that docxtpl's post-processing cannot alter it."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(xml_text(value))
    return value


def make_environment() -> SandboxedEnvironment:
    """Return the Jinja environment every template is rendered with."""
    env = SandboxedEnvironment(undefined=_Missing, autoescape=True, finalize=_finalize,
                               keep_trailing_newline=True)
    return env


_ENV = make_environment()


def _tags(xml: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(r"\{[{%].*?[}%]\}", xml, flags=re.DOTALL)]


def template_error(path: Path, exc: Exception, source: str = "") -> TemplateError:
    """Return a TemplateError naming the template file and, where it can be found, the tag."""
    name = str(path)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        tag = ""
        lines = source.splitlines()
        if exc.lineno and 0 < exc.lineno <= len(lines):
            found = _tags(lines[exc.lineno - 1])
            tag = found[0] if found else ""
        return TemplateError(name, f"template syntax error: {exc.message}", tag=tag,
                             hint="every {% if %}/{% for %} needs its {% endif %}/{% endfor %}; tags must not be split by formatting")
    if isinstance(exc, jinja2.UndefinedError):
        message = str(exc.message or exc)
        match = re.search(r"`([^`]+)`", message)
        leaf = match.group(1).rsplit(".", 1)[-1] if match else ""
        tag = next((t for t in _tags(source) if leaf and re.search(rf"\b{re.escape(leaf)}\b", t)), "")
        return TemplateError(name, message, tag=tag,
                             hint="check the spelling against docs/templates.md, or run `agreement-builder templates check`")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return TemplateError(name, f"the template tried something not allowed: {exc}")
    return TemplateError(name, f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class CompiledPart:
    """One XML part of a docxtpl template, patched and compiled once, rendered many times.

    This is docxtpl's `render_xml_part` with the compilation hoisted out of the loop: the same
    patching before, the same clean-up after, so templates behave exactly as under docxtpl.
    """

    path: Path
    docxtpl: DocxTemplate
    source: str
    template: jinja2.Template

    @classmethod
    def compile(cls, path: Path, tpl: DocxTemplate, xml: str) -> "CompiledPart":
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
        try:
            return cls(path, tpl, source, _ENV.from_string(source))
        except jinja2.TemplateSyntaxError as exc:
            raise template_error(path, exc, source) from None

    def render(self, context: dict) -> str:
        """Return the rendered XML; a template problem raises TemplateError naming the tag."""
        try:
            xml = self.template.render(context)
        except Exception as exc:
            raise template_error(self.path, exc, self.source) from None
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return _resolve_listing(self.docxtpl, xml)


def open_template(path: Path) -> DocxTemplate:
    """Return a docxtpl template with its document loaded, or a TemplateError naming the file."""
    tpl = DocxTemplate(str(path))
    try:
        tpl.init_docx()
    except Exception as exc:
        raise TemplateError(str(path), f"cannot open the template: {exc}") from None
    return tpl


@dataclass
class AnnexTemplate:
    """An annex template, prepared once: its compiled body and what the composer needs."""

    path: Path
    body: CompiledPart
    source: AnnexSource

    def render_body(self, context: dict) -> str:
        """Return the rendered body XML."""
        return self.body.render(context)


_LISTING_CHARS = re.compile("[\t\n\a\f]")


def _resolve_listing(tpl: DocxTemplate, xml: str) -> str:
    """docxtpl's pass turning tabs and line breaks in text into Word's own, only when there are any.

    It is a regular-expression walk over every paragraph; most renders have nothing for it.
    """
    if _LISTING_CHARS.search(xml) is None:
        return xml
    return DocxTemplate.resolve_listing(tpl, xml)


def _fast_umbrella(tpl: DocxTemplate) -> None:
    """Skip docxtpl passes that this template does not need (they dominate at national scale).

    `fix_tables` repairs column loops (`{%tc %}`) and parses with a parser of its own, which
    makes swapping the body into the document slow; without column loops, parse with
    python-docx's own parser instead.
    """
    from docx.oxml.parser import parse_xml

    tpl.resolve_listing = lambda xml: _resolve_listing(tpl, xml)
    if "{%tc" not in tpl.get_xml() and "{%-tc" not in tpl.get_xml():
        tpl.fix_tables = lambda xml: parse_xml(xml.encode("utf-8") if isinstance(xml, str) else xml)
        tpl.fix_docpr_ids = lambda tree: None  # compose.finish numbers drawings itself


@lru_cache(maxsize=64)
def _annex_template(path: Path, mtime_ns: int, size: int) -> AnnexTemplate:
    tpl = open_template(path)
    body = CompiledPart.compile(path, tpl, tpl.get_xml())
    return AnnexTemplate(path, body, AnnexSource.from_document(path, tpl.docx))


def annex_template(path: Path) -> AnnexTemplate:
    """Return the prepared annex template at `path` (cached while the file is unchanged)."""
    stat = path.stat()
    return _annex_template(path.resolve(), stat.st_mtime_ns, stat.st_size)


def fingerprint(checked: CheckedAgreement, template_paths: list[Path], publication: bool) -> str:
    """Return the SHA-256 of everything a document is made from: agreement, parties, templates."""
    h = hashlib.sha256()
    h.update(b"agreement\0" + checked.path.read_bytes())
    h.update(b"parties\0" + checked.parties.path.read_bytes())
    for path in sorted(set(template_paths), key=lambda p: p.name):
        h.update(b"template\0" + path.name.encode() + b"\0" + path.read_bytes())
    h.update(b"publication" if publication else b"full")
    return h.hexdigest()


def render_agreement(checked: CheckedAgreement, *, templates: TemplateSet | None = None,
                     publication: bool = False) -> bytes:
    """Return the agreement as .docx bytes (deterministic for the same inputs)."""
    templates = templates or find_templates(checked.path)
    a = checked.agreement
    from .context import annex_kind

    umbrella_path = templates.umbrella()
    annex_paths = [templates.annex(fn.id, annex_kind(fn, publication)) for fn in a.functions]
    digest = fingerprint(checked, [umbrella_path, *annex_paths], publication)
    ctx = build_context(checked, publication=publication, fingerprint=digest)

    umbrella = open_template(umbrella_path)
    _fast_umbrella(umbrella)
    composer = Composer(umbrella.docx)
    shared = template_namespace(ctx.common)
    pieces = []
    for plan, path in zip(ctx.annexes, annex_paths):
        annex = annex_template(path)
        body = annex.render_body(template_namespace(plan.context, shared))
        pieces.append(composer.annex_xml(body, annex.source, plan.function_id))
    context = template_namespace(ctx.umbrella, shared)
    context["annexes"] = Markup("".join(pieces))
    try:
        umbrella.render(context, jinja_env=_ENV, autoescape=True)
    except Exception as exc:
        source = umbrella.patch_xml(umbrella.get_xml()) if isinstance(exc, jinja2.TemplateError) else ""
        raise template_error(umbrella_path, exc, source) from None
    info = a.agreement
    finish(umbrella.docx, title=f"{info.title} – Section 22A Collaboration Agreement", subject=info.alliance,
           keywords=info.reference, created=info.date or info.commencement, status=info.status.capitalize(),
           fingerprint=ctx.common["agreement"]["fingerprint"], version=info.version)
    return package_bytes(umbrella.docx)


def package_bytes(document) -> bytes:
    """Return a python-docx Document as deterministic .docx bytes (fixed dates and order)."""
    package = document.part.package
    parts = {"[Content_Types].xml": _ContentTypesItem.from_parts(package.parts).blob,
             "_rels/.rels": package.rels.xml}
    for part in package.parts:
        parts[part.partname.membername] = part.blob
        if part.rels:
            parts[part.partname.rels_uri.membername] = part.rels.xml
    return write_docx_bytes(parts)
