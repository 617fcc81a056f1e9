"""One agreement's documents for the pack, written into the staging folder (runs in a worker process).

For each agreement: the agreement, its publication version (s23E), a decision notice per
policing body (and its exempt part, not for publication, when the agreement withholds a function), and the change report (.docx and .md) and the redline when it names a previous
version, and the agreement of variation (vary.py) when that previous version is final (signed). They are made one at a time and memory is given back between them (`release_memory`):
a national agreement's document tree takes hundreds of megabytes, and peaks must not add up. What comes back to the parent (`Outcome`) is small and picklable: the metadata, the
files written with their SHA-256, or why the agreement failed.

Failures are sorted here. A problem with the agreement's inputs (YAML, template, a file it
cannot read) fails this agreement alone: the parent keeps its previous documents. A failure to
write into the staging folder (disk full, permission denied) is the pack's problem, not the
agreement's: it comes back as `write_error` and the parent stops the build, leaving the
previous pack as it was.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import hashlib
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AgreementBuilderError, InputError, Issue
from .manifest import KINDS
from .pack_names import notice_name
from .templates import TemplateSet

#: Parties files already loaded, by resolved path: filled by the parent before the workers
#: are forked, so that they do not load it again.
PARTIES: dict[str, object] = {}


@dataclass(frozen=True)
class AgreementJob:
    """One agreement to build (sent to a worker process)."""

    index: int
    source: Path
    label: str
    stem: str
    parties: Path
    templates: TemplateSet
    summit_name: str
    summit_date: dt.date
    #: every agreement of the summit's totals by force (figures.AgreementTotals), for the notices'
    #: totals across the summit; the summit file and the other agreements are inputs of this one
    summit_totals: tuple = ()
    summit_inputs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Document:
    path: str  # relative to the pack
    kind: str
    title: str
    sha256: str
    bytes: int
    pdf: bool  # converted to PDF when PDFs are made


@dataclass
class Outcome:
    """What a worker sends back: the files it wrote, or why it failed. Always picklable."""

    stem: str
    label: str
    meta: dict = field(default_factory=dict)
    inputs: list[Path] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # an InputError's issues
    error: str = ""  # any other failure of this agreement, formatted
    detail: str = ""  # traceback of an unexpected error
    write_error: tuple[str, str] | None = None  # (path in the pack, reason): the staging folder could not be written


class AgreementFailed(AgreementBuilderError):
    """An agreement's build failed (in a worker process, or its PDFs); carries the message already formatted."""

    def __init__(self, text: str, detail: str = ""):
        super().__init__(text)
        self.text = text
        self.detail = detail  # a traceback, for an unexpected error

    def format(self) -> str:
        return self.text


def failure_of(outcome: Outcome) -> AgreementBuilderError | None:
    if outcome.issues:
        return InputError(outcome.issues)
    if outcome.error:
        return AgreementFailed(outcome.error, outcome.detail)
    return None


class _WriteFailed(Exception):
    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason


def build_agreement(job: AgreementJob, staging: Path) -> Outcome:
    """Render one agreement's documents into `staging/<stem>/`; never raises (but for KeyboardInterrupt)."""
    from .loader import display_path

    outcome = Outcome(job.stem, job.label)
    try:
        render_documents(job, staging, outcome)
    except _WriteFailed as exc:
        outcome.write_error = (exc.path, exc.reason)
    except InputError as exc:
        outcome.issues = list(exc.issues)
    except AgreementBuilderError as exc:
        text = exc.format()
        outcome.error = f"{job.label}: {text}" if text.startswith("error:") else f"{text}\n    while building {job.label}"
    except OSError as exc:  # an input it could not read
        where = display_path(Path(exc.filename)) if exc.filename else job.label
        outcome.error = f"{where}: error: cannot read: {exc.strerror or exc}\n    while building {job.label}"
    except Exception as exc:  # a bug: report it for this agreement, build the others
        outcome.error = (f"{job.label}: error: internal error: {type(exc).__name__}: {exc}\n"
                         "    this is a bug in agreement-builder; run again with --debug and report it")
        outcome.detail = traceback.format_exc()
    if outcome.write_error or failure_of(outcome) is not None:
        outcome.documents = []
    return outcome


