"""Build small (or national-scale) .docx files for the redline tests and benchmark.

Documents are made with python-docx's default package plus the agreement styles (Heading 1
and Clause numbered by Word's multilevel list, never by typed numbers; Annex Title; Body Text;
Table Text), and body XML written directly, so that tests control runs, bookmarks and fields.
"""

from __future__ import annotations

import io
import zipfile
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


@dataclass
class Raw:
    """Block-level XML written as it is (nested tables, content controls, text boxes ...)."""

    xml: str


@dataclass
class Part:
    """A part added to the package and related from word/document.xml as `rel_id` (or an external link)."""

    name: str
    data: bytes
    content_type: str
    rel_type: str  # the last segment of the relationship type: footnotes, comments, header, image, hyperlink
    rel_id: str
    external: bool = False


#: Namespaces raw XML may use without declaring them.
NAMESPACES = {
    "w": W_NS, "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "v": "urn:schemas-microsoft-com:vml", "o": "urn:schemas-microsoft-com:office:office",
}
ALL_NS = " ".join(f'xmlns:{k}="{v}"' for k, v in NAMESPACES.items())
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."


def notes_part(kind: str, notes: dict[str, str]) -> Part:
    """Return a footnotes/endnotes/comments part: {id: inner XML of the note (its paragraphs)}."""
    tag = {"footnotes": "footnote", "endnotes": "endnote", "comments": "comment"}[kind]
    body = ""
    if kind != "comments":
        body = (f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
                f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
                f'</w:{tag}>')
    extra = ' w:author="Reviewer" w:date="2016-07-19T00:00:00Z" w:initials="R"' if kind == "comments" else ""
    body += "".join(f'<w:{tag} w:id="{k}"{extra}>{v}</w:{tag}>' for k, v in notes.items())
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind} {ALL_NS}>{body}</w:{kind}>'
    return Part(f"word/{kind}.xml", xml.encode(), _CT + kind + "+xml", kind, f"rIdX{kind}")


def header_part(inner: str, name: str = "word/header1.xml") -> Part:
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr {ALL_NS}>{inner}</w:hdr>'
    return Part(name, xml.encode(), _CT + "header+xml", "header", "rIdXheader")


def png(red: int, green: int, blue: int) -> bytes:
    """Return a valid one-pixel PNG of the given colour (different colours, different bytes)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = zlib.compress(bytes([0, red, green, blue]))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def image_part(name: str, data: bytes, rel_id: str) -> Part:
    return Part(name, data, "image/png", "image", rel_id)


def picture(rel_id: str, doc_pr: int = 1) -> str:
    """Return the XML of a run showing the image related as `rel_id`."""
    return (f'<w:r><w:drawing><wp:inline><wp:extent cx="9525" cy="9525"/><wp:docPr id="{doc_pr}" name="Picture {doc_pr}"/>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
            f'<pic:nvPicPr><pic:cNvPr id="0" name="p.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rel_id}"/>'
            '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="9525" cy="9525"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
            '</wp:inline></w:drawing></w:r>')


def text_box(paragraphs: list[str], doc_pr: int = 1) -> str:
    """Return a run holding a text box as Word writes it: a DrawingML shape with a VML fallback copy."""
    inner = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(t)}</w:t></w:r></w:p>' for t in paragraphs)
    return ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" '
            'distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
            '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
            '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
            f'<wp:extent cx="1828800" cy="457200"/><wp:wrapSquare wrapText="bothSides"/><wp:docPr id="{doc_pr}" '
            f'name="Text Box {doc_pr}"/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
            'wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/>'
            '<a:ext cx="1828800" cy="457200"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
            f'<wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData>'
            '</a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape id="Text Box '
            f'{doc_pr}" style="width:144pt;height:36pt"><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox>'
            '</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')


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


def build_docx(items: list, *, date: datetime = datetime(2016, 7, 19), parts: list[Part] = ()) -> bytes:
    """Return .docx bytes holding `items` (Para, Table, Raw) with the agreement styles, and `parts`.

    A header part among `parts` is shown by the body's section as its default header.
    """
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
    chunks = [i.xml if isinstance(i, Raw) else _para_xml(i, style_ids, ids) if isinstance(i, Para)
              else _table_xml(i, style_ids, ids) for i in items]
    body = document.element.body
    sect = body.sectPr
    holder = parse_xml(f'<w:body {ALL_NS}>{"".join(chunks)}</w:body>')
    for child in list(holder):
        sect.addprevious(child)
    document.core_properties.created = date
    document.core_properties.modified = date
    document.core_properties.last_printed = date
    for part in parts:
        if part.rel_type == "header":
            sect.insert(0, parse_xml(f'<w:headerReference {ALL_NS} w:type="default" r:id="{part.rel_id}"/>'))
    out = io.BytesIO()
    document.save(out)
    return _add_parts(out.getvalue(), parts) if parts else out.getvalue()


def _add_parts(data: bytes, parts: list[Part]) -> bytes:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    rels = etree.fromstring(files["word/_rels/document.xml.rels"])
    types = etree.fromstring(files["[Content_Types].xml"])
    ct = "http://schemas.openxmlformats.org/package/2006/content-types"
    for part in parts:
        rel = etree.SubElement(rels, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship",
                               Id=part.rel_id, Type=_RT + part.rel_type,
                               Target=part.name if part.external else part.name[len("word/"):])
        if part.external:
            rel.set("TargetMode", "External")
            continue
        files[part.name] = part.data
        etree.SubElement(types, f"{{{ct}}}Override", PartName="/" + part.name, ContentType=part.content_type)
    files["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8")
    files["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in files.items():
            zf.writestr(name, blob)
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
