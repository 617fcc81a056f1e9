"""Benchmark: how long `agreement-builder --version` and `--help` take, against Python starting.

Run as `python bench/bench_start.py [--runs 30]`. Each command runs as a whole process, many
times, interleaved with the baselines so that a busy machine slows them alike; the figure is
the median. Printed: seconds and ratios to `python -c pass` (the floor), measured in this run,
and to `python -c "import click"` (what any click command line costs at least).

Goal (issue 14): `--help` and `--version` under 0.05 s on the reference machine, where Python
itself starts in about 0.016 s: at most 3x `python -c pass`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def _cli() -> list[str]:
    exe = shutil.which("agreement-builder")
    return [exe] if exe else [sys.executable, "-m", "agreement_builder"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import click'": [sys.executable, "-c", "import click"],
        "agreement-builder --version": [*_cli(), "--version"],
        "agreement-builder --help": [*_cli(), "--help"],
        "agreement-builder validate --help": [*_cli(), "validate", "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    floor, click = median["python -c pass"], median["python -c 'import click'"]
    print(f"start-up, median of {args.runs} runs each (interleaved)")
    for name, t in median.items():
        print(f"  {name:<36} {t:6.3f} s   {t / floor:5.2f} x python   {t / click:5.2f} x import click")
    worst = max(median["agreement-builder --version"], median["agreement-builder --help"])
    ok = worst <= 3 * floor
    print(f"--version/--help: {worst / floor:.2f} x python -c pass (goal <= 3.00, i.e. 0.05 s where python "
          f"starts in 0.016 s) -> {'goal met' if ok else 'goal NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
