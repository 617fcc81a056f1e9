"""Issue 16: what a Commissioner and a finance officer read (the shipped templates' wording).

Run from the repository root (idempotent: a second run changes nothing):

    python tools/template_edits/issue16.py              # edit the shipped templates
    python tools/template_edits/issue16.py --check      # exit 1 if a template does not read as below
    python tools/template_edits/issue16.py --root DIR   # the templates/ of DIR instead

What it states: the change report gives, after its introduction, each force's total across the
agreement's functions before and after, in pounds and in percentage points of the whole
(`totals`, report.report_context).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reconcile import EditError, P, Table, Template  # noqa: E402

from agreement_builder.ooxml import w  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def B(markup: str) -> P:
    return P("Body Text", markup)


def T(markup: str) -> P:
    return P(None, markup)


def TT(markup: str = "") -> P:
    return P("Table Text", markup)


def TH(markup: str) -> P:
    return P("Table Heading", markup)


# ============================================================================ the change report

def totals_table(path: Path) -> Table:
    return Table((
        (TH("Force"), TH("Total contribution"), TH("Change"), TH("Part of the whole"), TH("Change")),
        (TT("{%tr for t in totals %}"), TT(), TT(), TT(), TT()),
        (TT("{{ t.force }}"), TT("{{ t.total }}"), TT("{{ t.total_change }}"), TT("{{ t.share }}"),
         TT("{{ t.share_change }}")),
        (TT("{%tr endfor %}"), TT(), TT(), TT(), TT()),
    ), like=(path, 1))  # the look of the report's five-column share table


def edit_change_report(path: Path) -> Template:
    t = Template(path)
    introduction = t.text_is("Introduction")
    agreement = t.text_starts("Section 22A Agreement – ")
    t.stretch(introduction, agreement, [
        B("{{ report.intro }}"),
        T("{%p if totals %}"),
        P("Heading 1", "{{ totals_heading }}"),
        B("{{ totals_intro }}"),
        totals_table(path),
        B(""),
        T("{%p endif %}"),
    ], "each force's total")
    table = t.children()[t.children().index(t.text_is("{{ totals_intro }}")) + 1]
    column_widths(t, table, [1900, 2900, 1600, 1500, 1126], "each force's total")
    return t


def column_widths(t: Template, table, widths: list[int], label: str) -> None:
    """Give a table these column widths (twips): its grid and every cell's width."""
    grid = table.find(w("tblGrid")).findall(w("gridCol"))
    cells = [tr.findall(w("tc")) for tr in table.findall(w("tr"))]
    if len(grid) != len(widths) or any(len(row) != len(widths) for row in cells):
        raise EditError(f"{t.path.name}: {label}: the table does not have {len(widths)} columns")
    changed = False
    for col, width in zip(grid, widths):
        if col.get(w("w")) != str(width):
            col.set(w("w"), str(width))
            changed = True
    for row in cells:
        for tc, width in zip(row, widths):
            tcw = tc.find(w("tcPr")).find(w("tcW"))
            if tcw.get(w("w")) != str(width) or tcw.get(w("type")) != "dxa":
                tcw.set(w("w"), str(width))
                tcw.set(w("type"), "dxa")
                changed = True
    if changed:
        t.changes.append(f"{label}: column widths")


EDITS = [
    ("templates/change_report.docx", edit_change_report),
]


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    root = Path(argv[argv.index("--root") + 1]) if "--root" in argv else ROOT
    status = 0
    for name, edit in EDITS:
        path = root / name
        try:
            template = edit(path)
        except EditError as exc:
            print(f"{name}: {exc}; nothing written", file=sys.stderr)
            return 1
        if not template.changes:
            print(f"{name}: reads as stated")
            continue
        if check_only:
            print(f"{name}: {len(template.changes)} differences, e.g. {template.changes[0]}")
            status = 1
            continue
        template.save()
        print(f"{name}: {len(template.changes)} edits", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
