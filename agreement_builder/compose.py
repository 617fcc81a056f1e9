"""Splice Part B annexes into the umbrella and finish the document for Word.

Why not docxcompose: it re-derives and merges every style for every appended document, which
is most of the time of a naive pipeline (87% for an umbrella with ten annexes). Our annex
templates share the umbrella's style names by design, so the work left is small and done
once per annex template, not once per annex: import the few styles the umbrella lacks,
give every annex its own numbering instance (so its clauses restart at 1), carry images and
hyperlinks over, and mark the annex with its stable id. The finishing pass fills the table
of contents, makes bookmark and drawing ids unique and sets the document properties, so
that the same inputs always give the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import posixpath
import re
from itertools import chain
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lxml import etree

from .errors import TemplateError
from .ooxml import APPENDIX, CORE_NS, FUNCTION, ID_PREFIX, R_NS, SECTION, W_NS, WP_NS, bookmark_name, t_xml
from .package import (CT_NUMBERING, PART_PARSER, RT_IMAGE, RT_NUMBERING, RT_SETTINGS, RT_STYLES, ChunkedPart,
                      Package, Relationships, read_docx_parts, serialize_part)

NSMAP = {"w": W_NS, "r": R_NS}
_REL_ATTRS = [f"{{{R_NS}}}{name}" for name in ("id", "embed", "link", "pict")]
_WITH_RELATIONSHIP = etree.XPath(".//*[@r:id or @r:embed or @r:link or @r:pict]", namespaces=NSMAP)

#: Style ids of the paragraphs that get a table-of-contents entry (see docs/templates.md).
TOC_STYLES = ("Heading1", "AppendixTitle", "AnnexTitle")


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


_W_P, _W_PPR, _W_VAL, _W_NUMPR = _w("p"), _w("pPr"), _w("val"), _w("numPr")
_W_NUMID, _W_ILVL = _w("numId"), _w("ilvl")
_W_PSTYLE, _W_RSTYLE, _W_TBLSTYLE = _w("pStyle"), _w("rStyle"), _w("tblStyle")


def qn(name: str) -> str:
    """Return the Clark name of a `w:` name ("w:val" -> "{...main}val")."""
    return _w(name[2:])


@dataclass
class AnnexSource:
    """What the composer needs from an annex template besides its rendered body."""

    path: Path
    styles: dict[str, etree._Element]  # style id -> w:style
    nums: dict[str, str]  # numId -> abstractNumId
    abstracts: dict[str, etree._Element]  # abstractNumId -> w:abstractNum
    package: Package  # the annex template (for the images it holds)
    rels: Relationships  # its document's relationships
    numbering_cache: dict = field(default_factory=dict, repr=False)
    _numbered_styles: frozenset | None = field(default=None, repr=False)

    def scan(self, blocks: list) -> tuple[set[str], list[etree._Element]]:
        """Return the style ids used in `blocks` and, in order, their paragraphs that are in a list.

        One pass over the style and numbering references only (lxml filters by tag in C) and
        as little Python per element as possible: a national agreement has thousands of
        styled table-cell paragraphs and a few hundred numbered clauses.
        """
        if self._numbered_styles is None:
            self._numbered_styles = frozenset(s for s in self.styles if s and self.style_numbering(s)[0])
        numbered_styles = self._numbered_styles
        used: set[str] = set()
        numbered: list[etree._Element] = []
        for el in chain.from_iterable(b.iter(_W_NUMPR, _W_PSTYLE, _W_RSTYLE, _W_TBLSTYLE) for b in blocks):
            val = el.get(_W_VAL)  # a style reference has one; w:numPr has none
            if val is not None:
                used.add(val)
                if val not in numbered_styles:
                    continue
            ppr = el.getparent()
            p = ppr.getparent()
            if ppr.tag == _W_PPR and p is not None and p.tag == _W_P and (not numbered or numbered[-1] is not p):
                numbered.append(p)
        return used, numbered

    @classmethod
    def from_package(cls, path: Path, package: Package) -> "AnnexSource":
        document = package.main_document()
        styles_name = package.related(document, RT_STYLES)
        styles_root = package.xml(styles_name) if styles_name else etree.Element(_w("styles"))
        styles = {s.get(qn("w:styleId")): s for s in styles_root.findall(qn("w:style"))}
        nums: dict[str, str] = {}
        abstracts: dict[str, etree._Element] = {}
        numbering_name = package.related(document, RT_NUMBERING)
        if numbering_name is not None:
            numbering = package.xml(numbering_name)
            for an in numbering.findall(qn("w:abstractNum")):
                abstracts[an.get(qn("w:abstractNumId"))] = an
            for num in numbering.findall(qn("w:num")):
                ref = num.find(qn("w:abstractNumId"))
                if ref is not None:
                    nums[num.get(qn("w:numId"))] = ref.get(qn("w:val"))
        return cls(path, styles, nums, abstracts, package, package.rels(document))

    def style_numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        """Return (numId, ilvl) a paragraph style gives, following basedOn (cached per style)."""
        if style_id not in self.numbering_cache:
            self.numbering_cache[style_id] = self._style_numbering(style_id)
        return self.numbering_cache[style_id]

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.get(style_id)
            if style is None:
                return None, None
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                num_id = num_pr.find(qn("w:numId"))
                ilvl = num_pr.find(qn("w:ilvl"))
                return (num_id.get(qn("w:val")) if num_id is not None else None,
                        ilvl.get(qn("w:val")) if ilvl is not None else None)
            based = style.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        return None, None


@dataclass
class Composer:
    """Splices annex bodies into an umbrella package whose document is not yet rendered."""

    package: Package
    document: str  # the name of the umbrella's document part
    declared: frozenset  # (prefix, uri) of the namespaces the umbrella's document element declares
    _style_ids: set[str] = field(init=False)
    _abstract_by_digest: dict[str, str] = field(init=False, default_factory=dict)
    _next_num: int = field(init=False)
    _next_abstract: int = field(init=False)

    def __post_init__(self) -> None:
        self._styles = self.package.xml(self.package.related(self.document, RT_STYLES))
        self._style_ids = {s.get(qn("w:styleId")) for s in self._styles.findall(qn("w:style"))}
        self._numbering = self.package.related_xml(self.document, RT_NUMBERING, CT_NUMBERING, _EMPTY_NUMBERING)
        self._rels = self.package.rels(self.document)
        nums = [int(n.get(qn("w:numId"))) for n in self._numbering.findall(qn("w:num"))]
        abstracts = [int(a.get(qn("w:abstractNumId"))) for a in self._numbering.findall(qn("w:abstractNum"))]
        self._next_num = max(nums, default=0) + 1
        self._next_abstract = max(abstracts, default=-1) + 1
        for an in self._numbering.findall(qn("w:abstractNum")):
            self._abstract_by_digest.setdefault(_abstract_digest(an), an.get(qn("w:abstractNumId")))
        self._media: dict[tuple[str, str], str] = {}
        self._images: dict[str, str] = {}  # sha1 of an image -> its part name in the umbrella
        self._umbrella_prefixes = {prefix for prefix, _ in self.declared}
        self._extra_namespaces: dict[str, str] = {}
        self._pending: list[tuple[AnnexSource, str, bool]] = []
        self._digests: dict[etree._Element, str] = {}  # an annex template's list definition -> _abstract_digest

    # -------------------------------------------------------------- annexes

    def annex_xml(self, body_xml: str, source: AnnexSource, function_id: str) -> str:
        """Return a rendered annex body as text to sit in the umbrella's body, between two markers.

        The annex is not parsed here: it is parsed once, with the whole document, and then
        finished in place by `complete` (parsing and re-serialising each annex on its own
        cost more than everything else the composer does).
        """
        start = body_xml.index(">") + 1
        if body_xml[:start].endswith("/>"):
            return ""
        self._declare(body_xml[:start], source)
        index = len(self._pending)
        self._pending.append((source, function_id, _uses_relationships(body_xml)))
        return f"{_marker(index)}{_needless_preserve(body_xml[start: body_xml.rindex('</')])}{_marker(index)}"

    def declare_namespaces(self, body_xml: str, source: AnnexSource) -> None:
        """Note the namespaces an annex template's body declares, before any annex is rendered.

        The umbrella's document element is parsed first, so it must declare every annex's
        namespaces before the annexes are rendered one by one (render.py); `annex_xml` then
        finds them declared.
        """
        start = body_xml.index(">") + 1
        if not body_xml[:start].endswith("/>"):
            self._declare(body_xml[:start], source)

    def namespaces(self) -> dict[str, str]:
        """Return the namespaces the annexes use that the umbrella's document element must add."""
        return dict(self._extra_namespaces)

    def complete(self, document: etree._Element) -> None:
        """Finish every annex in the parsed document: styles, numbering, relationships, bookmark."""
        markers = list(document.iter(_MARKER))
        for start, end in zip(markers[0::2], markers[1::2]):
            blocks = []
            node = start.getnext()
            while node is not None and node is not end:
                blocks.append(node)
                node = node.getnext()
            parent = start.getparent()
            parent.remove(start)
            parent.remove(end)
            source, function_id, uses_relationships = self._pending[int(start.get("n"))]
            self._finish_annex(blocks, source, function_id, uses_relationships)

    def _finish_annex(self, blocks: list, source: AnnexSource, function_id: str, uses_relationships: bool) -> None:
        kept = []
        for block in blocks:  # only paragraphs, tables and content controls belong in a body
            if block.tag in _BLOCKS:
                kept.append(block)
            else:
                block.getparent().remove(block)
        for sect in list(chain.from_iterable(b.iter(_w("sectPr")) for b in kept)):  # the umbrella's sections govern the annexes
            sect.getparent().remove(sect)
        used, numbered = source.scan(kept)
        self._import_styles(used, source)
        self._restart_numbering(numbered, source)
        if uses_relationships:
            self._carry_relationships(kept, source)
        first = next((b for b in kept if b.tag == _w("p")), None)
        if first is not None and function_id:  # none for a whole document set out (a conformed copy)
            _add_bookmark(first, bookmark_name(FUNCTION, function_id))

    def _declare(self, body_tag: str, source: AnnexSource) -> None:
        """Note the namespaces an annex's body declares that the umbrella does not."""
        for prefix, uri in _DECLARATION_PARTS.findall(body_tag):
            if (prefix, uri) in self.declared or self._extra_namespaces.get(prefix) == uri:
                continue
            if prefix in self._umbrella_prefixes or prefix in self._extra_namespaces:
                raise TemplateError(
                    source.path.name, f"uses the prefix `{prefix}` for another namespace than the umbrella does",
                    hint="save the annex template from Word again, or build it from the umbrella's styles")
            self._extra_namespaces[prefix] = uri

    def _import_styles(self, used: set[str], source: AnnexSource) -> None:
        pending = sorted((s for s in used if s and s not in self._style_ids), reverse=True)  # same order every run
        while pending:
            style_id = pending.pop()
            if style_id in self._style_ids:
                continue
            style = source.styles.get(style_id)
            if style is None:
                continue  # Word falls back to Normal, as it does for the template itself
            clone = copy.deepcopy(style)
            num_pr = clone.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:  # numbering now comes from explicit numPr on each paragraph
                num_pr.getparent().remove(num_pr)
            self._styles.append(clone)
            self._style_ids.add(style_id)
            for ref in ("basedOn", "link", "next"):
                el = style.find(qn(f"w:{ref}"))
                if el is not None:
                    pending.append(el.get(_w("val")))

    def _restart_numbering(self, numbered: list, source: AnnexSource) -> None:
        """Give every list used by this annex (its `numbered` paragraphs) a fresh numbering instance starting at 1."""
        fresh: dict[str, str] = {}
        for p in numbered:
            ppr = p.find(_W_PPR)
            style_el = ppr.find(_W_PSTYLE)
            style_id = style_el.get(_W_VAL) if style_el is not None else None
            num_pr = ppr.find(_W_NUMPR)
            num_id = ilvl = None
            if num_pr is not None:
                n = num_pr.find(_W_NUMID)
                lv = num_pr.find(_W_ILVL)
                num_id = n.get(_W_VAL) if n is not None else None
                ilvl = lv.get(_W_VAL) if lv is not None else None
            style_num, style_lvl = source.style_numbering(style_id)
            num_id = num_id or style_num
            if not num_id or num_id == "0" or num_id not in source.nums:
                continue
            abstract_id = source.nums[num_id]
            if ilvl is None:
                ilvl = style_lvl or _level_for_style(source.abstracts.get(abstract_id), style_id) or "0"
            if num_id not in fresh:
                fresh[num_id] = self._new_num(source.abstracts[abstract_id])
            if num_pr is not None:  # rewritten in place: an element made apart and moved in costs a document each
                num_pr.clear()
            else:
                num_pr = etree.SubElement(ppr, _W_NUMPR)
                _insert_ppr_child(ppr, num_pr)
            etree.SubElement(num_pr, _W_ILVL).set(_W_VAL, ilvl)
            etree.SubElement(num_pr, _W_NUMID).set(_W_VAL, fresh[num_id])

    def _new_num(self, abstract: etree._Element) -> str:
        digest = self._digests.get(abstract)
        if digest is None:  # once per list definition of an annex template, not once per annex
            digest = self._digests[abstract] = _abstract_digest(abstract)
        abstract_id = self._abstract_by_digest.get(digest)
        if abstract_id is None:
            clone = copy.deepcopy(abstract)
            abstract_id = str(self._next_abstract)
            self._next_abstract += 1
            clone.set(_w("abstractNumId"), abstract_id)
            nsid = clone.find(_w("nsid"))
            if nsid is not None:
                nsid.set(_w("val"), digest[:8].upper())
            last_abstract = self._numbering.findall(_w("abstractNum"))
            if last_abstract:
                last_abstract[-1].addnext(clone)
            else:
                self._numbering.insert(0, clone)
            self._abstract_by_digest[digest] = abstract_id
        num_id = str(self._next_num)
        self._next_num += 1
        num = etree.SubElement(self._numbering, _w("num"))
        num.set(_w("numId"), num_id)
        etree.SubElement(num, _w("abstractNumId")).set(_w("val"), abstract_id)
        for lvl in abstract.findall(_w("lvl")):
            start = lvl.find(_w("start"))
            override = etree.SubElement(num, _w("lvlOverride"))
            override.set(_w("ilvl"), lvl.get(_w("ilvl")))
            etree.SubElement(override, _w("startOverride")).set(_w("val"), start.get(_w("val")) if start is not None else "1")
        return num_id

    def _carry_relationships(self, blocks: list, source: AnnexSource) -> None:
        for el in (el for block in blocks for el in _WITH_RELATIONSHIP(block)):
            for attr in _REL_ATTRS:
                rid = el.get(attr)
                if not rid:
                    continue
                key = (str(source.path), rid)
                if key not in self._media:
                    rel = source.rels.get(rid)
                    if rel is None:
                        raise TemplateError(source.path.name, f"refers to a relationship `{rid}` it does not contain")
                    if rel.external:
                        self._media[key] = self._rels.add(rel.reltype, rel.target, external=True)
                    elif rel.reltype == RT_IMAGE and rel.target in source.package.parts:
                        self._media[key] = self._rels.add(RT_IMAGE, self._image(source.package, rel.target))
                    else:
                        raise TemplateError(
                            source.path.name, f"contains a {rel.reltype.rsplit('/', 1)[-1]} that cannot be carried "
                            "into the agreement", hint="annex templates may contain text, tables, images and links")
                el.set(attr, self._media[key])

    def _image(self, source: Package, name: str) -> str:
        """Return the part name of the image `name` of `source` in the umbrella (added once, however often used)."""
        blob = source.parts[name]
        digest = hashlib.sha1(blob).hexdigest()
        if digest not in self._images:
            ext = name.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(name) else "bin"
            n = 1
            while f"word/media/image{n}.{ext}" in self.package.parts:
                n += 1
            target = f"word/media/image{n}.{ext}"
            content_type = source.content_type(name) or "application/octet-stream"
            self.package.add_default(ext, content_type)
            self.package.set_part(target, blob, content_type)
            self._images[digest] = target
        return self._images[digest]


