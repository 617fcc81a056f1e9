"""A workspace holds only what its users changed: `init`, `templates copy`, `templates status`.

`init DIR` copies the example alliance (parties, agreements, summit). Templates are copied
only when asked (`init DIR --templates`, `templates copy NAME`): a template a workspace does
not hold comes from the installed package, so a wording fix in a new release reaches it. When
a template is copied, the SHA-256 of the shipped file is written down beside the copy
(`COPIES`, one per folder), so that `templates status` can say later whether the user changed
the copy and whether the shipped template changed since.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from .version import __version__
from .errors import InputError, OutputError
from .package import atomic_write
from .templates import (EXAMPLE_FILES, SHIPPED_ANNEXES, SHIPPED_EXAMPLE, SHIPPED_TEMPLATES, file_digest,
                        find_templates)

#: The record of copied templates, one in each of a workspace's templates/ and annexes/ folders.
COPIES = ".copied-templates.json"


def create_workspace(directory: Path, *, templates: bool = False) -> list[Path]:
    """Create a workspace in `directory` (new or empty) and return the paths created.

    `templates`: also copy every shipped template, to be edited in Word.
    """
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise OutputError(f"{directory}: the folder is not empty; choose a new folder for the workspace")
    staging = directory.parent / f".{directory.name}.init-tmp"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir(parents=True)
        for name in EXAMPLE_FILES:
            source = SHIPPED_EXAMPLE / name
            if source.is_dir():
                shutil.copytree(source, staging / name, ignore=shutil.ignore_patterns("__pycache__", ".*"))
            else:
                shutil.copy2(source, staging / name)
        if templates:
            for shipped in (SHIPPED_TEMPLATES, SHIPPED_ANNEXES):
                for path in sorted(shipped.glob("*.docx")):
                    _copy(path, staging / shipped.name / path.name)
        if directory.exists():
            directory.rmdir()
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.name != COPIES)


def shipped_template(name: str) -> Path:
    """Return the shipped template called `name` ("umbrella", "umbrella.docx", "annexes/withheld.docx" ...)."""
    wanted = name.replace("\\", "/")
    folder, _, base = wanted.rpartition("/")
    base = base if base.endswith(".docx") else base + ".docx"
    candidates = [d / base for d in (SHIPPED_TEMPLATES, SHIPPED_ANNEXES) if not folder or d.name == folder]
    found = [p for p in candidates if p.is_file()]
    if not found:
        known = sorted(f"{d.name}/{p.name}" for d in (SHIPPED_TEMPLATES, SHIPPED_ANNEXES) for p in d.glob("*.docx"))
        raise InputError.in_file(name, "no shipped template has this name", hint="shipped: " + ", ".join(known))
    return found[0]


def copy_template(name: str, workspace: Path, *, as_name: str | None = None) -> Path:
    """Copy a shipped template into `workspace` (its templates/ or annexes/ folder); return the copy.

    `as_name`: the copy's name, e.g. a function id, so that an annex becomes that function's
    own (`templates copy service_specification --as dogs` -> annexes/dogs.docx). An existing
    file is never replaced.
    """
    source = shipped_template(name)
    target_name = (as_name if as_name.endswith(".docx") else as_name + ".docx") if as_name else source.name
    if "/" in target_name or "\\" in target_name or target_name.startswith("."):
        raise InputError.in_file(target_name, "give a file name only (it goes into the workspace's "
                                 f"{source.parent.name}/ folder)")
    target = Path(workspace) / source.parent.name / target_name
    if target.exists():
        raise OutputError(f"{target}: already there; it is not replaced (move it away first to start again "
                          "from the shipped template)")
    _copy(source, target)
    return target


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, source.read_bytes(), replace=False)
    records = _read_records(target.parent)
    records[target.name] = {"source": f"{source.parent.name}/{source.name}", "sha256": file_digest(source),
                            "version": __version__}
    atomic_write(target.parent / COPIES, (json.dumps(records, indent=2, sort_keys=True) + "\n").encode())


def _read_records(folder: Path) -> dict:
    try:
        data = json.loads((folder / COPIES).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no readable record of copies: every template counts as not copied (status says so)
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class TemplateStatus:
    """One template a workspace holds, compared with the shipped one it overrides or was copied from."""

    path: Path
    shipped: Path | None  # the shipped template it overrides or was copied from (None: its own)
    overrides: bool  # a shipped template of the same name exists: this one is used instead
    changed: bool | None  # differs from the shipped template as it was when copied (None: unknown)
    shipped_changed: bool | None  # the shipped template changed since the copy (None: not recorded)
    copied_version: str = ""

    def describe(self) -> str:
        """Return the status in words."""
        if self.shipped is None:
            return "the workspace's own template (no shipped template of that name)"
        what = (f"overrides the shipped {self.shipped.name}" if self.overrides
                else f"copied from the shipped {self.shipped.name}")
        if self.changed is None:
            return what + "; not copied by `templates copy`, so when it was taken is unknown" + (
                "; it differs from the shipped one" if self.shipped_changed else "; same as the shipped one")
        mine = "you changed it" if self.changed else "unchanged since copied"
        theirs = ("the shipped one has changed since (copied from agreement-builder "
                  f"{self.copied_version or '?'}, now {__version__})" if self.shipped_changed
                  else "the shipped one has not changed since")
        return f"{what}; {mine}; {theirs}"


def copied_from(path: Path) -> Path | None:
    """Return the shipped template a workspace template was copied from (as recorded), if any."""
    path = Path(path)
    record = _read_records(path.parent).get(path.name)
    source = record.get("source") if isinstance(record, dict) else None
    if not isinstance(source, str):
        return None
    folder, _, name = source.partition("/")
    shipped = {SHIPPED_TEMPLATES.name: SHIPPED_TEMPLATES, SHIPPED_ANNEXES.name: SHIPPED_ANNEXES}.get(folder)
    candidate = shipped / name if shipped is not None and "/" not in name else None
    return candidate if candidate is not None and candidate.is_file() else None


def workspace_template_dirs(near: Path) -> list[Path]:
    """Return a workspace's own template folders (those found from `near` that are not the shipped ones)."""
    tset = find_templates(near)
    shipped = {tset.template_dirs[-1].resolve(), tset.annex_dirs[-1].resolve()}  # find_templates puts them last
    return [d for d in (*tset.template_dirs[:-1], *tset.annex_dirs[:-1]) if d.resolve() not in shipped]


def template_status(near: Path) -> list[TemplateStatus]:
    """Return the status of every template the workspace at `near` holds, in name order."""
    out = []
    for folder in workspace_template_dirs(near):
        records = _read_records(folder)
        shipped_dir = SHIPPED_ANNEXES if folder.name == "annexes" else SHIPPED_TEMPLATES
        for path in sorted(folder.glob("*.docx")):
            if path.name.startswith(("~$", ".")):
                continue
            record = records.get(path.name) if isinstance(records.get(path.name), dict) else None
            same_name = shipped_dir / path.name
            source = copied_from(path) or (same_name if same_name.is_file() else None)
            mine = file_digest(path)
            if source is None:
                out.append(TemplateStatus(path, None, False, None, None))
            elif record and isinstance(record.get("sha256"), str):
                out.append(TemplateStatus(path, source, source == same_name, mine != record["sha256"],
                                          file_digest(source) != record["sha256"], str(record.get("version", ""))))
            else:
                out.append(TemplateStatus(path, source, source == same_name, None, mine != file_digest(source)))
    return out
