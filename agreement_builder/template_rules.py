"""The rules `templates check` judges a template by, pass after pass (template_check.py keeps the verdicts).

Order of the passes, each only when the previous found no error (a later pass would only
repeat the earlier finding in worse words): review marks, tags paragraph by paragraph,
blocks, Jinja's own reading, the names a template uses against a real context, the
structure the product relies on, and last a trial render through the one render path.
Every finding is located by template_text.Where: as a person finds it in Word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2 import nodes
from lxml import etree

from .ooxml import w
from .errors import InputError, Issue, Position, TemplateError
from .package import RT_SETTINGS, Package
from .template_repair import repair
from .template_text import TemplateParagraph, TemplateText, numbering_level
from .templates import SHIPPED_EXAMPLE

RULE = "template"

HINT_REVISIONS = ("a template must hold its final wording: in Word, Review > Accept > Accept All Changes "
                  "(or Reject All Changes) and turn Track Changes off, then save; in LibreOffice, Edit > "
                  "Track Changes > Manage > Accept All")
HINT_COMMENTS = "in Word, Review > Delete > Delete All Comments in Document, then save"
HINT_RETYPE = "type the tag again in one go (Word keeps a tag typed in one go in one piece)"
HINT_OWN_PARAGRAPH = "put the tag in a paragraph of its own: press Enter before and after it"
HINT_STYLES = ("copy the style from the shipped template: `agreement-builder templates copy NAME` gives a fresh "
               "copy; in Word, Home > Styles > Manage Styles > Import/Export copies styles between documents")


# ---------------------------------------------------------------------------- tags


@dataclass(frozen=True)
class Tag:
    """A docxtpl tag as typed in a paragraph."""

    paragraph: TemplateParagraph
    raw: str  # as typed: "{%p if x %}"
    delimiter: str  # "{{", "{%" or "{#"
    level: str  # docxtpl's "p", "tr", "tc", "r", or "" for a plain Jinja tag
    body: str  # what Jinja reads between the delimiters (level letters removed, quotes straightened)

    @property
    def jinja(self) -> str:
        close = {"{{": "}}", "{%": "%}", "{#": "#}"}[self.delimiter]
        return f"{self.delimiter}{self.body}{close}"

    @property
    def keyword(self) -> str:
        if self.delimiter != "{%":
            return ""
        match = re.match(r"[-+]?\s*(\w+)", self.body)
        return match.group(1) if match else ""

    @property
    def shown(self) -> str:
        return f"“{self.raw if len(self.raw) <= 60 else self.raw[:57] + '…'}”"


_DELIMITER = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_LEVELS = ("tr ", "tc ", "p ", "r ")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def read_tags(p: TemplateParagraph, problems: list[tuple[TemplateParagraph, str, str]]) -> list[Tag]:
    """Return the tags of a paragraph; an unclosed or stray delimiter is added to `problems`.

    One pass over the delimiters, as docxtpl reads them: a tag ends at the first closing
    delimiter of its kind, and an opening one met before that means the tag was never closed.
    """
    text, tags = p.text, []
    start, opened = -1, ""
    for m in _DELIMITER.finditer(text):
        found = m.group()
        if found in _OPENERS:
            if opened:
                _unclosed(p, text[start:m.start()], opened, problems)
            start, opened = m.start(), found
        elif opened and found == _OPENERS[opened]:
            raw = text[start:m.end()]
            inner = raw[2:-2]
            level = next((lv.strip() for lv in _LEVELS if inner.startswith(lv)), "")
            body = inner[len(level):] if level else inner
            tags.append(Tag(p, raw, opened, level, body.translate(_QUOTES)))
            opened = ""
        elif not opened:
            problems.append((p, f"“{found}” closes no tag: a tag starts with {{{{ or {{% and ends with }}}} or %}}",
                             HINT_RETYPE))
    if opened:
        _unclosed(p, text[start:], opened, problems)
    return tags


def _unclosed(p: TemplateParagraph, typed: str, opened: str, problems: list) -> None:
    words = typed.split()
    shown = " ".join(words[:3]) + ("…" if len(words) > 3 else "")
    problems.append((p, f"the tag “{shown}” is not closed: it must end with {_OPENERS[opened]} in the same "
                        "paragraph (docxtpl would drop the paragraph, or more, without a word)", HINT_RETYPE))


@dataclass
class _Findings:
    path: Path
    text: TemplateText
    issues: list[Issue]

    def at(self, p: TemplateParagraph | None, message: str, hint: str = "", severity: str = "error") -> None:
        if p is None:
            position = Position(str(self.path))
        else:
            position = Position(str(self.path), p.order + 1, 0, str(p.where))
        self.issues.append(Issue(position, message, severity, RULE, hint))

    def whole(self, place: str, message: str, hint: str = "", severity: str = "error") -> None:
        self.issues.append(Issue(Position(str(self.path), 0, 0, place), message, severity, RULE, hint))

    @property
    def failed(self) -> bool:
        return any(i.is_error for i in self.issues)



# ---------------------------------------------------------------------------- judging a template


def judge(path: Path, kind: str, blob: bytes) -> tuple[tuple[Issue, ...], tuple[str, ...]]:
    """Return (findings, custom `spec.` fields used) for a template of `kind` whose file holds `blob`.

    `path` names the template in messages.
    """
    from .package import read_docx_parts

    try:
        package = Package(read_docx_parts(blob, label=str(path)), str(path))
        repair(package)
        text = TemplateText.read(path, package)
    except (InputError, etree.XMLSyntaxError, KeyError, ValueError) as exc:
        message = exc.issues[0].message if isinstance(exc, InputError) else str(exc)
        return (Issue(Position(str(path)), f"cannot open the template: {message}", rule=RULE,
                      hint="save it again from Word as a Word Document (.docx)"),), ()
    found = _Findings(path, text, [])
    _review_marks(found)
    if kind in ("umbrella", "decision_notice", "decision_notice_exempt", "change_report"):
        _tracking_setting(found)
    if found.failed:
        return tuple(found.issues), ()
    tags = _paragraph_tags(found)
    if not found.failed:
        _blocks(found, tags)
    if found.failed:
        return tuple(found.issues), ()
    asts = _parse(found, tags)
    if found.failed:
        return tuple(found.issues), ()
    spec_fields = _names(found, kind, asts)
    _structure(found, kind, tags, asts)
    _unknown_styles(found)
    if not found.failed:
        _trial_render(found, kind, blob, spec_fields)
    return tuple(found.issues), tuple(spec_fields)


# ---------------------------------------------------------------------------- pass 1: review marks


def _review_marks(found: _Findings) -> None:
    anchored: set[str] = set()
    for p in found.text.paragraphs:
        changes = [r for r in p.revisions if r.kind != "comment"]
        if changes:
            authors = sorted({r.author for r in changes})
            words = "; ".join(_revision_words(r) for r in changes[:4]) + ("; …" if len(changes) > 4 else "")
            found.at(p, f"tracked changes by {', '.join(authors)}: {words}", HINT_REVISIONS)
        for el in p.element.iter(w("commentReference"), w("commentRangeStart")):
            cid = el.get(w("id"))
            if cid in anchored or cid not in found.text.comments:
                continue
            anchored.add(cid)
            c = found.text.comments[cid]
            found.at(p, f"a comment by {c.author}: “{c.text[:80]}”", HINT_COMMENTS)
    for cid, c in sorted(found.text.comments.items()):
        if cid not in anchored:
            found.whole("its comments", f"a comment by {c.author}: “{c.text[:80]}”", HINT_COMMENTS)
    for part in {p.part for p in found.text.paragraphs}:
        root = found.text.package.xml(part)
        for tr in root.iter(w("tr")):
            trpr = tr.find(w("trPr"))
            if trpr is not None and (trpr.find(w("ins")) is not None or trpr.find(w("del")) is not None):
                mark = trpr.find(w("ins")) if trpr.find(w("ins")) is not None else trpr.find(w("del"))
                first = next((p for p in found.text.paragraphs if p.element in set(tr.iter(w("p")))), None)
                found.at(first, f"a table row {'inserted' if mark.tag == w('ins') else 'deleted'} as a tracked change "
                                f"by {mark.get(w('author')) or 'someone'}", HINT_REVISIONS)


def _tracking_setting(found: _Findings) -> None:
    """A template saved with Track Changes on passes the setting to every document rendered from it."""
    package = found.text.package
    name = package.related(package.main_document(), RT_SETTINGS)
    if not name or name not in package.parts:
        return
    setting = package.xml(name).find(w("trackRevisions"))
    if setting is not None and setting.get(w("val"), "true") not in ("0", "false", "off"):
        found.whole("its settings", "Track Changes is switched on in this template: every document rendered from "
                                    "it would open in Word with Track Changes on", "in Word, Review > Track Changes "
                                    "(so that it is off), then save", "warning")


def _revision_words(r) -> str:
    if r.kind in ("inserted", "deleted", "moved"):
        text = r.text.strip()
        return f"“{text[:50]}” {r.kind}" if text else f"{r.text and 'space' or 'an empty run'} {r.kind}"
    return f"{r.text} changed"


# ---------------------------------------------------------------------------- pass 2: tags, paragraph by paragraph


def _paragraph_tags(found: _Findings) -> list[Tag]:
    """Return every tag in reading order; report broken tags and text that a paragraph-level tag would drop."""
    problems: list[tuple[TemplateParagraph, str, str]] = []
    tags: list[Tag] = []
    by_paragraph: dict[int, list[Tag]] = {}
    for p in found.text.paragraphs:
        own = read_tags(p, problems)
        tags += own
        by_paragraph[p.order] = own
    for p, message, hint in problems:
        found.at(p, message, hint)
    by_element = {p.element: p for p in found.text.paragraphs}
    seen_rows: set = set()  # the elements themselves: lxml gives the same proxy while one is held
    for p in found.text.paragraphs:
        own = by_paragraph[p.order]
        whole = [t for t in own if t.level in ("p", "tr", "tc")]
        if not whole:
            continue
        if len(whole) > 1:
            found.at(p, f"{len(whole)} paragraph-level tags in one paragraph ({', '.join(t.shown for t in whole)}): "
                        "docxtpl keeps only the first", HINT_OWN_PARAGRAPH)
            continue
        tag = whole[0]
        if tag.level == "p":
            rest = p.text.replace(tag.raw, "", 1).strip()
            if rest:
                found.at(p, f"text beside the paragraph tag {tag.shown}: “{rest[:60]}” would be lost, because "
                            "a {%p %} or {{p }} tag replaces its whole paragraph", HINT_OWN_PARAGRAPH)
            if p.element.find(f"{w('pPr')}/{w('sectPr')}") is not None:
                found.at(p, f"a section break sits in the paragraph of {tag.shown}, which docxtpl removes: "
                            "the page layout of the section before it would be lost",
                            "move the section break (Layout > Breaks) to a paragraph of text")
            continue
        unit = p.row if tag.level == "tr" else p.cell
        if unit is None:
            found.at(p, f"{tag.shown} is not in a table: a {{%{tag.level} %}} tag stands for a table "
                        f"{'row' if tag.level == 'tr' else 'cell'}",
                     "use {%p ... %} in a paragraph of its own outside tables")
            continue
        if tag.level == "tr":
            if unit in seen_rows:
                found.at(p, f"a second row tag {tag.shown} in the same table row: docxtpl keeps only the first",
                         "give each {%tr %} tag a row of its own")
                continue
            seen_rows.add(unit)
        others = [by_element[q] for q in unit.iter(w("p")) if q is not p.element and q in by_element]
        rest = (p.text.replace(tag.raw, "", 1) + " ".join(q.text for q in others)).strip()
        if rest:
            found.at(p, f"text beside the {'row' if tag.level == 'tr' else 'cell'} tag {tag.shown}: “{rest[:60]}” "
                        f"would be lost, because a {{%{tag.level} %}} tag replaces its whole "
                        f"{'row' if tag.level == 'tr' else 'cell'}",
                     "leave the rest of that row empty; put text in the rows between the {%tr for %} and "
                     "{%tr endfor %} rows" if tag.level == "tr" else "leave the rest of that cell empty")
    return tags


# ---------------------------------------------------------------------------- pass 3: blocks


_BLOCK_OPENERS = {"if", "for", "macro", "call", "filter", "with", "block", "autoescape", "raw", "trans"}
_MIDDLES = {"elif": {"if"}, "else": {"if", "for"}, "pluralize": {"trans"}}


def _container(tag: Tag) -> etree._Element:
    """Return the element a block tag of this level must open and close within."""
    p = tag.paragraph.element
    if tag.level == "p":
        return p.getparent()
    if tag.level == "tr":
        row = tag.paragraph.row
        return row.getparent() if row is not None else p
    if tag.level == "tc":
        cell = tag.paragraph.cell
        return cell.getparent() if cell is not None else p
    return p


def _where_text(tag: Tag) -> str:
    return str(tag.paragraph.where)


def _blocks(found: _Findings, tags: list[Tag]) -> None:
    """Report each block that is not closed, closes nothing, or opens and closes in different places."""
    for part in dict.fromkeys(t.paragraph.part for t in tags):
        stack: list[Tag] = []
        for tag in (t for t in tags if t.paragraph.part == part and t.delimiter == "{%"):
            word = tag.keyword
            if word == "set" and re.fullmatch(r"[-+]?\s*set\s+[\w\s,]+[-+]?\s*", tag.body):
                word = "set-block"
            if word in _BLOCK_OPENERS or word == "set-block":
                stack.append(tag)
            elif word in _MIDDLES:
                if not stack or stack[-1].keyword not in _MIDDLES[word]:
                    found.at(tag.paragraph, f"{tag.shown} belongs to no open {' or '.join(sorted(_MIDDLES[word]))} block",
                             "check the tags before it: an {% if %} may be missing or closed too early")
                elif _container(stack[-1]) is not _container(tag):
                    _misplaced(found, stack[-1], tag)
            elif word.startswith("end"):
                wanted = word[3:]
                if not stack:
                    found.at(tag.paragraph, f"{tag.shown} closes nothing: no {{% {wanted} %}} is open before it",
                             f"remove it, or add the {{% {wanted} ... %}} it closes")
                    continue
                top = stack[-1]
                top_word = "set" if top.keyword == "set" else top.keyword
                if top_word != wanted:
                    found.at(top.paragraph, f"{top.shown} is not closed: the next closing tag is {tag.shown} "
                                            f"({_where_text(tag)})",
                             f"add {_end_tag(top)} where the {top_word} block should end")
                    deeper = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].keyword == wanted), None)
                    if deeper is None:
                        stack.pop()  # reported once: the closer is taken as its (wrong) end
                        continue
                    del stack[deeper + 1:]
                    top = stack[-1]
                stack.pop()
                if _container(top) is not _container(tag):
                    _misplaced(found, top, tag)
        for tag in stack:
            found.at(tag.paragraph, f"{tag.shown} is never closed: every {{% {tag.keyword} %}} needs an "
                                    f"{{% end{tag.keyword} %}} after it",
                     f"add {_end_tag(tag)} where the {tag.keyword} block should end"
                     + (", in a paragraph of its own" if tag.level == "p" else ""))


def _end_tag(tag: Tag) -> str:
    """Return the closing tag an opening tag needs, at the same level ("{%p endif %}")."""
    level = tag.level + " " if tag.level else " "
    return f"{{%{level}end{tag.keyword} %}}"


def _misplaced(found: _Findings, opener: Tag, closer: Tag) -> None:
    if opener.level in ("", "r"):
        found.at(opener.paragraph, f"{opener.shown} opens in this paragraph but {closer.shown} is in another "
                                   f"({_where_text(closer)}): a block over several paragraphs needs paragraph tags",
                 "write it as {%p ... %} and {%p end... %}, each in a paragraph of its own")
    else:
        found.at(opener.paragraph, f"{opener.shown} and {closer.shown} ({_where_text(closer)}) are in different "
                                   "places: a block must open and close in the same place (both outside tables, "
                                   "or in the same table cell; row tags in the same table)",
                 "move one of the two tags")


# ---------------------------------------------------------------------------- pass 4: Jinja's own reading


def _stream(tags: list[Tag], paragraphs: list[TemplateParagraph], part: str) -> str:
    """Return a part's tags as Jinja source, one line per paragraph (so a line number is a paragraph)."""
    lines = {p.order: [] for p in paragraphs if p.part == part}
    for tag in tags:
        if tag.paragraph.part == part:
            lines[tag.paragraph.order].append(tag.jinja)
    return "\n".join("".join(v) for v in lines.values())


