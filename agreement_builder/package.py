"""The .docx package on disk: deterministic writing, safe reading, atomic replacement.

Why here: a .docx is a zip of XML parts. Word does not care about entry order or dates, but
reproducible builds do, and inputs from users (a .docx edited in Word, or anything renamed
to .docx) are untrusted: a zip bomb or an XML entity trick must be refused, not expanded.
"""

from __future__ import annotations

import io
import os
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


def parse_xml(data: bytes) -> etree._Element:
    """Return the root of an XML part, parsed without entities, DTDs or network."""
    return etree.fromstring(data, SAFE_PARSER)


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
