"""Put back what saving a template in LibreOffice or Word loses and the product relies on.

Why: legal officers keep the wording in Word (or LibreOffice), and both rewrite a file on
every save. What a re-save through LibreOffice's Word filter does to the shipped templates:

- renames the ids of built-in styles (`BodyText` becomes `TextBody`, `TOC1` becomes
  `Contents1`), keeping their names;
- turns "page break before" on a paragraph into a page break at the end of the paragraph
  before it, which is lost when that paragraph holds only a `{%p ... %}` tag (docxtpl
  removes the whole paragraph): the cover page and the contents page then run on;
- empties the contents field (a TOC field with no entries yet is dropped, leaving an empty
  paragraph in the TOC 1 style): the contents page disappears.

Word, for its part, writes a table of contents as one field over many paragraphs inside a
content control, and a legal officer may retype a section heading, losing its hidden
`_AB_S_` bookmark. Each is restored here, on the template as read (never on the file), so
that a render is the same as from the template before the save. The restoration never
changes wording. What cannot be restored is reported by `templates check` with how to fix it.
"""

from __future__ import annotations

import re

from lxml import etree

from .ooxml import SECTION, w
from .package import RT_STYLES, Package
from .template_text import Styles, paragraph_style_id

#: The style ids the code writes or looks for, by the style's (lower-case) name (docs/templates.md).
CONTRACT_STYLE_IDS = {
    "title": "Title", "subtitle": "Subtitle", "part heading": "PartHeading", "heading 1": "Heading1",
    "clause": "Clause", "clause item": "ClauseItem", "body text": "BodyText", "recital": "Recital",
    "appendix title": "AppendixTitle", "annex title": "AnnexTitle", "annex heading": "AnnexHeading",
    "annex clause": "AnnexClause", "table text": "TableText", "table heading": "TableHeading",
    "unnumbered heading": "UnnumberedHeading", "party": "Party", "header": "Header", "footer": "Footer",
    "toc 1": "TOC1", "table grid": "TableGrid",
}
TOC_INSTRUCTION = ' TOC \\o "1-1" \\h \\z \\u '

P, R, T, PPR, VAL = w("p"), w("r"), w("t"), w("pPr"), w("val")
_STYLE_REFS = (w("pStyle"), w("rStyle"), w("tblStyle"))
_PARAGRAPH_TAG = re.compile(r"\s*(\{%p\s[^%]*%\}|\{\{p\s[^}]*\}\}|\{#p\s.*?#\})\s*", re.DOTALL)
_CLAUSES_TAG = re.compile(r"\s*\{\{p\s+clauses\.(\w+)\s*\}\}\s*")
#: The parts besides styles.xml that refer to styles by id.
_STYLED_PARTS = re.compile(r"word/(?:(?:header|footer)\d*|footnotes|endnotes|comments|numbering|document)\.xml")


def repair(package: Package) -> list[str]:
    """Restore, in `package`, what a re-save lost (see the module docstring); return what was done, in words."""
    done = _restore_style_ids(package)
    document = package.main_document()
    body = package.xml(document).find(w("body"))
    if body is not None:
        done += _restore_page_breaks(body, Styles(_styles_root(package)))
        done += _restore_contents_field(body, Styles(_styles_root(package)))
        done += _restore_section_anchors(body, Styles(_styles_root(package)))
    return done


def _styles_root(package: Package) -> etree._Element | None:
    name = package.related(package.main_document(), RT_STYLES)
    return package.xml(name) if name and name in package.parts else None


def is_tag_paragraph(p: etree._Element) -> bool:
    """Return whether a paragraph holds only one paragraph-level tag (docxtpl replaces it whole)."""
    return _PARAGRAPH_TAG.fullmatch("".join(t.text or "" for t in p.iter(T))) is not None


# ---------------------------------------------------------------------------- style ids


