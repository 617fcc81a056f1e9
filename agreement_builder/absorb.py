"""A reviewer's Word edits back into the agreement's YAML: each change mapped to what owns its text.

Why: reviewers work in Word, with Track Changes on or off, and send the draft back. Retyping
their changes into the YAML by hand loses some (a change to standard wording most easily).
A rendered agreement carries what it was made from (input_record.py) and a stable id on every
section, clause and annex (the `_AB_*` bookmarks), so the changes can be read back:

1. The source: the agreement named (or recorded in the document), refused unless the document
   was rendered from exactly these inputs (same agreement bytes, parties and templates).
2. The reviewed document as it reads with its tracked changes accepted, with who made each
   change and when (`w:ins`/`w:del`; bookmarks LibreOffice moved into a deletion are put back
   first). Untracked edits are found the same way: the document is compared with a fresh
   render of the same inputs through render.py's one render path.
3. The two aligned block by block (stable ids first, then text; redline/align.py), and each
   difference given to its owner:
   - **agreement data**: an agreement clause (reworded, deleted; a new paragraph in a Part A
     section is a new clause with a new id), a function's name or specification (purpose,
     services, service levels), a budget or formula input in an annex table (net revenue
     expenditure, demand, fixed shares), dates, version, title, the alliance;
   - **computed figures** (shares, contributions, totals): never written; reported as a
     conflict naming the inputs to change;
   - **template wording**: reported with the template, section, paragraph and the text before
     and after, so it can go into the template or become an agreement clause; never dropped.

The result is data (`Absorption`): the edits for yaml_edit.py, and a `Change` per difference
with where it was (clause number, who, when) and where it went (FILE:LINE) or why it was not
absorbed. cli.py prints it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from . import docmodel as dm
from . import input_record
from .errors import AgreementBuilderError, InputError, Position
from .formats import format_date, format_money, format_number
from .formulas import FORMULAS, INPUTS
from .ooxml import BOOKMARK_END, BOOKMARK_START, CLAUSE, DEL, FUNCTION, ID_PREFIX, INS, NAME, PPR, RPR, SECTION, P, bookmark_name, w
from .outline import SECTION_TITLES
from .redline.align import align, ratio, words
from .textdiff import opcodes
from .yaml_edit import Edit, EditError, apply

_ABSORB_NS = "urn:agreement-builder:absorb"
_REV = f"{{{_ABSORB_NS}}}rev"


class AbsorbRefused(InputError):
    """The document cannot be absorbed into this agreement (not rendered from it, or not by this tool)."""


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Revision:
    """One tracked change as the reviewer's Word recorded it."""

    kind: str  # "inserted" | "deleted"
    author: str
    date: str
    text: str


@dataclass
class Change:
    """One difference between the reviewed document and a fresh render, and what became of it."""

    status: str  # "absorbed" | "computed" | "template" | "not absorbed"
    where: str  # in the document: "clause 8.5", "Service Specification 3 “Dog Unit”, Services in Scope"
    before: str
    after: str
    who: str = ""  # authors of the tracked changes in it ("" when typed with Track Changes off)
    when: str = ""  # their dates
    field: str = ""  # the YAML field it went to (or would go to)
    target: str = ""  # FILE:LINE where it went; for template wording, the template and place
    reason: str = ""  # why it was not absorbed / what to do instead


@dataclass
class FileEdit:
    """One YAML file absorb changes: its text before and after."""

    path: Path
    label: str
    old_text: str
    new_text: str


@dataclass
class Absorption:
    """What `absorb` found: the changes, and each YAML file before and after (nothing is written here).

    The agreement is always `files[0]`; office holders' names are in the parties file, which
    comes second when a signature block was edited.
    """

    files: list[FileEdit]
    changes: list[Change]
    edits: list[Edit]
    tracked: int = 0  # tracked changes in the document
    problems: list[str] = field(default_factory=list)  # what would be invalid after the edits: nothing is written
    #: where the agreement says it is final: a signed agreement's record is never edited (`refuse_signed`)
    signed: Position | None = None

    @property
    def agreement(self) -> Path:
        return self.files[0].path

    @property
    def label(self) -> str:
        return self.files[0].label

    @property
    def old_text(self) -> str:
        return self.files[0].old_text

    @property
    def new_text(self) -> str:
        return self.files[0].new_text

    @property
    def absorbed(self) -> list[Change]:
        return [c for c in self.changes if c.status == "absorbed"]

    @property
    def not_absorbed(self) -> list[Change]:
        return [c for c in self.changes if c.status != "absorbed"]


# --------------------------------------------------------------------------- reading the reviewed document


def _text_of(el: etree._Element, tags=(w("t"), w("delText"))) -> str:
    return "".join(t.text or "" for t in el.iter(*tags))


def _prepare_revisions(root: etree._Element) -> tuple[dict[int, list[Revision]], list[tuple[str, Revision]], int]:
    """Record who changed what in each paragraph, then let accepting keep the stable ids.

    Returns the revisions by paragraph number (the number is written on the paragraph, where
    it survives accepting), the paragraphs deleted whole (their text and revision), and how many
    tracked changes there were. Bookmarks inside a deletion (LibreOffice moves them there) are
    moved just before it, unless the whole paragraph goes.
    """
    by_paragraph: dict[int, list[Revision]] = {}
    deleted_whole: list[tuple[str, Revision]] = []
    marks = list(root.iter(INS, DEL))
    touched: dict[int, etree._Element] = {}  # only paragraphs with revisions are looked at (most have none)
    for el in marks:
        p = next((a for a in el.iterancestors(P)), None)
        if p is not None:
            touched.setdefault(id(p), p)

    def number(p: etree._Element) -> int:
        if p.get(_REV) is None:
            p.set(_REV, str(len(by_paragraph)))
            by_paragraph[len(by_paragraph)] = []
        return int(p.get(_REV))

    for p in touched.values():
        revs = by_paragraph[number(p)]
        mark_deleted = None
        for el in p.iter(INS, DEL):
            parent = el.getparent()
            rev = Revision("inserted" if el.tag == INS else "deleted", el.get(w("author"), ""),
                           el.get(w("date"), ""), _text_of(el))
            if parent is not None and parent.tag == RPR and parent.getparent() is not None \
                    and parent.getparent().tag == PPR:
                if el.tag == DEL:
                    mark_deleted = rev
                continue
            if rev.text:
                revs.append(rev)
        kept = "".join(t.text or "" for t in p.iter(w("t")) if not _inside(t, DEL))
        if mark_deleted is not None:
            nxt = p.getnext()
            if not kept.strip():
                text = _text_of(p)
                if text.strip():
                    deleted_whole.append((text, next((r for r in revs if r.kind == "deleted"), mark_deleted)))
                # the paragraph goes: its stable ids must not join the next paragraph (a heading, say)
                for bm in list(p.iter(BOOKMARK_START)):
                    if bm.get(NAME, "").startswith(ID_PREFIX):
                        bm.getparent().remove(bm)
            elif nxt is not None and nxt.tag == P:  # joins the next paragraph: so do its revisions
                by_paragraph[number(nxt)].extend(revs)
        if mark_deleted is None or kept.strip():
            for bm in list(p.iter(BOOKMARK_START, BOOKMARK_END)):
                holder = _inside(bm, DEL)
                if holder is not None:
                    holder.addprevious(bm)
    count = len(marks)
    return by_paragraph, deleted_whole, count


