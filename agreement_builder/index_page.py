"""index.html: one self-contained page listing and linking every document of the pack.

Everything on the page comes from the manifest and is escaped; links are relative file paths
only, each segment percent-encoded and the whole prefixed with `./`, so that no name (an
agreement file called `javascript:alert(1).yaml`, say) can become a live link to anything but
a file of the pack. The page has no script, no external resource and no clock time.
"""

from __future__ import annotations

import datetime as dt
import html
from urllib.parse import quote

from decimal import Decimal

from .manifest import FAILED, KEPT, KINDS, MANIFEST, REMOVED, for_publication

_STYLE = """
body{font-family:Calibri,Carlito,"Segoe UI",Arial,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #1d3d6b;padding-bottom:.2rem}
p.meta{color:#555;margin-top:0}table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f1f4f8}td.n{text-align:right}a{color:#1d3d6b}
.failed{background:#fdecea;border-left:4px solid #b3261e;padding:.5rem 1rem;white-space:pre-wrap;font-family:monospace}
.stale{background:#fff4e5;border-left:4px solid #b26a00;padding:.5rem 1rem;white-space:pre-wrap}
"""

#: What the page says above an agreement whose documents are not this build's.
_BANNERS = {
    FAILED: "Out of date: this build failed; the documents below are the previous build's.",
    KEPT: "Out of date: the documents below were kept as they were.",
    REMOVED: "No longer in the summit: the documents below are kept until a build with --prune.",
}


def href(path: str) -> str:
    """Return a link to a file of the pack: relative, each segment percent-encoded, escaped for an attribute."""
    return html.escape("./" + "/".join(quote(segment, safe="") for segment in path.split("/")))


def render_index(manifest: dict) -> str:
    """Return index.html for a manifest (see manifest.manifest_data)."""
    e = html.escape
    summit = manifest["summit"]
    rows_by_agreement: dict[str, list[str]] = {}
    documents: dict[tuple[str, str], list[dict]] = {}
    for o in manifest["outputs"]:  # one row per document: its .docx, with the .pdf/.md made beside it
        base = o["path"].rsplit(".", 1)[0]
        documents.setdefault((o["agreement"], base), []).append(o)
    records = {a["folder"]: a for a in manifest["agreements"]}
    total = 0
    for (stem, _), files in documents.items():
        first = files[0]
        record = records[stem]
        pages = next((f["pages"] for f in files if f.get("pages")), None)
        links = " · ".join(f'<a href="{href(f["path"])}">{e(f["path"].rsplit(".", 1)[-1])}</a>' for f in files)
        rows_by_agreement.setdefault(stem, []).append(
            f'<tr><td><a href="{href(first["path"])}">{e(first["title"])}</a></td>'
            f'<td>{e(KINDS.get(first["kind"], first["kind"]))}</td>'
            f'<td>{"For publication" if for_publication(first["kind"]) else "Not for publication"}</td>'
            f'<td>{e(record["version"])}</td><td>{e(record["status"])}</td>'
            f'<td class="n">{int(pages) if pages else "–"}</td><td>{links}</td></tr>')
        total += 1
    stale = [a for a in manifest["agreements"] if a.get("stale")]
    parts = [
        "<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
        f"<title>{e(summit['name'])}: summit pack</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        f"<h1>{e(summit['name'])}</h1>",
        f'<p class="meta">{e(_long_date(summit["date"]))} · {total} documents in {len(manifest["agreements"])} agreements · '
        f'built by agreement-builder {e(manifest["generator"]["version"])} from {e(summit["source"])} · '
        f'<a href="{href(MANIFEST)}">manifest.json</a></p>',
    ]
    if manifest.get("finance"):
        parts += _finance(manifest["finance"])
    if stale:
        parts.append(f'<p class="stale">Not ready: {len(stale)} of {len(manifest["agreements"])} agreements are out of date '
                     f'({e(", ".join(a["folder"] for a in stale))}); see below.</p>')
    for a in manifest["agreements"]:
        heading = a["title"] or a["source"]
        parts.append(f'<h2 id="{e(a["folder"])}">{e(heading)}'
                     + (f' <small>({e(a["reference"])}, version {e(a["version"])}, {e(a["status"])})</small>'
                        if a["reference"] else "")
                     + "</h2>")
        state = a.get("state")
        if state in _BANNERS:
            reason = a.get("kept") if state != FAILED else None  # a failure's reason is its error, below
            parts.append(f'<div class="stale">{e(_BANNERS[state])}' + (f"\n{e(reason)}" if reason else "") + "</div>")
        if a.get("error"):
            parts.append(f'<div class="failed">Not built:\n{e(a["error"])}</div>')
        rows = rows_by_agreement.get(a["folder"], [])
        if rows:
            parts.append('<table><thead><tr><th>Document</th><th>Kind</th><th>Publication</th><th>Version</th><th>Status</th>'
                         '<th class="n">Pages</th><th>Files</th></tr></thead><tbody>')
            parts.extend(rows)
            parts.append("</tbody></table>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _finance(entry: dict) -> list[str]:
    """Return the summit's per-force summary and the link to the finance workbook (all from the manifest, escaped)."""
    from .formats import format_money

    e = html.escape

    def money(text: str | None, sign: bool = False) -> str:
        return "–" if text is None else e(format_money(Decimal(text), sign=sign))

    refs = [a["reference"] for a in entry["agreements"]]
    out = ['<h2 id="finance">Each force across the summit</h2>',
           f'<p><a href="{href(entry["path"])}">{e(entry["path"])}</a>: the finance workbook (every agreement\'s '
           "functions, formulas, inputs, shares and contributions, beside the previous version\'s where there is one). "
           "<strong>Not for publication</strong>: it holds the figures withheld from the publication versions.</p>"]
    if entry.get("state") == KEPT:
        out.append(f'<div class="stale">Out of date: the workbook was kept as it was.\n{e(entry.get("kept") or "")}</div>')
    out.append("<table><thead><tr><th>Force</th>" + "".join(f'<th class="n">{e(r)}</th>' for r in refs)
               + '<th class="n">Total</th><th class="n">Previous versions¹</th><th class="n">Change¹</th></tr></thead><tbody>')
    for force in entry["forces"]:
        cells = [money(v) for _, v in force["by_agreement"]]
        cells += [f"<strong>{money(force['total'])}</strong>", money(force["previous_total"]),
                  money(force["change"], sign=True)]
        out.append(f"<tr><td>{e(force['name'])}</td>" + "".join(f'<td class="n">{c}</td>' for c in cells) + "</tr>")
    out.append("</tbody></table>")
    compared = entry.get("compared") or []
    out.append('<p class="meta">¹ Like for like, over the agreements that have a previous version: '
               + (e(", ".join(compared)) if compared else "none in this summit") + ".</p>")
    for gone in entry.get("left_out", []):
        out.append(f'<p class="stale">Not in the workbook or the totals: {e(gone["folder"])} ({e(gone["reason"])}).</p>')
    return out


def _long_date(iso: str) -> str:
    from .formats import format_date

    return format_date(dt.date.fromisoformat(iso))
