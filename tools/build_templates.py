"""Generate the Word templates shipped with agreement-builder (docxtpl templates).

Run from the repository root:

    python tools/build_templates.py

It writes, under ``agreement_builder/data/``:

    templates/umbrella.docx             cover, parties, recitals, contents, Part A (36 sections),
                                        execution page, Appendix 1 and 2, Part B placeholder
    templates/decision_notice.docx      one per policing body (summit pack)
    annexes/service_specification.docx  the generic Part B annex
    annexes/armed_policing.docx         annex with armed policing wording
    annexes/major_crime.docx            annex with major crime wording
    annexes/no_specification.docx       page for ``specification: none``
    annexes/withheld.docx               page for ``publish: false`` in the publication version

The templates follow docs/templates.md (styles and context variables) and
docs/architecture.md (hidden ``_AB_`` bookmarks). Every template carries the same
styles.xml and numbering.xml, byte for byte, so the composer can keep the umbrella's
definitions and splice annexes in without clashes.

Numbering (numbering.xml, identical in every template):

    numId 1 -> abstractNum 0  Part A list:  lvl 0 "%1" Heading 1, lvl 1 "%1.%2" Clause,
                                            lvl 2 "(%3)" lowerLetter Clause Item
    numId 2 -> abstractNum 1  annex list:   lvl 0 "%1" Annex Heading, lvl 1 "%1.%2" Annex Clause,
                                            lvl 2 "(%3)" lowerLetter (no style)
    numId 3 -> abstractNum 2  recitals:     lvl 0 "(%1)" upperLetter Recital
    numId 4 -> abstractNum 3  parties:      lvl 0 "(%1)" decimal Party

Each numbered style carries ``w:numPr`` (numId + ilvl) and each level names its style in
``w:pStyle``, so Word numbers the paragraphs itself: numbers are never typed in the text.
The composer restarts the annex list (numId 2) for every annex with a new ``w:num`` that
points at abstractNum 1 with a ``w:startOverride``.

Style ids (names in brackets where they differ): Normal, Title, Subtitle,
PartHeading (Part Heading), Heading1 (heading 1), Clause, ClauseItem (Clause Item),
BodyText (Body Text), Recital, AppendixTitle (Appendix Title), AnnexTitle (Annex Title),
AnnexHeading (Annex Heading), AnnexClause (Annex Clause), TableText (Table Text),
TableHeading (Table Heading), UnnumberedHeading (Unnumbered Heading), Party,
Header (header), Footer (footer), TOC1 (toc 1), TableGrid (Table Grid).

Jinja tags are always written as one run (one ``add_run`` call), ``{%p %}`` tags alone in
their paragraph and ``{%tr %}`` tags alone in the first cell of their own row, which is
what docxtpl needs. The output is deterministic: fixed zip dates and entry order.
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor, Twips

from agreement_builder.outline import SECTION_KEYS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "agreement_builder" / "data"

# ---------------------------------------------------------------------------------------
# Page geometry (twips: 1 cm = 567, 1 pt = 20)
# ---------------------------------------------------------------------------------------
PAGE_W, PAGE_H = 11906, 16838  # A4
MARGIN = 1440  # 2.54 cm
TEXT_W = PAGE_W - 2 * MARGIN  # 9026
FONT = "Calibri"
#: Run properties of section headings and of their numbers (bold, 12 pt, dark blue).
HEADING_RPR = '<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="24"/><w:szCs w:val="24"/>'

NUM_PART_A, NUM_ANNEX, NUM_RECITALS, NUM_PARTIES = 1, 2, 3, 4

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# ---------------------------------------------------------------------------------------
# styles.xml
# ---------------------------------------------------------------------------------------


def _rfonts() -> str:
    return f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'


def _pstyle(style_id, name, ppr="", rpr="", based_on="Normal", next_=None, extra=""):
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    nxt = f'<w:next w:val="{next_}"/>' if next_ else ""
    return (
        f'<w:style w:type="paragraph" w:customStyle="{0 if style_id in _BUILTIN else 1}" '
        f'w:styleId="{style_id}"><w:name w:val="{name}"/>{based}{nxt}{extra}<w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


_BUILTIN = {"Normal", "Title", "Subtitle", "Heading1", "BodyText", "Header", "Footer", "TOC1"}


def _numpr(num_id: int, ilvl: int) -> str:
    return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'


def styles_xml() -> bytes:
    """Return styles.xml: every style of docs/templates.md, Calibri throughout."""
    # pPr children must follow the schema order: keepNext, keepLines, pageBreakBefore,
    # numPr, pBdr, tabs, spacing, ind, jc, outlineLvl.
    styles = [
        # Normal: 11 pt Calibri, 6 pt after, 1.1 line spacing
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        '<w:qFormat/><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr>'
        f"<w:rPr>{_rfonts()}<w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/></w:rPr></w:style>",
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "<w:unhideWhenUsed/></w:style>",
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
        _pstyle(
            "Title", "Title",
            ppr='<w:spacing w:before="2400" w:after="360" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
            rpr='<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="56"/><w:szCs w:val="56"/>',
            next_="Subtitle",
        ),
        _pstyle(
            "Subtitle", "Subtitle",
            ppr='<w:spacing w:after="480"/><w:jc w:val="center"/>',
            rpr='<w:color w:val="404040"/><w:sz w:val="32"/><w:szCs w:val="32"/>',
            next_="BodyText",
        ),
        _pstyle(
            "PartHeading", "Part Heading",
            ppr='<w:keepNext/><w:keepLines/><w:pageBreakBefore/><w:spacing w:before="0" w:after="360"/>'
            '<w:jc w:val="center"/>',
            rpr='<w:b/><w:bCs/><w:caps/><w:color w:val="1F3864"/><w:sz w:val="32"/><w:szCs w:val="32"/>',
            next_="Heading1",
        ),
        _pstyle(
            "Heading1", "heading 1",
            ppr=f"<w:keepNext/><w:keepLines/>{_numpr(NUM_PART_A, 0)}"
            '<w:spacing w:before="360" w:after="120"/><w:ind w:left="720" w:hanging="720"/>'
            '<w:outlineLvl w:val="0"/>',
            rpr=HEADING_RPR, next_="Clause", extra='<w:uiPriority w:val="9"/>',
        ),
        _pstyle(
            "Clause", "Clause",
            ppr=f'{_numpr(NUM_PART_A, 1)}<w:spacing w:after="120"/><w:ind w:left="720" w:hanging="720"/>'
            '<w:jc w:val="both"/>',
        ),
        _pstyle(
            "ClauseItem", "Clause Item",
            ppr=f'{_numpr(NUM_PART_A, 2)}<w:spacing w:after="80"/><w:ind w:left="1440" w:hanging="720"/>'
            '<w:jc w:val="both"/>',
        ),
        _pstyle("BodyText", "Body Text", ppr='<w:spacing w:after="120"/><w:jc w:val="both"/>'),
        _pstyle(
            "Recital", "Recital",
            ppr=f'{_numpr(NUM_RECITALS, 0)}<w:spacing w:after="120"/><w:ind w:left="720" w:hanging="720"/>'
            '<w:jc w:val="both"/>',
        ),
        _pstyle(
            "Party", "Party",
            ppr=f'{_numpr(NUM_PARTIES, 0)}<w:spacing w:after="120"/><w:ind w:left="720" w:hanging="720"/>',
        ),
        _pstyle(
            "UnnumberedHeading", "Unnumbered Heading",
            ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="120"/>',
            rpr='<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="24"/><w:szCs w:val="24"/>',
            next_="BodyText",
        ),
        _pstyle(
            "AppendixTitle", "Appendix Title",
            ppr='<w:keepNext/><w:keepLines/><w:pageBreakBefore/><w:spacing w:before="0" w:after="240"/>'
            '<w:jc w:val="center"/>',
            rpr='<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="28"/><w:szCs w:val="28"/>',
            next_="BodyText",
        ),
        _pstyle(
            "AnnexTitle", "Annex Title",
            ppr='<w:keepNext/><w:keepLines/><w:pageBreakBefore/>'
            '<w:pBdr><w:bottom w:val="single" w:sz="8" w:space="4" w:color="1F3864"/></w:pBdr>'
            '<w:spacing w:before="0" w:after="240"/>',
            rpr='<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="28"/><w:szCs w:val="28"/>',
            next_="AnnexHeading",
        ),
        _pstyle(
            "AnnexHeading", "Annex Heading",
            ppr=f'<w:keepNext/><w:keepLines/>{_numpr(NUM_ANNEX, 0)}<w:spacing w:before="240" w:after="120"/>'
            '<w:ind w:left="720" w:hanging="720"/>',
            rpr=HEADING_RPR, next_="AnnexClause",
        ),
        _pstyle(
            "AnnexClause", "Annex Clause",
            ppr=f'{_numpr(NUM_ANNEX, 1)}<w:spacing w:after="120"/><w:ind w:left="720" w:hanging="720"/>'
            '<w:jc w:val="both"/>',
        ),
        _pstyle(
            "TableText", "Table Text",
            ppr='<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>',
            rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>',
        ),
        _pstyle("TableHeading", "Table Heading", ppr="<w:keepNext/>", rpr="<w:b/><w:bCs/>", based_on="TableText"),
        _pstyle(
            "Header", "header",
            ppr=f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_W // 2}"/><w:tab w:val="right" w:pos="{TEXT_W}"/>'
            '</w:tabs><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
            rpr='<w:sz w:val="18"/><w:szCs w:val="18"/>',
        ),
        _pstyle(
            "Footer", "footer",
            ppr=f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_W // 2}"/><w:tab w:val="right" w:pos="{TEXT_W}"/>'
            '</w:tabs><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
            rpr='<w:color w:val="404040"/><w:sz w:val="16"/><w:szCs w:val="16"/>',
        ),
        _pstyle(
            "TOC1", "toc 1",
            ppr=f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_W}"/></w:tabs>'
            '<w:spacing w:before="0" w:after="60"/><w:ind w:left="720" w:right="567" w:hanging="720"/>',
            next_="BodyText", extra='<w:uiPriority w:val="39"/>',
        ),
        '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/>'
        '<w:uiPriority w:val="39"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        '<w:tblPr><w:tblBorders>'
        + "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + "</w:tblBorders></w:tblPr></w:style>",
    ]
    doc_defaults = (
        f"<w:docDefaults><w:rPrDefault><w:rPr>{_rfonts()}"
        '<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        '<w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
    )
    xml = (
        XML_DECL + f'<w:styles xmlns:w="{W_NS}" xmlns:r="{R_NS}">' + doc_defaults + "".join(styles) + "</w:styles>"
    )
    return xml.encode("utf-8")


# ---------------------------------------------------------------------------------------
# numbering.xml
# ---------------------------------------------------------------------------------------


def _lvl(ilvl, fmt, text, left, hanging=720, style=None, start=1, rpr=""):
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    rpr = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{pstyle}'
        f'<w:suff w:val="tab"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{left}"/></w:tabs>'
        f'<w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>{rpr}</w:lvl>'
    )


def _tail_levels(first: int) -> str:
    """Return the unused deeper levels (Word expects nine) as plain sub-levels."""
    fmts = ["lowerRoman", "upperLetter", "decimal", "lowerLetter", "lowerRoman", "decimal"]
    return "".join(
        _lvl(i, fmts[(i - first) % len(fmts)], f"({'%' + str(i + 1)})", 720 * (i + 1))
        for i in range(first, 9)
    )


def numbering_xml() -> bytes:
    """Return numbering.xml: Part A, annex, recitals and parties lists (see module docstring)."""
    part_a = (
        '<w:abstractNum w:abstractNumId="0"><w:nsid w:val="5A1B0001"/><w:multiLevelType w:val="multilevel"/>'
        '<w:tmpl w:val="5A1C0001"/>'
        + _lvl(0, "decimal", "%1", 720, style="Heading1", rpr=HEADING_RPR)
        + _lvl(1, "decimal", "%1.%2", 720, style="Clause")
        + _lvl(2, "lowerLetter", "(%3)", 1440, style="ClauseItem")
        + _tail_levels(3)
        + "</w:abstractNum>"
    )
    annex = (
        '<w:abstractNum w:abstractNumId="1"><w:nsid w:val="5A1B0002"/><w:multiLevelType w:val="multilevel"/>'
        '<w:tmpl w:val="5A1C0002"/>'
        + _lvl(0, "decimal", "%1", 720, style="AnnexHeading", rpr=HEADING_RPR)
        + _lvl(1, "decimal", "%1.%2", 720, style="AnnexClause")
        + _lvl(2, "lowerLetter", "(%3)", 1440)
        + _tail_levels(3)
        + "</w:abstractNum>"
    )
    recitals = (
        '<w:abstractNum w:abstractNumId="2"><w:nsid w:val="5A1B0003"/><w:multiLevelType w:val="multilevel"/>'
        '<w:tmpl w:val="5A1C0003"/>'
        + _lvl(0, "upperLetter", "(%1)", 720, style="Recital")
        + "".join(_lvl(i, "lowerLetter", f"({'%' + str(i + 1)})", 720 * (i + 1)) for i in range(1, 9))
        + "</w:abstractNum>"
    )
    parties = (
        '<w:abstractNum w:abstractNumId="3"><w:nsid w:val="5A1B0004"/><w:multiLevelType w:val="multilevel"/>'
        '<w:tmpl w:val="5A1C0004"/>'
        + _lvl(0, "decimal", "(%1)", 720, style="Party")
        + "".join(_lvl(i, "lowerLetter", f"({'%' + str(i + 1)})", 720 * (i + 1)) for i in range(1, 9))
        + "</w:abstractNum>"
    )
    nums = "".join(
        f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/></w:num>'
        for num_id, abstract in ((NUM_PART_A, 0), (NUM_ANNEX, 1), (NUM_RECITALS, 2), (NUM_PARTIES, 3))
    )
    xml = XML_DECL + f'<w:numbering xmlns:w="{W_NS}">' + part_a + annex + recitals + parties + nums + "</w:numbering>"
    return xml.encode("utf-8")


# ---------------------------------------------------------------------------------------
# The package skeleton (opened with python-docx, which then writes the body)
# ---------------------------------------------------------------------------------------

CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def _skeleton(title_page: bool) -> bytes:
    title_pg = "<w:titlePg/>" if title_page else ""
    document = (
        XML_DECL + f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>'
        f'<w:sectPr><w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
        f'<w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" w:left="{MARGIN}" '
        'w:header="708" w:footer="567" w:gutter="0"/><w:cols w:space="708"/>'
        f'{title_pg}<w:docGrid w:linePitch="360"/></w:sectPr></w:body></w:document>'
    )
    settings = (
        XML_DECL + f'<w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/>'
        '<w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" '
        'w:val="15"/></w:compat><w:themeFontLang w:val="en-GB"/>'
        '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
    )
    fonts = (
        XML_DECL + f'<w:fonts xmlns:w="{W_NS}"><w:font w:name="{FONT}"><w:panose1 w:val="020F0502020204030204"/>'
        '<w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font></w:fonts>'
    )
    core = (
        XML_DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Section 22A collaboration agreement'
        "</dc:title><dc:creator>agreement-builder</dc:creator></cp:coreProperties>"
    )
    app = (
        XML_DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>agreement-builder</Application></Properties>"
    )
    content_types = (
        XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{CT_MAIN}.document.main+xml"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{CT_MAIN}.styles+xml"/>'
        f'<Override PartName="/word/numbering.xml" ContentType="{CT_MAIN}.numbering+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{CT_MAIN}.settings+xml"/>'
        f'<Override PartName="/word/fontTable.xml" ContentType="{CT_MAIN}.fontTable+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
    )
    rels_ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    rt = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    root_rels = (
        XML_DECL + f'<Relationships xmlns="{rels_ns}">'
        f'<Relationship Id="rId1" Type="{rt}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{rt}/extended-properties" Target="docProps/app.xml"/></Relationships>'
    )
    doc_rels = (
        XML_DECL + f'<Relationships xmlns="{rels_ns}">'
        f'<Relationship Id="rId1" Type="{rt}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId2" Type="{rt}/numbering" Target="numbering.xml"/>'
        f'<Relationship Id="rId3" Type="{rt}/settings" Target="settings.xml"/>'
        f'<Relationship Id="rId4" Type="{rt}/fontTable" Target="fontTable.xml"/></Relationships>'
    )
    parts = {
        "[Content_Types].xml": content_types.encode(),
        "_rels/.rels": root_rels.encode(),
        "docProps/core.xml": core.encode(),
        "docProps/app.xml": app.encode(),
        "word/document.xml": document.encode(),
        "word/_rels/document.xml.rels": doc_rels.encode(),
        "word/styles.xml": styles_xml(),
        "word/numbering.xml": numbering_xml(),
        "word/settings.xml": settings.encode(),
        "word/fontTable.xml": fonts.encode(),
    }
    return _zip(parts)


_FIRST = ["[Content_Types].xml", "_rels/.rels"]


def _zip(parts: dict[str, bytes]) -> bytes:
    """Return a zip of `parts` with fixed dates and entry order (same input, same bytes)."""
    names = [n for n in _FIRST if n in parts] + sorted(n for n in parts if n not in _FIRST)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            zf.writestr(info, parts[name], compresslevel=9)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# A thin writer over python-docx
# ---------------------------------------------------------------------------------------


def _el(tag: str, **attrs) -> OxmlElement:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


class Writer:
    """Write template paragraphs, tables and fields into a python-docx Document."""

    def __init__(self, title_page: bool = False):
        self.doc = Document(io.BytesIO(_skeleton(title_page)))
        self.bookmark_id = 0

    # -- paragraphs --------------------------------------------------------------------

    def p(self, style: str | None, text: str = "", *, keep_next=False, page_break=False, align=None,
          space_before=None, space_after=None, indent=None, container=None):
        """Add a paragraph; ``**...**`` marks bold runs. A Jinja tag never spans two runs."""
        target = container if container is not None else self.doc
        para = target.add_paragraph(style=style)
        self.text(para, text)
        fmt = para.paragraph_format
        if keep_next:
            fmt.keep_with_next = True
        if page_break:
            fmt.page_break_before = True
        if align:
            para.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                              "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
        if space_before is not None:
            fmt.space_before = Twips(space_before)
        if space_after is not None:
            fmt.space_after = Twips(space_after)
        if indent is not None:
            fmt.left_indent = Twips(indent)
        return para

    @staticmethod
    def text(para, text: str, size=None, bold=None, color=None):
        for i, chunk in enumerate(text.split("**")):
            if not chunk:
                continue
            _check_tags(chunk)
            run = para.add_run(chunk)
            if i % 2 == 1 or bold:
                run.bold = True
            if size:
                run.font.size = Twips(size * 10)  # half-points -> twips (1 pt = 20 twips)
            if color:
                run.font.color.rgb = RGBColor.from_string(color)
        return para

    def tag(self, tag: str, container=None):
        """Add a paragraph holding only a ``{%p ... %}`` (or ``{{p ... }}``) tag."""
        assert tag.startswith(("{%p ", "{{p ")), tag
        target = container if container is not None else self.doc
        para = target.add_paragraph()
        para.add_run(tag)
        return para

    def bookmark(self, para, name: str):
        """Wrap the paragraph's runs in a hidden bookmark ``name`` (starts with ``_``)."""
        assert name.startswith("_") and len(name) <= 40, name
        self.bookmark_id += 1
        p = para._p
        start = _el("w:bookmarkStart", id=self.bookmark_id, name=name)
        end = _el("w:bookmarkEnd", id=self.bookmark_id)
        ppr = p.pPr
        if ppr is not None:
            ppr.addnext(start)
        else:
            p.insert(0, start)
        p.append(end)

    def field(self, para, instr: str, placeholder: str = "", size=None):
        """Append a complex field (fldChar begin/separate/end) to ``para``."""

        def run_with(child):
            r = _el("w:r")
            if size:
                rpr = _el("w:rPr")
                rpr.append(_el("w:sz", val=size))
                rpr.append(_el("w:szCs", val=size))
                r.append(rpr)
            r.append(child)
            para._p.append(r)

        run_with(_el("w:fldChar", fldCharType="begin"))
        instr_el = _el("w:instrText")
        instr_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        instr_el.text = f" {instr} "
        run_with(instr_el)
        run_with(_el("w:fldChar", fldCharType="separate"))
        if placeholder:
            t = _el("w:t")
            t.text = placeholder
            run_with(t)
        run_with(_el("w:fldChar", fldCharType="end"))

    # -- tables ------------------------------------------------------------------------

    def table(self, widths: list[int], rows: list, container=None, keep_together=True, indent=0):
        """Add a table. ``rows`` items: ("head"|"body"|"total", [cell texts]) or ("tr", tag).

        A ("tr", tag) row holds the ``{%tr ... %}`` tag alone in its first cell.
        Cells whose text starts with ``>`` are right-aligned (figures). ``indent`` (twips)
        lines the table up with the text of numbered clauses.
        """
        target = container if container is not None else self.doc
        table = target.add_table(rows=len(rows), cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        tbl = table._tbl
        tblpr = tbl.tblPr
        for child in list(tblpr):
            if child.tag in (qn("w:tblW"), qn("w:tblLayout"), qn("w:tblLook")):
                tblpr.remove(child)
        tblpr.append(_el("w:tblW", w=sum(widths), type="dxa"))
        if indent:
            tblpr.append(_el("w:tblInd", w=indent, type="dxa"))
        tblpr.append(_el("w:tblLayout", type="fixed"))
        tblpr.append(_el("w:tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=1, lastColumn=0,
                         noHBand=0, noVBand=1))
        for gridcol, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths):
            gridcol.set(qn("w:w"), str(width))
        for index, (row, (kind, cells)) in enumerate(zip(table.rows, rows)):
            trpr = row._tr.get_or_add_trPr()
            trpr.append(_el("w:cantSplit"))
            if kind == "head":
                trpr.append(_el("w:tblHeader"))
            if kind == "tr":
                cells = [cells] + [""] * (len(widths) - 1)
            last = kind == "total" or index == len(rows) - 1 or (kind == "body" and rows[-1][0] != "total"
                                                                 and all(k == "tr" for k, _ in rows[index + 1:]))
            for cell, width, text in zip(row.cells, widths, cells):
                cell.width = Twips(width)
                para = cell.paragraphs[0]
                style = "Table Heading" if kind in ("head", "total") else "Table Text"
                para.style = self.doc.styles[style]
                if kind == "head":
                    shd = _el("w:shd", val="clear", color="auto", fill="D9E2F3")
                    cell._tc.get_or_add_tcPr().append(shd)
                right = text.startswith(">")
                self.text(para, text[1:] if right else text)
                if right:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if keep_together and not last:
                    para.paragraph_format.keep_with_next = True
        return table

    # -- headers and footers -----------------------------------------------------------

    def header_footer(self, footer_label: str, title_page: bool):
        section = self.doc.sections[0]
        if title_page:
            section.different_first_page_header_footer = True
            section.first_page_header.is_linked_to_previous = False
            section.first_page_footer.is_linked_to_previous = False
        header = section.header
        header.is_linked_to_previous = False
        first = header.paragraphs[0]
        first.add_run("{%p if agreement.is_draft %}")
        draft = header.add_paragraph(style="Header")
        self.text(draft, "DRAFT – Version {{ agreement.version }} – {{ agreement.date }}", bold=True, color="C00000")
        header.add_paragraph().add_run("{%p endif %}")
        # a header must keep one paragraph when the draft line is left out
        spacer = header.add_paragraph(style="Header")
        spacer.paragraph_format.space_after = Twips(0)
        footer = section.footer
        footer.is_linked_to_previous = False
        line = footer.paragraphs[0]
        line.add_run(footer_label + " · Page ")
        self.field(line, "PAGE", "1")
        line.add_run(" of ")
        self.field(line, "NUMPAGES", "1")
        footer.add_paragraph().add_run("{%p if agreement.fingerprint %}")
        fp = footer.add_paragraph(style="Footer")
        self.text(fp, "Fingerprint: {{ agreement.fingerprint }}", size=12)
        footer.add_paragraph().add_run("{%p endif %}")

    # -- output ------------------------------------------------------------------------

    def save(self, path: Path):
        buffer = io.BytesIO()
        self.doc.save(buffer)
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
            parts = {name: zf.read(name) for name in zf.namelist()}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_zip(parts))


