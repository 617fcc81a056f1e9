"""What changed in the templates' own wording, both versions' templates rendered with NEW's data.

Only when the two versions' templates differ (a legal officer reworded the umbrella, an annex
template or the decision notice): each template is rendered through render.py, the one render
path, with NEW's data, and the two are compared paragraph by paragraph, citing template
clauses by their printed numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import textdiff
from ..context import annex_kind, build_context
from ..docmodel import Block, package_blocks
from ..inputs import read_input
from ..models import SummitInfo
from ..notice import exempt_contexts, notice_contexts
from ..ooxml import CLAUSE, SECTION
from ..render import render_template, render_umbrella
from ..templates import TemplateSet
from ..validate import CheckedAgreement
from .changeset import Change, added, one_line, pair_similar, quote, removed, word_diff
from .numbering import is_style, section_key


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
        text = one_line(block.text)
        if is_style(block, "heading 1"):
            heading_n += 1
            key = section_key(sid) if sid.startswith(SECTION) else None
            group, title, number = (key or f"heading:{text}"), text, heading_n
            clause_n = item_n = 0
            groups.setdefault(group, []).append(_Para(group, title, number, "heading", text))
            continue
        if block.is_heading or is_style(block, "unnumbered heading"):
            if block.is_heading:
                group = sid or f"heading:{text}"
                title, number = text, None
            groups.setdefault(group, []).append(_Para(group, title, number, "heading", text))
            continue
        if not text:
            continue
        label = ""
        if is_style(block, "clause") and number is not None:
            clause_n += 1
            item_n = 0
            label = f"{number}.{clause_n}"
        elif is_style(block, "clause item") and number is not None:
            item_n += 1
            label = f"{number}.{clause_n}({_letters(item_n)})"
        elif is_style(block, "recital"):
            recital_n += 1
            label = f"({_letters(recital_n).upper()})"
        elif is_style(block, "party"):
            party_n += 1
            label = f"({party_n})"
        elif annex and is_style(block, "annex heading"):
            annex_n += 1
            annex_clause = 0
            label = str(annex_n)
        elif annex and is_style(block, "annex clause"):
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
            pairs = pair_similar([p.text for p in px], [p.text for p in py])
            done_x = {i for i, _ in pairs}
            done_y = {j for _, j in pairs}
            for i, j in pairs:
                p, q = px[i], py[j]
                if q.label == "heading":
                    summary = f"{where(p)}: heading reworded to {quote(q.text)}"
                else:
                    was = f" (was {p.label})" if p.label and p.label != q.label else ""
                    summary = f"{where(q)}: {cite(q)} reworded{was}"
                out.append(Change("template_reworded", summary=summary, number=q.label, old_number=p.label,
                                  old=p.text, new=q.text, words=word_diff(p.text, q.text), **base, **section))
            for i, p in enumerate(px):
                if i not in done_x:
                    out.append(removed("template_removed", f"{where(p)}: {cite(p)} removed", p.text,
                                        dict(old_number=p.label, **base, **section)))
            for j, q in enumerate(py):
                if j not in done_y:
                    out.append(added("template_inserted", f"{where(q)}: {cite(q)} inserted", q.text,
                                      dict(number=q.label, **base, **section)))
    return out, renumbered


def template_changes(new: CheckedAgreement, old_templates: TemplateSet, new_templates: TemplateSet
                      ) -> tuple[list[Change], list[tuple[str, str]]]:
    """Return the template wording changes: both versions' templates rendered with NEW's data, compared.

    Every template an agreement's documents come from: the umbrella, each annex template its
    functions use (in the full and the publication version), and the decision notice.
    """
    out: list[Change] = []
    renumbered: list[tuple[str, str]] = []
    old_umbrella, new_umbrella = old_templates.umbrella(), new_templates.umbrella()
    if not same_file_content(old_umbrella, new_umbrella):
        before = _template_paragraphs(_umbrella_blocks(new, old_umbrella))
        after = _template_paragraphs(_umbrella_blocks(new, new_umbrella))
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
            if not same_file_content(x, y):
                pairs.setdefault((x, y), []).append(number)
    if pairs:
        ctx = build_context(new)
        for (x, y), numbers in pairs.items():
            plan = ctx.annexes[numbers[0] - 1]
            before = _template_paragraphs(_annex_blocks(plan.context, x), annex=True)
            after = _template_paragraphs(_annex_blocks(plan.context, y), annex=True)
            used = ", ".join(str(n) for n in numbers)
            prefix = f"Annex template {y.name} (Service Specification{'s' if len(numbers) > 1 else ''} {used})"
            changes, _ = _compare_paragraphs(_flatten(before), _flatten(after), prefix)
            out += changes
    old_notice, new_notice = old_templates.decision_notice(), new_templates.decision_notice()
    if b.forces and not same_file_content(old_notice, new_notice):
        before = _template_paragraphs(_notice_blocks(new, old_notice), annex=True)
        after = _template_paragraphs(_notice_blocks(new, new_notice), annex=True)
        changes, _ = _compare_paragraphs(_flatten(before, "decision_notice", headings=True),
                                         _flatten(after, "decision_notice", headings=True),
                                         f"Decision notice template {new_notice.name}")
        out += changes
    if b.forces and exempt_contexts(new, _notice_summit(new)):  # the notices' exempt parts (functions withheld)
        old_exempt, new_exempt = old_templates.decision_notice_exempt(), new_templates.decision_notice_exempt()
        if not same_file_content(old_exempt, new_exempt):
            before = _template_paragraphs(_notice_blocks(new, old_exempt, exempt=True), annex=True)
            after = _template_paragraphs(_notice_blocks(new, new_exempt, exempt=True), annex=True)
            changes, _ = _compare_paragraphs(_flatten(before, "decision_notice_exempt", headings=True),
                                             _flatten(after, "decision_notice_exempt", headings=True),
                                             f"Decision notice exempt part template {new_exempt.name}")
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


@lru_cache(maxsize=64)
def _file_bytes(path: Path, mtime_ns: int, size: int) -> bytes:
    return read_input(path)


def same_file_content(a: Path, b: Path) -> bool:
    """Return whether two template files hold the same bytes (then their wording cannot differ)."""
    if a.resolve() == b.resolve():
        return True
    sa, sb = a.stat(), b.stat()
    if sa.st_size != sb.st_size:
        return False
    return _file_bytes(a.resolve(), sa.st_mtime_ns, sa.st_size) == _file_bytes(b.resolve(), sb.st_mtime_ns, sb.st_size)


# ---------------------------------------------------------------------------- the diff


# ---------------------------------------------------------------------------- the documents compared, from render.py


def _umbrella_blocks(checked: CheckedAgreement, path: Path) -> list[Block]:
    return package_blocks(render_umbrella(checked, path))


def _annex_blocks(context: dict, path: Path) -> list[Block]:
    return package_blocks(render_template(path, context, body_only=True))


def _notice_summit(checked: CheckedAgreement) -> SummitInfo:
    info = checked.agreement.agreement
    return SummitInfo(name="Summit", date=info.date or info.commencement)


def _notice_blocks(checked: CheckedAgreement, path: Path, *, exempt: bool = False) -> list[Block]:
    """Return the decision notice template (or its exempt part's) rendered for `checked`'s first policing body."""
    contexts = (exempt_contexts if exempt else notice_contexts)(checked, _notice_summit(checked))
    return package_blocks(render_template(path, next(iter(contexts.values()))))
