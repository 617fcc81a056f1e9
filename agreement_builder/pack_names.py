"""The names a summit pack keeps for itself, and which agreement file names it therefore refuses.

Also the manifest's own name and format number, and the lock file's name: what `unchanged.py`
reads before a build imports anything else.

A summit's format rule as much as the pack's: `validate` refuses such a summit at the line
that names the agreement, long before a build; the pack (manifest.py, pack.py, documents.py)
writes under these names. One module, imported by both, so the two never disagree.
"""

from __future__ import annotations

MANIFEST = "manifest.json"
INDEX = "index.html"
#: The summit's finance workbook (workbook.py): for the forces' finance officers, not for publication.
FINANCE = "finance.xlsx"
#: The manifest's `generator.name` and `settings.generator`: a manifest without it is not ours.
GENERATOR = "agreement-builder"
#: Bumped when the manifest's shape changes; an older manifest then means "rebuild everything"
#: (its documents are still the pack's: they are kept or replaced by the usual rules).
MANIFEST_FORMAT = 3  # 3: the finance workbook
#: The lock file beside the pack folder `out`: `.<out>.agreement-builder-lock` (pack.BuildLock).
LOCK_SUFFIX = ".agreement-builder-lock"
#: Decision notices sit beside the agreement's own <stem>.docx as decision-notice-<force>.docx.
NOTICE_PREFIX = "decision-notice-"


def notice_name(force_id: str, part: str = "") -> str:
    """Return the file name of a force's decision notice (its id with hyphens), or of a `part` of it ("exempt")."""
    return f"{NOTICE_PREFIX}{force_id.replace('_', '-')}{f'-{part}' if part else ''}.docx"


def agreement_name_problem(stem: str) -> str | None:
    """Return why an agreement file's stem cannot name its folder in the pack, or None.

    The stem names the agreement's folder and its documents; it must not be a name the pack
    uses itself (manifest.json, index.html, finance.xlsx), a hidden name (the tool's working folders start
    with a dot), or start like a decision notice (decision-notice-<force>.docx sits beside the
    agreement's own <stem>.docx). Names are compared without case: a pack is also opened on
    Windows and macOS.
    """
    folded = stem.casefold()
    if folded in (MANIFEST, INDEX, FINANCE):
        return f"`{stem}` is the name of the pack's own {stem.lower()}"
    if stem.startswith(".") or not stem.strip():
        return f"`{stem}` would be a hidden or blank folder name in the pack"
    if folded.startswith(NOTICE_PREFIX):
        return f"names starting with `{NOTICE_PREFIX}` are kept for the pack's decision notices"
    return None