def _inside(el: etree._Element, tag: str) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != P:
        if parent.tag == tag:
            return parent
        parent = parent.getparent()
    return None


@dataclass
class Reviewed:
    """The reviewed document: its blocks with tracked changes accepted, and who made them."""

    document: dm.Document
    revisions: dict[int, list[Revision]]
    deleted_whole: list[tuple[str, Revision]]
    tracked: int
    record: input_record.InputRecord | None

    def revisions_of(self, block: dm.Block) -> list[Revision]:
        found: list[Revision] = []
        for p in ([block.element] if block.kind == "p" else block.element.iter(P)):
            number = p.get(_REV)
            if number is not None:
                found += self.revisions.get(int(number), [])
        return found

    def deletion_of(self, text: str) -> Revision | None:
        for deleted, rev in self.deleted_whole:
            if deleted.strip() == text.strip():
                return rev
        return None


def read_reviewed(source: str | Path | bytes, label: str) -> Reviewed:
    """Return the reviewed document (an untrusted .docx): accepted text, revisions, input record."""
    from .package import read_docx_parts

    parts = read_docx_parts(source, label=label)
    root = dm.parse_part(parts, "word/document.xml", label)
    body = root.find(w("body")) if root is not None else None
    if body is None:
        raise InputError.in_file(label, "word/document.xml has no w:body: this is not a Word document")
    revisions, deleted_whole, tracked = _prepare_revisions(root)
    styles = dm.read_styles(dm.parse_part(parts, "word/styles.xml", label))
    accepted = dm.accept_revisions(root)
    document = dm.Document(label, parts, root, body, dm.read_blocks(body, styles), styles, accepted)
    return Reviewed(document, revisions, deleted_whole, tracked, input_record.read(parts))


# --------------------------------------------------------------------------- finding and trusting the source


def find_source(reviewed: Reviewed, label: str, agreement: Path | None, reviewed_path: Path | None) -> Path:
    """Return the agreement file to absorb into: the one named, else the one the document records."""
    record = reviewed.record
    if record is None:
        raise AbsorbRefused.in_file(
            label, "the document does not say which agreement it was rendered from (it has no agreement-builder "
                   "record in its properties)",
            hint="absorb reads documents rendered by agreement-builder render or build (the full version: a "
                 "publication version records nothing of its inputs)")
    if agreement is not None:
        return agreement
    source = record.source
    if os.path.isabs(source) or ".." in Path(source).parts or "\\" in source:
        raise AbsorbRefused.in_file(label, "the agreement path recorded in the document leaves its workspace",
                                    hint="name the agreement: absorb REVIEWED.docx AGREEMENT.yaml")
    from .inputs import outside_reason

    folders = []
    if reviewed_path is not None:  # the document's own workspace first, then the current folder
        folders += [Path(os.path.abspath(reviewed_path)).parent, *Path(os.path.abspath(reviewed_path)).parent.parents]
    folders.append(Path.cwd())
    found = [folder / source for folder in folders
             if outside_reason(folder / "-", source, folder) is None and (folder / source).is_file()]
    for candidate in found:  # the one with the recorded bytes, else the first (check_source then says why not)
        try:
            if input_record.file_sha256(candidate.read_bytes()) == record.agreement_sha256:
                return candidate
        except OSError:  # unreadable: not the one; check_source then names the first found
            continue
    if found:
        return found[0]
    raise AbsorbRefused.in_file(label, f"the agreement it was rendered from, {source}, is not in the document's "
                                       "folder, a folder above it, or the current folder",
                                hint="run absorb in the workspace, or name the agreement: absorb REVIEWED.docx AGREEMENT.yaml")


def check_source(record: input_record.InputRecord, checked, label: str, digest: str, raw: bytes) -> None:
    """Refuse, naming what differs, unless the document was rendered from exactly these inputs (`raw`: the agreement's bytes)."""
    info = checked.agreement.agreement
    name = checked.label
    if record.reference != info.reference:
        raise AbsorbRefused.in_file(
            label, f"the document was rendered from the agreement with reference {record.reference!r}, "
                   f"not from {name} ({info.reference!r})",
            hint="name the agreement the document was rendered from")
    if record.agreement_sha256 != input_record.file_sha256(raw):
        raise AbsorbRefused.in_file(
            label, f"{name} has changed since the document was rendered from it (version {record.version or '?'}): "
                   "the reviewer's changes cannot be told apart from the file's",
            hint="absorb into the agreement as it was when rendered (e.g. from version control), then redo the later changes")
    if record.inputs_sha256 != digest:
        raise AbsorbRefused.in_file(
            label, f"the parties file or the templates have changed since the document was rendered from {name}",
            hint="absorb with the parties file and templates the document was rendered with")


# --------------------------------------------------------------------------- who owns the text of a fresh render


@dataclass(frozen=True)
class Span:
    """A value printed inside a paragraph or cell: its text, the field it comes from, how to read it back."""

    text: str
    path: tuple  # YAML data path
    kind: str  # "text" | "date" | "money" | "number" | "percent" | "computed"
    inputs: tuple = ()  # for computed: the input paths to change instead
    scope: str = ""  # a heading path the span belongs to ("" anywhere)
    ordered: bool = False  # printed alike with its siblings, told apart by order ("70% ... and 30% ...")


