"""Input files: paths named inside a file stay in its workspace, and reading one fails in one line.

Why: an agreement names its previous version (`previous:`) and a summit its parties and
agreement files. Those files are read, compared and published (change reports, redlines, the
pack's index and manifest). A path leaving the workspace (`../../../etc/passwd`, `/home/x/.ssh/id_rsa`,
a link pointing outside) would let a file someone sends you read any file you can read and put
it in front of others. Such a path is refused at the line and column of its key before the
file is opened; not even whether it exists is looked at.

The workspace is the folder of the file that names the path (and its subfolders), or a
folder given explicitly (`--workspace DIR`). Paths are compared both as written (`..`) and
with links followed, so that neither a `..` nor a link leads out.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError


def workspace_folder(file: Path, workspace: Path | None = None) -> Path:
    """Return the folder that paths named inside `file` must stay in."""
    return Path(os.path.abspath(workspace if workspace is not None else Path(file).parent))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def outside_reason(file: Path, value: str, workspace: Path) -> str | None:
    """Return why the path `value`, written in `file`, leaves `workspace` (None when it stays inside).

    Only names are compared and links followed: the target itself is neither opened nor tested.
    """
    if os.path.isabs(value):
        return "it is an absolute path"
    folder = os.path.abspath(workspace)
    written = os.path.normpath(os.path.join(os.path.abspath(Path(file).parent), value))
    if not _inside(written, folder):
        return "`..` leads out of it"
    if not _inside(os.path.realpath(written), os.path.realpath(folder)):
        return "a link on the way leads out of it"
    return None


def describe_workspace(workspace: Path) -> str:
    """Return how messages name a workspace folder (relative to the working folder when inside it)."""
    from .loader import display_path

    shown = display_path(workspace)
    return "the current folder" if shown in (".", "") else f"{shown}{os.sep}"


def read_input(path: Path, label: str | None = None) -> bytes:
    """Return the bytes of an input file, or raise an InputError naming it in one line."""
    label = label or str(path)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError.in_file(label, "file not found") from None
    except IsADirectoryError:
        raise InputError.in_file(label, "this is a folder, not a file") from None
    except OSError as exc:
        raise InputError.in_file(label, f"cannot read the file: {exc.strerror or type(exc).__name__}") from None


def workspace_issue_text(key: str, value: str, reason: str, workspace: Path) -> tuple[str, str]:
    """Return the message and hint for a path `value` of `key` that leaves the workspace."""
    return (f"`{key}`: `{value}` is outside the workspace ({describe_workspace(workspace)} and its "
            f"subfolders): {reason}; it is not read",
            "keep the files a file names beside it or in subfolders, or widen the workspace with --workspace DIR")
