"""manifest.json: what a summit pack holds, what each document was made from, and in what state.

The manifest is the pack's ledger. It lists every input with its SHA-256 (so that the next
build knows what changed), every agreement with its state, and every document the tool wrote
with the SHA-256 it had when written (so that the next build knows what was changed by hand).
Files in the pack folder that the manifest does not list are not the tool's: a build carries
them over untouched. docs/pack.md describes every field.

It carries no clock time and no absolute path, so identical inputs give identical manifests.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .version import __version__
from .digests import InputDigests, file_sha256  # noqa: F401 - read here by build and pack
from .pack_names import FINANCE, GENERATOR, INDEX, MANIFEST, MANIFEST_FORMAT  # noqa: F401 - the pack's names, read here by index_page and build


#: Kinds of document in a pack, in the order they are listed, with their display names.
KINDS = {
    "agreement": "Agreement",
    "publication": "Publication version (s23E)",
    "change-report": "Change report",
    "redline": "Redline (tracked changes)",
    "variation": "Agreement of variation",
    "decision-notice": "Decision notice",
    "decision-notice-exempt": "Decision notice, exempt part",
}
#: The kinds meant for publication (docs/publication.md): the s23E publication version and the
#: decision notices. Everything else (the full agreement, change reports, redlines, the notices'
#: exempt parts) holds what the publication version withholds, and is not for publication.
FOR_PUBLICATION = frozenset({"publication", "decision-notice"})


def for_publication(kind: str) -> bool:
    """Return whether a document of this kind is meant for publication."""
    return kind in FOR_PUBLICATION

# The state of an agreement in the pack (the manifest's `state`).
BUILT = "built"  # its documents come from its current inputs (rendered by this build or an earlier one)
FAILED = "failed"  # this build could not build it: the previous build's documents (if any) are kept
KEPT = "kept"  # built, but its documents in the pack may not be replaced (final, edited by hand, ...): kept
REMOVED = "removed"  # no longer in the summit: its documents are kept until a build with --prune
#: States whose documents do not come from the agreement's current inputs.
STALE_STATES = (FAILED, KEPT, REMOVED)


@dataclass(frozen=True)
class OutputFile:
    """One document of the pack, as the manifest lists it."""

    path: str  # relative to the pack, with forward slashes
    agreement: str  # the agreement's folder (its file stem)
    kind: str  # a KINDS key
    title: str  # what the document is, e.g. "Decision notice: Police and Crime Commissioner for Bedfordshire"
    sha256: str  # of the bytes the tool wrote (a hand edit shows as a difference)
    bytes: int
    pages: int | None = None


@dataclass
class AgreementRecord:
    """One agreement of the pack: what it is, what it was made from, what was made of it."""

    stem: str
    source: str  # the agreement file, relative to the summit's folder
    title: str = ""
    reference: str = ""
    version: str = ""
    status: str = ""  # "Draft" | "Final"
    inputs: list[str] = field(default_factory=list)  # input labels besides the shared ones
    outputs: list[OutputFile] = field(default_factory=list)
    state: str = BUILT
    error: str | None = None  # why this build could not build it (FAILED), formatted
    kept: str | None = None  # why the documents in the pack are not this build's (KEPT, REMOVED, FAILED)
    edited: list[str] = field(default_factory=list)  # documents changed by hand since written (kept as they are)
    rebuilt: bool = field(default=False, compare=False)  # rendered by this build (not in the manifest)
    pdf_sources: list[str] = field(default_factory=list, repr=False)  # this build's .docx to convert to PDF

    @property
    def stale(self) -> bool:
        return self.state in STALE_STATES


@dataclass
class Manifest:
    """A pack's manifest as read back: its data, its bytes, and its agreements as records."""

    data: dict
    raw: bytes

    @classmethod
    def read(cls, out: Path) -> "Manifest | None":
        """Return the manifest of the pack in `out`, or None when there is none written by this tool."""
        try:
            raw = (out / MANIFEST).read_bytes()
            data = json.loads(raw)
        except (OSError, ValueError):  # no readable manifest: the folder is judged as not a pack (PackFolder.inspect says so)
            return None
        if not isinstance(data, dict) or not isinstance(data.get("generator"), dict) \
                or data["generator"].get("name") != GENERATOR:
            return None
        return cls(data, raw)

    @property
    def summit_name(self) -> str | None:
        summit = self.data.get("summit")
        return summit.get("name") if isinstance(summit, dict) else None

    @property
    def settings(self) -> dict | None:
        return self.data.get("settings")

    def input_digests(self) -> dict[str, str]:
        return {i["path"]: i["sha256"] for i in self.data.get("inputs", []) if isinstance(i, dict) and "path" in i}

    def records(self) -> dict[str, AgreementRecord]:
        """Return every agreement the pack holds, by folder (entries it cannot read are skipped)."""
        outputs: dict[str, list[OutputFile]] = {}
        for o in self.data.get("outputs", []):
            try:
                item = OutputFile(**{k: v for k, v in o.items() if k != "for_publication"})
            except TypeError:  # an entry of another shape is not ours to trust: its agreement rebuilds
                continue
            outputs.setdefault(item.agreement, []).append(item)
        records = {}
        for entry in self.data.get("agreements", []):
            try:
                folder = entry["folder"]
                state = entry.get("state") or (FAILED if entry.get("error") else BUILT)  # format 1 had no state
                records[folder] = AgreementRecord(
                    folder, entry["source"], entry["title"], entry["reference"], entry["version"], entry["status"],
                    list(entry["inputs"]), outputs.get(folder, []), state=state, error=entry.get("error"),
                    kept=entry.get("kept"), edited=list(entry.get("edited", [])))
            except (KeyError, TypeError):  # an entry of another shape is not ours to trust: its agreement rebuilds
                continue
        return records

    def finance(self) -> dict | None:
        """Return the finance workbook's entry (`finance_entry`), or None when the pack has none."""
        entry = self.data.get("finance")
        return entry if isinstance(entry, dict) and entry.get("path") == FINANCE and entry.get("sha256") else None

    def owned_paths(self) -> set[str]:
        """Return every file this tool wrote into the pack (its documents, the manifest, the index, the workbook)."""
        owned = {MANIFEST, INDEX} | {o.path for r in self.records().values() for o in r.outputs}
        return owned | ({FINANCE} if self.finance() else set())


