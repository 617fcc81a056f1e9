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
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from .errors import InputError, OutputError
from .ooxml import CT_NS, PR_NS, RT_PREFIX

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

RT_OFFICE_DOCUMENT = RT_PREFIX + "officeDocument"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
_RT = RT_PREFIX
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

    def set_chunked(self, name: str, part: ChunkedPart) -> None:
        """Make part `name` the pieces of `part`, written one after another (its parsed root, if any, is dropped)."""
        self._xml.pop(name, None)
        self.parts[name] = part  # type: ignore[assignment]

    def to_bytes(self) -> bytes:
        """Return the package as deterministic .docx bytes."""
        parts: dict[str, bytes | etree._Element | ChunkedPart] = dict(self.parts)
        parts.update(self._xml)  # serialised straight into the zip (see write_docx_bytes)
        return write_docx_bytes(parts)


class ChunkedPart:
    """A part given as a sequence of pieces of XML, each kept deflated until the package is written.

    Why: a national agreement's document part is 70 MB of XML; its annexes are finished one at
    a time (compose.AnnexStream), and their text held deflated costs a fiftieth of that.
    """

    def __init__(self) -> None:
        self._pieces: list[bytes] = []

    def append(self, data: bytes) -> None:
        self._pieces.append(zlib.compress(data, 1))

    def extend(self, other: "ChunkedPart") -> None:
        self._pieces += other._pieces

    def __iter__(self):
        return (zlib.decompress(piece) for piece in self._pieces)

    def __bytes__(self) -> bytes:
        return b"".join(self)


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


def write_docx_bytes(parts: dict[str, bytes | etree._Element | ChunkedPart]) -> bytes:
    """Return a zip of `parts` with fixed dates and a fixed entry order (deterministic).

    A part given as a parsed XML root is serialised as `serialize_part` would, but straight
    into its zip entry, a few kilobytes at a time: a national agreement's document part is
    over 50 MB as bytes, and would otherwise exist whole beside its tree (the zip's deflate
    stream is the same however the data is fed to it).
    """
    names = [n for n in _FIRST if n in parts] + sorted(n for n in parts if n not in _FIRST)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            data = parts[name]
            if isinstance(data, ChunkedPart):
                info._compresslevel = 6
                with zf.open(info, "w") as entry:
                    for piece in data:
                        entry.write(piece)
            elif isinstance(data, etree._Element) and _streamable(data):
                info._compresslevel = 6  # what writestr(..., compresslevel=6) sets
                with zf.open(info, "w") as entry, io.BufferedWriter(entry, buffer_size=1 << 20) as buffered:
                    etree.ElementTree(data).write(buffered, encoding="UTF-8", standalone=True)
            else:
                zf.writestr(info, serialize_part(data) if isinstance(data, etree._Element) else data, compresslevel=6)
    return buffer.getvalue()


def _streamable(root: etree._Element) -> bool:
    """Return whether writing the element's tree gives exactly `serialize_part(root)` (nothing around the root)."""
    return (root.getparent() is None and root.getprevious() is None and root.getnext() is None
            and not root.getroottree().docinfo.doctype)


#: The first bytes of an OLE compound file: what Word saves a password-protected (encrypted)
#: document as, and the old binary .doc format.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: What unpacking a damaged zip entry raises: a bad CRC or a size that does not match (BadZipFile),
#: a corrupt deflate stream (zlib.error), a stream cut short (EOFError), an encrypted entry
#: (RuntimeError), a compression method zipfile does not know (NotImplementedError).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError, OverflowError)
_RESAVE = "open it in Word or LibreOffice and save it again as .docx"


def _unsafe_entry_name(name: str) -> bool:
    """Return whether a zip entry's name could lead out of the package (`../x`, `/x`, `C:x`, `x\\..`)."""
    if not name or name.startswith(("/", "\\")) or "\x00" in name or "\\" in name:
        return True
    if len(name) > 1 and name[1] == ":":
        return True
    return any(part in ("..", ".") for part in name.split("/"))