def _parse(found: _Findings, tags: list[Tag]) -> dict[str, tuple[nodes.Template, list[TemplateParagraph]]]:
    from .render import make_environment

    env = make_environment()
    asts = {}
    for part in dict.fromkeys(p.part for p in found.text.paragraphs):
        paragraphs = [p for p in found.text.paragraphs if p.part == part]
        try:
            asts[part] = (env.parse(_stream(tags, found.text.paragraphs, part)), paragraphs)
        except jinja2.TemplateSyntaxError as exc:
            p = paragraphs[exc.lineno - 1] if exc.lineno and 0 < exc.lineno <= len(paragraphs) else None
            found.at(p, f"Jinja cannot read the tags here: {exc.message}",
                     "see docs/templates.md for how tags are written")
    return asts


# ---------------------------------------------------------------------------- pass 5: the names a template uses


class _Any:
    """A value the check cannot know (loop counters, filters' results): anything goes."""


_ANY = _Any()
_BUILTINS = {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "true", "false", "none",
             "True", "False", "None"}


def _names(found: _Findings, kind: str, asts: dict) -> list[str]:
    """Report every name the data does not provide; return the custom `spec.` fields used."""
    contexts = reference_contexts()
    scope = contexts.get({"no_specification": "annex", "withheld": "annex"}.get(kind, kind))
    if scope is None:
        return []
    spec_fields: list[str] = []
    for part, (ast, paragraphs) in asts.items():
        problems: list[tuple[str, str, int]] = []
        _walk(ast, dict(scope), problems)
        for severity, dotted, lineno in dict.fromkeys(problems):
            p = paragraphs[lineno - 1] if 0 < lineno <= len(paragraphs) else None
            if severity == "warning":
                name = dotted.strip("`").split(".", 1)[1]
                if name not in spec_fields:
                    spec_fields.append(name)
                found.at(p, f"{dotted} is not a standard specification field: every function whose annex this is "
                            "must give it in its `specification`", "`agreement-builder validate` names the "
                            "functions that do not", "warning")
            else:
                found.at(p, f"{dotted} is not provided by the data", "check the spelling against "
                            "docs/templates.md, which lists what each template can use")
    return spec_fields


