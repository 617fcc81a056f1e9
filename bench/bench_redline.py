"""Benchmark: redline of a national-scale pair, against python-redlines when it is installed.

Run as `python bench/bench_redline.py [--keep DIR]`. It generates the pair itself: 43 forces,
36 Part A sections of 6 clauses, 30 annexes of 12 clauses and a 43-row apportionment table
each. NEW renames the lead force in a few clauses, removes one annex, inserts another and adds
one clause. Each engine is timed as a whole process (interpreter start, imports, reading,
writing), best of 3. The acceptance bar is 5x faster than python-redlines 2.0; the issue quotes
1.6-2.4 s for a 400-clause pair, used as the reference when python-redlines is not installed.
It also counts revisions in sections that did not change (must be 0) and checks the output with
the independent reader of tests/docx_views.py (accept all = NEW, reject all = OLD).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from lxml import etree  # noqa: E402

from docx_views import judge  # noqa: E402
from redline_helpers import LEAD_SECTIONS, build_docx, national_items  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REFERENCE = (1.6, 2.4)  # python-redlines 2.0 on a 400-clause pair, from the issue
RUNS = 3

OURS = """
import sys
from pathlib import Path
from agreement_builder.redline import redline
Path(sys.argv[3]).write_bytes(redline(Path(sys.argv[1]), Path(sys.argv[2])))
"""
THEIRS = """
import sys
from pathlib import Path
from python_redlines.engines import DocxodusEngine
out, _, _ = DocxodusEngine().run_redline("agreement-builder", sys.argv[1], sys.argv[2])
Path(sys.argv[3]).write_bytes(out)
"""


def make_pair(folder: Path) -> tuple[Path, Path, set[str]]:
    """Write old.docx and new.docx; return their paths and the ids of the sections that change."""
    annexes = [f"function_{n:02d}" for n in range(30)]
    removed, inserted = annexes[11], "function_new"
    new_annexes = [a for a in annexes if a != removed]
    new_annexes.insert(20, inserted)
    old = build_docx(national_items(lead="Bedfordshire Police", annexes=annexes))
    new = build_docx(national_items(lead="Bedfordshire, Luton and Milton Keynes Police",
                                    annexes=new_annexes, extra_clause=True))
    (folder / "old.docx").write_bytes(old)
    (folder / "new.docx").write_bytes(new)
    changed = {f"_AB_S_{k}" for k in LEAD_SECTIONS} | {"_AB_S_accountability",
                                                       f"_AB_F_{removed}", f"_AB_F_{inserted}"}
    return folder / "old.docx", folder / "new.docx", changed


def best_of(script: str, old: Path, new: Path, out: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", script, str(old), str(new), str(out)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def revisions_by_section(docx: Path) -> dict[str, int]:
    """Return the count of w:ins/w:del per top-level section (by its _AB_ bookmark or heading text)."""
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    counts: dict[str, int] = {}
    section = "(front matter)"
    for block in root.find(f"{{{W}}}body"):
        names = [b.get(f"{{{W}}}name", "") for b in block.iter(f"{{{W}}}bookmarkStart")]
        heads = [n for n in names if n.startswith(("_AB_S_", "_AB_F_"))]
        if heads:
            section = heads[0]
        else:  # a deleted heading copy has no bookmark: use its text
            style = block.find(f"{{{W}}}pPr/{{{W}}}pStyle")
            if style is not None and style.get(f"{{{W}}}val") in ("Heading1", "AnnexTitle"):
                section = "(deleted) " + "".join(block.itertext())
        n = sum(1 for _ in block.iter(f"{{{W}}}ins", f"{{{W}}}del"))
        counts[section] = counts.get(section, 0) + n
    return counts


def page_count(docx: Path, folder: Path) -> int | None:
    """Return the page count of a .docx through LibreOffice, or None without it."""
    try:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/lo", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder), str(docx)],
                       check=True, capture_output=True, timeout=600)
        info = subprocess.run(["pdfinfo", str(folder / (docx.stem + ".pdf"))], capture_output=True, text=True)
    except (OSError, subprocess.SubprocessError):
        return None
    for line in info.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the pair and the redlines to this folder")
    parser.add_argument("--pages", action="store_true", help="count pages with LibreOffice (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        old, new, changed = make_pair(folder)
        with zipfile.ZipFile(new) as zf:
            size = len(zf.read("word/document.xml"))
        print(f"pair: {old.stat().st_size // 1024} KB / {new.stat().st_size // 1024} KB "
              f"(document.xml {size // 1024} KB), 43 forces, 36 sections x 6 clauses, 30 annexes x 12 clauses")
        if args.pages:
            print(f"pages (LibreOffice): {page_count(new, folder)}")

        ours_out = folder / "redline-agreement-builder.docx"
        ours = best_of(OURS, old, new, ours_out)
        counts = revisions_by_section(ours_out)
        unchanged = sum(n for s, n in counts.items() if s not in changed and not s.startswith("(deleted)"))
        print(f"agreement-builder: {ours:.3f} s (whole process, best of {RUNS}); "
              f"{sum(counts.values())} revision marks; in unchanged sections: {unchanged}")
        status, differ = judge(old.read_bytes(), new.read_bytes(), ours_out.read_bytes(), [])
        print(f"independent check (accept all = NEW, reject all = OLD, every story): {status}"
              + (f" ({', '.join(differ)})" if differ else ""))

        try:
            import python_redlines.engines as pre

            pre.DocxodusEngine()
        except Exception as exc:  # not installed, or no binary for this platform
            print(f"python-redlines: unavailable ({type(exc).__name__}: {exc})")
            low, high = REFERENCE
            print(f"reference (issue): python-redlines 2.0 {low}-{high} s for a 400-clause pair -> "
                  f"ratio {low / ours:.1f}x-{high / ours:.1f}x (target >= 5x)")
        else:
            theirs_out = folder / "redline-python-redlines.docx"
            theirs = best_of(THEIRS, old, new, theirs_out)
            their_counts = revisions_by_section(theirs_out)
            their_unchanged = sum(n for s, n in their_counts.items()
                                  if s not in changed and not s.startswith("(deleted)"))
            print(f"python-redlines (Docxodus): {theirs:.3f} s (whole process, best of {RUNS}); "
                  f"{sum(their_counts.values())} revision marks; in unchanged sections: {their_unchanged}")
            print(f"ratio: {theirs / ours:.1f}x faster (target >= 5x)")
        return 0 if unchanged == 0 and status == "exact" else 1


if __name__ == "__main__":
    sys.exit(main())