def _check_tags(chunk: str):
    """Refuse a run with an unbalanced Jinja tag (a tag must live in one run)."""
    for opening, closing in (("{{", "}}"), ("{%", "%}")):
        if chunk.count(opening) != chunk.count(closing):
            raise ValueError(f"a Jinja tag is split across runs: {chunk!r}")


# ---------------------------------------------------------------------------------------
# Part A: the 36 sections of DESIGN.md §5
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    body: list  # of (style, text): style "C" clause, "I" clause item, "T" a {%p %} tag


def C(text):
    return ("C", text)


def I(text):  # noqa: E743 - a clause item, read like the drafting it is
    return ("I", text)


def T(tag):
    return ("T", tag)


SECTIONS: list[Section] = [
    Section("definitions", "Definitions and Interpretation", [
        C("In this Agreement, unless the context otherwise requires:"),
        I("**“Act”** means the Police Act 1996;"),
        I("**“Agreement”** means this collaboration agreement, comprising Part A, its Appendices and the "
          "Service Specifications in Part B, as varied from time to time;"),
        I("**“Chief Finance Officers”** means the chief finance officers of the Chief Officers and of the "
          "Policing Bodies;"),
        I("**“Chief Officers”** means the chief officers of police of the Forces, and **“Lead Chief "
          "Officer”** means the {{ lead_force.chief_officer.title }};"),
        I("**“Collaboration Board”** means the board established under the Governance provisions of this "
          "Part A, whose terms of reference are in Appendix 1;"),
        I("**“Commencement Date”** means {{ agreement.commencement }};"),
        I("**“Contribution”** means the annual sum payable by a Policing Body towards the cost of a "
          "Function, determined in accordance with its Service Specification;"),
        I("**“Financial Year”** means a period of twelve months beginning on 1 April;"),
        I("**“Forces”** means {{ force_names }}, and **“Force”** means any of them;"),
        I("**“Functions”** means the business areas listed in the Scope of the Collaboration and described "
          "in Part B, and **“Function”** means any of them;"),
        I("**“Lead Force”** means {{ lead_force.name }}, and **“Lead Commissioner”** means the "
          "{{ lead_force.policing_body.title }}, the Policing Body that maintains the Lead Force;"),
        I("**“Net Revenue Expenditure”** means, for a Force and a Financial Year, its net revenue "
          "expenditure as shown in the budget approved by its Policing Body for that year;"),
        I("**“Police Areas”** means the police areas of {{ areas }};"),
        I("**“Policing Bodies”** means the policing bodies responsible for maintaining the Forces;"),
        I("**“Service Specification”** means the specification of a Function in Part B;"),
        I("**“Statutory Guidance”** means the Statutory Guidance for Police Collaboration issued by the "
          "Secretary of State under section 23F of the Act, as revised from time to time; and"),
        I("**“Strategic Alliance Summit”** means the meeting of the Chief Officers and the Policing Bodies "
          "of the {{ agreement.alliance }} described in Appendix 2."),
        C("In this Agreement: headings do not affect its interpretation; a reference to a statute or "
          "statutory guidance includes it as amended, extended or re-enacted; words in the singular include "
          "the plural and vice versa; and “including” means “including without limitation”."),
        C("A reference to a Party includes its successors in office. Where a function of a Party is "
          "transferred by law to another person, that person shall be treated as the Party for the purposes "
          "of this Agreement."),
        C("If there is a conflict between Part A and a Service Specification, Part A prevails unless the "
          "Service Specification expressly states that it is to prevail on the point in question."),
    ]),
    Section("legal_framework", "Legal Framework", [
        C("This Agreement is a collaboration agreement made under section 22A of the Act. It contains "
          "{{ provisions.text }} within the meaning of section 22A(2) of the Act."),
        C("Each Chief Officer enters into this Agreement because he or she thinks that it is in the interests "
          "of the efficiency or effectiveness of one or more police forces, and each Policing Body enters "
          "into it because it thinks that it is in the interests of the efficiency or effectiveness of one or "
          "more policing bodies or police forces."),
        C("The Parties shall have regard to the Statutory Guidance in performing this Agreement and shall "
          "keep it under review in discharge of their duties under sections 22B and 22C of the Act."),
        C("Nothing in this Agreement fetters the statutory discretion of any Party or affects the direction "
          "and control of a Chief Officer over his or her Force, save to the extent that this Agreement "
          "places persons under the direction and control of the Lead Chief Officer for the purposes of the "
          "Functions."),
        C("Nothing in this Agreement creates a partnership, joint venture or separate legal entity, or "
          "affects the provision of mutual aid between the Forces under section 24 of the Act."),
    ]),
    Section("purpose", "Purpose and Objectives", [
        C("The purpose of this Agreement is to set out the arrangements under which the Lead Force delivers "
          "the Functions on behalf of all the Parties throughout the Police Areas."),
        C("The objectives of the collaboration are to:"),
        I("deliver effective and resilient {{ agreement.title }} services to the public of {{ areas }};"),
        I("achieve value for money and the savings agreed by the Parties;"),
        I("support each Policing Body’s police and crime plan and the Forces’ contribution to the "
          "Strategic Policing Requirement;"),
        I("deploy resources according to threat, harm and risk across the Police Areas; and"),
        I("maintain consistent professional standards and local accountability in each Police Area."),
        C("The Parties shall act in good faith and co-operate with one another to achieve these objectives."),
    ]),
    Section("commencement", "Commencement and Duration", [
        C("This Agreement takes effect on {{ agreement.commencement }} and continues until it is terminated in "
          "accordance with the Withdrawal and Termination provisions."),
        C("The Parties shall complete a formal review of this Agreement no later than {{ agreement.review }} "
          "and thereafter at intervals of not more than three years."),
        C("From the Commencement Date this Agreement replaces any earlier collaboration agreement between the "
          "Parties in respect of the Functions, without prejudice to rights and liabilities accrued under it."),
        C("This Agreement is in writing as section 23C of the Act requires and may be signed in counterparts, "
          "each of which is an original and which together form one agreement."),
    ]),
    Section("scope", "Scope of the Collaboration", [
        C("This Agreement applies to the following Functions, each of which is described in its Service "
          "Specification in Part B:"),
        T("{%p for f in functions %}"),
        I("{{ f.name }}"),
        T("{%p endfor %}"),
        C("Policing functions that are not Functions remain the responsibility of each Chief Officer for his "
          "or her own Force and are not affected by this Agreement."),
        C("Where no Service Specification has yet been agreed for a Function, that Function shall continue to "
          "be delivered under the arrangements in force immediately before the Commencement Date, subject to "
          "Part A, until a Service Specification is agreed and incorporated into Part B."),
        C("Functions may be added to or removed from this Agreement only by a variation made in accordance "
          "with the Review and Variation provisions."),
    ]),
    Section("lead_force", "Lead Force Arrangements", [
        C("{{ lead_force.name }} is the Lead Force for the Functions. The {{ lead_force.chief_officer.title }} "
          "shall deliver the Functions on behalf of all the Parties throughout {{ areas }}."),
        C("The Lead Chief Officer shall:"),
        I("deliver each Function in accordance with its Service Specification and within the approved "
          "budget;"),
        I("provide the command, management, supervision and support needed for the Functions;"),
        I("deploy the resources of the Functions fairly across the Police Areas according to threat, harm "
          "and risk, and not in proportion to Contributions;"),
        I("host the budget, accounts, contracts and records of the Functions on behalf of the Parties; and"),
        I("report to the Collaboration Board on delivery, performance, finance, workforce and risk."),
        C("The Lead Chief Officer shall consult the Chief Officer concerned before taking any decision that "
          "materially affects the delivery of a Function in another Force’s Police Area."),
        C("Each other Chief Officer shall co-operate with the Lead Chief Officer and give him or her the "
          "information, access to systems and premises and assistance reasonably required for the Functions."),
        C("The Lead Force may be changed only by a variation of this Agreement agreed by all the Parties."),
    ]),
    Section("governance", "Governance", [
        C("The Parties establish a Collaboration Board for {{ agreement.title }} with the terms of reference "
          "in Appendix 1. The governance structure of the collaboration is set out in Appendix 2."),
        C("The Collaboration Board oversees the delivery, performance, finance, workforce and risks of the "
          "Functions and reports to the Joint Chief Officer Board and to the Strategic Alliance Summit."),
        C("The following matters are reserved to the Parties and require the agreement of all of them:"),
        I("any variation of this Agreement, including the addition or removal of a Function;"),
        I("a change of Lead Force;"),
        I("the annual budget of each Function and any change to a cost apportionment formula;"),
        I("the admission of a new party; and"),
        I("the termination of this Agreement."),
        C("The Parties shall meet as the Strategic Alliance Summit at least once in each Financial Year to "
          "review the collaboration and to decide reserved matters."),
    ]),
    Section("accountability", "Accountability Arrangements", [
        C("Each Policing Body remains responsible for holding its own Chief Officer to account for the "
          "exercise of his or her functions, including functions exercised under this Agreement."),
        C("The Lead Commissioner, the {{ lead_force.policing_body.title }}, shall hold the Lead Chief Officer "
          "to account for the delivery of the Functions in all the Police Areas under this Agreement, being "
          "{{ areas }}, in accordance with the Statutory Guidance."),
        C("Each other Policing Body may raise with the Lead Commissioner, directly or through the "
          "Collaboration Board, any matter concerning the delivery of the Functions in its Police Area, and "
          "the Lead Commissioner shall take that matter into account in holding the Lead Chief Officer to "
          "account."),
        C("The Lead Chief Officer shall provide any Policing Body with the information it reasonably requires "
          "to discharge its functions, including information requested by its police and crime panel."),
    ]),
    Section("direction_and_control", "Direction and Control", [
        C("Police officers and police staff assigned to the Functions are under the direction and control "
          "of the Lead Chief Officer for the purposes of the Functions, as section 23 of the Act permits, "
          "whichever Force they belong to or are employed by."),
        C("Members of the Forces may discharge the Functions in any of the Police Areas. Nothing in this "
          "Agreement restricts the powers that a constable has throughout England and Wales."),
        C("Command of an operation or incident that involves a Function shall be determined in accordance "
          "with the Service Specification and the relevant Authorised Professional Practice. The Chief Officer "
          "for the Police Area concerned retains responsibility for the overall policing of that area."),
        C("A Chief Officer may ask the Lead Chief Officer to deploy the resources of a Function in his or her "
          "Police Area, and the Lead Chief Officer shall respond in accordance with the Service Specification."),
    ]),
    Section("performance", "Performance Management", [
        C("The Collaboration Board shall agree a performance framework for the Functions, including the "
          "service levels and measures set out in each Service Specification."),
        C("The Lead Chief Officer shall report performance to the Collaboration Board at least quarterly, "
          "showing performance in each Police Area as well as for the Functions as a whole."),
        C("Where performance falls below the agreed service levels, the Lead Chief Officer shall present an "
          "improvement plan to the Collaboration Board and report on its progress until the service levels "
          "are restored."),
        C("The Parties shall consider together the findings of any inspection of the Functions and agree the "
          "action to be taken in response."),
    ]),
    Section("plans", "Police and Crime Plans and the Strategic Policing Requirement", [
        C("In delivering the Functions the Lead Chief Officer shall have regard to the police and crime plan "
          "of each Policing Body."),
        C("Each Chief Officer and each Policing Body shall have regard to the Strategic Policing Requirement "
          "issued by the Secretary of State, and the Functions shall contribute to the capacity and "
          "capability the Forces need to counter the national threats it identifies."),
        C("Each Policing Body shall consult the other Policing Bodies before issuing or varying a police and "
          "crime plan in a way that would materially affect the Functions."),
    ]),
    Section("finance", "Financial Arrangements", [
        C("The Lead Force shall hold and administer the budget of the Functions on behalf of the Parties. The "
          "total annual budget of the Functions set out in Part B is {{ total_budget }}."),
        C("Each Policing Body shall pay its Contributions to the Lead Commissioner in four equal quarterly "
          "instalments in advance, on 1 April, 1 July, 1 October and 1 January in each Financial Year."),
        C("The Chief Finance Officer of the Lead Force shall keep proper accounts of the Functions and shall "
          "give the other Chief Finance Officers a budget monitoring report at least quarterly."),
        C("The financial regulations and contract standing orders of the Lead Force apply to expenditure on "
          "the Functions."),
        C("Any overspend or underspend at the end of a Financial Year shall be shared between the Policing "
          "Bodies in the proportions in which they contributed to the Function concerned, unless the "
          "Collaboration Board recommends and the Parties agree otherwise."),
    ]),
    Section("cost_apportionment", "Cost Apportionment", [
        C("The cost of each Function is apportioned between the Policing Bodies in accordance with the "
          "principles agreed by the Chief Finance Officers of the {{ agreement.alliance }}:"),
        I("the apportionment of each Function is set by a formula agreed in advance and applied to published, "
          "verifiable figures;"),
        I("the formula may allocate costs equally, in fixed shares, in proportion to Net Revenue Expenditure, "
          "in proportion to demand for the Function, or by a weighted combination of Net Revenue Expenditure "
          "and demand; and"),
        I("shares are expressed to two decimal places and total exactly 100%, and Contributions are expressed "
          "to the penny and total exactly the budget of the Function."),
        C("The formula for each Function, the figures to which it is applied and the resulting shares and "
          "Contributions are set out in its Service Specification in Part B."),
        C("Demand for a Function is measured as stated in its Service Specification, using the records of the "
          "Lead Force for the most recent complete period available when the budget is set."),
        C("The Chief Finance Officers shall review the apportionment of each Function annually and report to "
          "the Collaboration Board. A change to a formula takes effect only by a variation of this Agreement."),
    ]),
    Section("budget", "Budget Setting and Savings", [
        C("The Lead Chief Officer shall prepare a draft budget for each Function for the next Financial Year "
          "and submit it to the Collaboration Board by 31 October, so that each Policing Body can take it into "
          "account in setting its budget and precept."),
        C("The budget of each Function requires the agreement of all the Policing Bodies. If a budget has not "
          "been agreed by the start of a Financial Year, the budget for the previous year continues to apply, "
          "adjusted for pay awards and other unavoidable commitments, until a budget is agreed."),
        C("The Parties shall agree the savings to be delivered by the Functions over the medium term. The Lead "
          "Chief Officer shall prepare a savings plan and report on its delivery to the Collaboration Board."),
        C("Savings are shared between the Policing Bodies in the proportions of their Contributions. No "
          "Policing Body is obliged to pay more than its agreed Contribution without its consent."),
    ]),
    Section("assets", "Assets, Premises and Equipment", [
        C("Each Party retains ownership of the assets it makes available for the Functions, including "
          "premises, vehicles and equipment, and shall maintain a register of those assets."),
        C("Assets acquired from the budget of the Functions are held by the Lead Commissioner on behalf of "
          "the Policing Bodies in the proportions in which they funded the acquisition."),
        C("The use of premises of one Party by another for the Functions is by licence only and creates no "
          "tenancy or other interest in land. The running costs of such premises are a cost of the Functions."),
        C("On the withdrawal of a Party or the termination of this Agreement, assets funded jointly shall be "
          "distributed, or their value shared, in the proportions in which they were funded."),
    ]),
    Section("procurement", "Contracts and Procurement", [
        C("The Lead Force shall procure the goods, works and services needed for the Functions in accordance "
          "with its contract standing orders and the public procurement legislation in force."),
        C("Contracts for the Functions shall be entered into by the Lead Commissioner or the Lead Chief "
          "Officer on behalf of all the Parties, and their costs are costs of the Functions."),
        C("Contracts of the other Parties that relate to the Functions continue until their expiry or "
          "novation; the Lead Force shall manage them on behalf of the contracting Party."),
        C("Where it offers better value, the Lead Force shall use national or regional framework agreements "
          "and collaborative procurement."),
    ]),
    Section("officers", "Workforce: Police Officers", [
        C("Police officers assigned to the Functions remain members of their own Force. Their appointment, "
          "rank, pay, allowances and pension are unaffected by this Agreement."),
        C("While assigned to the Functions, police officers are under the direction and control of the Lead "
          "Chief Officer in accordance with the Direction and Control provisions."),
        C("The Lead Chief Officer shall apply the Lead Force’s operational policies to officers assigned to "
          "the Functions and shall consult the other Chief Officers on changes that affect their officers."),
        C("The cost of police officers assigned to the Functions is a cost of the Functions and is recharged "
          "through the budget to the Force that bears it."),
    ]),
    Section("staff", "Workforce: Police Staff", [
        C("Members of police staff assigned to the Functions remain employed by their existing employer. "
          "No change of employer is intended by this Agreement."),
        C("While assigned to the Functions, members of police staff work under the direction and control of "
          "the Lead Chief Officer, as section 23 of the Act permits, on secondment from their employer on "
          "their existing terms and conditions."),
        C("The Parties do not intend this Agreement, or any assignment under it, to be a relevant transfer "
          "under the Transfer of Undertakings (Protection of Employment) Regulations 2006. If such a transfer is "
          "found to have occurred, the resulting costs and liabilities shall be shared in the proportions of "
          "the Contributions."),
        C("The employer remains responsible for pay, pension, terms and conditions, grievance and discipline; "
          "the Lead Chief Officer is responsible for day-to-day management and shall give the employer the "
          "information it needs."),
        C("The Parties shall consult the recognised trade unions and staff associations on any change to "
          "working arrangements in the Functions."),
    ]),
    Section("designated_staff", "Designated Police Staff", [
        C("Where a member of police staff assigned to the Functions needs powers under section 38 of the "
          "Police Reform Act 2002, the designation shall be made by the Chief Officer with power to make it, "
          "at the request of the Lead Chief Officer."),
        C("A Chief Officer shall designate only persons who are suitable, capable and adequately trained to "
          "exercise the powers conferred, and the Lead Force shall keep a register of designations."),
        C("A designation may be varied or withdrawn by the Chief Officer who made it after consulting the Lead "
          "Chief Officer."),
    ]),
    Section("health_and_safety", "Health and Safety", [
        C("The Lead Chief Officer is responsible for the safe systems of work, risk assessments and training "
          "of those working in the Functions. Each employer keeps its own duties under the health and safety "
          "legislation."),
        C("The Parties shall co-operate and co-ordinate their arrangements wherever they share premises or "
          "operations, and each shall give the others the health and safety information they need."),
        C("Accidents, incidents and near misses in the Functions shall be reported to the employer concerned "
          "and to the Lead Force, which shall investigate them and share the findings with the Parties."),
    ]),
    Section("data_protection", "Information Management and Data Protection", [
        C("The Parties shall process personal data for the Functions in accordance with the data protection "
          "legislation in force. The Chief Officers are joint controllers of personal data processed for the "
          "Functions, and an information sharing agreement shall set out their respective responsibilities."),
        C("Information shall be managed in accordance with the Authorised Professional Practice on the "
          "management of police information and protected in accordance with the Government Security "
          "Classifications."),
        C("A Party that becomes aware of a personal data breach affecting the Functions shall notify the Lead "
          "Force and the other controllers without undue delay and in any event within 24 hours."),
        C("Records created in the Functions are held by the Lead Force on behalf of all the Parties, and each "
          "Party shall have access to the records that relate to its Police Area."),
    ]),
    Section("foi", "Freedom of Information", [
        C("Each Party is a public authority for the purposes of the Freedom of Information Act 2000 and the "
          "Environmental Information Regulations 2004 and remains responsible for the requests it receives."),
        C("A Party that receives a request for information about the Functions shall consult the Lead Force, "
          "which shall provide the information held and its views on disclosure within five working days."),
        C("The decision whether to disclose rests with the Party that received the request, which shall take "
          "account of the views of the other Parties before relying on or refusing an exemption."),
    ]),
    Section("complaints", "Complaints and Conduct", [
        C("Complaints, conduct matters and death or serious injury matters concerning persons serving in the "
          "Functions shall be handled in accordance with the Police Reform Act 2002 and the regulations made "
          "under it."),
        C("The appropriate authority is determined by that legislation. Where more than one Party could act, "
          "the Parties concerned shall agree which of them will do so, and the others shall co-operate fully."),
        C("Complaints about the conduct of a Chief Officer are for the Policing Body that maintains his or her "
          "Force."),
        C("The Lead Force shall refer matters to the independent police complaints body where the law requires "
          "and shall share the outcome of complaints and conduct proceedings with the Parties concerned."),
    ]),
    Section("audit", "Audit and Inspection", [
        C("The internal auditors of the Lead Force shall include the Functions in their audit plan, and their "
          "reports on the Functions shall be given to the audit committees of all the Parties."),
        C("The external auditors of each Party, and the inspectorate of constabulary, shall have access to "
          "the people, premises and records of the Functions."),
        C("The Lead Force shall keep the financial records of the Functions for at least six years after the "
          "end of the Financial Year to which they relate."),
    ]),
    Section("equality", "Equality and Diversity", [
        C("Each Party is subject to the public sector equality duty in section 149 of the Equality Act 2010. "
          "The Lead Chief Officer shall have due regard to that duty in delivering the Functions."),
        C("The Lead Force shall carry out equality impact assessments of significant changes to the Functions "
          "and shall report equality information about the Functions to the Collaboration Board."),
    ]),
    Section("confidentiality", "Confidentiality", [
        C("Each Party shall keep confidential the information of the other Parties that it receives under this "
          "Agreement and shall use it only for the purposes of this Agreement."),
        C("This obligation does not prevent a disclosure required by law, by the Freedom of Information Act "
          "2000, by section 23E of the Act, or to auditors, inspectors or legal advisers."),
        C("Information shall be handled in accordance with its security classification and only by persons "
          "vetted to the appropriate level. This obligation survives the termination of this Agreement."),
    ]),
    Section("intellectual_property", "Intellectual Property", [
        C("Each Party retains the intellectual property rights it owns and grants the other Parties a "
          "royalty-free, non-exclusive licence to use them for the purposes of the Functions."),
        C("Intellectual property created in the Functions vests in the Lead Commissioner, who grants each other "
          "Party a perpetual, royalty-free, non-exclusive licence to use it for policing purposes, including "
          "after that Party’s withdrawal."),
        C("The Lead Force shall ensure that software and data licences used in the Functions permit their use "
          "for the benefit of all the Parties."),
    ]),
    Section("review", "Review and Variation", [
        C("The Parties shall review this Agreement formally no later than {{ agreement.review }}. The "
          "Collaboration Board shall review the Service Specifications and the apportionment of costs annually."),
        C("This Agreement may be varied only by a subsequent written collaboration agreement signed by all the "
          "Parties, as section 23C of the Act provides."),
        C("In discharge of their duties under sections 22B and 22C of the Act, the Parties shall keep under "
          "review whether further functions could be delivered more efficiently or effectively under this "
          "Agreement."),
    ]),
    Section("new_parties", "Admission of New Parties", [
        C("The chief officer of another police force and the policing body that maintains it may become "
          "Parties with the written agreement of all the existing Parties, by a variation of this Agreement."),
        C("The terms of admission shall state the date of admission, the Functions concerned, the resulting "
          "changes to Contributions and any transitional costs, which are borne by the new parties unless the "
          "Parties agree otherwise."),
        C("A new party shall not be liable for any liability that arose before the date of its admission."),
    ]),
    Section("termination", "Withdrawal and Termination", [
        C("A Party may withdraw from this Agreement, in whole or in respect of a Function, by giving all the "
          "other Parties not less than twelve months’ written notice expiring on 31 March. A Chief Officer and "
          "the Policing Body that maintains his or her Force may withdraw only together."),
        C("A withdrawing Party remains liable for:"),
        I("its Contributions up to the date on which its withdrawal takes effect;"),
        I("its share of liabilities arising from acts or omissions before that date; and"),
        I("its share of the costs reasonably incurred as a consequence of its withdrawal, including "
          "redundancy, contract termination and dilapidation costs."),
        C("Within three months of a notice of withdrawal the Lead Chief Officer shall prepare an exit plan "
          "covering the workforce, assets, information, contracts and continuity of service."),
        C("This Agreement may be terminated at any time by the written agreement of all the Parties, and ends "
          "when fewer than two Forces remain party to it. A Party that ceases to have power to be a party "
          "ceases to be one, as section 23C of the Act provides."),
        C("The provisions on Financial Arrangements, General Liabilities, Confidentiality, Data Protection and "
          "Dispute Resolution survive withdrawal and termination."),
    ]),
    Section("liabilities", "General Liabilities", [
        C("Liabilities arising from the delivery of the Functions, including claims, damages, compensation and "
          "legal costs, are shared between the Policing Bodies in the proportions of the apportionment of the "
          "Function concerned for the Financial Year in which the liability arose."),
        C("Where the Lead Chief Officer is liable under section 88 of the Act for the unlawful conduct of a "
          "constable under his or her direction and control, the Policing Bodies shall indemnify the Lead "
          "Force in those proportions."),
        C("A Party shall notify the Lead Force within ten working days of receiving a claim relating to the "
          "Functions. The Lead Force shall conduct the claim in consultation with the Parties, and no Party "
          "shall admit liability or settle without consulting the others."),
        C("A liability caused by the wilful default of a Party, or by an act outside the scope of the "
          "Functions, is borne by that Party alone. No Party is liable to another for indirect or "
          "consequential loss."),
        C("This section survives the withdrawal of a Party for liabilities arising while it was a Party."),
    ]),
    Section("insurance", "Insurance", [
        C("Each Policing Body shall maintain insurance, or arrangements for self-insurance, adequate for its "
          "share of the liabilities arising from the Functions."),
        C("The Lead Commissioner shall notify its insurers of the Lead Force arrangements and obtain their "
          "agreement to them. Premiums and excesses attributable to the Functions are costs of the Functions."),
        C("The Parties shall co-operate in the notification and handling of insured claims and shall comply "
          "with the conditions of the relevant policies."),
    ]),
    Section("disputes", "Dispute Resolution", [
        C("A dispute about this Agreement shall first be referred to the Collaboration Board, which shall "
          "try to resolve it within twenty working days."),
        C("A dispute not resolved by the Collaboration Board shall be referred to the Chief Officers and the "
          "Policing Bodies, meeting as the Joint Chief Officer Board and then the Strategic Alliance Summit, "
          "which shall try to resolve it within a further twenty working days."),
        C("A dispute that remains unresolved shall be referred to mediation by a mediator agreed by the Parties "
          "in dispute or, failing agreement, nominated by the Centre for Effective Dispute Resolution. The "
          "costs of the mediation are shared equally by the Parties in dispute."),
        C("The Parties shall continue to perform this Agreement while a dispute is being resolved. Nothing in "
          "this section prevents a Party from seeking urgent relief from the court."),
    ]),
    Section("publication", "Publication", [
        C("The Policing Bodies shall publish this Agreement, and every variation of it, in accordance with "
          "section 23E of the Act, as soon as practicable after it is signed."),
        C("Any part of this Agreement whose publication the Parties consider would be against the interests of "
          "national security, could prejudice the prevention or detection of crime or the apprehension or "
          "prosecution of offenders, or could jeopardise the safety of any person, shall be withheld from "
          "publication, as may commercially sensitive information that would be exempt from disclosure."),
        C("The published version shall show where material has been withheld and under which provision."),
    ]),
    Section("notices", "Notices", [
        C("A notice under this Agreement shall be in writing and delivered by hand, by first class post or by "
          "email to the Policing Body concerned at the following address:"),
        T("{%p for p in policing_bodies %}"),
        I("the {{ p.title }}: {% if p.address %}{{ p.address }}{% else %}its principal office, as notified "
          "to the other Parties{% endif %};"),
        T("{%p endfor %}"),
        C("A notice to a Chief Officer is given by sending it to the Policing Body that maintains his or her "
          "Force, marked for the attention of the Chief Officer."),
        C("A notice is deemed received: if delivered by hand, on delivery; if posted, on the second working "
          "day after posting; and if emailed, at the time of sending if sent within business hours, and "
          "otherwise at the start of the next working day."),
    ]),
    Section("governing_law", "Governing Law", [
        C("This Agreement and any dispute arising from it are governed by the law of England and Wales, and "
          "the courts of England and Wales have exclusive jurisdiction, subject to the Dispute Resolution "
          "provisions."),
        C("This Agreement is the entire agreement between the Parties about the Functions. No person who is "
          "not a Party has any right under the Contracts (Rights of Third Parties) Act 1999 to enforce any of "
          "its terms."),
    ]),
]