def _walk(node, scope: dict, problems: list) -> None:
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
        else:
            for child in node.body:
                _walk(child, scope, problems)
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
    if isinstance(target, nodes.Name):
        scope[target.name] = value
    elif isinstance(target, nodes.Tuple):
        for item in target.items:
            _bind(item, _ANY, scope)


def _resolve(node, scope: dict, problems: list):
    from .context import Namespace

    if isinstance(node, nodes.Name):
        if node.name in scope:
            return scope[node.name]
        if node.name not in _BUILTINS:
            problems.append(("error", f"`{node.name}`", node.lineno))
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
            problems.append((severity, f"`{base._path}.{key}`", node.lineno))
            return _ANY
        if isinstance(base, list) and isinstance(key, int):
            return base[key] if -len(base) <= key < len(base) else _ANY
        return _ANY
    _walk(node, scope, problems)
    return _ANY


@lru_cache(maxsize=1)
def reference_contexts() -> dict[str, dict]:
    """Return a real context for each kind of template, made from the shipped example agreement."""
    return {kind: template_namespace(raw) for kind, raw in _raw_contexts().items()}


@lru_cache(maxsize=1)
def _raw_contexts() -> dict[str, dict]:
    from .context import build_context
    from .diff import diff_agreements
    from .models import SummitInfo
    from .notice import exempt_contexts, notice_contexts
    from .report import report_context
    from .validate import load_agreement, load_parties

    parties = load_parties(SHIPPED_EXAMPLE / "parties.yaml")
    checked = load_agreement(SHIPPED_EXAMPLE / "agreements" / "jps.yaml", parties=parties)
    previous = load_agreement(SHIPPED_EXAMPLE / "agreements" / "jps-2013.yaml", parties=parties)
    ctx = build_context(checked, fingerprint="0" * 64)
    annex = max(ctx.annexes, key=lambda a: len(a.context["apportionment"]["inputs"]))
    from .figures import agreement_figures

    notice = next(iter(notice_contexts(checked, SummitInfo(name="Summit", date=checked.agreement.agreement.date),
                                       previous=agreement_figures(previous)).values()))
    withholding = load_agreement(SHIPPED_EXAMPLE / "agreements" / "psd.yaml", parties=parties)
    exempt = next(iter(exempt_contexts(withholding, SummitInfo(name="Summit", date=checked.agreement.agreement.date)
                                       ).values()))
    return {
        "umbrella": {**ctx.umbrella, "annexes": ""},
        "annex": annex.context,
        "decision_notice": notice,
        "decision_notice_exempt": exempt,
        "change_report": report_context(diff_agreements(previous, checked)),
        "variation": {**_variation_context(previous, checked), "schedules": ""},
    }


