"""Put back, in the template files themselves, what a re-save in Word or LibreOffice lost.

Run from the repository root after saving a shipped template in LibreOffice (or Word):

    python tools/normalise_templates.py [TEMPLATE.docx ...]      (default: every shipped template)

It applies `agreement_builder.template_repair` to the file: the built-in styles' ids, a page
break left in a paragraph that holds only a tag, the contents field, a heading's hidden
section bookmark. A render does the same on the fly, so this is only to keep the committed
files tidy. It never touches text: it refuses to write a file whose words would change.
The file is rewritten deterministically (fixed dates and order inside the .docx) and only
when something was restored. Then `agreement-builder templates check` tells what is left.
"""

from __future__ import annotations

import sys
from pathlib import Path

from agreement_builder.package import Package, atomic_write, read_docx_parts
from agreement_builder.template_repair import repair
from agreement_builder.template_text import TemplateText
from agreement_builder.templates import SHIPPED_ANNEXES, SHIPPED_TEMPLATES


def _words(package: Package, path: Path) -> list[str]:
    return [p.text for p in TemplateText.read(path, package).paragraphs]


def normalise(path: Path) -> list[str]:
    """Restore what `path` lost, in place; return what was done (nothing written when nothing was)."""
    package = Package.open(path)
    before = _words(Package(dict(package.parts), str(path)), path)
    done = repair(package)
    if not done:
        return []
    data = package.to_bytes()
    if _words(Package(read_docx_parts(data, label=str(path)), str(path)), path) != before:
        raise SystemExit(f"{path}: restoring would change the wording; nothing written")
    atomic_write(path, data)
    return done


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    paths = [Path(a) for a in args] or sorted([*SHIPPED_TEMPLATES.glob("*.docx"), *SHIPPED_ANNEXES.glob("*.docx")])
    for path in paths:
        done = normalise(path)
        print(f"{path}: " + ("; ".join(done) if done else "nothing to restore"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