_BLOCKS = frozenset(_w(tag) for tag in ("p", "tbl", "sdt"))
_MARKER_NS = "urn:agreement-builder:annex"
_MARKER = f"{{{_MARKER_NS}}}annex"
_DECLARATION_PARTS = re.compile(r'\sxmlns:([\w.-]+)="([^"]*)"')


def _marker(index: int) -> str:
    """Return the element that marks where annex `index` starts and ends until `complete` removes it."""
    return f'<ab:annex xmlns:ab="{_MARKER_NS}" n="{index}"/>'


#: Where the umbrella's `{{p annexes }}` puts the annexes, which `AnnexStream` writes one by one:
#: an element, so that the umbrella parses on its own (user text is escaped: it cannot make one).
ANNEXES_PLACE = f'<ab:annexes xmlns:ab="{_MARKER_NS}"/>'
_PLACE = f"{{{_MARKER_NS}}}annexes"
_PLACE_MARK = b"<!--agreement-builder:annexes-->"


class AnnexStream:
    """An agreement's document finished and written an annex at a time.

    Why: a national agreement of 5,000 functions is 70 MB of XML, and as one lxml tree it
    takes 800 MB. Here only the umbrella (Part A, the appendices) is a tree; each annex is
    parsed on its own, completed (`Composer.complete`), passed over (`BodyPasses`, in document
    order: the umbrella's blocks before the annexes, each annex, the blocks after) and kept as
    deflated text, so one annex's tree exists at a time. `close` writes the document part as
    the umbrella's text with the annexes' in the place of `ANNEXES_PLACE`: the same bytes as
    composing the whole tree would give.
    """

    def __init__(self, package: Package, document: str, composer: Composer):
        self.package, self.document, self.composer = package, document, composer
        self.root = package.xml(document)
        body = self.root.find(_w("body"))
        places = list(body.iter(_PLACE))
        for extra in places[1:]:  # annexes are printed once
            extra.getparent().remove(extra)
        self.place = places[0] if places else None
        if self.place is not None and self.place.getparent() is not body:
            raise TemplateError("the umbrella template", "prints the annexes (`{{p annexes }}`) inside a table or "
                                "other block", hint="put `{{p annexes }}` in a paragraph of its own in the body")
        blocks = list(body)
        at = blocks.index(self.place) if self.place is not None else len(blocks)
        self.before, self.after = blocks[:at], blocks[at + 1:]
        self.passes = BodyPasses(body)
        self.passes.run(self.before)
        declarations = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in self.root.nsmap.items() if prefix)
        self._open = f"<w:body{declarations}>"
        self._annexes = ChunkedPart()

    def add(self, xml: str, source: AnnexSource) -> None:
        """Finish and keep one annex: composer text (`Composer.annex_xml`) rendered from `source`'s template."""
        if not xml or self.place is None:
            return
        try:
            wrapper = etree.fromstring(self._open + xml + "</w:body>", PART_PARSER)
        except etree.XMLSyntaxError as exc:
            raise TemplateError(str(source.path), f"renders to broken XML: {exc}",
                                hint="a tag probably spans a table cell or paragraph boundary; see docs/templates.md"
                                ) from None
        self.composer.complete(wrapper)
        blocks = list(wrapper)
        self._refuse_references_ahead(blocks, source)
        self.passes.run(blocks, references=True)
        data = etree.tostring(wrapper, encoding="UTF-8", xml_declaration=False)
        self._annexes.append(data[data.index(b">") + 1: data.rindex(b"</")])

    def _refuse_references_ahead(self, blocks: list, source: AnnexSource) -> None:
        """Refuse a cross-reference from an annex to a section after the annexes: its number is not known yet
        (an annex may add a Heading 1 before it), and an annex's references are filled as it is written."""
        for block in blocks:
            for code in chain((i.text or "" for i in block.iter(_w("instrText"))),
                              (f.get(_w("instr")) or "" for f in block.iter(_w("fldSimple")))):
                match = _SECTION_REF.match(code)
                if match and match.group(1) not in self.passes.numbers and any(
                        start.get(_w("name")) == match.group(1)
                        for b in self.after for start in b.iter(_w("bookmarkStart"))):
                    raise TemplateError(str(source.path), f"refers to the section `{match.group(1)[len(SECTION):]}`, "
                                        "which comes after the annexes in the umbrella template",
                                        hint="an annex can refer to the sections of Part A, before the annexes")

    def close(self) -> None:
        """Finish the umbrella's blocks after the annexes and the contents, and write the document part."""
        self.passes.run(self.after)
        self.passes.finish(self.before + self.after)
        if self.place is None:
            return
        self.place.getparent().replace(self.place, etree.Comment(_PLACE_MARK[4:-3].decode()))
        head, mark, tail = serialize_part(self.root).partition(_PLACE_MARK)
        assert mark, "the annexes' place is in the serialised umbrella"
        part = ChunkedPart()
        part.append(head)
        part.extend(self._annexes)
        part.append(tail)
        self.package.set_chunked(self.document, part)


