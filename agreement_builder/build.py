"""Build a summit pack: every agreement's documents, PDFs, a manifest and an index, in one go.

`build_summit` reads top to bottom: gather (the summit, its parties, templates and the
previous pack's manifest), plan (which agreements changed since the last build), render the
changed agreements in parallel (one process per agreement at a time; each writes the agreement,
its publication version, change report and redline when it has a previous version, and a
decision notice per policing body), convert to PDF (one LibreOffice run per worker), write
manifest.json and index.html, then swap the new pack in.

Why it is shaped like this:
- Nothing half-built. The pack is assembled in `<out>.tmp-*` beside the output folder and
  renamed into place at the end (the old pack is renamed aside first and deleted last), so a
  reader or an interrupted build only ever sees a whole pack: the previous one or the new one.
- Incremental. The manifest records the SHA-256 of every input (summit, parties, agreements,
  previous versions, templates) and of every output. An agreement whose inputs, templates,
  tool version and options are unchanged, and whose outputs are intact, is not rendered again:
  its files are hard-linked from the previous pack. A build with nothing to do writes nothing.
- One failure does not stop the rest. An agreement that fails is reported (its errors keep
  their FILE:LINE:COL) and left out of the pack; the others are built and swapped in.
- Reproducible. Rendering is deterministic, so a rebuild gives byte-identical .docx files; the
  manifest and index carry no clock time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import os
import shutil
import tempfile
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .errors import AgreementBuilderError, BuildFailures, InputError, Issue, OutputError
from .template_check import require_sound_templates
from .templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES, TemplateSet, find_templates

MANIFEST = "manifest.json"
INDEX = "index.html"
GENERATOR = "agreement-builder"
#: Bumped when the manifest's shape changes; an older manifest then means "rebuild everything".
MANIFEST_FORMAT = 1

#: Kinds of document in a pack, in the order they are listed, with their display names.
KINDS = {
    "agreement": "Agreement",
    "publication": "Publication version (s23E)",
    "change-report": "Change report",
    "redline": "Redline (tracked changes)",
    "decision-notice": "Decision notice",
}


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class OutputFile:
    """One file of the pack, as the manifest lists it."""

    path: str  # relative to the pack, with forward slashes
    agreement: str  # the agreement's folder (its file stem)
    kind: str  # a KINDS key
    title: str  # what the document is, e.g. "Decision notice: Police and Crime Commissioner for Bedfordshire"
    sha256: str
    bytes: int
    pages: int | None = None


@dataclass
class AgreementRecord:
    """One agreement of the pack: what it is, what it was made from, what was made of it."""

    stem: str
    source: str  # the agreement file, relative to the summit's folder
    title: str = ""
    reference: str = ""
    version: str = ""
    status: str = ""
    inputs: list[str] = field(default_factory=list)  # input labels besides the shared ones
    outputs: list[OutputFile] = field(default_factory=list)
    error: str | None = None  # the formatted failure, when it failed
    kept: str | None = None  # why the previous build's files were kept instead of this build's
    rebuilt: bool = False  # rendered by this build (else its files were reused)
    pdf_sources: list[str] = field(default_factory=list, repr=False)  # the .docx to convert to PDF


@dataclass(frozen=True)
class BuildEvent:
    """One step of a build, for a progress display: `done` of `total` steps, and what happened."""

    done: int
    total: int
    message: str
    failed: bool = False


@dataclass
class BuildResult:
    """What a build did. `failures` is empty when every agreement was built."""

    out_dir: Path
    agreements: list[AgreementRecord]
    failures: list[AgreementBuilderError]
    warnings: list[Issue]
    replaced: bool  # False: the pack was already up to date and nothing was written
    pdf: bool

    @property
    def built(self) -> list[str]:
        return [a.stem for a in self.agreements if a.rebuilt and a.error is None]

    @property
    def reused(self) -> list[str]:
        return [a.stem for a in self.agreements if not a.rebuilt and a.error is None]

    @property
    def outputs(self) -> list[OutputFile]:
        return [o for a in self.agreements for o in a.outputs]

    def raise_for_failures(self) -> None:
        """Raise BuildFailures when an agreement failed (after the rest was built)."""
        if self.failures:
            raise BuildFailures(list(self.failures))


class AgreementFailed(AgreementBuilderError):
    """An agreement's build failed in a worker process; carries the message already formatted."""

    def __init__(self, text: str, detail: str = ""):
        super().__init__(text)
        self.text = text
        self.detail = detail  # a traceback, for an unexpected error

    def format(self) -> str:
        return self.text


