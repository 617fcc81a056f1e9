"""Decision notices: one per policing body, recording its decision to enter an agreement.

A national summit pack holds hundreds of notices (43 policing bodies for each agreement), so
the template is prepared once per process, as render.py does for annexes: its parts are read,
the document, header and footer XML are patched by docxtpl and compiled by the same sandboxed,
strict, autoescaping Jinja environment as the agreements, and each notice is then a handful of
template renders and a deterministic zip, not a fresh parse of the template. The output is
what `DocxTemplate.render` would give (tests compare the two), with fixed core properties so
that a rebuild gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from docxtpl import DocxTemplate

from .context import build_context, template_namespace, wrap
from .compose import set_core_properties
from .formats import format_date, format_money
from .models import SummitInfo
from .package import read_docx_parts, write_docx_bytes
from .render import CompiledPart, open_template, package_bytes
from .templates import TemplateSet, find_templates
from .validate import CheckedAgreement

_HEADER_FOOTER = re.compile(r"^word/(header|footer)\d*\.xml$")
_CORE = "docProps/core.xml"


# ---------------------------------------------------------------------------- context


def notice_contexts(checked: CheckedAgreement, summit: SummitInfo) -> dict[str, dict]:
    """Return the template context of every policing body's notice, by force id (forces order).

    Each holds the agreement's common context (docs/templates.md) plus `body`, `force`,
    `contributions` (that force's annual contribution, function by function), `total_contribution`
    and `summit`. The figures are taken from the annexes' apportionment tables, so a notice
    always states exactly what the agreement it approves prints.
    """
    ctx = build_context(checked)
    common = ctx.common
    names = {fn["id"]: fn["name"] for fn in common["functions"]}
    out: dict[str, dict] = {}
    for i, force in enumerate(common["forces"]):
        rows, total = [], Decimal(0)
        for plan in ctx.annexes:
            table = plan.context["apportionment"]["rows"]  # in forces order
            if not table or not table[i]["contribution"]:
                continue  # no apportionment or no budget: nothing to contribute
            rows.append({"function": names[plan.function_id], "contribution": table[i]["contribution"]})
            total += parse_money(table[i]["contribution"])
        out[force["id"]] = {
            **common,
            "body": force["policing_body"],
            "force": force,
            "contributions": rows,
            "total_contribution": format_money(total),
            "summit": {"name": summit.name, "date": format_date(summit.date)},
        }
    return out


def parse_money(text: str) -> Decimal:
    """Return the amount of a figure printed by `format_money` ("£1,234.56" -> 1234.56), exactly."""
    negative = text.startswith("-")
    value = Decimal(text.lstrip("+-").removeprefix("£").replace(",", ""))
    return -value if negative else value


# ---------------------------------------------------------------------------- the prepared template


@dataclass
class NoticeTemplate:
    """The decision notice template, read and compiled once per process."""

    path: Path
    parts: dict[str, bytes]
    compiled: dict[str, CompiledPart]  # part name -> its compiled template
    docxtpl: DocxTemplate
    core_part: object  # python-docx's core properties part of the template

    def render(self, namespace: dict, *, title: str, subject: str, keywords: str, created: dt.date,
               status: str, version: str) -> bytes:
        """Return one notice as deterministic .docx bytes (`namespace`: a `template_namespace`)."""
        parts = dict(self.parts)
        for name, compiled in self.compiled.items():
            parts[name] = compiled.render(namespace).encode("utf-8")
        parts[_CORE] = self._core(title=title, subject=subject, keywords=keywords, created=created,
                                  status=status, version=version)
        return write_docx_bytes(parts)

    def _core(self, *, title: str, subject: str, keywords: str, created: dt.date, status: str, version: str) -> bytes:
        """Return docProps/core.xml with fixed properties (no clock, no user name)."""
        set_core_properties(self.docxtpl.docx.core_properties, title=title, subject=subject, keywords=keywords,
                            created=created, status=status, version=version)
        return self.core_part.blob


@lru_cache(maxsize=8)
def _notice_template(path: Path, mtime_ns: int, size: int) -> NoticeTemplate:
    tpl = open_template(path)
    tpl.docx.core_properties  # noqa: B018 - python-docx adds a core part if the template has none
    package = tpl.docx.part.package
    core_part = next(p for p in package.iter_parts() if p.partname == "/" + _CORE)
    parts = read_docx_parts(package_bytes(tpl.docx), label=str(path))
    compiled = {name: CompiledPart.compile(path, tpl, blob.decode("utf-8")) for name, blob in parts.items()
                if name == "word/document.xml" or _HEADER_FOOTER.match(name)}
    return NoticeTemplate(path, parts, compiled, tpl, core_part)


def notice_template(path: Path) -> NoticeTemplate:
    """Return the prepared notice template at `path` (cached while the file is unchanged)."""
    stat = path.stat()
    return _notice_template(path.resolve(), stat.st_mtime_ns, stat.st_size)


# ---------------------------------------------------------------------------- rendering


def render_decision_notices(checked: CheckedAgreement, summit: SummitInfo, *,
                            templates: TemplateSet | None = None) -> dict[str, bytes]:
    """Return every policing body's decision notice as .docx bytes, by force id (forces order)."""
    templates = templates or find_templates(checked.path)
    template = notice_template(templates.decision_notice())
    info = checked.agreement.agreement
    contexts = notice_contexts(checked, summit)
    if not contexts:
        return {}
    first = next(iter(contexts.values()))
    per_body = ("body", "force", "contributions", "total_contribution", "summit")
    shared = template_namespace({k: v for k, v in first.items() if k not in per_body})  # wrapped once
    out: dict[str, bytes] = {}
    for force_id, context in contexts.items():
        namespace = {**shared, **{k: wrap(context[k], k) for k in per_body}}
        body = context["body"]["title"]
        out[force_id] = template.render(
            namespace, title=f"Decision Notice: {info.title} ({body})", subject=info.alliance,
            keywords=info.reference, created=summit.date, status=info.status.capitalize(), version=info.version)
    return out


def render_decision_notice(checked: CheckedAgreement, force_id: str, summit: SummitInfo, *,
                           templates: TemplateSet | None = None) -> bytes:
    """Return one policing body's decision notice as .docx bytes."""
    notices = render_decision_notices(checked, summit, templates=templates)
    if force_id not in notices:
        raise KeyError(f"{force_id} is not a party to {checked.label}")
    return notices[force_id]
