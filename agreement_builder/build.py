"""Build a summit pack: every agreement's documents, PDFs, a manifest and an index, in one go.

`build_summit` reads top to bottom: gather (the summit, its parties and templates), lock the
pack folder and read its manifest, plan (which agreements changed since the last build),
render the changed ones in worker processes (documents.py), convert to PDF (pack_pdf.py),
settle what each agreement's documents in the new pack are, write manifest.json and
index.html, then swap the new pack in.

The pack is a ledger, not a scratch folder (pack.py and docs/pack.md say what that promises):
- A build never removes or replaces a document it could not rebuild. An agreement that fails
  (its YAML, a template, LibreOffice) keeps its previous documents, marked stale in the
  manifest and the index; the others are built; the exit status says it failed.
- A final agreement's documents are replaced only with --force, a document changed by hand
  since it was written only with --force-edited, an agreement taken out of the summit loses
  its documents only with --prune.
- Nothing half-built: the new pack is assembled beside the old and swapped in whole, so a
  failure to write (disk full, permission denied) or an interruption leaves the old pack as it
  was. Files in the folder that the tool did not write are carried over.
- Incremental: an agreement whose inputs, templates, tool version and options are unchanged,
  and whose documents are intact, is not rendered again; its files are hard-linked. A build
  with nothing to do writes nothing. (Its decision notices state each force's total across the
  summit, so the summit file and the other agreements are among its inputs.)
- Reproducible: documents and PDFs are byte-identical for identical inputs; the manifest and
  index carry no clock time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import shutil
import threading
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from .version import __version__
from .documents import PARTIES, AgreementFailed, AgreementJob, Outcome, build_agreement, failure_of, size_of
from .errors import AgreementBuilderError, BuildFailures, Issue, OutputError
from .manifest import (
    BUILT, FAILED, FINANCE, GENERATOR, INDEX, KEPT, MANIFEST, MANIFEST_FORMAT, REMOVED, AgreementRecord, InputDigests,
    Manifest, OutputFile, manifest_bytes, manifest_data, settings_match,
)
from .pack import BuildLock, PackFolder, carry, check_location, refusal
from .template_check import require_sound_templates
from .templates import TemplateSet, find_templates
from .unchanged import unchanged_pack, up_to_date_message

__all__ = ["AgreementFailed", "BuildEvent", "BuildResult", "build_summit"]


@dataclass(frozen=True)
class BuildEvent:
    """One step of a build, for a progress display: `done` of `total` steps, and what happened."""

    done: int
    total: int
    message: str
    failed: bool = False


@dataclass
class BuildResult:
    """What a build did. `failures` is empty when every agreement was built and placed."""

    out_dir: Path
    agreements: list[AgreementRecord]  # in the manifest's order: the summit's, then those no longer in it
    failures: list[AgreementBuilderError]
    warnings: list[Issue]
    notices: list[str]  # what the user should know that is not a failure (documents kept, debris cleaned)
    replaced: bool  # False: the pack was already up to date and nothing was written
    pdf: bool
    finance: dict | None = None  # the manifest's entry for finance.xlsx (None: the pack has none)

    @property
    def built(self) -> list[str]:
        return [a.stem for a in self.agreements if a.rebuilt and a.state == BUILT]

    @property
    def reused(self) -> list[str]:
        return [a.stem for a in self.agreements if not a.rebuilt and a.state == BUILT]

    @property
    def stale(self) -> list[str]:
        return [a.stem for a in self.agreements if a.stale]

    @property
    def outputs(self) -> list[OutputFile]:
        return [o for a in self.agreements for o in a.outputs]

    def raise_for_failures(self) -> None:
        """Raise BuildFailures when an agreement failed or was kept (after the rest was built)."""
        if self.failures:
            raise BuildFailures(list(self.failures))


def build_summit(summit_path: str | Path, out_dir: str | Path = "out", *, jobs: int | None = None,
                 pdf: bool | None = None, force: bool = False, force_edited: bool = False, prune: bool = False,
                 templates: Path | None = None, annexes: Path | None = None,
                 progress: Callable[[BuildEvent], None] | None = None) -> BuildResult:
    """Build the summit pack of `summit_path` into `out_dir`; return what was built.

    `pdf`: True makes PDFs (LibreOffice must be installed), False none, None when LibreOffice
    is there. `force` rebuilds every agreement and lets final documents be replaced;
    `force_edited` lets documents changed by hand be replaced; `prune` removes the documents of
    agreements no longer in the summit. Raises InputError when the summit or parties file is
    unusable and OutputError when the pack cannot be written (the folder is not a pack, another
    build holds it, the disk is full ...); the existing pack is then left as it was. A failing
    agreement does not raise: see `BuildResult.failures`.
    """
    from .validate import load_parties, load_summit

    notify = progress or (lambda event: None)
    # nothing to do: decided from the inputs' bytes, before anything is parsed (unchanged.py)
    if not force and (same := unchanged_pack(summit_path, out_dir, pdf=pdf, templates=templates, annexes=annexes)):
        notify(BuildEvent(0, 0, up_to_date_message(out_dir, len(same["agreements"]))))
        records = [dataclasses.replace(r, rebuilt=False) for r in Manifest(same, b"").records().values()]
        return BuildResult(Path(out_dir), records, [], [], [], replaced=False, pdf=same["settings"]["pdf"])
    # gather
    summit = load_summit(summit_path)
    PARTIES.clear()
    PARTIES[str(summit.parties_path.resolve())] = load_parties(summit.parties_path)  # fails early, shared by workers
    tset = find_templates(summit.path, templates=templates, annexes=annexes)
    require_sound_templates(tset.all_templates())  # templates check: no render from a broken template
    make_pdf = _want_pdf(pdf)
    out = Path(out_dir)
    inputs = InputDigests(summit.path.parent)
    shared = _shared_inputs(summit, tset, inputs)
    info = summit.summit.summit
    settings = {
        "generator": GENERATOR, "version": __version__, "format": MANIFEST_FORMAT, "pdf": make_pdf,
        "summit": {"name": info.name, "date": info.date.isoformat()},
        "shared_inputs": {label: inputs.digest(label) for label in shared},
    }
    check_location(out, summit.path)
    with BuildLock(out) as lock:
        folder = PackFolder.inspect(out, summit.path, info.name)
        build = _Build(out, folder, settings, inputs, shared, inputs.label(summit.path),
                       force=force, force_edited=force_edited, prune=prune, notify=notify, notices=lock.notices)
        # plan
        todo = build.plan(summit, tset)
        if build.up_to_date(todo):
            notify(BuildEvent(0, 0, up_to_date_message(out, len(build.records))))
            return build.result(replaced=False, pdf=make_pdf)
        todo = build.summit_figures(summit, todo)
        try:
            # render, convert, settle, write, swap
            staging = lock.new_staging()
            build.render(todo, staging, _workers(jobs), pdf_runs=min(_workers(jobs), len(todo)) if make_pdf else 0)
            if make_pdf:
                build.convert(staging, _workers(jobs), info.date)
            build.settle(staging)
            build.finance(staging, summit)
            build.write(staging)
            lock.swap()
        except OSError as exc:
            raise _write_failed(exc, out, lock.staging or lock.parent) from None
    return build.result(replaced=True, pdf=make_pdf)


@dataclass
class _Build:
    """One build in progress: the previous pack's records, this build's, and what happened to each."""

    out: Path
    folder: PackFolder
    settings: dict
    inputs: InputDigests
    shared: list[str]
    summit_source: str
    force: bool
    force_edited: bool
    prune: bool
    notify: Callable[[BuildEvent], None]
    notices: list[str]
    records: list[AgreementRecord] = field(default_factory=list)
    previous: dict[str, AgreementRecord] = field(default_factory=dict)
    failures: dict[str, AgreementBuilderError] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    finance_entry: dict | None = None  # the manifest's entry for finance.xlsx (the previous build's until written)
    sheets: dict = field(default_factory=dict)  # stem -> workbook.AgreementSheet (None: could not be read)
    done: int = 0
    steps: int = 0

    # -- plan

    def plan(self, summit, tset: TemplateSet) -> list[AgreementJob]:
        """Decide which agreements to render; keep the others' records (and those no longer in the summit)."""
        manifest = self.folder.manifest
        self.previous = manifest.records() if manifest else {}
        self.finance_entry = manifest.finance() if manifest else None
        same_settings = settings_match(manifest, self.settings)
        recorded = manifest.input_digests() if manifest else {}
        todo: list[AgreementJob] = []
        for index, path in enumerate(summit.agreement_paths):
            stem, source = path.stem, self.inputs.label(path)
            self.labels[stem] = _display(path)
            prev = self.previous.get(stem)
            if not self.force and same_settings and self._unchanged(prev, source, recorded):
                self.records.append(dataclasses.replace(prev, rebuilt=False))
            else:
                self.records.append(AgreementRecord(stem, source, rebuilt=True))
                todo.append(AgreementJob(index, path.resolve(), self.labels[stem], stem, summit.parties_path.resolve(),
                                         tset, summit.summit.summit.name, summit.summit.summit.date))
        listed = {r.stem for r in self.records}
        for stem, prev in self.previous.items():
            if stem not in listed:
                self.records.append(self._removed(prev))
        return todo

    def _unchanged(self, prev: AgreementRecord | None, source: str, recorded: dict[str, str]) -> bool:
        """Return whether the previous build of an agreement still stands: same inputs, documents intact."""
        if prev is None or prev.state != BUILT or prev.source != source:
            return False
        if any(self.inputs.digest(label) is None or recorded.get(label) != self.inputs.digest(label)
               for label in prev.inputs):
            return False
        return self.folder.intact(prev)

    def _removed(self, prev: AgreementRecord) -> AgreementRecord:
        """Return the record of an agreement no longer in the summit: kept, unless --prune may remove it."""
        where = self.out / prev.stem
        if self.prune:
            reason = refusal(self.folder, prev, None, force=self.force, force_edited=self.force_edited)
            if reason is None:
                self.notices.append(f"{where}: removed (no longer in the summit; --prune)")
                return dataclasses.replace(prev, state=REMOVED, outputs=[], kept=None, rebuilt=True)
            self.failures[prev.stem] = OutputError(reason)
            kept = f"no longer in the summit; not removed: {reason}"
        else:
            self.notices.append(f"{where}: no longer in the summit; its documents are kept (build with --prune to remove them)")
            kept = "no longer in the summit; kept until a build with --prune"
        return dataclasses.replace(prev, state=REMOVED, kept=kept, error=None, rebuilt=False)

    def up_to_date(self, todo: list[AgreementJob]) -> bool:
        """Return whether the pack already is what this build would write (nothing to do, nothing written)."""
        manifest = self.folder.manifest
        if todo or manifest is None or self.failures or any(r.state == REMOVED and r.rebuilt for r in self.records):
            return False
        if self.finance_entry and self.folder.current_sha256(FINANCE) != self.finance_entry["sha256"]:
            return False  # the workbook is missing or was changed by hand: the build says what it does with it
        expected = manifest_bytes(self._manifest())
        return expected == manifest.raw and (self.out / INDEX).is_file()

    # -- render

    def render(self, todo: list[AgreementJob], staging: Path, workers: int, *, pdf_runs: int) -> None:
        """Render the changed agreements in worker processes; a failure to write stops the build."""
        from .workers import run_all

        self.steps = len(todo) + pdf_runs
        unchanged = sum(1 for r in self.records if r.state == BUILT and not r.rebuilt)
        self.notify(BuildEvent(0, self.steps, f"building {len(todo)} of {len(todo) + unchanged} agreements"
                                              + (f" ({unchanged} unchanged)" if unchanged else "")))
        order = sorted(todo, key=lambda j: -size_of(j.source))  # the largest first: the pool finishes together
        from . import diff, notice, redline, render, report, vary  # noqa: F401 - imported before forking: workers start warm

        def died(job: AgreementJob, exc: BaseException) -> Outcome:
            return Outcome(job.stem, job.label, error=f"{job.label}: error: the worker process building it stopped: {exc}")

        with closing(run_all(partial(build_agreement, staging=staging), order, workers, died)) as outcomes:  # closing: workers are killed on any exit
            for job, outcome in outcomes:
                self._rendered(job, outcome, staging)

    def _rendered(self, job: AgreementJob, outcome: Outcome, staging: Path) -> None:
        """Take in one agreement's outcome: its documents, or its failure."""
        self.warnings.extend(outcome.warnings)
        if outcome.write_error is not None:
            path, reason = outcome.write_error
            raise OutputError(f"{self.out / path}: cannot write: {reason}; the pack in {self.out} was left as it was")
        failure = failure_of(outcome)
        if failure is not None:
            self._fail(job.stem, failure, staging)
            self._step(f"{outcome.label}: failed", failed=True)
            return
        record = self._record(job.stem)
        record.title, record.reference = outcome.meta["title"], outcome.meta["reference"]
        record.version, record.status = outcome.meta["version"], outcome.meta["status"]
        record.inputs = [self.inputs.label(p) for p in outcome.inputs]
        record.outputs = [OutputFile(d.path, job.stem, d.kind, d.title, d.sha256, d.bytes) for d in outcome.documents]
        record.pdf_sources = [d.path for d in outcome.documents if d.pdf]
        self._step(f"{outcome.label}: {len(outcome.documents)} documents")

    def convert(self, staging: Path, workers: int, summit_date: dt.date) -> None:
        """Make the PDFs of the agreements just rendered: one LibreOffice run per worker."""
        from .pack_pdf import batches, convert_all

        fresh = [r for r in self.records if r.rebuilt and r.state == BUILT]
        cancel = threading.Event()  # set when the runs must stop (closing convert_all sets it)
        with closing(convert_all(batches(fresh, workers), staging, summit_date, cancel)) as results:
            for result in results:
                self._converted(result, staging)

    def _converted(self, result, staging: Path) -> None:
        """Take in one LibreOffice run's result: each agreement gets its PDFs, or fails."""
        for stem in result.stems:
            failure = result.failure or result.bad.get(stem)
            if failure is not None:
                self._fail(stem, AgreementFailed(f"{self.labels[stem]}: {failure.format()}"), staging)
            else:
                self._add_pdfs(self._record(stem), result.pages, result.paged)
        self._step(f"PDF: {', '.join(result.stems)}" + (": failed" if result.failure else ""),
                   failed=result.failure is not None or bool(result.bad))

    @staticmethod
    def _add_pdfs(record: AgreementRecord, pages: dict[str, int], paged: set[str] = frozenset()) -> None:
        """Add the PDFs to the record, after the .docx each comes from, with page counts on both (hashed in settle).

        A .docx whose contents got their page numbers from its PDF was rewritten: it is hashed again in settle.
        """
        outputs: list[OutputFile] = []
        for o in record.outputs:
            rel = o.path[: -len(".docx")] + ".pdf"
            if o.path in record.pdf_sources and rel in pages:
                rehash = {"sha256": "", "bytes": 0} if rel in paged else {}
                outputs.append(dataclasses.replace(o, pages=pages[rel], **rehash))
                outputs.append(OutputFile(rel, o.agreement, o.kind, o.title, "", 0, pages[rel]))
            else:
                outputs.append(o)
        record.outputs = outputs

    # -- settle: what each agreement's documents in the new pack are

    def settle(self, staging: Path) -> None:
        """Keep what may not be replaced, carry what was not rebuilt, carry the files that are not ours."""
        for n, record in enumerate(self.records):
            if record.rebuilt and record.state == BUILT:
                record = self.records[n] = self._checked(record, staging)
            if not record.rebuilt or record.state in (FAILED, KEPT):
                self.records[n] = self._carried(record, staging)
        for rel in self.folder.foreign:
            carry(self.out, staging, rel)

    def _checked(self, record: AgreementRecord, staging: Path) -> AgreementRecord:
        """Return the record of a rebuilt agreement, or its previous one when its documents may not be replaced."""
        record.outputs = [_hashed(o, staging) for o in record.outputs]
        prev = self.previous.get(record.stem)
        occupied = next((p for p in (self.folder.occupied(o.path) for o in record.outputs) if p), None)
        if occupied is not None:
            reason = (f"{self.out / occupied} is not agreement-builder's (the pack's manifest does not list it) and "
                      f"this build would write there; it is kept (move it away)")
        else:
            reason = refusal(self.folder, prev, record.outputs, force=self.force, force_edited=self.force_edited)
        if reason is None:
            return record
        self.failures[record.stem] = OutputError(reason)
        shutil.rmtree(staging / record.stem, ignore_errors=True)
        if prev is None:
            return dataclasses.replace(record, state=KEPT, outputs=[], kept=reason)
        return dataclasses.replace(prev, state=KEPT, kept=reason, error=None, rebuilt=True)

    def _carried(self, record: AgreementRecord, staging: Path) -> AgreementRecord:
        """Link a record's documents from the old pack into the new one (those still there)."""
        present = [o for o in record.outputs if self.folder.state(o) != "missing"]
        for o in present:
            carry(self.out, staging, o.path)
        return dataclasses.replace(record, outputs=present, edited=[o.path for o in present if self.folder.state(o) == "edited"])

    def _fail(self, stem: str, failure: AgreementBuilderError, staging: Path) -> None:
        """Record a failed agreement: its previous documents (if any) stay in the pack, marked stale."""
        shutil.rmtree(staging / stem, ignore_errors=True)
        self.failures[stem] = failure
        n = next(i for i, r in enumerate(self.records) if r.stem == stem)
        current, prev = self.records[n], self.previous.get(stem)
        text = failure.format()
        if prev is not None and prev.outputs:
            self.records[n] = dataclasses.replace(
                prev, state=FAILED, error=text, rebuilt=True, pdf_sources=[],
                kept="this build failed; the previous build's documents are kept")
        else:
            self.records[n] = dataclasses.replace(current, state=FAILED, error=text, outputs=[], pdf_sources=[])

    # -- the summit's figures

    def summit_figures(self, summit, todo: list[AgreementJob]) -> list[AgreementJob]:
        """Read every agreement's figures (and its previous version's) once; give the jobs the summit's totals.

        Each decision notice states its force's total across the summit, so every agreement
        depends on the others and on the summit file (a change to any rebuilds them all; the
        plan sees it in the inputs each agreement recorded). An agreement that cannot be read
        here fails in its worker with the reason; the others' totals leave it out.
        """
        from .figures import agreement_figures, agreement_totals
        from .validate import load_agreement, signing_issues
        from .workbook import sheet_from_checked

        parties = PARTIES[str(summit.parties_path.resolve())]
        rendered = {job.stem for job in todo}
        totals = []
        for index, path in enumerate(summit.agreement_paths):
            try:
                checked = load_agreement(path, parties=parties)
                before = checked.previous_path()
                old = agreement_figures(load_agreement(before, parties=parties)) if before else None
            except (AgreementBuilderError, OSError):
                self.sheets[path.stem] = None
                continue
            if path.stem in rendered:  # warned with its other warnings, when it is built
                self.warnings.extend(signing_issues(summit, index, checked))
            figures = agreement_figures(checked)
            self.sheets[path.stem] = sheet_from_checked(checked, figures, old)
            totals.append(agreement_totals(figures))
            del checked
        inputs = (summit.path.resolve(), *(p.resolve() for p in summit.agreement_paths))
        return [dataclasses.replace(job, summit_totals=tuple(totals), summit_inputs=inputs) for job in todo]

    # -- the finance workbook

    def finance(self, staging: Path, summit) -> None:
        """Write finance.xlsx for the summit's agreements whose documents in the pack are this build's.

        An agreement that failed, or whose documents were kept as they were, is left out (the
        manifest and the index say so): the workbook never states figures the pack's documents
        do not. A workbook changed by hand is kept, as a document is, unless --force-edited.
        """
        from .figures import summit_summary
        from .manifest import finance_entry
        from .workbook import finance_workbook

        records = {r.stem: r for r in self.records}
        sheets, included, left_out = [], [], []
        for path in summit.agreement_paths:
            record = records[path.stem]
            if record.state != BUILT:
                left_out.append((record.stem, "this build failed" if record.state == FAILED
                                 else "its documents in the pack were kept as they were"))
                continue
            sheet = self.sheets.get(record.stem)
            if sheet is None:  # built by its worker, but unreadable here: changed during the build
                left_out.append((record.stem, "it could not be read"))
                continue
            sheets.append(sheet)
            included.append(record)
        previous, current = self.finance_entry, self.folder.current_sha256(FINANCE)
        if FINANCE in self.folder.foreign:
            reason = (f"{self.out / FINANCE} is not agreement-builder's (the pack's manifest does not list it); "
                      "the finance workbook was not written (move it away)")
            self.failures[FINANCE] = OutputError(reason)
            self.finance_entry = None
            return
        info = summit.summit.summit
        data = finance_workbook(sheets, summit=info.name, date=info.date) if sheets else None
        fresh = hashlib.sha256(data).hexdigest() if data is not None else None
        if previous and current is not None and current != previous["sha256"] and current != fresh \
                and not self.force_edited:
            carry(self.out, staging, FINANCE)
            reason = (f"{self.out / FINANCE} was changed by hand since agreement-builder wrote it; it is kept "
                      "(move your copy elsewhere, or use --force-edited to replace it)")
            self.failures[FINANCE] = OutputError(reason)
            self.finance_entry = {**previous, "state": KEPT, "kept": reason}
            return
        if data is None:
            self.finance_entry = None
            return
        with open(staging / FINANCE, "xb") as fh:
            fh.write(data)
        summary = summit_summary([s.figures for s in sheets], {s.figures.reference: s.previous for s in sheets})
        self.finance_entry = finance_entry(data, summary, included, left_out)

    # -- write

    def _manifest(self) -> dict:
        return manifest_data(self.settings, self.summit_source, [r for r in self.records if r.outputs or r.state != REMOVED],
                             self.inputs, self.shared, self.finance_entry)

    def write(self, staging: Path) -> None:
        from .index_page import render_index

        self.notify(BuildEvent(self.steps, self.steps, "writing manifest.json and index.html"))
        manifest = self._manifest()
        (staging / MANIFEST).write_bytes(manifest_bytes(manifest))
        (staging / INDEX).write_bytes(render_index(manifest).encode("utf-8"))

    def result(self, *, replaced: bool, pdf: bool) -> BuildResult:
        records = [r for r in self.records if r.outputs or r.state != REMOVED]
        failures = [self.failures[r.stem] for r in self.records if r.stem in self.failures]
        failures += [self.failures[FINANCE]] if FINANCE in self.failures else []
        return BuildResult(self.out, records, failures, sorted(self.warnings, key=Issue.sort_key), self.notices,
                           replaced=replaced, pdf=pdf, finance=self.finance_entry)

    # -- helpers

    def _record(self, stem: str) -> AgreementRecord:
        return next(r for r in self.records if r.stem == stem)

    def _step(self, message: str, failed: bool = False) -> None:
        self.done += 1
        self.notify(BuildEvent(self.done, self.steps, message, failed))


def _hashed(output: OutputFile, staging: Path) -> OutputFile:
    """Return an output with the SHA-256 and size of its file in the staging folder (PDFs are hashed here)."""
    if output.sha256:
        return output
    from .manifest import file_sha256

    path = staging / output.path
    return dataclasses.replace(output, sha256=file_sha256(path), bytes=path.stat().st_size)


def _write_failed(exc: OSError, out: Path, staging: Path) -> OutputError:
    """Return the one-line message for a failure to write the new pack, naming the file as the user knows it."""
    name = exc.filename if exc.filename is not None else out
    try:
        shown = out / Path(os.path.abspath(name)).relative_to(Path(os.path.abspath(staging)))
    except ValueError:
        shown = Path(str(name))
    reason = exc.strerror or type(exc).__name__
    return OutputError(f"{shown}: cannot write: {reason}; the pack in {out} was left as it was")


# ---------------------------------------------------------------------------- gather


def _shared_inputs(summit, tset: TemplateSet, inputs: InputDigests) -> list[str]:
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


def _workers(jobs: int | None) -> int:
    return max(1, jobs if jobs else (os.cpu_count() or 1))
