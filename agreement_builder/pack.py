"""The pack folder as a ledger: whose it is, who is writing it, and what may be replaced.

What this module promises (docs/pack.md says it for users):

- The output folder is used only when it is absent, empty, or a pack this tool wrote for the
  same summit (its manifest.json says so). Anything else is refused, never emptied.
- One build at a time: a lock file beside the folder (`.<out>.agreement-builder-lock`), held
  with flock, so a second build is refused at once and a killed build's lock is free again.
  The lock file also records the build's pid and the names of its staging and backup folders;
  the next build removes exactly those (never anything matched by a pattern), and puts back a
  pack that a killed build had moved aside.
- A new pack is assembled in a staging folder beside the output folder and swapped in with two
  renames, so a reader only ever sees a whole pack. Files of the old pack that the manifest
  does not list (a user's NOTES.txt) are carried into the new one; so are the documents of
  every agreement that was not rebuilt (hard links: no copying).
- A document the tool wrote is replaced only by the rules of `refusal`: a final agreement's
  documents need --force, a document changed by hand since it was written needs
  --force-edited, whatever the status.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OutputError
from .outputs import final_refused, is_final
from .manifest import AgreementRecord, Manifest, OutputFile, file_sha256
from .pack_names import LOCK_SUFFIX, MANIFEST

STAGING_TAG = ".agreement-builder-staging-"
BACKUP_TAG = ".agreement-builder-previous-"


# ---------------------------------------------------------------------------- the folder


@dataclass
class PackFolder:
    """The output folder as this build found it."""

    path: Path  # as the user gave it (messages name it so)
    manifest: Manifest | None  # None: absent or empty
    owned: set[str] = field(default_factory=set)  # files the manifest lists
    foreign: list[str] = field(default_factory=list)  # entries the tool did not write, carried over as they are
    _hashes: dict[str, str | None] = field(default_factory=dict, repr=False)

    @classmethod
    def inspect(cls, out: Path, summit_path: Path, summit_name: str) -> "PackFolder":
        """Return the folder's state; raise OutputError when it is not ours to write."""
        check_location(out, summit_path)
        if not os.path.lexists(out):
            return cls(out, None)
        if out.is_symlink() or not out.is_dir():
            raise OutputError(f"{out}: exists and is not a folder; choose another --out")
        try:
            empty = not any(os.scandir(out))
        except OSError as exc:
            raise OutputError(f"{out}: cannot read the folder: {exc.strerror}") from None
        if empty:
            return cls(out, None)
        manifest = Manifest.read(out)
        if manifest is None:
            raise OutputError(f"{out}: the folder is not a summit pack built by agreement-builder (no {MANIFEST}); "
                              "it is not used. Choose another --out, or empty it")
        if manifest.summit_name != summit_name:
            raise OutputError(f"{out}: holds the pack of another summit ({json.dumps(manifest.summit_name)}); "
                              "it is not replaced. Choose another --out, or move that pack away")
        owned = manifest.owned_paths()
        return cls(out, manifest, owned, _foreign_entries(out, owned))

    def state(self, output: OutputFile) -> str:
        """Return "intact", "missing" or "edited" for a document the manifest lists."""
        current = self.current_sha256(output.path)
        if current is None:
            return "missing"
        return "intact" if current == output.sha256 else "edited"

    def current_sha256(self, rel: str) -> str | None:
        """Return the SHA-256 of a file of the pack as it is now (None: missing), hashed once per build."""
        if rel not in self._hashes:
            path = self.path / rel
            try:
                self._hashes[rel] = file_sha256(path) if path.is_file() and not path.is_symlink() else None
            except OSError:
                self._hashes[rel] = None
        return self._hashes[rel]

    def intact(self, record: AgreementRecord) -> bool:
        return all(self.state(o) == "intact" for o in record.outputs)

    def edited(self, record: AgreementRecord) -> list[str]:
        return [o.path for o in record.outputs if self.state(o) == "edited"]

    def occupied(self, rel: str) -> str | None:
        """Return the entry of the folder that is not the tool's and stands where `rel` would be written."""
        parts = rel.split("/")
        for n in range(1, len(parts) + 1):
            prefix = "/".join(parts[:n])
            path = self.path / prefix
            if not os.path.lexists(path):
                return None
            if n < len(parts) and (path.is_symlink() or not path.is_dir()):
                return prefix  # a file (or a link) where a folder is needed
            if n == len(parts) and prefix not in self.owned:
                return prefix
        return None


