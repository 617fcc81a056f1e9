"""A rendered agreement as a lawyer cites it: recitals, clauses, sub-clauses, definitions, paragraphs.

Why: an amendment says "In clause 8.2, for ... substitute ...", so it must cite the number a
reader sees in Word. Word numbers headings, clauses and their items itself (automatic
multilevel numbering, never typed), so the numbers are counted here the way Word counts them:
recitals (A), (B), ...; sections 1, 2, ... (Heading 1); clauses 8.1, 8.2, ... (Clause);
sub-clauses (a), (b), ... (Clause Item); and in Part B, in each Service Specification,
paragraphs 1, 2, ... (Annex Heading) and 1.1, 1.2, ... (Annex Clause), each table belonging
to the paragraph before it. A sub-clause of clause 1.1 that begins with a quoted term is a
definition, cited by its term.

Data only: the outline of one rendered document (a `docmodel` reading of render.py's output),
with the stable ids the document carries, for amendments.py to align and cite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .docmodel import Block, cell_text, document_from_parts, table_rows
from .ooxml import APPENDIX, CLAUSE, FUNCTION, SECTION, TC
from .package import read_docx_parts

_DEFINED = re.compile(r"\A“([^”]+)”")


def letters(n: int, upper: bool = False) -> str:
    """Return Word's letter numbering for the `n`-th item (1 → a, 26 → z, 27 → aa, 28 → bb)."""
    base = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if upper else "abcdefghijklmnopqrstuvwxyz"
    return base[(n - 1) % 26] * ((n - 1) // 26 + 1)


@dataclass
class Item:
    """A sub-clause (Clause Item): "(c)", or a definition of clause 1.1 ("Lead Force")."""

    letter: str
    text: str
    term: str = ""  # the defined term, for a definition


@dataclass
class Clause:
    """A numbered clause of Part A with its sub-clauses."""

    number: str  # "8.2"
    text: str
    ident: str = ""  # the agreement clause's stable id (its `_AB_C_` bookmark), if any
    items: list[Item] = field(default_factory=list)


@dataclass
class Section:
    """A Part A section: its key (stable id), number, title and clauses."""

    key: str
    number: int
    title: str
    clauses: list[Clause] = field(default_factory=list)


@dataclass
class Table:
    """A table as rows of cell texts, with the label printed just above it ("Demand"), if any."""

    label: str
    rows: list[list[str]]


@dataclass
class Paragraph:
    """A numbered paragraph of a Service Specification ("6.3"), with the tables that follow it."""

    number: str
    text: str
    heading: bool = False  # an Annex Heading ("6 Cost Apportionment")
    tables: list[Table] = field(default_factory=list)


@dataclass
class Specification:
    """A Part B annex: its function id, number, name and paragraphs."""

    ident: str
    number: int
    name: str
    title: str  # as printed: "Service Specification 3: Dog Unit"
    paragraphs: list[Paragraph] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # unnumbered text (a page saying no specification is agreed)

    def citation(self) -> str:
        return f"Service Specification {self.number} ({self.name})"


@dataclass
class Appendix:
    """An appendix to Part A: its id, title, and everything it prints (paragraphs and table cells), in order."""

    ident: str
    number: int
    title: str
    texts: list[str] = field(default_factory=list)


@dataclass
class Outline:
    """Everything an amendment can cite in one rendered agreement."""

    recitals: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    appendices: list[Appendix] = field(default_factory=list)
    part_b_intro: list[str] = field(default_factory=list)
    specifications: list[Specification] = field(default_factory=list)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def _style(block: Block) -> str:
    return (block.style_name or block.style_id or "").lower()


def outline_of(data: bytes, label: str = "<docx>") -> Outline:
    """Return the outline of a rendered agreement (.docx bytes), numbered as Word shows it."""
    document = document_from_parts(read_docx_parts(data, label=label), label)
    return outline_of_blocks(document.blocks)


def outline_of_blocks(blocks: list[Block]) -> Outline:
    """Return the outline of a rendered agreement's body blocks."""
    out = Outline()
    area = "front"  # front | part_a | appendix | part_b
    section: Section | None = None
    appendix: Appendix | None = None
    spec: Specification | None = None
    heading_no = clause_no = 0
    pending_label = ""
    for block in blocks:
        ident = block.stable_id or ""
        if block.kind == "tbl":
            rows = [[cell_text(tc) for tc in row if tc.tag == TC] for row in table_rows(block.element)]
            if area == "appendix" and appendix is not None:
                appendix.texts.extend("\t".join(r) for r in rows)
            elif area == "part_b" and spec is not None and spec.paragraphs:
                spec.paragraphs[-1].tables.append(Table(pending_label, rows))
            pending_label = ""
            continue
        style, text = _style(block), block.text
        if style == "part heading":
            area = "part_a" if not out.sections and area == "front" else "part_b"
            continue
        if style == "recital" and area == "front":
            out.recitals.append(text)
        elif style == "heading 1" and ident.startswith(SECTION):
            area = "part_a"
            section = Section(ident[len(SECTION):], len(out.sections) + 1, text)
            out.sections.append(section)
        elif style == "clause" and area == "part_a" and section is not None:
            number = f"{section.number}.{len(section.clauses) + 1}"
            section.clauses.append(Clause(number, text, ident[len(CLAUSE):] if ident.startswith(CLAUSE) else ""))
        elif style == "clause item" and area == "part_a" and section is not None and section.clauses:
            clause = section.clauses[-1]
            match = _DEFINED.match(text) if section.number == 1 and clause.number == "1.1" else None
            clause.items.append(Item(letters(len(clause.items) + 1), text, match.group(1) if match else ""))
        elif style == "appendix title":
            if ident.startswith(APPENDIX):
                area = "appendix"
                appendix = Appendix(ident[len(APPENDIX):], len(out.appendices) + 1, text)
                out.appendices.append(appendix)
            else:  # the execution page: not amended (the variation is executed by its own parties)
                area, appendix = "execution", None
        elif area == "appendix" and appendix is not None:
            appendix.texts.append(text)
        elif style == "annex title" and ident.startswith(FUNCTION):
            area = "part_b"
            number = len(out.specifications) + 1
            name = text.split(": ", 1)[1] if ": " in text else text
            spec = Specification(ident[len(FUNCTION):], number, name, text)
            out.specifications.append(spec)
            heading_no = clause_no = 0
            pending_label = ""
        elif area == "part_b" and spec is None:
            out.part_b_intro.append(text)
        elif area == "part_b" and spec is not None:
            if style == "annex heading":
                heading_no, clause_no = heading_no + 1, 0
                spec.paragraphs.append(Paragraph(str(heading_no), text, heading=True))
            elif style == "annex clause":
                clause_no += 1
                spec.paragraphs.append(Paragraph(f"{heading_no}.{clause_no}", text))
            elif spec.paragraphs and text:
                pending_label = text  # the label printed above the next table ("Demand")
            elif text:
                spec.other.append(text)
    return out
