"""LibreOffice conversion of rendered .docx files to PDF, and PDF page counts.

Why one call for many files: starting LibreOffice costs a second or two, converting a
document a fraction of that, so a summit pack converts each worker's documents in a single
`soffice --convert-to pdf` run. Each run gets its own throw-away user profile
(`-env:UserInstallation`), because two LibreOffice processes sharing a profile wait on each
other's lock (or quietly hand the job to the other one), and a user's open LibreOffice must
not be disturbed. The conversion is bounded by a timeout: a stuck office is killed, with its
children, rather than hanging a build.

LibreOffice silently ignores command-line arguments past about the 250th (it exits 0 having
converted the first ~240 files), so more than MAX_FILES_PER_RUN files are converted in
consecutive runs sharing the profile, and every expected PDF is checked for afterwards.

LibreOffice never outlives its caller. `soffice` is a script that starts `oosplash`, which
starts `soffice.bin`; killing the first does not stop the last. So each run goes through a
small guard process (`_GUARD`): it leads a process group of its own, asks the kernel to be
told when the caller dies (Linux `PR_SET_PDEATHSIG`), and then kills the whole group. A
timeout, or the caller's `cancel` event (Ctrl-C in a build), kills the group the same way.

PDFs are made reproducible afterwards (`make_reproducible`, with pikepdf): LibreOffice stamps
the clock time, a random document /ID and a checksum of both; they are replaced by the
document's own date and an /ID computed from the content, so that the same .docx always gives
the same PDF bytes.

Every PDF is tagged PDF/UA-1 with PDF/A-2b identification (docs/accessibility.md): the export
filter's options are given as typed JSON (`EXPORT_OPTIONS`; LibreOffice 7.4 and later), since
untyped values are silently ignored. LibreOffice then takes the title from the document's
properties, the language from its default paragraph language, and a bookmark from each
paragraph with an outline level. Word bookmarks also become named destinations, so that the
page each heading is on can be read back (`destination_pages`) and written into the contents
page of the .docx (`compose.set_contents_pages`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from .errors import AgreementBuilderError, ToolMissingError

INSTALL_HINT = "install LibreOffice: apt-get install libreoffice-writer-nogui fonts-crosextra-carlito fonts-liberation2"
#: Seconds allowed for one conversion run: a start-up allowance plus an allowance per file.
DEFAULT_TIMEOUT = 120.0
PER_FILE_TIMEOUT = 10.0
_CANDIDATES = ("soffice", "libreoffice")
#: Files per LibreOffice run: safely under the ~250 arguments it reads.
MAX_FILES_PER_RUN = 200
#: writer_pdf_Export's options: tagged, PDF/UA-1, PDF/A-2b (SelectPdfVersion 2), the title shown in a
#: viewer's title bar, bookmarks from outline levels, Word bookmarks as named destinations.
EXPORT_OPTIONS = {
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "PDFUACompliance": {"type": "boolean", "value": "true"},
    "SelectPdfVersion": {"type": "long", "value": "2"},
    "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "ExportBookmarksToPDFDestination": {"type": "boolean", "value": "true"},
}
CONVERT_TO = "pdf:writer_pdf_Export:" + json.dumps(EXPORT_OPTIONS, separators=(",", ":"))


def find_soffice() -> str | None:
    """Return the LibreOffice executable (`$SOFFICE`, else `soffice` on PATH), or None."""
    given = os.environ.get("SOFFICE")
    if given:
        return given if (os.path.isfile(given) or shutil.which(given)) else None
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    """Return whether PDFs can be made here (used to default `--pdf` to on or off)."""
    return find_soffice() is not None


def convert_to_pdf(docx_paths: list[Path], outdir: Path, *, timeout: float | None = None,
                   profile: Path | None = None, cancel: threading.Event | None = None,
                   reproducible: bool = True) -> list[Path]:
    """Convert .docx files to PDF in one LibreOffice run; return the PDF paths in input order.

    One run per MAX_FILES_PER_RUN files (see above); `timeout` bounds each run (default: a
    start-up allowance plus PER_FILE_TIMEOUT per file). `profile` is the folder for
    LibreOffice's throw-away user profile (default: a temporary folder, removed afterwards);
    setting `cancel` stops the run within a fraction of a second. `reproducible` rewrites each
    PDF with `make_reproducible`, dated as its .docx. Raises ToolMissingError when LibreOffice
    is not installed, fails, times out, is cancelled, or leaves a PDF unwritten, and BadPdf when
    a PDF it wrote cannot be read. Two inputs with the same file name would overwrite each
    other's PDF in `outdir`, so they are refused (ValueError: a caller's mistake, not the user's).
    """
    paths = [Path(p) for p in docx_paths]
    if not paths:
        return []
    names = [p.stem for p in paths]
    if len(set(names)) != len(names):
        raise ValueError("convert_to_pdf: two inputs have the same name; their PDFs would collide")
    soffice = find_soffice()
    if soffice is None:
        raise ToolMissingError(f"LibreOffice (soffice) is needed to make PDFs and was not found; {INSTALL_HINT}")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    targets = [outdir / f"{p.stem}.pdf" for p in paths]
    for target in targets:  # a stale PDF must not pass for a fresh one
        target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="agreement-builder-lo-") if profile is None else _kept(profile) as folder:
        for start in range(0, len(paths), MAX_FILES_PER_RUN):
            chunk = paths[start:start + MAX_FILES_PER_RUN]
            _run(soffice, folder, chunk, outdir, timeout, cancel)
    missing = [t for t in targets if not t.is_file()]
    if missing:
        names = ", ".join(t.name for t in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ToolMissingError(f"LibreOffice did not write {names} (it reported no error)")
    if reproducible:
        for source, target in zip(paths, targets):
            make_reproducible(target, document_date(source))
    return targets


class _kept:
    """A given profile folder, as a context manager (created, not removed: its owner removes it)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def __enter__(self) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        return str(self.path)

    def __exit__(self, *exc) -> None:
        return None


