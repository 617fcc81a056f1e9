"""Build small (or national-scale) .docx files for the redline tests and benchmark.

Documents are made with python-docx's default package plus the agreement styles (Heading 1
and Clause numbered by Word's multilevel list, never by typed numbers; Annex Title; Body Text;
Table Text), and body XML written directly, so that tests control runs, bookmarks and fields.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml

from agreement_builder.docmodel import bookmark_name

from sample_context import SECTION_KEYS  # noqa: E402 - the one test copy of DESIGN.md §5's order

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = f'xmlns:w="{W_NS}"'


@dataclass
class Para:
    """A paragraph: text (one run) or runs [(text, {"b": True, ...})], a style name, an optional bookmark."""

    text: str | list = ""
    style: str = "Clause"
    bookmark: str | None = None
    raw: str | None = None  # inner XML used instead of runs (fields, hyperlinks, ...)


@dataclass
class Table:
    """A table: rows of cell texts."""

    rows: list[list[str]] = field(default_factory=list)
    bookmark: str | None = None


def H1(text, bookmark=None):
    return Para(text, "Heading 1", bookmark)


def Clause(text, bookmark=None):
    return Para(text, "Clause", bookmark)


def Annex(text, bookmark=None):
    return Para(text, "Annex Title", bookmark)


def Body(text, bookmark=None):
    return Para(text, "Body Text", bookmark)


_NUMBERING = f"""
<w:abstractNum {NSDECL} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/><w:lvlJc w:val="left"/>
    <w:pPr><w:ind w:left="567" w:hanging="567"/></w:pPr></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/><w:lvlJc w:val="left"/>
    <w:pPr><w:ind w:left="567" w:hanging="567"/></w:pPr></w:lvl>
