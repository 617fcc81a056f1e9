"""WordprocessingML names, the stable ids' bookmark names, and literal text written as Word XML.

Why one module: every module that reads or writes a .docx speaks the same vocabulary
(namespaces, `w('p')`, the hidden `_AB_*` bookmarks of docs/architecture.md), and a name
defined twice drifts (the bookmark name of a long id once had two copies, one with a literal
40). Plain strings only, no lxml, so that any module may import the names cheaply.

The writers at the end (`xml_text`, `runs_xml`, `paragraph_xml`, `clauses_xml`,
`marked_runs_xml`) turn data into Word XML. Only the render/compose layer calls them
(tests/test_architecture.py enforces it): the rest of the package hands over data
(`richtext.py`), and render.py writes it.
"""

from __future__ import annotations

import hashlib
import re

# ---------------------------------------------------------------------------- namespaces

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_NS = "http://www.w3.org/XML/1998/namespace"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
V_NS = "urn:schemas-microsoft-com:vml"
#: The package (OPC) itself: content types, relationships, core and custom properties.
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
#: Relationship types are this plus their last segment ("styles", "footnotes", ...).
RT_PREFIX = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def w(tag: str) -> str:
    """Return the Clark name of a WordprocessingML tag (`w('p')` -> `{ns}p`)."""
    return f"{{{W_NS}}}{tag}"


P, R, T, TBL, TR, TC = w("p"), w("r"), w("t"), w("tbl"), w("tr"), w("tc")
PPR, RPR, TRPR, PSTYLE = w("pPr"), w("rPr"), w("trPr"), w("pStyle")
SDT, SDT_CONTENT, CUSTOM_XML = w("sdt"), w("sdtContent"), w("customXml")
BOOKMARK_START, BOOKMARK_END = w("bookmarkStart"), w("bookmarkEnd")
FLDCHAR, INSTR_TEXT, FLD_SIMPLE = w("fldChar"), w("instrText"), w("fldSimple")
INS, DEL, DEL_TEXT, DEL_INSTR = w("ins"), w("del"), w("delText"), w("delInstrText")
MOVE_FROM, MOVE_TO = w("moveFrom"), w("moveTo")
SECT_PR = w("sectPr")
VAL, NAME, ID = w("val"), w("name"), w("id")


# ---------------------------------------------------------------------------- stable ids (docs/architecture.md)

#: Bookmark prefixes of the stable ids a rendered document carries: Part A section, agreement
#: clause, Part B annex (function), appendix. Word hides bookmarks whose names start with `_`.
SECTION, CLAUSE, FUNCTION, APPENDIX = "_AB_S_", "_AB_C_", "_AB_F_", "_AB_A_"
ID_PREFIX = "_AB_"
MAX_BOOKMARK_NAME = 40  # Word's limit


def bookmark_name(prefix: str, ident: str) -> str:
    """Return the bookmark name of a stable id: prefix + id, or prefix + 16 hex of its SHA-1 when too long."""
    name = prefix + ident
    if len(name) <= MAX_BOOKMARK_NAME:
        return name
    return prefix + hashlib.sha1(ident.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------------- writers (render/compose layer only)


_PLAIN = re.compile(r"[^&<>_]*")


def xml_text(text: str) -> str:
    """Return user text escaped for a `w:t` element, literally.

    Besides &, < and >, the characters that docxtpl would treat after rendering (`{_{`,
    `}_}`, `{_%`, `%_}`) are protected with a character reference, so that even those
    print exactly as written.
    """
    if _PLAIN.fullmatch(text):  # most values: nothing to escape
        return text
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for seq in ("{_", "_}", "%_", "_%"):
        out = out.replace(seq, seq.replace("_", "&#95;"))
    return out


def t_xml(text: str) -> str:
    """Return a `w:t` holding literal text; `xml:space="preserve"` only where spaces would otherwise be lost.

    As Word writes it: a national agreement has hundreds of thousands of runs, and the
    attribute on each would cost a tenth of the memory its document tree takes.
    """
    if text[:1].isspace() or text[-1:].isspace() or "  " in text:
        return f'<w:t xml:space="preserve">{xml_text(text)}</w:t>'
    return f"<w:t>{xml_text(text)}</w:t>"


def runs_xml(text: str) -> str:
    """Return `w:r` elements for literal text; line breaks and tabs become Word's own."""
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:r><w:br/></w:r>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                parts.append("<w:r><w:tab/></w:r>")
            if chunk:
                parts.append(f"<w:r>{t_xml(chunk)}</w:r>")
    return "".join(parts)


def paragraph_xml(style: str, text: str, bookmark: str | None = None) -> str:
    """Return one `w:p` in paragraph style `style` (a style id) holding literal text, under a hidden bookmark."""
    start = end = ""
    if bookmark:
        start, end = f'<w:bookmarkStart w:id="0" w:name="{bookmark}"/>', '<w:bookmarkEnd w:id="0"/>'
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{start}{runs_xml(text)}{end}</w:p>'


def clauses_xml(style: str, clauses) -> str:
    """Return agreement clauses ((clause id, text) pairs) as paragraphs, each under its `_AB_C_` bookmark.

    The bookmark ids are all 0 here: the composer numbers every bookmark of the finished
    document once (compose.finish).
    """
    return "".join(paragraph_xml(style, text, bookmark_name(CLAUSE, ident)) for ident, text in clauses)


#: Run properties of marked text: "=" plain, "+" inserted, "-" deleted, "b" bold.
MARK_PROPERTIES = {
    "=": "",
    "+": '<w:rPr><w:color w:val="1E6B34"/><w:u w:val="single"/></w:rPr>',
    "-": '<w:rPr><w:color w:val="A50E0E"/><w:strike/></w:rPr>',
    "b": "<w:rPr><w:b/><w:bCs/></w:rPr>",
}


def marked_runs_xml(segments) -> str:
    """Return `w:r` elements for (mark, text) segments, literally (marks: MARK_PROPERTIES)."""
    out = []
    for mark, text in segments:
        if text:
            out.append(f"<w:r>{MARK_PROPERTIES[mark]}{t_xml(text)}</w:r>")
    return "".join(out)


#: The writers above: only the render/compose layer may call them (tests/test_architecture.py).
WRITERS = ("xml_text", "runs_xml", "paragraph_xml", "clauses_xml", "marked_runs_xml")
