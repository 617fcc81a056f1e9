"""The pack's PDFs: the build's .docx files converted in a few LibreOffice runs, made reproducible, counted.

Starting LibreOffice costs a second or two, so the agreements just rendered are shared
between one run per worker (about the same number of files each), run side by side in
threads. Each run works in its own folder inside the staging folder, profile included, so
nothing is left in the temporary folder and a stopped build's debris goes with its staging
folder. A run that fails fails the agreements it held; a PDF LibreOffice wrote but that cannot
be read fails its own agreement only. The pages LibreOffice laid each contents entry out on are
written into the .docx it came from (`pdf.fill_contents_pages`), which is then hashed again.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import AgreementBuilderError
from .manifest import AgreementRecord


@dataclass
class BatchResult:
    """What one LibreOffice run did for its agreements."""

    stems: list[str]
    failure: AgreementBuilderError | None = None  # the whole run failed
    bad: dict[str, AgreementBuilderError] = field(default_factory=dict)  # stem -> an unreadable PDF of it
    pages: dict[str, int] = field(default_factory=dict)  # PDF path in the pack -> pages
    paged: set[str] = field(default_factory=set)  # PDFs whose .docx got its contents' page numbers (rewritten)


def batches(records: list[AgreementRecord], workers: int) -> list[list[AgreementRecord]]:
    """Share the agreements between `workers` LibreOffice runs, about the same number of files each."""
    bins: list[list[AgreementRecord]] = [[] for _ in range(min(workers, len(records)))]
    loads = [0] * len(bins)
    for record in sorted(records, key=lambda r: -len(r.pdf_sources)):
        i = loads.index(min(loads))
        bins[i].append(record)
        loads[i] += len(record.pdf_sources)
    return [b for b in bins if b]


def convert_all(groups: list[list[AgreementRecord]], staging: Path, fallback_date: dt.date,
                cancel: threading.Event) -> Iterator[BatchResult]:
    """Yield each batch's result as its LibreOffice run finishes; setting `cancel` stops every run."""
    if not groups:
        return
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        futures = {pool.submit(_convert_batch, n, group, staging, fallback_date, cancel): group
                   for n, group in enumerate(groups)}
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    stems = [r.stem for r in futures[future]]
                    try:
                        result = future.result()
                    except AgreementBuilderError as exc:
                        result = BatchResult(stems, failure=exc)
                    yield result
        finally:
            cancel.set()  # a no-op when all is done; stops the runs when the caller stopped early


def _convert_batch(number: int, batch: list[AgreementRecord], staging: Path, fallback_date: dt.date,
                   cancel: threading.Event) -> BatchResult:
    """Convert a batch in one LibreOffice run; file names collide across agreements, so stage them flat."""
    from .pdf import BadPdf, convert_to_pdf, document_date, fill_contents_pages, make_reproducible

    result = BatchResult([r.stem for r in batch])
    work = staging / f".pdf-{number}"
    (work / "in").mkdir(parents=True)
    try:
        sources, targets = [], []
        for record in batch:
            for rel in record.pdf_sources:
                flat = work / "in" / rel.replace("/", "--")
                os.link(staging / rel, flat)
                sources.append(flat)
                targets.append((record.stem, rel[: -len(".docx")] + ".pdf", staging / rel))
        made = convert_to_pdf(sources, work / "out", profile=work / "profile", cancel=cancel, reproducible=False)
        for pdf, (stem, rel, docx) in zip(made, targets):
            if stem in result.bad:
                continue
            try:
                result.pages[rel] = make_reproducible(pdf, document_date(docx) or fallback_date)
                if fill_contents_pages(docx, pdf):
                    result.paged.add(rel)
            except BadPdf as exc:
                result.bad[stem] = exc
                continue
            os.replace(pdf, staging / rel)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result
