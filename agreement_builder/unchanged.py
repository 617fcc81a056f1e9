"""Is the pack already what a build would write? Decided from the inputs' bytes, before anything is parsed.

A build with nothing to do should cost little more than starting Python. The manifest of the
pack lists every input the last build read (the summit, the parties, every visible template,
each agreement and its previous version) with its SHA-256, and every document with its size.
When all of these hold, the build would read the same bytes and write the same pack, so it
stops here: no YAML parsed, no models, no templates opened. Anything else, and any doubt,
says "not known to be unchanged" (None) and the full build runs, which decides everything
again (and rebuilds, keeps or refuses by the usual rules). What is compared:

- the tool: the manifest was written by this version, in this manifest format;
- the options: PDFs wanted now as then (`--pdf/--no-pdf`, else whether LibreOffice is here);
  `--force` always builds;
- the inputs: every file the manifest lists hashes as recorded, the summit is the one
  recorded, and the templates visible now (`--templates`, `--annexes`, the workspace's,
  the shipped ones) are exactly those recorded, so a template added to a folder is seen;
- the pack: the last build left it whole (no failed, kept or removed agreement), no build is
  running or died half-way (no lock file), index.html is there, and every document is a
  plain file of its recorded size not modified after manifest.json was written. Documents
  are not hashed here: an edit that keeps a document's size and its modification time is
  left to the next full build (`--force`, or any input changed), as docs/pack.md says.

Used by `build.build_summit` first thing, and by the console script (start.py) before the
command line is even loaded, so that both say the same thing at the same cost.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from .digests import InputDigests
from .pack_names import GENERATOR, INDEX, LOCK_SUFFIX, MANIFEST, MANIFEST_FORMAT
from .templates import find_templates
from .version import __version__


def unchanged_pack(summit_path: str | Path, out_dir: str | Path, *, pdf: bool | None = None,
                   templates: Path | None = None, annexes: Path | None = None) -> dict | None:
    """Return the pack's manifest (its data) when a build would change nothing, else None (build)."""
    try:
        return _check(Path(summit_path), Path(out_dir), pdf, templates, annexes)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # any doubt: the full build decides and reports
        return None


def up_to_date_message(out_dir: str | Path, agreements: int) -> str:
    """Return what a build with nothing to do says."""
    return f"{Path(out_dir)}: up to date ({agreements} agreements unchanged)"


def _check(summit: Path, out: Path, pdf: bool | None, templates: Path | None, annexes: Path | None) -> dict | None:
    absolute = os.path.abspath(out)
    lock = os.path.join(os.path.dirname(absolute), f".{os.path.basename(absolute)}{LOCK_SUFFIX}")
    if os.path.lexists(lock):  # a build is running, or one died: the full build takes the lock or cleans up
        return None
    manifest_path = os.path.join(absolute, MANIFEST)
    written = os.stat(manifest_path).st_mtime_ns
    with open(manifest_path, "rb") as fh:
        data = json.loads(fh.read())
    settings = data["settings"]
    if (data["generator"] != {"name": GENERATOR, "version": __version__} or settings["generator"] != GENERATOR
            or settings["version"] != __version__ or settings["format"] != MANIFEST_FORMAT
            or data["ready"] is not True or data["stale"]):
        return None
    if settings["pdf"] != _want_pdf(pdf):
        return None
    inputs = InputDigests(summit.parent)
    if data["summit"]["source"] != inputs.label(summit):
        return None
    # the inputs: each as recorded, and the visible templates exactly those recorded
    recorded = {entry["path"]: entry["sha256"] for entry in data["inputs"]}
    if any(not isinstance(sha, str) or inputs.digest(label) != sha for label, sha in recorded.items()):
        return None
    shared = settings["shared_inputs"]
    if any(given is not None and not os.path.isdir(given) for given in (templates, annexes)):
        return None  # find_templates would refuse it: the build says so
    visible = {inputs.label(p) for p in find_templates(summit, templates=templates, annexes=annexes).all_templates()}
    others = set(shared) - visible  # the parties file: the one shared input that is not a template
    if not visible <= set(shared) or len(others) != 1 or any(recorded.get(k) != v for k, v in shared.items()):
        return None
    if any(label not in recorded for a in data["agreements"] for label in a["inputs"]):
        return None
    # the pack: whole, and its documents as written
    if not os.path.isfile(os.path.join(absolute, INDEX)):
        return None
    finance = data.get("finance")
    if finance is not None and finance["state"] != "built":
        return None  # a workbook kept as it was (changed by hand): the build says what it does with it
    for output in data["outputs"] + ([finance] if finance is not None else []):
        st = os.stat(os.path.join(absolute, output["path"]), follow_symlinks=False)
        # strictly older than the manifest: a file system's clock ticks coarsely, so "as old" may be a later edit
        if not stat.S_ISREG(st.st_mode) or st.st_size != output["bytes"] or st.st_mtime_ns >= written:
            return None
    return data


def _want_pdf(pdf: bool | None) -> bool | None:
    """Return whether a build makes PDFs (as build._want_pdf), or None for --pdf without LibreOffice (the build says so)."""
    if pdf is False:
        return False
    from .pdf import available

    here = available()
    if pdf and not here:
        return None
    return here
