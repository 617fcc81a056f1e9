"""A stand-in for LibreOffice's `soffice --convert-to pdf`, for fault injection in tests.

Installed by `install_fake_soffice` as an executable script and named by $SOFFICE. Behaviour
is chosen by $FAKE_SOFFICE_MODE:

  ok       write a one-page PDF per input, stamped like LibreOffice's: the clock as creation
           date, a random document /ID, a /DocChecksum and PDF/A's colour profile dated with the
           clock (so reproducibility is really tested)
  fail     print an error and exit 1
  hang     sleep for an hour (a stuck office), after writing its pid
  garbage  write files that are not PDFs
  missing  exit 0 having written nothing
  slow     sleep $FAKE_SOFFICE_SLEEP seconds, then behave as ok

The export filter's options (`--convert-to pdf:writer_pdf_Export:{...}`) must be JSON with a
type and a value for each option, as LibreOffice reads them (it ignores untyped values
silently); anything else fails the run as a broken office would.

Every run appends its pid to $FAKE_SOFFICE_PIDS when set, and records the profile folder it
was given (-env:UserInstallation) in $FAKE_SOFFICE_PROFILES, creating something in it as
LibreOffice would.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse


def _pdf(path: Path) -> None:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Producer"] = "LibreOffice 7.4 (fake)"
    pdf.docinfo["/CreationDate"] = time.strftime("D:%Y%m%d%H%M%SZ", time.gmtime()) + f"{time.time_ns() % 1000:03d}"
    pdf.trailer["/DocChecksum"] = pikepdf.Name("/" + secrets.token_hex(16).upper())
    now = time.gmtime()
    icc = bytearray(128)  # an ICC header as lcms writes it for LibreOffice: the clock at bytes 24-35
    icc[24:36] = b"".join(n.to_bytes(2, "big") for n in (now.tm_year, now.tm_mon, now.tm_mday, now.tm_hour,
                                                          now.tm_min, time.time_ns() % 60))
    icc[36:40] = b"acsp"
    profile = pikepdf.Stream(pdf, bytes(icc))
    profile["/N"] = 3
    pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, DestOutputProfile=profile,
        OutputConditionIdentifier="sRGB IEC61966-2.1")])
    pdf.save(path, static_id=False)  # qpdf gives a random /ID


def _options_problem(target: str) -> str | None:
    """Return what is wrong with a --convert-to argument, or None (`pdf:writer_pdf_Export:` and typed JSON)."""
    import json

    prefix = "pdf:writer_pdf_Export:"
    if not target.startswith(prefix):
        return f"unexpected --convert-to {target!r}"
    try:
        options = json.loads(target[len(prefix):])
    except ValueError:
        return "the export options are not JSON"
    for name, option in options.items():
        if not (isinstance(option, dict) and set(option) == {"type", "value"} and isinstance(option["value"], str)):
            return f"the export option {name} has no type and value"
    for name in ("UseTaggedPDF", "PDFUACompliance", "SelectPdfVersion"):
        if name not in options:
            return f"the export option {name} is missing"
    return None


def main(argv: list[str]) -> int:
    mode = os.environ.get("FAKE_SOFFICE_MODE", "ok")
    if os.environ.get("FAKE_SOFFICE_PIDS"):
        with open(os.environ["FAKE_SOFFICE_PIDS"], "a") as fh:
            fh.write(f"{os.getpid()}\n")
    outdir, files = Path("."), []
    args = iter(argv)
    for arg in args:
        if arg == "--outdir":
            outdir = Path(next(args))
        elif arg.startswith("-env:UserInstallation="):
            profile = Path(unquote(urlparse(arg.split("=", 1)[1]).path))
            (profile / "user").mkdir(parents=True, exist_ok=True)
            (profile / "user" / "registrymodifications.xcu").write_text("<x/>")
            if os.environ.get("FAKE_SOFFICE_PROFILES"):
                with open(os.environ["FAKE_SOFFICE_PROFILES"], "a") as fh:
                    fh.write(f"{profile}\n")
        elif arg == "--convert-to":
            problem = _options_problem(next(args))
            if problem:
                print(f"Error: {problem}", file=sys.stderr)
                return 1
        elif not arg.startswith("-"):
            files.append(Path(arg))
    if mode == "fail":
        print("Error: source file could not be loaded", file=sys.stderr)
        return 1
    if mode == "hang":
        time.sleep(3600)
        return 0
    if mode == "slow":
        time.sleep(float(os.environ.get("FAKE_SOFFICE_SLEEP", "2")))
    if mode == "missing":
        return 0
    outdir.mkdir(parents=True, exist_ok=True)
    for source in files:
        target = outdir / (source.stem + ".pdf")
        if mode == "garbage":
            target.write_bytes(b"this is not a PDF\n" + secrets.token_bytes(64))
        else:
            _pdf(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
