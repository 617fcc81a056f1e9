"""Compiled templates kept on disk, so that a render does not patch and compile them again.

Why: preparing the umbrella template (docxtpl's clean-up of Word's XML, then Jinja's
compilation) costs more than the whole of python-docx's open-and-save of a national agreement,
and templates change far less often than agreements. Like Python's own `__pycache__`, an entry
is found by the exact bytes of its template and the versions of everything that compiled it,
so an edited template or an upgraded library simply misses and is compiled afresh. The cache
never changes what is rendered: the same inputs give the same bytes with or without it.

Entries hold marshalled code, so the folder must be private: it is created with mode 0700 and
ignored when another user owns it or others can write to it. Settings:
`AGREEMENT_BUILDER_CACHE=off` turns the cache off; `AGREEMENT_BUILDER_CACHE=DIR` moves it
(default: `$XDG_CACHE_HOME/agreement-builder`, else `~/.cache/agreement-builder`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

#: Bump when the layout of an entry changes.
FORMAT = 2

_OFF = {"off", "0", "no", "false", "none"}


def cache_dir() -> Path | None:
    """Return the cache folder, or None when the cache is turned off."""
    setting = os.environ.get("AGREEMENT_BUILDER_CACHE", "").strip()
    if setting.lower() in _OFF:
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "agreement-builder"


def stamp(path: str | None) -> str:
    """Return what identifies one version of a source file without reading it (size and time)."""
    if not path:
        return "-"
    try:
        st = os.stat(path)
    except OSError:  # no such file: the stamp says so ('-'), and the key changes when it appears
        return "-"
    return f"{st.st_size}:{st.st_mtime_ns}"


def _compilers() -> str:
    """Return the versions of what turns a template into code: Python, Jinja, docxtpl and this package."""
    import jinja2

    from .version import __version__

    spec = importlib.util.find_spec("docxtpl")  # a top-level name: found, not imported
    docxtpl_file = os.path.join(os.path.dirname(spec.origin), "template.py") if spec and spec.origin else None
    here = Path(__file__).resolve().parent
    ours = ",".join(stamp(str(here / name)) for name in ("render.py", "cache.py", "package.py",
                                                            "template_repair.py", "template_text.py"))
    return f"{FORMAT}|{sys.version}|{jinja2.__version__}|{stamp(docxtpl_file)}|{__version__}|{ours}"


def key(kind: str, blob: bytes) -> str:
    """Return the name of the entry for a template of `kind` whose file holds `blob`."""
    h = hashlib.sha256()
    h.update(f"{kind}\0{_compilers()}\0".encode())
    h.update(blob)
    return h.hexdigest()


def _private(folder: Path) -> bool:
    try:
        st = folder.stat()
    except OSError:  # cannot be looked at: not ours, so not trusted
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


def load(name: str) -> Any | None:
    """Return the entry `name`, or None when it is absent, unreadable or the folder is not private."""
    folder = cache_dir()
    if folder is None or not _private(folder):
        return None
    try:
        data = (folder / name).read_bytes()
        return marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):  # absent, unreadable or damaged: a cache miss, the template is prepared again
        return None


def store(name: str, value: Any) -> None:
    """Write entry `name` atomically; a cache that cannot be written is silently not used."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps(value))
            os.replace(tmp, folder / name)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:  # already gone; the write's own error goes up
                pass
            raise
    except (OSError, ValueError):  # the cache is an optimisation: a failure to store costs a later recompile, nothing else
        return