_PRESERVED_TEXT = re.compile(r'<w:t xml:space="preserve">([^<]*)</w:t>')
_SPACES_MATTER = re.compile(r"^\s|\s$|\s\s|&#")


def _needless_preserve(xml: str) -> str:
    """Return annex XML without the `xml:space="preserve"` of texts whose spaces it does not change.

    A template's runs keep it from where Word split them around a tag; rendered, most hold
    plain words. Word writes it only where spaces would be lost: each one costs as much
    memory as an element, and a national agreement has a hundred thousand.
    """
    return _PRESERVED_TEXT.sub(lambda m: m[0] if _SPACES_MATTER.search(m[1]) else f"<w:t>{m[1]}</w:t>", xml)


def _uses_relationships(xml: str) -> bool:
    """Whether any element of `xml` refers to a relationship (an image, a link): a quick look first.

    Checking the text costs next to nothing; the XPath that finds the elements visits every
    element of the annex.
    """
    prefixes = set(re.findall(rf'xmlns:([\w.-]+)="{re.escape(R_NS)}"', xml))
    if not prefixes:
        return False
    names = "|".join(re.escape(p) for p in sorted(prefixes))
    return re.search(rf'\s(?:{names}):(?:id|embed|link|pict)="', xml) is not None


def _level_for_style(abstract: etree._Element | None, style_id: str | None) -> str | None:
    if abstract is None or not style_id:
        return None
    for lvl in abstract.findall(_w("lvl")):
        ps = lvl.find(_w("pStyle"))
        if ps is not None and ps.get(_w("val")) == style_id:
            return lvl.get(_w("ilvl"))
    return None


