"""Render an agreement: docxtpl templates compiled once, annexes spliced in, one deterministic package.

The Jinja environment is sandboxed (a template cannot reach Python internals), strict (a
missing value fails the render, naming the template and the tag) and autoescaping (user text
prints literally).

Templates are docxtpl templates and mean exactly what they mean to docxtpl: each XML part is
cleaned up by docxtpl's own `patch_xml` and rendered the way `DocxTemplate.render` renders it.
What differs is when the work is done. A template is prepared once (`PreparedTemplate`): its
parts patched and compiled, kept for the process and on disk (cache.py), so a national
agreement whose 30 annexes share three templates compiles three times at most, and usually
not at all. Each render then fills a copy of the template's package (package.py) and parses
the rendered document once, instead of docxtpl's parse-then-move of the body into a freshly
opened python-docx document.
"""

from __future__ import annotations

import hashlib
import re
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup

from . import cache, input_record
from .compose import ANNEXES_PLACE, AnnexSource, AnnexStream, Composer, describe, finish, set_custom_properties
from .context import Namespace, build_context, template_namespace
from .errors import InputError, TemplateError
from .ooxml import clauses_xml, marked_runs_xml, w, xml_text
from .package import PART_PARSER, RT_FOOTER, RT_FOOTNOTES, RT_HEADER, Package
from .richtext import Clauses, MarkedText
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


_ESCAPED: dict[str, Markup] = {}


def _finalize(value):
    """Escape plain text ourselves so that docxtpl's post-processing cannot alter it; write rich text as Word XML.

    Remembered per text: a national agreement prints the same force names and headings
    thousands of times. The data modules hand over clauses and marked text as data
    (richtext.py); this is where they become WordprocessingML.
    """
    if type(value) is str:
        escaped = _ESCAPED.get(value)
        if escaped is None:
            if len(_ESCAPED) > 100_000:
                _ESCAPED.clear()
            escaped = _ESCAPED[value] = Markup(xml_text(value))
        return escaped
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(xml_text(value))
    if type(value) is Clauses:
        return Markup(clauses_xml(value.style, value.items))
    if type(value) is MarkedText:
        return Markup(marked_runs_xml(value.segments))
    return value


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with a short way to the values of the context itself.

    A context Namespace holds data only, so reading one of its values needs none of the
    sandbox's checks on Python attributes; at national scale those checks were a fifth of
    the time spent in Jinja. Everything else goes through the sandbox as usual.
    """

    def getattr(self, obj, attribute):
        if type(obj) is Namespace:
            try:
                return obj._data[attribute]
            except (KeyError, TypeError):  # not a key of the namespace: the sandbox's own lookup decides (and its errors are the user's)
                pass
        return super().getattr(obj, attribute)


def make_environment() -> SandboxedEnvironment:
    """Return the Jinja environment every template is rendered with."""
    env = _Sandbox(undefined=_Missing, autoescape=True, finalize=_finalize, keep_trailing_newline=True)
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


def _docxtpl():
    """Return a docxtpl template object for its XML passes (imported only when a template is compiled)."""
    from docxtpl import DocxTemplate

    return DocxTemplate("")


@dataclass(frozen=True)
class CompiledPart:
    """One XML part of a docxtpl template, patched and compiled once, rendered many times.

    This is docxtpl's `render_xml_part` with the compilation hoisted out: the same patching
    before, the same clean-up after, so templates behave exactly as under docxtpl.
    """

    path: Path
    source: str  # the patched XML, as Jinja sees it (error messages quote its tags)
    template: jinja2.Template

    @staticmethod
    def patch(xml: str) -> str:
        """Return a part's XML as docxtpl hands it to Jinja."""
        return re.sub(r"<w:p([ >])", r"\n<w:p\1", _docxtpl().patch_xml(xml))

    @classmethod
    def compile(cls, path: Path, xml: str) -> "CompiledPart":
        return cls.from_source(path, cls.patch(xml))

    @classmethod
    def from_source(cls, path: Path, source: str, code=None) -> "CompiledPart":
        """Return the part compiled from patched `source` (or loaded from its cached `code`)."""
        if code is not None and not isinstance(code, types.CodeType) or not isinstance(source, str):
            raise TypeError("a cached template entry holds something other than compiled code")
        try:
            if code is None:
                code = _ENV.compile(source)
            return cls(path, source, _ENV.template_class.from_code(_ENV, code, _ENV.make_globals(None)))
        except jinja2.TemplateSyntaxError as exc:
            raise template_error(path, exc, source) from None

    def render(self, context: dict) -> str:
        """Return the rendered XML; a template problem raises TemplateError naming the tag."""
        try:
            xml = self.template.render(context)
        except Exception as exc:
            raise template_error(self.path, exc, self.source) from None
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # what `patch` added
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if "\t" in xml or "\n" in xml or "\a" in xml or "\f" in xml:  # docxtpl's tabs and breaks pass
            xml = _docxtpl().resolve_listing(xml)
        return xml


