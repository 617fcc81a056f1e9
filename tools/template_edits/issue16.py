"""Issue 16: what a Commissioner and a finance officer read (the shipped templates' wording).

Run from the repository root (idempotent: a second run changes nothing):

    python tools/template_edits/issue16.py              # edit the shipped templates
    python tools/template_edits/issue16.py --check      # exit 1 if a template does not read as below
    python tools/template_edits/issue16.py --root DIR   # the templates/ of DIR instead

What it states: the change report gives, after its introduction, each force's total across the
agreement's functions before and after, in pounds and in percentage points of the whole
(`totals`, report.report_context). The decision notice reads as a Commissioner's office writes
one: decision reference and publication status on the cover; executive summary, recommendation,
background; financial implications (the body's contributions function by function beside the
previous version's, their total and change, and its total across the summit's agreements);
legal implications; equality and risk; consultation; publication; a declaration of personal
interests, the decision in the decision maker's own words (nothing pre-decided) with signature
and date lines, and the chief finance officer's and monitoring officer's sign-off, each signed
by the office holder the body's kind calls for (wording.decision_maker). Its exempt part (made
by issue12a.py) states the withheld functions' figures the same way, and the totals over every
function. This script states the notice's body whole: issue13.py and issue12a.py leave it alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import reconcile  # noqa: E402
from reconcile import EditError, P, Table, Template, _table_like  # noqa: E402

from agreement_builder.ooxml import w  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def B(markup: str) -> P:
    return P("Body Text", markup)


def C(markup: str) -> P:
    return P("Clause", markup)


def H1(markup: str) -> P:
    return P("Heading 1", markup)


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


# ============================================================================ the decision notice

DOTS = "……………………………………………………………………………………………………………………"
SIGN = "Signature: ……………………………………………………………"
DATE = "Date: ……………………………………………"


def cover(publication: str) -> Table:
    return Table((
        (TT("**Decision reference**"), TT("{{ decision.reference }}")),
        (TT("**Title**"), TT("{{ agreement.title }}: collaboration agreement under section 22A of the Police Act 1996, "
                             "version {{ agreement.version }}")),
        (TT("**Agreement reference**"), TT("{{ agreement.reference }}")),
        (TT("**Decision by**"), TT("the {{ body.title }}")),
        (TT("**For signature at**"), TT("{{ summit.the_name }} on {{ summit.date }}")),
        (TT("**Publication**"), TT(publication)),
    ))


def contributions_table(notice: Path, total_label: str) -> list:
    """The body's contributions: beside the previous version's when there is one (four columns), else two."""
    return [
        T("{%p if previous.any %}"),
        Table((
            (TH("Function"), TH("Version {{ previous.version }}"), TH("This version"), TH("Change")),
            (TT("{%tr for c in contributions %}"), TT(), TT(), TT()),
            (TT("{{ c.function }}"), TT("{{ c.previous }}"), TT("{{ c.contribution }}"), TT("{{ c.change }}")),
            (TT("{%tr endfor %}"), TT(), TT(), TT()),
            (TH(total_label), TH("{{ previous.total }}"), TH("{{ total_contribution }}"), TH("{{ previous.change }}")),
        ), like=(notice, 1, [4226, 1600, 1600, 1600])),
        T("{%p else %}"),
        Table((
            (TH("Function"), TH("Annual contribution")),
            (TT("{%tr for c in contributions %}"), TT()),
            (TT("{{ c.function }}"), TT("{{ c.contribution }}")),
            (TT("{%tr endfor %}"), TT()),
            (TH(total_label), TH("{{ total_contribution }}")),
        ), like=(notice, 1, None)),
        T("{%p endif %}"),
    ]


def summit_table(notice: Path) -> Table:
    return Table((
        (TH("Agreement"), TH("Annual contribution")),
        (TT("{%tr for a in summit_agreements %}"), TT()),
        (TT("{{ a.agreement }}"), TT("{{ a.contribution }}")),
        (TT("{%tr endfor %}"), TT()),
        (TH("Total"), TH("{{ summit_total }}")),
    ), like=(notice, 1, None))


WITHHELD_NOTE = ("The contributions to {{ withheld.names }}, whose details the agreement withholds from publication "
                 "under section 23E of the Police Act 1996, are set out in the exempt part of this notice, which is not "
                 "for publication.")
ORDER = "Elected Local Policing Bodies (Specified Information) Order 2011"


def notice_body(notice: Path) -> list:
    return [
        P("Subtitle", "{{ body.title }}"),
        cover("For publication{% if withheld.any %}; its exempt part is not for publication{% endif %}"),
        H1("Executive Summary"),
        C("This notice records the decision of the {{ body.title }} on whether to enter into {{ agreement.the_title }} "
          "collaboration agreement under section 22A of the Police Act 1996 (reference {{ agreement.reference }}, "
          "version {{ agreement.version }}) with the other policing bodies{% if chief_officers_are_parties %} and the "
          "chief officers of police{% endif %} of {{ areas }}."),
        C("Under the agreement {{ lead_force.name }} is the lead force: the {{ deliverer.title }} delivers the "
          "functions in scope for {{ words.all_forces }}, and the cost is shared between the policing bodies by the "
          "cost apportionment set out in each service specification."),
        C("The annual contribution of the {{ body.title }} under the agreement is {{ total_contribution }}"
          "{% if withheld.any %} for the functions whose details are published{% endif %}{% if previous.any %} "
          "({{ previous.change }} on version {{ previous.version }}){% endif %}, and {{ summit_total }} across the "
          "agreements for signature at {{ summit.the_name }}{% if summit_withholding %} (the functions whose details "
          "are published){% endif %}."),
        H1("Recommendation"),
        C("That the {{ body.title }} approves {{ agreement.the_title }} collaboration agreement and signs it at "
          "{{ summit.the_name }} on {{ summit.date }}."),
        H1("Background"),
        C("Section 22A of the Police Act 1996 enables chief officers and policing bodies to make a collaboration "
          "agreement. A chief officer may do so if he or she thinks that it is in the interests of the efficiency or "
          "effectiveness of one or more police forces, and a policing body if it thinks that it is in the interests of "
          "the efficiency or effectiveness of one or more policing bodies or police forces."),
        C("Sections 22B and 22C of the Act require chief officers and policing bodies to keep collaboration under "
          "review and to collaborate where that is in the interests of the efficiency or effectiveness of their own "
          "and other police forces."),
        C("The agreement contains {{ provisions.text }} and covers the following functions:"),
        T("{%p for f in functions %}"),
        P("Clause Item", "{{ f.name }}"),
        T("{%p endfor %}"),
        C("The agreement comes into effect on {{ agreement.commencement }} and is to be reviewed by "
          "{{ agreement.review }}."),
        H1("Financial Implications"),
        C("The annual contribution of the {{ body.title }} for {{ force.name }} under the agreement"
          "{% if previous.any %}, beside its contribution under version {{ previous.version }},{% endif %} is:"),
        *contributions_table(notice, "Total{% if withheld.any %} of the functions above{% endif %}"),
        T("{%p if withheld.any %}"),
        C(WITHHELD_NOTE),
        T("{%p endif %}"),
        C("Across the agreements for signature at {{ summit.the_name }}{% if summit_withholding %}, counting the "
          "functions whose details are published,{% endif %} the annual contribution of the {{ body.title }} for "
          "{{ force.name }} is:"),
        summit_table(notice),
        C("The contributions are met from the budget of the {{ body.title }} for the financial year concerned and are "
          "reviewed annually in accordance with the agreement."),
        T("{%p if first_year.part %}"),
        C("For the financial year in which the agreement comes into effect ({{ agreement.commencement }}), the "
          "contributions are payable pro rata: {{ first_year.days }} of the {{ first_year.year_days }} days of that "
          "year."),
        T("{%p endif %}"),
        H1("Legal Implications"),
        C("The agreement is made under section 22A of the Police Act 1996. The {{ body.title }} may make it if it "
          "thinks that the agreement is in the interests of the efficiency or effectiveness of one or more policing "
          "bodies or police forces{% if chief_officers_are_parties %}, and each chief officer who is a party if he or "
          "she thinks that it is in the interests of the efficiency or effectiveness of one or more police forces"
          "{% endif %}."),
        C("In making this decision the {{ body.title }} must have regard to the guidance about collaboration "
          "agreements issued under section 23F of the Act."),
        T("{%p if decision.capacity %}"),
        C("{{ decision.capacity }}"),
        T("{%p endif %}"),
        H1("Equality and Risk"),
        C("In making this decision the {{ body.title }} must have due regard to the public sector equality duty in "
          "section 149 of the Equality Act 2010. The agreement requires the parties to comply with equality "
          "legislation in delivering the functions in scope."),
        C("Under the agreement {{ lead_force.name }} delivers the functions for {{ words.all_forces }}. The agreement "
          "sets out how liabilities are shared between the parties, the insurance each keeps, how disputes are "
          "resolved and how a party may withdraw; its governance reviews performance and risk."),
        H1("Consultation"),
        C("The agreement has been prepared with the other parties through the governance of "
          "{{ agreement.the_alliance }}."),
        C("Consultation on this decision (to be completed by the office of the {{ body.title }}):"),
        B(DOTS),
        B(DOTS),
        H1("Publication"),
        T("{%p if withheld.any %}"),
        C("This decision notice will be published, save for its exempt part, which is not for publication: the exempt "
          "part states the contributions to {{ withheld.names }}, whose details the agreement withholds from publication "
          f"under section 23E of the Police Act 1996, and the {ORDER} does not require the publication of information "
          "exempt from disclosure."),
        T("{%p else %}"),
        C("This decision notice will be published."),
        T("{%p endif %}"),
        C("The agreement will be published in accordance with section 23E of the Police Act 1996, save for any part "
          "withheld under that section."),
        H1("Declaration of Personal Interests"),
        B("I declare that I have no personal or prejudicial interest in this decision, save as stated here:"),
        B(DOTS),
        B(SIGN),
        B("{{ decision.signs }}"),
        B("Name: {% if decision.holder %}{{ decision.holder }}{% else %}……………………………………………{% endif %}"),
        B(DATE),
        H1("Decision"),
        B("The decision on the recommendation above, in the decision maker’s own words:"),
        B(DOTS),
        B(DOTS),
        B(DOTS),
        B(SIGN),
        B("{{ decision.signs }}"),
        B("Name: {% if decision.holder %}{{ decision.holder }}{% else %}……………………………………………{% endif %}"),
        B(DATE),
        H1("Officers’ Sign-off"),
        B("**Chief finance officer.** I have been consulted on this decision and I am satisfied that its financial "
          "implications are stated above{% if withheld.any %} and in its exempt part{% endif %}."),
        B(SIGN),
        B("{{ decision.finance_officer }}"),
        B(DATE),
        B("**Monitoring officer.** I have been consulted on this decision and I am satisfied that it is within the "
          "powers of the {{ body.title }} and that its legal implications are stated above."),
        B(SIGN),
        B("{{ decision.monitoring_officer }}"),
        B(DATE),
    ]


def exempt_body(notice: Path) -> list:
    return [
        P("Subtitle", "{{ body.title }}"),
        cover("Not for publication"),
        H1("Not for Publication"),
        C("This is the exempt part of the decision notice of the {{ body.title }} on {{ agreement.the_title }} "
          "collaboration agreement (reference {{ agreement.reference }}, version {{ agreement.version }}). It is not "
          "for publication."),
        C("It states the contributions to {{ withheld.names }}, whose details the agreement withholds from publication "
          f"under section 23E of the Police Act 1996. The {ORDER} does not require the publication of information "
          "exempt from disclosure; the decision notice for publication says that this part exists."),
        H1("Financial Implications"),
        C("The annual contribution of the {{ body.title }} for {{ force.name }} to the functions withheld from "
          "publication{% if previous.any %}, beside its contribution under version {{ previous.version }},{% endif %} "
          "is:"),
        *contributions_table(notice, "Total"),
        C("With the contributions stated in the decision notice for publication ({{ published_total }}), the annual "
          "contribution of the {{ body.title }} under the agreement is {{ agreement_total }}{% if previous.any %}, "
          "against {{ previous.agreement_total }} under version {{ previous.version }}{% endif %}."),
        C("Across the agreements for signature at {{ summit.the_name }}, counting every function, the annual "
          "contribution of the {{ body.title }} for {{ force.name }} is:"),
        summit_table(notice),
    ]


def _wide_table_like(path: Path, index: int, widths: list[int] | None = None):
    """Return a copy of a template's table, with `widths` columns (twips) when given: cells cloned from the last.

    For the decision notice (`widths` given or not), the copy is of its two-column contributions
    table, found by its look (two columns, headed "Function") wherever this script has put it.
    """
    import copy

    from agreement_builder.package import Package

    if path.name == "decision_notice.docx":
        package = Package.open(path)
        body = package.xml(package.main_document()).find(w("body"))
        table = copy.deepcopy(next(
            t for t in body.findall(w("tbl")) if len(t.find(w("tblGrid"))) == 2
            and _text(t.find(w("tr"))).startswith("Function")))
    else:
        table = _table_like(path, index)
    if widths is None:
        return table
    grid = table.find(w("tblGrid"))
    for col in list(grid):
        grid.remove(col)
    for width in widths:
        col = grid.makeelement(w("gridCol"), {w("w"): str(width)})
        grid.append(col)
    for tr in table.findall(w("tr")):
        cells = tr.findall(w("tc"))
        while len(cells) < len(widths):
            clone = copy.deepcopy(cells[-1])
            cells[-1].addnext(clone)
            cells.append(clone)
        for tc, width in zip(cells, widths):
            tcw = tc.find(w("tcPr")).find(w("tcW"))
            tcw.set(w("w"), str(width))
            tcw.set(w("type"), "dxa")
    return table


reconcile._table_like = _wide_table_like  # a Table's `like` may also give column widths (a wider copy)


def _before_contributions(t: Template, notice: Path) -> None:
    """Put the four-column table before the notice's two-column one, once (the stretch then finds both)."""
    if any(_text(p) == "{%p if previous.any %}" for p in t.children() if p.tag == w("p")):
        return
    finance = t.text_is("Financial Implications")
    table = next(c for c in t.children()[t.children().index(finance):] if c.tag == w("tbl"))
    table.addprevious(_wide_table_like(notice, 1, [4226, 1600, 1600, 1600]))
    t.changes.append("financial implications: a four-column table inserted")


def _text(p) -> str:
    return "".join(x.text or "" for x in p.iter(w("t")))


def edit_decision_notice(path: Path) -> Template:
    t = Template(path)
    _before_contributions(t, path)
    t.stretch(t.first(), None, notice_body(path), "decision notice")
    return t


def edit_exempt(path: Path) -> Template:
    notice = path.parent / "decision_notice.docx"
    t = Template(path)
    _before_contributions(t, notice)
    t.stretch(t.first(), None, exempt_body(notice), "exempt part")
    return t


EDITS = [
    ("templates/change_report.docx", edit_change_report),
    ("templates/decision_notice.docx", edit_decision_notice),
    ("templates/decision_notice_exempt.docx", edit_exempt),
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