def _abstract_digest(abstract: etree._Element) -> str:
    clone = copy.deepcopy(abstract)
    clone.attrib.pop(_w("abstractNumId"), None)
    for tag in ("nsid", "tmpl"):
        el = clone.find(_w(tag))
        if el is not None:
            clone.remove(el)
    return hashlib.sha1(etree.tostring(clone, method="c14n")).hexdigest()


_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr"]
#: For each child of w:pPr that may be inserted, the tags that come before it in schema order.
_PPR_BEFORE = {_w(name): frozenset(_w(n) for n in _PPR_ORDER[: i + 1]) for i, name in enumerate(_PPR_ORDER)}


def _insert_ppr_child(ppr: etree._Element, child: etree._Element) -> None:
    """Insert `child` into w:pPr in schema order (Word refuses out-of-order children)."""
    before = _PPR_BEFORE[child.tag]
    for i, existing in enumerate(ppr):
        if existing.tag not in before:
            ppr.insert(i, child)
            return
    ppr.append(child)


def _add_bookmark(p: etree._Element, name: str) -> None:
    start = etree.Element(_w("bookmarkStart"))
    start.set(_w("id"), "0")
    start.set(_w("name"), name)
    end = etree.Element(_w("bookmarkEnd"))
    end.set(_w("id"), "0")
    ppr = p.find(_w("pPr"))
    p.insert(1 if ppr is not None else 0, start)
    p.append(end)


# ---------------------------------------------------------------------------- finishing


def finish(package: Package, document: str, *, title: str, subject: str, keywords: str, created: dt.date,
           status: str, fingerprint: str, version: str, language: str = "en-GB") -> None:
    """Make ids unique and stable, fill the table of contents, set the document properties and language."""
    body = package.xml(document).find(_w("body"))
    passes = BodyPasses(body)
    blocks = list(body)
    passes.run(blocks)
    passes.finish(blocks)
    describe(package, document, title=title, subject=subject, keywords=keywords, created=created, status=status,
             fingerprint=fingerprint, version=version, language=language)


