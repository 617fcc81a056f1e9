"""Render speed and memory at national scale (issue: render).

Goal: a national-scale agreement (43 forces, 30 annexes) renders in at most 3x the time
python-docx needs merely to open and save the resulting file, whole process against whole
process, with peak memory under 300 MB. Both are measured here, in the same run.

    python bench/bench_render.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from national import write_national  # noqa: E402


def run(args: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(HERE / "peak.py"), *args], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {args}\n{proc.stdout}\n{proc.stderr}")
    peak = int(proc.stderr.rsplit("PEAK_KIB ", 1)[1].split()[0])
    return elapsed, peak


def best(args: list[str], cwd: Path, repeat: int) -> tuple[float, int]:
    results = [run(args, cwd) for _ in range(repeat)]
    return min(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_national(folder, "national", n_forces=43, n_functions=30)
        ours, our_peak = best(["-m", "agreement_builder", "render", "national.yaml", "-o", "national.docx"], folder, args.repeat)
        size = (folder / "national.docx").stat().st_size
        baseline, base_peak = best(["-c", "import docx; docx.Document('national.docx').save('resaved.docx')"], folder, args.repeat)
        pages = "?"
        print(f"national agreement: 43 forces, 30 annexes, {size / 1024:.0f} KiB .docx")
        print(f"agreement-builder render (whole process): {ours:.2f} s, peak {our_peak / 1024:.0f} MB")
        print(f"python-docx open + save  (whole process): {baseline:.2f} s, peak {base_peak / 1024:.0f} MB")
        ratio = ours / baseline
        print(f"ratio: {ratio:.2f}x  (goal: <= 3.0x)  {'OK' if ratio <= 3.0 else 'MISSED'}")
        print(f"peak memory: {our_peak / 1024:.0f} MB  (goal: < 300 MB)  {'OK' if our_peak / 1024 < 300 else 'MISSED'}")
        del pages


if __name__ == "__main__":
    main()
