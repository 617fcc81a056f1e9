"""What changed between two versions of an agreement: a `ChangeSet` citing NEW's numbers.

Why this shape: a reviewer reads "Section 8 Accountability Arrangements: clause 8.5 inserted",
not "line 151 of a YAML file". Everything is aligned on stable ids (section keys, clause ids,
function ids, force ids), never on numbers, so an insertion is one change and the renumbering
it causes is at most one line. Numbers are the ones the documents print: section numbers and
the count of template clauses before a section's agreement clauses come from the umbrella
template itself (read once per template file, not by rendering the agreement), so that the
diff of two national agreements stays well under a second. Only when the two versions'
templates differ are they rendered, both with NEW's data, and compared clause by clause.

The formats (text, Markdown, HTML, Word) live in `report.py`; this module only computes.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from . import textdiff
from .context import FunctionFigures, annex_kind, build_context, clause_id, function_figures, template_namespace
from .docmodel import Block, document_from_parts, is_word, read_blocks, read_styles, tokenize
from .formats import format_date, format_money, format_number, format_percent, format_points
from .models import Agreement, Clause, Function, Specification
from .outline import PROVISIONS, SECTION_KEYS, SECTION_NUMBERS, SECTION_TITLES
from .ooxml import CLAUSE, SECTION, W_NS, bookmark_name
from .package import RT_STYLES, parse_xml
from .templates import TemplateSet, find_templates
from .validate import CheckedAgreement

#: Clauses without an explicit id count as the same clause reworded at or above this ratio.
SIMILARITY = 0.6

#: Change groups in report order, with their headings (sections get theirs from the template).
GROUPS: dict[str, str] = {
    "agreement": "Agreement details",
    "parties": "Parties and lead force",
    "functions": "Part B – Service Specifications",
    "apportionment": "Cost Apportionment",
    "clauses": "Part A – agreement clauses",
    "template": "Template wording",
    "renumbering": "Renumbering",
}


# ---------------------------------------------------------------------------- the change set


@dataclass(frozen=True)
class ShareRow:
    """One force's share and contribution before and after (None where it was not a party)."""

    force: str
    name: str
    old_share: Decimal | None
    new_share: Decimal | None
    old_contribution: Decimal | None
    new_contribution: Decimal | None
    inputs: tuple[str, ...] = ()  # the changed inputs' values for this force, in `input_labels` order

    @property
    def share_change(self) -> Decimal | None:
        if self.old_share is None or self.new_share is None:
            return None
        return self.new_share - self.old_share

    @property
    def contribution_change(self) -> Decimal | None:
        if self.old_contribution is None or self.new_contribution is None:
            return None
        return self.new_contribution - self.old_contribution

    def share_text(self) -> str:
        """Return "24.71% → 25.10% (+0.39 pp)", or the one figure when the force joined or left."""
        return _old_new(self.old_share, self.new_share, format_percent, self.share_change, format_points)

    def contribution_text(self) -> str:
        """Return "£442,309.15 → £461,840.00 (+£19,530.85)"."""
        return _old_new(self.old_contribution, self.new_contribution, format_money, self.contribution_change,
                        lambda d: format_money(d, sign=True))

    def share_span(self) -> str:
        """Return the share without its change: "24.71% → 25.10%" (for a table with a change column)."""
        return _span(self.old_share, self.new_share, format_percent)

    def share_delta(self) -> str:
        """Return the change of share: "+0.39 pp" ("" when there is nothing to compare)."""
        delta = self.share_change
        return format_points(delta) if delta is not None else ""

    def contribution_span(self) -> str:
        return _span(self.old_contribution, self.new_contribution, format_money)

    def contribution_delta(self) -> str:
        delta = self.contribution_change
        return format_money(delta, sign=True) if delta is not None else ""


def _span(old, new, fmt) -> str:
    if old is None and new is None:
        return "–"
    if old is None:
        return f"– → {fmt(new)}"
    if new is None:
        return f"{fmt(old)} → –"
    return fmt(new) if old == new else f"{fmt(old)} → {fmt(new)}"


def _old_new(old, new, fmt, delta, fmt_delta) -> str:
    if old is None or new is None:
        return _span(old, new, fmt)
    if delta == 0:
        return f"{fmt(new)} (unchanged)"
    return f"{fmt(old)} → {fmt(new)} ({fmt_delta(delta)})"


@dataclass(frozen=True)
class InputChange:
    """A changed input of a formula: `label` (demand, agreed share, ...) for one force."""

    label: str
    force: str  # the force's name
    old: str
    new: str
    force_id: str = ""

    def text(self) -> str:
        return f"{self.force} {self.old} → {self.new}"


@dataclass(frozen=True)
class ApportionmentChange:
    """A function's cost apportionment before and after: formula, budget, inputs, every force's row."""

    old_formula: str  # in words ("" when the function was not apportioned)
    new_formula: str
    old_budget: Decimal | None
    new_budget: Decimal | None
    inputs: tuple[InputChange, ...]
    rows: tuple[ShareRow, ...]
    nre_changed: bool = False
    input_labels: tuple[str, ...] = ()  # inputs that changed for some force: a column each

    def formula_text(self) -> str:
        if self.old_formula == self.new_formula:
            return f"formula: {self.new_formula} (unchanged)"
        if not self.old_formula:
            return f"formula: {self.new_formula}"
        if not self.new_formula:
            return f"formula: {self.old_formula} → no apportionment"
        return f"formula changes from {self.old_formula} to {self.new_formula}"

    def budget_text(self) -> str:
        old, new = self.old_budget, self.new_budget
        if old == new:
            return f"budget: {format_money(new)} (unchanged)" if new is not None else ""
        if old is None:
            return f"budget: {format_money(new)}"
        if new is None:
            return f"budget: {format_money(old)} → none"
        return f"budget: {format_money(old)} → {format_money(new)} ({format_money(new - old, sign=True)})"

    def input_lines(self) -> list[str]:
        """Return the lines about inputs that the force rows do not show (net revenue expenditure)."""
        if self.nre_changed:
            return ["net revenue expenditure: changed (see Net revenue expenditure)"]
        return []


@dataclass(frozen=True)
class Change:
    """One change, with where it is (as printed in NEW; in OLD for removals) and a one-line summary."""

    kind: str
    group: str
    summary: str
    id: str = ""  # the stable id: field name, force id, function id, clause id, template path
    section_key: str = ""
    section_number: int | None = None
    section_title: str = ""
    number: str = ""  # clause or Service Specification number as printed in NEW
    old_number: str = ""  # ... and in OLD
    old: Any = None
    new: Any = None
    words: tuple[tuple[str, str], ...] = ()  # word diff old → new: ("=" | "-" | "+", text)
    lead: str = ""  # the summary without the inserted or removed text it quotes
    details: tuple[str, ...] = ()
    apportionment: ApportionmentChange | None = None

    @property
    def where(self) -> str:
        """Return where the change is, for a summary table ("Section 8", "Service Specification 4")."""
        if self.section_number is not None:
            return f"Section {self.section_number}"
        if self.group in ("functions", "apportionment") and self.number:
            return f"Service Specification {self.number}"
        if self.group == "functions" and self.old_number:
            return f"Service Specification {self.old_number} (old)"
        return {"agreement": "Agreement", "parties": "Parties", "template": "Template",
                "renumbering": "Numbering", "apportionment": "Finance"}.get(self.group, self.group)