# ---------------------------------------------------------------------------- the build


def build_summit(summit_path: str | Path, out_dir: str | Path = "out", *, jobs: int | None = None,
                 pdf: bool | None = None, force: bool = False, templates: Path | None = None,
                 annexes: Path | None = None, progress: Callable[[BuildEvent], None] | None = None) -> BuildResult:
    """Build the summit pack of `summit_path` into `out_dir`; return what was built.

    `pdf`: True makes PDFs (LibreOffice must be installed), False none, None when LibreOffice is
    there. `force` rebuilds every agreement. Raises InputError when the summit or parties file is
    unusable and OutputError when `out_dir` cannot be replaced; the existing pack is then left
    as it was. A failing agreement does not raise: see `BuildResult.failures`.
    """
    from .validate import load_parties, load_summit

    notify = progress or (lambda event: None)
    # gather
    summit = load_summit(summit_path)
    _PARTIES.clear()
    _PARTIES[str(summit.parties_path.resolve())] = load_parties(summit.parties_path)  # fails early, shared by workers
    tset = find_templates(summit.path, templates=templates, annexes=annexes)
    require_sound_templates(tset.all_templates())  # templates check: no render from a broken template
    make_pdf = _want_pdf(pdf)
    out = Path(out_dir)
    _check_out(out, summit.path)
    _recover(out)
    inputs = _Inputs(summit.path.parent)
    shared = _shared_inputs(summit, tset, inputs)
    settings = {
        "generator": GENERATOR, "version": __version__, "format": MANIFEST_FORMAT, "pdf": make_pdf,
        "summit": {"name": summit.summit.summit.name, "date": summit.summit.summit.date.isoformat()},
        "shared_inputs": {label: inputs.digest(label) for label in shared},
    }
    old = _read_manifest(out)

    # plan
    records: list[AgreementRecord] = []
    todo: list[_Job] = []
    for index, path in enumerate(summit.agreement_paths):
        stem, source = path.stem, inputs.label(path)
        reused = None if force else _reusable(old, settings, stem, source, inputs, out)
        if reused is not None:
            records.append(reused)
        else:
            records.append(AgreementRecord(stem, source, rebuilt=True))
            todo.append(_Job(index, path.resolve(), _display(path), stem, summit.parties_path.resolve(), tset,
                             settings["summit"]["name"], summit.summit.summit.date))
    manifest = _manifest(settings, summit, records, inputs, shared)
    if not todo and old is not None and _manifest_bytes(manifest) == old.raw and (out / INDEX).is_file():
        notify(BuildEvent(0, 0, f"{out}: up to date ({len(records)} agreements unchanged)"))
        return BuildResult(out, records, [], [], replaced=False, pdf=make_pdf)

    # render, convert, write, swap
    staging = Path(tempfile.mkdtemp(prefix=f"{out.name}.tmp-{os.getpid()}-", dir=_parent(out)))
    try:
        pack = _Pack(out, staging, records, old, force, notify)
        pack.reuse()
        pack.render(todo, _workers(jobs), inputs, pdf_steps=min(_workers(jobs), len(todo)) if make_pdf else 0)
        if make_pdf:
            pack.convert(_workers(jobs))
        pack.write(_manifest(settings, summit, records, inputs, shared))
        _swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    failures = [pack.failures[r.stem] for r in records if r.stem in pack.failures]
    return BuildResult(out, records, failures, sorted(pack.warnings, key=Issue.sort_key), replaced=True, pdf=make_pdf)