def finance_entry(data: bytes, summary, included: list[AgreementRecord], left_out: list[tuple[str, str]]) -> dict:
    """Return the manifest's entry for the finance workbook written as `data`.

    `summary` is `figures.summit_summary` of the agreements `included` (summit order); `left_out`
    names the agreements of the summit the workbook does not cover, with why. Money is written
    as the Decimal's digits ("9097019.18"), never through float. The workbook holds every
    figure, withheld ones included: `for_publication` is false, as for the exempt parts.
    """
    def money(value):
        return None if value is None else str(value)

    return {
        "path": FINANCE, "title": "Finance workbook", "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
        "for_publication": False, "state": BUILT, "kept": None,
        "agreements": [{"folder": r.stem, "reference": r.reference} for r in included],
        "left_out": [{"folder": stem, "reason": reason} for stem, reason in left_out],
        "compared": [ref for ref, old in (summary[0].previous if summary else ()) if old is not None],
        "forces": [{"force": s.force, "name": s.name,
                    "by_agreement": [[ref, money(v)] for ref, v in s.by_agreement],
                    "total": money(s.total), "previous_total": money(s.previous_total), "change": money(s.change)}
                   for s in summary],
    }


def manifest_data(settings: dict, summit_source: str, records: list[AgreementRecord],
                  inputs: InputDigests, shared: list[str], finance: dict | None = None) -> dict:
    """Return the manifest: tool, options, every input and every document with its SHA-256 (and the workbook's)."""
    labels = [summit_source, *shared]
    for record in records:
        if record.state != REMOVED:
            labels += [label for label in record.inputs if label not in labels]
    return {
        "generator": {"name": GENERATOR, "version": __version__},
        "summit": {"name": settings["summit"]["name"], "date": settings["summit"]["date"], "source": summit_source},
        "settings": json.loads(json.dumps(settings, sort_keys=True)),
        "ready": not any(r.stale for r in records),
        "stale": [r.stem for r in records if r.stale],
        "inputs": [{"path": label, "sha256": inputs.digest(label)} for label in labels],
        "agreements": [
            {"folder": r.stem, "source": r.source, "title": r.title, "reference": r.reference,
             "version": r.version, "status": r.status, "state": r.state, "stale": r.stale,
             "inputs": r.inputs or [r.source], "documents": [o.path for o in r.outputs],
             "error": r.error, "kept": r.kept, "edited": r.edited}
            for r in records
        ],
        "outputs": [{**dataclasses.asdict(o), "for_publication": for_publication(o.kind)}
                    for r in records for o in r.outputs],
        "finance": finance,
    }


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def settings_match(manifest: Manifest | None, settings: dict) -> bool:
    """Return whether a previous manifest was written with these settings (tool version, PDFs, templates ...)."""
    return manifest is not None and manifest.settings == json.loads(json.dumps(settings, sort_keys=True))
