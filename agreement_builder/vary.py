"""`vary`: an agreement of variation of a signed agreement, its amendments drafted from the two versions.

Why: once an agreement is signed, a change is made by a further collaboration agreement that
varies it (Police Act 1996 s23C), which legal officers otherwise draft by hand. Here OLD (the
signed Principal Agreement) and NEW (the agreement as it is to read) are both rendered through
render.py's one render path; citations.py reads them as a lawyer cites them; amendments.py
drafts the amendments; the variation template (templates/variation.docx) sets them out with
the parties, recitals, operative provisions and execution blocks; and the Schedules set out
each Service Specification (and Appendix) that is substituted or inserted, rendered as in NEW,
and, last, the Principal Agreement as varied (NEW in full) as a conformed copy.

Refused: a draft OLD (there is nothing signed to vary), a NEW with another reference (another
agreement), a NEW that reads exactly as OLD (nothing to vary), a NEW dated or in force before
OLD, and a party of OLD that is not a party of NEW (a force leaves by withdrawal under the
Principal Agreement, not by variation).
"""

from __future__ import annotations

from dataclasses import dataclass

from .amendments import Amendments, amend, join_and
from .citations import outline_of
from .context import build_context
from .errors import InputError
from .formats import format_date
from .render import ScheduleSource, render_agreement, render_variation
from .templates import TemplateSet, find_templates
from .validate import CheckedAgreement
from .wording import with_article


@dataclass(frozen=True)
class Variation:
    """A drafted variation: the .docx bytes, the amendments it makes, and NEW as rendered (set out in its last Schedule)."""

    data: bytes
    amendments: Amendments
    conformed: bytes


def check_variable(old: CheckedAgreement, new: CheckedAgreement) -> None:
    """Raise InputError when OLD cannot be varied into NEW: OLD a draft, or a party of OLD not a party of NEW."""
    info = old.agreement.agreement
    if info.status != "final":
        raise InputError.at(
            old.source.value(("agreement", "status")),
            f"`agreement.status` is {info.status!r}: only a signed agreement (status: final) can be varied",
            rule="vary-draft",
            hint="a draft is changed by editing it; give the signed version as OLD")
    if new.agreement.agreement.reference != info.reference:
        raise InputError.at(
            new.source.value(("agreement", "reference")),
            f"`agreement.reference` is {new.agreement.agreement.reference!r} but the signed agreement's is "
            f"{info.reference!r}: a variation amends one agreement, and these are two",
            rule="vary-other-agreement",
            hint="give as OLD the signed version of this agreement (the same reference); a new agreement is signed, "
                 "not made by variation")
    new_info = new.agreement.agreement
    for key, label in (("date", "dated"), ("commencement", "in force")):
        before, after = getattr(info, key), getattr(new_info, key)
        if before and after and after < before:
            raise InputError.at(
                new.source.value(("agreement", key)),
                f"`agreement.{key}` is {format_date(after)}, before the signed agreement's {format_date(before)}: "
                f"a variation cannot be {label} before the agreement it varies",
                rule="vary-before-principal", hint=f"give the variation's own {key} (YYYY-MM-DD)")
    old_parties = {p["id"]: p for p in build_context(old).common["parties"]}
    new_ids = {p["id"] for p in build_context(new).common["parties"]}
    leaving = [p for pid, p in old_parties.items() if pid not in new_ids]
    if leaving:
        names = join_and([f"the {p['title']}" for p in leaving])
        section = _section_number(new, "termination")
        raise InputError.at(
            new.source.value(("forces",)),
            f"{names} {'is' if len(leaving) == 1 else 'are'} a party to the Principal Agreement but not to this "
            "version: a party cannot be removed by variation",
            rule="vary-leaving",
            hint=f"a force leaves by withdrawal under section {section} (Withdrawal and Termination) of the "
                 "Principal Agreement; vary the agreement between the remaining parties once the withdrawal has "
                 "taken effect")


def _section_number(checked: CheckedAgreement, key: str) -> int:
    from .outline import SECTION_NUMBERS

    return SECTION_NUMBERS.get(key, 0)