@dataclass
class Owner:
    """What owns a fresh block's text as a whole (None: template wording, maybe with spans)."""

    kind: str  # "clause" | "item" | "field"
    path: tuple  # clause: ("clauses", key, index); item: (..., list, index); field: the value's path
    list_path: tuple = ()  # item / clause: the list


def _number(text: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("£", "").rstrip("%").strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    return Decimal(cleaned)


def _parse(kind: str, text: str) -> Any:
    """Return an edited value read back into data (ValueError when it does not read as its kind)."""
    text = text.strip()
    if kind == "text":
        if not text:
            raise ValueError("empty")
        return text
    if kind == "date":
        try:
            return dt.datetime.strptime(text, "%d %B %Y").date()
        except ValueError:
            raise ValueError(text) from None
    if kind == "money":
        if not text.startswith("£"):
            raise ValueError(text)
        return _number(text)
    if kind == "percent":
        if not text.endswith("%"):
            raise ValueError(text)
        return _number(text)
    return _number(text)


_EXPECT = {"date": "a date like 19 July 2016", "money": "an amount like £1,000.00", "number": "a number",
           "percent": "a percentage like 28.50%", "text": "some text"}


class Ownership:
    """Who owns the text of each block of a fresh render of `checked`."""

    def __init__(self, checked, fresh: dm.Document, tset, publication: bool, data: Any = None):
        from .context import annex_kind, clause_id

        self.checked = checked
        self._data = data
        a = checked.agreement
        self.a = a
        self.source = checked.source
        self.fresh = fresh
        self.owners: dict[int, Owner] = {}
        self.spans: list[Span] = []
        self.numbers = _section_numbers(fresh)
        self.template_of: dict[str, str] = {"": _show(tset.umbrella())}
        self.function_index = {fn.id: i for i, fn in enumerate(a.functions)}
        self.force_by_name = {checked.parties.parties.forces[f].name: f for f in a.forces}
        for fn in a.functions:
            self.template_of[bookmark_name(FUNCTION, fn.id)] = _show(tset.annex(fn.id, annex_kind(fn, publication)))
        # agreement clauses, by their bookmark
        clause_at: dict[str, tuple] = {}
        self.clause_items: dict[str, list] = {}
        for key, items in a.clauses.items():
            raw = self._raw(("clauses", key)) or []
            self.clause_items[key] = raw
            for index, clause in enumerate(items):
                clause_at[bookmark_name(CLAUSE, clause_id(key, clause.text, clause.id))] = (key, index)
        self.ids = {c.id for items in a.clauses.values() for c in items if c.id} | {fn.id for fn in a.functions}
        annex_blocks: dict[str, list[int]] = {}
        for k, block in enumerate(fresh.blocks):
            if block.stable_id and block.stable_id in clause_at:
                key, index = clause_at[block.stable_id]
                self.owners[k] = Owner("clause", ("clauses", key, index), ("clauses", key))
            elif block.path.startswith(FUNCTION) and block.kind == "p":
                annex_blocks.setdefault(block.path, []).append(k)
        for i, fn in enumerate(a.functions):
            ks = annex_blocks.get(bookmark_name(FUNCTION, fn.id), [])
            self._own_specification(i, fn, ks)
        self._spans()
        # signature blocks: "Signed by [holder, ]the <office>" (holders are in the parties file)
        self.signers: dict[str, tuple[str, str, str]] = {}
        known = checked.parties.parties.forces
        for force_id in a.forces:
            for role in ("chief_officer", "policing_body"):
                office = getattr(known[force_id], role)
                signed = f"Signed by {office.holder}, the {office.title}" if office.holder else f"Signed by the {office.title}"
                self.signers[signed] = (force_id, role, office.title)

    def _raw(self, path: tuple) -> Any:
        data = self.checked_data
        for step in path:
            try:
                data = data[step]
            except (KeyError, IndexError, TypeError):  # not written in the file: nothing to tell
                return None
        return data

    @property
    def checked_data(self) -> Any:
        """Return the agreement's data as written (a clause is a string or an id and text)."""
        if self._data is None:
            from .inputs import read_input
            from .loader import load_yaml_text

            self._data = load_yaml_text(read_input(self.checked.path, self.checked.label), self.checked.label).data
        return self._data

    def _own_specification(self, i: int, fn, ks: list[int]) -> None:
        spec = fn.specification if not isinstance(fn.specification, str) else None
        blocks = self.fresh.blocks
        if spec is None:
            return
        base = ("functions", i, "specification")
        wanted: list[tuple[tuple, str, tuple]] = []
        if spec.purpose:
            wanted.append((base + ("purpose",), spec.purpose, ()))
        for name in ("services", "service_levels"):
            for j, item in enumerate(getattr(spec, name, None) or []):
                wanted.append((base + (name, j), item, base + (name,)))
        for name in ("governance", "reporting"):  # printed as paragraphs of their own where a template has them
            value = getattr(spec, name, None)
            if isinstance(value, str) and value:
                wanted.append((base + (name,), value, ()))
        at = 0
        for path, text, list_path in wanted:
            for n in range(at, len(ks)):
                if blocks[ks[n]].text == text and ks[n] not in self.owners:
                    self.owners[ks[n]] = Owner("item" if list_path else "field", path, list_path)
                    at = n + 1
                    break

    def _spans(self) -> None:
        a, info = self.a, self.a.agreement
        for name in ("date", "commencement", "review"):
            value = getattr(info, name)
            if value is not None:
                self.spans.append(Span(format_date(value), ("agreement", name), "date"))
        for name in ("version", "reference", "title", "alliance"):
            self.spans.append(Span(getattr(info, name), ("agreement", name), "text"))
        for name, value in a.governance.model_dump().items():
            if value:
                self.spans.append(Span(value, ("governance", name), "text"))
        for i, fn in enumerate(a.functions):
            scope = bookmark_name(FUNCTION, fn.id)
            self.spans.append(Span(fn.name, ("functions", i, "name"), "text"))
            if fn.budget is not None:
                self.spans.append(Span(format_money(fn.budget), ("functions", i, "budget"), "money", scope=scope))
            weights = fn.apportionment.weights if fn.apportionment is not None else None
            if weights is not None:  # the formula's sentence: "Of the cost ..., 70% is shared ... and 30% ..."
                for name in ("nre", "demand"):
                    self.spans.append(Span(f"{format_number(getattr(weights, name))}%",
                                           ("functions", i, "apportionment", "weights", name), "percent", scope=scope,
                                           ordered=True))
        total = sum((fn.budget for fn in a.functions if fn.budget is not None), Decimal(0))
        self.spans.append(Span(format_money(total), ("functions",), "computed",
                               tuple(("functions", i, "budget") for i, fn in enumerate(a.functions) if fn.budget)))
        # longest first: a function name inside the title is found as the name, not the title
        self.spans.sort(key=lambda s: -len(s.text))

    # -------------------------------------------------------------- tables of an annex

    def cell_owner(self, table: dm.Block, row: int, col: int) -> Span | None:
        """Return the field (or computed figure) a cell of an annex table shows, or None."""
        if not table.path.startswith(FUNCTION):
            return None
        fid = table.path[len(FUNCTION):]
        i = self.function_index.get(fid)
        if i is None:
            i = next((n for n, fn in enumerate(self.a.functions) if bookmark_name(FUNCTION, fn.id) == table.path), None)
            if i is None:
                return None
        fn = self.a.functions[i]
        rows = table.rows
        if not rows or len(rows[0].cells) < 2 or rows[0].cells[0].text.strip() != "Force":
            return None
        header = [c.text.strip() for c in rows[0].cells]
        force_name = rows[row].cells[0].text.strip() if row < len(rows) and rows[row].cells else ""
        force = self.force_by_name.get(force_name)
        ap = fn.apportionment
        inputs = _inputs_of(fn, i)
        heading = header[col] if col < len(header) else ""
        for key, spec in INPUTS.items():
            if spec.per_force and heading == spec.label:
                if force is None or col != 1:
                    return Span(rows[row].cells[col].text, (), "computed", inputs)
                path = ("finance", "net_revenue_expenditure", force) if not spec.per_function else \
                    ("functions", i, "apportionment", spec.field, force)
                return Span(rows[row].cells[col].text, path, spec.kind)
        if header[:3] == ["Force", "Share", "Annual Contribution"] or "Share" in header:
            if ap is not None and ap.formula == "fixed" and heading == "Share" and force is not None:
                return Span(rows[row].cells[col].text, ("functions", i, "apportionment", "shares", force), "percent")
            return Span(rows[row].cells[col].text, (), "computed", inputs)
        return None


def _inputs_of(fn, i: int) -> tuple:
    ap = fn.apportionment
    paths: list[tuple] = [("functions", i, "budget")]
    if ap is None:
        return tuple(paths)
    paths.append(("functions", i, "apportionment", "formula"))
    for key in FORMULAS[ap.formula].inputs:
        spec = INPUTS[key]
        paths.append(("finance", "net_revenue_expenditure") if not spec.per_function else
                     ("functions", i, "apportionment", spec.field))
    return tuple(paths)


def _show(path: Path) -> str:
    """Return how the report names a template: the workspace's own by its path, a shipped one by its name."""
    from .loader import display_path
    from .templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES

    for folder, kind in ((SHIPPED_TEMPLATES, "templates"), (SHIPPED_ANNEXES, "annexes")):
        try:
            Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(folder)))
            return f"the shipped {kind}/{path.name} (`agreement-builder templates copy {path.stem}` to edit it)"
        except ValueError:  # not inside this folder: try the next
            continue
    return display_path(path)


