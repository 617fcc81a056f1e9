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

from .compose import set_core_properties
from .context import build_context, template_namespace, withheld_context, wrap
from .formats import format_date, format_money
from .models import SummitInfo
from .render import PreparedTemplate, prepared_template
from .templates import TemplateSet, find_templates
from .validate import CheckedAgreement
from .wording import with_article


# ---------------------------------------------------------------------------- context


def notice_contexts(checked: CheckedAgreement, summit: SummitInfo) -> dict[str, dict]:
    """Return the template context of every policing body's notice for publication, by force id (forces order).

    Each holds the agreement's common context (docs/templates.md) plus `body`, `force`,
    `contributions` (that force's annual contribution, function by function), `total_contribution`
    and `summit`. The figures are taken from the annexes' apportionment tables, so a notice
    always states exactly what the agreement it approves prints.

    A notice is published (Elected Local Policing Bodies (Specified Information) Order 2011), so
    it holds no figure of a function withheld from the publication version (`publish: false`):
    its `contributions` and `total_contribution` are those of the published functions, and
    `withheld` names the functions whose figures are in the exempt part (`exempt_contexts`).
    """
    return _contexts(checked, summit, exempt=False)


def exempt_contexts(checked: CheckedAgreement, summit: SummitInfo) -> dict[str, dict]:
    """Return the context of every policing body's exempt part (not for publication), by force id.

    Empty when the agreement withholds nothing. `contributions` and `total_contribution` are
    those of the withheld functions; `agreement_total` is the force's contribution under the
    whole agreement (published and withheld functions), `published_total` what the notice for
    publication states.
    """
    if all(fn.publish for fn in checked.agreement.functions):
        return {}
    return _contexts(checked, summit, exempt=True)


def _contexts(checked: CheckedAgreement, summit: SummitInfo, *, exempt: bool) -> dict[str, dict]:
    ctx = build_context(checked)
    common = ctx.common
    published = {fn.id: fn.publish for fn in checked.agreement.functions}
    held = [f for f in common["functions"] if not published[f["id"]]]
    names = {fn["id"]: fn["name"] for fn in common["functions"]}
    out: dict[str, dict] = {}
    for i, force in enumerate(common["forces"]):
        rows, total, everything = [], Decimal(0), Decimal(0)
        for plan in ctx.annexes:
            table = plan.context["apportionment"]["rows"]  # in forces order
            if not table or not table[i]["contribution"]:
                continue  # no apportionment or no budget: nothing to contribute
            amount = parse_money(table[i]["contribution"])
            everything += amount
            if published[plan.function_id] == exempt:
                continue  # this part states the other kind of function
            rows.append({"function": names[plan.function_id], "contribution": table[i]["contribution"]})
            total += amount
        context = {
            **common,
            "withheld": withheld_context(held),
            "body": force["policing_body"],
            "force": force,
            "contributions": rows,
            "total_contribution": format_money(total),
            "summit": {"name": summit.name, "the_name": with_article(summit.name), "date": format_date(summit.date)},
        }
        if exempt:
            context["agreement_total"] = format_money(everything)
            context["published_total"] = format_money(everything - total)
        out[force["id"]] = context
    return out


def parse_money(text: str) -> Decimal:
    """Return the amount of a figure printed by `format_money` ("£1,234.56" -> 1234.56), exactly."""
    negative = text.startswith("-")
    value = Decimal(text.lstrip("+-").removeprefix("£").replace(",", ""))
    return -value if negative else value


# ---------------------------------------------------------------------------- the prepared template


def render_notice(template: PreparedTemplate, namespace: dict, *, title: str, subject: str, keywords: str,
                  created: dt.date, status: str, version: str) -> bytes:
    """Return one notice as deterministic .docx bytes (`namespace`: a `template_namespace`)."""
    package = template.new_package()
    template.render_into(package, namespace)
    set_core_properties(package, title=title, subject=subject, keywords=keywords, created=created,
                        status=status, version=version)
    return package.to_bytes()


# ---------------------------------------------------------------------------- rendering


PER_BODY = ("body", "force", "contributions", "total_contribution", "summit", "agreement_total", "published_total")


def render_decision_notices(checked: CheckedAgreement, summit: SummitInfo, *,
                            templates: TemplateSet | None = None) -> dict[str, bytes]:
    """Return every policing body's decision notice (for publication) as .docx bytes, by force id (forces order)."""
    templates = templates or find_templates(checked.path)
    return _render_all(checked, notice_contexts(checked, summit), templates.decision_notice(), summit,
                       "Decision Notice")


def render_exempt_parts(checked: CheckedAgreement, summit: SummitInfo, *,
                        templates: TemplateSet | None = None) -> dict[str, bytes]:
    """Return every policing body's exempt part of its notice (not for publication), by force id.

    Empty when the agreement withholds nothing: then there is no exempt part.
    """
    contexts = exempt_contexts(checked, summit)
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
            keywords=info.reference, created=summit.date, status=info.status.capitalize(), version=info.version)
    return out


def render_decision_notice(checked: CheckedAgreement, force_id: str, summit: SummitInfo, *,
                           templates: TemplateSet | None = None) -> bytes:
    """Return one policing body's decision notice as .docx bytes."""
    notices = render_decision_notices(checked, summit, templates=templates)
    if force_id not in notices:
        raise KeyError(f"{force_id} is not a party to {checked.label}")
    return notices[force_id]
