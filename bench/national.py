"""Generate a national-scale workspace: all 43 territorial forces of England and Wales.

Shared by the benchmarks so that they measure the same thing. Figures are synthetic and
deterministic (seeded), never real data.
"""

from __future__ import annotations

import random
from pathlib import Path

FORMULAS = ["equal", "fixed", "nre", "demand", "nre_and_demand"]


def force_ids(n: int = 43) -> list[str]:
    return [f"force_{i:02d}" for i in range(1, n + 1)]


def write_parties(folder: Path, n: int = 43) -> Path:
    lines = ["forces:"]
    for i, f in enumerate(force_ids(n), start=1):
        lines += [
            f"  {f}:",
            f"    name: Force {i:02d} Constabulary",
            f"    area: Area {i:02d}",
            "    chief_officer:",
            f"      title: Chief Constable of Force {i:02d} Constabulary",
            f"      holder: Chief Constable {i:02d}",
            "    policing_body:",
            f"      title: Police and Crime Commissioner for Area {i:02d}",
            f"      holder: Commissioner {i:02d}",
            f"      address: {i} High Street, Area {i:02d}",
        ]
    path = folder / "parties.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def agreement_yaml(title: str, *, n_forces: int = 43, n_functions: int = 30, seed: int = 1, lead: int = 0,
                   previous: str | None = None, extra_clause: bool = False, drop: int | None = None,
                   insert: int | None = None) -> str:
    rnd = random.Random(seed)
    forces = force_ids(n_forces)
    out = [
        "agreement:",
        f"  title: {title}",
        f"  reference: NAT-S22A-{seed:03d}",
        '  version: "1.0"',
        "  status: draft",
        "  date: 2026-07-01",
        "  commencement: 2026-08-01",
        "  review: 2029-07-31",
        "  alliance: National Policing Collaboration",
    ]
    if previous:
        out.append(f"  previous: {previous}")
    out += [f"forces: [{', '.join(forces)}]", f"lead_force: {forces[lead]}", "provisions: [force, policing_body_and_force]",
            "finance:", "  net_revenue_expenditure:"]
    out += [f'    {f}: "{rnd.randint(50, 900) * 1_000_000}"' for f in forces]
    out.append("functions:")
    indices = [i for i in range(n_functions) if i != drop]
    if insert is not None:
        indices.insert(len(indices) // 2, 1000 + insert)
    for i in indices:
        formula = FORMULAS[i % len(FORMULAS)]
        out += [f"  - id: function_{i:03d}", f"    name: Function {i:03d} Unit", f'    budget: "{rnd.randint(100, 90000) * 100}.00"',
                "    apportionment:", f"      formula: {formula}"]
        if formula == "fixed":
            cents = [rnd.randint(1, 1000) for _ in forces]
            total = sum(cents)
            shares = [c * 10000 // total for c in cents]
            shares[-1] += 10000 - sum(shares)
            out.append("      shares: {" + ", ".join(f'{f}: "{s // 100}.{s % 100:02d}"' for f, s in zip(forces, shares)) + "}")
        if formula in ("demand", "nre_and_demand"):
            out.append("      demand: {" + ", ".join(f"{f}: {rnd.randint(1, 5000)}" for f in forces) + "}")
        if formula == "nre_and_demand":
            out.append("      weights: {nre: 60, demand: 40}")
        out += ["    specification:", f"      purpose: To deliver function {i:03d} for every force in the collaboration.",
                "      services:"]
        out += [f"        - Service {j} of function {i:03d}" for j in range(6)]
        out += ["      service_levels:"] + [f"        - Level {j} for function {i:03d}" for j in range(4)]
    out += ["clauses:", "  accountability:", "    - id: national_lead",
            "      text: The Lead Commissioner shall hold the lead chief constable to account nationally."]
    if extra_clause:
        out += ["  liabilities:", "    - id: national_insurance", "      text: Insurers have agreed to the lead force arrangements."]
    return "\n".join(out) + "\n"


def write_national(folder: Path, name: str = "national", **kwargs) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "parties.yaml").exists():
        write_parties(folder, kwargs.get("n_forces", 43))
    path = folder / f"{name}.yaml"
    path.write_text(agreement_yaml(name.replace("_", " ").title(), **kwargs))
    return path
