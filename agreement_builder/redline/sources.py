"""The two documents of a redline: their parts, relationships, stories and notes, read once.

Why: a Word document is more than word/document.xml. Pictures, charts and SmartArt live in
parts of their own reached through relationships; footnotes, endnotes, comments, headers and
footers are separate stories. Comparing "what a reader sees" means following those links, on
both sides, with every story's own tracked changes accepted first (the input is compared as it
reads; the redline says so).
"""

from __future__ import annotations

import hashlib
import posixpath

from lxml import etree

from .. import docmodel as dm
from ..docmodel import Document
from ..ooxml import PR_NS, RT_PREFIX

RT = RT_PREFIX

#: The note-like stories: relationship type (last segment) -> the element of one note.
NOTE_KINDS = {"footnotes": "footnote", "endnotes": "endnote", "comments": "comment"}


class Rel:
    __slots__ = ("rid", "type", "target", "external")

    def __init__(self, rid: str, type_: str, target: str, external: bool):
        self.rid, self.type, self.target, self.external = rid, type_, target, external


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


class Source:
    """One input document as read for comparing: parts, relationships, stories (revisions accepted)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.label = doc.label
        self.parts = doc.parts
        self.main = "word/document.xml"
        self._rels: dict[str, dict[str, Rel]] = {}
        self._hash: dict[str, str] = {}
        self.stories: dict[str, etree._Element] = {self.main: doc.root}
        self.accepted = doc.accepted_revisions
        self._notes: dict[str, dict[str, etree._Element]] = {}
        self._note_parts: dict[str, str] = {}

    # ---------------------------------------------------------------- relationships

    def rels(self, part: str) -> dict[str, Rel]:
        """Return the relationships of `part` by id (targets as part names)."""
        found = self._rels.get(part)
        if found is None:
            found = {}
            data = self.parts.get(rels_name(part))
            if data:
                folder = posixpath.dirname(part)
                root = dm.parse_part(self.parts, rels_name(part), self.label)
                for el in root.iter(f"{{{PR_NS}}}Relationship"):
                    target, external = el.get("Target", ""), el.get("TargetMode") == "External"
                    if not external:
                        target = target[1:] if target.startswith("/") else posixpath.normpath(
                            posixpath.join(folder, target))
                    found[el.get("Id", "")] = Rel(el.get("Id", ""), el.get("Type", ""), target, external)
            self._rels[part] = found
        return found

    def related(self, part: str, kind: str) -> str | None:
        """Return the part that `part` relates to by relationship type `kind` (its last segment)."""
        for rel in self.rels(part).values():
            if rel.type == RT + kind and not rel.external:
                return rel.target
        return None

    def part_hash(self, name: str, _seen: frozenset = frozenset()) -> str:
        """Return a hash of a part's bytes and of every part it relates to (a chart's workbook ...)."""
        found = self._hash.get(name)
        if found is None:
            h = hashlib.sha1(self.parts.get(name, b"\0missing"))
            for rel in sorted(self.rels(name).values(), key=lambda r: (r.type, r.target)):
                h.update(rel.type.encode())
                if rel.external:
                    h.update(rel.target.encode())
                elif rel.target not in _seen:
                    h.update(self.part_hash(rel.target, _seen | {name}).encode())
            found = self._hash[name] = h.hexdigest()
        return found

    def target_hash(self, part: str, rid: str) -> str:
        """Return what relationship `rid` of `part` points at: a part's deep hash or an external URL."""
        rel = self.rels(part).get(rid)
        if rel is None:
            return "missing:" + rid
        return rel.target if rel.external else self.part_hash(rel.target)

    # ---------------------------------------------------------------- stories

    def story(self, name: str) -> etree._Element | None:
        """Return the parsed root of a story part (notes, header ...), its tracked changes accepted."""
        if name not in self.stories:
            root = dm.parse_part(self.parts, name, self.label)
            if root is not None:
                self.accepted += dm.accept_revisions(root)
            self.stories[name] = root
        return self.stories[name]

    def notes(self, kind: str) -> dict[str, etree._Element]:
        """Return the notes (footnotes, endnotes or comments) by id; {} when the document has none."""
        found = self._notes.get(kind)
        if found is None:
            name = self.note_part(kind)
            root = self.story(name) if name else None
            tag = dm.w(NOTE_KINDS[kind])
            found = {} if root is None else {el.get(dm.ID, ""): el for el in root.iter(tag)}
            self._notes[kind] = found
        return found

    def note_part(self, kind: str) -> str | None:
        return self._note_parts.get(kind) or self.related(self.main, kind)

    def adopt_part(self, kind: str, name: str) -> None:
        """Take `name` as this document's notes part of `kind` (one added to the output)."""
        self._note_parts[kind] = name
        self._notes[kind] = {}

    def note(self, kind: str, note_id: str | None) -> etree._Element | None:
        return self.notes(kind).get(note_id or "")

    def read_all_stories(self) -> None:
        """Parse every story part now, so `accepted` counts the tracked changes of all of them."""
        for kind in NOTE_KINDS:
            self.notes(kind)
        for rel in self.rels(self.main).values():
            if rel.type in (RT + "header", RT + "footer") and not rel.external:
                self.story(rel.target)