#: The order of DESIGN.md §5, as the product knows it (its own test checks it against DESIGN).
DESIGN_ORDER = list(SECTION_KEYS)

STYLE_OF = {"C": "Clause", "I": "Clause Item"}


# ---------------------------------------------------------------------------------------
# The umbrella
# ---------------------------------------------------------------------------------------


def build_umbrella() -> Writer:
    w = Writer(title_page=True)
    w.header_footer("{{ agreement.reference }} · Version {{ agreement.version }}", title_page=True)

    # Cover page
    w.p("Title", "{{ agreement.title }}")
    w.p("Subtitle", "Collaboration Agreement under Section 22A of the Police Act 1996")
    w.p("Body Text", "**{{ agreement.alliance }}**", align="center", space_after=480)
    w.table([2600, 4000], [
        ("body", ["**Reference**", "{{ agreement.reference }}"]),
        ("body", ["**Version**", "{{ agreement.version }}"]),
        ("body", ["**Date**", "{{ agreement.date }}"]),
        ("body", ["**Status**", "{{ agreement.status }}"]),
    ])
    w.doc.tables[-1].alignment = WD_TABLE_ALIGNMENT.CENTER
    w.p("Body Text", "between", align="center", space_before=480)
    w.tag("{%p for p in parties %}")
    w.p("Body Text", "the {{ p.title }}", align="center", space_after=40)
    w.tag("{%p endfor %}")

    # Parties
    w.p("Unnumbered Heading", "Parties", page_break=True)
    w.p("Body Text", "**This Agreement** is dated {{ agreement.date }} and is made between:")
    w.tag("{%p for p in chief_officers %}")
    w.p("Party", "the **{{ p.title }}**, a corporation sole;")
    w.tag("{%p endfor %}")
    w.tag("{%p for p in policing_bodies %}")
    w.p("Party", "the **{{ p.title }}**, a corporation sole{% if p.address %}, of {{ p.address }}{% endif %}"
                 "{% if loop.last %}.{% else %};{% endif %}")
    w.tag("{%p endfor %}")
    w.p("Body Text", "The chief officers named above are together the **“Chief Officers”** and the policing "
                     "bodies named above are together the **“Policing Bodies”**; each of them is a **“Party”** "
                     "and together they are the **“Parties”**.")

    # Recitals
    w.p("Unnumbered Heading", "Recitals")
    w.p("Body Text", "**Whereas:**", keep_next=True)
    w.p("Recital", "Section 22A of the Police Act 1996 (the **“Act”**) enables the chief officers of police of "
                   "one or more police forces and two or more policing bodies to make a collaboration agreement "
                   "containing force collaboration provision, policing body collaboration provision or policing "
                   "body and force collaboration provision.")
    w.p("Recital", "This Agreement contains {{ provisions.text }} within the meaning of section 22A(2) of the "
                   "Act. Its Parties are the chief officer of police of each of {{ force_names }} and the "
                   "policing body responsible for maintaining each of those forces, being the persons whose "
                   "participation section 22A of the Act requires for that provision.")
    w.tag("{%p if provisions.force %}")
    w.p("Recital", "The force collaboration provision of this Agreement concerns the discharge of functions by "
                   "members of the Forces: their joint discharge of functions, their discharge of functions in "
                   "one another’s police areas, and their direction and control by the Lead Chief Officer, as "
                   "section 23 of the Act permits.")
    w.tag("{%p endif %}")
    w.tag("{%p if provisions.policing_body %}")
    w.p("Recital", "The policing body collaboration provision of this Agreement concerns support by each "
                   "Policing Body for the other Policing Bodies, as section 23A of the Act permits.")
    w.tag("{%p endif %}")
    w.tag("{%p if provisions.policing_body_and_force %}")
    w.p("Recital", "The policing body and force collaboration provision of this Agreement concerns support, "
                   "including the provision of premises, equipment, staff, services and facilities, by each "
                   "Policing Body for the police forces maintained by the other Policing Bodies, as section 23A "
                   "of the Act permits.")
    w.tag("{%p endif %}")
    w.p("Recital", "Each Chief Officer thinks that this Agreement is in the interests of the efficiency or "
                   "effectiveness of one or more police forces, and each Policing Body thinks that it is in the "
                   "interests of the efficiency or effectiveness of one or more policing bodies or police "
                   "forces, having considered the existing collaboration agreements of the Forces, the "
                   "desirability of a consistent approach and the opportunities available to them.")
    w.p("Recital", "Sections 22B and 22C of the Act require chief officers and policing bodies to keep "
                   "collaboration opportunities under review and to collaborate where that is in the interests "
                   "of the efficiency or effectiveness of their own and other police forces. The Parties make "
                   "this Agreement in discharge of those duties and have had regard to the Statutory Guidance "
                   "for Police Collaboration.")
    w.p("Recital", "Through the {{ agreement.alliance }} the Parties have agreed that the Functions shall be "
                   "delivered for {{ areas }} by {{ lead_force.name }} as Lead Force, on the terms of this "
                   "umbrella agreement (Part A) and of a Service Specification for each business area (Part B).")
    w.p("Body Text", "**It is agreed** as follows.")

    # Contents
    w.p("Unnumbered Heading", "Contents", page_break=True)
    toc = w.doc.add_paragraph(style="toc 1")
    w.field(toc, r'TOC \o "1-1" \h \z \u')

    # Part A
    w.p("Part Heading", "PART A – GENERAL TERMS")
    assert [s.key for s in SECTIONS] == DESIGN_ORDER
    for section in SECTIONS:
        clauses = sum(1 for kind, _ in section.body if kind == "C")
        assert 2 <= clauses <= 6, (section.key, clauses)
        heading = w.p("Heading 1", section.title)
        w.bookmark(heading, f"_AB_S_{section.key}")
        for kind, text in section.body:
            if kind == "T":
                w.tag(text)
            else:
                w.p(STYLE_OF[kind], text)
        w.tag(f"{{{{p clauses.{section.key} }}}}")

    # Execution page
    w.p("Appendix Title", "Execution")
    w.p("Body Text", "This Agreement has been executed by the Parties, each a corporation sole, on the date "
                     "stated at its beginning.", space_after=360)
    w.tag("{%p for p in parties %}")
    signed = w.p("Body Text", "**{{ p.signed_by }}**", keep_next=True)
    signed.paragraph_format.keep_together = True
    w.p("Body Text", "Signature: ……………………………………………………………", keep_next=True, space_before=480)
    w.p("Body Text", "Date: ……………………………………………", space_before=200, space_after=360)
    w.tag("{%p endfor %}")

    # Appendix 1: Terms of Reference
    title = w.p("Appendix Title", "Appendix 1: Terms of Reference")
    w.bookmark(title, "_AB_A_terms_of_reference")
    w.p("Body Text", "**{{ agreement.title }} Collaboration Board**", align="center", space_after=240)
    w.p("Unnumbered Heading", "Purpose")
    w.p("Body Text", "The Collaboration Board oversees, on behalf of the Parties, the delivery of the Functions "
                     "by {{ lead_force.name }} as Lead Force: performance against the Service Specifications, "
                     "the budget and savings, the workforce, risks and the benefits of the collaboration.")
    w.p("Unnumbered Heading", "Membership")
    w.p("Body Text", "The members are the Chief Officer and the Policing Body of each Force, each of whom may "
                     "nominate a representative of sufficient seniority to act on his or her behalf:",
        keep_next=True)
    w.table([3000, 6026], [
        ("head", ["Force", "Members"]),
        ("tr", "{%tr for f in forces %}"),
        ("body", ["{{ f.name }}", "the {{ f.chief_officer.title }}; the {{ f.policing_body.title }}"]),
        ("tr", "{%tr endfor %}"),
    ])
    w.p("Body Text", "The Chief Finance Officers, the head of the Lead Force command for the Functions and "
                     "other officers may attend to advise the Board.", space_before=120)
    w.p("Unnumbered Heading", "Chair")
    w.p("Body Text", "The Board is chaired by the Lead Commissioner, the {{ lead_force.policing_body.title }}, "
                     "or his or her representative. The chair may invite another member to chair a meeting.")
    w.p("Unnumbered Heading", "Quorum")
    w.p("Body Text", "A meeting is quorate when the Chief Officer and the Policing Body of each of the "
                     "{{ force_count }} Forces are present or represented.")
    w.p("Unnumbered Heading", "Frequency of meetings")
    w.p("Body Text", "The Board meets at least quarterly. The chair may call an extraordinary meeting on five "
                     "working days’ notice, or on shorter notice where the matter is urgent.")
    w.p("Unnumbered Heading", "Decisions")
    w.p("Body Text", "The Board takes decisions by consensus. A matter on which consensus cannot be reached, "
                     "and any matter reserved to the Parties by Part A, is referred to the Joint Chief Officer "
                     "Board and, where necessary, to the Strategic Alliance Summit.")
    w.p("Unnumbered Heading", "Reporting")
    w.p("Body Text", "Minutes of each meeting are circulated to all the Parties. The Board reports to the Joint "
                     "Chief Officer Board and to the Strategic Alliance Summit, and presents an annual report on "
                     "the collaboration to the Parties.")
    w.p("Unnumbered Heading", "Secretariat and review")
    w.p("Body Text", "The Lead Force provides the secretariat. The Board reviews these terms of reference "
                     "annually and recommends any change to the Parties.")

    # Appendix 2: Governance Structure
    title = w.p("Appendix Title", "Appendix 2: Governance Structure")
    w.bookmark(title, "_AB_A_governance_structure")
    w.p("Body Text", "The collaboration is governed through the following bodies, each reporting to the one "
                     "above it.", keep_next=True)
    w.table([2300, 2600, 2626, 1500], [
        ("head", ["Body", "Membership", "Role", "Reports to"]),
        ("body", ["Strategic Alliance Summit",
                  "the Chief Officers and the Policing Bodies of {{ areas }}",
                  "strategic direction of the {{ agreement.alliance }}; signing agreements; budgets, savings and "
                  "reserved matters",
                  "the Parties"]),
        ("body", ["Joint Chief Officer Board",
                  "the Chief Officers of {{ force_names }}",
                  "oversight of all the collaborated functions; resolution of escalated issues",
                  "Strategic Alliance Summit"]),
        ("body", ["{{ agreement.title }} Collaboration Board",
                  "see Appendix 1",
                  "oversight of the delivery, performance, finance and risks of the Functions",
                  "Joint Chief Officer Board"]),
        ("body", ["Lead Force command",
                  "the {{ lead_force.chief_officer.title }} and the command of {{ lead_force.name }} that "
                  "delivers the Functions",
                  "day-to-day delivery of the Functions throughout the Police Areas",
                  "Collaboration Board"]),
    ])

    # Part B
    w.p("Part Heading", "PART B – SERVICE SPECIFICATIONS")
    w.p("Body Text", "Part B contains a Service Specification for each Function, in the order in which the "
                     "Functions are listed in Part A. Each Service Specification sets out the services, the "
                     "service levels, the governance and the apportionment of the cost of the Function.")
    w.tag("{{p annexes }}")
    return w


