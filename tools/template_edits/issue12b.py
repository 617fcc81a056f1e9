"""Issue 12 (part B): every heading of the shipped templates has an outline level (PDF bookmarks, tags).

Run from the repository root (idempotent: a second run changes nothing):

    python tools/template_edits/issue12b.py              # edit the shipped templates
    python tools/template_edits/issue12b.py --check      # exit 1 if a template does not say what is below
    python tools/template_edits/issue12b.py --root DIR   # the templates/ and annexes/ of DIR instead

LibreOffice makes a PDF bookmark, and a heading tag (H1, H2) for screen readers, from a
paragraph's outline level; Word's navigation pane and the contents field read the same
levels. Word fixes "Heading 1" at level 1, so the document's top level holds everything a
reader moves between: the front matter's headings, the part titles, Part A's sections, the
execution page, the appendices and each annex's title; headings inside an appendix or an
annex are one level below. In Word's terms (the XML counts from 0):

| paragraphs | style | level |
|---|---|---|
| Part A's sections | Heading 1 | 1 (Word's own) |
| PART A / PART B | Part Heading | 1 |
| Execution, Appendix 1, Appendix 2 | Appendix Title | 1 |
| each annex's title | Annex Title | 1 |
| an annex's headings | Annex Heading | 2 |
| an appendix's headings (Purpose, Membership, ...) | Unnumbered Heading | 2 |
| Parties, Recitals, Contents (umbrella) | Unnumbered Heading, the paragraph at level 1 | 1 |

The styles are set in every shipped template (the exempt part of a decision notice, which
issue12a.py makes from the decision notice, takes them from it) (an annex's styles give way to the umbrella's
when they are composed, but each template also reads right on its own).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reconcile import EditError, Template  # noqa: E402

from agreement_builder.docmodel import w  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

#: Outline level (as in the XML: 0 is Word's level 1) by style name.
STYLE_LEVELS = {
    "Part Heading": 0,
    "Appendix Title": 0,
    "Annex Title": 0,
    "Annex Heading": 1,
    "Unnumbered Heading": 1,
}
#: Paragraphs of the umbrella whose own level differs from their style's: the front matter's headings.
UMBRELLA_PARAGRAPHS = {"Parties": 0, "Recitals": 0, "Contents": 0}
#: The same front matter headings by template (an agreement of variation has no contents page).
FRONT_MATTER = {"templates/umbrella.docx": UMBRELLA_PARAGRAPHS,
                "templates/variation.docx": {"Parties": 0, "Recitals": 0}}

TEMPLATES = [
    "templates/umbrella.docx",
    "templates/decision_notice.docx",
    "templates/decision_notice_exempt.docx",
    "templates/change_report.docx",
    "annexes/service_specification.docx",
    "annexes/armed_policing.docx",
    "annexes/major_crime.docx",
    "annexes/no_specification.docx",
    "annexes/withheld.docx",
    "templates/variation.docx",  # made by tools/make_variation_template.py after this script first ran
]

#: Children of w:pPr that the schema puts after w:outlineLvl.
_AFTER_OUTLINE = {w("divId"), w("cnfStyle"), w("rPr"), w("sectPr"), w("pPrChange")}


def set_outline_level(ppr, level: int) -> bool:
    """Give a w:pPr the outline level `level`; return whether it changed."""
    el = ppr.find(w("outlineLvl"))
    if el is None:
        el = ppr.makeelement(w("outlineLvl"), {})
        later = next((c for c in ppr if c.tag in _AFTER_OUTLINE), None)
        if later is not None:
            later.addprevious(el)
        else:
            ppr.append(el)
    elif el.get(w("val")) == str(level):
        return False
    el.set(w("val"), str(level))
    return True


def edit(path: Path, name: str) -> Template:
    t = Template(path)
    styles = t.package.xml("word/styles.xml")
    by_name = {st.find(w("name")).get(w("val")).lower(): st for st in styles.iterfind(w("style"))
               if st.find(w("name")) is not None}
    for style_name, level in STYLE_LEVELS.items():
        style = by_name.get(style_name.lower())
        if style is None:
            raise EditError(f"{path.name} has no style called “{style_name}”")
        ppr = style.find(w("pPr"))
        if ppr is None:
            ppr = style.makeelement(w("pPr"), {})
            later = next((c for c in style if c.tag in (w("rPr"), w("tblPr"), w("trPr"), w("tcPr"), w("tblStylePr"))), None)
            if later is not None:
                later.addprevious(ppr)
            else:
                style.append(ppr)
        if set_outline_level(ppr, level):
            t.changes.append(f"style “{style_name}” at outline level {level + 1}")
    for text, level in FRONT_MATTER.get(name, {}).items():
        p = t.text_is(text)
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = p.makeelement(w("pPr"), {})
            p.insert(0, ppr)
        if set_outline_level(ppr, level):
            t.changes.append(f"“{text}” at outline level {level + 1}")
    return t


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    root = Path(argv[argv.index("--root") + 1]) if "--root" in argv else ROOT
    status = 0
    for name in TEMPLATES:
        try:
            template = edit(root / name, name)
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