def _variation_context(previous, checked) -> dict:
    from .amendments import amend
    from .citations import outline_of
    from .render import render_agreement
    from .vary import variation_context

    amendments = amend(outline_of(render_agreement(previous)), outline_of(render_agreement(checked)))
    return variation_context(previous, checked, amendments)


def template_namespace(raw: dict) -> dict:
    from .context import template_namespace as wrap_all

    return wrap_all(raw)


# ---------------------------------------------------------------------------- pass 6: what the product relies on


#: Styles each kind of template must define (docs/templates.md, "Styles and numbering").
REQUIRED_STYLES = {
    "umbrella": ["Title", "Subtitle", "Part Heading", "Heading 1", "Clause", "Clause Item", "Body Text", "Recital",
                 "Appendix Title", "Annex Title", "Annex Heading", "Annex Clause", "Table Text", "Table Heading",
                 "Unnumbered Heading", "Party", "Header", "Footer", "TOC 1", "Table Grid"],
    "annex": ["Annex Title"],
    "no_specification": ["Annex Title"],
    "withheld": ["Annex Title"],
}
#: Numbered styles: (style, level from 0, the placeholders its number shows, the style whose list it shares).
NUMBERED_STYLES = [
    ("Heading 1", 0, ("%1",), None), ("Clause", 1, ("%1", "%2"), "Heading 1"),
    ("Clause Item", 2, ("%3",), "Heading 1"), ("Annex Heading", 0, ("%1",), None),
    ("Annex Clause", 1, ("%1", "%2"), "Annex Heading"), ("Recital", 0, ("%1",), None), ("Party", 0, ("%1",), None),
]
_EXAMPLES = {"Heading 1": "1, 2, …", "Clause": "1.1, 1.2, …", "Clause Item": "(a), (b), …",
             "Annex Heading": "1, 2, … in each annex", "Annex Clause": "1.1, 1.2, … in each annex",
             "Recital": "(A), (B), …", "Party": "(1), (2), …"}


