"""A `ChangeSet` as a reviewer reads it: text, Markdown, one HTML page, or a Word summit paper.

Every form says the same thing in the same order (`ChangeSet.groups()`): what changed, where,
with inserted and deleted words marked inline. The text form is for the terminal (coloured
there), Markdown for a merge request, HTML for the browser (self-contained: no scripts, no
external styles), and Word for the summit pack, laid out like the hand-written "what changed
since the previous draft" paper (seed 004) from the `change_report.docx` template, which a
legal officer may edit like the other templates.
"""

from __future__ import annotations

import html
import re
from typing import Iterable

from .diff.changeset import ApportionmentChange, Change, ChangeSet, ForceTotal, quote
from .richtext import MarkedText
from .templates import TemplateSet

_INSERTED = {"clause_inserted", "function_added", "force_joined", "provision_added", "template_inserted",
             "template_section_added", "specification_added"}
_REMOVED = {"clause_removed", "function_removed", "force_left", "provision_removed", "template_removed",
            "template_section_removed", "specification_withdrawn"}
#: Changes the Word paper lists first, as decisions ("Lead Force responsibility ...").
HIGHLIGHTS = ("lead_force", "force_joined", "force_left", "function_added", "function_removed")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _segments(change: Change) -> list[tuple[str, str]]:
    """Return the change's inline body: its word diff, or its whole inserted/removed text."""
    if change.words:
        return list(change.words)
    if change.lead and isinstance(change.new, str) and change.old is None:
        return [("+", " ".join(change.new.split()))]
    if change.lead and isinstance(change.old, str) and change.new is None:
        return [("-", " ".join(change.old.split()))]
    return []


def _header(cs: ChangeSet) -> list[str]:
    return [
        f"{cs.title} ({cs.reference}): changes from {cs.old_label} to {cs.new_label}",
        f"Version {cs.old_version} ({cs.old_date}, {cs.old_status}) → version {cs.new_version} "
        f"({cs.new_date}, {cs.new_status}). "
        + (f"{_plural(len(cs), 'change')}; section and clause numbers as printed in the new version "
           "(removals: as in the old)." if cs else "No changes."),
    ]


#: The heading of the per-force totals, in every form.
TOTALS_HEADING = "Each force across all functions"
TOTALS_INTRO = ("What each force contributes in all under the agreement, and its part of the cost the forces share "
                "(percentage points: pp).")
TOTALS_HEADS = ["Force", "Total contribution", "Change", "Part of the whole", "Change"]


def _totals_cells(t: ForceTotal) -> list[str]:
    return [t.name, t.total_span(), t.total_delta(), t.share_span(), t.share_delta()]


def _figures_lines(ap: ApportionmentChange) -> list[str]:
    lines = [ap.formula_text()]
    if ap.budget_text():
        lines.append(ap.budget_text())
    lines += ap.input_lines()
    return lines


# ---------------------------------------------------------------------------- text


_STYLE = {"+": "\x1b[32m", "-": "\x1b[31m", "bold": "\x1b[1m", "dim": "\x1b[2m", "end": "\x1b[0m"}


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_STYLE[style]}{text}{_STYLE['end']}" if color and text else text


def _inline_text(segments: Iterable[tuple[str, str]], color: bool) -> str:
    out = []
    for op, text in segments:
        if op == "=":
            out.append(text)
        elif color:
            out.append(_paint(text, op, True))
        else:
            out.append(f"[-{text}-]" if op == "-" else f"{{+{text}+}}")
    return "".join(out)