# ---------------------------------------------------------------------------------------
# Annexes
# ---------------------------------------------------------------------------------------

ANNEX_TITLE = "Service Specification {{ function.number }}: {{ function.name }}"

ARMED_POLICING = [
    ("Armed Policing Standards", [
        "The Lead Chief Officer shall deliver armed policing throughout the Police Areas in accordance with the "
        "Code of Practice on the Police Use of Firearms and Less Lethal Weapons and the College of Policing’s "
        "Authorised Professional Practice (APP) on armed policing.",
        "The numbers of Authorised Firearms Officers, armed response vehicles and specialist firearms "
        "capabilities shall be determined by the armed policing strategic threat and risk assessment, which "
        "the Lead Force prepares each year for the Police Areas together and the Chief Officers approve.",
        "Authorised Firearms Officers shall be selected, trained, accredited and re-accredited in accordance "
        "with the national police firearms training curriculum at a training facility licensed by the College "
        "of Policing. An officer whose accreditation has lapsed shall not be deployed as an Authorised "
        "Firearms Officer.",
    ]),
    ("Command and Authorisation", [
        "The Lead Force shall maintain a rota that ensures that an accredited Strategic Firearms Commander, "
        "Tactical Firearms Commander and Operational Firearms Commander are available at all times for firearms "
        "operations in each of the Police Areas.",
        "The deployment of Authorised Firearms Officers shall be authorised by an Authorising Officer of the "
        "rank and accreditation required by the APP, drawn from the agreed rota whichever Force he or she "
        "belongs to.",
        "Authorisations, command decisions and the rationale for them shall be recorded in accordance with the "
        "APP, and the records shall be kept by the Lead Force and made available to the Chief Officer of the "
        "Police Area concerned.",
    ]),
    ("Post-incident Procedures", [
        "After a police discharge of a firearm, or any other incident to which the post-incident procedures in "
        "the APP apply, those procedures shall be followed, and any referral to the independent police "
        "complaints body shall be made as the law requires.",
        "The costs of post-incident procedures and of any resulting investigation, inquest or claim are "
        "liabilities arising from the delivery of the Function and are shared in accordance with the General "
        "Liabilities provisions of Part A.",
    ]),
    ("Firearms Licensing", [
        "The grant, renewal and revocation of firearm and shotgun certificates under the Firearms Act 1968 is "
        "not part of this Function and remains with the firearms licensing arrangements of the Forces.",
        "The Lead Force shall share with those arrangements any information from armed deployments that is "
        "relevant to the suitability of a certificate holder.",
    ]),
]