def _structure(found: _Findings, kind: str, tags: list[Tag], asts: dict) -> None:
    text = found.text
    required = REQUIRED_STYLES.get(kind, [])
    for name in required:
        if name.lower() not in text.styles.by_name:
            found.whole("its styles", f"the style “{name}” is missing: the product relies on it "
                                      "(docs/templates.md, Styles and numbering)", HINT_STYLES)
    _references(found, kind)
    _outline_levels(found)
    if kind == "umbrella":
        _numbering(found, [n for n in NUMBERED_STYLES])
        _anchors(found, tags)
        _contents(found)
        _part_b(found, tags)
        _execution(found, asts)
    elif kind in ("annex", "no_specification", "withheld"):
        _numbering(found, [n for n in NUMBERED_STYLES if n[0].startswith("Annex") and _used(text, n[0])])
        body = [p for p in text.paragraphs if not p.where.area]
        first = next((p for p in body if p.text.strip()), None)
        if first is None or first.style.lower() != "annex title":
            found.at(first, "an annex must begin with its title in the style “Annex Title”: it starts the annex on a "
                            "new page, is listed in the contents and marks the annex for change reports"
                     + (f" (this paragraph is in “{first.style}”)" if first is not None else ""),
                     "apply the style Annex Title to the first paragraph (Home > Styles)")