def draft_variation(old: CheckedAgreement, new: CheckedAgreement, *, templates: TemplateSet | None = None,
                    old_templates: TemplateSet | None = None, old_docx: bytes | None = None,
                    new_docx: bytes | None = None) -> Variation:
    """Return the agreement of variation that varies OLD (signed) into NEW.

    `old_docx`, `new_docx`: the two agreements as already rendered with these templates (the
    pack has them), else they are rendered here.
    """
    check_variable(old, new)
    templates = templates or find_templates(new.path)
    old_templates = old_templates or find_templates(old.path)
    old_docx = old_docx if old_docx is not None else render_agreement(old, templates=old_templates)
    new_docx = new_docx if new_docx is not None else render_agreement(new, templates=templates)
    amendments = amend(outline_of(old_docx, old.label), outline_of(new_docx, new.label))
    if not amendments.items:
        raise InputError.at(
            new.source.value(("agreement", "version")),
            f"version {new.agreement.agreement.version} reads exactly as the signed version "
            f"{old.agreement.agreement.version}: there is nothing to vary",
            rule="vary-no-change",
            hint="change the agreement first; `agreement-builder diff OLD NEW` shows what differs")
    context = variation_context(old, new, amendments)
    schedules = [ScheduleSource(s.number, s.kind, s.ident) for s in amendments.schedules]
    info = new.agreement.agreement
    data = render_variation(
        templates.variation(), context, schedules, new=new, new_docx=new_docx, templates=templates,
        title=f"{info.title} – Agreement of Variation", subject=info.alliance, keywords=variation_reference(new),
        created=info.date or info.commencement, status=info.status.capitalize(), version=info.version,
        conformed_schedule=len(schedules) + 1,
        fingerprint=_fingerprint(old, new, templates, old_templates) if info.status == "final" else "")
    return Variation(data, amendments, new_docx)


def _fingerprint(old: CheckedAgreement, new: CheckedAgreement, templates: TemplateSet,
                 old_templates: TemplateSet) -> str:
    """Return the SHA-256 of everything a final variation is made from: both agreements, their parties and templates."""
    import hashlib

    from .render import fingerprint

    h = hashlib.sha256()
    for checked, tset in ((old, old_templates), (new, templates)):
        h.update(fingerprint(checked, tset.all_templates(), False).encode() + b"\0")
    return h.hexdigest()


def variation_reference(new: CheckedAgreement) -> str:
    info = new.agreement.agreement
    return f"{info.reference}-VAR-{info.version}"


def variation_context(old: CheckedAgreement, new: CheckedAgreement, amendments: Amendments) -> dict:
    """Return what the variation template prints (docs/variation.md): NEW's common context, plus
    `variation` (the Principal Agreement, the Variation Date, who accedes), `parties` (NEW's, each
    with `accedes`), `amendments` (each `text` and the `quoted` paragraphs it sets out)."""
    common = dict(build_context(new).common)
    old_common = build_context(old).common
    old_ids = {p["id"] for p in old_common["parties"]}
    parties = [{**p, "accedes": p["id"] not in old_ids} for p in common["parties"]]
    acceding = [p for p in parties if p["accedes"]]
    principal = old.agreement.agreement
    many = len(acceding) > 1
    common.update({
        # the header and footer print the variation's own reference; a draft variation has no fingerprint
        "agreement": {**common["agreement"], "reference": variation_reference(new), "fingerprint": ""},
        "parties": parties,
        "variation": {
            "reference": variation_reference(new),
            "principal_title": principal.title,
            "the_principal_title": with_article(principal.title),
            "principal_reference": principal.reference,
            "principal_version": principal.version,
            "principal_date": format_date(principal.date) if principal.date else "[date of the Principal Agreement]",
            "principal_parties": _capital(join_and([f"the {p['title']}" for p in old_common["parties"]])),
            "commencement": format_date(new.agreement.agreement.commencement),
            "review_section": str(_section_number(new, "review")),
            "acceding": _capital(join_and([f"the {p['title']}" for p in acceding])),
            "acceding_wish": "wish" if many else "wishes",
            "acceding_become": "become" if many else "becomes",
            "acceding_agree": "agree" if many else "agrees",
            "acceding_parties": "Parties" if many else "a Party",
            "acceding_pronoun": "they" if many else "it",
            "acceding_original": "original Parties" if many else "an original Party",
            "conformed_schedule": len(amendments.schedules) + 1,
        },
        "amendments": [
            {"text": a.text, "quoted": [_quoted(q) for q in a.quoted]} for a in amendments.items
        ],
    })
    return common


def _quoted(line: str) -> dict:
    number, tab, text = line.partition("\t")
    return {"number": number, "text": text} if tab else {"number": "", "text": line}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