#: The guard between the caller and LibreOffice (run as `python -I -S -c _GUARD PARENT_PID COMMAND...`).
_GUARD = """
import ctypes, os, signal, subprocess, sys
def stop(*_):
    os.killpg(0, signal.SIGKILL)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGHUP, stop)
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)
except (OSError, AttributeError):  # no prctl here: the parent check below and the caller's kill still stop us
    pass
if os.getppid() != int(sys.argv[1]):
    stop()
sys.exit(subprocess.call(sys.argv[2:], stdin=subprocess.DEVNULL))
"""


def _run(soffice: str, profile: str, paths: list[Path], outdir: Path, timeout: float | None,
         cancel: threading.Event | None) -> None:
    """Run LibreOffice once on `paths`; raise ToolMissingError when it fails, hangs or is cancelled."""
    if timeout is None:
        timeout = DEFAULT_TIMEOUT + PER_FILE_TIMEOUT * len(paths)
    command = [
        soffice, f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
        "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
        "--convert-to", CONVERT_TO, "--outdir", str(outdir.resolve()),
        *[str(p.resolve()) for p in paths],
    ]
    env = {**os.environ, "HOME": profile}  # LibreOffice writes caches under $HOME too
    guard = [sys.executable, "-I", "-S", "-c", _GUARD, str(os.getpid())]
    try:
        proc = subprocess.Popen([*guard, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as exc:
        raise ToolMissingError(f"cannot start LibreOffice ({soffice}): {exc.strerror}; {INSTALL_HINT}") from None
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                out, err = proc.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    _kill_group(proc)
                    raise ToolMissingError("LibreOffice was stopped (the build was interrupted)") from None
                if time.monotonic() > deadline:
                    _kill_group(proc)
                    raise ToolMissingError(
                        f"LibreOffice did not finish converting {len(paths)} file(s) to PDF within {timeout:.0f} s; "
                        "it was stopped") from None
    except BaseException:
        _kill_group(proc)
        raise
    if proc.returncode != 0:
        detail = _last_line(err) or _last_line(out) or f"exit code {proc.returncode}"
        raise ToolMissingError(f"LibreOffice failed converting to PDF: {detail}")


def _kill_group(proc: subprocess.Popen) -> None:
    """Stop the guard, LibreOffice and the soffice.bin it started (they share a process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # already exited, or not ours to signal: communicate below reaps it
        pass
    try:
        proc.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        proc.kill()
        proc.wait()


def _last_line(data: bytes) -> str:
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    lines = [ln for ln in lines if "javaldx" not in ln]
    return lines[-1] if lines else ""


class BadPdf(AgreementBuilderError):
    """LibreOffice wrote a file that is not a readable PDF."""

    def format(self) -> str:
        return f"error: {self}"


def page_count(pdf_path: Path) -> int:
    """Return the number of pages of a PDF; raise BadPdf when it cannot be read."""
    import pikepdf

    try:
        with pikepdf.open(pdf_path) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, ValueError) as exc:
        raise BadPdf(f"{pdf_path.name} is not a readable PDF ({_first_line(exc, pdf_path)})") from None


def make_reproducible(pdf_path: Path, date: dt.date | str | None) -> int:
    """Rewrite a PDF from LibreOffice so the same document always gives the same bytes; return its pages.

    The creation and modification dates (document information and XMP) become `date` (they
    are removed when it is None), the document /ID is computed from the content (qpdf's
    deterministic id), LibreOffice's own /DocChecksum (of the random id and the clock)
    goes, and the colour profile of PDF/A's output intent, which LibreOffice makes afresh with
    the clock in its header, is dated `date` too. Tags, the structure tree and the XMP's
    PDF/A and PDF/UA identification are kept as they are. Raises BadPdf for an unreadable file.
    """
    import pikepdf

    day = dt.date.fromisoformat(date) if isinstance(date, str) else date
    temporary = pdf_path.with_name(pdf_path.name + ".tmp")
    try:
        with pikepdf.open(pdf_path) as pdf:
            pages = len(pdf.pages)
            for key in ("/CreationDate", "/ModDate"):
                if day is not None:
                    pdf.docinfo[key] = f"D:{day:%Y%m%d}000000Z"
                elif key in pdf.docinfo:
                    del pdf.docinfo[key]
            if "/Metadata" in pdf.Root:
                with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                    for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
                        if key in meta and day is not None:
                            meta[key] = f"{day:%Y-%m-%d}T00:00:00Z"
                        elif key in meta:
                            del meta[key]
            for key in ("/ID", "/DocChecksum"):
                if key in pdf.trailer:
                    del pdf.trailer[key]
            _date_colour_profiles(pdf, day)
            pdf.save(temporary, deterministic_id=True)
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        temporary.unlink(missing_ok=True)
        raise BadPdf(f"{pdf_path.name} is not a readable PDF ({_first_line(exc, pdf_path)})") from None
    os.replace(temporary, pdf_path)
    return pages


def _date_colour_profiles(pdf, day: dt.date | None) -> None:
    """Set the creation date in the header of each output intent's ICC profile (bytes 24-35) to `day`."""
    import pikepdf

    stamp = b"\0" * 12 if day is None else b"".join(n.to_bytes(2, "big") for n in (day.year, day.month, day.day, 0, 0, 0))
    for intent in pdf.Root.get("/OutputIntents", []):
        profile = intent.get("/DestOutputProfile") if isinstance(intent, pikepdf.Dictionary) else None
        if not isinstance(profile, pikepdf.Stream):
            continue
        data = profile.read_bytes()
        if len(data) >= 128 and data[36:40] == b"acsp" and data[24:36] != stamp:
            profile.write(data[:24] + stamp + data[36:])


def document_date(docx_path: Path) -> dt.date | None:
    """Return the modified (else created) date in a .docx's core properties (our own documents only)."""
    from lxml import etree

    try:
        with zipfile.ZipFile(docx_path) as z:
            root = etree.fromstring(z.read("docProps/core.xml"), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):  # no readable date: the caller falls back to the summit's date
        return None
    for tag in ("modified", "created"):
        el = root.find(f"{{http://purl.org/dc/terms/}}{tag}")
        if el is not None and el.text:
            try:
                return dt.date.fromisoformat(el.text.strip()[:10])
            except ValueError:  # not a date: try the next property
                continue
    return None


def _first_line(exc: BaseException, path: Path) -> str:
    """Return the first line of a PDF library's message, naming the file by its name only."""
    text = str(exc).strip().splitlines()
    line = text[0][:200] if text else type(exc).__name__
    return line.replace(str(path.with_name(path.name + ".tmp")), path.name).replace(str(path), path.name)


def destination_name(bookmark: str) -> str:
    """Return the name LibreOffice gives a Word bookmark's named destination (letters, digits, '-' kept; others in hex)."""
    return "".join(c if (c.isascii() and c.isalnum()) or c == "-" else f"{ord(c) & 0xFF:02X}" for c in bookmark)


def destination_pages(pdf_path: Path) -> dict[str, int]:
    """Return the page (from 1) of each named destination of a PDF, by name. Raises BadPdf for an unreadable file."""
    import pikepdf

    found: dict[str, int] = {}
    try:
        with pikepdf.open(pdf_path) as pdf:
            page_of = {page.objgen: n for n, page in enumerate(pdf.pages, start=1)}
            dests = pdf.Root.get("/Dests")
            items = list(dests.items()) if isinstance(dests, pikepdf.Dictionary) else []
            names = pdf.Root.get("/Names")
            if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
                items += list(pikepdf.NameTree(names.Dests).items())
            for key, dest in items:
                if isinstance(dest, pikepdf.Dictionary):
                    dest = dest.get("/D")
                if not isinstance(dest, pikepdf.Array) or not len(dest) or not isinstance(dest[0], pikepdf.Dictionary):
                    continue
                page = page_of.get(dest[0].objgen)
                if page is not None:
                    found[str(key).lstrip("/")] = page
    except (pikepdf.PdfError, ValueError) as exc:
        raise BadPdf(f"{pdf_path.name} is not a readable PDF ({_first_line(exc, pdf_path)})") from None
    return found


def fill_contents_pages(docx_path: Path, pdf_path: Path) -> bool:
    """Write the pages LibreOffice laid the headings out on into the .docx's contents; return whether it changed.

    Word does not recompute fields when it opens a document (the documents no longer ask it
    to, w:updateFields), so the contents' PAGEREF fields carry their results: the pages of the
    PDF made from this very .docx, read from its named destinations. The same .docx gives the
    same PDF, so the same pages and the same bytes. The file is replaced atomically.
    """
    from .compose import set_contents_pages
    from .package import atomic_write

    pages = destination_pages(pdf_path)
    if not pages:
        return False
    data = Path(docx_path).read_bytes()
    updated = set_contents_pages(data, lambda bookmark: pages.get(destination_name(bookmark)))
    if updated == data:
        return False
    atomic_write(docx_path, updated)
    return True