#: Above this many characters of annexes, the body is fed to the parser a piece at a time.
_FEED_ABOVE = 4_000_000
#: What the umbrella's `{{p annexes }}` renders to; the annexes take its place as the body is parsed.
#: A comment: user text is escaped, so it cannot contain one.
ANNEXES_MARK = "<!--agreement-builder:annexes-->"
_NS_DECLARATION = re.compile(r'\s+xmlns(?::[\w.-]+)?="[^"]*"')
_W_BODY = w("body")
#: The parts besides the document that docxtpl renders: headers, footers and footnotes.
_RENDERED_RELATIONS = (RT_HEADER, RT_FOOTER, RT_FOOTNOTES)


@dataclass(frozen=True, eq=False)
class PreparedTemplate:
    """A Word template read and compiled once: its package, and each part it renders, compiled.

    The document body is compiled on its own, as docxtpl does; the rest of the document
    element is kept as text (`head`, `tail`) so that a render is the rendered body put
    between them and parsed once.
    """

    path: Path
    package: Package  # the template itself: never changed, renders work on copies
    document: str  # the name of the document part
    head: str  # the document element up to where the body starts
    tail: str  # from where the body ends
    body: CompiledPart
    others: dict  # part name -> CompiledPart, for headers, footers and footnotes
    declared: frozenset  # (prefix, uri) of the namespaces the document element declares
    column_loops: bool  # the body uses docxtpl's {%tc %}: its table repair must run

    @classmethod
    def prepare(cls, path: Path) -> "PreparedTemplate":
        try:
            package = Package.open(path)
        except InputError as exc:
            raise TemplateError(str(path), f"cannot open the template: {exc.issues[0].message}") from None
        name = cache.key("template", b"".join(package.parts[n] for n in sorted(package.parts)))
        try:
            document, head, tail, declared, column_loops, parts, repaired = cache.load(name)
            compiled = {part: CompiledPart.from_source(path, source, code) for part, (source, code) in parts.items()}
        except (TypeError, ValueError):  # no entry, or one this version cannot read: compile afresh
            entry = cls._compile(path, Package(dict(package.parts), package.label))
            cache.store(name, entry)
            document, head, tail, declared, column_loops, parts, repaired = entry
            compiled = {part: CompiledPart.from_source(path, source, code) for part, (source, code) in parts.items()}
        if repaired:  # what a re-save lost, put back (template_repair.py): renders work on these parts
            package = Package({**package.parts, **repaired}, package.label)
        body = compiled.pop(document)
        return cls(path, package, document, head, tail, body, compiled, frozenset(declared), column_loops)

    @staticmethod
    def _compile(path: Path, package: Package) -> tuple:
        """Return what the cache keeps of a template: its parts patched by docxtpl and compiled by Jinja.

        The template is first repaired (template_repair.py); the parts the repair changed, other
        than the document itself, are kept too.
        """
        from .template_repair import repair  # only when compiling: a warm render needs none of it

        try:
            restored = repair(package)
            document = package.main_document()
            root = package.xml(document)
            body = root.find(_W_BODY)
            if body is None:
                raise ValueError("the document has no body")
            whole = etree.tostring(root, encoding="unicode")
            head, tail = whole[: whole.index("<w:body")], whole[whole.rindex("</w:body>") + len("</w:body>"):]
            xml = {document: etree.tostring(body, encoding="unicode")}
            for rel in package.rels(document):
                if rel.reltype in _RENDERED_RELATIONS and not rel.external and rel.target in package.parts:
                    xml[rel.target] = etree.tostring(package.xml(rel.target), encoding="unicode")
        except (etree.XMLSyntaxError, KeyError, ValueError) as exc:
            raise TemplateError(str(path), f"cannot open the template: {exc}") from None
        parts = {}
        for part, text in xml.items():
            source = CompiledPart.patch(text)
            try:
                code = _ENV.compile(source)
            except jinja2.TemplateSyntaxError as exc:
                raise template_error(path, exc, source) from None
            parts[part] = (source, code)
        declared = tuple(sorted((p, u) for p, u in root.nsmap.items() if p))
        column_loops = "{%tc" in xml[document] or "{%-tc" in xml[document]
        repaired = {n: b for n, b in package.serialized_parts().items() if n != document} if restored else {}
        return (document, head, tail, declared, column_loops, parts, repaired)

    def new_package(self) -> Package:
        """Return a copy of the template's package for one render to fill."""
        return self.package.copy()

    def render_into(self, package: Package, context: dict, namespaces: dict[str, str] | None = None,
                    annexes: Iterable[str] | None = None, *, body_only: bool = False) -> None:
        """Render the document, headers, footers and footnotes of `package` (a `new_package()`).

        `body_only`: the document alone (an annex's headers and footers are never printed).

        `namespaces` (prefix -> uri) are declared on the document element besides its own:
        those of annexes spliced in as text. `annexes` are rendered annex bodies (composer
        text) that take the place of ANNEXES_MARK in the rendered body, read once, in order;
        when they are large they are fed to the parser one at a time (an agreement of
        variation's Schedules). An agreement does not come this way: its annexes are
        finished one at a time after the umbrella is parsed (compose.AnnexStream).
        """
        annexes = iter(annexes or ())
        body = self.body.render(context)
        if self.column_loops:  # docxtpl's table repair reads the whole body as docxtpl would have it
            if ANNEXES_MARK in body:
                body = body.replace(ANNEXES_MARK, "".join(annexes), 1)
            body = etree.tostring(_docxtpl().fix_tables(body), encoding="unicode")
        start = body.index(">") + 1  # the body's own tag repeats the document's namespace declarations
        head = self.head
        if namespaces:
            name_end = re.search(r"[\s/>]", head).start()
            extra = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in sorted(namespaces.items()))
            head = head[:name_end] + extra + head[name_end:]
        before, mark, after = body[start:].partition(ANNEXES_MARK)
        first = head + _NS_DECLARATION.sub("", body[:start]) + before
        del body, before
        taken, size = [], 0
        for piece in annexes if mark else ():  # small: one string, parsed at once (quicker)
            taken.append(piece)
            size += len(piece)
            if size >= _FEED_ABOVE:
                break
        try:
            if size < _FEED_ABOVE:
                root = etree.fromstring(first + "".join(taken) + after + self.tail, PART_PARSER)
            else:
                root = _feed(first, chain(taken, annexes), after + self.tail)
        except etree.XMLSyntaxError as exc:
            raise self._broken(self.document, exc) from None
        package.set_xml(self.document, root)
        if body_only:
            return
        for name, part in self.others.items():
            self._set(package, name, part.render(context))

    def _set(self, package: Package, name: str, xml: str) -> None:
        try:
            package.set_xml(name, etree.fromstring(xml, PART_PARSER))
        except etree.XMLSyntaxError as exc:
            raise self._broken(name, exc) from None

    def _broken(self, name: str, exc: etree.XMLSyntaxError) -> TemplateError:
        return TemplateError(str(self.path), f"renders to broken XML in {name}: {exc}",
                             hint="a tag probably spans a table cell or paragraph boundary; see docs/templates.md")


