"""Benchmark: `absorb` of a reviewed national agreement, against a render of the same agreement.

Run as `python bench/bench_absorb.py`. It writes, in a temporary folder, a national workspace
(43 forces, 30 functions, bench/national.py), renders the agreement, and edits the document as
a reviewer would: in every annex a service reworded, one inserted and a demand or NRE figure
changed, tracked and untracked, plus 40 new paragraphs in Part A sections. Then it times, in
this process and best of 3, a render of the agreement and `absorb` of the reviewed document
(which itself renders the agreement once, to compare): the goal is absorb ≤ 3x a render, and
every edit absorbed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

GOAL = 3.0
RUNS = 3


def main() -> int:
    from national import write_national

    from agreement_builder.absorb import absorb
    from agreement_builder.render import render_agreement
    from agreement_builder.validate import load_agreement
    from tests.word_edits import WordFile, text_of, w

    with tempfile.TemporaryDirectory() as tmp:
        path = write_national(Path(tmp) / "ws")
        checked = load_agreement(path)
        data = render_agreement(checked)
        doc = Path(tmp) / "ws" / "reviewed.docx"
        doc.write_bytes(data)
        wf = WordFile(doc)
        expected = 0
        for i in range(30):
            p = wf.paragraph(f"Service 2 of function {i:03d}")
            (wf.track_replace if i % 2 else wf.retype)(p, "Service 2", "Service two")
            wf.insert_after(wf.paragraph(f"Service 4 of function {i:03d}"), f"An added service {i}", "AnnexClause")
            expected += 2
        sections = [p for p in wf.body.iter(w("p")) if any(
            b.get(w("name"), "").startswith("_AB_S_") for b in p.iter(w("bookmarkStart")))]
        for n, heading in enumerate(sections[2:], start=1):
            if n > 40:
                break
            wf.track_insert_after(heading.getnext(), f"A new clause number {n} for the section.", "Clause")
            expected += 1
        wf.save()

        render_times, absorb_times = [], []
        result = None
        for _ in range(RUNS):
            start = time.perf_counter()
            render_agreement(load_agreement(path))
            render_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = absorb(doc, path)
            absorb_times.append(time.perf_counter() - start)
        render_s, absorb_s = min(render_times), min(absorb_times)
        absorbed = len(result.absorbed)
        print(f"national agreement: {len(result.changes)} changes, {absorbed} absorbed (expected {expected}), "
              f"{len(result.not_absorbed)} reported")
        print(f"render (load + render): {render_s:.2f} s; absorb (read, render, align, map, edit, check): "
              f"{absorb_s:.2f} s; ratio {absorb_s / render_s:.2f}x (goal <= {GOAL}x)")
        ok = absorbed == expected and absorb_s / render_s <= GOAL
        print("ok" if ok else "NOT MET")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