@dataclass
class _Pack:
    """The new pack being assembled in `staging`, and what happened to each agreement so far."""

    out: Path
    staging: Path
    records: list[AgreementRecord]
    old: _OldManifest | None
    force: bool
    notify: Callable[[BuildEvent], None]
    failures: dict[str, AgreementBuilderError] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    done: int = 0
    steps: int = 0

    def record(self, stem: str) -> AgreementRecord:
        return next(r for r in self.records if r.stem == stem)

    def step(self, message: str, failed: bool = False) -> None:
        self.done += 1
        self.notify(BuildEvent(self.done, self.steps, message, failed))

    def fail(self, stem: str, failure: AgreementBuilderError) -> None:
        """Leave an agreement out of the pack, with its failure."""
        record = self.record(stem)
        self.failures[stem] = failure
        record.error = failure.format()
        record.outputs = []
        shutil.rmtree(self.staging / stem, ignore_errors=True)

    def reuse(self) -> None:
        """Link the unchanged agreements' files from the previous pack."""
        for record in self.records:
            if not record.rebuilt:
                _link_outputs(record, self.out, self.staging)

    def render(self, todo: list[_Job], workers: int, inputs: _Inputs, *, pdf_steps: int) -> None:
        """Render the changed agreements, in parallel; keep a final agreement's signed documents."""
        self.labels = {j.stem: j.label for j in todo}
        self.steps = len(todo) + pdf_steps
        unchanged = len(self.records) - len(todo)
        self.notify(BuildEvent(0, self.steps, f"building {len(todo)} of {len(self.records)} agreements"
                                              + (f" ({unchanged} unchanged)" if unchanged else "")))
        for outcome in _render_all(todo, self.staging, workers):
            self.warnings.extend(outcome.warnings)
            if outcome.failure is not None:
                self.fail(outcome.stem, outcome.failure)
                self.step(f"{outcome.label}: failed", failed=True)
                continue
            record = self.record(outcome.stem)
            _fill_record(record, outcome, inputs)
            if not self.force and self._keep_final(record):
                self.step(f"{outcome.label}: final, kept as it was", failed=True)
                continue
            self.step(f"{outcome.label}: {len(outcome.documents)} documents")

    def _keep_final(self, record: AgreementRecord) -> bool:
        """Put back the previous build of a final agreement this build would change (needs --force)."""
        previous = _old_record(self.old, record.stem)
        replaced = _final_replaced(record, previous)
        if replaced is None or not _intact(previous, self.out):
            return False
        self.failures[record.stem] = OutputError(
            f"{self.out / replaced}: a final agreement is already in the pack and this build differs from it; "
            "it is not replaced (use --force to replace a signed document on purpose)")
        shutil.rmtree(self.staging / record.stem, ignore_errors=True)
        _link_outputs(previous, self.out, self.staging)
        previous.kept = "final: the previous build's documents are kept (the inputs changed; --force replaces them)"
        self.records[self.records.index(record)] = previous
        return True

    def convert(self, workers: int) -> None:
        """Make the PDFs of the agreements just rendered: one LibreOffice run per worker."""
        fresh = [r for r in self.records if r.rebuilt and r.stem not in self.failures]
        for stems, failure in _convert_all(_pdf_batches(fresh, workers), self.staging):
            for stem in stems:
                if failure is not None:
                    self.fail(stem, AgreementFailed(f"{self.labels[stem]}: {failure.format()}"))
                else:
                    _add_pdfs(self.record(stem), self.staging)
            self.step(f"PDF: {', '.join(stems)}" + (": failed" if failure else ""), failed=failure is not None)

    def write(self, manifest: dict) -> None:
        self.notify(BuildEvent(self.steps, self.steps, "writing manifest.json and index.html"))
        (self.staging / MANIFEST).write_bytes(_manifest_bytes(manifest))
        (self.staging / INDEX).write_text(render_index(manifest), encoding="utf-8")


# ---------------------------------------------------------------------------- gather