def describe(package: Package, document: str, *, title: str, subject: str, keywords: str, created: dt.date,
             status: str, fingerprint: str, version: str, language: str = "en-GB") -> None:
    """Set the document properties and language; no field asks to be updated on opening."""
    set_core_properties(package, title=title, subject=subject, keywords=keywords, created=created,
                        status=status, version=version,
                        comments=f"SHA-256 fingerprint of the inputs: {fingerprint}" if fingerprint else "",
                        language=language)
    set_language(package, document, language)
    no_update_fields(package, document)


class BodyPasses:
    """What finishing does across a whole body, done a stretch of body-level blocks at a time.

    Why: a national agreement's annexes are finished and written one at a time (`AnnexStream`)
    and never exist together as one tree. Each pass runs on from one stretch to the next, so
    the stretches given in document order (`run`) come out exactly as one pass over the whole
    body would make them: contents entries and their bookmarks, Part A section numbers for the
    cross-references, unique bookmark ids, drawing ids. `finish` then writes what needs every
    stretch seen: the contents, and the cross-references of the stretches still held.
    """

    def __init__(self, body: etree._Element):
        self._toc = _contents_paragraph(body)  # None: no contents to fill
        self._width = _text_width(body)
        self.entries: list[tuple[str, str, str]] = []  # (Heading 1 number, text, bookmark)
        self._heading1 = 0  # contents entries numbered so far
        self.numbers: dict[str, str] = {}  # section bookmark -> number (`section_numbers`)
        self._sections = 0
        self._seen: set[str] = set()  # bookmark names
        self._open: dict[str, list[str]] = {}  # a start's old id -> its new ids (or "drop") awaiting their ends
        self._next_bookmark = 1
        self._drawings = 0

    def run(self, blocks: list, *, references: bool = False) -> None:
        """Pass over the next stretch of body-level blocks; `references`: fill its cross-references now
        (the sections they point to must come before it; otherwise `finish` fills them)."""
        if self._toc is not None:
            self._contents_entries(blocks)
        self._number_sections(blocks)
        if references:
            fill_section_references(blocks, self.numbers)
        self._renumber_bookmarks(blocks)
        for block in blocks:
            for doc_pr in block.iter(f"{{{WP_NS}}}docPr"):
                self._drawings += 1
                doc_pr.set("id", str(self._drawings))

    def finish(self, blocks: list) -> None:
        """Fill the cross-references of `blocks` (every section now numbered), and the contents."""
        fill_section_references(blocks, self.numbers)
        if self._toc is not None and self.entries:
            _write_contents(self._toc, self.entries, self._width)
            self._toc = None

    def _contents_entries(self, blocks: list) -> None:
        for block in blocks:
            for style in block.iter(_w("pStyle")):  # far fewer than paragraphs, and filtered in C
                style_id = style.get(_w("val"))
                p = style.getparent().getparent()
                if style_id not in TOC_STYLES or style.getparent().tag != _w("pPr") or p is None or p.tag != _w("p"):
                    continue
                text = _paragraph_text(p).strip()
                if not text:
                    continue
                number_text = ""
                if style_id == "Heading1":
                    self._heading1 += 1
                    number_text = str(self._heading1)
                self.entries.append((number_text, text, _toc_bookmark(p, len(self.entries))))

    def _number_sections(self, blocks: list) -> None:
        for block in blocks:
            if block.tag != _W_P or _style_of(block) != "Heading1":
                continue
            self._sections += 1
            for start in block.iter(_w("bookmarkStart")):
                if start.get(_w("name"), "").startswith(SECTION):
                    self.numbers.setdefault(start.get(_w("name")), str(self._sections))

    def _renumber_bookmarks(self, blocks: list) -> None:
        """Give bookmarks unique sequential ids; drop repeated names (Word refuses duplicates)."""
        for block in blocks:
            for el in list(block.iter(_w("bookmarkStart"), _w("bookmarkEnd"))):
                if el.tag == _w("bookmarkStart"):
                    name = el.get(_w("name"))
                    old = el.get(_w("id"))
                    if name in self._seen:
                        self._open.setdefault(old, []).append("drop")
                        el.getparent().remove(el)
                        continue
                    self._seen.add(name)
                    self._open.setdefault(old, []).append(str(self._next_bookmark))
                    el.set(_w("id"), str(self._next_bookmark))
                    self._next_bookmark += 1
                else:
                    stack = self._open.get(el.get(_w("id")))
                    new = stack.pop(0) if stack else "drop"
                    if new == "drop":
                        el.getparent().remove(el)
                    else:
                        el.set(_w("id"), new)


def _style_of(p: etree._Element) -> str | None:
    style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
    return style.get(_w("val")) if style is not None else None