MAJOR_CRIME = [
    ("Investigation Standards", [
        "The Major Crime Unit shall investigate homicide, suspicious deaths and other major crime throughout the "
        "Police Areas in accordance with the College of Policing’s Authorised Professional Practice on major "
        "investigation and the Murder Investigation Manual.",
        "Each major investigation shall be led by a Senior Investigating Officer accredited at level 3 of the "
        "Professionalising Investigation Programme, appointed by the head of the Major Crime Unit.",
        "The category of each investigation shall be determined in accordance with the Authorised Professional "
        "Practice and shall set the minimum resources assigned to it.",
    ]),
    ("Major Incident Room", [
        "Each major investigation shall be supported by a major incident room operating in accordance with the "
        "Major Incident Room Standardised Administrative Procedures (MIRSAP).",
        "The Lead Force shall maintain the Home Office Large Major Enquiry System (HOLMES), trained HOLMES "
        "staff and the capacity to run the number of concurrent incident rooms set out in the Service Levels.",
    ]),
    ("Responsibilities of the Force Where an Offence Occurs", [
        "Until the Senior Investigating Officer takes responsibility, the Force in whose Police Area a major "
        "crime occurs shall provide the initial response, including the preservation of life, scenes and "
        "evidence.",
        "That Force shall support the investigation with local resources, family liaison where requested and "
        "a community impact assessment, and its Chief Officer shall be kept informed of the investigation, "
        "including the gold group and the media strategy.",
    ]),
    ("Reviews and Exceptional Costs", [
        "Undetected homicides shall be reviewed at 28 days, and thereafter as the Authorised Professional "
        "Practice requires, by a reviewing officer independent of the investigation.",
        "Where the cost of an investigation may qualify for special grant, the Lead Chief Officer shall prepare "
        "the application to the Home Office on behalf of the Policing Body of the Police Area concerned. Costs "
        "not met by special grant are shared in accordance with the cost apportionment below unless the "
        "Parties agree otherwise.",
    ]),
]