class _Inputs:
    """SHA-256 of input files by label (a path relative to the summit's folder), computed once."""

    def __init__(self, base: Path):
        self.base = base.resolve()
        self._digests: dict[str, str | None] = {}

    def label(self, path: Path) -> str:
        """Return how the manifest names an input: relative to the summit, or shipped:... for package data."""
        absolute = Path(os.path.abspath(path))
        for shipped, prefix in ((SHIPPED_TEMPLATES, "shipped:templates"), (SHIPPED_ANNEXES, "shipped:annexes")):
            if absolute.parent == shipped:
                return f"{prefix}/{absolute.name}"
        return Path(os.path.relpath(absolute, self.base)).as_posix()

    def path(self, label: str) -> Path:
        for prefix, shipped in (("shipped:templates/", SHIPPED_TEMPLATES), ("shipped:annexes/", SHIPPED_ANNEXES)):
            if label.startswith(prefix):
                return shipped / label[len(prefix):]
        return self.base / label

    def digest(self, label: str) -> str | None:
        """Return the file's SHA-256, or None when it cannot be read."""
        if label not in self._digests:
            try:
                self._digests[label] = hashlib.sha256(self.path(label).read_bytes()).hexdigest()
            except OSError:
                self._digests[label] = None
        return self._digests[label]


def _shared_inputs(summit, tset: TemplateSet, inputs: _Inputs) -> list[str]:
    """Return the labels of the inputs every agreement depends on: parties and every visible template."""
    labels = [inputs.label(summit.parties_path)]
    labels += [inputs.label(p) for p in tset.all_templates()]
    return labels


def _want_pdf(pdf: bool | None) -> bool:
    from .pdf import INSTALL_HINT, available

    if pdf is None:
        return available()
    if pdf and not available():
        from .errors import ToolMissingError

        raise ToolMissingError(f"--pdf needs LibreOffice (soffice), which was not found; {INSTALL_HINT}")
    return pdf


def _display(path: Path) -> str:
    from .loader import display_path

    return display_path(path)


def _parent(out: Path) -> Path:
    parent = Path(os.path.abspath(out)).parent
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def _check_out(out: Path, summit_path: Path) -> None:
    """Refuse an output folder that is not a pack: the swap would delete what is in it."""
    absolute = Path(os.path.abspath(out))
    if Path(os.path.abspath(summit_path)).is_relative_to(absolute):
        raise OutputError(f"{out}: the output folder holds the summit file; choose a separate folder (e.g. --out out)")
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir() or out.is_symlink():
        raise OutputError(f"{out}: exists and is not a folder; choose another --out")
    if any(out.iterdir()) and _read_manifest(out) is None:
        raise OutputError(f"{out}: the folder is not a summit pack built by agreement-builder (no {MANIFEST}); "
                          "it is not replaced. Choose another --out, or empty it")


def _recover(out: Path) -> None:
    """Finish what an interrupted build left: restore a pack renamed aside, drop dead staging folders."""
    parent = Path(os.path.abspath(out)).parent
    if not parent.is_dir():
        return
    backups = sorted(parent.glob(f"{out.name}.old-*"))
    if not out.exists() and backups:
        os.rename(backups.pop(), out)  # interrupted between the two renames of a swap
    for backup in backups:
        shutil.rmtree(backup, ignore_errors=True)
    for staging in parent.glob(f"{out.name}.tmp-*"):
        pid = staging.name[len(out.name) + 5:].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class _OldManifest:
    data: dict
    raw: bytes


def _read_manifest(out: Path) -> _OldManifest | None:
    try:
        raw = (out / MANIFEST).read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generator", {}).get("name") != GENERATOR:
        return None
    return _OldManifest(data, raw)


def _old_record(old: _OldManifest | None, stem: str) -> AgreementRecord | None:
    """Return the previous pack's record of an agreement that was built there, or None."""
    if old is None:
        return None
    entry = next((a for a in old.data.get("agreements", []) if a.get("folder") == stem), None)
    if entry is None or entry.get("error"):
        return None
    try:
        outputs = [OutputFile(**o) for o in old.data.get("outputs", []) if o.get("agreement") == stem]
        return AgreementRecord(stem, entry["source"], entry["title"], entry["reference"], entry["version"],
                               entry["status"], list(entry["inputs"]), outputs, kept=entry.get("kept"))
    except (KeyError, TypeError):
        return None


