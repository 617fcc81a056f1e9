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
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .errors import ToolMissingError

INSTALL_HINT = "install LibreOffice: apt-get install libreoffice-writer-nogui fonts-crosextra-carlito fonts-liberation2"
#: Seconds allowed for one conversion run: a start-up allowance plus an allowance per file.
DEFAULT_TIMEOUT = 120.0
PER_FILE_TIMEOUT = 10.0
_CANDIDATES = ("soffice", "libreoffice")
#: Files per LibreOffice run: safely under the ~250 arguments it reads.
MAX_FILES_PER_RUN = 200


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


def convert_to_pdf(docx_paths: list[Path], outdir: Path, *, timeout: float | None = None) -> list[Path]:
    """Convert .docx files to PDF in one LibreOffice run; return the PDF paths in input order.

    One run per MAX_FILES_PER_RUN files (see above); `timeout` bounds each run (default: a
    start-up allowance plus PER_FILE_TIMEOUT per file). Raises ToolMissingError when
    LibreOffice is not installed, fails, times out, or leaves a PDF unwritten. Two inputs with
    the same file name would overwrite each other's PDF in `outdir`, so they are refused
    (ValueError: a caller's mistake, not the user's).
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
    with tempfile.TemporaryDirectory(prefix="agreement-builder-lo-") as profile:
        for start in range(0, len(paths), MAX_FILES_PER_RUN):
            chunk = paths[start:start + MAX_FILES_PER_RUN]
            _run(soffice, profile, chunk, outdir, timeout)
    missing = [t for t in targets if not t.is_file()]
    if missing:
        names = ", ".join(t.name for t in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ToolMissingError(f"LibreOffice did not write {names} (it reported no error)")
    return targets


def _run(soffice: str, profile: str, paths: list[Path], outdir: Path, timeout: float | None) -> None:
    """Run LibreOffice once on `paths`; raise ToolMissingError when it fails or hangs."""
    if timeout is None:
        timeout = DEFAULT_TIMEOUT + PER_FILE_TIMEOUT * len(paths)
    command = [
        soffice, f"-env:UserInstallation={Path(profile).as_uri()}",
        "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
        "--convert-to", "pdf", "--outdir", str(outdir.resolve()),
        *[str(p.resolve()) for p in paths],
    ]
    env = {**os.environ, "HOME": profile}  # LibreOffice writes caches under $HOME too
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as exc:
        raise ToolMissingError(f"cannot start LibreOffice ({soffice}): {exc.strerror}; {INSTALL_HINT}") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
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
    """Stop LibreOffice and the soffice.bin it started (they share a session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _last_line(data: bytes) -> str:
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    lines = [ln for ln in lines if "javaldx" not in ln]
    return lines[-1] if lines else ""


def page_count(pdf_path: Path) -> int:
    """Return the number of pages of a PDF (pypdf, else `pdfinfo`)."""
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a dependency; pdfinfo is the fallback
        return _pdfinfo_pages(Path(pdf_path))
    return len(PdfReader(str(pdf_path)).pages)


def _pdfinfo_pages(pdf_path: Path) -> int:
    tool = shutil.which("pdfinfo")
    if tool is None:
        raise ToolMissingError("counting PDF pages needs pypdf (pip install pypdf) or pdfinfo (apt-get install poppler-utils)")
    result = subprocess.run([tool, str(pdf_path)], capture_output=True, text=True, timeout=60)
    match = re.search(r"^Pages:\s+(\d+)", result.stdout, flags=re.MULTILINE)
    if result.returncode != 0 or not match:
        raise ToolMissingError(f"pdfinfo could not read {pdf_path}: {result.stderr.strip()}")
    return int(match.group(1))