</w:abstractNum>"""
_NUM = f'<w:num {NSDECL} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'


def _run(text: str, props: dict | None = None) -> str:
    rpr = ""
    if props:
        inner = "".join(f"<w:{k}/>" if v is True else f"<w:{k} w:val={quoteattr(str(v))}/>" for k, v in props.items())
        rpr = f"<w:rPr>{inner}</w:rPr>"
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


class _Ids:
    def __init__(self):
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _para_xml(p: Para, style_ids: dict, ids: _Ids) -> str:
    if p.raw is not None:
        inner = p.raw
    elif isinstance(p.text, str):
        inner = _run(p.text) if p.text else ""
    else:
        inner = "".join(_run(t, props) for t, props in p.text)
    if p.bookmark:
        n = ids.next()
        inner = f'<w:bookmarkStart w:id="{n}" w:name={quoteattr(p.bookmark)}/>{inner}<w:bookmarkEnd w:id="{n}"/>'
    style = f'<w:pPr><w:pStyle w:val="{style_ids[p.style]}"/></w:pPr>' if p.style else ""
    return f"<w:p>{style}{inner}</w:p>"


def _table_xml(t: Table, style_ids: dict, ids: _Ids) -> str:
    cols = max((len(r) for r in t.rows), default=1)
    grid = "".join('<w:gridCol w:w="3000"/>' for _ in range(cols))
    rows = []
    for r in t.rows:
        cells = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr>'
            f'{_para_xml(Para(c, "Table Text"), style_ids, ids)}</w:tc>' for c in r)
        rows.append(f"<w:tr>{cells}</w:tr>")
    borders = "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{borders}</w:tblBorders>'
            f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')


def build_docx(items: list, *, date: datetime = datetime(2016, 7, 19)) -> bytes:
    """Return .docx bytes holding `items` (Para and Table) with the agreement styles."""
    document = docx.Document()
    styles = document.styles
    for name in ("Clause", "Annex Title", "Table Text"):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
    styles["Annex Title"].font.bold = True
    styles["Annex Title"].paragraph_format.page_break_before = True
    numbering = document.part.numbering_part.element
    first_num = numbering.find(f"{{{W_NS}}}num")
    if first_num is not None:
        first_num.addprevious(parse_xml(_NUMBERING))
    else:
        numbering.append(parse_xml(_NUMBERING))
    numbering.append(parse_xml(_NUM))
    for name, level in (("Heading 1", 0), ("Clause", 1)):
        ppr = styles[name].element.get_or_add_pPr()
        ppr.insert(0, parse_xml(
            f'<w:numPr {NSDECL}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    style_ids = {s.name: s.style_id for s in styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    ids = _Ids()
    chunks = [_para_xml(i, style_ids, ids) if isinstance(i, Para) else _table_xml(i, style_ids, ids) for i in items]
    body = document.element.body
    sect = body.sectPr
    holder = parse_xml(f'<w:body {NSDECL} xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml">'
                       f'{"".join(chunks)}</w:body>')
    for child in list(holder):
        sect.addprevious(child)
    document.core_properties.created = date
    document.core_properties.modified = date
    document.core_properties.last_printed = date
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- national-scale pair

FORCES = [
    "Avon and Somerset Constabulary", "Bedfordshire Police", "Cambridgeshire Constabulary",
    "Cheshire Constabulary", "City of London Police", "Cleveland Police", "Cumbria Constabulary",
    "Derbyshire Constabulary", "Devon and Cornwall Police", "Dorset Police", "Durham Constabulary",
    "Dyfed-Powys Police", "Essex Police", "Gloucestershire Constabulary", "Greater Manchester Police",
    "Gwent Police", "Hampshire and Isle of Wight Constabulary", "Hertfordshire Constabulary",
    "Humberside Police", "Kent Police", "Lancashire Constabulary", "Leicestershire Police",
    "Lincolnshire Police", "Merseyside Police", "Metropolitan Police Service", "Norfolk Constabulary",
    "North Wales Police", "North Yorkshire Police", "Northamptonshire Police", "Northumbria Police",
    "Nottinghamshire Police", "South Wales Police", "South Yorkshire Police", "Staffordshire Police",
    "Suffolk Constabulary", "Surrey Police", "Sussex Police", "Thames Valley Police",
    "Warwickshire Police", "West Mercia Police", "West Midlands Police", "West Yorkshire Police",
    "Wiltshire Police",
]

#: Sections whose clause 3 names the lead force (the benchmark changes the lead force's name).
LEAD_SECTIONS = ("lead_force", "governance", "finance")


def national_items(*, lead: str, annexes: list[str], extra_clause: bool = False, bookmarks: bool = True) -> list:
    """Return the blocks of a national-scale agreement (43 forces, 36 sections, the given annexes).

    Sized like a real one (~400 pages): parties and signature blocks for 86 corporations sole,
    clauses of about 150 words, and per annex 12 clauses, an inputs table and an apportionment
    table of 43 forces each.
    """
    bm = (lambda prefix, key: bookmark_name(prefix, key)) if bookmarks else (lambda prefix, key: None)
    items: list = [Para("National Police Collaboration Agreement", "Title"),
                   Body("This agreement is made under section 22A of the Police Act 1996 between:")]
    for f in FORCES:
        items.append(Body(f"The Chief Constable of {f}"))
    for f in FORCES:
        items.append(Body(f"The Police and Crime Commissioner for the area of {f}"))
    tail = (" Each party shall act reasonably and in good faith, shall provide the information the "
            "Strategic Board reasonably requires to discharge its functions, and shall have regard to "
            "the Police and Crime Plan of each policing body and to the Strategic Policing Requirement "
            "issued by the Secretary of State. Nothing in this clause affects the direction and control "
            "of police officers and police staff by their own chief officer, the statutory functions of "
            "any policing body, or the duty of every party to secure an efficient and effective police "
            "force for its area, & any dispute about its meaning shall be resolved under the dispute "
            "resolution procedure in this agreement. The parties shall keep the arrangements in this "
            "clause under review and may vary them only in writing, by a variation approved by every "
            "chief officer and every policing body, recorded in the register of variations kept by the "
            "lead force and published in accordance with the publication provisions of this agreement.")
    for s, key in enumerate(SECTION_KEYS):
        items.append(H1(key.replace("_", " ").title(), bm("_AB_S_", key)))
        for c in range(6):
            who = f"{lead} as lead force" if c == 2 and key in LEAD_SECTIONS else "the parties jointly"
            items.append(Clause(
                f"The parties agree that the arrangements for {key.replace('_', ' ')} set out in this "
                f"section (provision {c}) shall be delivered by {who}, and reported to the Strategic "
                "Board at each quarterly meeting in accordance with the Police Act 1996." + tail))
            if extra_clause and s == 7 and c == 3:
                items.append(Clause("The Lead Commissioner shall hold the lead Chief Constable to "
                                    "account for the delivery of the collaboration.",
                                    bm("_AB_C_", "accountability-extra")))
    items.append(Para("Execution", "Heading 1"))
    for f in FORCES:
        for who in (f"the Chief Constable of {f}", f"the Police and Crime Commissioner for the area of {f}"):
            items += [Body(f"Signed by {who}"), Body("Signature: ..............................."),
                      Body("Date: ...............................")]
    for a in annexes:
        name = a.replace("_", " ")
        items.append(Annex(f"Service Specification: {name.title()}", bm("_AB_F_", a)))
        for c in range(12):
            items.append(Para(
                f"The {name} unit (clause {c}) shall provide its services to every party to the "
                "standards set out in this annex, with performance reported monthly to the "
                "Strategic Board and reviewed annually by the Police and Crime Commissioners." + tail,
                "Clause"))
        inputs = [["Force", "Net revenue expenditure", "Demand (incidents)"]]
        for n, f in enumerate(FORCES):
            inputs.append([f, f"£{(n + 40) * 2_345_678:,}", f"{(n * 37 + len(a)) % 900 + 100:,}"])
        items.append(Table(inputs))
        rows = [["Force", "Share", "Annual contribution"]]
        for n, f in enumerate(FORCES):
            rows.append([f, f"{2 + (n * 7 + len(a)) % 5}.{n % 10}0%", f"£{(n + 3) * 1234 + len(a):,}.00"])
        rows.append(["Total", "100.00%", "£6,250,000.00"])
        items.append(Table(rows))
    return items
