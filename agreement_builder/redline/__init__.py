"""Tracked-change Word document between two versions: accept all gives NEW, reject all gives OLD.

The output is NEW's package with every difference from OLD marked as a revision (`w:ins`,
`w:del`, on runs, equations, paragraph marks and table rows) in every story a reader sees:
the body, tables (nested, merged cells), text boxes, footnotes and endnotes, comments, headers
and footers, equations, pictures and other drawings, fields and content controls. Anything
that cannot be shown exactly is reported by name (`Redline.warnings`, and the document's
custom property "Redline not compared"); nothing is dropped silently.

The stages, one module each:

| module | job |
|---|---|
| `sources.py` | the two inputs: parts, relationships, stories, notes (tracked changes accepted) |
| `content.py` | a paragraph as a string: text plus one character per object; digests |
| `align.py` | which block (or row) of OLD is which of NEW |
| `blocks.py` | containers of blocks: align, mark, copy deleted blocks in, settle paragraph marks |
| `tables.py` | rows aligned on their content, cells diffed |
| `words.py` | a paired paragraph diffed word by word; objects kept are diffed inside |
| `copies.py` | OLD content brought into the output: parts, notes, bookmarks, fields |
| `notes.py` | footnotes, endnotes and comments |
| `headers.py` | headers and footers by section |
| `marks.py` | the revision elements themselves |
| `report.py` | what could not be compared, said by name |
| `session.py` | one redline in progress, tying the stages together |

Moves are shown as a deletion and an insertion (`w:moveFrom`/`w:moveTo` are not written:
LibreOffice shows them as plain deletions and insertions anyway, and Word pairs them only by
identical text). The date of revisions defaults to NEW's modified date and ids count up from
above every id NEW already uses, so the same inputs always give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as _date, datetime
from pathlib import Path

from .. import docmodel as dm
from ..docmodel import Document
from ..errors import InputError
from .align import align
from .words import word_changes

DEFAULT_AUTHOR = "agreement-builder"
#: Date of revisions when neither the caller nor NEW's core properties give one.
FALLBACK_DATE = "2000-01-01T00:00:00Z"

__all__ = ["redline", "compare", "Redline", "word_changes", "align", "DEFAULT_AUTHOR"]


@dataclass(frozen=True)
class Redline:
    """A redline's .docx bytes and what it could not show as revisions ("AREA: what", by name)."""

    data: bytes
    warnings: list[str]


def compare(old, new, *, author: str = DEFAULT_AUTHOR, date: datetime | _date | str | None = None,
            old_label: str | None = None, new_label: str | None = None) -> Redline:
    """Return the redline of OLD -> NEW and its warnings.

    `old` and `new` are paths, .docx bytes or `docmodel.Document`s (never modified). `date`
    defaults to NEW's modified (else created) date in docProps/core.xml, so the output is
    deterministic. Raises InputError for an input that is not a usable Word document.
    """
    from .session import Session

    if isinstance(old, Document) or isinstance(new, Document):
        old_doc, new_doc = _load(old, old_label, "OLD"), _load(new, new_label, "NEW")
    else:  # large documents are redlined a stretch at a time when they allow it (the same bytes)
        from . import stretches

        old_parts, old_label = _parts(old, old_label, "OLD")
        if stretches.large(old_parts):
            new_parts, new_label = _parts(new, new_label, "NEW")
            if stretches.large(new_parts):
                found = stretches.compare_in_stretches(old_parts, new_parts, old_label, new_label, author,
                                                       lambda shell: _revision_date(date, shell))
                if found is not None:
                    return Redline(*found)
            old_doc = dm.document_from_parts(old_parts, old_label)
            new_doc = dm.document_from_parts(new_parts, new_label)
        else:
            old_doc = dm.document_from_parts(old_parts, old_label)
            new_doc = _load(new, new_label, "NEW")
    session = Session(old_doc, new_doc, author, _revision_date(date, new_doc))
    session.run()
    return Redline(session.result(), list(session.report.warnings))


def redline(old, new, **options) -> bytes:
    """Return the .docx bytes of NEW with every change from OLD as a tracked revision (see `compare`)."""
    return compare(old, new, **options).data


def _parts(source, label: str | None, default: str) -> tuple[dict[str, bytes], str]:
    """Return an input's parts (read safely) and its label."""
    label = label or (default if isinstance(source, bytes) else str(source))
    return dm.read_docx_parts(source if isinstance(source, bytes) else Path(source), label=label), label


def _load(source, label: str | None, default: str) -> Document:
    """Return a fresh document model (a given Document is re-read, so it is never modified)."""
    if isinstance(source, Document):
        return dm.document_from_parts(source.parts, label or source.label)
    if isinstance(source, bytes):
        return dm.read_document(source, label or default)
    return dm.read_document(Path(source), label or str(source))


def _revision_date(value, new_doc: Document) -> str:
    if value is None:
        return new_doc.date() or FALLBACK_DATE
    try:
        return dm.format_date(value)
    except (ValueError, TypeError, AttributeError):
        raise InputError.in_file(new_doc.label, f"invalid revision date {value!r}",
                                 hint="give an ISO date such as 2016-07-19") from None
