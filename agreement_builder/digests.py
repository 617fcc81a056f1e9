"""SHA-256 of the files a build reads, by the label the manifest names them with.

Its own module (light: no dataclasses, no models), because two readers must agree on it to the
byte: the build, which records the digests in manifest.json, and `unchanged.py`, which compares
them before anything is parsed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES


class InputDigests:
    """SHA-256 of input files by label (a path relative to the summit's folder), computed once."""

    def __init__(self, base: Path):
        self.base = base.resolve()
        self._digests: dict[str, str | None] = {}

    def label(self, path: Path) -> str:
        """Return how the manifest names an input: relative to the summit, or shipped:... for package data."""
        absolute = Path(os.path.abspath(path))
        for shipped, prefix in ((SHIPPED_TEMPLATES, "shipped:templates"), (SHIPPED_ANNEXES, "shipped:annexes")):
            if absolute.parent == shipped:
                return f"{prefix}/{absolute.name}"
        return Path(os.path.relpath(absolute, self.base)).as_posix()

    def path(self, label: str) -> Path:
        for prefix, shipped in (("shipped:templates/", SHIPPED_TEMPLATES), ("shipped:annexes/", SHIPPED_ANNEXES)):
            if label.startswith(prefix):
                return shipped / label[len(prefix):]
        return self.base / label

    def digest(self, label: str) -> str | None:
        """Return the file's SHA-256, or None when it cannot be read."""
        if label not in self._digests:
            try:
                self._digests[label] = file_sha256(self.path(label))
            except OSError:
                self._digests[label] = None
        return self._digests[label]


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