def _reusable(old: _OldManifest | None, settings: dict, stem: str, source: str, inputs: _Inputs,
              out: Path) -> AgreementRecord | None:
    """Return the previous build's record of an agreement when nothing it depends on changed."""
    record = _old_record(old, stem)
    if record is None or record.kept or record.source != source or \
            old.data.get("settings") != _settings_for_manifest(settings):
        return None
    recorded = {i["path"]: i["sha256"] for i in old.data.get("inputs", [])}
    if any(inputs.digest(label) is None or recorded.get(label) != inputs.digest(label) for label in record.inputs):
        return None
    if not _intact(record, out):
        return None
    return record


def _intact(record: AgreementRecord, out: Path) -> bool:
    """Return whether every file of the record is in `out` as the manifest describes it."""
    for o in record.outputs:
        path = out / o.path
        try:
            if path.stat().st_size != o.bytes or _sha256(path) != o.sha256:
                return False
        except OSError:
            return False
    return True


def _final_replaced(record: AgreementRecord, previous: AgreementRecord | None) -> str | None:
    """Return the path of a final agreement this build would replace with different bytes, if any."""
    if previous is None or previous.status != "Final":
        return None
    before = {o.path: o.sha256 for o in previous.outputs if o.kind in ("agreement", "publication")}
    for o in record.outputs:
        if o.path in before and before[o.path] != o.sha256:
            return o.path
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _link_outputs(record: AgreementRecord, out: Path, staging: Path) -> None:
    """Put an unchanged agreement's files into the new pack (hard links: no copying)."""
    for o in record.outputs:
        target = staging / o.path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(out / o.path, target)
        except OSError:
            shutil.copy2(out / o.path, target)


# ---------------------------------------------------------------------------- render (in worker processes)

#: Parties files already loaded, by resolved path: filled by the parent before the workers
#: are forked, so that they do not load it again.
_PARTIES: dict[str, object] = {}


@dataclass(frozen=True)
class _Job:
    """One agreement to build (sent to a worker process)."""

    index: int
    source: Path
    label: str
    stem: str
    parties: Path
    templates: TemplateSet
    summit_name: str
    summit_date: dt.date


@dataclass(frozen=True)
class _Document:
    path: str
    kind: str
    title: str
    sha256: str
    bytes: int
    pdf: bool  # converted to PDF when PDFs are made


@dataclass
class _Outcome:
    """What a worker sends back: the files it wrote, or why it failed. Always picklable."""

    stem: str
    label: str
    meta: dict = field(default_factory=dict)
    inputs: list[Path] = field(default_factory=list)
    documents: list[_Document] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # an InputError's issues
    error: str = ""  # any other failure, formatted
    detail: str = ""  # traceback of an unexpected error

    @property
    def failure(self) -> AgreementBuilderError | None:
        if self.issues:
            return InputError(self.issues)
        if self.error:
            return AgreementFailed(self.error, self.detail)
        return None


def _workers(jobs: int | None) -> int:
    return max(1, jobs if jobs else (os.cpu_count() or 1))


def _render_all(todo: list[_Job], staging: Path, workers: int) -> Iterable[_Outcome]:
    """Yield each agreement's outcome as it finishes: in worker processes, or here for one job."""
    if not todo:
        return
    _prepare()
    workers = min(workers, len(todo))
    order = sorted(todo, key=lambda j: -_size(j.source))  # the largest first: the pool finishes together
    if workers == 1:
        for job in order:
            yield _build_agreement(job, staging)
        return
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future, _Job] = {pool.submit(_build_agreement, job, staging): job for job in order}
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: futures[f].index):
                    job = futures[future]
                    try:
                        yield future.result()
                    except Exception as exc:  # the worker died (killed, out of memory)
                        yield _Outcome(job.stem, job.label,
                                       error=f"{job.label}: error: the worker process building it stopped: {exc}")
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _prepare() -> None:
    """Import the rendering stack before forking, so that every worker starts warm."""
    from . import notice, redline, render  # noqa: F401


