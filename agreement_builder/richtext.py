"""Text a template prints as more than one string: paragraphs with stable ids, and marked runs.

Data only. The modules that compute what a document says (context.py, report.py) hand these
to the templates as values; render.py writes them as WordprocessingML (ooxml.py) when a
template prints them, so that nothing outside the render/compose layer writes Word XML
(DESIGN.md §7; tests/test_architecture.py). A value is false when it prints nothing, as an
empty string is, so `{% if clauses.governance %}` reads as it always did.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clauses:
    """Agreement clauses for `{{p clauses.<key> }}`: numbered paragraphs in `style`, each under its stable id."""

    style: str
    items: tuple[tuple[str, str], ...]  # (clause id, text), in order

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class MarkedText:
    """Text for `{{r ... }}` in segments marked "=" (plain), "+" (inserted), "-" (deleted) or "b" (bold)."""

    segments: tuple[tuple[str, str], ...]

    def __bool__(self) -> bool:
        return any(text for _, text in self.segments)