def _restore_style_ids(package: Package) -> list[str]:
    """Give the contract's styles their ids back (found by name), everywhere they are referred to."""
    root = _styles_root(package)
    if root is None:
        return []
    styles = Styles(root)
    renames: dict[str, str] = {}
    for name, wanted in CONTRACT_STYLE_IDS.items():
        info = styles.by_name.get(name)
        if info is None or info.style_id == wanted or wanted in styles.by_id:
            continue  # absent (the check says so), right already, or the id is taken by another style
        renames[info.style_id] = wanted
    if not renames:
        return []
    for style in root.iterfind(w("style")):
        sid = style.get(w("styleId"))
        if sid in renames:
            style.set(w("styleId"), renames[sid])
        for ref in ("basedOn", "next", "link"):
            el = style.find(w(ref))
            if el is not None and el.get(VAL) in renames:
                el.set(VAL, renames[el.get(VAL)])
    for name in list(package.parts):
        if not _STYLED_PARTS.fullmatch(name):
            continue
        if not any(old.encode() in package.parts[name] for old in renames):
            continue  # cheap look before parsing
        for el in package.xml(name).iter(*_STYLE_REFS):
            if el.get(VAL) in renames:
                el.set(VAL, renames[el.get(VAL)])
    return [f"style “{styles.by_id[old].name}” given back its id {new} (it was {old})" for old, new in renames.items()]


# ---------------------------------------------------------------------------- page breaks


def _restore_page_breaks(body: etree._Element, styles: Styles) -> list[str]:
    """Move a page break out of a paragraph docxtpl removes, onto the paragraph that follows it."""
    done = []
    paragraphs = list(body.iter(P))
    for index, p in enumerate(paragraphs):
        breaks = [br for br in p.iter(w("br")) if br.get(w("type")) == "page"]
        if not breaks or not is_tag_paragraph(p):
            continue
        following = next((q for q in paragraphs[index + 1:] if not is_tag_paragraph(q)), None)
        if following is None:
            continue
        for br in breaks:
            br.getparent().remove(br)
        ppr = following.find(PPR)
        if ppr is None:
            ppr = etree.Element(PPR)
            following.insert(0, ppr)
        if ppr.find(w("pageBreakBefore")) is None:
            _insert_in_order(ppr, etree.Element(w("pageBreakBefore")))
        done.append(f"page break before “{''.join(t.text or '' for t in following.iter(T))[:40]}” restored")
    return done


#: Children of w:pPr in schema order, up to those this module inserts.
_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore"]


def _insert_in_order(ppr: etree._Element, child: etree._Element) -> None:
    before = {w(n) for n in _PPR_ORDER[: _PPR_ORDER.index(etree.QName(child).localname) + 1]}
    for i, existing in enumerate(ppr):
        if existing.tag not in before:
            ppr.insert(i, child)
            return
    ppr.append(child)


# ---------------------------------------------------------------------------- contents


def _toc_begin(body: etree._Element) -> etree._Element | None:
    for instr in body.iter(w("instrText")):
        if (instr.text or "").strip().startswith("TOC"):
            return instr
    return None


