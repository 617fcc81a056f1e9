"""One redline in progress: the two documents, the output package and what has been done so far.

The modules of the redline are functions of this session (`s`): it holds OLD and NEW as read
(`sources.py`, `content.py`), the revision marker, the copier of OLD content, the notes, the
report, and the output package built from NEW's parts, where only the stories that changed
are written again.
"""

from __future__ import annotations

import re

from .. import docmodel as dm
from ..docmodel import Document
from ..package import Package
from . import blocks, headers, tables, words
from .content import Reader, Tokens
from .copies import Copier
from .marks import Marker
from .notes import Notes
from .report import Report
from .sources import Source


class Session:
    def __init__(self, old: Document, new: Document, author: str, date: str):
        self.old, self.new = Source(old), Source(new)
        self.old.read_all_stories()
        self.new.read_all_stories()
        self.tokens = Tokens()
        self.read_old, self.read_new = Reader(self.old, self.tokens), Reader(self.new, self.tokens)
        self.out = Package(dict(new.parts), new.label)
        self.marker = Marker(author, date, _first_free_id(new.parts))
        self.report = Report()
        self.copier = Copier(self)
        self.notes = Notes(self)
        self.whole: dict = {}  # blocks marked inserted or deleted whole -> "ins" | "del"
        self.touched: set[str] = set()  # NEW's story parts that changed
        self.paired: dict = {}  # OLD paragraph -> the NEW paragraph it was compared with

    # the stages call each other through the session
    def diff_container(self, old_el, new_el, old_part: str, new_part: str, old_blocks=None, new_blocks=None) -> None:
        blocks.diff_container(self, old_el, new_el, old_part, new_part, old_blocks, new_blocks)

    def diff_paragraph(self, op, np, old_part: str, new_part: str) -> None:
        words.diff_paragraph(self, op, np, old_part, new_part)

    def diff_table(self, ot, nt, old_part: str, new_part: str) -> None:
        tables.diff_table(self, ot, nt, old_part, new_part)

    def mark_inserted(self, el, part: str) -> None:
        blocks.mark_inserted(self, el, part)

    def run(self) -> None:
        """Compare everything: body (with the notes and text boxes it refers to), headers and footers."""
        for src, name in ((self.old, "OLD"), (self.new, "NEW")):
            if src.accepted:
                self.report.add("tracked changes", f"{name} ({src.label}) holds {src.accepted} tracked "
                                f"change{'s' if src.accepted != 1 else ''}; it is compared as it reads with them "
                                "accepted, so rejecting all gives that reading, not its own revisions")
        for src, name in ((self.old, "OLD"), (self.new, "NEW")):
            for tag, what in (("altChunk", "imported document (altChunk)"), ("subDoc", "subdocument")):
                found = sum(1 for _ in src.doc.root.iter(dm.w(tag)))
                if found:
                    self.report.add("body", f"{name} holds {found} {what}{'s' if found != 1 else ''}, "
                                    "whose content is not compared")
        headers.diff_headers(self)  # first: the body's deleted section breaks must not count as NEW's sections
        self.diff_container(self.old.doc.body, self.new.doc.body, self.old.main, self.new.main,
                            self.old.doc.blocks, self.new.doc.blocks)
        self.notes.finish()
        self.copier.finish()

    def write_main(self) -> None:
        """Put the marked main document into the output package."""
        self.out.set_xml(self.new.main, self.new.doc.root)

    def result(self) -> bytes:
        """Return the output package: NEW's parts with the marked stories and the report."""
        self.write_main()
        for name in self.touched:
            root = self.new.stories.get(name)
            if root is not None:
                self.out.set_xml(name, root)
        settings = self.new.story("word/settings.xml") if "word/settings.xml" in self.new.parts else None
        if settings is not None:
            hidden = settings.findall(dm.w("revisionView"))
            for el in hidden:
                settings.remove(el)
            if hidden:
                self.out.set_xml("word/settings.xml", settings)
        self.report.write(self.out)
        return self.out.to_bytes()


def _first_free_id(parts: dict[str, bytes]) -> int:
    """Return one more than the largest `w:id` in any story of the document (revision ids must be unique)."""
    found = 0
    pattern = re.compile(rb'w:id="(-?\d+)"')
    for name, data in parts.items():
        if name.startswith("word/") and name.endswith(".xml"):
            for value in pattern.findall(data):
                found = max(found, int(value))
    return found + 1