def build_annex(extra_sections=()) -> Writer:
    """Return the generic service specification, with optional function-specific sections."""
    w = Writer()
    w.p("Annex Title", ANNEX_TITLE)
    w.p("Annex Heading", "Purpose")
    w.tag("{%p if spec.purpose %}")
    w.p("Annex Clause", "{{ spec.purpose }}")
    w.tag("{%p endif %}")
    w.p("Annex Clause", "{{ lead_force.name }}, as Lead Force, delivers the Function on behalf of all the "
                        "Parties throughout {{ areas }} in accordance with Part A and this Service Specification.")

    w.p("Annex Heading", "Services in Scope")
    w.tag("{%p if spec.services %}")
    w.tag("{%p for s in spec.services %}")
    w.p("Annex Clause", "{{ s }}")
    w.tag("{%p endfor %}")
    w.tag("{%p else %}")
    w.p("Annex Clause", "The services of the Function are those delivered by the Lead Force for this business area "
                        "under Part A.")
    w.tag("{%p endif %}")

    for heading, clauses in extra_sections:
        w.p("Annex Heading", heading)
        for text in clauses:
            w.p("Annex Clause", text)

    w.p("Annex Heading", "Service Levels")
    w.tag("{%p for s in spec.service_levels %}")
    w.p("Annex Clause", "{{ s }}")
    w.tag("{%p endfor %}")
    w.p("Annex Clause", "Performance against these service levels is reported to the Collaboration Board in "
                        "accordance with the Performance Management provisions of Part A.")

    w.p("Annex Heading", "Governance and Reporting")
    w.tag("{%p if spec.governance %}")
    w.p("Annex Clause", "{{ spec.governance }}")
    w.tag("{%p else %}")
    w.p("Annex Clause", "The Function is governed by the Collaboration Board in accordance with Part A. "
                        "{{ lead_force.name }} reports to the Collaboration Board on the delivery, performance, "
                        "finance and risks of the Function in each of the Police Areas.")
    w.tag("{%p endif %}")
    w.tag("{%p if spec.reporting %}")
    w.p("Annex Clause", "{{ spec.reporting }}")
    w.tag("{%p endif %}")

    w.p("Annex Heading", "Budget")
    w.tag("{%p if function.budget %}")
    w.p("Annex Clause", "The annual budget of the Function is {{ function.budget }}. It is held and administered "
                        "by {{ lead_force.name }} in accordance with the Financial Arrangements of Part A.")
    w.tag("{%p else %}")
    w.p("Annex Clause", "No separate budget is held for the Function; its costs are met within the budgets of "
                        "the Parties.")
    w.tag("{%p endif %}")

    w.p("Annex Heading", "Cost Apportionment")
    w.tag("{%p if apportionment.rows %}")
    w.p("Annex Clause", "The cost of the Function is apportioned between the Policing Bodies in accordance with "
                        "the principles in the Cost Apportionment provisions of Part A.")
    w.p("Annex Clause", "{{ apportionment.formula_text }}")
    w.tag("{%p if apportionment.inputs %}")
    w.p("Annex Clause", "The formula is applied to the following figures.", keep_next=True)
    w.tag("{%p endif %}")
    w.tag("{%p for input in apportionment.inputs %}")
    w.p("Body Text", "**{{ input.label }}**", keep_next=True, indent=720, space_before=120, space_after=60)
    w.table([4806, 3500], indent=720, rows=[
        ("head", ["Force", ">{{ input.label }}{% if input.unit %} ({{ input.unit }}){% endif %}"]),
        ("tr", "{%tr for row in input.rows %}"),
        ("body", ["{{ row.force }}", ">{{ row.value }}"]),
        ("tr", "{%tr endfor %}"),
        ("total", ["Total", ">{{ input.total }}"]),
    ])
    w.tag("{%p endfor %}")
    w.p("Annex Clause", "The resulting shares and annual contributions are:", keep_next=True, space_before=240)
    w.table([3906, 1800, 2600], indent=720, rows=[
        ("head", ["Force", ">Share", ">Annual contribution"]),
        ("tr", "{%tr for row in apportionment.rows %}"),
        ("body", ["{{ row.force }}", ">{{ row.share }}", ">{{ row.contribution }}"]),
        ("tr", "{%tr endfor %}"),
        ("total", ["Total", ">{{ apportionment.total_share }}", ">{{ apportionment.total_contribution }}"]),
    ])
    w.p("Annex Clause", "Contributions are payable in accordance with the Financial Arrangements of Part A. The "
                        "shares are reviewed annually by the Chief Finance Officers.", space_before=240)
    w.tag("{%p else %}")
    w.p("Annex Clause", "The cost of the Function is not apportioned separately between the Policing Bodies; it "
                        "is met as provided in the Financial Arrangements of Part A.")
    w.tag("{%p endif %}")
    return w


