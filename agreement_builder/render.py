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
from docx.document import Document
from docx.opc.pkgwriter import _ContentTypesItem
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
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


_NS_DECLARATION = re.compile(r'\s+xmlns(?::[\w.-]+)?="[^"]*"')


@dataclass(frozen=True)
class UmbrellaTemplate:
    """The umbrella template, prepared once per process: its compiled body and the document around it.

    docxtpl's own `render` parses the rendered body and then moves it, node by node, into the
    document it opened; at national scale that move was the largest single cost. Here the
    rendered body is put between the document's own opening and closing tags as text and the
    whole part is parsed once. Headers, footers, footnotes and properties still go through
    docxtpl (they are small).
    """

    path: Path
    body: CompiledPart
    head: str  # w:document up to where the body starts
    tail: str  # from where the body ends
    column_loops: bool  # the template uses docxtpl's {%tc %}: its table repair must run

    @classmethod
    def prepare(cls, path: Path) -> "UmbrellaTemplate":
        tpl = open_template(path)
        body_xml = tpl.get_xml()
        document = etree.tostring(tpl.docx.element, encoding="unicode")
        head, tail = document[: document.index("<w:body")], document[document.rindex("</w:body>") + len("</w:body>"):]
        return cls(path, CompiledPart.compile(path, tpl, body_xml), head, tail,
                   "{%tc" in body_xml or "{%-tc" in body_xml)

    def open(self) -> DocxTemplate:
        """Return a fresh copy of the template package to render into (the compiled body is shared)."""
        return open_template(self.path)

    def render_into(self, tpl: DocxTemplate, context: dict):
        """Render every part of `tpl` with `context`; return its (new) python-docx Document."""
        body = self.body.render(context)
        if self.column_loops:
            body = etree.tostring(tpl.fix_tables(body), encoding="unicode")
        start = body.index(">") + 1  # the body's own tag repeats the document's namespace declarations
        document_xml = self.head + _NS_DECLARATION.sub("", body[:start]) + body[start:] + self.tail
        part = tpl.docx.part
        part._element = parse_xml(document_xml)
        tpl.docx = Document(part._element, part)
        try:
            for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
                for key, xml in tpl.build_headers_footers_xml(context, uri, _ENV):
                    tpl.map_headers_footers_xml(key, xml)
            tpl.render_properties(context, _ENV)
            tpl.render_footnotes(context, _ENV)
        except Exception as exc:
            raise template_error(self.path, exc) from None
        return tpl.docx


@lru_cache(maxsize=16)
def _umbrella_template(path: Path, mtime_ns: int, size: int) -> UmbrellaTemplate:
    return UmbrellaTemplate.prepare(path)


def umbrella_template(path: Path) -> UmbrellaTemplate:
    """Return the prepared umbrella template at `path` (cached while the file is unchanged)."""
    stat = path.stat()
    return _umbrella_template(path.resolve(), stat.st_mtime_ns, stat.st_size)


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

    umbrella = umbrella_template(umbrella_path)
    tpl = umbrella.open()
    composer = Composer(tpl.docx)
    shared = template_namespace(ctx.common)
    pieces = []
    for plan, path in zip(ctx.annexes, annex_paths):
        annex = annex_template(path)
        body = annex.render_body(template_namespace(plan.context, shared))
        pieces.append(composer.annex_xml(body, annex.source, plan.function_id))
    context = template_namespace(ctx.umbrella, shared)
    context["annexes"] = Markup("".join(pieces))
    document = umbrella.render_into(tpl, context)
    info = a.agreement
    finish(document, title=f"{info.title} – Section 22A Collaboration Agreement", subject=info.alliance,
           keywords=info.reference, created=info.date or info.commencement, status=info.status.capitalize(),
           fingerprint=ctx.common["agreement"]["fingerprint"], version=info.version)
    return package_bytes(document)


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