def render_documents(job: AgreementJob, staging: Path, outcome: Outcome) -> None:
    from .figures import agreement_figures
    from .models import SummitInfo
    from .notice import render_notices
    from .render import render_agreement
    from .validate import load_agreement, load_parties

    parties = PARTIES.get(str(job.parties))
    if parties is None:
        parties = PARTIES[str(job.parties)] = load_parties(job.parties)
    checked = load_agreement(job.source, parties=parties)
    outcome.warnings = list(checked.warnings)
    outcome.inputs = [job.source]
    info = checked.agreement.agreement
    outcome.meta = {"title": info.title, "reference": info.reference, "version": info.version,
                    "status": info.status.capitalize()}
    folder = staging / job.stem
    written: set[str] = set()
    release_memory(collect=True)  # what reading the YAML left behind (its node tree), before the largest render

    def write(name: str, kind: str, title: str, data: bytes, *, pdf: bool = True) -> None:
        rel = f"{job.stem}/{name}"
        if name.casefold() in written:  # names are checked beforehand: this is a bug, not the user's
            raise RuntimeError(f"two documents of {job.label} are both called {rel}")
        written.add(name.casefold())
        try:
            folder.mkdir(exist_ok=True)
            with open(folder / name, "xb") as fh:
                fh.write(data)
        except OSError as exc:
            raise _WriteFailed(rel, exc.strerror or str(exc)) from None
        outcome.documents.append(Document(rel, kind, title, hashlib.sha256(data).hexdigest(), len(data),
                                          pdf and name.endswith(".docx")))

    agreement = render_agreement(checked, templates=job.templates)
    write(f"{job.stem}.docx", "agreement", info.title, agreement)
    release_memory()
    write(f"{job.stem}-publication.docx", "publication", f"{info.title} (publication version)",
          render_agreement(checked, templates=job.templates, publication=True))
    release_memory()
    summit = SummitInfo(name=job.summit_name, date=job.summit_date)
    bodies = {f: checked.parties.parties.forces[f].policing_body.title for f in checked.agreement.forces}
    previous = checked.previous_path()
    old = None
    if previous is not None:
        outcome.inputs.append(previous)
        old = load_agreement(previous, parties=checked.parties)  # its errors are this agreement's
    outcome.inputs += [p for p in job.summit_inputs if p not in outcome.inputs]  # the notices' summit totals
    figures = {"previous": agreement_figures(old) if old is not None else None,
               "summit_totals": job.summit_totals or None}
    notices, exempt = render_notices(checked, summit, templates=job.templates, **figures)
    for force_id, data in notices.items():
        write(notice_name(force_id), "decision-notice",
              f"Decision notice: {bodies[force_id]}", data)
    del notices
    for force_id, data in exempt.items():  # the figures of withheld functions: not for publication
        write(notice_name(force_id, "exempt"), "decision-notice-exempt",
              f"Decision notice, exempt part (not for publication): {bodies[force_id]}", data)  # withheld figures
    del figures
    if old is not None:  # the change report and the redline against the previous version
        from .diff import diff_agreements
        from .redline import redline
        from .report import format_docx, format_markdown

        span = f"{old.agreement.agreement.version} to {info.version}"
        changes = diff_agreements(old, checked, old_templates=job.templates, new_templates=job.templates)
        write(f"{job.stem}-changes.docx", "change-report", f"Change report: {span}",
              _as_bytes(format_docx(changes, job.templates)))
        write(f"{job.stem}-changes.md", "change-report", f"Change report: {span} (Markdown)",
              _as_bytes(format_markdown(changes)), pdf=False)
        labels = {"old_label": old.label, "new_label": checked.label}
        signed = old.agreement.agreement.status == "final"  # a signed previous version: the variation that amends it
        del changes
        if not signed:  # a national agreement's model is large: gone before the next largest render
            checked = None
        release_memory(collect=True)
        old_docx = render_agreement(old, templates=job.templates)
        if signed:
            _write_variation(old, checked, old_docx, agreement, job, span, write, outcome)
        del checked, old
        release_memory()
        write(f"{job.stem}-redline.docx", "redline", f"Redline: {span}", redline(old_docx, agreement, **labels))
        release_memory(collect=True)
    order = list(KINDS)  # the order documents are listed in, whatever order they were made in
    outcome.documents.sort(key=lambda d: order.index(d.kind))


def _write_variation(old, checked, old_docx: bytes, new_docx: bytes, job, span: str, write, outcome) -> None:
    """Write the agreement of variation of a signed previous version; a variation refused (a party
    leaves) is a warning of this agreement, not a failure of its other documents."""
    from .vary import draft_variation

    try:
        variation = draft_variation(old, checked, templates=job.templates, old_templates=job.templates,
                                    old_docx=old_docx, new_docx=new_docx)
    except InputError as exc:
        outcome.warnings += [Issue(i.position, f"no agreement of variation: {i.message}", "warning", i.rule, i.hint)
                             for i in exc.issues]
        return
    write(f"{job.stem}-variation.docx", "variation", f"Agreement of variation: {span}", variation.data)


def release_memory(*, collect: bool = False) -> None:
    """Give the memory a finished document freed back to the system, so the next one starts from the floor.

    glibc keeps freed memory for reuse; after a national agreement's tree (600 MB) it would
    keep most of it, and the next document's peak would come on top. Elsewhere: nothing.
    `collect` first frees what only the cycle collector can (a redline's session refers to
    itself through its stages).
    """
    if collect:
        gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # no glibc (or no malloc_trim): memory is given back later by the allocator
        pass


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def size_of(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:  # a file that cannot be sized sorts last; reading it reports the error
        return 0