def _build_agreement(job: _Job, staging: Path) -> _Outcome:
    """Render one agreement's documents into `staging/<stem>/` (runs in a worker process)."""
    outcome = _Outcome(job.stem, job.label)
    try:
        _render_documents(job, staging, outcome)
    except InputError as exc:
        outcome.issues = list(exc.issues)
    except AgreementBuilderError as exc:
        text = exc.format()
        outcome.error = f"{job.label}: {text}" if text.startswith("error:") else f"{text}\n    while building {job.label}"
    except Exception as exc:  # a bug: report it for this agreement, build the others
        outcome.error = (f"{job.label}: error: internal error: {type(exc).__name__}: {exc}\n"
                         "    this is a bug in agreement-builder; run again with --debug and report it")
        outcome.detail = traceback.format_exc()
    if outcome.failure is not None:
        outcome.documents = []
    return outcome


def _render_documents(job: _Job, staging: Path, outcome: _Outcome) -> None:
    from .models import SummitInfo
    from .notice import render_decision_notices
    from .render import render_agreement
    from .validate import load_agreement, load_parties

    parties = _PARTIES.get(str(job.parties))
    if parties is None:
        parties = _PARTIES[str(job.parties)] = load_parties(job.parties)
    checked = load_agreement(job.source, parties=parties)
    outcome.warnings = list(checked.warnings)
    outcome.inputs = [job.source]
    info = checked.agreement.agreement
    outcome.meta = {"title": info.title, "reference": info.reference, "version": info.version,
                    "status": info.status.capitalize()}
    folder = staging / job.stem
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, kind: str, title: str, data: bytes, *, pdf: bool = True) -> None:
        (folder / name).write_bytes(data)
        outcome.documents.append(_Document(f"{job.stem}/{name}", kind, title,
                                           hashlib.sha256(data).hexdigest(), len(data), pdf and name.endswith(".docx")))

    agreement = render_agreement(checked, templates=job.templates)
    write(f"{job.stem}.docx", "agreement", info.title, agreement)
    write(f"{job.stem}-publication.docx", "publication", f"{info.title} (publication version)",
          render_agreement(checked, templates=job.templates, publication=True))
    previous = checked.previous_path()
    if previous is not None:
        outcome.inputs.append(previous)
        for name, kind, title, data in change_documents(checked, previous, agreement, templates=job.templates):
            write(f"{job.stem}-{name}", kind, title, data, pdf=kind != "redline")
    summit = SummitInfo(name=job.summit_name, date=job.summit_date)
    notices = render_decision_notices(checked, summit, templates=job.templates)
    bodies = {f: checked.parties.parties.forces[f].policing_body.title for f in checked.agreement.forces}
    for force_id, data in notices.items():
        write(f"decision-notice-{force_id.replace('_', '-')}.docx", "decision-notice",
              f"Decision notice: {bodies[force_id]}", data)


def change_documents(checked, previous: Path, new_docx: bytes, *, templates: TemplateSet) -> list[tuple[str, str, str, bytes]]:
    """Return the change report (.docx, .md) and the redline against the previous version.

    Each item is (file name suffix, kind, title, bytes). The previous version is checked with
    the same parties file; its errors are this agreement's errors (with their positions).
    """
    from .redline import redline
    from .render import render_agreement
    from .validate import load_agreement

    old = load_agreement(previous, parties=checked.parties)
    old_info, new_info = old.agreement.agreement, checked.agreement.agreement
    span = f"{old_info.version} to {new_info.version}"
    out: list[tuple[str, str, str, bytes]] = []
    old_docx = render_agreement(old, templates=templates)
    try:
        from .diff import diff_agreements
        from .report import format_docx, format_markdown
    except ImportError:  # the change report lands separately; the redline stands on its own
        pass
    else:
        changes = diff_agreements(old, checked, old_templates=templates, new_templates=templates)
        out.append(("changes.docx", "change-report", f"Change report: {span}",
                    _as_bytes(format_docx(changes, templates))))
        out.append(("changes.md", "change-report", f"Change report: {span} (Markdown)",
                    _as_bytes(format_markdown(changes))))
    out.append(("redline.docx", "redline", f"Redline: {span}", redline(old_docx, new_docx, old_label=old.label,
                                                                         new_label=checked.label)))
    return out


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


