"""Benchmark: peak memory of `agreement-builder build` on a 5,000-function agreement with a previous version.

Run as `python bench/bench_build_memory.py [--functions 5000] [--keep DIR]`.

It writes a workspace with one agreement of N functions (three forces, so that the file stays
under the loader's limit on values) and its previous version (every tenth budget changed, every
fiftieth purpose reworded, a clause added), so the build makes the agreement, its publication
version, three decision notices, the change report and the redline: the whole-document stages
at their largest. Then it runs, each as a whole process:

  1. `agreement-builder validate` of both files (the baseline: reading the inputs alone);
  2. `agreement-builder build --no-pdf --jobs 1`.

For each it prints the peak resident memory: the largest process (as `/usr/bin/time -v`
reports it) and the sum over the process and its children, sampled every 20 ms. Goal (issue
10): the build's peak under 1 GB (1,000,000,000 bytes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national import force_ids, write_parties  # noqa: E402

GOAL = 1_000_000_000


def agreement_yaml(functions: int, version: str, previous: str | None = None, bump: int = 0) -> str:
    forces = force_ids(3)
    out = ["agreement:", "  title: National Shared Services", "  reference: NSS-S22A-1", f'  version: "{version}"',
           "  status: draft", "  date: 2026-07-01", "  commencement: 2026-08-01", "  review: 2029-07-31",
           "  alliance: National Policing Collaboration"]
    if previous:
        out.append(f"  previous: {previous}")
    out += [f"forces: [{', '.join(forces)}]", f"lead_force: {forces[0]}", "provisions: [force, policing_body_and_force]",
            "finance:", "  net_revenue_expenditure:"]
    out += [f'    {f}: "{(i + 1) * 100_000_000}"' for i, f in enumerate(forces)]
    out.append("functions:")
    for i in range(functions):
        budget = 100_000 + i * 7 + (bump if i % 10 == 0 else 0)
        reworded = " and more" if bump and i % 50 == 0 else ""
        out += [f"  - id: f{i:05d}", f"    name: Function {i:05d} Unit", f'    budget: "{budget}.00"',
                "    apportionment: {formula: nre}", "    specification:",
                f"      purpose: To deliver function {i:05d} for every force in the collaboration{reworded}.",
                "      services: [Service one]", "      service_levels: [Level one]"]
    if bump:
        out += ["clauses:", "  governance:", "    - The Board meets at least quarterly."]
    return "\n".join(out) + "\n"


def write_workspace(folder: Path, functions: int) -> None:
    (folder / "agreements").mkdir(parents=True, exist_ok=True)
    write_parties(folder, 3)
    (folder / "agreements" / "big-old.yaml").write_text(agreement_yaml(functions - 1, "1.0"), encoding="utf-8")
    (folder / "agreements" / "big.yaml").write_text(agreement_yaml(functions, "2.0", "big-old.yaml", 100), encoding="utf-8")
    (folder / "summit.yaml").write_text("summit:\n  name: Memory\n  date: 2026-07-01\nparties: parties.yaml\n"
                                        "agreements:\n  - agreements/big.yaml\n", encoding="utf-8")


def _tree_rss(pid: int) -> int:
    """Return the resident bytes of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def measure(command: list[str], cwd: Path) -> tuple[float, int, int]:
    """Run a command; return (seconds, largest process's peak RSS, peak RSS summed over its process tree)."""
    env = {**os.environ, "AGREEMENT_BUILDER_CACHE": "off"}
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss * 1024, peak[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="write the workspace here and keep it")
    args = parser.parse_args(argv)
    cli = [sys.executable, "-m", "agreement_builder"]  # this interpreter's package, not whichever is on PATH
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        write_workspace(folder, args.functions)
        t_base, base_max, base_sum = measure([*cli, "validate", "agreements/big-old.yaml", "agreements/big.yaml"], folder)
        t_build, build_max, build_sum = measure([*cli, "build", "--no-pdf", "--jobs", "1"], folder)
        mb = 1e6
        print(f"one agreement of {args.functions} functions with its previous version (3 forces)")
        print(f"  validate both versions (baseline)   {t_base:7.1f} s   peak {base_max / mb:6.0f} MB "
              f"(process tree {base_sum / mb:6.0f} MB)")
        print(f"  build --no-pdf                      {t_build:7.1f} s   peak {build_max / mb:6.0f} MB "
              f"(process tree {build_sum / mb:6.0f} MB)   {build_max / base_max:.1f}x the baseline; "
              f"goal < {GOAL / mb:.0f} MB")
        ok = max(build_max, build_sum) < GOAL
        print("goal met" if ok else "goal NOT met")
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