def _restore_contents_field(body: etree._Element, styles: Styles) -> list[str]:
    """Make the contents one empty TOC field in one paragraph, where the composer fills it in.

    Put back in the empty "TOC 1" paragraph a re-save left, or collapse the field Word spreads
    over one paragraph per entry (the entries of a template are stale anyway).
    """
    instr = _toc_begin(body)
    if instr is None:
        for simple in body.iter(w("fldSimple")):
            if (simple.get(w("instr")) or "").strip().startswith("TOC"):
                p = simple.getparent()
                if p.tag == P:
                    _empty_field(p)
                    return ["contents field made plain"]
        toc = styles.by_name.get("toc 1")
        for p in body.iter(P):
            if toc is not None and paragraph_style_id(p) == toc.style_id and not "".join(t.text or "" for t in p.iter(T)).strip():
                _empty_field(p)
                return ["contents field put back into the empty “TOC 1” paragraph"]
        return []
    first = instr
    while first is not None and first.tag != P:
        first = first.getparent()
    if first is None:
        return []
    depth, last = 0, None
    started = False
    for node in _following_field_chars(first):
        kind = node.get(w("fldCharType"))
        if kind == "begin":
            depth += 1
            started = True
        elif kind == "end" and started:
            depth -= 1
            if depth == 0:
                last = node
                break
    if last is None:
        return []
    end_p = last
    while end_p is not None and end_p.tag != P:
        end_p = end_p.getparent()
    if end_p is first and _is_plain_field(first):
        return []
    parent = first.getparent()
    span = [first]
    if end_p is not first:
        node = first.getnext()
        while node is not None and node is not end_p:
            span.append(node)
            node = node.getnext()
        if node is not end_p:
            return []  # the field ends elsewhere than among the following siblings: left to the check
        span.append(end_p)
    replacement = etree.Element(P)
    ppr = first.find(PPR)
    if ppr is not None:
        replacement.append(_copy_ppr(ppr))
    parent.insert(parent.index(first), replacement)
    for node in span:
        parent.remove(node)
    _empty_field(replacement, instruction=instr.text or TOC_INSTRUCTION)
    return ["contents field made one paragraph again"]


def _following_field_chars(first: etree._Element):
    node = first
    while node is not None:
        yield from node.iter(w("fldChar"))
        node = node.getnext()


def _is_plain_field(p: etree._Element) -> bool:
    """Whether `p` holds the contents field with no result (what the composer expects)."""
    kinds = [c.get(w("fldCharType")) for c in p.iter(w("fldChar"))]
    return kinds == ["begin", "separate", "end"] and not "".join(t.text or "" for t in p.iter(T)).strip()


def _copy_ppr(ppr: etree._Element) -> etree._Element:
    clone = etree.fromstring(etree.tostring(ppr))
    for child in list(clone):
        if child.tag in (w("rPr"), w("sectPr"), w("pPrChange")):
            clone.remove(child)
    return clone


def _empty_field(p: etree._Element, instruction: str = TOC_INSTRUCTION) -> None:
    for child in list(p):
        if child.tag != PPR:
            p.remove(child)
    for kind in ("begin", None, "separate", "end"):
        r = etree.SubElement(p, R)
        if kind is None:
            text = etree.SubElement(r, w("instrText"))
            text.text = instruction
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        else:
            etree.SubElement(r, w("fldChar")).set(w("fldCharType"), kind)


# ---------------------------------------------------------------------------- section anchors


def _restore_section_anchors(body: etree._Element, styles: Styles) -> list[str]:
    """Give a Part A heading back its hidden `_AB_S_<key>` bookmark, from the `{{p clauses.<key> }}` in its section."""
    heading_id = styles.by_name.get("heading 1")
    if heading_id is None:
        return []
    names = {b.get(w("name")) for b in body.iter(w("bookmarkStart"))}
    done = []
    heading = None
    for p in body.iter(P):
        if paragraph_style_id(p) == heading_id.style_id:
            heading = p
            continue
        match = _CLAUSES_TAG.fullmatch("".join(t.text or "" for t in p.iter(T)))
        if match is None or heading is None:
            continue
        name = SECTION + match.group(1)
        own = [b.get(w("name"), "") for b in heading.iter(w("bookmarkStart"))]
        if name in names or any(n.startswith(SECTION) for n in own):
            continue  # present (where it is, right or wrong, is the check's business)
        start = etree.Element(w("bookmarkStart"))
        start.set(w("id"), "0")
        start.set(w("name"), name)
        end = etree.Element(w("bookmarkEnd"))
        end.set(w("id"), "0")
        heading.insert(1 if heading.find(PPR) is not None else 0, start)
        heading.append(end)
        names.add(name)
        done.append(f"hidden bookmark {name} put back on the heading “{''.join(t.text or '' for t in heading.iter(T))}”")
    return done