def _feed(first: str, pieces: Iterator[str], last: str) -> etree._Element:
    """Return the root parsed from `first`, the `pieces` and `last`, holding one piece at a time."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                             remove_blank_text=True)  # PART_PARSER's options, fed in pieces
    parser.feed(first)
    del first
    for piece in pieces:
        parser.feed(piece)
        del piece
    parser.feed(last)
    return parser.close()


@lru_cache(maxsize=64)
def _prepared(path: Path, mtime_ns: int, size: int) -> PreparedTemplate:
    return PreparedTemplate.prepare(path)


def prepared_template(path: Path) -> PreparedTemplate:
    """Return the prepared template at `path` (kept while the file is unchanged)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise TemplateError(str(path), f"cannot open the template: {exc.strerror}") from None
    return _prepared(path.resolve(), stat.st_mtime_ns, stat.st_size)


@dataclass
class AnnexTemplate:
    """An annex template, prepared once: its compiled body and what the composer needs."""

    prepared: PreparedTemplate
    source: AnnexSource

    def render_body(self, context: dict) -> str:
        """Return the rendered body XML."""
        return self.prepared.body.render(context)


@lru_cache(maxsize=64)
def _annex_template(prepared: PreparedTemplate) -> AnnexTemplate:
    return AnnexTemplate(prepared, AnnexSource.from_package(prepared.path, prepared.package))