#: Heading styles and the outline level each needs, as Word counts (docs/accessibility.md): a paragraph
#: without one is no PDF bookmark, no heading for a screen reader and no entry in Word's navigation pane.
OUTLINE_LEVELS = {"Heading 1": 1, "Part Heading": 1, "Appendix Title": 1, "Annex Title": 1, "Annex Heading": 2,
                  "Unnumbered Heading": 2}


def _outline_levels(found: _Findings) -> None:
    styles = found.text.styles
    for name, level in OUTLINE_LEVELS.items():
        info = styles.by_name.get(name.lower())
        if info is None or name == "Heading 1":  # missing: reported as such; Heading 1: Word's own level 1
            continue
        given, sid, seen = None, info.style_id, set()
        while sid and sid not in seen and given is None:
            seen.add(sid)
            at = styles.by_id.get(sid)
            el = at.element.find(f"{w('pPr')}/{w('outlineLvl')}") if at is not None else None
            given = el.get(w("val")) if el is not None else None
            sid = at.based_on if at is not None else None
        if given != str(level - 1):
            found.whole("its styles", f"the style “{name}” has "
                        + ("no outline level" if given is None else f"outline level {_level_name(given)}")
                        + f", not level {level}: its paragraphs are no bookmarks in the PDF and no headings for "
                          "screen readers (docs/accessibility.md)",
                        f"in Word: Home > Styles, right-click {name} > Modify > Format > Paragraph > "
                        f"Outline level: Level {level}", "warning")


def _level_name(value: str) -> str:
    return "Body Text" if value == "9" else f"{int(value) + 1}" if value.isdigit() else f"“{value}”"


def _used(text: TemplateText, style: str) -> bool:
    return any(p.style.lower() == style.lower() for p in text.paragraphs)


def _numbering(found: _Findings, wanted: list) -> None:
    text = found.text
    lists: dict[str, str | None] = {}
    for name, level, placeholders, shares in wanted:
        info = text.styles.by_name.get(name.lower())
        if info is None:
            continue  # reported as missing
        num_id, ilvl = text.styles.numbering(info.style_id)
        found_level = numbering_level(text.numbering, num_id, ilvl)
        lists[name] = _abstract(text, num_id)
        problem = ""
        if found_level is None:
            problem = "is not numbered"
        elif int(ilvl or 0) != level:
            problem = f"is numbered at level {int(ilvl or 0) + 1} of its list, not level {level + 1}"
        elif not all(ph in found_level[1] for ph in placeholders):
            problem = f"is numbered “{found_level[1]}”, which does not show {' and '.join(placeholders)}"
        elif shares and lists.get(shares) and lists[name] != lists[shares]:
            problem = f"is not in the same list as “{shares}”"
        if problem:
            link = f"level {level + 1} of the list" + (f" of “{shares}”" if shares else "")
            found.whole("its styles", f"the style “{name}” {problem}: Word numbers these paragraphs "
                                      f"{_EXAMPLES[name]} from the style itself (docs/templates.md)",
                        f"in Word: Home > Multilevel List > Define New Multilevel List > More >>, and link {link} "
                        f"to the style {name}; or " + HINT_STYLES.split(": ", 1)[1])


