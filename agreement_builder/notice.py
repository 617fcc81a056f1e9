"""Decision notices: one per policing body, recording its decision to enter an agreement.

A national summit pack holds hundreds of notices (43 policing bodies for each agreement), so
the template is prepared once (render.PreparedTemplate, as for agreements): its document,
header and footer XML are patched by docxtpl and compiled by the same sandboxed, strict,
autoescaping Jinja environment as the agreements, and each notice is then a handful of
template renders and a deterministic zip, not a fresh parse of the template. The output is
what `DocxTemplate.render` would give (tests compare the two), with fixed core properties so
that a rebuild gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from typing import Sequence

from .compose import no_update_fields, set_core_properties, set_language
from .context import build_context, template_namespace, withheld_context, wrap
from .figures import AgreementFigures, AgreementTotals, agreement_figures, agreement_totals
from .formats import format_date, format_money
from .models import SummitInfo
from .render import PreparedTemplate, prepared_template
from .templates import TemplateSet, find_templates
from .validate import CheckedAgreement
from .wording import decision_maker, with_article


# ---------------------------------------------------------------------------- context


def notice_contexts(checked: CheckedAgreement, summit: SummitInfo, *, previous: AgreementFigures | None = None,
                    summit_totals: Sequence[AgreementTotals] | None = None) -> dict[str, dict]:
    """Return the template context of every policing body's notice for publication, by force id (forces order).

    Each holds the agreement's common context (docs/templates.md) plus, for its body: `body`,
    `force`, `decision` (reference, who signs, in what capacity, the officers who sign it off),
    `contributions` (function by function: this version's contribution and, when the agreement
    replaces a `previous` version, that version's and the change), `total_contribution`,
    `previous` (`any`, `version`, `total`, `change`), `summit_agreements` and `summit_total`
    (the force's contribution under each agreement of the summit, `summit_totals`, and in all:
    just this agreement when not given) and `summit`. Every figure comes from figures.py.

    A notice is published (Elected Local Policing Bodies (Specified Information) Order 2011), so
    it holds no figure of a function withheld from the publication version (`publish: false`),
    in this version, the previous one or any agreement of the summit: its figures are those of
    the published functions, and `withheld` names the functions whose figures are in the exempt
    part (`exempt_contexts`).
    """
    return _contexts(checked, summit, build_context(checked), exempt=False, previous=previous,
                     summit_totals=summit_totals)


def exempt_contexts(checked: CheckedAgreement, summit: SummitInfo, *, previous: AgreementFigures | None = None,
                    summit_totals: Sequence[AgreementTotals] | None = None) -> dict[str, dict]:
    """Return the context of every policing body's exempt part (not for publication), by force id.

    Empty when the agreement withholds no function with a budget. `contributions` and `total_contribution` are
    those of the withheld functions (with the previous version's, as in the notice);
    `agreement_total` is the force's contribution under the whole agreement, `published_total`
    what the notice for publication states, `previous.agreement_total` the whole under the
    previous version, and the summit's totals count every function.
    """
    if not any(_held(fn) for fn in checked.agreement.functions):
        return {}
    return _contexts(checked, summit, build_context(checked), exempt=True, previous=previous,
                     summit_totals=summit_totals)


def all_contexts(checked: CheckedAgreement, summit: SummitInfo, *, previous: AgreementFigures | None = None,
                 summit_totals: Sequence[AgreementTotals] | None = None) -> tuple[dict[str, dict], dict[str, dict]]:
    """Return (`notice_contexts`, `exempt_contexts`), the agreement's figures computed once for both."""
    full = build_context(checked)
    figures = {"previous": previous, "summit_totals": summit_totals}
    exempt = _contexts(checked, summit, full, exempt=True, **figures) \
        if any(_held(fn) for fn in checked.agreement.functions) else {}
    return _contexts(checked, summit, full, exempt=False, **figures), exempt


def _held(fn) -> bool:
    """Whether a function's figures go into the exempt part: withheld from publication, and with a budget."""
    return not fn.publish and fn.budget is not None


def _contexts(checked: CheckedAgreement, summit: SummitInfo, ctx, *, exempt: bool, previous: AgreementFigures | None,
              summit_totals: Sequence[AgreementTotals] | None) -> dict[str, dict]:
    """`ctx`: the agreement's full context (`build_context`), whose annexes hold every function's figures."""
    common = ctx.common
    if not exempt and not all(fn.publish for fn in checked.agreement.functions):
        # the notice for publication: no withheld budget in its functions, no total that includes one
        public = build_context(checked, publication=True).common
        common = {**common, "functions": public["functions"], "total_budget": public["total_budget"]}
    figures = agreement_figures(checked)
    totals = list(summit_totals) if summit_totals else [agreement_totals(figures)]
    withholding = any(t.withholds for t in totals)
    published = {fn.id: not _held(fn) for fn in checked.agreement.functions}  # in the notice for publication
    held = [f for f in common["functions"] if not published[f["id"]]]
    out: dict[str, dict] = {}
    for force in common["forces"]:
        f = force["id"]
        rows, total, old_total = _rows(figures, previous, f, exempt)
        context = {
            **common,
            "withheld": withheld_context(held),
            "body": force["policing_body"],
            "force": force,
            "decision": _decision(checked, force),
            "contributions": rows,
            "total_contribution": format_money(total),
            "previous": {
                "any": previous is not None,
                "version": previous.version if previous is not None else "",
                "total": format_money(old_total) if old_total is not None else "",
                "change": format_money(total - old_total, sign=True) if old_total is not None else "",
            },
            "summit": {"name": summit.name, "the_name": with_article(summit.name), "date": format_date(summit.date)},
            **_summit(totals, f, everything=exempt, withholding=withholding),
        }
        if exempt:
            whole = figures.force_total(f)
            context["agreement_total"] = format_money(whole)
            context["published_total"] = format_money(whole - total)
            context["previous"]["agreement_total"] = format_money(
                previous.force_total(f) if f in dict(previous.forces) else Decimal(0)) if previous is not None else ""
        out[f] = context
    return out


def _rows(figures: AgreementFigures, previous: AgreementFigures | None, force: str, exempt: bool
          ) -> tuple[list[dict], Decimal, Decimal | None]:
    """Return a force's rows (this version's functions, then those the previous version had and this one drops), its total and the previous total.

    The notice for publication states published functions only, and a previous figure only
    where the previous version published it; the exempt part states the others.
    """
    def shown(fn) -> bool:
        return fn.publish != exempt

    old = {fn.function_id: fn for fn in previous.functions} if previous is not None else {}
    rows, total, old_total = [], Decimal(0), Decimal(0)
    for fn in figures.functions:
        amount = fn.contribution(force)
        before = old.get(fn.function_id)
        was = before.contribution(force) if before is not None and shown(before) else None
        if not shown(fn) or (amount is None and was is None):
            continue  # not this part's, or nothing to contribute (no apportionment or no budget)
        total += amount or Decimal(0)
        old_total += was or Decimal(0)
        rows.append(_row(fn.name, amount, was, previous is not None))
    for fn in (previous.functions if previous is not None else ()):
        was = fn.contribution(force)
        if fn.function_id in {x.function_id for x in figures.functions} or not shown(fn) or was is None:
            continue
        old_total += was
        rows.append(_row(f"{fn.name} (no longer in the agreement)", None, was, True))
    return rows, total, (old_total if previous is not None else None)


def _row(name: str, amount: Decimal | None, was: Decimal | None, compared: bool) -> dict:
    change = (amount or Decimal(0)) - (was or Decimal(0)) if compared else None
    return {"function": name,
            "contribution": format_money(amount) if amount is not None else "–",
            "previous": format_money(was) if was is not None else "–",
            "change": format_money(change, sign=True) if change is not None else ""}


def _summit(totals: list[AgreementTotals], force: str, *, everything: bool, withholding: bool) -> dict:
    """Return the force's contribution under each agreement of the summit and in all (published functions only, unless `everything`)."""
    rows, total = [], Decimal(0)
    for t in totals:
        amounts = dict(t.full if everything else t.published)
        if force not in amounts:
            continue  # not a party to that agreement
        rows.append({"agreement": f"{t.title} ({t.reference})", "contribution": format_money(amounts[force])})
        total += amounts[force]
    return {"summit_agreements": rows, "summit_total": format_money(total),
            "summit_withholding": withholding and not everything}


def _decision(checked: CheckedAgreement, force: dict) -> dict:
    """Return the notice's decision reference, who signs it, in what capacity, and who signs it off."""
    body = force["policing_body"]
    maker = decision_maker(body["title"], force["area"])
    info = checked.agreement.agreement
    return {
        "reference": f"{info.reference}/{info.version}/{force['id'].replace('_', '-').upper()}",
        "signs": maker.signs,
        "holder": body["holder"],
        "capacity": maker.capacity,
        "finance_officer": maker.finance_officer,
        "monitoring_officer": maker.monitoring_officer,
    }


# ---------------------------------------------------------------------------- the prepared template


def render_notice(template: PreparedTemplate, namespace: dict, *, title: str, subject: str, keywords: str,
                  created: dt.date, status: str, version: str, language: str = "en-GB") -> bytes:
    """Return one notice as deterministic .docx bytes (`namespace`: a `template_namespace`)."""
    package = template.new_package()
    template.render_into(package, namespace)
    set_core_properties(package, title=title, subject=subject, keywords=keywords, created=created,
                        status=status, version=version, language=language)
    set_language(package, template.document, language)
    no_update_fields(package, template.document)
    return package.to_bytes()


# ---------------------------------------------------------------------------- rendering


PER_BODY = ("body", "force", "decision", "contributions", "total_contribution", "previous", "summit",
            "summit_agreements", "summit_total", "summit_withholding", "agreement_total", "published_total")


def render_notices(checked: CheckedAgreement, summit: SummitInfo, *, templates: TemplateSet | None = None,
                   previous: AgreementFigures | None = None, summit_totals: Sequence[AgreementTotals] | None = None
                   ) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Return every policing body's decision notice and its exempt part (none when nothing is withheld), by force id.

    `previous`: the figures of the version the agreement replaces; `summit_totals`: every
    agreement of the summit (this one included), for each force's total across the summit.
    """
    templates = templates or find_templates(checked.path)
    notices, exempt = all_contexts(checked, summit, previous=previous, summit_totals=summit_totals)
    return (_render_all(checked, notices, templates.decision_notice(), summit, "Decision Notice"),
            _render_all(checked, exempt, templates.decision_notice_exempt() if exempt else None, summit,
                        "Decision Notice, Exempt Part (not for publication)"))


def render_decision_notices(checked: CheckedAgreement, summit: SummitInfo, *,
                            templates: TemplateSet | None = None, previous: AgreementFigures | None = None,
                            summit_totals: Sequence[AgreementTotals] | None = None) -> dict[str, bytes]:
    """Return every policing body's decision notice (for publication) as .docx bytes, by force id (forces order).

    `previous`: the figures of the version the agreement replaces; `summit_totals`: every
    agreement of the summit (this one included), for each force's total across the summit.
    """
    templates = templates or find_templates(checked.path)
    contexts = notice_contexts(checked, summit, previous=previous, summit_totals=summit_totals)
    return _render_all(checked, contexts, templates.decision_notice(), summit, "Decision Notice")


def render_exempt_parts(checked: CheckedAgreement, summit: SummitInfo, *,
                        templates: TemplateSet | None = None, previous: AgreementFigures | None = None,
                        summit_totals: Sequence[AgreementTotals] | None = None) -> dict[str, bytes]:
    """Return every policing body's exempt part of its notice (not for publication), by force id.

    Empty when the agreement withholds nothing: then there is no exempt part.
    """
    contexts = exempt_contexts(checked, summit, previous=previous, summit_totals=summit_totals)
    if not contexts:
        return {}
    templates = templates or find_templates(checked.path)
    return _render_all(checked, contexts, templates.decision_notice_exempt(), summit,
                       "Decision Notice, Exempt Part (not for publication)")


def _render_all(checked: CheckedAgreement, contexts: dict[str, dict], path, summit: SummitInfo,
                what: str) -> dict[str, bytes]:
    if not contexts:
        return {}
    template = prepared_template(path)
    info = checked.agreement.agreement
    first = next(iter(contexts.values()))
    shared = template_namespace({k: v for k, v in first.items() if k not in PER_BODY})  # wrapped once
    out: dict[str, bytes] = {}
    for force_id, context in contexts.items():
        namespace = {**shared, **{k: wrap(context[k], k) for k in PER_BODY if k in context}}
        body = context["body"]["title"]
        out[force_id] = render_notice(
            template, namespace, title=f"{what}: {info.title} ({body})", subject=info.alliance,
            keywords=info.reference, created=summit.date, status=info.status.capitalize(), version=info.version,
            language=info.language)
    return out


def render_decision_notice(checked: CheckedAgreement, force_id: str, summit: SummitInfo, *,
                           templates: TemplateSet | None = None) -> bytes:
    """Return one policing body's decision notice as .docx bytes."""
    notices = render_decision_notices(checked, summit, templates=templates)
    if force_id not in notices:
        raise KeyError(f"{force_id} is not a party to {checked.label}")
    return notices[force_id]
