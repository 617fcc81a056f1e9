"""Numbers as the documents print them: sections, agreement clauses, and what a change renumbers.

Why from the template: a reviewer reads "clause 8.5 inserted", so a change cites the number
the agreement prints. The umbrella template says where each section's agreement clauses
print and how many template clauses come before them (read once per template file, not by
rendering the agreement). Only when that count depends on the data (a `{%p if %}` before
the clauses) is the umbrella rendered (render.py) and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..docmodel import Block, document_from_parts, package_blocks
from ..ooxml import CLAUSE, SECTION, bookmark_name
from ..outline import SECTION_KEYS, SECTION_NUMBERS, SECTION_TITLES
from ..package import Package, serialize_part
from ..render import render_umbrella
from ..template_repair import repair
from ..templates import TemplateSet
from ..validate import CheckedAgreement
from .changeset import Change


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


def is_style(block: Block, name: str) -> bool:
    """Return whether a block is in paragraph style `name` (by its name, or by Word's id for it)."""
    return block.style_name.lower() == name.lower() or block.style_id.lower() == name.replace(" ", "").lower()


def section_key(path: str) -> str | None:
    """Return the Part A section key of a heading path (its `_AB_S_` bookmark), or None."""
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
        if is_style(block, "heading 1"):
            number += 1
            current = section_key(block.stable_id or "") if block.stable_id else None
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
        if is_style(block, "clause"):
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


class Numbering:
    """Where each section's agreement clauses print in one version (lazy: the umbrella is rendered only if needed)."""

    def __init__(self, checked: CheckedAgreement, templates: TemplateSet):
        self.checked = checked
        self.templates = templates
        self._outline: TemplateOutline | None = None
        self._rendered: TemplateOutline | None = None
        self._blocks: list[Block] | None = None

    def blocks(self) -> list[Block]:
        if self._blocks is None:
            self._blocks = package_blocks(render_umbrella(self.checked, self.templates.umbrella()))
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
        return sum(1 for b in self.blocks() if b.path == bookmark and b.kind == "p" and is_style(b, "clause"))

    def clause_number(self, key: str, index: int) -> str:
        """Return the printed number of the `index`-th (0-based) agreement clause of section `key`."""
        place = self.place(key)
        if place.offset is None or not place.number:
            return ""
        return f"{place.number}.{place.offset + index + 1}"


def number_key(number: str) -> tuple:
    """Return a printed number ("8.12", "4") as a key that sorts as numbers do."""
    parts = re.findall(r"\d+", number)
    return tuple(int(p) for p in parts) or (0,)


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


def renumber_line(clauses: list[tuple[str, str]], functions: list[tuple[str, str]]) -> Change | None:
    """Return the one line saying what was renumbered as a consequence of other changes, or None."""
    parts = []
    if clauses:
        parts.append("clause " + ", ".join(_ranges(sorted(set(clauses), key=lambda p: number_key(p[1])))))
    if functions:
        parts.append("Service Specification " + ", ".join(_ranges(functions)))
    if not parts:
        return None
    return Change("renumbered", "renumbering", "Renumbered as a result of the changes above: " + "; ".join(parts),
                  id="renumbering", old=tuple(clauses + functions))