def _section_numbers(doc: dm.Document) -> dict[str, str]:
    from .compose import section_numbers

    return section_numbers(doc.body)


# --------------------------------------------------------------------------- where a block is, in words


class Places:
    """Where each block of a document is, as a reader finds it: "clause 8.5", "Service Specification 3 …"."""

    def __init__(self, doc: dm.Document, numbers: dict[str, str], functions: list):
        self.doc = doc
        self.numbers = numbers
        self.annex_number = {bookmark_name(FUNCTION, fn.id): (n, fn.name) for n, fn in enumerate(functions, start=1)}
        self.labels: list[str] = []
        counter: dict[str, int] = {}
        items = 0
        heading = ""
        for block in doc.blocks:
            path = block.path
            style = block.style_name.lower()
            if block.is_heading:
                counter[path] = 0
                items = 0
                heading = ""
                self.labels.append(self._section(path, block.text))
                continue
            if path.startswith(SECTION) and style == "clause":
                counter[path] = counter.get(path, 0) + 1
                items = 0
                self.labels.append(f"clause {numbers.get(path, '?')}.{counter[path]}")
            elif path.startswith(SECTION) and style == "clause item":
                items += 1
                self.labels.append(f"clause {numbers.get(path, '?')}.{counter.get(path, 0)}"
                                   f"({chr(ord('a') + (items - 1) % 26)})")
            elif path.startswith(FUNCTION):
                if style == "annex heading":
                    heading = block.text
                    counter[path] = 0
                    self.labels.append(f"{self._section(path, '')}, heading “{_short(block.text)}”")
                    continue
                what = f", {heading}" if heading else ""
                if block.kind == "tbl":
                    first = dm.table_rows(block.element)[:1]  # the header row only: most tables are never read
                    head = " | ".join(dm.cell_text(tc) for tc in first[0].iter(w("tc"))) if first else ""
                    self.labels.append(f"{self._section(path, '')}{what}, table “{_short(head)}”")
                    continue
                counter[path] = counter.get(path, 0) + 1
                self.labels.append(f"{self._section(path, '')}{what}, paragraph {counter[path]}")
            else:
                counter[path] = counter.get(path, 0) + 1
                kind = "table" if block.kind == "tbl" else "paragraph"
                self.labels.append(f"{self._section(path, path) if path else 'the opening pages'}, {kind} {counter[path]}")

    def _section(self, path: str, text: str) -> str:
        if path.startswith(SECTION):
            key = path[len(SECTION):]
            return f"section {self.numbers.get(path, '?')} “{SECTION_TITLES.get(key, text)}”"
        if path in self.annex_number:
            n, name = self.annex_number[path]
            return f"Service Specification {n} “{name}”"
        return f"“{_short(text)}”" if text else "the document"

    def of(self, k: int) -> str:
        return self.labels[k] if 0 <= k < len(self.labels) else "the document"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- the comparison


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _span_edits(before: str, after: str, spans: list[Span], scope: str) -> tuple[list[tuple[Span, str]], bool]:
    """Return the printed values a change of `before` into `after` edits, and whether that is all it changes.

    Each changed stretch (a word diff) must lie inside one occurrence of a value; the value's
    new text is its occurrence with the stretches inside it changed.
    """
    a, b = _tokens(before), _tokens(after)
    offsets_a = [0]
    for t in a:
        offsets_a.append(offsets_a[-1] + len(t))
    offsets_b = [0]
    for t in b:
        offsets_b.append(offsets_b[-1] + len(t))
    occurrences: list[tuple[int, int, Span]] = []
    taken: list[tuple[int, int]] = []
    same_text: dict[str, list[Span]] = {}  # values printed alike ("50% ... and 50% ..."): in the order they print
    for span in spans:
        if (not span.scope or span.scope == scope) and span.text:
            same_text.setdefault(span.text, []).append(span)
    for span in spans:
        if span.scope and span.scope != scope or not span.text:
            continue
        alike = list({x.path: x for x in same_text[span.text]}.values())  # one per field
        if len(alike) > 1 and span is not same_text[span.text][0]:
            continue  # handled with the first of them
        siblings = all(x.ordered for x in alike) and len({x.path[:-1] for x in alike}) == 1
        if len(alike) > 1 and not siblings:  # two fields print the same here: which one was meant cannot be told
            ambiguous = Span(span.text, (), "ambiguous", tuple(dict.fromkeys(x.path for x in alike)))
        for nth, m in enumerate(re.finditer(re.escape(span.text), before)):
            span = alike[min(nth, len(alike) - 1)] if len(alike) == 1 or siblings else ambiguous
            s, e = m.start(), m.end()
            if any(s < te and ts < e for ts, te in taken):
                continue
            # a value is whole words: not the middle of a longer word
            if (s > 0 and before[s - 1].isalnum() and span.text[0].isalnum()) or \
                    (e < len(before) and before[e].isalnum() and span.text[-1].isalnum()):
                continue
            occurrences.append((s, e, span))
            taken.append((s, e))
    edits: dict[int, list[tuple[int, int, str]]] = {}
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            continue
        s, e = offsets_a[i1], offsets_a[i2]
        new = "".join(b[j1:j2])
        hit = None
        for n, (os_, oe, _span) in enumerate(occurrences):
            if (os_ <= s and e <= oe) if e > s else (os_ <= s <= oe):
                hit = n
                break
        if hit is None:
            return [], False
        edits.setdefault(hit, []).append((s, e, new))
    out = []
    for n, changes in edits.items():
        os_, oe, span = occurrences[n]
        text = before[os_:oe]
        for s, e, new in sorted(changes, reverse=True):
            text = text[: s - os_] + new + text[e - os_:]
        out.append((span, text))
    return out, bool(out)