def _abstract(text: TemplateText, num_id: str | None) -> str | None:
    if text.numbering is None or not num_id:
        return None
    num = next((n for n in text.numbering.iterfind(w("num")) if n.get(w("numId")) == num_id), None)
    ref = num.find(w("abstractNumId")) if num is not None else None
    return ref.get(w("val")) if ref is not None else None


def _anchors(found: _Findings, tags: list[Tag]) -> None:
    """Each Part A section key has one `{{p clauses.<key> }}`, in the section whose heading carries its anchor."""
    from .outline import SECTION_KEYS, SECTION_TITLES

    heading_of: dict[int, TemplateParagraph | None] = {}
    current = None
    for p in found.text.paragraphs:
        if p.where.area:
            continue
        if p.style.lower() == "heading 1" and not p.in_table:
            current = p
        heading_of[p.order] = current
    places: dict[str, list[Tag]] = {}
    for tag in tags:
        match = re.fullmatch(r"\s*clauses\.(\w+)\s*", tag.body)
        if tag.delimiter == "{{" and match:
            places.setdefault(match.group(1), []).append(tag)
    for key in SECTION_KEYS:
        found_tags = places.get(key, [])
        if not found_tags:
            anchor = next((p for p in found.text.paragraphs if f"⟨bookmark _AB_S_{key}⟩" in p.shown), None)
            found.at(anchor, f"no place for the agreement's own clauses of section “{SECTION_TITLES[key]}” "
                             f"(key `{key}`): they would not be printed",
                     f"add a paragraph holding only {{{{p clauses.{key} }}}} at the end of that section")
            continue
        for extra in found_tags[1:]:
            found.at(extra.paragraph, f"a second {extra.shown}: the clauses of `{key}` would be printed twice",
                     "keep one, at the end of the section")
        tag = found_tags[0]
        if tag.level != "p":
            found.at(tag.paragraph, f"{tag.shown} must be a paragraph tag, {{{{p clauses.{key} }}}}: the clauses are "
                                    "whole numbered paragraphs", f"type {{{{p clauses.{key} }}}} in a paragraph of its own")
            continue
        heading = heading_of.get(tag.paragraph.order)
        if heading is None or tag.paragraph.where.area or tag.paragraph.in_table:
            found.at(tag.paragraph, f"{tag.shown} is not in a Part A section: it must follow a heading in the "
                                    "style “Heading 1”", "move it to the end of its section")
            continue
        anchors = re.findall(r"⟨bookmark _AB_S_(\w+)⟩", heading.shown)
        if anchors and anchors[0] != key:
            found.at(tag.paragraph, f"{tag.shown} is in the section “{heading.text.strip()}”, whose anchor is "
                                    f"`{anchors[0]}`: the clauses of `{key}` would print in the wrong section",
                     f"move it to the end of the section “{SECTION_TITLES[key]}”")


_REFERENCE = re.compile(r"⟨REF\s+_AB_S_(\w+)\b[^⟩]*⟩")


def _references(found: _Findings, kind: str) -> None:
    """A cross-reference field (REF _AB_S_<key>) points at a Part A section that the agreement will have.

    In the umbrella and the variation: a heading of the template carries that anchor; in an
    annex: `key` is a section of the outline (the annex is read into an umbrella that has it).
    """
    from .outline import SECTION_KEYS

    if kind in ("umbrella", "variation"):
        targets = {m for p in found.text.paragraphs for m in re.findall(r"⟨bookmark _AB_S_(\w+)⟩", p.shown)}
    else:
        targets = set(SECTION_KEYS)
    for p in found.text.paragraphs:
        for key in _REFERENCE.findall(p.shown):
            if key not in targets:
                found.at(p, f"a cross-reference to the section `{key}`, which "
                            + ("no heading of this template carries" if kind in ("umbrella", "variation") else
                               "is not a section of Part A") + ": the agreement would print no number there",
                         "in Word: References > Cross-reference, Reference type Bookmark (tick Hidden bookmarks), "
                         "choose the section's _AB_S_ bookmark, Insert reference to Paragraph number")