# ---------------------------------------------------------------------------- PDFs


def _fill_record(record: AgreementRecord, outcome: _Outcome, inputs: _Inputs) -> None:
    record.title = outcome.meta["title"]
    record.reference = outcome.meta["reference"]
    record.version = outcome.meta["version"]
    record.status = outcome.meta["status"]
    record.inputs = [inputs.label(p) for p in outcome.inputs]
    record.outputs = [OutputFile(d.path, record.stem, d.kind, d.title, d.sha256, d.bytes) for d in outcome.documents]
    record.pdf_sources = [d.path for d in outcome.documents if d.pdf]


def _pdf_batches(records: list[AgreementRecord], workers: int) -> list[list[AgreementRecord]]:
    """Share the agreements between `workers` LibreOffice runs, about the same number of files each."""
    bins: list[list[AgreementRecord]] = [[] for _ in range(min(workers, len(records)))]
    loads = [0] * len(bins)
    for record in sorted(records, key=lambda r: -len(r.pdf_sources)):
        i = loads.index(min(loads))
        bins[i].append(record)
        loads[i] += len(record.pdf_sources)
    return [b for b in bins if b]


def _convert_all(batches: list[list[AgreementRecord]], staging: Path):
    """Yield (stems, failure or None) as each batch's single LibreOffice run finishes."""
    if not batches:
        return
    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        futures = {pool.submit(_convert_batch, i, batch, staging): batch for i, batch in enumerate(batches)}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                stems = [r.stem for r in futures[future]]
                try:
                    future.result()
                except AgreementBuilderError as exc:
                    yield stems, exc
                else:
                    yield stems, None


