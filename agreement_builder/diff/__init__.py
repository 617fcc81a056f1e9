"""What changed between two versions of an agreement: a `ChangeSet` citing NEW's numbers.

Why this shape: a reviewer reads "Section 8 Accountability Arrangements: clause 8.5 inserted",
not "line 151 of a YAML file". Everything is aligned on stable ids (section keys, clause ids,
function ids, force ids), never on numbers, so an insertion is one change and the renumbering
it causes is at most one line. Numbers are the ones the documents print: section numbers and
the count of template clauses before a section's agreement clauses come from the umbrella
template itself (read once per template file, not by rendering the agreement), so that the
diff of two national agreements stays well under a second. Only when the two versions'
templates differ are they rendered (through render.py), both with NEW's data, and compared
clause by clause.

A package by job, none of which renders or formats anything itself:

- `changeset.py`: the change set and its types, and the word diff a change carries;
- `numbering.py`: section and clause numbers as printed, and the renumbering line;
- `data.py`: changes in the data (agreement details, parties, Part B, cost apportionment, clauses);
- `wording.py`: changes in the templates' own wording.

The forms a reviewer reads (text, Markdown, HTML, Word) live in `report.py`.
"""

from __future__ import annotations

from ..formats import format_date
from ..templates import TemplateSet, find_templates
from ..validate import CheckedAgreement
from .changeset import (GROUPS, SIMILARITY, ApportionmentChange, Change, ChangeSet, ForceTotal, Group, InputChange,
                        ShareRow, similarity, word_diff)
from . import data, wording
from .data import formula_words
from .numbering import Numbering, SectionPlace, TemplateOutline, outline_of_blocks, renumber_line, template_outline

__all__ = [
    "GROUPS", "SIMILARITY", "ApportionmentChange", "Change", "ChangeSet", "ForceTotal", "Group", "InputChange", "SectionPlace",
    "ShareRow", "TemplateOutline", "diff_agreements", "formula_words", "outline_of_blocks", "similarity",
    "template_outline", "word_diff",
]


def diff_agreements(old: CheckedAgreement, new: CheckedAgreement, *, old_templates: TemplateSet | None = None,
                    new_templates: TemplateSet | None = None) -> ChangeSet:
    """Return every change from `old` to `new`, citing section and clause numbers as printed.

    Templates default to each agreement's own (DESIGN.md §2 lookup). Template wording is compared
    only when the two versions' templates differ.
    """
    old_templates = old_templates or find_templates(old.path)
    new_templates = new_templates or find_templates(new.path)
    old_numbers, new_numbers = Numbering(old, old_templates), Numbering(new, new_templates)
    a, b = old.agreement, new.agreement
    old_names = data.force_names(old)
    new_names = data.force_names(new)
    names = {**old_names, **new_names}

    changes: list[Change] = []
    changes += data.agreement_changes(a, b)
    changes += data.party_changes(old, new, old_names, new_names)
    function_changes, function_renumbered = data.function_changes(a, b)
    changes += function_changes
    changes += data.apportionment_changes(a, b, names)
    clause_changes, clause_renumbered = data.clause_changes(a, b, old_numbers, new_numbers)
    changes += clause_changes
    template_changes, template_renumbered = wording.template_changes(new, old_templates, new_templates)
    changes += template_changes
    renumbered = renumber_line(clause_renumbered + template_renumbered, function_renumbered)
    if renumbered:
        changes.append(renumbered)

    cost = new_numbers.place("cost_apportionment")
    return ChangeSet(
        title=b.agreement.title,
        reference=b.agreement.reference,
        old_label=old.label,
        new_label=new.label,
        old_version=a.agreement.version,
        new_version=b.agreement.version,
        old_date=format_date(a.agreement.date) if a.agreement.date else "undated",
        new_date=format_date(b.agreement.date) if b.agreement.date else "undated",
        old_status=a.agreement.status,
        new_status=b.agreement.status,
        cost_section=cost.number or None,
        changes=tuple(changes),
        force_totals=data.force_totals(old, new, names),
    )