@dataclass(frozen=True)
class Group:
    """The changes under one heading of a report."""

    key: str
    heading: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ChangeSet:
    """Every change between two versions, in report order."""

    title: str
    reference: str
    old_label: str
    new_label: str
    old_version: str
    new_version: str
    old_date: str
    new_date: str
    old_status: str
    new_status: str
    cost_section: int | None
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def of_kind(self, *kinds: str) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    def groups(self) -> list[Group]:
        """Return the changes under their report headings, in report order.

        Agreement clause changes get one heading per section, "Accountability Arrangements –
        Section 8", as a summit paper heads them.
        """
        out: list[Group] = []
        for key, heading in GROUPS.items():
            changes = [c for c in self.changes if c.group == key]
            if not changes:
                continue
            if key == "clauses":
                sections: dict[str, list[Change]] = {}
                for change in changes:
                    sections.setdefault(change.section_key, []).append(change)
                for skey, items in sections.items():
                    first = items[0]
                    head = f"{first.section_title} – Section {first.section_number}" if first.section_number else (
                        first.section_title or heading)
                    out.append(Group(f"section:{skey}", head, tuple(items)))
                continue
            if key == "apportionment" and self.cost_section:
                heading = f"{heading} – Section {self.cost_section}"
            out.append(Group(key, heading, tuple(changes)))
        return out


# ---------------------------------------------------------------------------- word diffs


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Return the word-level diff of two texts as ("=" | "-" | "+", text) segments.

    Whitespace that happens to be equal between two changed words is folded into the change,
    so that "shall seek" → "note that" reads as one deletion and one insertion.
    """
    a, b = tokenize(old), tokenize(new)
    raw: list[tuple[str, str, str]] = []  # (op, old text, new text)
    for op, i1, i2, j1, j2 in textdiff.opcodes(a, b, significant=is_word):
        if op == "equal":
            raw.append(("=", "".join(a[i1:i2]), "".join(b[j1:j2])))
        else:
            raw.append(("~", "".join(a[i1:i2]), "".join(b[j1:j2])))
    # fold short equal runs of whitespace between changes into the change
    merged: list[list[str]] = []
    for index, (op, x, y) in enumerate(raw):
        between = 0 < index < len(raw) - 1 and raw[index - 1][0] == "~" and raw[index + 1][0] == "~"
        if op == "=" and between and x.isspace():
            op = "~"
        if merged and merged[-1][0] == op == "~":
            merged[-1][1] += x
            merged[-1][2] += y
        else:
            merged.append([op, x, y])
    out: list[tuple[str, str]] = []
    for op, x, y in merged:
        if op == "=":
            out.append(("=", x))
        else:
            if x:
                out.append(("-", x))
            if y:
                out.append(("+", y))
    return tuple(out)


def similarity(old: str, new: str) -> float:
    """Return how alike the two texts' words are (1.0 identical, 0.0 nothing in common)."""
    return textdiff.ratio(_words(old), _words(new))


def _words(text: str) -> list[str]:
    return [t for t in tokenize(text) if not t.isspace()]


def _pair_similar(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int]]:
    """Return (old index, new index) pairs of texts similar enough to be one item reworded.

    Best ratios pair first; each item pairs at most once; ties go to the earlier items. Each
    text is split into words once, and the number of comparisons is bounded (`textdiff.pair_similar`).
    """
    if not old or not new:
        return []
    return textdiff.pair_similar([_words(x) for x in old], [_words(y) for y in new], cutoff=SIMILARITY)


def _quote(text: str) -> str:
    return f"“{text}”"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------- template numbering


@dataclass(frozen=True)
class SectionPlace:
    """Where a section's agreement clauses print: its number, title and the template clauses before them."""

    key: str
    number: int
    title: str
    offset: int | None  # template Clause paragraphs before the agreement clauses; None: not printed
    dynamic: bool = False  # template clauses inside {%p if/for %}: the count depends on the data


@dataclass(frozen=True)
class TemplateOutline:
    """What the umbrella template says about numbering, read once per template file."""

    sections: dict[str, SectionPlace]


_SECTION_BY_BOOKMARK = {bookmark_name(SECTION, key): key for key in SECTION_KEYS}
_PLACEHOLDER = re.compile(r"\{\{p\s+clauses\.(\w+)\s*\}\}")
_BLOCK_TAG = re.compile(r"\{%p\s+(if|for|elif|else|endif|endfor)\b")


def _is_style(block: Block, name: str) -> bool:
    return block.style_name.lower() == name.lower() or block.style_id.lower() == name.replace(" ", "").lower()


def _section_key(path: str) -> str | None:
    if path in _SECTION_BY_BOOKMARK:
        return _SECTION_BY_BOOKMARK[path]
    if path.startswith(SECTION):
        return path[len(SECTION):]
    return None


def _heading_title(text: str, key: str) -> str:
    if text and "{" not in text:
        return text
    return SECTION_TITLES.get(key, key)


def outline_of_blocks(blocks: Iterable[Block], *, rendered: bool = False) -> TemplateOutline:
    """Return section numbers, titles and clause offsets from a template's (or a rendered umbrella's) blocks.

    In a template, a section's agreement clauses print where its `{{p clauses.<key> }}` tag is,
    numbered after the Clause paragraphs before it. In a rendered umbrella they are the Clause
    paragraphs marked `_AB_C_`. A section is `dynamic` when how many Clause paragraphs print
    before that tag depends on the data (a loop, an `if` without an `else`, or branches of
    different lengths); an `if`/`else` whose branches hold as many clauses each is not.
    """
    sections: dict[str, SectionPlace] = {}
    number = 0
    current: str | None = None
    title = ""
    count = 0
    blocks_open: list[list] = []  # per open {%p if/for %}: [kind, clauses per branch, has an else]
    dynamic = False
    for block in blocks:
        if block.kind != "p":
            continue
        if _is_style(block, "heading 1"):
            number += 1
            current = _section_key(block.stable_id or "") if block.stable_id else None
            title = _heading_title(block.text, current or "")
            count = 0
            blocks_open = []
            dynamic = False
            if current:
                sections[current] = SectionPlace(current, number, title, None)
            continue
        if current is None:
            continue
        text = block.text
        if not rendered and "{%p" in text:
            for tag in _BLOCK_TAG.findall(text):
                if tag in ("if", "for"):
                    blocks_open.append([tag, [0], False])
                elif tag in ("elif", "else") and blocks_open:
                    blocks_open[-1][1].append(0)
                    blocks_open[-1][2] = blocks_open[-1][2] or tag == "else"
                elif tag in ("endif", "endfor") and blocks_open:
                    kind, branches, has_else = blocks_open.pop()
                    fixed = kind == "if" and has_else and len(set(branches)) == 1
                    dynamic = dynamic or (not fixed and any(branches))
                    printed = branches[0] if fixed else sum(branches)
                    if blocks_open:
                        blocks_open[-1][1][-1] += printed
                    else:
                        count += printed
            continue
        match = _PLACEHOLDER.search(text) if not rendered else None
        if match:
            key = match.group(1)
            place = sections.get(current)
            sections[key] = SectionPlace(key, number, place.title if place else title, count, dynamic)
            continue
        if _is_style(block, "clause"):
            if rendered and (block.stable_id or "").startswith(CLAUSE):
                place = sections[current]
                if place.offset is None:
                    sections[current] = SectionPlace(current, number, place.title, count)
                continue
            if blocks_open:
                blocks_open[-1][1][-1] += 1
            else:
                count += 1
    return TemplateOutline(sections)