def _rev_summary(revs: list[Revision]) -> tuple[str, str]:
    authors = list(dict.fromkeys(r.author for r in revs if r.author))
    dates = sorted({r.date for r in revs if r.date})
    when = dates[0] if len(dates) == 1 else (f"{dates[0]} to {dates[-1]}" if dates else "")
    return ", ".join(authors), when


def _slug(text: str, taken: set[str]) -> str:
    stop = {"the", "a", "an", "of", "and", "or", "to", "in", "for", "on", "by", "shall", "is", "be", "each", "any"}
    found = [t.lower() for t in re.findall(r"[A-Za-z0-9]+", text) if t.lower() not in stop][:4]
    base = "_".join(found)[:48] or "clause"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}_{n}", n + 1
    taken.add(slug)
    return slug


def _field(path: tuple) -> str:
    """Return a data path as a person writes it: `clauses.accountability[0].text`."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


AGREEMENT, PARTIES = "agreement", "parties"


class _Collector:
    """The changes and edits of one absorb, by file, with one edit per field (repeated equal edits merged)."""

    def __init__(self):
        self.changes: list[Change] = []
        self.values: dict[tuple, tuple[Any, Change]] = {}
        self.edit_of: dict[str, list[tuple[Edit, list[Change]]]] = {AGREEMENT: [], PARTIES: []}
        self.problems: list[str] = []

    def edits(self, file: str = AGREEMENT) -> list[Edit]:
        return [edit for edit, _owners in self.edit_of[file]]

    def set(self, path: tuple, value: Any, change: Change, file: str = AGREEMENT) -> None:
        change.field = _field(path)
        if (file, path) in self.values:
            old, first = self.values[(file, path)]
            if str(old) == str(value):
                change.status = "absorbed"
                self.changes.append(change)
                for edit, owners in self.edit_of[file]:
                    if edit.path == path:
                        owners.append(change)
                return
            change.status = "not absorbed"
            change.reason = (f"conflicts with another change of the same field ({first.where}: "
                             f"{_short(str(old), 40)!r}); absorb one by hand")
            self.changes.append(change)
            return
        self.values[(file, path)] = (value, change)
        self.add_edit(Edit("set", path, value), change, file)

    def add_edit(self, edit: Edit, change: Change, file: str = AGREEMENT) -> None:
        change.status = "absorbed"
        self.edit_of[file].append((edit, [change]))
        self.changes.append(change)

    def other(self, change: Change) -> None:
        self.changes.append(change)


def compare(checked, fresh: dm.Document, reviewed: Reviewed, tset, publication: bool = False,
            data: Any = None) -> _Collector:
    """Return the changes from `fresh` (a render of `checked`) to `reviewed`, each mapped to its owner.

    `data`: the agreement file as the loader reads it, when the caller has it.
    """
    own = Ownership(checked, fresh, tset, publication, data)
    places = Places(fresh, own.numbers, list(checked.agreement.functions))
    got = _Collector()
    old, new = fresh.blocks, reviewed.document.blocks

    def exact(b):
        if b.kind == "tbl":  # a table's words in order, read at C speed (its cells are read only when it differs)
            return ("tbl", "\x1f".join(t.text or "" for t in b.element.iter(w("t"))))
        return (b.kind, b.text)

    def loose(b):
        return exact(b) if b.kind == "tbl" or b.text.strip() else None

    def similar(x, y):
        return ratio(words(x.text), words(y.text))

    def compatible(x, y):
        return x.kind == y.kind and (x.kind == "p" or len(x.rows) == len(y.rows) or similar(x, y) > 0.8)

    def in_order(x, y):
        return bool(set(words(x.text)) & set(words(y.text)))

    pairs = align(old, new, anchor=lambda b: b.stable_id, exact=exact, loose=loose, similar=similar,
                  compatible=compatible, in_order=in_order)
    last_old = -1
    pending_inserts: list[tuple[int, int]] = []  # (reviewed index, previous fresh index)
    for i, j in pairs:
        if i is not None and j is not None:
            last_old = i
            if old[i].kind == "tbl":
                if exact(old[i]) != exact(new[j]):
                    _table(own, places, got, reviewed, old[i], new[j], i)
            elif old[i].text != new[j].text:
                _paragraph(own, places, got, reviewed, i, old[i], new[j])
        elif i is not None:
            last_old = i
            _deleted(own, places, got, reviewed, i, old[i])
        else:
            if new[j].text.strip():
                pending_inserts.append((j, last_old))
    _inserted(own, places, got, reviewed, pending_inserts, old, new, pairs)
    _headers_and_footers(fresh, reviewed, got)
    _comments(reviewed, places, pairs, got)
    return got


# --------------------------------------------------------------------------- what lies outside the body


_STORIES = {"header": "the header", "footer": "the footer"}


def _story_paragraphs(parts: dict[str, bytes], label: str) -> dict[str, list[str]]:
    """Return the text of each header and footer paragraph (field results left out: pages are counted anew)."""
    from .package import Package

    package = Package(dict(parts), label)
    out: dict[str, list[str]] = {kind: [] for kind in _STORIES}
    try:
        main = package.main_document()
        rels = list(package.rels(main))
    except (KeyError, ValueError, etree.XMLSyntaxError):
        return out
    for rel in rels:
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind not in _STORIES or rel.external or rel.target not in parts:
            continue
        root = dm.parse_part(parts, rel.target, label)
        dm.accept_revisions(root)
        for p in root.iter(P):
            text = " ".join(_text_outside_fields(p).split())
            if text:
                out[kind].append(text)
    return out


def _text_outside_fields(p: etree._Element) -> str:
    pieces, depth = [], 0
    for el in p.iter(w("fldChar"), w("t"), w("tab")):
        if el.tag == w("fldChar"):
            kind = el.get(w("fldCharType"))
            depth += 1 if kind == "begin" else -1 if kind == "end" and depth else 0
        elif depth == 0 and not any(a.tag == w("fldSimple") for a in el.iterancestors()):
            pieces.append(el.text or "" if el.tag == w("t") else " ")
    return "".join(pieces)


def _headers_and_footers(fresh: dm.Document, reviewed: Reviewed, got: _Collector) -> None:
    """Report edits of headers and footers: they are made from the data and the template, never written back."""
    from collections import Counter

    before = _story_paragraphs(fresh.parts, fresh.label)
    after = _story_paragraphs(reviewed.document.parts, reviewed.document.label)
    for kind, where in _STORIES.items():
        removed = list((Counter(before[kind]) - Counter(after[kind])).elements())
        added = list((Counter(after[kind]) - Counter(before[kind])).elements())
        for n in range(max(len(removed), len(added))):
            got.other(Change(
                "not absorbed", where, removed[n] if n < len(removed) else "", added[n] if n < len(added) else "",
                reason=f"{where} is made from the agreement's reference, version and status and from the template: "
                       "change those instead"))


def _comments(reviewed: Reviewed, places: Places, pairs, got: _Collector) -> None:
    """Report the reviewer's comments, where they are anchored: they are not data, but never lost."""
    parts = reviewed.document.parts
    root = dm.parse_part(parts, "word/comments.xml", reviewed.document.label) if "word/comments.xml" in parts else None
    if root is None:
        return
    where_of: dict[str, str] = {}
    block_of = {id(b.element): j for j, b in enumerate(reviewed.document.blocks)}
    fresh_of = {j: i for i, j in pairs if i is not None and j is not None}
    for mark in reviewed.document.body.iter(w("commentRangeStart"), w("commentReference")):
        cid = mark.get(w("id"))
        if cid in where_of:
            continue
        el = mark
        while el is not None and id(el) not in block_of:
            el = el.getparent()
        if el is not None:
            j = block_of[id(el)]
            where_of[cid] = places.of(fresh_of[j]) if j in fresh_of else \
                f"the new paragraph “{_short(reviewed.document.blocks[j].text, 40)}”"
    for comment in root.iter(w("comment")):
        text = " ".join(_text_of(comment).split())
        if not text:
            continue
        got.other(Change("not absorbed", f"comment on {where_of.get(comment.get(w('id')), 'the document')}", "", text,
                         comment.get(w("author"), ""), comment.get(w("date"), ""),
                         reason="a comment is not part of the agreement: answer it, or make the change it asks for"))


