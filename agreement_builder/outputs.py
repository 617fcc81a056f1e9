"""Where an output may be written: never over an input, a workspace file or a final document.

Why one module: every command that writes (render, diff, redline, schema, and the build's
pack) takes a path from the user, and a slip of `-o` must not cost a file. The rule, whatever
`-o` says:

- never over one of the command's own inputs (the agreement, its previous version, the parties
  file, a template in use, a .docx given to redline), compared by resolved path and by
  `os.path.samefile`, so that links, hard links and `./x/../x` are caught;
- never over a workspace's YAML file or a template (a .docx in a `templates` or `annexes` folder);
- never over a final document without `force`: a .docx whose core properties say status Final,
  or a file that a pack's manifest.json lists as a final agreement's document;
- never onto a folder, nor into a folder that does not exist.

The final-document rule lives here and nowhere else: `is_final` says what a final status is
(an agreement's `status: final`, a .docx's contentStatus, a manifest record's status), and
`final_refused` words the refusal. The commands ask `check_output`; the build's pack asks
`is_final` and `final_refused` for the documents it holds (pack.refusal); `init` and
`templates copy` never replace an existing file at all.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from pathlib import Path
from typing import Iterable

from lxml import etree

from .errors import OutputError
from .ooxml import CORE_NS

#: Folders whose .docx files are templates (DESIGN.md §2).
TEMPLATE_FOLDERS = ("templates", "annexes")
YAML_SUFFIXES = (".yaml", ".yml")
_MAX_PART = 1024 * 1024  # core properties are a few hundred bytes; read no more than this
_MAX_MANIFEST = 64 * 1024 * 1024


def check_output(path: str | Path, *, inputs: Iterable[str | Path] = (), force: bool = False,
                 data: bytes | None = None) -> bool:
    """Raise OutputError when `path` must not be written; return whether there is anything to write.

    `inputs`: the files the command read. `force`: replace a final document on purpose.
    `data`: the bytes about to be written; when the file already holds exactly these, nothing
    needs writing (False), which is never refused: a final agreement rendered again is unchanged.
    """
    from .loader import display_path

    path = Path(path)
    for source in inputs:
        if same_file(path, Path(source)):
            raise OutputError(f"{path}: this is an input of the command ({display_path(Path(source))}); an output "
                              "never replaces an input: choose another output name")
    if path.is_dir() or str(path).endswith(("/", os.sep)):
        raise OutputError(f"{path}: this is a folder; give the name of the file to write in it")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: the folder {folder} does not exist")
    if not path.exists() and not path.is_symlink():
        return True
    if path.suffix.lower() in YAML_SUFFIXES:
        raise OutputError(f"{path}: this is a YAML file of the workspace; an output never replaces one: "
                          "choose another output name")
    if path.suffix.lower() == ".docx" and Path(os.path.abspath(path)).parent.name in TEMPLATE_FOLDERS:
        raise OutputError(f"{path}: this is a template of the workspace; an output never replaces one: "
                          "choose another output name")
    if data is not None and _holds(path, data):
        return False
    final = final_reason(path)
    if final and not force:
        raise OutputError(final_refused(path, final, kept="it is not overwritten"))
    return True


def is_final(status: object) -> bool:
    """Return whether a status says final (the one test of it): `final` in an agreement, `Final` in a
    .docx's core properties or a manifest's record, in any letter case and spacing."""
    return isinstance(status, str) and status.strip().casefold() == "final"


def final_refused(where: object, why: str, *, kept: str = "it is kept", action: str = "replace") -> str:
    """Return the message refusing to `action` the final document at `where` because `why`."""
    return f"{where}: {why}; {kept} (use --force to {action} a signed document on purpose)"


def same_file(a: Path, b: Path) -> bool:
    """Return whether two paths name one file: the same resolved path, or the same inode (hard links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (or cannot be looked at): not the same existing file
        return False


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:  # cannot be read to compare: not known to hold the data, so the usual checks follow
        return False


def final_reason(path: Path) -> str | None:
    """Return why the existing file at `path` is a final document, or None when it is not one.

    A file whose status cannot be read is treated as final: what cannot be checked is not lost.
    """
    listed = _manifest_final(path)
    if listed:
        return f"the pack's manifest ({listed}) lists this as a final agreement's document"
    if path.suffix.lower() != ".docx":
        return None
    try:
        status = docx_status(path)
    except OSError as exc:
        return f"this may be a final document (it cannot be read to tell: {exc.strerror or type(exc).__name__})"
    if is_final(status):
        return "this is a final document (its properties say status Final)"
    return None


def docx_status(path: Path) -> str | None:
    """Return the status (core property contentStatus) of a .docx, or None when it has none or is no .docx."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > _MAX_PART:
                return None
            with zf.open(info) as fh:
                xml = fh.read(_MAX_PART + 1)
    except (KeyError, zipfile.BadZipFile, zlib.error, RuntimeError, EOFError, ValueError, NotImplementedError):
        return None  # not a Word document, or a damaged or encrypted one: no status (OSError goes up)
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:  # damaged core properties: no status, like any damaged document above
        return None
    element = root.find(f"{{{CORE_NS}}}contentStatus")
    return element.text if element is not None else None


def _manifest_final(path: Path) -> str | None:
    """Return the manifest.json that lists `path` as a final agreement's document, if any.

    A pack keeps an agreement's documents in a folder of their own next to manifest.json, so the
    manifest is looked for in the file's folder and the one above it.
    """
    absolute = Path(os.path.abspath(path))
    for root in (absolute.parent, absolute.parent.parent):
        manifest = root / "manifest.json"
        try:
            if not manifest.is_file() or manifest.stat().st_size > _MAX_MANIFEST:
                continue
            data = json.loads(manifest.read_bytes())
        except (OSError, ValueError):  # no readable manifest there: nothing listed as final by it
            continue
        relative = absolute.relative_to(root).as_posix()
        if relative in final_documents(data):
            return str(manifest)
    return None


def final_documents(manifest: dict) -> set[str]:
    """Return the pack paths a manifest lists as final agreements' documents."""
    if not isinstance(manifest, dict) or (manifest.get("generator") or {}).get("name") != "agreement-builder":
        return set()
    out: set[str] = set()
    for record in manifest.get("agreements") or []:
        if isinstance(record, dict) and is_final(record.get("status")):
            out.update(d for d in record.get("documents") or [] if isinstance(d, str))
    for output in manifest.get("outputs") or []:
        if isinstance(output, dict) and output.get("final") is True and isinstance(output.get("path"), str):
            out.add(output["path"])
    return out