def format_text(changeset: ChangeSet, color: bool = False) -> str:
    """Return the change report as plain text (ANSI colours when `color`)."""
    lines = list(_header(changeset))
    if changeset.force_totals:
        lines += ["", _paint(TOTALS_HEADING, "bold", color)]
        table = [TOTALS_HEADS, *(_totals_cells(t) for t in changeset.force_totals)]
        widths = [max(len(r[i]) for r in table) for i in range(len(TOTALS_HEADS))]
        for cells in table:
            lines.append("      " + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
    for group in changeset.groups():
        lines.append("")
        lines.append(_paint(group.heading, "bold", color))
        for change in group.changes:
            summary = change.summary
            if change.kind in _INSERTED:
                summary = _paint(summary, "+", color)
            elif change.kind in _REMOVED:
                summary = _paint(summary, "-", color)
            lines.append(f"  {summary}")
            if change.words and change.kind != "function_renamed":
                lines.append(f"      {_inline_text(change.words, color)}")
            for detail in change.details:
                lines.append(f"      {detail}")
            if change.apportionment:
                ap = change.apportionment
                lines += [f"      {line}" for line in _figures_lines(ap)]
                table = [[row.name, *(f"{label} {value}" for label, value in zip(ap.input_labels, row.inputs)),
                          row.share_text(), row.contribution_text()] for row in ap.rows]
                widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))] if table else []
                for cells in table:
                    lines.append("      " + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- Markdown


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#<>~])")
#: GitHub's extended autolinks: `http://`, `https://`, `ftp://`, `www.` and e-mail addresses.
_MD_URL = re.compile(r"(?i)(?<=[a-z]):(?=//)|(?<=\bwww)\.")


def _md(text: str) -> str:
    """Return user text that Markdown prints literally: no link, image, HTML, autolink or new block.

    Markdown's special characters are escaped, `&` becomes `&amp;` (no entity is decoded), line
    breaks become spaces (a line could start a heading or a list), `://` and `www.` are broken
    by an escape and `@` is followed by an invisible word joiner (U+2060), because GitHub turns
    `x://...`, `www.x` and `a@b.c` into links even when their other characters are escaped.
    """
    text = " ".join(text.splitlines()) if "\n" in text or "\r" in text else text
    text = _MD_SPECIAL.sub(r"\\\1", text).replace("&", "&amp;")
    return _MD_URL.sub(lambda m: "\\" + m.group(), text).replace("@", "@\u2060")


def _md_code(text: str) -> str:
    """Return text as a Markdown code span, whatever backticks it holds (nothing inside is interpreted)."""
    text = " ".join(text.splitlines())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_inline(segments: Iterable[tuple[str, str]]) -> str:
    out = []
    for op, text in segments:
        if op == "=":
            out.append(_md(text))
        elif op == "+":
            out.append(f"<ins>{_md(text)}</ins>")
        else:
            out.append(f"<del>{_md(text)}</del>")
    return "".join(out)


def format_markdown(changeset: ChangeSet) -> str:
    """Return the change report as GitHub-flavoured Markdown (inline `<ins>`/`<del>`)."""
    cs = changeset
    head, sub = _header(cs)
    lines = [f"# {_md(cs.title)} ({_md(cs.reference)}): what changed", "",
             f"From {_md_code(cs.old_label)} to {_md_code(cs.new_label)}. {_md(sub)}", ""]
    if not cs:
        return "\n".join(lines)
    lines += ["| # | Where | Change |", "|---:|---|---|"]
    for n, change in enumerate(cs.changes, start=1):
        lines.append(f"| {n} | {_md(change.where)} | {_md(change.summary)} |")
    if cs.force_totals:
        lines += ["", f"## {TOTALS_HEADING}", "", _md(TOTALS_INTRO), "",
                  "| " + " | ".join(TOTALS_HEADS) + " |", "|---|" + "---:|" * (len(TOTALS_HEADS) - 1)]
        lines += ["| " + " | ".join(_md(c) for c in _totals_cells(t)) + " |" for t in cs.force_totals]
    for group in cs.groups():
        lines += ["", f"## {_md(group.heading)}", ""]
        for change in group.changes:
            segments = _segments(change)
            if change.lead and segments and not change.words:
                lines.append(f"- {_md(change.lead)}: {_md_inline(segments)}")
            else:
                lines.append(f"- {_md(change.summary)}")
                if change.words and change.kind != "function_renamed":
                    lines.append(f"\n  {_md_inline(change.words)}\n")
            for detail in change.details:
                lines.append(f"  - {_md(detail)}")
            if change.apportionment:
                ap = change.apportionment
                lines += [f"  - {_md(line)}" for line in _figures_lines(ap)]
                heads = ["Force", *(label.capitalize() for label in ap.input_labels), "Share", "Contribution"]
                lines += ["", "  | " + " | ".join(heads) + " |", "  |---|" + "---:|" * (len(heads) - 1)]
                for row in ap.rows:
                    cells = [row.name, *row.inputs, row.share_text(), row.contribution_text()]
                    lines.append("  | " + " | ".join(_md(c) for c in cells) + " |")
                lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------- HTML


_CSS = """
body{font-family:Calibri,Carlito,"Segoe UI",Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.45}
h1{color:#1f3864;font-size:1.6rem}h2{color:#1f3864;font-size:1.2rem;border-bottom:1px solid #c8d3e6;
margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #b0b7c3;padding:.25rem .5rem;
vertical-align:top;text-align:left}th{background:#d9e2f3}td.n{text-align:right;white-space:nowrap}
ins{background:#e6f4ea;color:#1e6b34;text-decoration:underline}
del{background:#fce8e6;color:#a50e0e;text-decoration:line-through}
.change{margin:.6rem 0}.text{margin:.3rem 0 .3rem 1.5rem}.details{margin:.2rem 0 .2rem 1.5rem;color:#333}
.meta{color:#444}
"""


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_inline(segments: Iterable[tuple[str, str]]) -> str:
    out = []
    for op, text in segments:
        if op == "=":
            out.append(_h(text))
        else:
            out.append(f"<{'ins' if op == '+' else 'del'}>{_h(text)}</{'ins' if op == '+' else 'del'}>")
    return "".join(out)


def format_html(changeset: ChangeSet) -> str:
    """Return the change report as one self-contained HTML page: a summary table, then each change."""
    cs = changeset
    head, sub = _header(cs)
    out = ["<!DOCTYPE html>", '<html lang="en-GB"><head><meta charset="utf-8">',
           f"<title>{_h(cs.title)}: what changed</title>", f"<style>{_CSS}</style></head><body>",
           f"<h1>{_h(cs.title)} ({_h(cs.reference)}): what changed</h1>",
           f'<p class="meta">From <code>{_h(cs.old_label)}</code> to <code>{_h(cs.new_label)}</code>. {_h(sub)}</p>']
    if cs:
        out.append('<h2>Summary</h2><table class="summary"><thead><tr><th>#</th><th>Where</th><th>Change</th></tr>'
                   "</thead><tbody>")
        for n, change in enumerate(cs.changes, start=1):
            out.append(f'<tr><td class="n">{n}</td><td>{_h(change.where)}</td><td>'
                       f'<a href="#c{n}">{_h(change.summary)}</a></td></tr>')
        out.append("</tbody></table>")
        if cs.force_totals:
            out.append(f"<h2>{_h(TOTALS_HEADING)}</h2><p>{_h(TOTALS_INTRO)}</p>"
                       '<table class="totals"><thead><tr>' + "".join(f"<th>{_h(h)}</th>" for h in TOTALS_HEADS)
                       + "</tr></thead><tbody>")
            for t in cs.force_totals:
                cells = _totals_cells(t)
                out.append(f"<tr><td>{_h(cells[0])}</td>" + "".join(f'<td class="n">{_h(c)}</td>' for c in cells[1:])
                           + "</tr>")
            out.append("</tbody></table>")
        index = {id(c): n for n, c in enumerate(cs.changes, start=1)}
        for group in cs.groups():
            out.append(f"<h2>{_h(group.heading)}</h2>")
            for change in group.changes:
                n = index[id(change)]
                segments = _segments(change)
                out.append(f'<div class="change" id="c{n}">')
                if change.lead and segments and not change.words:
                    out.append(f"<p>{_h(change.lead)}:</p>")
                    out.append(f'<p class="text">{_html_inline(segments)}</p>')
                else:
                    out.append(f"<p>{_h(change.summary)}</p>")
                    if change.words:
                        out.append(f'<p class="text">{_html_inline(change.words)}</p>')
                if change.details:
                    out.append('<ul class="details">' + "".join(f"<li>{_h(d)}</li>" for d in change.details) + "</ul>")
                if change.apportionment:
                    ap = change.apportionment
                    out.append('<ul class="details">' + "".join(f"<li>{_h(d)}</li>" for d in _figures_lines(ap))
                               + "</ul>")
                    heads = ["Force", *(label.capitalize() for label in ap.input_labels), "Share", "Contribution"]
                    out.append("<table><thead><tr>" + "".join(f"<th>{_h(h)}</th>" for h in heads) + "</tr></thead><tbody>")
                    for row in ap.rows:
                        cells = [row.name, *row.inputs, row.share_text(), row.contribution_text()]
                        out.append(f"<tr><td>{_h(cells[0])}</td>"
                                   + "".join(f'<td class="n">{_h(c)}</td>' for c in cells[1:]) + "</tr>")
                    out.append("</tbody></table>")
                out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- Word


def _runs(segments: Iterable[tuple[str, str]]) -> MarkedText:
    """Return text segments ("=" plain, "+" inserted, "-" deleted, "b" bold) as marked text for `{{r }}`."""
    return MarkedText(tuple((op, text) for op, text in segments if text))


def _nobreak(text: str) -> str:
    """Return a signed figure that Word will not break after its sign ("+£56,449.02")."""
    return text[:1] + "\u2060" + text[1:] if text[:1] in "+-" else text


def _docx_item(change: Change) -> dict:
    segments = _segments(change)
    if change.lead and segments and not change.words:
        runs = _runs([("=", change.lead + ": "), *[(op, f"{quote(t)}") for op, t in segments]])
        text_runs = MarkedText(())
    else:
        runs = _runs([("=", change.summary)])
        text_runs = _runs(change.words) if change.words and change.kind != "function_renamed" else MarkedText(())
    details = list(change.details)
    rows = []
    if change.apportionment:
        ap = change.apportionment
        details += _figures_lines(ap)
        rows = [{"force": r.name, "inputs": "; ".join(r.inputs), "share": r.share_span(),
                 "share_change": _nobreak(r.share_delta()), "contribution": r.contribution_span(),
                 "contribution_change": _nobreak(r.contribution_delta())} for r in ap.rows]
        has_inputs = bool(ap.input_labels)
    else:
        has_inputs = False
    return {"runs": runs, "text": text_runs, "has_text": bool(text_runs), "details": details, "rows": rows,
            "has_rows": bool(rows), "has_inputs": has_inputs,
            "inputs_heading": ", ".join(label.capitalize() for label in change.apportionment.input_labels)
            if change.apportionment else ""}


def report_context(changeset: ChangeSet) -> dict:
    """Return what `change_report.docx` displays (docs/templates.md)."""
    cs = changeset
    highlights = [c.summary for c in cs.changes if c.kind in HIGHLIGHTS]
    groups = []
    for group in cs.groups():
        items = [_docx_item(c) for c in group.changes if c.kind not in HIGHLIGHTS]
        if items:
            groups.append({"heading": group.heading, "items": items})
    return {
        "agreement": {"title": cs.title, "reference": cs.reference, "version": cs.new_version,
                      "date": cs.new_date, "is_draft": cs.new_status == "draft", "fingerprint": ""},
        "report": {
            "title": f"Section 22A Agreement – {cs.title}",
            "subtitle": f"Changes since version {cs.old_version}",
            "versions": f"Version {cs.old_version} ({cs.old_date}, {cs.old_status.capitalize()}) → version "
                        f"{cs.new_version} ({cs.new_date}, {cs.new_status.capitalize()})",
            "intro": (f"This paper sets out what has changed in the section 22A collaboration agreement for "
                      f"{cs.title} ({cs.reference}) since version {cs.old_version}. Section and clause numbers "
                      f"are those of version {cs.new_version}; a removed clause is cited by its number in "
                      f"version {cs.old_version}."),
            "count": _plural(len(cs), "change"),
            "has_changes": bool(cs),
            "old_label": cs.old_label,
            "new_label": cs.new_label,
        },
        "highlights": highlights,
        "groups": groups,
        "totals": [{"force": t.name, "total": t.total_span(), "total_change": _nobreak(t.total_delta()),
                    "share": t.share_span(), "share_change": _nobreak(t.share_delta())} for t in cs.force_totals],
        "totals_heading": TOTALS_HEADING,
        "totals_intro": TOTALS_INTRO,
    }


def format_docx(changeset: ChangeSet, templates: TemplateSet) -> bytes:
    """Return the change report as a Word summit paper rendered from `change_report.docx` (deterministic)."""
    from .compose import no_update_fields, set_core_properties
    from .render import render_template

    package = render_template(templates.change_report(), report_context(changeset))
    no_update_fields(package, package.main_document())
    set_core_properties(package, title=f"{changeset.title}: changes since version {changeset.old_version}",
                        subject=changeset.reference, comments=None)
    return package.to_bytes()


FORMATS = ("text", "md", "html", "docx")
