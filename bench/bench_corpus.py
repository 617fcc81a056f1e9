"""Benchmark: redline of the 111 real Word pairs of the WmlComparer corpus, ours against python-redlines.

Run as `python bench/bench_corpus.py [--corpus DIR] [--keep DIR] [--no-pdf]`. The corpus is read from
`../shared/wmlcomparer-corpus` (beside the repository) unless given; it is never copied into the
project. Each engine runs once per pair as a whole process (interpreter start, imports, reading,
writing), the two interleaved, and each output is judged by the independent reader of
`tests/docx_views.py`: accept all must read as NEW and reject all as OLD over the body, tables,
text boxes, equations, field codes, pictures, notes, comments, headers and footers. Every output
is then converted to PDF by LibreOffice (one call per engine) to show that it opens.

Prints a Markdown table (the README's): crashes, accept-all exact, reject-all exact, every check
passing, pairs changed but with no revision marked, pairs not exact and reported by name, pairs
silent (not exact, nothing said), revision counts against WmlComparer's (median ratio, pairs
over 2x), command time (median) and how many outputs LibreOffice opened. python-redlines
(`pip install 'python-redlines[docxodus]'`) is reported unavailable when it is not installed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from docx_views import areas, has_revisions, judge, revision_groups, view  # noqa: E402

OURS = """
import json, sys
from pathlib import Path
from agreement_builder.redline import compare
result = compare(Path(sys.argv[1]), Path(sys.argv[2]))
Path(sys.argv[3]).write_bytes(result.data)
Path(sys.argv[3] + ".warnings.json").write_text(json.dumps(result.warnings))
"""
THEIRS = """
import sys
from pathlib import Path
from python_redlines.engines import DocxodusEngine
out, _, _ = DocxodusEngine().run_redline("python-redlines", sys.argv[1], sys.argv[2])
Path(sys.argv[3]).write_bytes(out)
"""


def peer_available() -> str | None:
    """Return None when python-redlines with its Docxodus engine runs here, else why not."""
    try:
        import python_redlines.engines as engines

        engines.DocxodusEngine()
    except Exception as exc:  # not installed, or no binary for this platform
        return f"{type(exc).__name__}: {exc}"
    return None


def run_once(script: str, old: Path, new: Path, out: Path) -> tuple[float, bool]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, str(old), str(new), str(out)], cwd=ROOT,
                          capture_output=True, timeout=600)
    return time.perf_counter() - start, done.returncode == 0 and out.exists()


def score(old: bytes, new: bytes, out: bytes | None, warnings: list[str] | None, expected: int) -> dict:
    if out is None:
        return {"crash": True}
    accept = not areas(view(out, True), view(new, True))
    reject = not areas(view(out, False), view(old, True))
    status, _ = judge(old, new, out, warnings or [])
    if warnings is None:  # an engine that reports nothing: exact or silent
        status = "exact" if accept and reject else "silent"
    groups = revision_groups(out)
    changed = view(old, True) != view(new, True)
    return {"crash": False, "accept": accept, "reject": reject, "status": status, "groups": groups,
            "unmarked": changed and groups == 0, "inputs_tracked": has_revisions(old) or has_revisions(new),
            "ratio": groups / expected if expected else (1.0 if groups == 0 else 2.0),
            "over": groups > 2 * expected}


def libreoffice_opens(files: list[Path], folder: Path) -> int | None:
    """Return how many of the .docx files LibreOffice converts to PDF (None without LibreOffice)."""
    if not shutil.which("soffice"):
        return None
    out = folder / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    for k in range(0, len(files), 100):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/lo", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), *map(str, files[k:k + 100])], capture_output=True, timeout=1800)
    return sum(1 for f in files if (out / (f.stem + ".pdf")).exists() and (out / (f.stem + ".pdf")).stat().st_size)


def summary(rows: list[dict], times: list[float], opened: int | None, n: int) -> dict[str, str]:
    ok = [r for r in rows if not r["crash"]]
    ratios = [r["ratio"] for r in ok]
    return {
        "crashes": str(sum(r["crash"] for r in rows)),
        "accept-all gives NEW": f"{sum(r['accept'] for r in ok)}/{n}",
        "reject-all gives OLD": f"{sum(r['reject'] for r in ok)}/{n}",
        "every check passes": f"{sum(r['accept'] and r['reject'] for r in ok)}/{n}",
        "changes exist but no revision is marked": str(sum(r["unmarked"] for r in ok)),
        "not exact, reported by name": str(sum(r["status"] == "reported" for r in ok)),
        "not exact and nothing said (silent)": str(sum(r["status"] == "silent" for r in ok)),
        "revision groups / WmlComparer's, median": f"{statistics.median(ratios):.2f}" if ratios else "-",
        "pairs over 2x WmlComparer's count": str(sum(r["over"] for r in ok)),
        "command time, median": f"{statistics.median(times):.2f} s" if times else "-",
        "outputs LibreOffice opens": "-" if opened is None else f"{opened}/{n}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "wmlcomparer-corpus")
    parser.add_argument("--keep", type=Path, help="write the redlines to this folder")
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice check")
    args = parser.parse_args()
    if not (args.corpus / "pairs.json").exists():
        print(f"corpus not found at {args.corpus}: nothing to measure")
        return 0
    pairs = json.loads((args.corpus / "pairs.json").read_text())
    why_not = peer_available()
    engines = {"agreement-builder": OURS} | ({} if why_not else {"python-redlines 2.0 (Docxodus)": THEIRS})
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows = {name: [] for name in engines}
        times = {name: [] for name in engines}
        outputs = {name: [] for name in engines}
        for pair in pairs:
            old, new = args.corpus / pair["old"], args.corpus / pair["new"]
            for k, (name, script) in enumerate(engines.items()):
                out = folder / f"{'ours' if k == 0 else 'peer'}-{pair['id']}.docx"
                took, ok = run_once(script, old, new, out)
                times[name].append(took)
                warnings = json.loads(Path(str(out) + ".warnings.json").read_text()) if ok and k == 0 else None
                rows[name].append(score(old.read_bytes(), new.read_bytes(), out.read_bytes() if ok else None,
                                        warnings, pair["expected"]))
                if ok:
                    outputs[name].append(out)
        opened = {name: None if args.no_pdf else libreoffice_opens(files, folder / name.split()[0])
                  for name, files in outputs.items()}
        tables = {name: summary(rows[name], times[name], opened[name], len(pairs)) for name in engines}
    names = list(engines)
    print(f"WmlComparer corpus: {len(pairs)} pairs, each engine once per pair as a whole process, interleaved")
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key in tables[names[0]]:
        print(f"| {key} | " + " | ".join(tables[n][key] for n in names) + " |")
    if why_not:
        print(f"python-redlines: unavailable ({why_not})")
    ours = rows[names[0]]
    return 0 if all(not r["crash"] and r["status"] != "silent" for r in ours) else 1


if __name__ == "__main__":
    sys.exit(main())
