"""A stand-in for LibreOffice's `soffice --convert-to pdf`, for fault injection in tests.

Installed by `install_fake_soffice` as an executable script and named by $SOFFICE. Behaviour
is chosen by $FAKE_SOFFICE_MODE:

  ok       write a one-page PDF per input, stamped like LibreOffice's: the clock as creation
           date, a random document /ID and a /DocChecksum (so reproducibility is really tested)
  fail     print an error and exit 1
  hang     sleep for an hour (a stuck office), after writing its pid
  garbage  write files that are not PDFs
  missing  exit 0 having written nothing
  slow     sleep $FAKE_SOFFICE_SLEEP seconds, then behave as ok

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
    pdf.save(path, static_id=False)  # qpdf gives a random /ID


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
            next(args)
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