def annex_template(path: Path) -> AnnexTemplate:
    """Return the prepared annex template at `path` (kept while the file is unchanged)."""
    return _annex_template(prepared_template(path))


def render_template(path: Path, context: dict, *, body_only: bool = False) -> Package:
    """Return the template at `path` rendered with `context` (plain data, wrapped here) as a package.

    The one way a template becomes a document outside `render_agreement`: decision notices,
    the change report, and the documents diff and the template check compare. `body_only`:
    render the document body alone, as an annex is spliced into an agreement (its headers and
    footers are never printed).
    """
    template = prepared_template(path)
    package = template.new_package()
    template.render_into(package, template_namespace(context), body_only=body_only)
    return package


def render_umbrella(checked: CheckedAgreement, path: Path) -> Package:
    """Return the umbrella template at `path` rendered with `checked`'s data, without annexes (Part A, appendices)."""
    context = dict(build_context(checked).umbrella)
    context["annexes"] = Markup("")
    return render_template(path, context)


#: What the publication version is called on its cover, in its header and in its title.
PUBLICATION_MARK = "Publication version under section 23E of the Police Act 1996"


def fingerprint(checked: CheckedAgreement, template_paths: list[Path], publication: bool) -> str:
    """Return the SHA-256 of everything a document is made from: agreement, parties, templates."""
    from .inputs import read_input

    h = hashlib.sha256()
    h.update(b"agreement\0" + read_input(checked.path, checked.label))
    h.update(b"parties\0" + read_input(checked.parties.path, checked.parties.label))
    for path in sorted(set(template_paths), key=lambda p: p.name):
        h.update(b"template\0" + path.name.encode() + b"\0" + read_input(path))
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

    umbrella = prepared_template(umbrella_path)
    package = umbrella.new_package()
    composer = Composer(package, umbrella.document, umbrella.declared)
    shared = template_namespace(ctx.common)
    for path in dict.fromkeys(annex_paths):  # the namespaces go on the document element, parsed before any annex
        annex = annex_template(path)
        composer.declare_namespaces(annex.prepared.body.source, annex.source)
    context = template_namespace(ctx.umbrella, shared)
    context["annexes"] = Markup(ANNEXES_PLACE)
    umbrella.render_into(package, context, composer.namespaces())
    stream = AnnexStream(package, umbrella.document, composer)  # one annex's tree at a time
    for plan, path in zip(ctx.annexes, annex_paths):
        annex = annex_template(path)
        body = annex.render_body(template_namespace(plan.context, shared))
        stream.add(composer.annex_xml(body, annex.source, plan.function_id), annex.source)
    stream.close()
    info = a.agreement
    title = f"{info.title} – Section 22A Collaboration Agreement"
    if publication:  # the document (and so the PDF) says which version it is
        title += f" – {PUBLICATION_MARK}"
    describe(package, umbrella.document, title=title,
             subject=info.alliance, keywords=info.reference, created=info.date or info.commencement,
             status=info.status.capitalize(), fingerprint=ctx.common["agreement"]["fingerprint"], version=info.version,
             language=info.language)
    if not publication:  # a publication version carries no digest of the full inputs (withheld figures)
        set_custom_properties(package, input_record.values(record(checked, digest, publication)))
    return package.to_bytes()


def record(checked: CheckedAgreement, digest: str, publication: bool) -> input_record.InputRecord:
    """Return what a document rendered from `checked` records of its inputs (input_record.py)."""
    from .inputs import read_input

    info = checked.agreement.agreement
    return input_record.InputRecord(
        source=input_record.relative_source(checked.path, checked.parties.path), reference=info.reference,
        version=info.version, agreement_sha256=input_record.file_sha256(read_input(checked.path, checked.label)),
        inputs_sha256=digest, publication=publication)


