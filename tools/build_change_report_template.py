"""Generate the change report template: agreement_builder/data/templates/change_report.docx.

Run from the repository root:

    python tools/build_change_report_template.py [OUT_DIR]

The paper is laid out like the hand-written "what changed since the previous draft" summit
paper (seed 004): a title, an introduction, a numbered list of the decisions that change the
shape of the collaboration (lead force, forces joining or leaving, business areas added or
removed), then one unnumbered heading per area that changed ("Accountability Arrangements –
Section 8") with its changes, inserted words underlined in green and deleted words struck
through in red, and the apportionment tables, and a recommendation to close.

It reuses the page set-up, styles, numbering, header and footer of the other templates
(tools/build_templates.py), so the paper looks like the agreements it reports on, and the
output is deterministic (fixed zip dates and entry order).

Context (see agreement_builder.report.report_context): `agreement` (title, reference,
version, date, is_draft, fingerprint: for the header and footer), `report` (title,
subtitle, versions, intro, count, has_changes, old_label, new_label), `highlights` (list of
one-line decisions) and `groups` (heading; items: runs, text, has_text, details, rows,
has_rows, has_inputs, inputs_heading; a row: force, inputs, share,
share_change, contribution, contribution_change). `runs` and `text` are Word runs, printed with
`{{r ... }}`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = "templates/change_report.docx"


def _build_templates():
    """Return tools/build_templates.py as a module (its Writer carries the shared styles)."""
    path = ROOT / "tools" / "build_templates.py"
    spec = importlib.util.spec_from_file_location("build_templates", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_templates", module)
    spec.loader.exec_module(module)
    return module


def build_change_report():
    """Return the Writer holding the change report template."""
    bt = _build_templates()
    w = bt.Writer(title_page=False)
    w.header_footer("{{ agreement.reference }} · Changes since the previous version", title_page=False)

    w.p("Title", "{{ report.title }}")
    w.p("Subtitle", "{{ report.subtitle }}")
    w.p("Body Text", "{{ report.versions }}", align="center", space_after=480)

    w.p("Heading 1", "Introduction")
    w.p("Body Text", "{{ report.intro }}")

    w.p("Heading 1", "Section 22A Agreement – {{ agreement.title }}")
    w.tag("{%p if highlights %}")
    w.p("Body Text", "Since the previous version decisions have been taken in relation to:", keep_next=True)
    w.tag("{%p for h in highlights %}")
    w.p("Clause", "{{ h }}")
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.tag("{%p if groups %}")
    w.p("Body Text", "The remainder of this section draws out the areas within the Section 22A agreement that "
                     "have changed since the previous version ({{ report.count }} in all).")
    w.tag("{%p elif not report.has_changes %}")
    w.p("Body Text", "The Section 22A agreement has not changed since the previous version.")
    w.tag("{%p endif %}")

    w.tag("{%p for g in groups %}")
    w.p("Unnumbered Heading", "{{ g.heading }}")
    w.tag("{%p for item in g.items %}")
    w.p("Body Text", "{{r item.runs }}")
    w.tag("{%p if item.has_text %}")
    w.p("Body Text", "{{r item.text }}", indent=720)
    w.tag("{%p endif %}")
    w.tag("{%p for d in item.details %}")
    w.p("Body Text", "{{ d }}", indent=720, space_after=40)
    w.tag("{%p endfor %}")
    w.tag("{%p if item.has_rows and item.has_inputs %}")
    w.table([1750, 1150, 1500, 950, 2300, 1376], [
        ("head", ["Force", "{{ item.inputs_heading }}", "Share", ">Change", "Annual contribution", ">Change"]),
        ("tr", "{%tr for r in item.rows %}"),
        ("body", ["{{ r.force }}", ">{{ r.inputs }}", ">{{ r.share }}", ">{{ r.share_change }}",
                  ">{{ r.contribution }}", ">{{ r.contribution_change }}"]),
        ("tr", "{%tr endfor %}"),
    ])
    w.p("Body Text", "", space_after=0)
    w.tag("{%p elif item.has_rows %}")
    w.table([2300, 1700, 1000, 2600, 1426], [
        ("head", ["Force", "Share", ">Change", "Annual contribution", ">Change"]),
        ("tr", "{%tr for r in item.rows %}"),
        ("body", ["{{ r.force }}", ">{{ r.share }}", ">{{ r.share_change }}", ">{{ r.contribution }}",
                  ">{{ r.contribution_change }}"]),
        ("tr", "{%tr endfor %}"),
    ])
    w.p("Body Text", "", space_after=0)
    w.tag("{%p endif %}")
    w.tag("{%p endfor %}")
    w.tag("{%p endfor %}")

    w.p("Heading 1", "Recommendation")
    w.p("Body Text", "That the Parties note the changes to the Section 22A agreement for {{ agreement.title }} "
                     "set out in this paper.")
    return w


def main(argv: list[str] | None = None) -> int:
    return _build_templates().write_outputs({OUTPUT: build_change_report}, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