@lru_cache(maxsize=32)
def _template_outline(path: Path, mtime_ns: int, size: int) -> TemplateOutline:
    from .package import Package, serialize_part
    from .template_repair import repair

    package = Package.open(path)
    if repair(package):  # read the template as a render uses it (a re-save may have lost an anchor)
        name = package.main_document()
        package.parts[name] = serialize_part(package.xml(name))
    document = document_from_parts(package.parts, str(path))
    return outline_of_blocks(document.blocks)


def template_outline(path: Path) -> TemplateOutline:
    """Return the outline of the umbrella template at `path` (cached while the file is unchanged)."""
    stat = path.stat()
    return _template_outline(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _file_bytes(path: Path, mtime_ns: int, size: int) -> bytes:
    from .inputs import read_input

    return read_input(path)


def _same_file_content(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    sa, sb = a.stat(), b.stat()
    if sa.st_size != sb.st_size:
        return False
    return _file_bytes(a.resolve(), sa.st_mtime_ns, sa.st_size) == _file_bytes(b.resolve(), sb.st_mtime_ns, sb.st_size)


# ---------------------------------------------------------------------------- rendering (template changes only)


def _rendered_blocks(template, package) -> list[Block]:
    """Return the blocks of a template's document rendered into `package` (the one render path: render.py)."""
    root = package.xml(template.document)
    styles_name = package.related(template.document, RT_STYLES)
    styles = read_styles(parse_xml(package.parts[styles_name]) if styles_name in package.parts else None)
    return read_blocks(root.find(f"{{{W_NS}}}body"), styles)


def umbrella_blocks(checked: CheckedAgreement, umbrella: Path) -> list[Block]:
    """Return the blocks of the umbrella (Part A, appendices; no annexes) rendered with `checked`'s data."""
    from markupsafe import Markup

    from .render import prepared_template

    template = prepared_template(umbrella)
    package = template.new_package()
    context = template_namespace(build_context(checked).umbrella)
    context["annexes"] = Markup("")
    template.render_into(package, context)
    return _rendered_blocks(template, package)


def annex_blocks(context: dict, path: Path) -> list[Block]:
    """Return the blocks of one annex template rendered with an annex context."""
    from .render import annex_template

    annex = annex_template(path)
    root = parse_xml(annex.render_body(template_namespace(context)).encode("utf-8"))
    package = annex.prepared.package
    styles_name = package.related(annex.prepared.document, RT_STYLES)
    return read_blocks(root, read_styles(parse_xml(package.parts[styles_name]) if styles_name in package.parts else None))


def notice_blocks(checked: CheckedAgreement, path: Path) -> list[Block]:
    """Return the blocks of a decision notice template rendered for `checked`'s first policing body."""
    from .context import wrap
    from .models import SummitInfo
    from .notice import notice_contexts
    from .render import prepared_template

    info = checked.agreement.agreement
    contexts = notice_contexts(checked, SummitInfo(name="Summit", date=info.date or info.commencement))
    context = next(iter(contexts.values()))
    template = prepared_template(path)
    package = template.new_package()
    template.render_into(package, {key: wrap(value, key) for key, value in context.items()})
    return _rendered_blocks(template, package)


# ---------------------------------------------------------------------------- the diff


class _Numbering:
    """Where each section's agreement clauses print in one version (lazy: rendering only if needed)."""

    def __init__(self, checked: CheckedAgreement, templates: TemplateSet):
        self.checked = checked
        self.templates = templates
        self._outline: TemplateOutline | None = None
        self._rendered: TemplateOutline | None = None
        self._blocks: list[Block] | None = None

    def blocks(self) -> list[Block]:
        if self._blocks is None:
            self._blocks = umbrella_blocks(self.checked, self.templates.umbrella())
        return self._blocks

    @property
    def outline(self) -> TemplateOutline:
        if self._outline is None:
            self._outline = template_outline(self.templates.umbrella())
        return self._outline

    def place(self, key: str) -> SectionPlace:
        place = self.outline.sections.get(key)
        if place is not None and place.dynamic:
            if self._rendered is None:
                self._rendered = outline_of_blocks(self.blocks(), rendered=True)
            place = self._rendered.sections.get(key, place)
            if place.offset is None:  # no agreement clause printed there: count the template's
                place = SectionPlace(key, place.number, place.title, self._count(key))
        if place is None:
            return SectionPlace(key, SECTION_NUMBERS.get(key, 0), SECTION_TITLES.get(key, key), None)
        return place

    def _count(self, key: str) -> int:
        bookmark = bookmark_name(SECTION, key)
        return sum(1 for b in self.blocks() if b.path == bookmark and b.kind == "p" and _is_style(b, "clause"))

    def clause_number(self, key: str, index: int) -> str:
        """Return the printed number of the `index`-th (0-based) agreement clause of section `key`."""
        place = self.place(key)
        if place.offset is None or not place.number:
            return ""
        return f"{place.number}.{place.offset + index + 1}"


def diff_agreements(old: CheckedAgreement, new: CheckedAgreement, *, old_templates: TemplateSet | None = None,
                    new_templates: TemplateSet | None = None) -> ChangeSet:
    """Return every change from `old` to `new`, citing section and clause numbers as printed.

    Templates default to each agreement's own (DESIGN.md §2 lookup). Template wording is compared
    only when the two versions' templates differ.
    """
    old_templates = old_templates or find_templates(old.path)
    new_templates = new_templates or find_templates(new.path)
    old_numbers, new_numbers = _Numbering(old, old_templates), _Numbering(new, new_templates)
    a, b = old.agreement, new.agreement
    old_names = _force_names(old)
    new_names = _force_names(new)
    names = {**old_names, **new_names}

    changes: list[Change] = []
    changes += _agreement_changes(a, b)
    changes += _party_changes(old, new, old_names, new_names)
    function_changes, function_renumbered = _function_changes(a, b)
    changes += function_changes
    changes += _apportionment_changes(a, b, names)
    clause_changes, clause_renumbered = _clause_changes(a, b, old_numbers, new_numbers)
    changes += clause_changes
    template_changes, template_renumbered = _template_changes(new, old_templates, new_templates)
    changes += template_changes
    renumbered = _renumber_line(clause_renumbered + template_renumbered, function_renumbered)
    if renumbered:
        changes.append(renumbered)

    cost = new_numbers.place("cost_apportionment")
    return ChangeSet(
        title=b.agreement.title,
        reference=b.agreement.reference,
        old_label=old.label,
        new_label=new.label,
        old_version=a.agreement.version,
        new_version=b.agreement.version,
        old_date=format_date(a.agreement.date) if a.agreement.date else "undated",
        new_date=format_date(b.agreement.date) if b.agreement.date else "undated",
        old_status=a.agreement.status,
        new_status=b.agreement.status,
        cost_section=cost.number or None,
        changes=tuple(changes),
    )


def _force_names(checked: CheckedAgreement) -> dict[str, str]:
    known = checked.parties.parties.forces
    return {f: known[f].name for f in checked.agreement.forces if f in known}


# ---------------------------------------------------------------------------- agreement details and parties


_INFO_FIELDS = (
    ("title", "Title"),
    ("reference", "Reference"),
    ("version", "Version"),
    ("status", "Status"),
    ("date", "Date of the agreement"),
    ("commencement", "Commencement"),
    ("review", "Review date"),
    ("alliance", "Alliance"),
)


def _show(value: Any) -> str:
    if value is None:
        return "not set"
    if hasattr(value, "isoformat"):
        return format_date(value)
    return str(value)


def _agreement_changes(a: Agreement, b: Agreement) -> list[Change]:
    out = []
    for name, label in _INFO_FIELDS:
        old, new = getattr(a.agreement, name), getattr(b.agreement, name)
        if old == new:
            continue
        shown_old, shown_new = _show(old), _show(new)
        if name == "status":
            shown_old, shown_new = shown_old.capitalize(), shown_new.capitalize()
        out.append(Change(name, "agreement", f"{label} changes from {shown_old} to {shown_new}", id=name,
                          old=shown_old, new=shown_new))
    return out


_OFFICE_FIELDS = (
    ("name", "name", lambda f: f.name),
    ("area", "police area", lambda f: f.area),
    ("chief_officer", "chief officer", lambda f: f.chief_officer.title),
    ("chief_officer_holder", "chief officer holder", lambda f: f.chief_officer.holder),
    ("policing_body", "policing body", lambda f: f.policing_body.title),
    ("policing_body_holder", "policing body holder", lambda f: f.policing_body.holder),
    ("address", "address for notices", lambda f: f.policing_body.address),
)


def _party_changes(old: CheckedAgreement, new: CheckedAgreement, old_names: dict, new_names: dict) -> list[Change]:
    a, b = old.agreement, new.agreement
    out: list[Change] = []
    for f in b.forces:
        if f not in a.forces:
            force = new.parties.parties.forces[f]
            out.append(Change("force_joined", "parties",
                              f"{force.name} joins the agreement (the {force.chief_officer.title} and the "
                              f"{force.policing_body.title})", id=f, new=force.name))
    for f in a.forces:
        if f not in b.forces:
            force = old.parties.parties.forces[f]
            out.append(Change("force_left", "parties",
                              f"{force.name} leaves the agreement (the {force.chief_officer.title} and the "
                              f"{force.policing_body.title})", id=f, old=force.name))
    common_old = [f for f in a.forces if f in b.forces]
    common_new = [f for f in b.forces if f in a.forces]
    if common_old != common_new:
        out.append(Change("forces_reordered", "parties",
                          "Order of the forces changes from " + ", ".join(old_names[f] for f in common_old)
                          + " to " + ", ".join(new_names[f] for f in common_new), id="forces",
                          old=tuple(common_old), new=tuple(common_new)))
    if a.lead_force != b.lead_force:
        old_lead = old.parties.parties.forces[a.lead_force].name
        new_lead = new.parties.parties.forces[b.lead_force].name
        out.append(Change("lead_force", "parties", f"Lead force changes from {old_lead} to {new_lead}",
                          id="lead_force", old=old_lead, new=new_lead))
    for p in b.provisions:
        if p not in a.provisions:
            out.append(Change("provision_added", "parties", f"Provisions: {PROVISIONS[p]} added", id=p, new=PROVISIONS[p]))
    for p in a.provisions:
        if p not in b.provisions:
            out.append(Change("provision_removed", "parties", f"Provisions: {PROVISIONS[p]} removed", id=p,
                              old=PROVISIONS[p]))
    # the parties' own details, for forces in both versions (they are printed in the agreement)
    for f in common_new:
        x, y = old.parties.parties.forces[f], new.parties.parties.forces[f]
        for key, label, get in _OFFICE_FIELDS:
            vx, vy = get(x), get(y)
            if vx != vy:
                out.append(Change("party_details", "parties",
                                  f"{y.name}: {label} changes from {_quote(vx) if vx else 'none'} to "
                                  f"{_quote(vy) if vy else 'none'}", id=f"{f}.{key}", old=vx, new=vy))
    return out


# ---------------------------------------------------------------------------- Part B


def _fn_label(number: int, fn: Function) -> str:
    return f"Service Specification {number} {fn.name}"


_SPEC_LABELS = {"purpose": ("purpose", "purpose"), "services": ("service", "services"),
                "service_levels": ("service level", "service levels"), "governance": ("governance", "governance"),
                "reporting": ("reporting", "reporting")}


def _spec_data(fn: Function) -> dict[str, Any]:
    if isinstance(fn.specification, Specification):
        data = fn.specification.model_dump()
        return {k: v for k, v in data.items() if v not in (None, [], "")}
    return {}


def _spec_changes(number: int, x: Function, y: Function) -> list[Change]:
    where = _fn_label(number, y)
    base = dict(group="functions", id=y.id, number=str(number))
    out: list[Change] = []
    if (x.specification == "none") != (y.specification == "none"):
        if y.specification == "none":
            out.append(Change("specification_withdrawn", summary=f"{where}: the service specification is withdrawn"
                              + (f" ({_one_line(y.reason)})" if y.reason else ""), **base))
        else:
            out.append(Change("specification_added", summary=f"{where}: a service specification replaces the "
                              "page saying that none has been developed yet", **base))
    if x.reason != y.reason and y.specification == "none" and x.specification == "none":
        out.append(_text_change("specification_changed", f"{where}: reason for no specification", x.reason or "",
                                y.reason or "", base))
    if x.publish != y.publish:
        text = "is published again" if y.publish else "is withheld from the publication version"
        out.append(Change("publication_changed", summary=f"{where} {text}", old=x.publish, new=y.publish, **base))
    old, new = _spec_data(x), _spec_data(y)
    for key in list(dict.fromkeys([*new, *old])):
        vx, vy = old.get(key), new.get(key)
        if vx == vy:
            continue
        one, many = _SPEC_LABELS.get(key, (key.replace("_", " "), key.replace("_", " ")))
        if isinstance(vx, list) or isinstance(vy, list):
            lx = [str(v) for v in vx] if isinstance(vx, list) else ([] if vx is None else [str(vx)])
            ly = [str(v) for v in vy] if isinstance(vy, list) else ([] if vy is None else [str(vy)])
            out += _list_changes(where, one, lx, ly, base)
        else:
            sx, sy = "" if vx is None else str(vx), "" if vy is None else str(vy)
            if not sx:
                out.append(_added("specification_changed", f"{where}: {many} added", sy, base))
            elif not sy:
                out.append(_removed("specification_changed", f"{where}: {many} removed", sx, base))
            else:
                out.append(_text_change("specification_changed", f"{where}: {many}", sx, sy, base))
    return out


def _added(kind: str, lead: str, text: str, base: dict) -> Change:
    return Change(kind, summary=f"{lead}: {_quote(_one_line(text))}", lead=lead, new=text, **base)


def _removed(kind: str, lead: str, text: str, base: dict) -> Change:
    return Change(kind, summary=f"{lead}: {_quote(_one_line(text))}", lead=lead, old=text, **base)


def _text_change(kind: str, where: str, old: str, new: str, base: dict) -> Change:
    return Change(kind, summary=f"{where} reworded", old=old, new=new,
                  words=word_diff(_one_line(old), _one_line(new)), **base)


def _list_changes(where: str, label: str, old: list[str], new: list[str], base: dict) -> list[Change]:
    out: list[Change] = []
    for op, i1, i2, j1, j2 in textdiff.opcodes(old, new):
        if op == "equal":
            continue
        xs, ys = old[i1:i2], new[j1:j2]
        pairs = _pair_similar(xs, ys)
        paired_x = {i for i, _ in pairs}
        paired_y = {j for _, j in pairs}
        for i, x in enumerate(xs):
            if i not in paired_x:
                out.append(_removed("specification_changed", f"{where}: {label} removed", x, base))
        for i, j in pairs:
            out.append(_text_change("specification_changed", f"{where}: {label} {_quote(_one_line(xs[i]))}", xs[i],
                                    ys[j], base))
        for j, y in enumerate(ys):
            if j not in paired_y:
                out.append(_added("specification_changed", f"{where}: {label} added", y, base))
    return out


def _function_changes(a: Agreement, b: Agreement) -> tuple[list[Change], list[tuple[str, str]]]:
    old = {fn.id: (n, fn) for n, fn in enumerate(a.functions, start=1)}
    new = {fn.id: (n, fn) for n, fn in enumerate(b.functions, start=1)}
    out: list[Change] = []
    for fid, (n, fn) in old.items():
        if fid not in new:
            out.append(Change("function_removed", "functions", f"{fn.name} removed (was Service Specification {n})",
                              id=fid, old_number=str(n), old=fn.name))
    for fid, (n, fn) in new.items():
        if fid not in old:
            out.append(Change("function_added", "functions", f"{_fn_label(n, fn)} added", id=fid, number=str(n),
                              new=fn.name))
    for fid, (n, fn) in new.items():
        if fid in old and old[fid][1].name != fn.name:
            out.append(Change("function_renamed", "functions",
                              f"Service Specification {n} renamed from {_quote(old[fid][1].name)} to {_quote(fn.name)}",
                              id=fid, number=str(n), old_number=str(old[fid][0]), old=old[fid][1].name, new=fn.name,
                              words=word_diff(old[fid][1].name, fn.name)))
    # order: functions outside the longest common order have moved
    common_old = [f for f in old if f in new]
    common_new = [f for f in new if f in old]
    staying = {common_old[i] for i, _ in textdiff.matching_pairs(common_old, common_new)}
    moved = [f for f in common_new if f not in staying]
    if moved:
        text = "; ".join(f"{new[f][1].name} moves from Service Specification {old[f][0]} to {new[f][0]}" for f in moved)
        out.append(Change("functions_moved", "functions", f"Order of Part B changes: {text}", id=",".join(moved),
                          old=tuple(common_old), new=tuple(common_new)))
    for fid, (n, fn) in new.items():
        if fid in old:
            out += _spec_changes(n, old[fid][1], fn)
            if fn.apportionment is None and old[fid][1].apportionment is None and fn.budget != old[fid][1].budget:
                ob, nb = old[fid][1].budget, fn.budget
                out.append(Change("budget", "functions",
                                  f"{_fn_label(n, fn)}: budget {format_money(ob) if ob is not None else 'none'} → "
                                  f"{format_money(nb) if nb is not None else 'none'}", id=fid, number=str(n),
                                  old=ob, new=nb))
    # the renumbering that insertions and removals cause (a move already says where things went)
    renumbered = [] if moved else [(str(old[f][0]), str(new[f][0])) for f in common_new if old[f][0] != new[f][0]]
    return out, renumbered


# ---------------------------------------------------------------------------- cost apportionment


def formula_words(fn: Function | None) -> str:
    """Return a function's formula in a few words ("70% net revenue expenditure and 30% demand")."""
    if fn is None or fn.apportionment is None:
        return ""
    ap = fn.apportionment
    if ap.formula == "nre_and_demand" and ap.weights:
        return (f"{format_number(ap.weights.nre)}% net revenue expenditure and "
                f"{format_number(ap.weights.demand)}% demand")
    return {"equal": "equal shares", "fixed": "fixed shares", "nre": "net revenue expenditure", "demand": "demand",
            "nre_and_demand": "net revenue expenditure and demand"}[ap.formula]


def _uses(fn: Function | None, what: str) -> bool:
    if fn is None or fn.apportionment is None:
        return False
    formula = fn.apportionment.formula
    return {"nre": formula in ("nre", "nre_and_demand"), "demand": formula in ("demand", "nre_and_demand"),
            "fixed": formula == "fixed"}[what]


def _apportionment_changes(a: Agreement, b: Agreement, names: dict[str, str]) -> list[Change]:
    out: list[Change] = []
    forces = list(dict.fromkeys([*b.forces, *a.forces]))
    old_nre, new_nre = a.finance.net_revenue_expenditure, b.finance.net_revenue_expenditure
    nre_rows = []
    for f in forces:
        x, y = old_nre.get(f), new_nre.get(f)
        if x != y:
            nre_rows.append((f, x, y))
    nre_changed = bool(nre_rows)
    if nre_changed:
        parts = []
        for f, x, y in nre_rows:
            if x is None:
                parts.append(f"{names.get(f, f)} {format_money(y)} (new)")
            elif y is None:
                parts.append(f"{names.get(f, f)} {format_money(x)} (removed)")
            else:
                parts.append(f"{names.get(f, f)} {format_money(x)} → {format_money(y)} ({format_money(y - x, sign=True)})")
        count = len(nre_rows)
        out.append(Change("net_revenue_expenditure", "apportionment",
                          f"Net revenue expenditure changes for {count} force{'s' if count != 1 else ''}",
                          id="net_revenue_expenditure", details=tuple(parts)))
    old_figures = function_figures(a)
    new_figures = function_figures(b)
    old_fns = {fn.id: fn for fn in a.functions}
    for number, fn in enumerate(b.functions, start=1):
        before = old_fns.get(fn.id)
        if fn.apportionment is None and (before is None or before.apportionment is None):
            continue
        change = _function_apportionment(before, fn, old_figures.get(fn.id), new_figures.get(fn.id),
                                         a, b, names, nre_changed)
        if change is None:
            continue
        label = _fn_label(number, fn)
        if before is None:
            summary = f"{label} (new): cost apportionment by {change.new_formula}"
        else:
            bits = []
            if change.old_formula != change.new_formula:
                bits.append("formula changes")
            if change.old_budget is not None and change.new_budget is not None and change.old_budget != change.new_budget:
                bits.append(f"budget {format_money(change.new_budget - change.old_budget, sign=True)}")
            summary = f"{label}: cost apportionment changes" + (f" ({'; '.join(bits)})" if bits else "")
        out.append(Change("apportionment", "apportionment", summary, id=fn.id, number=str(number),
                          apportionment=change))
    return out


def _function_apportionment(x: Function | None, y: Function, fx: FunctionFigures | None, fy: FunctionFigures | None,
                            a: Agreement, b: Agreement, names: dict[str, str], nre_changed: bool
                            ) -> ApportionmentChange | None:
    old_by = fx.by_force() if fx else {}
    new_by = fy.by_force() if fy else {}
    forces = list(dict.fromkeys([*b.forces, *(a.forces if x is not None else [])]))
    inputs: list[InputChange] = []
    labels: list[str] = []
    cells: dict[str, list[str]] = {f: [] for f in forces}
    if x is not None:
        # fixed shares are not a column of their own: they are the share column
        for what, label, fmt in (("demand", "demand", format_number),):
            if not (_uses(x, what) or _uses(y, what)):
                continue
            ox = (x.apportionment.demand if what == "demand" else x.apportionment.shares) if _uses(x, what) else None
            oy = (y.apportionment.demand if what == "demand" else y.apportionment.shares) if _uses(y, what) else None
            ox, oy = ox or {}, oy or {}
            found = [InputChange(label, names.get(f, f), fmt(ox[f]) if f in ox else "–",
                                 fmt(oy[f]) if f in oy else "–", f) for f in forces if ox.get(f) != oy.get(f)]
            if not found:
                continue
            inputs += found
            labels.append(label)
            changed = {i.force_id: i for i in found}
            for f in forces:
                cells[f].append(f"{changed[f].old} → {changed[f].new}" if f in changed else fmt(oy[f]) if f in oy else "–")
    rows = []
    for f in forces:
        so, sn = old_by.get(f), new_by.get(f)
        rows.append(ShareRow(f, names.get(f, f), so.percent if so else None, sn.percent if sn else None,
                             so.contribution if so else None, sn.contribution if sn else None, tuple(cells[f])))
    uses_nre = _uses(x, "nre") or _uses(y, "nre")
    change = ApportionmentChange(formula_words(x), formula_words(y), x.budget if x else None, y.budget,
                                 tuple(inputs), tuple(rows), nre_changed=bool(x is not None and uses_nre and nre_changed),
                                 input_labels=tuple(labels))
    if x is None:
        return change
    figures_same = all(r.old_share == r.new_share and r.old_contribution == r.new_contribution for r in rows)
    if (figures_same and not inputs and not change.nre_changed and change.old_formula == change.new_formula
            and change.old_budget == change.new_budget):
        return None
    return change


# ---------------------------------------------------------------------------- Part A agreement clauses


@dataclass(frozen=True)
class _Item:
    key: str
    index: int
    clause: Clause

    @property
    def ident(self) -> str:
        return clause_id(self.key, self.clause.text, self.clause.id)


def _section_where(place: SectionPlace) -> str:
    return f"Section {place.number} {place.title}" if place.number else place.title


def _clause_changes(a: Agreement, b: Agreement, old_numbers: _Numbering, new_numbers: _Numbering
                    ) -> tuple[list[Change], list[tuple[str, str]]]:
    keys = [k for k in SECTION_KEYS if k in a.clauses or k in b.clauses]
    keys += [k for k in list(dict.fromkeys([*b.clauses, *a.clauses])) if k not in keys]
    removed: list[_Item] = []
    inserted: list[_Item] = []
    pairs: list[tuple[_Item, _Item]] = []
    for key in keys:
        xs = [_Item(key, i, c) for i, c in enumerate(a.clauses.get(key, ()))]
        ys = [_Item(key, i, c) for i, c in enumerate(b.clauses.get(key, ()))]
        matched_x: set[int] = set()
        matched_y: set[int] = set()
        # 1. explicit ids
        by_id = {y.clause.id: y for y in ys if y.clause.id}
        for x in xs:
            if x.clause.id and x.clause.id in by_id:
                y = by_id[x.clause.id]
                pairs.append((x, y))
                matched_x.add(x.index)
                matched_y.add(y.index)
        # 2. identical text (the first unmatched new clause with the same text, as in reading order)
        same_text: dict[str, deque[_Item]] = {}
        for y in ys:
            if y.index not in matched_y:
                same_text.setdefault(y.clause.text, deque()).append(y)
        for x in xs:
            if x.index in matched_x:
                continue
            candidates = same_text.get(x.clause.text, deque())
            while candidates and candidates[0].index in matched_y:
                candidates.popleft()
            y = next((y for y in candidates if y.index not in matched_y and not (
                x.clause.id and y.clause.id and x.clause.id != y.clause.id)), None)
            if y is not None:
                pairs.append((x, y))
                matched_x.add(x.index)
                matched_y.add(y.index)
        # 3. similar text, where at most one side has an explicit id
        rest_x = [x for x in xs if x.index not in matched_x]
        rest_y = [y for y in ys if y.index not in matched_y]
        candidates = _pair_similar([x.clause.text for x in rest_x], [y.clause.text for y in rest_y])
        for i, j in candidates:
            x, y = rest_x[i], rest_y[j]
            if x.clause.id and y.clause.id:
                continue
            pairs.append((x, y))
            matched_x.add(x.index)
            matched_y.add(y.index)
        removed += [x for x in xs if x.index not in matched_x]
        inserted += [y for y in ys if y.index not in matched_y]
    # 4. an explicit id in another section: the clause moved
    moved: list[tuple[_Item, _Item]] = []
    by_id_inserted = {y.clause.id: y for y in inserted if y.clause.id}
    for x in removed:
        if x.clause.id and x.clause.id in by_id_inserted:
            moved.append((x, by_id_inserted.pop(x.clause.id)))
    if moved:
        gone = {id(item) for pair in moved for item in pair}
        removed = [x for x in removed if id(x) not in gone]
        inserted = [y for y in inserted if id(y) not in gone]

    out: list[Change] = []
    renumbered: list[tuple[str, str]] = []

    def base(place: SectionPlace, item: _Item) -> dict:
        return dict(group="clauses", id=item.ident, section_key=place.key, section_number=place.number or None,
                    section_title=place.title)

    for y in inserted:
        place = new_numbers.place(y.key)
        number = new_numbers.clause_number(y.key, y.index)
        lead = f"{_section_where(place)}: {_cite(number)} inserted"
        out.append(Change("clause_inserted", summary=f"{lead}: {_quote(_one_line(y.clause.text))}", lead=lead,
                          number=number, new=y.clause.text, **base(place, y)))
    for x in removed:
        place = old_numbers.place(x.key)
        number = old_numbers.clause_number(x.key, x.index)
        lead = f"{_section_where(place)}: {_cite(number)} removed"
        out.append(Change("clause_removed", summary=f"{lead}: {_quote(_one_line(x.clause.text))}", lead=lead,
                          old_number=number, old=x.clause.text, **base(place, x)))
    for x, y in pairs:
        old_number = old_numbers.clause_number(x.key, x.index)
        number = new_numbers.clause_number(y.key, y.index)
        if x.clause.text == y.clause.text:
            if old_number != number and old_number and number:
                renumbered.append((old_number, number))
            continue
        place = new_numbers.place(y.key)
        was = f" (was {old_number})" if old_number and old_number != number else ""
        out.append(Change("clause_reworded", summary=f"{_section_where(place)}: {_cite(number)} reworded{was}",
                          number=number, old_number=old_number, old=x.clause.text, new=y.clause.text,
                          words=word_diff(_one_line(x.clause.text), _one_line(y.clause.text)), **base(place, y)))
    for x, y in moved:
        old_place, place = old_numbers.place(x.key), new_numbers.place(y.key)
        old_number = old_numbers.clause_number(x.key, x.index)
        number = new_numbers.clause_number(y.key, y.index)
        text = f"{_section_where(place)}: {_cite(number)} moved from {_section_where(old_place)}" + (
            f" (was {old_number})" if old_number else "")
        words = ()
        if x.clause.text != y.clause.text:
            text += " and reworded"
            words = word_diff(_one_line(x.clause.text), _one_line(y.clause.text))
        out.append(Change("clause_moved", summary=text, number=number, old_number=old_number, old=x.clause.text,
                          new=y.clause.text, words=words, **base(place, y)))
    out.sort(key=lambda c: (c.section_number or 999, _number_key(c.number or c.old_number), c.kind))
    return out, renumbered


def _cite(number: str) -> str:
    return f"clause {number}" if number else "an agreement clause (not printed: the template has no place for it)"


def _number_key(number: str) -> tuple:
    parts = re.findall(r"\d+", number)
    return tuple(int(p) for p in parts) or (0,)


# ---------------------------------------------------------------------------- template wording


@dataclass(frozen=True)
class _Para:
    group: str  # section key, appendix id or heading text
    group_title: str
    number: int | None  # section number for Part A sections
    label: str  # "6.3", "6.2(b)", "(C)", "" for unnumbered paragraphs
    text: str


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = _LETTERS[r] + out
    return out


def _template_paragraphs(blocks: list[Block], *, annex: bool = False) -> dict[str, list[_Para]]:
    """Return the template paragraphs of a rendered umbrella (or annex) by heading, with their printed labels.

    Agreement clauses (`_AB_C_`) and tables (data) are left out: they are not template wording.
    """
    groups: dict[str, list[_Para]] = {}
    group, title, number = "", "Cover page", None
    heading_n = clause_n = item_n = recital_n = party_n = 0
    annex_n = annex_clause = 0
    for block in blocks:
        if block.kind != "p":
            continue
        sid = block.stable_id or ""
        if sid.startswith(CLAUSE):
            clause_n += 1  # agreement clauses take a number too
            item_n = 0
            continue
        text = _one_line(block.text)
        if _is_style(block, "heading 1"):
            heading_n += 1
            key = _section_key(sid) if sid.startswith(SECTION) else None
            group, title, number = (key or f"heading:{text}"), text, heading_n
            clause_n = item_n = 0
            groups.setdefault(group, []).append(_Para(group, title, number, "heading", text))
            continue
        if block.is_heading or _is_style(block, "unnumbered heading"):
            if block.is_heading:
                group = sid or f"heading:{text}"
                title, number = text, None
            groups.setdefault(group, []).append(_Para(group, title, number, "heading", text))
            continue
        if not text:
            continue
        label = ""
        if _is_style(block, "clause") and number is not None:
            clause_n += 1
            item_n = 0
            label = f"{number}.{clause_n}"
        elif _is_style(block, "clause item") and number is not None:
            item_n += 1
            label = f"{number}.{clause_n}({_letters(item_n)})"
        elif _is_style(block, "recital"):
            recital_n += 1
            label = f"({_letters(recital_n).upper()})"
        elif _is_style(block, "party"):
            party_n += 1
            label = f"({party_n})"
        elif annex and _is_style(block, "annex heading"):
            annex_n += 1
            annex_clause = 0
            label = str(annex_n)
        elif annex and _is_style(block, "annex clause"):
            annex_clause += 1
            label = f"{annex_n}.{annex_clause}"
        groups.setdefault(group, []).append(_Para(group, title, number, label, text))
    return groups


def _compare_paragraphs(old: dict[str, list[_Para]], new: dict[str, list[_Para]], where_prefix: str = ""
                        ) -> tuple[list[Change], list[tuple[str, str]]]:
    out: list[Change] = []
    renumbered: list[tuple[str, str]] = []
    order = list(dict.fromkeys([*new, *old]))

    def where(p: _Para) -> str:
        if where_prefix:
            return where_prefix
        if p.number is not None:
            return f"Section {p.number} {p.group_title}"
        return p.group_title

    def cite(p: _Para) -> str:
        return "template " + (f"clause {p.label}" if p.label and p.label[0].isdigit() else (
            f"recital {p.label}" if p.label.startswith("(") and p.label[1:-1].isalpha() else (
                f"paragraph {p.label}" if p.label and p.label != "heading" else "paragraph")))

    for group in order:
        xs, ys = old.get(group, []), new.get(group, [])
        base = dict(group="template", id=group)
        section = {}
        probe = (ys or xs)[0]
        if probe.number is not None:
            section = dict(section_key=group, section_number=probe.number, section_title=probe.group_title)
        if not xs:
            out.append(Change("template_section_added", summary=f"{where(ys[0])} added to the template",
                              new=" ".join(p.text for p in ys), **base))
            continue
        if not ys:
            out.append(Change("template_section_removed", summary=f"{where(xs[0])} removed from the template",
                              old=" ".join(p.text for p in xs), **base))
            continue
        for op, i1, i2, j1, j2 in textdiff.opcodes([p.text for p in xs], [p.text for p in ys]):
            if op == "equal":
                for p, q in zip(xs[i1:i2], ys[j1:j2]):
                    if p.label != q.label and p.label and q.label and p.label != "heading":
                        renumbered.append((p.label, q.label))
                continue
            px, py = xs[i1:i2], ys[j1:j2]
            pairs = _pair_similar([p.text for p in px], [p.text for p in py])
            done_x = {i for i, _ in pairs}
            done_y = {j for _, j in pairs}
            for i, j in pairs:
                p, q = px[i], py[j]
                if q.label == "heading":
                    summary = f"{where(p)}: heading reworded to {_quote(q.text)}"
                else:
                    was = f" (was {p.label})" if p.label and p.label != q.label else ""
                    summary = f"{where(q)}: {cite(q)} reworded{was}"
                out.append(Change("template_reworded", summary=summary, number=q.label, old_number=p.label,
                                  old=p.text, new=q.text, words=word_diff(p.text, q.text), **base, **section))
            for i, p in enumerate(px):
                if i not in done_x:
                    out.append(_removed("template_removed", f"{where(p)}: {cite(p)} removed", p.text,
                                        dict(old_number=p.label, **base, **section)))
            for j, q in enumerate(py):
                if j not in done_y:
                    out.append(_added("template_inserted", f"{where(q)}: {cite(q)} inserted", q.text,
                                      dict(number=q.label, **base, **section)))
    return out, renumbered


def _template_changes(new: CheckedAgreement, old_templates: TemplateSet, new_templates: TemplateSet
                      ) -> tuple[list[Change], list[tuple[str, str]]]:
    """Return the template wording changes: both versions' templates rendered with NEW's data, compared.

    Every template an agreement's documents come from: the umbrella, each annex template its
    functions use (in the full and the publication version), and the decision notice.
    """
    out: list[Change] = []
    renumbered: list[tuple[str, str]] = []
    old_umbrella, new_umbrella = old_templates.umbrella(), new_templates.umbrella()
    if not _same_file_content(old_umbrella, new_umbrella):
        before = _template_paragraphs(umbrella_blocks(new, old_umbrella))
        after = _template_paragraphs(umbrella_blocks(new, new_umbrella))
        changes, numbers = _compare_paragraphs(before, after)
        out += changes
        renumbered += numbers
    # annex templates: each pair of differing files once, rendered with the first function using it
    b = new.agreement
    pairs: dict[tuple[Path, Path], list[int]] = {}
    for number, fn in enumerate(b.functions, start=1):
        kinds = [annex_kind(fn, False)] + (["withheld"] if not fn.publish else [])
        for kind in kinds:
            x, y = old_templates.annex(fn.id, kind), new_templates.annex(fn.id, kind)
            if not _same_file_content(x, y):
                pairs.setdefault((x, y), []).append(number)
    if pairs:
        ctx = build_context(new)
        for (x, y), numbers in pairs.items():
            plan = ctx.annexes[numbers[0] - 1]
            before = _template_paragraphs(annex_blocks(plan.context, x), annex=True)
            after = _template_paragraphs(annex_blocks(plan.context, y), annex=True)
            used = ", ".join(str(n) for n in numbers)
            prefix = f"Annex template {y.name} (Service Specification{'s' if len(numbers) > 1 else ''} {used})"
            changes, _ = _compare_paragraphs(_flatten(before), _flatten(after), prefix)
            out += changes
    old_notice, new_notice = old_templates.decision_notice(), new_templates.decision_notice()
    if b.forces and not _same_file_content(old_notice, new_notice):
        before = _template_paragraphs(notice_blocks(new, old_notice), annex=True)
        after = _template_paragraphs(notice_blocks(new, new_notice), annex=True)
        changes, _ = _compare_paragraphs(_flatten(before, "decision_notice", headings=True),
                                         _flatten(after, "decision_notice", headings=True),
                                         f"Decision notice template {new_notice.name}")
        out += changes
    return out, renumbered


def _flatten(groups: dict[str, list[_Para]], name: str = "annex", *, headings: bool = False
             ) -> dict[str, list[_Para]]:
    """Return a document's paragraphs as one group `name` (an annex is one unit; its title carries data).

    `headings`: keep the headings as paragraphs (a decision notice's headings are fixed wording).
    """
    items = [p for ps in groups.values() for p in ps if headings or p.label != "heading"]
    return {name: [_Para(name, "", None, "" if p.label == "heading" else p.label, p.text)
                   for p in items]} if items else {}


# ---------------------------------------------------------------------------- renumbering


def _ranges(pairs: list[tuple[str, str]]) -> list[str]:
    """Return "8.5–8.6 become 8.6–8.7"-style phrases for consecutive renumberings."""
    def split(label: str) -> tuple[str, int] | None:
        m = re.fullmatch(r"(.*?)(\d+)", label)
        return (m.group(1), int(m.group(2))) if m else None

    out: list[str] = []
    run: list[tuple[str, str]] = []

    def flush():
        if not run:
            return
        if len(run) == 1:
            out.append(f"{run[0][0]} becomes {run[0][1]}")
        else:
            out.append(f"{run[0][0]}–{run[-1][0]} become {run[0][1]}–{run[-1][1]}")
        run.clear()

    for old, new in pairs:
        if run:
            po, pn = split(run[-1][0]), split(run[-1][1])
            co, cn = split(old), split(new)
            if (po and pn and co and cn and po[0] == co[0] and pn[0] == cn[0] and co[1] == po[1] + 1
                    and cn[1] == pn[1] + 1):
                run.append((old, new))
                continue
            flush()
        run.append((old, new))
    flush()
    return out


def _renumber_line(clauses: list[tuple[str, str]], functions: list[tuple[str, str]]) -> Change | None:
    """Return the one line saying what was renumbered as a consequence of other changes, or None."""
    parts = []
    if clauses:
        parts.append("clause " + ", ".join(_ranges(sorted(set(clauses), key=lambda p: _number_key(p[1])))))
    if functions:
        parts.append("Service Specification " + ", ".join(_ranges(functions)))
    if not parts:
        return None
    return Change("renumbered", "renumbering", "Renumbered as a result of the changes above: " + "; ".join(parts),
                  id="renumbering", old=tuple(clauses + functions))