@dataclass(frozen=True)
class ScheduleSource:
    """What one Schedule of a variation sets out: a Service Specification (rendered with its annex
    template and NEW's annex context) or an Appendix (NEW's, as NEW prints it)."""

    number: int
    kind: str  # "specification" | "appendix"
    ident: str


def render_variation(path: Path, context: dict, schedules: list[ScheduleSource], *, new: CheckedAgreement,
                     new_docx: bytes, templates: TemplateSet, title: str, subject: str, keywords: str,
                     created, status: str, version: str, conformed_schedule: int | None = None,
                     fingerprint: str = "") -> bytes:
    """Return an agreement of variation as .docx bytes: the template at `path` rendered with `context`,
    each Schedule spliced in where the template prints `{{p schedules }}`.

    A Service Specification is rendered exactly as in NEW (its annex template, NEW's context
    for it) and composed as an annex is; an Appendix is taken from NEW as rendered. Their
    cross-references to sections of Part A become NEW's section numbers as text (the sections
    are not in the variation). `conformed_schedule`: the number of the last Schedule, which
    sets out NEW in full (its lists restarted, its contents page and hidden bookmarks left out).
    """
    from .compose import (join_schedule_titles, keep_lead_ins_with_next, prepare_conformed_copy, section_numbers,
                          unlink_section_references)
    from .context import annex_kind
    from .ooxml import APPENDIX, paragraph_xml
    from .package import read_docx_parts

    prepared = prepared_template(path)
    package = prepared.new_package()
    composer = Composer(package, prepared.document, prepared.declared)
    ctx = build_context(new)
    shared = template_namespace(ctx.common)
    plans = {plan.function_id: plan for plan in ctx.annexes}
    functions = {fn.id: fn for fn in new.agreement.functions}
    new_package = Package(read_docx_parts(new_docx, label=new.label), new.label)
    new_body = new_package.xml(new_package.main_document()).find(w("body"))
    pieces = []
    for schedule in schedules:
        heading = paragraph_xml("ScheduleTitle", f"Schedule {schedule.number}")
        if schedule.kind == "specification":
            fn = functions[schedule.ident]
            annex = annex_template(templates.annex(fn.id, annex_kind(fn, False)))
            body = annex.render_body(template_namespace(plans[fn.id].context, shared))
            pieces.append(heading + composer.annex_xml(body, annex.source, fn.id))
        else:
            pieces.append(heading + "".join(
                etree.tostring(block, encoding="unicode") for block in _appendix_blocks(new_body, APPENDIX + schedule.ident)))
    if conformed_schedule:  # the Principal Agreement as varied, in full: NEW's body, composed as an annex is
        numbers = section_numbers(new_body)
        copy_body = etree.fromstring(new_package.parts[new_package.main_document()]).find(w("body"))
        prepare_conformed_copy(copy_body, numbers)
        pieces.append(paragraph_xml("ScheduleTitle", f"Schedule {conformed_schedule}")
                      + paragraph_xml("Subtitle", "The Principal Agreement as varied (conformed copy)")
                      + composer.annex_xml(etree.tostring(copy_body, encoding="unicode"),
                                           AnnexSource.from_package(Path(new.label), new_package), ""))
    full = {**context, "schedules": Markup(ANNEXES_MARK)}
    prepared.render_into(package, template_namespace(full), composer.namespaces(), annexes=pieces)
    document = package.xml(prepared.document)
    composer.complete(document)
    body = document.find(w("body"))
    unlink_section_references(body, section_numbers(new_body), keep=frozenset(section_numbers(body)))
    join_schedule_titles(body)
    keep_lead_ins_with_next(body)
    finish(package, prepared.document, title=title, subject=subject, keywords=keywords, created=created,
           status=status, fingerprint=fingerprint, version=version)
    return package.to_bytes()


def _appendix_blocks(body: etree._Element, bookmark: str) -> list[etree._Element]:
    """Return the body blocks of the appendix whose title carries `bookmark`, up to the next title."""
    titles = {"AppendixTitle", "PartHeading", "AnnexTitle"}
    out: list[etree._Element] = []
    for block in body:
        style = block.find(f"{w('pPr')}/{w('pStyle')}") if block.tag == w("p") else None
        is_title = style is not None and style.get(w("val")) in titles
        if out and is_title:
            break
        if out or (is_title and any(b.get(w("name")) == bookmark for b in block.iter(w("bookmarkStart")))):
            if block.tag != w("sectPr"):
                out.append(block)
    return out