def _template_change(own: Ownership, places: Places, block_path: str, k: int, before: str, after: str,
                     revs: list[Revision], what: str = "standard wording") -> Change:
    who, when = _rev_summary(revs)
    template = own.template_of.get(block_path, own.template_of[""])
    where = places.of(k)
    return Change("template", where, before, after, who, when, target=f"{template}, {where}",
                  reason=f"a change to {what}: edit the template, or make it an agreement clause")


def _paragraph(own: Ownership, places: Places, got: _Collector, reviewed: Reviewed, k: int,
               fresh: dm.Block, edited: dm.Block) -> None:
    revs = reviewed.revisions_of(edited)
    who, when = _rev_summary(revs)
    change = Change("absorbed", places.of(k), fresh.text, edited.text, who, when)
    if fresh.text in own.signers and fresh.path == edited.path:
        force_id, role, title = own.signers[fresh.text]
        match = re.fullmatch(r"Signed by (?:(.+?),\s*)?the " + re.escape(title), edited.text.strip())
        if match and match.group(1) and match.group(1).strip():
            path = ("forces", force_id, role, "holder")
            change.before, change.after = fresh.text, edited.text
            return got.set(path, match.group(1).strip(), change, PARTIES)
        if match:
            change.status, change.field = "not absorbed", _field(("forces", force_id, role, "holder"))
            change.reason = "removing an office holder's name is done in the parties file (holder: null)"
            return got.other(change)
    if fresh.style_name.lower().startswith("toc"):
        if _toc_entry(fresh.text) == _toc_entry(edited.text):
            return None  # page numbers updated by Word or LibreOffice: not a change
        return got.other(Change("not absorbed", "the table of contents", fresh.text, edited.text, who, when,
                                reason="the contents are made from the headings: change the heading instead"))
    owner = own.owners.get(k)
    if owner is not None:
        text = edited.text.strip()
        if not text:
            return _deleted(own, places, got, reviewed, k, fresh, revs)
        if "\n" in text or "\t" in text:
            change.status, change.reason = "not absorbed", "the new text has a line break or tab, which a clause cannot hold"
            change.field = _field(owner.path)
            return got.other(change)
        path = owner.path
        if owner.kind == "clause":
            raw = own.clause_items.get(path[1], [])
            if isinstance(raw[path[2]], dict):
                path = path + ("text",)
        return got.set(path, text, change)
    _spans_or_template(own, places, got, k, fresh.path, fresh.text, edited.text, revs, change)