def check_location(out: Path, summit_path: Path) -> None:
    """Refuse an output folder that could never be a pack: the file system root, or one holding the summit."""
    absolute = Path(os.path.abspath(out))
    if not absolute.name or absolute.name in (".", ".."):
        raise OutputError(f"{out}: cannot be the pack folder; choose a named folder (e.g. --out out)")
    if Path(os.path.abspath(summit_path)).is_relative_to(absolute):
        raise OutputError(f"{out}: the output folder holds the summit file; choose a separate folder (e.g. --out out)")


def _foreign_entries(out: Path, owned: set[str]) -> list[str]:
    """Return the entries of the pack folder that the manifest does not list (topmost only)."""
    folders = {p.rsplit("/", 1)[0] for p in owned if "/" in p}
    folders |= {"/".join(f.split("/")[:n]) for f in list(folders) for n in range(1, f.count("/") + 1)}
    foreign: list[str] = []

    def walk(folder: Path, rel: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            raise OutputError(f"{folder}: cannot read the folder: {exc.strerror}") from None
        for entry in entries:
            name = f"{rel}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if name in folders:
                    walk(Path(entry.path), name + "/")
                else:
                    foreign.append(name)
            elif name not in owned:
                foreign.append(name)
            if not (entry.is_dir(follow_symlinks=False) or entry.is_file(follow_symlinks=False)
                    or entry.is_symlink()):
                raise OutputError(f"{entry.path}: a special file (not a file, folder or link) is in the pack folder; "
                                  "move it away")

    walk(out, "")
    return foreign


# ---------------------------------------------------------------------------- what may be replaced


def refusal(folder: PackFolder, previous: AgreementRecord | None, fresh: list[OutputFile] | None, *,
            force: bool, force_edited: bool) -> str | None:
    """Return why the documents of `previous` must stay in the pack instead of `fresh`, or None.

    `fresh` is this build's documents of the agreement; None means the agreement is being
    removed (--prune). A document changed by hand since the tool wrote it is replaced only
    with `force_edited` (unless this build writes exactly what is there now); a final
    agreement's documents are replaced or removed only with `force`.
    """
    if previous is None or not previous.outputs:
        return None
    new = {o.path: o.sha256 for o in fresh or []}
    if not force_edited:
        for o in previous.outputs:
            if folder.state(o) == "edited" and new.get(o.path) != folder.current_sha256(o.path):
                return (f"{folder.path / o.path} was changed by hand since agreement-builder wrote it; it is kept "
                        "(move your copy elsewhere, or use --force-edited to replace it)")
    if is_final(previous.status) and not force:
        for o in previous.outputs:
            if new.get(o.path) != o.sha256:
                action = "replace" if o.path in new else "remove"
                return final_refused(folder.path / o.path, f"the pack holds the final agreement and this build would "
                                     f"{action} this document", action=action)
    return None


# ---------------------------------------------------------------------------- carrying files over


def carry(out: Path, staging: Path, rel: str) -> None:
    """Put `out/rel` into the new pack as it is: a hard link (a copy across file systems), a link, a folder."""
    source, target = out / rel, staging / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        target.mkdir(exist_ok=True)
        shutil.copystat(source, target)
        for child in sorted(os.listdir(source)):
            carry(out, staging, f"{rel}/{child}")
    else:
        try:
            os.link(source, target)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
                raise
            shutil.copy2(source, target)


# ---------------------------------------------------------------------------- lock, staging, swap


class BuildLock:
    """The lock on a pack folder, with the record of what this build created beside it.

    Use as a context manager: entering takes the lock (or raises OutputError), cleans what a
    dead build recorded, and leaving removes this build's staging folder and the lock file.
    """

    def __init__(self, out: Path):
        self.out = out
        self.absolute = Path(os.path.abspath(out))
        self.parent = self.absolute.parent
        self.lock_path = self.parent / f".{self.absolute.name}{LOCK_SUFFIX}"
        self.staging: Path | None = None
        self.notices: list[str] = []
        self._fd: int | None = None

    # -- the lock

    def __enter__(self) -> "BuildLock":
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.out}: cannot create its folder {_shown(exc, self.parent)}: {exc.strerror}") from None
        while True:
            try:
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
            except OSError as exc:
                raise OutputError(f"{self.out}: cannot write the pack here: cannot create {self.lock_path}: "
                                  f"{exc.strerror}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_record(fd).get("pid")
                os.close(fd)
                raise OutputError(f"{self.out}: another build{f' (pid {holder})' if holder else ''} is writing this pack; "
                                  "wait for it to finish") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.lock_path, follow_symlinks=False).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the holder removed the file as we opened it: lock the new one
        self._fd = fd
        try:
            self._recover(_read_record(fd))
            self._record()
        except OSError as exc:
            self._release()
            raise OutputError(f"{exc.filename or self.lock_path}: cannot clean up after a stopped build: "
                              f"{exc.strerror}") from None
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._release()

    def _release(self) -> None:
        if self._fd is None:
            return
        try:
            os.unlink(self.lock_path)
        except OSError:  # already removed: the lock is released by closing the descriptor below
            pass
        os.close(self._fd)
        self._fd = None

    def _record(self, **fields) -> None:
        """Write what this build created beside the pack, for the next build to clean if this one dies."""
        data = json.dumps({"pid": os.getpid(), "staging": self.staging.name if self.staging else None, **fields})
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data.encode("utf-8"), 0)

    def _own(self, name, tag: str) -> Path | None:
        """Return a recorded folder beside the pack, if the name is one this tool makes."""
        if isinstance(name, str) and name.startswith(f".{self.absolute.name}{tag}") and "/" not in name:
            return self.parent / name
        return None

    def _recover(self, record: dict) -> None:
        """Finish what a dead build left: put back the pack it moved aside, remove its staging and backup."""
        staging = self._own(record.get("staging"), STAGING_TAG)
        backup = self._own(record.get("backup"), BACKUP_TAG)
        if backup is not None and os.path.lexists(backup):
            swapped = record.get("phase") == "swapped" or (staging is not None and not os.path.lexists(staging))
            if not os.path.lexists(self.absolute):
                os.rename(backup, self.absolute)  # stopped between the swap's two renames
                self.notices.append(f"{self.out}: put back the pack a stopped build had moved aside")
            elif swapped:
                shutil.rmtree(backup, ignore_errors=True)
            else:
                self.notices.append(f"{backup}: a pack a stopped build had moved aside, kept as it is "
                                    f"(a new {self.out} was made since); remove it when you do not need it")
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)

    # -- staging and swap

    def new_staging(self) -> Path:
        """Create the folder the new pack is assembled in (mode 0777 under the umask, like any folder)."""
        while True:
            path = self.parent / f".{self.absolute.name}{STAGING_TAG}{os.getpid()}-{secrets.token_hex(4)}"
            self.staging = path
            self._record()  # recorded before it exists: a build killed just after leaves nothing unrecorded
            try:
                os.mkdir(path)
                return path
            except FileExistsError:  # the random name was taken: draw another
                continue

    def swap(self) -> None:
        """Put the staged pack in place of the old one: old aside, new in, old deleted.

        Between the two renames the pack folder does not exist; an interruption there puts the
        old pack back (and a `kill -9` there is repaired by the next build, from the record).
        """
        staging = self.staging
        backup = None
        try:
            if os.path.lexists(self.absolute):
                backup = self.parent / f".{self.absolute.name}{BACKUP_TAG}{os.getpid()}-{secrets.token_hex(4)}"
                self._record(backup=backup.name, phase="swapping")
                os.rename(self.absolute, backup)
            os.rename(staging, self.absolute)
        except BaseException:
            if backup is not None and os.path.lexists(backup) and not os.path.lexists(self.absolute):
                os.rename(backup, self.absolute)
            raise
        self.staging = None
        if backup is not None:
            self._record(backup=backup.name, phase="swapped")
            shutil.rmtree(backup, ignore_errors=True)
            if not os.path.lexists(backup):
                self._record()  # else the next build tries again


def _read_record(fd: int) -> dict:
    try:
        data = json.loads(os.pread(fd, 65536, 0) or b"{}")
    except (OSError, ValueError):  # no readable record: nothing recorded to clean up
        return {}
    return data if isinstance(data, dict) else {}


def _shown(exc: OSError, default: Path) -> str:
    return str(exc.filename) if exc.filename else str(default)
