"""Issue 12, part A: publication that withholds (the shipped templates' wording).

Run from the repository root (idempotent: a second run changes nothing):

    python tools/template_edits/issue12a.py              # edit the shipped templates
    python tools/template_edits/issue12a.py --check      # exit 1 if a template does not read as below
    python tools/template_edits/issue12a.py --root DIR   # the templates/ and annexes/ of DIR instead

What it states: the publication version says what it is on its cover and in its header
("Publication version under section 23E of the Police Act 1996") and, where something is
withheld, what and under which provision (as section 34 promises); the withheld annex says the
same; and the exempt part of a decision notice (templates/decision_notice_exempt.docx, made from
the decision notice when missing) is marked not for publication in its title, header and footer
(Elected Local Policing Bodies (Specified Information) Order 2011). The bodies of the decision
notice and of its exempt part are stated whole by issue16.py (run it after this script); the
wording inside stretches that issue13.py states (Part A section 12 "Financial Arrangements") is
in issue13.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reconcile import EditError, P, Template, _plain  # noqa: E402

from agreement_builder.docmodel import w  # noqa: E402
from agreement_builder.package import atomic_write  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MARK = "Publication version under section 23E of the Police Act 1996"


def B(markup: str) -> P:
    return P("Body Text", markup)


def T(markup: str) -> P:
    return P(None, markup)


def _style_is(style_id: str):
    return lambda p: p.find(f".//{{{W}}}pStyle[@{{{W}}}val='{style_id}']") is not None


# ============================================================================ the umbrella

UMBRELLA_COVER = [
    T("{%p if agreement.publication %}"),
    B(f"**{MARK}**"),
    T("{%p if withheld.any %}"),
    B("The details of {{ withheld.specifications }} ({{ withheld.names }}), and every figure that includes them, are "
      "withheld from this version under section 23E of the Police Act 1996, as section [[publication]] of this "
      "Agreement provides."),
    T("{%p endif %}"),
    T("{%p endif %}"),
]

HEADER_MARK = [
    T("{%p if agreement.publication %}"),
    P("Header", f"**{MARK}**"),
    T("{%p endif %}"),
]


def _centre(t: Template, p, label: str) -> None:
    """Centre a paragraph that has a style (a tag paragraph is left alone), once."""
    ppr = p.find(w("pPr"))
    if ppr is None or ppr.find(w("pStyle")) is None or ppr.find(w("jc")) is not None:
        return
    jc = ppr.makeelement(w("jc"), {w("val"): "center"})
    after = [c for c in ppr if c.tag in (w("pStyle"), w("keepNext"), w("keepLines"), w("pageBreakBefore"),
                                         w("spacing"), w("ind"))]
    (after[-1].addnext if after else ppr.append)(jc)
    t.changes.append(f"{label}: centred “{_plain(p)[:60]}”")


def _header_after_draft(t: Template, items: list, label: str) -> None:
    """Make the default header read `items` between its DRAFT block's end and its last (empty) paragraph."""
    header = t.in_part(t.header("default"))
    end_of_draft = header.text_is("{%p endif %}", after=header.text_starts("DRAFT"))
    last = header.children()[-1]
    if last is end_of_draft:
        raise EditError(f"{t.path.name}: the header has no paragraph after its DRAFT block")
    header.stretch(end_of_draft, last, items, label)


def edit_umbrella(path: Path) -> Template:
    t = Template(path)
    subtitle = t.find(_style_is(t.style_id("Subtitle")), "in Subtitle")
    alliance = t.text_is("{{ agreement.alliance }}")
    t.stretch(subtitle, alliance, UMBRELLA_COVER, "cover")
    children = t.children()
    for p in children[children.index(subtitle) + 1:children.index(alliance)]:
        _centre(t, p, "cover")  # centred like the rest of the cover
    _header_after_draft(t, HEADER_MARK, "header")
    return t


# ============================================================================ the withheld annex

WITHHELD = [
    B("The details of this Service Specification, including the budget of the Function and the apportionment of its "
      "cost, are withheld from publication under section 23E of the Police Act 1996, as section [[publication]] of "
      "this Agreement provides."),
]


def edit_withheld(path: Path) -> Template:
    t = Template(path)
    t.stretch(t.first(), None, WITHHELD, "withheld annex")
    return t


# ============================================================================ the exempt part (not for publication)

EXEMPT_TITLE = P("Title", "Decision Notice: Exempt Part")
EXEMPT_HEADER = [P("Header", "**NOT FOR PUBLICATION – exempt part of a decision notice**")]
FOOTER_FROM, FOOTER_TO = " · Decision notice · ", " · Decision notice, exempt part · "


def edit_exempt(path: Path) -> Template:
    """The exempt part: the decision notice's look (styles, cover table, header, footer), its own words."""
    if not path.exists():
        atomic_write(path, (path.parent / "decision_notice.docx").read_bytes())
    t = Template(path)
    if path.read_bytes() == (path.parent / "decision_notice.docx").read_bytes():
        t.changes.append("made from decision_notice.docx")
    title = t.first()
    t._paragraph(title, EXEMPT_TITLE, "title")  # its body: issue16.py states it, beside the notice's
    _header_after_draft(t, EXEMPT_HEADER, "header")
    footer = t.in_part(t.header("default", footer=True))
    first = footer.children()[0]
    for text in first.iter(w("t")):
        if text.text and FOOTER_FROM in text.text:
            text.text = text.text.replace(FOOTER_FROM, FOOTER_TO)
            t.changes.append("footer: says exempt part")
    if FOOTER_TO not in _plain(first):
        raise EditError(f"{path.name}: the footer's first paragraph does not say “{FOOTER_TO.strip(' ·')}”")
    return t


EDITS = [
    ("templates/umbrella.docx", edit_umbrella),
    ("annexes/withheld.docx", edit_withheld),
    # templates/decision_notice.docx: its body is stated whole by issue16.py (what a Commissioner's office writes)
    ("templates/decision_notice_exempt.docx", edit_exempt),
]


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    root = Path(argv[argv.index("--root") + 1]) if "--root" in argv else ROOT
    status = 0
    for name, edit in EDITS:
        path = root / name
        if check_only and not path.exists():
            print(f"{name}: missing")
            status = 1
            continue
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
