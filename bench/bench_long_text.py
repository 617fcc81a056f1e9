"""Benchmark: long clauses and many clauses in `diff`, against a linear baseline measured in the same run.

Run as `python bench/bench_long_text.py`. The word diff used to grow with the cube of a
paragraph's length (difflib's SequenceMatcher on words: 500 / 1,000 / 2,000 words with every
third word changed took 1 / 8 / 64 s, and one edited 1,500-word clause made `diff` take 27 s).
It now goes through `textdiff` (rapidfuzz's bit-parallel LCS, bounded), and the pairing of
reworded clauses compares each text's words once with a bound on the pairs compared.

What is timed, each best of 3:
- `word_diff` of one paragraph of 500, 1,500 and 5,000 words with every third word changed,
  against the baseline of splitting both texts into words (a linear read), and against difflib's
  SequenceMatcher on the same words at 250 and 500 words (larger would take minutes);
- `diff_agreements` plus the text, Markdown, HTML and Word change reports, for an agreement with
  one edited 1,500-word clause, one edited 5,000-word clause, and 2,000 clauses without ids each
  reworded, against the baseline of loading the two agreements (reading and checking the YAML,
  linear in its size).
Goals: a 1,500-word clause's diff and a 5,000-word clause's change report well under 1 s.
"""

from __future__ import annotations

import difflib
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = 3
GOAL = 1.0
WORDS = ("the parties shall agree that lead force chief constable commissioner budget annual report "
         "panel board collaboration policing body services").split()


def paragraph(words: int, seed: int) -> str:
    rnd = random.Random(seed)
    return " ".join(rnd.choice(WORDS) + str(rnd.randrange(40)) for _ in range(words))


def edited(text: str, every: int = 3) -> str:
    return " ".join(("revised" + w if i % every == 0 else w) for i, w in enumerate(text.split(" ")))


def best(fn, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def agreement_pair(folder: Path, old_clauses: list[str], new_clauses: list[str]) -> tuple[Path, Path]:
    base = (ROOT / "agreements" / "jps.yaml").read_text(encoding="utf-8").replace("  previous: jps-2013.yaml\n", "")
    shutil.copy(ROOT / "parties.yaml", folder / "parties.yaml")
    paths = []
    for name, clauses in (("old", old_clauses), ("new", new_clauses)):
        block = "".join(f"    - {json.dumps(text)}\n" for text in clauses)
        path = folder / f"{name}.yaml"
        path.write_text(base.replace("  liabilities:\n", block + "  liabilities:\n"), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def main() -> int:
    from agreement_builder.diff import diff_agreements, word_diff
    from agreement_builder.docmodel import tokenize
    from agreement_builder.report import format_docx, format_html, format_markdown, format_text
    from agreement_builder.templates import find_templates
    from agreement_builder.validate import load_agreement

    ok = True
    print("word_diff of one paragraph, every third word changed (best of 3):")
    for words in (500, 1_500, 5_000):
        old = paragraph(words, words)
        new = edited(old)
        ours, _ = best(lambda: word_diff(old, new))
        linear, _ = best(lambda: (tokenize(old), tokenize(new)))
        print(f"  {words:>5,} words: {ours:.4f} s; splitting both into words {linear:.4f} s: {ours / linear:.1f}x that")
    for words in (250, 500):
        old = paragraph(words, words)
        new = edited(old)
        a, b = tokenize(old), tokenize(new)
        slow, _ = best(lambda: difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), runs=1)
        ours, _ = best(lambda: word_diff(old, new))
        print(f"  {words:>5,} words: difflib's SequenceMatcher on the same words {slow:.3f} s "
              f"({slow / ours:.0f}x word_diff's {ours:.4f} s)")

    print("diff_agreements + text, Markdown, HTML and Word reports, against loading both agreements (best of 3):")
    cases = []
    for words in (1_500, 5_000):
        text = paragraph(words, 7 * words)
        cases.append((f"one {words:,}-word clause, every third word changed", [text], [edited(text)]))
    many = [paragraph(30, 100 + i) for i in range(2_000)]
    cases.append(("2,000 clauses without ids, each reworded", many, [edited(t, 5) for t in many]))
    with tempfile.TemporaryDirectory() as tmp:
        for n, (label, old_clauses, new_clauses) in enumerate(cases):
            folder = Path(tmp) / str(n)
            folder.mkdir()
            old_path, new_path = agreement_pair(folder, old_clauses, new_clauses)
            load, (old, new) = best(lambda: (load_agreement(old_path), load_agreement(new_path)))
            templates = find_templates(new_path)
            diff_agreements(old, new)  # the umbrella template's outline is read once per process
            diff_time, changes = best(lambda: diff_agreements(old, new))
            report_time, _ = best(lambda: (format_text(changes), format_markdown(changes), format_html(changes),
                                           format_docx(changes, templates)))
            total = diff_time + report_time
            met = total < GOAL
            ok &= met or n == 2
            print(f"  {label}: diff {diff_time:.3f} s + reports {report_time:.3f} s = {total:.3f} s; "
                  f"loading both {load:.3f} s: {total / load:.1f}x that"
                  + (f" (goal < {GOAL:.0f} s: {'met' if met else 'MISSED'})" if n < 2 else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
