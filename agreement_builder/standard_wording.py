"""Agreement clauses that repeat the standard wording of their section (a `validate` warning).

Why: an agreement's own clauses are appended to a Part A section whose template already says
a great deal. A clause carried over from an older agreement often says again what the
template now says (the example's 8.5 repeated 8.2), and two versions of one obligation invite
a dispute about which governs. The umbrella is rendered with the agreement's data (only the
umbrella: its sections, without the annexes), so that the standard clauses are compared as
printed, defined terms and names filled in; each agreement clause is compared, word by word
(textdiff), with the standard clauses of its own section.
"""

from __future__ import annotations

import re

from .errors import Issue
from .ooxml import CLAUSE, SECTION, bookmark_name
from .textdiff import ratio

RULE = "duplicate-clause"
#: A clause that shares this much of its words (in order) with a standard clause repeats it ...
SIMILAR = 0.7
#: ... or this much, when it also opens with the same words (the same subject and obligation).
SIMILAR_SAME_OPENING = 0.5
OPENING_WORDS = 4

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def repeats(clause: str, standard: str) -> bool:
    """Return whether `clause` repeats `standard` (see SIMILAR and SIMILAR_SAME_OPENING)."""
    a, b = _words(clause), _words(standard)
    if not a or not b:
        return False
    score = ratio(a, b)
    return score >= SIMILAR or (score >= SIMILAR_SAME_OPENING and a[:OPENING_WORDS] == b[:OPENING_WORDS])


def repeated_wording_issues(checked, umbrella) -> list[Issue]:
    """Return a warning for each agreement clause that repeats a standard clause of its section.

    `umbrella`: the umbrella template the agreement is rendered with. Located at the clause in
    the YAML; the message names the standard clause by its printed number.
    """
    from .docmodel import package_blocks
    from .render import render_umbrella

    a = checked.agreement
    if not any(a.clauses.values()):
        return []
    sections: dict[str, list] = {}
    numbers: dict[str, int] = {}
    for block in package_blocks(render_umbrella(checked, umbrella)):
        if block.kind != "p" or not block.path.startswith(SECTION):
            continue
        if block.style_name.lower() == "heading 1":
            numbers[block.path] = len(numbers) + 1
        sections.setdefault(block.path, []).append(block)
    issues = []
    for key, clauses in a.clauses.items():
        path = bookmark_name(SECTION, key)
        standard, count = [], 0
        for block in sections.get(path, []):
            if block.style_name.lower() == "clause" and not (block.stable_id or "").startswith(CLAUSE):
                count += 1
                standard.append((f"{numbers.get(path, '?')}.{count}", block.text))
        for index, clause in enumerate(clauses):
            match = next(((n, t) for n, t in standard if repeats(clause.text, t)), None)
            if match is None:
                continue
            number, text = match
            opening = " ".join(text.split()[:12]) + (" …" if len(text.split()) > 12 else "")
            issues.append(Issue(
                checked.source.value(("clauses", key, index, "text")),  # a text, or its `text:`
                f"this clause repeats clause {number} of the standard wording of its section (“{opening}”)",
                "warning", RULE,
                "remove it, or keep only what it adds to the standard clause: two versions of one obligation "
                "invite a dispute about which governs"))
    return issues

