"""Footnotes, endnotes and comments: the stories a paragraph refers to by id.

A reference kept on both sides pairs its two notes, and their text is diffed like any other
container. A reference only in NEW is marked inserted with its note's text; a reference only
in OLD is copied into the output with a copy of OLD's note under a fresh id, its text marked
deleted, so rejecting all brings the note back. Comments are not revisions in Word: a
comment's reference is kept, inserted or deleted like a word, and a deleted one brings a copy
of OLD's comment along (so its text is there again when the changes are rejected).
"""

from __future__ import annotations

import copy
import posixpath
from typing import TYPE_CHECKING

from lxml import etree

from .. import docmodel as dm
from ..ooxml import P, TBL, w
from .sources import NOTE_KINDS, RT

if TYPE_CHECKING:
    from .session import Session

_REFS = {w("footnoteReference"): "footnotes", w("endnoteReference"): "endnotes"}


def _references(root: etree._Element):
    for ref in root.iter(*_REFS):
        yield ref, _REFS[ref.tag]


def _inserted(el: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag == dm.INS:
            return True
        parent = parent.getparent()
    return False


CONTENT_TYPES = {
    kind: f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml" for kind in NOTE_KINDS}


class Notes:
    def __init__(self, s: "Session"):
        self.s = s
        self._diffed: set = set()
        self._inserted: set = set()
        self._copied: dict = {}
        self._next: dict[str, int] = {}
        self._parts: dict[str, tuple[str, etree._Element]] = {}
        self._references: dict | None = None

    def can_diff(self, kind: str, old_id: str | None, new_id: str | None) -> bool:
        """Return whether OLD's note may be diffed into NEW's: NEW's is referenced once, or they read the same."""
        if self._references is None:
            self._references = {}
            for ref, k in _references(self.s.new.doc.root):
                key = (k, ref.get(dm.ID))
                self._references[key] = self._references.get(key, 0) + 1
        if self._references.get((kind, new_id), 0) <= 1:
            return True
        s = self.s
        old, new = s.old.note(kind, old_id), s.new.note(kind, new_id)
        if old is None or new is None:
            return True
        return s.read_old.container_digest(old, s.old.note_part(kind)) == \
            s.read_new.container_digest(new, s.new.note_part(kind))

    def diff(self, kind: str, old_id: str | None, new_id: str | None) -> None:
        """Diff OLD's note `old_id` into NEW's note `new_id` (a NEW note is diffed once)."""
        s = self.s
        old, new = s.old.note(kind, old_id), s.new.note(kind, new_id)
        if old is None or new is None or (kind, new_id) in self._diffed:
            return
        self._diffed.add((kind, new_id))
        if s.read_old.container_digest(old, s.old.note_part(kind)) == \
                s.read_new.container_digest(new, s.new.note_part(kind)):
            return
        s.touched.add(s.new.note_part(kind))
        s.diff_container(old, new, s.old.note_part(kind), s.new.note_part(kind))

    def mark_inserted(self, kind: str, new_id: str | None) -> None:
        """Note that a reference to NEW's note `new_id` was inserted (its text is marked by `finish`)."""
        if kind != "comments":
            self._inserted.add((kind, new_id))

    def finish(self) -> None:
        """Mark inserted the text of the notes whose every reference was inserted."""
        kept = {(kind, ref.get(dm.ID)) for ref, kind in _references(self.s.new.doc.root) if not _inserted(ref)}
        for kind, new_id in sorted(self._inserted - kept, key=str):
            note = self.s.new.note(kind, new_id)
            if note is None:
                continue
            self.s.touched.add(self.s.new.note_part(kind))
            for child in list(note):
                if child.tag in (P, TBL):
                    self.s.mark_inserted(child, self.s.new.note_part(kind))

    def copy(self, kind: str, old_id: str | None, *, deleted: bool) -> str | None:
        """Copy OLD's note `old_id` into the output; return its new id (None: OLD has no such note).

        A note's text is marked deleted with its reference (`deleted`); a comment is copied as it was.
        """
        key = (kind, old_id)
        if key in self._copied:
            return self._copied[key]
        s = self.s
        old = s.old.note(kind, old_id)
        if old is None:
            return None
        name, root = self._part(kind)
        new_id = str(self._next[kind])
        self._next[kind] += 1
        self._copied[key] = new_id
        note = etree.SubElement(root, old.tag, {k: v for k, v in old.attrib.items()})
        note.set(dm.ID, new_id)
        old_part = s.old.note_part(kind)
        for child in old:
            if deleted and child.tag in (P, TBL):
                note.append(s.copier.deleted(child, old_part, name))
            else:
                note.append(s.copier.bring(child, old_part, name))
        s.touched.add(name)
        return new_id

    def _part(self, kind: str) -> tuple[str, etree._Element]:
        """Return the output's notes part of this kind, made from OLD's when NEW has none."""
        found = self._parts.get(kind)
        if found is not None:
            return found
        s = self.s
        name = s.new.note_part(kind)
        root = s.new.story(name) if name else None
        if root is None:
            old_name = s.old.note_part(kind) or f"word/{kind}.xml"
            old_root = s.old.story(old_name)
            name = old_name if old_name not in s.out.parts else posixpath.join(
                posixpath.dirname(old_name), "old-" + posixpath.basename(old_name))
            root = etree.Element(old_root.tag, nsmap=old_root.nsmap)
            for note in old_root:  # the separators a notes part needs
                if note.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                    root.append(copy.deepcopy(note))
            s.out.set_part(name, b"", CONTENT_TYPES[kind])
            s.out.rels(s.new.main).add(RT + kind, name)
            s.new.stories[name] = root
            s.new.adopt_part(kind, name)
        ids = [int(v) for v in (n.get(dm.ID, "") for n in root) if v.lstrip("-").isdigit()]
        self._next[kind] = max(ids + [0]) + 1
        self._parts[kind] = (name, root)
        return name, root
