"""Benchmark: `agreement-builder build` of a national summit against separate `render` runs.

Run as `python bench/bench_build.py [--agreements 12] [--functions 30] [--jobs N] [--keep DIR]`.
It writes a national workspace in a temporary folder: 43 forces of England and Wales, and 12
agreements between all of them of about 30 functions each (mixed formulas, some functions
withheld from publication, one without a specification), so the pack holds per agreement the
agreement, its publication version and 43 decision notices. Then it times, each as whole
processes (interpreter start, imports, reading, writing):

  1. 12 separate `agreement-builder render AGREEMENT -o OUT.docx` processes, one after the
     other (the baseline a user would script), or `python -c` calling render_agreement when
     the `render` command is not there;
  2. one `agreement-builder build --no-pdf` process (the whole pack, --jobs N);
  3. the same command again with nothing changed (must rebuild nothing), the median of
     --repeat runs, interleaved with as many runs of `agreement-builder --version`.

Goals (issue 6): (2) <= (1), and (3) < 10% of (2); (issue 14) (3) < 2x `--version`. `--previous` also gives every agreement an
earlier version, so the pack also holds change reports and redlines (more work than (1) does).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FORCES = [
    ("avon_and_somerset", "Avon and Somerset Constabulary", "Avon and Somerset"),
    ("bedfordshire", "Bedfordshire Police", "Bedfordshire"),
    ("cambridgeshire", "Cambridgeshire Constabulary", "Cambridgeshire"),
    ("cheshire", "Cheshire Constabulary", "Cheshire"),
    ("city_of_london", "City of London Police", "the City of London"),
    ("cleveland", "Cleveland Police", "Cleveland"),
    ("cumbria", "Cumbria Constabulary", "Cumbria"),
    ("derbyshire", "Derbyshire Constabulary", "Derbyshire"),
    ("devon_and_cornwall", "Devon and Cornwall Police", "Devon and Cornwall"),
    ("dorset", "Dorset Police", "Dorset"),
    ("durham", "Durham Constabulary", "Durham"),
    ("dyfed_powys", "Dyfed-Powys Police", "Dyfed-Powys"),
    ("essex", "Essex Police", "Essex"),
    ("gloucestershire", "Gloucestershire Constabulary", "Gloucestershire"),
    ("greater_manchester", "Greater Manchester Police", "Greater Manchester"),
    ("gwent", "Gwent Police", "Gwent"),
    ("hampshire", "Hampshire Constabulary", "Hampshire"),
    ("hertfordshire", "Hertfordshire Constabulary", "Hertfordshire"),
    ("humberside", "Humberside Police", "Humberside"),
    ("kent", "Kent Police", "Kent"),
    ("lancashire", "Lancashire Constabulary", "Lancashire"),
    ("leicestershire", "Leicestershire Police", "Leicestershire"),
    ("lincolnshire", "Lincolnshire Police", "Lincolnshire"),
    ("merseyside", "Merseyside Police", "Merseyside"),
    ("metropolitan", "Metropolitan Police Service", "the Metropolitan Police District"),
    ("norfolk", "Norfolk Constabulary", "Norfolk"),
    ("north_wales", "North Wales Police", "North Wales"),
    ("north_yorkshire", "North Yorkshire Police", "North Yorkshire"),
    ("northamptonshire", "Northamptonshire Police", "Northamptonshire"),
    ("northumbria", "Northumbria Police", "Northumbria"),
    ("nottinghamshire", "Nottinghamshire Police", "Nottinghamshire"),
    ("south_wales", "South Wales Police", "South Wales"),
    ("south_yorkshire", "South Yorkshire Police", "South Yorkshire"),
    ("staffordshire", "Staffordshire Police", "Staffordshire"),
    ("suffolk", "Suffolk Constabulary", "Suffolk"),
    ("surrey", "Surrey Police", "Surrey"),
    ("sussex", "Sussex Police", "Sussex"),
    ("thames_valley", "Thames Valley Police", "Thames Valley"),
    ("warwickshire", "Warwickshire Police", "Warwickshire"),
    ("west_mercia", "West Mercia Police", "West Mercia"),
    ("west_midlands", "West Midlands Police", "the West Midlands"),
    ("west_yorkshire", "West Yorkshire Police", "West Yorkshire"),
    ("wiltshire", "Wiltshire Police", "Wiltshire"),
]
BODIES = {
    "city_of_london": "Common Council of the City of London as police authority",
    "metropolitan": "Mayor's Office for Policing and Crime",
    "greater_manchester": "Mayor of Greater Manchester",
    "west_yorkshire": "Mayor of West Yorkshire",
}
AREAS = ["Serious Organised Crime", "Counter Terrorism Policing", "Roads Policing", "Forensic Services",
         "Air Support", "Cyber Crime", "Fraud", "Protective Services", "Professional Standards",
         "Specialist Operations", "Major Crime", "Firearms Licensing", "Public Order", "Intelligence"]
UNITS = ["Investigation Unit", "Support Unit", "Tasking Team", "Analysis Team", "Training", "Response Team",
         "Coordination Hub", "Technical Services", "Victim Care", "Disclosure Team"]
FORMULAS = ["nre", "demand", "nre_and_demand", "equal", "fixed"]


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML strings


def parties_yaml() -> str:
    lines = ["forces:"]
    for fid, name, area in FORCES:
        body = BODIES.get(fid, f"Police and Crime Commissioner for {area.removeprefix('the ')}")
        chief = "Commissioner of Police of the Metropolis" if fid == "metropolitan" else f"Chief Constable of {name}"
        lines += [f"  {fid}:", f"    name: {_q(name)}", f"    area: {_q(area)}",
                  "    chief_officer:", f"      title: {_q(chief)}",
                  "    policing_body:", f"      title: {_q(body)}"]
    return "\n".join(lines) + "\n"


def _fixed_shares(seed: int) -> dict[str, str]:
    raw = [10 + (seed * 7 + i * 13) % 90 for i in range(len(FORCES))]
    total = sum(raw)
    shares = [Decimal(r * 10000 // total) / 100 for r in raw]
    shares[0] += Decimal("100.00") - sum(shares)
    return {fid: f"{s:.2f}" for (fid, _, _), s in zip(FORCES, shares)}


def agreement_yaml(n: int, functions: int, *, version: str = "1.0", previous: str | None = None,
                   budget_bump: int = 0) -> str:
    area = AREAS[n % len(AREAS)]
    lead = FORCES[(n * 5) % len(FORCES)][0]
    out = [
        "agreement:",
        f"  title: {_q(f'National {area} Collaboration {n + 1}')}",
        f"  reference: NPCC-S22A-{n + 1:02d}",
        f"  version: \"{version}\"",
        "  status: draft",
        "  date: 2024-03-28",
        "  commencement: 2024-04-01",
        "  review: 2027-03-31",
        "  alliance: National Police Collaboration",
    ]
    if previous:
        out.append(f"  previous: {previous}")
    out += ["forces: [" + ", ".join(f for f, _, _ in FORCES) + "]",
            f"lead_force: {lead}", "provisions: [force, policing_body_and_force]",
            "finance:", "  net_revenue_expenditure:"]
    out += [f"    {fid}: \"{50_000_000 + (i * 37_919_113) % 900_000_000}\"" for i, (fid, _, _) in enumerate(FORCES)]
    out.append("functions:")
    for k in range(functions):
        fid = f"function_{k:02d}"
        name = f"{area} {UNITS[k % len(UNITS)]} {k // len(UNITS) + 1}"
        out += [f"  - id: {fid}", f"    name: {_q(name)}"]
        if k == functions - 1:
            out += ["    specification: none",
                    "    reason: A service specification will be developed once lead force arrangements are in place."]
            continue
        formula = FORMULAS[(k + n) % len(FORMULAS)]
        budget = 250_000 + ((n * 31 + k) * 104_729) % 9_000_000 + budget_bump * (k + 1) * 1000
        out += [f"    budget: \"{budget}.00\"", "    apportionment:", f"      formula: {formula}"]
        if formula == "nre_and_demand":
            out.append("      weights: {nre: 60, demand: 40}")
        if formula in ("demand", "nre_and_demand"):
            out.append("      demand: {" + ", ".join(f"{f}: {100 + (i * 53 + k * 17) % 5000}"
                                                  for i, (f, _, _) in enumerate(FORCES)) + "}")
        if formula == "fixed":
            out.append("      shares: {" + ", ".join(f"{f}: \"{s}\"" for f, s in _fixed_shares(n + k).items()) + "}")
        out += ["    specification:",
                f"      purpose: {_q(f'To deliver the {name} for all forces of England and Wales.')}",
                "      services:",
                *[f"        - {_q(f'Service {j + 1} of the {name}')}" for j in range(4)],
                "      service_levels:",
                *[f"        - {_q(f'Service level {j + 1}: requests answered within {j + 2} working days')}" for j in range(3)]]
        if k % 9 == 4:
            out.append("    publish: false")
    out += ["clauses:", "  governance:",
            f"    - {_q(f'The National {area} Board meets at least quarterly.')}"]
    return "\n".join(out) + "\n"


def write_national(folder: Path, *, agreements: int = 12, functions: int = 30, previous: bool = False) -> Path:
    """Write a national workspace into `folder`; return its summit.yaml."""
    (folder / "agreements").mkdir(parents=True, exist_ok=True)
    (folder / "parties.yaml").write_text(parties_yaml(), encoding="utf-8")
    names = []
    for n in range(agreements):
        stem = f"national-{n + 1:02d}"
        prev = None
        if previous:
            prev = f"{stem}-2021.yaml"
            (folder / "agreements" / prev).write_text(
                agreement_yaml(n, functions - 1, version="0.9"), encoding="utf-8")
        (folder / "agreements" / f"{stem}.yaml").write_text(
            agreement_yaml(n, functions, previous=prev, budget_bump=1 if previous else 0), encoding="utf-8")
        names.append(f"agreements/{stem}.yaml")
    (folder / "summit.yaml").write_text(
        "summit:\n  name: National Police Collaboration Summit\n  date: 2024-03-28\n"
        "parties: parties.yaml\nagreements:\n" + "".join(f"  - {n}\n" for n in names), encoding="utf-8")
    return folder / "summit.yaml"


# ---------------------------------------------------------------------------- timing

RENDER_FALLBACK = """
import sys
from pathlib import Path
from agreement_builder.validate import load_agreement
from agreement_builder.render import render_agreement
Path(sys.argv[2]).write_bytes(render_agreement(load_agreement(sys.argv[1])))
"""


def _cli() -> list[str]:
    exe = shutil.which("agreement-builder")
    return [exe] if exe else [sys.executable, "-m", "agreement_builder"]


def _has_render() -> bool:
    result = subprocess.run([*_cli(), "render", "--help"], capture_output=True, text=True)
    return result.returncode == 0


def _timed(commands: list[list[str]], cwd: Path) -> float:
    start = time.perf_counter()
    for command in commands:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"failed: {' '.join(command)}\n{result.stdout}{result.stderr}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=12)
    parser.add_argument("--functions", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--previous", action="store_true", help="give every agreement an earlier version")
    parser.add_argument("--keep", type=Path, help="write the workspace here and keep it")
    parser.add_argument("--repeat", type=int, default=15, help="runs of the unchanged rebuild and of --version")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        summit = write_national(folder, agreements=args.agreements, functions=args.functions, previous=args.previous)
        stems = [f"national-{n + 1:02d}" for n in range(args.agreements)]
        (folder / "renders").mkdir(exist_ok=True)
        if _has_render():
            how = "agreement-builder render"
            renders = [[*_cli(), "render", f"agreements/{s}.yaml", "-o", f"renders/{s}.docx"] for s in stems]
        else:
            how = "python -c render_agreement (no `render` command yet)"
            renders = [[sys.executable, "-c", RENDER_FALLBACK, f"agreements/{s}.yaml", f"renders/{s}.docx"]
                       for s in stems]
        build = [*_cli(), "build", summit.name, "--out", "out", "--no-pdf", "--jobs", str(args.jobs)]

        t_render = _timed(renders, folder)
        t_build = _timed([build], folder)
        t_again = _timed([build], folder)
        # the unchanged rebuild against `--version`, interleaved so that a busy machine slows both alike (medians)
        agains, versions = [t_again], []
        for _ in range(args.repeat):
            versions.append(_timed([[*_cli(), "--version"]], folder))
            agains.append(_timed([build], folder))
        t_again, t_version = statistics.median(agains), statistics.median(versions)
        manifest = json.loads((folder / "out" / "manifest.json").read_text(encoding="utf-8"))
        n_docs = sum(1 for o in manifest["outputs"] if o["path"].endswith(".docx"))

        print(f"national summit: {len(FORCES)} forces, {args.agreements} agreements x {args.functions} functions"
              f"{' (with previous versions)' if args.previous else ''}; {os.cpu_count()} CPUs, --jobs {args.jobs}")
        print(f"  {args.agreements} x {how:<44} {t_render:7.2f} s")
        print(f"  build --no-pdf ({n_docs} .docx){'':<26} {t_build:7.2f} s   "
              f"{t_build / t_render:.2f} x the separate renders (goal <= 1.00); "
              f"{n_docs / t_build:.1f} documents/s")
        print(f"  build again, nothing changed{'':<23} {t_again:7.3f} s   "
              f"{100 * t_again / t_build:.1f}% of the first build (goal < 10%); "
              f"{t_again / t_version:.2f} x `--version` ({t_version:.3f} s; goal < 2.00)")
        ok = t_build <= t_render and t_again < 0.1 * t_build and t_again < 2 * t_version
        print("goals met" if ok else "goals NOT met")
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
