"""The .docx package: its parts in memory, deterministic writing, safe reading, atomic replacement.

Why here: a .docx is a zip of XML parts. Word does not care about entry order or dates, but
reproducible builds do, and inputs from users (a .docx edited in Word, or anything renamed
to .docx) are untrusted: a zip bomb or an XML entity trick must be refused, not expanded.

Why `Package` rather than python-docx's: rendering touches five parts (document, styles,
numbering, settings, core properties) and the relationships of one. python-docx parses every
part into its object model on opening, re-serialises them all on saving and, above all, costs
as much to import as the whole of python-docx's open-and-save that the render benchmark is
measured against. Reading, redlining and the tests still use python-docx.
"""

from __future__ import annotations

import io
import os
import posixpath
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

from .errors import InputError, OutputError

#: The fixed timestamp of every zip entry (the earliest a zip can hold), so that the same
#: parts always give the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: Largest total uncompressed size accepted from an untrusted .docx (a generous agreement
#: is a few MB; a zip bomb is many GB).
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ENTRIES = 5000
MAX_RATIO = 200  # uncompressed / compressed, per entry larger than 1 MB

#: Part names that come first, in this order (Word and validators expect the content types first).
_FIRST = ["[Content_Types].xml", "_rels/.rels"]

SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_blank_text=False
)


#: How parts that are changed are parsed: as python-docx does (blank text between elements
#: dropped), so that templates see the XML that docxtpl would give them.
PART_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_blank_text=True
)

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
RT_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_STYLES, RT_NUMBERING, RT_SETTINGS, RT_IMAGE = (_RT + t for t in ("styles", "numbering", "settings", "image"))
RT_HEADER, RT_FOOTER, RT_FOOTNOTES = (_RT + t for t in ("header", "footer", "footnotes"))
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
CT_NUMBERING, CT_SETTINGS = _CT + "numbering+xml", _CT + "settings+xml"


def parse_xml(data: bytes) -> etree._Element:
    """Return the root of an XML part, parsed without entities, DTDs or network."""
    return etree.fromstring(data, SAFE_PARSER)


def serialize_part(element: etree._Element) -> bytes:
    """Return an XML part as Word writes it (and python-docx does): UTF-8, standalone declaration."""
    return etree.tostring(element, encoding="UTF-8", standalone=True)


class Package:
    """A .docx as a dictionary of parts; the XML of a part is parsed only when it is asked for.

    Parts asked for through `xml()` are serialised again by `to_bytes()`; every other part is
    written back byte for byte as it was read.
    """

    def __init__(self, parts: dict[str, bytes], label: str = "<docx>"):
        self.parts = parts
        self.label = label
        self._xml: dict[str, etree._Element] = {}

    @classmethod
    def open(cls, path: str | Path) -> "Package":
        return cls(read_docx_parts(path), str(path))

    def copy(self) -> "Package":
        """Return a package with the same parts that can be changed without touching this one."""
        return Package(dict(self.parts), self.label)

    # -------------------------------------------------------------- parts

    def xml(self, name: str) -> etree._Element:
        """Return the parsed root of part `name` (parsed once; written back by `to_bytes`)."""
        if name not in self._xml:
            self._xml[name] = etree.fromstring(self.parts[name], PART_PARSER)
        return self._xml[name]

    def set_xml(self, name: str, element: etree._Element) -> None:
        self._xml[name] = element

    def set_part(self, name: str, blob: bytes, content_type: str | None = None) -> None:
        """Add or replace part `name` (with its content type, when the package does not know it yet)."""
        self._xml.pop(name, None)
        self.parts[name] = blob
        if content_type and self.content_type(name) != content_type:
            self._override(name, content_type)

    def content_type(self, name: str) -> str | None:
        types = self.xml("[Content_Types].xml")
        for override in types.iterfind(f"{{{CT_NS}}}Override"):
            if override.get("PartName") == "/" + name:
                return override.get("ContentType")
        ext = name.rsplit(".", 1)[-1].lower()
        for default in types.iterfind(f"{{{CT_NS}}}Default"):
            if default.get("Extension", "").lower() == ext:
                return default.get("ContentType")
        return None

    def _override(self, name: str, content_type: str) -> None:
        types = self.xml("[Content_Types].xml")
        for override in types.iterfind(f"{{{CT_NS}}}Override"):
            if override.get("PartName") == "/" + name:
                override.set("ContentType", content_type)
                return
        etree.SubElement(types, f"{{{CT_NS}}}Override", PartName="/" + name, ContentType=content_type)

    def add_default(self, extension: str, content_type: str) -> None:
        """Declare the content type of every part ending in `.extension` (images: png, jpeg ...)."""
        types = self.xml("[Content_Types].xml")
        if any(d.get("Extension", "").lower() == extension.lower() for d in types.iterfind(f"{{{CT_NS}}}Default")):
            return
        types.insert(0, etree.Element(f"{{{CT_NS}}}Default", Extension=extension, ContentType=content_type))

    # -------------------------------------------------------------- relationships

    def rels(self, name: str) -> "Relationships":
        """Return the relationships of part `name` ("" for the package's own)."""
        folder, base = posixpath.split(name)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.parts and rels_name not in self._xml:
            self._xml[rels_name] = etree.Element(f"{{{PR_NS}}}Relationships", nsmap={None: PR_NS})
        return Relationships(self.xml(rels_name), folder)

    def main_document(self) -> str:
        """Return the name of the main document part (word/document.xml in every Word file)."""
        rel = self.rels("").first(RT_OFFICE_DOCUMENT)
        return rel.target if rel is not None else "word/document.xml"

    def related(self, name: str, reltype: str) -> str | None:
        """Return the name of the part that `name` relates to by `reltype`, if any."""
        rel = self.rels(name).first(reltype)
        return rel.target if rel is not None and not rel.external else None

    def related_xml(self, name: str, reltype: str, content_type: str, empty: bytes) -> etree._Element:
        """Return the part that `name` relates to by `reltype`, adding `empty` as that part if there is none."""
        target = self.related(name, reltype)
        if target is None:
            folder = posixpath.dirname(name)
            target = posixpath.join(folder, reltype.rsplit("/", 1)[-1] + ".xml")
            self.set_part(target, empty, content_type)
            self.rels(name).add(reltype, target)
        return self.xml(target)

    def core_properties(self) -> etree._Element:
        """Return the core properties (docProps/core.xml), added empty if the package has none."""
        name = self.related("", RT_CORE)
        if name is None:
            name = "docProps/core.xml"
            self.set_part(name, _EMPTY_CORE, CT_CORE)
            self.rels("").add(RT_CORE, name)
        return self.xml(name)

    def serialized_parts(self) -> dict[str, bytes]:
        """Return the parts parsed so far (and perhaps changed), serialised again."""
        return {name: serialize_part(element) for name, element in self._xml.items()}

    # -------------------------------------------------------------- writing

    def to_bytes(self) -> bytes:
        """Return the package as deterministic .docx bytes."""
        parts = dict(self.parts)
        for name, element in self._xml.items():
            parts[name] = serialize_part(element)
        return write_docx_bytes(parts)


