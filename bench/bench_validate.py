"""Benchmark: `agreement-builder validate` of a large agreement is linear in its size and close to reading it.

Run as `python bench/bench_validate.py [--functions 5000]`.

It writes agreements of N/10 and N functions (bench_build_memory's, N=5,000 is about 1.3 MB of
YAML) and times, each as a whole process, in the same run:

  1. `python -c "yaml.load(..., CSafeLoader)"` of the large file (the baseline: libyaml alone);
  2. `agreement-builder validate` of the small file and of the large one.

It prints validate's time against the baseline, and the large/small ratio against the size
ratio (linear: about the same; the quadratic or pure-Python reading it replaced was many times it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build_memory import agreement_yaml  # noqa: E402
from national import write_parties  # noqa: E402


def timed(command: list[str], cwd: Path) -> float:
    """Return the CPU seconds (user + system) of a whole process (less noisy than wall time on a busy machine)."""
    env = {**os.environ, "AGREEMENT_BUILDER_CACHE": "off"}
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{proc.stderr.read().decode()}")
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=5000)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-validate-"))
    try:
        (folder / "agreements").mkdir()
        write_parties(folder, 3)
        small, large = args.functions // 10, args.functions
        (folder / "agreements" / "small.yaml").write_text(agreement_yaml(small, "1.0"), encoding="utf-8")
        (folder / "agreements" / "large.yaml").write_text(agreement_yaml(large, "1.0"), encoding="utf-8")
        size = (folder / "agreements" / "large.yaml").stat().st_size
        cli = [sys.executable, "-m", "agreement_builder", "validate"]
        base = timed([sys.executable, "-c", "import yaml; yaml.load(open('agreements/large.yaml', encoding='utf-8'), "
                      "Loader=yaml.CSafeLoader)"], folder)
        t_small = timed([*cli, "agreements/small.yaml"], folder)
        t_large = timed([*cli, "agreements/large.yaml"], folder)
        print(f"validate, CPU seconds of the whole process ({size / 1e6:.1f} MB of YAML at {large} functions)")
        print(f"  libyaml load alone (baseline), {large:5d} functions  {base:6.1f} s")
        print(f"  validate                      {small:5d} functions  {t_small:6.1f} s")
        print(f"  validate                      {large:5d} functions  {t_large:6.1f} s   {t_large / base:.1f}x the "
              f"baseline; {t_large / t_small:.1f}x the small file for {large / small:.0f}x its size")
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
