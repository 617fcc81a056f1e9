"""Benchmark: `diff_agreements` on two national-scale agreements, against the 1 second goal.

Run as `python bench/bench_diff.py [--keep DIR]`. It writes, in a temporary folder, a
parties.yaml with 43 forces and two versions of an agreement with 30 functions between all of
them: NEW changes the lead force, every force's net revenue expenditure, the demand figures
and budgets of every function, renames one function, removes one, adds one, inserts clauses
in three sections and rewords one. Loading the YAML is not timed (it is the same for every
command); `diff_agreements` is, cold (first call in the process: the umbrella template's
outline is read) and then best of 3. It also times the slower path taken only when the two
versions' umbrella templates differ (both are then rendered, without annexes, and compared).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 1.0  # seconds
RUNS = 3
FORCES = 43
FUNCTIONS = 30


def _parties() -> str:
    lines = ["forces:"]
    for n in range(FORCES):
        lines += [
            f"  force_{n:02d}:",
            f"    name: Force {n:02d} Police",
            f"    area: Area {n:02d}",
            "    chief_officer:",
            f"      title: Chief Constable of Force {n:02d} Police",
            "    policing_body:",
            f"      title: Police and Crime Commissioner for Area {n:02d}",
            f"      address: {n} High Street, Town {n:02d}",
        ]
    return "\n".join(lines) + "\n"


def _agreement(version: int) -> str:
    """Return a national agreement; version 2 differs from version 1 in many places."""
    forces = [f"force_{n:02d}" for n in range(FORCES)]
    new = version == 2
    lines = [
        "agreement:",
        "  title: National Protective Services",
        "  reference: NAT-S22A-NPS",
        f'  version: "{version}.0"',
        "  status: draft",
        f"  date: {'2017-03-01' if new else '2016-03-01'}",
        "  commencement: 2017-04-01",
        "  review: 2020-03-31",
        "  alliance: National Policing Collaboration",
        f"forces: [{', '.join(forces)}]",
        f"lead_force: {'force_07' if new else 'force_00'}",
        "provisions: [force" + (", policing_body_and_force]" if new else "]"),
        "finance:",
        "  net_revenue_expenditure:",
    ]
    lines += [f'    {f}: "{100_000_000 + n * 3_100_000 - (n * 17_000 if new else 0)}"' for n, f in enumerate(forces)]
    lines.append("functions:")
    numbers = [n for n in range(FUNCTIONS) if not (new and n == 11)] + ([FUNCTIONS] if new else [])
    for n in numbers:
        formula = ("nre_and_demand", "demand", "nre", "fixed", "equal")[n % 5]
        name = f"Function {n:02d}" + (" and Intelligence" if new and n == 3 else "")
        lines += [
            f"  - id: function_{n:02d}",
            f"    name: {name}",
            f'    budget: "{1_000_000 + n * 25_000 + (n * 1_000 if new else 0)}.00"',
            "    apportionment:",
            f"      formula: {formula}",
        ]
        if formula == "nre_and_demand":
            lines.append("      weights: {nre: 60, demand: 40}")
        if formula in ("nre_and_demand", "demand"):
            lines.append("      demand: {" + ", ".join(
                f"{f}: {500 + i * 7 + n + ((i * n) % 11 if new else 0)}" for i, f in enumerate(forces)) + "}")
        if formula == "fixed":
            shares = ["2.32"] * (FORCES - 1)
            last = 100 - sum(float(s) for s in shares)
            lines.append("      shares: {" + ", ".join(f'{f}: "{s}"' for f, s in zip(forces, shares))
                         + f', {forces[-1]}: "{last:.2f}"' + "}")
        lines += [
            "    specification:",
            f"      purpose: To deliver function {n} across the {FORCES} police areas.",
            "      services:",
            f"        - Service {n}.1",
            f"        - Service {n}.2" + (" including out of hours" if new and n % 4 == 0 else ""),
            "      service_levels:",
            f"        - Level {n}.1",
        ]
    lines += [
        "clauses:",
        "  accountability:",
        "    - id: lead_commissioner",
        "      text: The Lead Commissioner shall hold the Lead Chief Officer to account for all the policing areas.",
    ]
    if new:
        lines += ["    - id: national_guidance",
                  "      text: The Parties shall have regard to the Statutory Guidance for Police Collaboration."]
    lines += [
        "  liabilities:",
        "    - id: underwriter",
        "      text: " + ("The Parties note that their insurers have agreed to the Lead Force arrangements." if new
                          else "The Parties shall seek the agreement of their insurers to the Lead Force arrangements."),
    ]
    if new:
        lines += ["  insurance:", "    - Each Party shall maintain public liability insurance of at least £10,000,000.",
                  "  notices:", "    - A notice by email is valid only if sent to the address notified for that purpose."]
    return "\n".join(lines) + "\n"


def make_pair(folder: Path) -> tuple[Path, Path]:
    (folder / "parties.yaml").write_text(_parties(), encoding="utf-8")
    old, new = folder / "national-1.yaml", folder / "national-2.yaml"
    old.write_text(_agreement(1), encoding="utf-8")
    new.write_text(_agreement(2), encoding="utf-8")
    return old, new


def changed_umbrella(folder: Path) -> Path:
    """Write a copy of the shipped umbrella with one clause reworded; return its folder."""
    from agreement_builder.templates import SHIPPED_TEMPLATES

    source = SHIPPED_TEMPLATES / "umbrella.docx"
    target = folder / "old-templates"
    target.mkdir(exist_ok=True)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target / "umbrella.docx", "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"agreed by all the Parties", b"agreed in writing by all the Parties", 1)
            zout.writestr(info, data)
    return target


def best_of(fn, runs: int = RUNS) -> tuple[float, float, object]:
    """Return (first call, best of `runs` calls, last result), in seconds."""
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times[0], min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="Write the generated pair into DIR and keep it.")
    args = parser.parse_args(argv)

    from agreement_builder.diff import diff_agreements
    from agreement_builder.report import format_html, format_text
    from agreement_builder.templates import find_templates
    from agreement_builder.validate import load_agreement

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        old_path, new_path = make_pair(folder)
        start = time.perf_counter()
        old, new = load_agreement(old_path), load_agreement(new_path)
        load_time = time.perf_counter() - start

        cold, best, changes = best_of(lambda: diff_agreements(old, new))
        start = time.perf_counter()
        text = format_text(changes)
        format_html(changes)
        report_time = time.perf_counter() - start

        old_set = find_templates(old_path, templates=changed_umbrella(folder))
        new_set = find_templates(new_path)
        t_cold, t_best, t_changes = best_of(
            lambda: diff_agreements(old, new, old_templates=old_set, new_templates=new_set))

    kinds: dict[str, int] = {}
    for change in changes.changes:
        kinds[change.kind] = kinds.get(change.kind, 0) + 1
    print(f"national pair: {FORCES} forces, {FUNCTIONS} functions; {len(changes)} changes "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); text report {len(text.splitlines())} lines")
    print(f"load both agreements (not timed against the goal): {load_time:.3f} s")
    print(f"diff_agreements, same templates:    cold {cold:.3f} s, best of {RUNS} {best:.3f} s "
          f"(goal < {GOAL:.1f} s: {'met' if best < GOAL else 'MISSED'})")
    print(f"diff_agreements, changed umbrella:  cold {t_cold:.3f} s, best of {RUNS} {t_best:.3f} s "
          f"({len(t_changes.of_kind('template_reworded'))} template clause reworded)")
    print(f"text + html reports:                {report_time:.3f} s")
    return 0 if best < GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
