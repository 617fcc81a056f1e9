"""`agreement-builder init`: a new workspace a user can start from.

It is a copy of the example alliance shipped in the package (parties, agreements, summit)
with editable copies of the templates, so that a legal officer can open them in Word.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import OutputError
from .templates import PACKAGE_DATA


def create_workspace(directory: Path) -> list[Path]:
    """Create a workspace in `directory` (new or empty) and return the paths created."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise OutputError(f"{directory}: the folder is not empty; choose a new folder for the workspace")
    staging = directory.parent / f".{directory.name}.init-tmp"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        example = PACKAGE_DATA / "example"
        shutil.copytree(example, staging, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(PACKAGE_DATA / "templates", staging / "templates")
        shutil.copytree(PACKAGE_DATA / "annexes", staging / "annexes")
        if directory.exists():
            directory.rmdir()
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in directory.rglob("*") if p.is_file())