_CORE_NS = {
    "cp": CORE_NS,
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def set_core_properties(package: Package, *, title: str, subject: str, keywords: str | None = None,
                        created: dt.date | None = None, status: str | None = None, version: str | None = None,
                        comments: str | None = "", language: str | None = None) -> None:
    """Set a document's properties from its inputs only (no clock, no user name): same inputs, same bytes.

    A property given as None keeps the template's value.
    """
    core = package.core_properties()
    when = f"{created:%Y-%m-%d}T00:00:00Z" if created else None
    for name, value in (("dc:title", title), ("dc:subject", subject), ("cp:keywords", keywords),
                        ("dc:creator", "agreement-builder"), ("cp:lastModifiedBy", "agreement-builder"),
                        ("dcterms:created", when), ("dcterms:modified", when), ("cp:revision", "1"),
                        ("cp:contentStatus", status), ("cp:version", version), ("dc:description", comments),
                        ("dc:language", language)):
        if value is None:
            continue
        prefix, local = name.split(":")
        tag = f"{{{_CORE_NS[prefix]}}}{local}"
        el = core.find(tag)
        if el is None:
            el = etree.SubElement(core, tag, nsmap={prefix: _CORE_NS[prefix]})
        el.text = value
        if prefix == "dcterms":
            el.set(f"{{{_CORE_NS['xsi']}}}type", "dcterms:W3CDTF")


#: Children of w:rPr that the schema puts after w:lang.
_AFTER_LANG = {_w("eastAsianLayout"), _w("specVanish"), _w("oMath")}


def set_language(package: Package, document: str, language: str) -> None:
    """Make `language` (BCP 47, "en-GB") the document's default language: the w:lang of the styles' defaults.

    Word's proofing and LibreOffice's PDF (/Lang, read by screen readers) take it from there.
    """
    name = package.related(document, RT_STYLES)
    if name is None:
        return
    styles = package.xml(name)
    defaults = styles.find(_w("docDefaults"))
    if defaults is None:
        defaults = etree.Element(_w("docDefaults"))
        styles.insert(0, defaults)
    rpr_default = defaults.find(_w("rPrDefault"))
    if rpr_default is None:
        rpr_default = etree.Element(_w("rPrDefault"))
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(_w("rPr"))
    if rpr is None:
        rpr = etree.SubElement(rpr_default, _w("rPr"))
    lang = rpr.find(_w("lang"))
    if lang is None:
        lang = etree.Element(_w("lang"))
        later = next((c for c in rpr if c.tag in _AFTER_LANG), None)
        if later is not None:
            later.addprevious(lang)
        else:
            rpr.append(lang)
    if lang.get(_w("val")) != language:
        lang.set(_w("val"), language)


_SECTION_REF = re.compile(rf"^\s*REF\s+({SECTION}\w+)(?:\s|$)")


_HEADINGS = etree.XPath("./w:p[w:pPr/w:pStyle/@w:val = 'Heading1']", namespaces={"w": W_NS})


def section_numbers(body: etree._Element) -> dict[str, str]:
    """Return the number Word gives each Part A section, by the name of its heading's `_AB_S_` bookmark.

    Part A's headings are paragraphs of the body itself (never in a table), in the style Heading 1.
    """
    numbers: dict[str, str] = {}
    for number, p in enumerate(_HEADINGS(body), start=1):
        for start in p.iter(_w("bookmarkStart")):
            if start.get(_w("name"), "").startswith(SECTION):
                numbers.setdefault(start.get(_w("name")), str(number))
    return numbers


def fill_section_references(blocks, numbers: dict[str, str] | None = None) -> None:
    """Write the section number into every cross-reference field (`REF _AB_S_<key>`) as its result.

    The templates refer to Part A sections by number through REF fields on the sections'
    hidden bookmarks, so that a section inserted in Word renumbers every reference (when the
    fields are updated); LibreOffice recomputes them when it lays the page out, and the result
    written here is what Word shows on opening and every other reader (python-docx, diff,
    redline) sees. `blocks`: a body, or body-level blocks whose sections are `numbers`
    (`section_numbers` of the body when not given).
    A reference to a section the agreement does not have fails the render by name.
    """
    if isinstance(blocks, etree._Element):
        numbers = section_numbers(blocks) if numbers is None else numbers
        blocks = [blocks]
    for block in blocks:
        for instr in list(block.iter(_w("instrText"))):
            match = _SECTION_REF.match(instr.text or "")
            if match:
                _set_field_result(instr.getparent(), _reference_number(numbers, match.group(1)))
        for simple in list(block.iter(_w("fldSimple"))):
            match = _SECTION_REF.match(simple.get(_w("instr")) or "")
            if not match:
                continue
            runs = simple.findall(_w("r"))
            for r in runs[1:]:
                simple.remove(r)
            _set_run_text(runs[0] if runs else etree.SubElement(simple, _w("r")),
                          _reference_number(numbers, match.group(1)))


def _reference_number(numbers: dict[str, str], bookmark: str) -> str:
    if bookmark not in numbers:
        raise TemplateError("the agreement", f"a cross-reference points to the section `{bookmark[6:]}`, which this "
                            "umbrella template does not contain",
                            hint="check the section's heading keeps its bookmark (templates check), or remove "
                                 "the cross-reference from the template")
    return numbers[bookmark]


def _set_field_result(instr_run: etree._Element, text: str, deleted: bool = False) -> None:
    """Replace the result of the complex field whose code is in `instr_run` by `text` (a w:delText when `deleted`)."""
    node = instr_run.getnext()
    separate = None
    while node is not None:
        kinds = [c.get(_w("fldCharType")) for c in node.iter(_w("fldChar"))]
        if "separate" in kinds:
            separate = node
            break
        if "end" in kinds:
            break
        node = node.getnext()
    if separate is None:  # no result yet: give the field one, before its end
        if node is None:
            return  # a field without an end (a damaged template) is left for Word
        separate = etree.Element(_w("r"))
        etree.SubElement(separate, _w("fldChar")).set(_w("fldCharType"), "separate")
        node.addprevious(separate)
    result_runs = []
    node = separate.getnext()
    while node is not None and not any(c.get(_w("fldCharType")) == "end" for c in node.iter(_w("fldChar"))):
        result_runs.append(node)
        node = node.getnext()
    keep = next((r for r in result_runs if r.tag == _w("r")), None)
    for r in result_runs:
        if r is not keep:
            r.getparent().remove(r)
    if keep is None:
        keep = etree.Element(_w("r"))
        separate.addnext(keep)
    _set_run_text(keep, text, "delText" if deleted else "t")


def _set_run_text(run: etree._Element, text: str, tag: str = "t") -> None:
    for child in list(run):
        if child.tag != _w("rPr"):
            run.remove(child)
    etree.SubElement(run, _w(tag)).text = text


def _paragraph_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(_w("t")))


def _contents_paragraph(body: etree._Element) -> etree._Element | None:
    """Return the paragraph of the body's TOC field, its stale result removed; None when there is none to fill.

    The TOC field is replaced by ready-made contents entries with PAGEREF page numbers
    (`_write_contents`): LibreOffice does not recompute a TOC field when it converts to PDF,
    but it does compute PAGEREF fields outside one. Word shows the fields' stored results,
    which stay empty here: no page is known before a layout. When a PDF is made, the pages
    LibreOffice laid the headings out on become the results (`set_contents_pages`), so the
    contents are right in both without anyone pressing "Update table", and Word asks nothing
    on opening.
    """
    instr = next((i for i in body.iter(_w("instrText")) if (i.text or "").strip().startswith("TOC")), None)
    if instr is None:
        return None
    toc_p = instr.getparent().getparent()
    if toc_p.tag != _w("p"):
        return None
    chars = [r for r in toc_p.iter(_w("fldChar"))]
    separate = next((c for c in chars if c.get(_w("fldCharType")) == "separate"), None)
    end = next((c for c in chars if c.get(_w("fldCharType")) == "end"), None)
    if separate is None or end is None:
        return None  # a field spread over several paragraphs is left for Word to update
    end_run = end.getparent()
    node = separate.getparent().getnext()  # drop any stale result between separate and end
    while node is not None and node is not end_run:
        nxt = node.getnext()
        toc_p.remove(node)
        node = nxt
    return toc_p