class Relationship:
    __slots__ = ("rid", "reltype", "target", "external")

    def __init__(self, rid: str, reltype: str, target: str, external: bool):
        self.rid, self.reltype, self.target, self.external = rid, reltype, target, external


class Relationships:
    """The relationships of one part; targets are given and returned as part names."""

    def __init__(self, element: etree._Element, folder: str):
        self.element = element
        self.folder = folder

    def _target(self, el: etree._Element) -> Relationship:
        external = el.get("TargetMode") == "External"
        target = el.get("Target", "")
        if not external:
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(self.folder, target))
        return Relationship(el.get("Id"), el.get("Type"), target, external)

    def __iter__(self):
        return (self._target(el) for el in self.element.iterfind(f"{{{PR_NS}}}Relationship"))

    def get(self, rid: str) -> Relationship | None:
        return next((r for r in self if r.rid == rid), None)

    def first(self, reltype: str) -> Relationship | None:
        return next((r for r in self if r.reltype == reltype), None)

    def add(self, reltype: str, target: str, *, external: bool = False) -> str:
        """Return the id of a relationship to `target` (an existing one, or a new one)."""
        rels = list(self)
        for r in rels:
            if r.reltype == reltype and r.target == target and r.external == external:
                return r.rid
        used = {r.rid for r in rels}
        n = len(rels) + 1
        while f"rId{n}" in used:
            n += 1
        ref = target if external else posixpath.relpath(target, self.folder or ".")
        el = etree.SubElement(self.element, f"{{{PR_NS}}}Relationship", Id=f"rId{n}", Type=reltype, Target=ref)
        if external:
            el.set("TargetMode", "External")
        return f"rId{n}"


_EMPTY_CORE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
               b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
               b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>')


def write_docx_bytes(parts: dict[str, bytes]) -> bytes:
    """Return a zip of `parts` with fixed dates and a fixed entry order (deterministic)."""
    names = [n for n in _FIRST if n in parts] + sorted(n for n in parts if n not in _FIRST)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            zf.writestr(info, parts[name], compresslevel=6)
    return buffer.getvalue()


def read_docx_parts(source: str | Path | bytes, *, label: str | None = None) -> dict[str, bytes]:
    """Return the parts of an untrusted .docx, refusing non-zips, zip bombs and non-Word zips."""
    name = label or (str(source) if not isinstance(source, bytes) else "<docx>")
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        raise InputError.in_file(name, f"cannot read the file: {exc.strerror}") from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError.in_file(
            name, "this is not a Word .docx file (it is not a zip package)",
            hint="give a .docx saved by Word or LibreOffice, or an agreement .yaml file",
        ) from None
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise InputError.in_file(name, f"the package has {len(infos)} entries; refusing more than {MAX_ENTRIES}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise InputError.in_file(
            name, f"the package would unpack to {total // (1024 * 1024)} MB; refusing more than "
            f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB (a zip bomb?)")
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError.in_file(name, f"the entry {info.filename} is compressed suspiciously well (a zip bomb?)")
    if "word/document.xml" not in zf.namelist():
        raise InputError.in_file(name, "this zip is not a Word document (no word/document.xml)")
    parts: dict[str, bytes] = {}
    budget = MAX_UNCOMPRESSED
    for info in infos:
        if info.is_dir():
            continue
        with zf.open(info) as fh:
            content = fh.read(budget + 1)  # never trust the declared size
        budget -= len(content)
        if budget < 0:
            raise InputError.in_file(name, "the package unpacks to more than it declares (a zip bomb?)")
        parts[info.filename] = content
    return parts


def atomic_write(path: str | Path, data: bytes, *, overwrite_final: bool = True) -> None:
    """Write `data` to `path` through a temporary file and a rename, so no reader ever sees half a file."""
    path = Path(path)
    if not path.parent.exists():
        raise OutputError(f"{path}: the folder {path.parent} does not exist")
    if path.exists() and not overwrite_final:
        raise OutputError(
            f"{path}: a final agreement is already there; it is not overwritten "
            "(use --force to replace a signed document on purpose)")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