def _toc_entry(text: str) -> str:
    return " ".join(re.sub(r"\s*\d+\s*$", "", text).split())


def _spans_or_template(own: Ownership, places: Places, got: _Collector, k: int, scope: str, before: str,
                       after: str, revs: list[Revision], change: Change, what: str = "standard wording") -> None:
    found, only = _span_edits(before, after, own.spans, scope)
    if not only:
        t = _template_change(own, places, scope, k, before, after, revs, what)
        t.where = change.where
        return got.other(t)
    for span, text in found:
        one = Change("absorbed", change.where, span.text, text, change.who, change.when)
        if span.kind == "ambiguous":
            one.status = "not absorbed"
            one.reason = f"{span.text!r} is printed from more than one field here; change the one meant: " + \
                ", ".join(_at(own, p) for p in span.inputs)
            got.other(one)
            continue
        if span.kind == "computed":
            one.status = "computed"
            one.reason = "a computed figure is never written; change its inputs instead: " + \
                ", ".join(_at(own, p) for p in span.inputs)
            got.other(one)
            continue
        try:
            value = _parse(span.kind, text)
        except ValueError:
            one.status, one.field = "not absorbed", _field(span.path)
            one.reason = f"{text!r} does not read as {_EXPECT[span.kind]}"
            got.other(one)
            continue
        got.set(span.path, value, one)


def _at(own: Ownership, path: tuple) -> str:
    pos = own.source.value(path)
    return f"{_field(path)} ({pos.file}:{pos.line})"


def _table(own: Ownership, places: Places, got: _Collector, reviewed: Reviewed, fresh: dm.Block,
           edited: dm.Block, k: int) -> None:
    if fresh.text == edited.text:
        return
    revs = reviewed.revisions_of(edited)
    who, when = _rev_summary(revs)
    if len(fresh.rows) != len(edited.rows) or any(len(a.cells) != len(b.cells) for a, b in zip(fresh.rows, edited.rows)):
        got.other(Change("not absorbed", places.of(k), fresh.text, edited.text, who, when,
                         reason="rows or columns were added or removed: a table's shape comes from the data "
                                "(forces, formula inputs); change those instead"))
        return
    for r, (row_a, row_b) in enumerate(zip(fresh.rows, edited.rows)):
        for c, (cell_a, cell_b) in enumerate(zip(row_a.cells, row_b.cells)):
            if cell_a.text == cell_b.text:
                continue
            column = fresh.rows[0].cells[c].text.strip() if fresh.rows[0].cells else ""
            where = f"{places.of(k)}, row “{_short(row_a.cells[0].text, 40)}”" + (f", {column}" if column else "")
            cell_revs = [rv for p in cell_b.element.iter(P) for rv in reviewed.revisions.get(int(p.get(_REV, -1)), [])]
            cwho, cwhen = _rev_summary(cell_revs) if cell_revs else (who, when)
            change = Change("absorbed", where, cell_a.text, cell_b.text, cwho, cwhen)
            span = own.cell_owner(fresh, r, c)
            if span is not None and span.kind == "computed":
                change.status = "computed"
                change.reason = "a computed figure is never written; change its inputs instead: " + \
                    ", ".join(_at(own, p) for p in span.inputs)
                got.other(change)
                continue
            if span is not None:
                try:
                    value = _parse(span.kind, cell_b.text)
                except ValueError:
                    change.status, change.field = "not absorbed", _field(span.path)
                    change.reason = f"{cell_b.text.strip()!r} does not read as {_EXPECT[span.kind]}"
                    got.other(change)
                    continue
                got.set(span.path, value, change)
                continue
            _spans_or_template(own, places, got, k, fresh.path, cell_a.text, cell_b.text, cell_revs, change,
                               "standard wording in a table")


def _deleted(own: Ownership, places: Places, got: _Collector, reviewed: Reviewed, k: int, fresh: dm.Block,
             revs: list[Revision] | None = None) -> None:
    if not fresh.text.strip():
        return
    rev = reviewed.deletion_of(fresh.text)
    if revs is None:
        revs = [rev] if rev is not None else []
    who, when = _rev_summary(revs)
    change = Change("absorbed", places.of(k), fresh.text, "", who, when)
    owner = own.owners.get(k)
    if owner is not None and owner.kind in ("clause", "item"):
        change.field = _field(owner.path)
        return got.add_edit(Edit("remove", owner.path), change)
    if owner is not None:
        change.status, change.field = "not absorbed", _field(owner.path)
        change.reason = "this text is required by the format; reword it instead of deleting it"
        return got.other(change)
    if fresh.kind == "tbl":
        change.status = "not absorbed"
        change.reason = "a table made from the data was deleted; change the data (forces, formula) instead"
        return got.other(change)
    got.other(_template_change(own, places, fresh.path, k, fresh.text, "", revs))