def _write_contents(toc_p: etree._Element, entries: list[tuple[str, str, str]], width: int) -> None:
    """Put the contents entries (Heading 1 number, text, bookmark) in the place of the TOC paragraph."""
    toc_ppr = _TOC_PPR.format(right=width - 10)
    anchor = toc_p
    for number_text, text, bookmark in entries:
        runs = ""
        if number_text:
            runs += f'<w:r><w:t>{number_text}</w:t></w:r><w:r><w:tab/></w:r>'
        runs += f"<w:r>{t_xml(text)}</w:r><w:r><w:tab/></w:r>"
        runs += (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGEREF {bookmark} \\h </w:instrText></w:r>'
                 f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t></w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
        p = etree.fromstring(f'<w:p xmlns:w="{W_NS}">{toc_ppr}{runs}</w:p>')
        anchor.addnext(p)
        anchor = p
    toc_p.getparent().remove(toc_p)


_TOC_PPR = ('<w:pPr><w:pStyle w:val="TOC1"/><w:tabs><w:tab w:val="left" w:pos="567"/>'
            '<w:tab w:val="right" w:leader="dot" w:pos="{right}"/></w:tabs>'
            '<w:ind w:left="720" w:right="0" w:hanging="720"/></w:pPr>')


def _text_width(body: etree._Element) -> int:
    """Return the width between the margins, in twips (a right tab beyond it wraps the page number)."""
    sect = body.find(_w("sectPr"))
    try:
        width = int(sect.find(_w("pgSz")).get(_w("w")))
        margins = sect.find(_w("pgMar"))
        return width - int(margins.get(_w("left"))) - int(margins.get(_w("right")))
    except (AttributeError, TypeError, ValueError):
        return 9026  # A4 with 2.54 cm margins


def _toc_bookmark(p: etree._Element, index: int) -> str:
    """Return the name of a bookmark around heading `p` (its stable-id bookmark, or a new one)."""
    for start in p.iter(_w("bookmarkStart")):
        name = start.get(_w("name"), "")
        if name.startswith(ID_PREFIX):
            return name
    name = f"_Toc_AB_{index:04d}"
    _add_bookmark(p, name)
    return name


def no_update_fields(package: Package, document: str) -> None:
    """Remove w:updateFields (a template saved by some editors carries it): with it Word asks on every
    opening whether to update the fields.

    Nothing needs it: cross-references carry their section numbers (`fill_section_references`)
    and the contents their pages (`set_contents_pages`, once LibreOffice has laid them out).
    """
    name = package.related(document, RT_SETTINGS)
    if name is None:
        return
    settings = package.xml(name)
    for el in settings.findall(qn("w:updateFields")):
        settings.remove(el)


_EMPTY_NUMBERING = f'<w:numbering xmlns:w="{W_NS}"/>'.encode()


_PAGEREF = re.compile(r"^\s*PAGEREF\s+(\S+)")
_CONTENTS_FIELDS = etree.XPath("./w:p[w:pPr/w:pStyle/@w:val = 'TOC1']//*[self::w:instrText or self::w:delInstrText]",
                               namespaces={"w": W_NS})


def _contents_fields(body: etree._Element) -> list[tuple[etree._Element, str, bool]]:
    """Return the contents' PAGEREF fields: (the run holding the code, the bookmark, whether it is deleted).

    A redline's contents hold deleted entries too (w:delInstrText), for the headings it shows deleted.
    """
    out = []
    for instr in _CONTENTS_FIELDS(body):
        match = _PAGEREF.match(instr.text or "")
        if match:
            out.append((instr.getparent(), match.group(1), instr.tag == _w("delInstrText")))
    return out


def set_contents_pages(data: bytes, page_of: Callable[[str], int | None]) -> bytes:
    """Return the .docx `data` with each contents entry's page number as its field's result.

    `page_of` gives the page of a bookmark (None: unknown, the entry keeps its result). Only
    the main document part changes; `data` itself is returned when nothing does.
    """
    package = Package(read_docx_parts(data))
    name = package.main_document()
    body = package.xml(name).find(_w("body"))
    changed = False
    for run, bookmark, deleted in _contents_fields(body):
        page = page_of(bookmark)
        if page is not None:
            _set_field_result(run, str(page), deleted)
            changed = True
    return package.to_bytes() if changed else data


def fill_contents_pages(docx_path: Path, pdf_path: Path) -> bool:
    """Write the pages LibreOffice laid the headings out on into the .docx's contents; return whether it changed.

    Word does not recompute fields when it opens a document (the documents no longer ask it
    to, w:updateFields), so the contents' PAGEREF fields carry their results: the pages of the
    PDF made from this very .docx, read from its named destinations (`pdf.destination_pages`).
    The same .docx gives the same PDF, so the same pages and the same bytes. The file is
    replaced atomically. Raises BadPdf for an unreadable PDF.
    """
    from .package import atomic_write
    from .pdf import destination_name, destination_pages

    pages = destination_pages(pdf_path)
    if not pages:
        return False
    data = Path(docx_path).read_bytes()
    updated = set_contents_pages(data, lambda bookmark: pages.get(destination_name(bookmark)))
    if updated == data:
        return False
    atomic_write(docx_path, updated)
    return True


def set_custom_properties(package: Package, values: dict[str, str]) -> None:
    """Set text custom properties (File > Properties > Custom in Word), replacing any of the same names."""
    from .ooxml import CUSTOM_NS, RT_PREFIX, VT_NS

    reltype = RT_PREFIX + "custom-properties"
    name = package.related("", reltype)
    if name is None:
        name = "docProps/custom.xml"
        root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
        package.set_part(name, b"", "application/vnd.openxmlformats-officedocument.custom-properties+xml")
        package.set_xml(name, root)
        package.rels("").add(reltype, name)
    else:
        root = package.xml(name)
    for prop in root.findall(f"{{{CUSTOM_NS}}}property"):
        if prop.get("name") in values:
            root.remove(prop)
    pids = [int(p.get("pid")) for p in root.findall(f"{{{CUSTOM_NS}}}property") if (p.get("pid") or "").isdigit()]
    pid = max(pids + [1])
    for key, value in values.items():
        pid += 1
        prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property",
                                {"fmtid": "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}", "pid": str(pid), "name": key})
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value