def _contents(found: _Findings) -> None:
    body = found.text.package.xml(found.text.package.main_document())
    if any((i.text or "").strip().startswith("TOC") for i in body.iter(w("instrText"))):
        return
    if any((f.get(w("instr")) or "").strip().startswith("TOC") for f in body.iter(w("fldSimple"))):
        return
    heading = next((p for p in found.text.paragraphs if p.text.strip().lower() in ("contents", "table of contents")),
                   None)
    found.at(heading, "the contents are missing: there is no table of contents field, so the agreement would have "
                      "no contents page", "in Word, put the cursor on an empty line under the heading Contents, then "
                                          "References > Table of Contents > Custom Table of Contents…, Show levels 1, "
                                          "OK; save (the entries are filled in at each render)")


def _part_b(found: _Findings, tags: list[Tag]) -> None:
    places = [t for t in tags if t.delimiter == "{{" and re.fullmatch(r"\s*annexes\s*", t.body)]
    if not places:
        part_b = next((p for p in found.text.paragraphs if p.style.lower() == "part heading"
                       and "part b" in p.text.lower()), None)
        found.at(part_b, "there is no place for Part B: the annexes (service specifications) would not be printed",
                 "add a paragraph holding only {{p annexes }} where Part B goes (after the heading PART B)")
        return
    for extra in places[1:]:
        found.at(extra.paragraph, f"a second {extra.shown}: Part B would be printed twice", "keep one")
    tag = places[0]
    if tag.level != "p" or tag.paragraph.in_table or tag.paragraph.where.area:
        found.at(tag.paragraph, f"{tag.shown} must be {{{{p annexes }}}} in a paragraph of its own in the body, "
                                "outside tables: Part B is whole pages", "type {{p annexes }} in a paragraph of its own")


def _execution(found: _Findings, asts: dict) -> None:
    """The execution page repeats a signature block for every party (`signed_by`, in a loop over the parties)."""
    document = found.text.package.main_document()
    if document not in asts:
        return
    ast = asts[document][0]
    covered: set[str] = set()
    for loop in ast.find_all(nodes.For):
        if not isinstance(loop.iter, nodes.Name) or not isinstance(loop.target, nodes.Name):
            continue
        if loop.iter.name not in ("parties", "chief_officers", "policing_bodies"):
            continue
        uses = any(isinstance(n.node, nodes.Name) and n.node.name == loop.target.name and n.attr == "signed_by"
                   for body in loop.body for n in body.find_all(nodes.Getattr))
        if uses:
            covered.add(loop.iter.name)
    if "parties" in covered or {"chief_officers", "policing_bodies"} <= covered:
        return
    execution = next((p for p in found.text.paragraphs if p.style.lower() == "appendix title"
                      and "execution" in p.text.lower()), None)
    found.at(execution, "the execution page has no signature block for every party: it needs a loop over the "
                        "parties that prints each one's {{ p.signed_by }}",
             "between paragraphs holding {%p for p in parties %} and {%p endfor %}, put the block: "
             "{{ p.signed_by }}, then the signature and date lines")


def _unknown_styles(found: _Findings) -> None:
    known = set(found.text.styles.by_id)
    reported: set[str] = set()
    for p in found.text.paragraphs:
        ppr = p.element.find(w("pPr"))
        style = ppr.find(w("pStyle")) if ppr is not None else None
        sid = style.get(w("val")) if style is not None else None
        if sid and sid not in known and sid not in reported:
            reported.add(sid)
            found.at(p, f"uses a style the template does not define (id `{sid}`): Word shows it as Normal",
                     "apply one of the template's styles (Home > Styles)", "warning")


# ---------------------------------------------------------------------------- pass 7: a trial render


def _trial_render(found: _Findings, kind: str, blob: bytes, spec_fields: list[str]) -> None:
    """Render the template with the reference context through the one render path (render.py)."""
    import hashlib
    import tempfile

    from .render import render_template

    raw = _raw_contexts().get({"no_specification": "annex", "withheld": "annex"}.get(kind, kind))
    if raw is None:
        return
    if spec_fields:
        raw = {**raw, "spec": {**{f: "" for f in spec_fields}, **raw["spec"]}}
    with tempfile.TemporaryDirectory(prefix="ab-check-") as folder:
        copy = Path(folder) / (hashlib.sha256(blob).hexdigest()[:16] + ".docx")
        copy.write_bytes(blob)
        try:
            render_template(copy, raw)
        except TemplateError as exc:
            message = str(exc).split(": error: ", 1)[-1].split("\n")[0]
            if exc.tag:
                message = message.rsplit(f" (in {exc.tag})", 1)[0]
            p = next((q for q in found.text.paragraphs if exc.tag and exc.tag.strip() in q.text), None)
            found.at(p, f"the template does not render: {message}" + (f" (in {exc.tag})" if exc.tag and p is None
                                                                     else ""), exc.hint)