def _inserted(own: Ownership, places: Places, got: _Collector, reviewed: Reviewed, inserts: list[tuple[int, int]],
              old: list[dm.Block], new: list[dm.Block], pairs) -> None:
    """A new paragraph: a new clause in a Part A section, a new item of a list it sits in, else template wording."""
    taken = set(own.ids)
    for j, prev in inserts:
        block = new[j]
        revs = reviewed.revisions_of(block)
        who, when = _rev_summary(revs)
        where_k = prev if prev >= 0 else 0
        path = old[prev].path if prev >= 0 else ""
        change = Change("absorbed", f"new paragraph after {places.of(where_k)}", "", block.text, who, when)
        if block.kind == "tbl":
            change.status, change.reason = "not absorbed", "a new table has no place in the data; add it to a template"
            got.other(change)
            continue
        text = block.text.strip()
        if "\n" in text or "\t" in text:
            got.other(_template_change(own, places, path, where_k, "", block.text, revs))
            continue
        owner_prev = own.owners.get(prev)
        owner_next = own.owners.get(prev + 1)
        item = None
        for owner, offset in ((owner_prev, 1), (owner_next, 0)):
            if owner is not None and owner.kind == "item":
                item = owner.list_path + (owner.path[-1] + offset,)
                break
        if item is not None:
            change.field = _field(item)
            got.add_edit(Edit("insert", item, text), change)
            continue
        if path.startswith(SECTION) and not block.is_heading:
            key = path[len(SECTION):]
            if key in SECTION_TITLES:
                existing = own.clause_items.get(key) or []
                # after the last agreement clause of the section before the insertion point
                before = [own.owners[i].path[2] for i in range(0, prev + 1)
                          if i in own.owners and own.owners[i].kind == "clause" and own.owners[i].path[1] == key]
                index = (max(before) + 1) if before else 0
                if existing and all(isinstance(x, str) for x in existing):
                    value: Any = text
                else:
                    value = {"id": _slug(text, taken), "text": text}
                target = ("clauses", key, index)
                change.field = _field(target)
                later = range(prev + 1, len(old))
                if any(old[k].path == path and k not in own.owners and old[k].text.strip() and not old[k].is_heading
                       for k in later if old[k].path == path):
                    change.reason = "placed after the section's standard clauses: agreement clauses come last in a section"
                got.add_edit(Edit("insert", target, value), change)
                continue
        got.other(_template_change(own, places, path, where_k, "", block.text, revs))


# --------------------------------------------------------------------------- the whole


def absorb(reviewed_source: str | Path | bytes, agreement: Path | None = None, *, label: str | None = None,
           parties: Path | None = None, templates: Path | None = None, annexes: Path | None = None,
           workspace: Path | None = None) -> Absorption:
    """Return what absorbing a reviewed document into its agreement changes (nothing is written here)."""
    from .inputs import read_input
    from .loader import load_yaml_text
    from .render import fingerprint, render_agreement
    from .context import annex_kind
    from .templates import find_templates
    from .validate import load_agreement

    reviewed_path = Path(reviewed_source) if not isinstance(reviewed_source, bytes) else None
    label = label or (str(reviewed_source) if reviewed_path else "<docx>")
    reviewed = read_reviewed(reviewed_source, label)
    agreement = find_source(reviewed, label, agreement, reviewed_path)
    checked = load_agreement(agreement, parties=parties, workspace=workspace)
    tset = find_templates(agreement, templates=templates, annexes=annexes)
    record = reviewed.record
    assert record is not None
    paths = [tset.umbrella()] + [tset.annex(fn.id, annex_kind(fn, record.publication))
                                 for fn in checked.agreement.functions]
    raw = read_input(checked.path, checked.label)  # read once: what is checked is what is edited
    check_source(record, checked, label, fingerprint(checked, paths, record.publication), raw)
    fresh_bytes = render_agreement(checked, templates=tset, publication=record.publication)
    fresh = dm.read_document(fresh_bytes, "<fresh render>")
    old_text = raw.decode("utf-8-sig")
    data = load_yaml_text(old_text, checked.label, checked.path).data
    got = compare(checked, fresh, reviewed, tset, record.publication, data)
    files = [_apply(got, AGREEMENT, checked.path, checked.label, lambda r: _check_agreement(r, checked),
                    old_text, data)]
    if got.edit_of[PARTIES]:
        files.append(_apply(got, PARTIES, checked.parties.path, checked.parties.label,
                            lambda r: _check_parties(r.text, checked)))
    edits = [edit for file in (AGREEMENT, PARTIES) for edit in got.edits(file)]
    signed = checked.source.value(("agreement", "status")) if checked.agreement.agreement.status == "final" else None
    return Absorption(files, got.changes, edits, reviewed.tracked, got.problems, signed)


def refuse_signed(absorption: Absorption) -> None:
    """Raise InputError when the edits would be written into a final (signed) agreement.

    A final agreement's YAML is the record of what was signed; a reviewer's edits to it make a
    new version (which `vary` turns into an agreement of variation), never a changed record.
    """
    if absorption.signed is None or all(f.new_text == f.old_text for f in absorption.files):
        return
    raise InputError.at(
        absorption.signed, f"{absorption.label} is final (signed): absorb does not write into the record of a "
        "signed agreement", rule="absorb-final",
        hint="copy it to a new version (a new `version`, `status: draft`, `previous:` naming this file) and "
             "absorb the document into that")


def _apply(got: _Collector, file: str, path: Path, label: str, check, old_text: str | None = None,
           data: Any = None) -> FileEdit:
    """Return a file with its edits made; an edit that cannot be made is reported, the others still made."""
    from .inputs import read_input

    if old_text is None:
        old_text = read_input(path, label).decode("utf-8-sig")
    pairs = got.edit_of[file]
    if not pairs:
        return FileEdit(path, label, old_text, old_text)
    try:
        result = apply(old_text, [e for e, _o in pairs], label, data=data)
    except EditError:
        good: list[tuple[Edit, list[Change]]] = []
        for edit, owners in pairs:
            try:
                apply(old_text, [e for e, _o in good] + [edit], label, data=data)
                good.append((edit, owners))
            except EditError as exc:
                for change in owners:
                    change.status, change.reason = "not absorbed", exc.message
        got.edit_of[file] = pairs = good
        if not good:
            return FileEdit(path, label, old_text, old_text)
        result = apply(old_text, [e for e, _o in good], label, data=data)
    got.problems += check(result)
    for (_edit, owners), line in zip(pairs, result.lines):
        for change in owners:
            change.target = f"{label}:{line}"
    return FileEdit(path, label, old_text, result.text)


def _check_agreement(result, checked) -> list[str]:
    """Return the problems the edited agreement would have (a share table that no longer sums to 100, ...)."""
    from .validate import check_agreement_text

    try:
        check_agreement_text(result.text, checked, loaded=result.loaded)
    except InputError as exc:
        return [issue.format() for issue in exc.issues if issue.is_error]
    return []


def _check_parties(text: str, checked) -> list[str]:
    from .validate import check_parties_text

    try:
        check_parties_text(text, checked.parties)
    except InputError as exc:
        return [issue.format() for issue in exc.issues if issue.is_error]
    return []