def unlink_section_references(body: etree._Element, numbers: dict[str, str], keep: frozenset = frozenset()) -> None:
    """Replace every `REF _AB_S_<key>` field by its number as plain text (`numbers`: by bookmark name),
    but those to the bookmarks in `keep` (the document's own sections).

    For text set out in a document that does not hold the sections it refers to (a variation's
    Schedules refer to the Principal Agreement's sections): a field there would point nowhere.
    """
    for p in list(body.iter(_w("p"))):
        runs = [r for r in p.iter(_w("r"))]
        field: list[etree._Element] = []
        code, in_result, result_runs = "", False, []
        for r in runs:
            kind = r.find(_w("fldChar"))
            kind = kind.get(_w("fldCharType")) if kind is not None else None
            if kind == "begin":
                field, code, in_result, result_runs = [r], "", False, []
            elif field and kind == "separate":
                field.append(r)
                in_result = True
            elif field and kind == "end":
                field.append(r)
                match = _SECTION_REF.match(code)
                if match and match.group(1) not in keep:
                    text = numbers.get(match.group(1), "")
                    for i, result in enumerate(result_runs):
                        if i == 0:
                            _set_run_text(result, text)
                        else:
                            result.getparent().remove(result)
                    if not result_runs:  # no result: the number takes the place of the field's end
                        number = etree.Element(_w("r"))
                        _set_run_text(number, text)
                        r.addprevious(number)
                    for f in field:
                        f.getparent().remove(f)
                field = []
            elif field and not in_result:
                instr = r.find(_w("instrText"))
                code += instr.text or "" if instr is not None else ""
                field.append(r)
            elif field:
                result_runs.append(r)


def join_schedule_titles(body: etree._Element, style: str = "ScheduleTitle") -> None:
    """Keep the title that follows a Schedule's title on the same page (its own page break is turned off)."""
    for p in body.iter(_w("p")):
        ppr = p.find(_w("pPr"))
        pstyle = ppr.find(_w("pStyle")) if ppr is not None else None
        if pstyle is None or pstyle.get(_w("val")) != style:
            continue
        nxt = p.getnext()
        if nxt is None or nxt.tag != _w("p"):
            continue
        nppr = nxt.find(_w("pPr"))
        if nppr is None:
            nppr = etree.Element(_w("pPr"))
            nxt.insert(0, nppr)
        brk = nppr.find(_w("pageBreakBefore"))
        if brk is None:
            brk = etree.Element(_w("pageBreakBefore"))
            _insert_ppr_child(nppr, brk)
        brk.set(_w("val"), "0")


def keep_lead_ins_with_next(body: etree._Element) -> None:
    """Keep each paragraph that ends in a dash ("After clause 8.4 insert—") on the page of the text it introduces.

    An amendment's lead-in alone at the foot of a page, its inserted provision overleaf, is
    how a lawyer's draft never looks; the lead-ins are the only paragraphs amendments.py ends
    with a dash.
    """
    for p in body.iter(_w("p")):
        if not _paragraph_text(p).rstrip().endswith("—") or p.getnext() is None:
            continue
        ppr = p.find(_w("pPr"))
        if ppr is None:
            ppr = etree.SubElement(p, _w("pPr"))
            p.insert(0, ppr)
        if ppr.find(_w("keepNext")) is None:
            _insert_ppr_child(ppr, etree.SubElement(ppr, _w("keepNext")))


def prepare_conformed_copy(body: etree._Element, numbers: dict[str, str]) -> None:
    """Make a rendered agreement's body ready to be set out inside another document (a variation's Schedule).

    Its contents page goes (the document it sits in has its own), its cross-references to its
    sections become their numbers as text (`numbers`: by bookmark name), its execution page
    keeps its title and says how it was executed instead of offering lines to sign (a copy is
    never signed), and its hidden bookmarks go (the stable ids belong to the agreement itself).
    """
    for sect in list(body.iter(_w("sectPr"))):
        sect.getparent().remove(sect)
    for p in list(body.iter(_w("p"))):
        style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        value = (style.get(_w("val")) if style is not None else "") or ""
        if value.upper().startswith("TOC") or (value == "UnnumberedHeading" and _paragraph_text(p) == "Contents"):
            p.getparent().remove(p)
    unlink_section_references(body, numbers)
    _conform_execution(body)
    for mark in list(body.iter(_w("bookmarkStart"))):
        if mark.get(_w("name"), "").startswith(("_AB_", "_Toc")):
            ident = mark.get(_w("id"))
            for end in body.iter(_w("bookmarkEnd")):
                if end.get(_w("id")) == ident:
                    end.getparent().remove(end)
                    break
            mark.getparent().remove(mark)


CONFORMED_EXECUTION = ("The Principal Agreement was executed by its parties on the date stated at its beginning, and "
                       "varied by the agreement of variation in which this conformed copy is set out.")


def _conform_execution(body: etree._Element) -> None:
    """Replace the blocks of the execution page (the Appendix Title without a stable id) by one statement."""
    def style(el):
        found = el.find(f"{_w('pPr')}/{_w('pStyle')}") if el.tag == _w("p") else None
        return found.get(_w("val")) if found is not None else ""

    for p in list(body):
        if style(p) != "AppendixTitle" or any(
                (b.get(_w("name")) or "").startswith(APPENDIX) for b in p.iter(_w("bookmarkStart"))):
            continue
        node = p.getnext()
        while node is not None and style(node) not in ("AppendixTitle", "PartHeading", "AnnexTitle"):
            following = node.getnext()
            body.remove(node)
            node = following
        statement = etree.SubElement(body, _w("p"))
        ppr = etree.SubElement(statement, _w("pPr"))
        etree.SubElement(ppr, _w("pStyle")).set(_w("val"), "BodyText")
        _set_run_text(etree.SubElement(statement, _w("r")), CONFORMED_EXECUTION)
        p.addnext(statement)
        return