def read_docx_parts(source: str | Path | bytes, *, label: str | None = None) -> dict[str, bytes]:
    """Return the parts of an untrusted .docx, refusing non-zips, zip bombs, damaged and non-Word zips.

    Every fault is an InputError naming the file in one line; nothing of the file is quoted.
    """
    name = label or (str(source) if not isinstance(source, bytes) else "<docx>")
    if isinstance(source, bytes):
        data = source
    else:
        from .inputs import read_input

        data = read_input(Path(source), name)
    if data.startswith(OLE_MAGIC):
        raise InputError.in_file(
            name, "this is a password-protected (encrypted) Word document, or one in the old .doc format; "
            "it cannot be read", hint="remove the password (File, Info, Protect Document) or " + _RESAVE)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OverflowError, struct.error):
        raise InputError.in_file(
            name, "this is not a Word .docx file (it is not a zip package)",
            hint="give a .docx saved by Word or LibreOffice, or an agreement .yaml file",
        ) from None
    if len(infos) > MAX_ENTRIES:
        raise InputError.in_file(name, f"the package has {len(infos)} entries; refusing more than {MAX_ENTRIES}")
    if any(_unsafe_entry_name(i.filename) for i in infos):
        raise InputError.in_file(name, "the package has an entry whose name leads out of it (`..`, or an absolute "
                                 "path); refusing to read it", hint="Word never writes such names; " + _RESAVE)
    if any(i.flag_bits & 0x1 for i in infos):
        raise InputError.in_file(name, "the package is encrypted (a zip password); it cannot be read",
                                 hint="remove the password and " + _RESAVE)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise InputError.in_file(
            name, f"the package would unpack to {total // (1024 * 1024)} MB; refusing more than "
            f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB (a zip bomb?)")
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError.in_file(name, "an entry of the package is compressed suspiciously well (a zip bomb?)")
    if "word/document.xml" not in zf.namelist():
        raise InputError.in_file(name, "this zip is not a Word document (no word/document.xml)")
    parts: dict[str, bytes] = {}
    budget = MAX_UNCOMPRESSED
    for info in infos:
        if info.is_dir():
            continue
        try:
            with zf.open(info) as fh:
                content = fh.read(budget + 1)  # never trust the declared size
        except _DAMAGED as exc:
            raise InputError.in_file(name, f"the package is damaged: {_damage(exc)} in one of its parts",
                                     hint=_RESAVE) from None
        budget -= len(content)
        if budget < 0:
            raise InputError.in_file(name, "the package unpacks to more than it declares (a zip bomb?)")
        parts[info.filename] = content
    return parts


def _damage(exc: BaseException) -> str:
    text = str(exc)
    if "CRC" in text:
        return "a checksum does not match"
    if isinstance(exc, zlib.error):
        return "compressed data is corrupt"
    if isinstance(exc, RuntimeError) and "encrypted" in text:
        return "an encrypted entry"
    if isinstance(exc, NotImplementedError):
        return "an unknown compression method"
    return "data is cut short or does not match its size"


def atomic_write(path: str | Path, data: bytes, *, replace: bool = True, mode: int = 0o644) -> None:
    """Write `data` to `path` through a temporary file and a rename, so no reader ever sees half a file.

    Any failure (disk full, permission denied, a read-only file system) leaves the old file as it
    was, removes the temporary file and raises an OutputError naming the file. Whether `path`
    may be written at all is `outputs.check_output`'s business; `replace=False` only refuses any
    existing file (a copy that must never replace what a user holds). `mode`: the new file's permissions.
    """
    path = Path(path)
    if not path.parent.exists():
        raise OutputError(f"{path}: the folder {path.parent} does not exist")
    if not replace and os.path.lexists(path):
        raise OutputError(f"{path}: already there; it is not replaced")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the file: {exc.strerror or type(exc).__name__}; "
                          "nothing was changed") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:  # already gone; the write's own error goes up
                pass
