"""What a rendered agreement was made from, recorded in its custom document properties.

Why: a reviewer sends back a Word file days later; `absorb` must find the YAML it came from
and be sure it is the same YAML (a fresh render of other inputs would turn every difference
into a "change" the reviewer never made). A render records, as custom properties (File >
Properties > Custom in Word; they survive a re-save in Word and LibreOffice):

- the agreement file's path relative to its workspace (the folder of its parties file when
  the agreement is inside it, else the agreement's own folder): a relative name, so the
  document does not carry the author's folders and the bytes do not depend on where the
  workspace sits;
- its reference and version;
- the SHA-256 of the agreement file's bytes, and the fingerprint of all the inputs
  (agreement, parties, templates, full or publication version; `render.fingerprint`).

Every value comes from the inputs (no clock, no user name), so the same inputs still give
byte-identical documents.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from .ooxml import CUSTOM_NS
from .package import parse_xml


#: The property names, as Word lists them.
SOURCE = "agreement-builder source"
REFERENCE = "agreement-builder reference"
VERSION = "agreement-builder version"
AGREEMENT_SHA256 = "agreement-builder agreement SHA-256"
INPUTS_SHA256 = "agreement-builder inputs SHA-256"
PUBLICATION = "agreement-builder publication"
NAMES = (SOURCE, REFERENCE, VERSION, AGREEMENT_SHA256, INPUTS_SHA256, PUBLICATION)


@dataclass(frozen=True)
class InputRecord:
    """The inputs a document was rendered from (all strings as recorded)."""

    source: str  # posix path relative to the workspace
    reference: str
    version: str
    agreement_sha256: str
    inputs_sha256: str
    publication: bool = False


def workspace_root(agreement: Path, parties: Path) -> Path:
    """Return the folder a source path is recorded relative to: the parties file's folder when it holds the agreement."""
    agreement_dir = Path(os.path.abspath(agreement)).parent
    parties_dir = Path(os.path.abspath(parties)).parent
    try:
        agreement_dir.relative_to(parties_dir)
        return parties_dir
    except ValueError:
        return agreement_dir


def relative_source(agreement: Path, parties: Path) -> str:
    """Return the agreement's path relative to its workspace, with forward slashes."""
    root = workspace_root(agreement, parties)
    return PurePosixPath(*Path(os.path.abspath(agreement)).relative_to(root).parts).as_posix()


def file_sha256(data: bytes) -> str:
    """Return the SHA-256 of a file's bytes as hex."""
    return hashlib.sha256(data).hexdigest()


def values(record: InputRecord) -> dict[str, str]:
    """Return the record as custom properties, by name, in the order they are written (compose.py writes them)."""
    return {SOURCE: record.source, REFERENCE: record.reference, VERSION: record.version,
            AGREEMENT_SHA256: record.agreement_sha256, INPUTS_SHA256: record.inputs_sha256,
            PUBLICATION: "yes" if record.publication else "no"}


def read(parts: dict[str, bytes]) -> InputRecord | None:
    """Return the record of a document's parts, or None when it has none (not rendered by this tool)."""
    data = parts.get("docProps/custom.xml")
    if not data:
        return None
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError:  # a damaged properties part records nothing: absorb then asks for the agreement
        return None
    found: dict[str, str] = {}
    for prop in root.findall(f"{{{CUSTOM_NS}}}property"):
        key = prop.get("name")
        if key in NAMES:
            found[key] = "".join(prop.itertext()).strip()
    if not all(found.get(k) for k in (SOURCE, REFERENCE, AGREEMENT_SHA256, INPUTS_SHA256)):
        return None
    return InputRecord(found[SOURCE], found[REFERENCE], found.get(VERSION, ""), found[AGREEMENT_SHA256],
                       found[INPUTS_SHA256], found.get(PUBLICATION) == "yes")