def build_no_specification() -> Writer:
    w = Writer()
    w.p("Annex Title", ANNEX_TITLE)
    w.p("Body Text", "No service specification has yet been agreed for this business area.")
    w.p("Body Text", "{{ function.reason }}")
    w.p("Body Text", "Until a Service Specification is agreed and incorporated into Part B by a variation of "
                     "this Agreement, the Function continues to be delivered under the arrangements in Part A.")
    return w


def build_withheld() -> Writer:
    w = Writer()
    w.p("Annex Title", ANNEX_TITLE)
    w.p("Body Text", "The details of this Service Specification are withheld from publication under section 23E "
                     "of the Police Act 1996.")
    return w


# ---------------------------------------------------------------------------------------
# Decision notice
# ---------------------------------------------------------------------------------------


def build_decision_notice() -> Writer:
    w = Writer()
    w.header_footer("{{ agreement.reference }} · Decision notice · {{ body.title }}", title_page=False)
    w.p("Title", "Decision Notice", space_before=0)
    w.p("Subtitle", "{{ body.title }}", space_after=240)
    w.table([2600, 6426], [
        ("body", ["**Title**", "{{ agreement.title }}: collaboration agreement under section 22A of the Police "
                               "Act 1996, version {{ agreement.version }}"]),
        ("body", ["**Reference**", "{{ agreement.reference }}"]),
        ("body", ["**Decision by**", "the {{ body.title }}"]),
        ("body", ["**For signature at**", "the {{ summit.name }} on {{ summit.date }}"]),
    ])

    w.p("Heading 1", "Executive Summary")
    w.p("Clause", "This notice records the decision of the {{ body.title }} to enter into the {{ agreement.title }} "
                  "collaboration agreement under section 22A of the Police Act 1996 (reference "
                  "{{ agreement.reference }}, version {{ agreement.version }}) with the other chief officers and "
                  "policing bodies of {{ areas }}.")
    w.p("Clause", "Under the agreement {{ lead_force.name }} is the lead force and delivers the functions in scope "
                  "for all {{ force_count }} forces, and the cost is shared between the policing bodies by the "
                  "cost apportionment set out in each service specification.")

    w.p("Heading 1", "Recommendation")
    w.p("Clause", "That the {{ body.title }} approves the {{ agreement.title }} collaboration agreement and signs "
                  "it at the {{ summit.name }} on {{ summit.date }}.")

    w.p("Heading 1", "Decision")
    w.p("Body Text", "**Approved.**", space_after=120, indent=720)
    w.p("Body Text", "I approve the recommendation above. I have had regard to the Statutory Guidance for Police "
                     "Collaboration and I am satisfied that the agreement is in the interests of the efficiency or "
                     "effectiveness of one or more policing bodies or police forces.", keep_next=True, indent=720)
    w.p("Body Text", "Signature: ……………………………………………………………", keep_next=True, space_before=560, indent=720)
    w.p("Body Text", "the {{ body.title }}", keep_next=True, indent=720)
    w.p("Body Text", "Date: ……………………………………………", space_before=240, space_after=240, indent=720)

    w.p("Heading 1", "Background")
    w.p("Clause", "Section 22A of the Police Act 1996 enables chief officers and policing bodies to make a "
                  "collaboration agreement. A chief officer may do so if he or she thinks that it is in the "
                  "interests of the efficiency or effectiveness of one or more police forces, and a policing body "
                  "if it thinks that it is in the interests of the efficiency or effectiveness of one or more "
                  "policing bodies or police forces.")
    w.p("Clause", "Sections 22B and 22C of the Act require chief officers and policing bodies to keep "
                  "collaboration under review and to collaborate where that is in the interests of the "
                  "efficiency or effectiveness of their own and other police forces.")
    w.p("Clause", "The agreement contains {{ provisions.text }} and covers the following functions:", keep_next=True)
    w.tag("{%p for f in functions %}")
    w.p("Clause Item", "{{ f.name }}")
    w.tag("{%p endfor %}")
    w.p("Clause", "The agreement comes into effect on {{ agreement.commencement }} and is to be reviewed by "
                  "{{ agreement.review }}.")

    w.p("Heading 1", "Financial Implications")
    w.p("Clause", "The annual contribution of the {{ body.title }} for {{ force.name }} under the agreement is:",
        keep_next=True)
    w.table([5306, 3000], indent=720, rows=[
        ("head", ["Function", ">Annual contribution"]),
        ("tr", "{%tr for c in contributions %}"),
        ("body", ["{{ c.function }}", ">{{ c.contribution }}"]),
        ("tr", "{%tr endfor %}"),
        ("total", ["Total", ">{{ total_contribution }}"]),
    ])
    w.p("Clause", "The contributions are met from the budget of the {{ body.title }} for the financial year "
                  "concerned and are reviewed annually in accordance with the agreement.", space_before=240)

    w.p("Heading 1", "Publication")
    w.p("Clause", "This decision notice will be published. The agreement will be published in accordance with "
                  "section 23E of the Police Act 1996, save for any part withheld under that section.")
    return w


# ---------------------------------------------------------------------------------------

OUTPUTS = {
    "templates/umbrella.docx": build_umbrella,
    "templates/decision_notice.docx": build_decision_notice,
    "annexes/service_specification.docx": build_annex,
    "annexes/armed_policing.docx": lambda: build_annex(ARMED_POLICING),
    "annexes/major_crime.docx": lambda: build_annex(MAJOR_CRIME),
    "annexes/no_specification.docx": build_no_specification,
    "annexes/withheld.docx": build_withheld,
}


def write_outputs(outputs: dict, argv: list[str] | None) -> int:
    """Build and save each of `outputs` (path relative to the data folder -> builder) under argv[0] or the package."""
    out = Path(argv[0]) if argv else DATA
    for relative, build in outputs.items():
        path = out / relative
        build().save(path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return write_outputs(OUTPUTS, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