def _convert_batch(number: int, batch: list[AgreementRecord], staging: Path) -> None:
    """Convert a batch in one LibreOffice run; file names collide across agreements, so stage them."""
    from .pdf import convert_to_pdf

    work = staging / f".pdf-{number}"
    (work / "in").mkdir(parents=True)
    try:
        sources, targets = [], []
        for record in batch:
            for rel in record.pdf_sources:
                flat = work / "in" / rel.replace("/", "--")
                os.link(staging / rel, flat)
                sources.append(flat)
                targets.append(staging / rel[: -len(".docx")] if rel.endswith(".docx") else staging / rel)
        made = convert_to_pdf(sources, work / "out")
        for pdf, target in zip(made, targets):
            os.replace(pdf, target.with_name(target.name + ".pdf"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _add_pdfs(record: AgreementRecord, staging: Path) -> None:
    """Add the PDFs to the record, after the .docx each comes from, with page counts on both."""
    from .pdf import page_count

    outputs: list[OutputFile] = []
    for o in record.outputs:
        pdf_path = staging / (o.path[: -len(".docx")] + ".pdf")
        if o.path.endswith(".docx") and o.path in record.pdf_sources and pdf_path.is_file():
            pages = page_count(pdf_path)
            data = pdf_path.read_bytes()
            outputs.append(dataclasses.replace(o, pages=pages))
            outputs.append(OutputFile(o.path[: -len(".docx")] + ".pdf", o.agreement, o.kind, o.title,
                                      hashlib.sha256(data).hexdigest(), len(data), pages))
        else:
            outputs.append(o)
    record.outputs = outputs


# ---------------------------------------------------------------------------- manifest and index


def _settings_for_manifest(settings: dict) -> dict:
    return json.loads(json.dumps(settings, sort_keys=True))


def _manifest(settings: dict, summit, records: list[AgreementRecord], inputs: _Inputs, shared: list[str]) -> dict:
    """Return the manifest: tool, options, every input and every output with its SHA-256."""
    labels = [inputs.label(summit.path), *shared]
    for record in records:
        labels += [label for label in record.inputs if label not in labels]
    return {
        "generator": {"name": GENERATOR, "version": __version__},
        "summit": {"name": settings["summit"]["name"], "date": settings["summit"]["date"],
                   "source": inputs.label(summit.path)},
        "settings": _settings_for_manifest(settings),
        "inputs": [{"path": label, "sha256": inputs.digest(label)} for label in labels],
        "agreements": [
            {"folder": r.stem, "source": r.source, "title": r.title, "reference": r.reference,
             "version": r.version, "status": r.status, "inputs": r.inputs or [r.source],
             "documents": [o.path for o in r.outputs], "error": r.error}
            | ({"kept": r.kept} if r.kept else {})
            for r in records
        ],
        "outputs": [dataclasses.asdict(o) for r in records for o in r.outputs],
    }


def _manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


_STYLE = """
body{font-family:Calibri,Carlito,"Segoe UI",Arial,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #1d3d6b;padding-bottom:.2rem}
p.meta{color:#555;margin-top:0}table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f1f4f8}td.n{text-align:right}a{color:#1d3d6b}
.failed{background:#fdecea;border-left:4px solid #b3261e;padding:.5rem 1rem;white-space:pre-wrap;font-family:monospace}
"""


def render_index(manifest: dict) -> str:
    """Return index.html: one self-contained page listing and linking every document of the pack."""
    e = html.escape
    summit = manifest["summit"]
    outputs = manifest["outputs"]
    rows_by_agreement: dict[str, list[str]] = {}
    documents: dict[tuple[str, str], list[dict]] = {}
    for o in outputs:  # one row per document: its .docx, with the .pdf/.md made beside it
        base = o["path"].rsplit(".", 1)[0]
        documents.setdefault((o["agreement"], base), []).append(o)
    total = 0
    for (stem, _), files in documents.items():
        first = files[0]
        record = next(a for a in manifest["agreements"] if a["folder"] == stem)
        pages = next((f["pages"] for f in files if f.get("pages")), None)
        links = " · ".join(f'<a href="{e(f["path"])}">{e(f["path"].rsplit(".", 1)[1])}</a>' for f in files)
        rows_by_agreement.setdefault(stem, []).append(
            f'<tr><td><a href="{e(first["path"])}">{e(first["title"])}</a></td><td>{e(KINDS.get(first["kind"], first["kind"]))}</td>'
            f'<td>{e(record["version"])}</td><td>{e(record["status"])}</td>'
            f'<td class="n">{pages if pages else "–"}</td><td>{links}</td></tr>')
        total += 1
    parts = [
        "<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
        f"<title>{e(summit['name'])}: summit pack</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        f"<h1>{e(summit['name'])}</h1>",
        f'<p class="meta">{e(_long_date(summit["date"]))} · {total} documents in {len(manifest["agreements"])} agreements · '
        f'built by agreement-builder {e(manifest["generator"]["version"])} from {e(summit["source"])} · '
        f'<a href="{MANIFEST}">manifest.json</a></p>',
    ]
    for a in manifest["agreements"]:
        heading = a["title"] or a["source"]
        parts.append(f'<h2 id="{e(a["folder"])}">{e(heading)}'
                     + (f' <small>({e(a["reference"])}, version {e(a["version"])}, {e(a["status"])})</small>' if a["reference"] else "")
                     + "</h2>")
        if a["error"]:
            parts.append(f'<div class="failed">Not built:\n{e(a["error"])}</div>')
            continue
        if a.get("kept"):
            parts.append(f'<div class="failed">Not rebuilt: {e(a["kept"])}</div>')
        parts.append('<table><thead><tr><th>Document</th><th>Kind</th><th>Version</th><th>Status</th>'
                     '<th class="n">Pages</th><th>Files</th></tr></thead><tbody>')
        parts.extend(rows_by_agreement.get(a["folder"], []))
        parts.append("</tbody></table>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _long_date(iso: str) -> str:
    from .formats import format_date

    return format_date(dt.date.fromisoformat(iso))


# ---------------------------------------------------------------------------- swap


def _swap(staging: Path, out: Path) -> None:
    """Put the new pack in place: old pack aside, new pack in, old pack deleted."""
    out = Path(os.path.abspath(out))
    backup = None
    if out.exists():
        backup = out.with_name(f"{out.name}.old-{staging.name.rsplit('-', 1)[-1]}")
        os.rename(out, backup)
    try:
        os.rename(staging, out)
    except BaseException:
        if backup is not None:
            os.rename(backup, out)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)

