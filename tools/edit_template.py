"""Change the wording of a Word template from a script: the scripted form of an edit in Word.

For a developer (or a reviewed change request) that rewords the shipped templates without
opening Word. Run from the repository root:

    python tools/edit_template.py FILE replace OLD NEW                    # OLD: once in the whole file
    python tools/edit_template.py FILE insert-after OPENING TEXT [--style NAME]
    python tools/edit_template.py FILE delete OPENING

OPENING is the start of the paragraph's text (as `agreement-builder templates show` prints
it, without the style), unique in the file. `replace` keeps the formatting of the run where
OLD starts, even when Word has split OLD over several runs. `insert-after` gives the new
paragraph the style NAME (a style's name as Word shows it, e.g. Clause), else the style of
the paragraph before it. The file is rewritten deterministically; the changed lines of
`templates show` are printed, then what `templates check` finds. Nothing is written when the
edit cannot be made exactly as asked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lxml import etree

from agreement_builder.docmodel import w
from agreement_builder.package import Package, atomic_write
from agreement_builder.template_check import check_template
from agreement_builder.template_text import TemplateText, compare_templates


class EditError(Exception):
    pass


def _paragraphs(package: Package, path: Path):
    return TemplateText.read(path, package)


def _unique(text: TemplateText, test, what: str):
    found = [p for p in text.paragraphs if test(p)]
    if len(found) != 1:
        raise EditError(f"{what}: found in {len(found)} paragraphs, not exactly one")
    return found[0]


def replace(package: Package, path: Path, old: str, new: str) -> None:
    """Replace `old` (once in the whole template) by `new`, inside its paragraph's runs."""
    text = _paragraphs(package, path)
    count = sum(p.text.count(old) for p in text.paragraphs)
    if count != 1:
        raise EditError(f"“{old}” occurs {count} times, not exactly once")
    p = _unique(text, lambda q: old in q.text, f"“{old}”")
    pieces = [t for t in p.element.iter(w("t")) if not _deleted(t)]
    start = p.text.index(old)
    end = start + len(old)
    position, first = 0, True
    for t in pieces:
        value = t.text or ""
        lo, hi = position, position + len(value)
        position = hi
        if hi <= start or lo >= end:
            continue
        cut_from, cut_to = max(start, lo) - lo, min(end, hi) - lo
        t.text = value[:cut_from] + (new if first else "") + value[cut_to:]
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        first = False


def _deleted(t: etree._Element) -> bool:
    node = t.getparent()
    while node is not None:
        if node.tag in (w("del"), w("moveFrom")):
            return True
        node = node.getparent()
    return False


def insert_after(package: Package, path: Path, opening: str, new_text: str, style: str | None) -> None:
    """Insert a paragraph holding `new_text` after the paragraph that starts with `opening`."""
    text = _paragraphs(package, path)
    anchor = _unique(text, lambda q: q.text.strip().startswith(opening), f"a paragraph starting “{opening}”")
    p = etree.Element(w("p"))
    if style is not None:
        info = text.styles.by_name.get(style.lower())
        if info is None:
            raise EditError(f"the template has no style called “{style}”")
        ppr = etree.SubElement(p, w("pPr"))
        etree.SubElement(ppr, w("pStyle")).set(w("val"), info.style_id)
    else:
        ppr = anchor.element.find(w("pPr"))
        if ppr is not None:
            clone = etree.fromstring(etree.tostring(ppr))
            for child in list(clone):
                if child.tag in (w("sectPr"), w("pPrChange"), w("rPr")):
                    clone.remove(child)
            p.append(clone)
    r = etree.SubElement(p, w("r"))
    t = etree.SubElement(r, w("t"))
    t.text = new_text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    anchor.element.addnext(p)


def delete(package: Package, path: Path, opening: str) -> None:
    """Delete the paragraph that starts with `opening`."""
    text = _paragraphs(package, path)
    p = _unique(text, lambda q: q.text.strip().startswith(opening), f"a paragraph starting “{opening}”")
    p.element.getparent().remove(p.element)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    sub = parser.add_subparsers(dest="action", required=True)
    r = sub.add_parser("replace")
    r.add_argument("old")
    r.add_argument("new")
    i = sub.add_parser("insert-after")
    i.add_argument("opening")
    i.add_argument("text")
    i.add_argument("--style")
    d = sub.add_parser("delete")
    d.add_argument("opening")
    args = parser.parse_args(argv)
    path: Path = args.file
    package = Package.open(path)
    try:
        if args.action == "replace":
            replace(package, path, args.old, args.new)
        elif args.action == "insert-after":
            insert_after(package, path, args.opening, args.text, args.style)
        else:
            delete(package, path, args.opening)
    except EditError as exc:
        print(f"{path}: {exc}; nothing written", file=sys.stderr)
        return 1
    before = path.with_name(f".{path.name}.before")
    before.write_bytes(path.read_bytes())
    try:
        atomic_write(path, package.to_bytes())
        print(compare_templates(before, path, labels=(f"{path} (before)", f"{path} (after)")), end="")
    finally:
        before.unlink()
    issues = check_template(path).issues
    for issue in issues:
        print(issue.format())
    return 1 if any(i.is_error for i in issues) else 0


if __name__ == "__main__":
    sys.exit(main())
