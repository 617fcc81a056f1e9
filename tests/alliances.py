"""Made-up alliances of real forces, for tests that must hold for any alliance, not only the example.

The 43 territorial police forces of England and Wales with their chief officers and local
policing bodies (Police and Crime Commissioners, Police, Fire and Crime Commissioners, mayors
and the Common Council of the City of London). Office titles are as the statute names the
corporations sole; holders, addresses and every figure are invented. `make_alliance` writes a
workspace (parties.yaml and one agreement) from a seed, so a test can draw alliances it did not
write beforehand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

#: id: (force name, police area, chief officer's title, policing body's title)
FORCES: dict[str, tuple[str, str, str, str]] = {
    "avon_and_somerset": ("Avon and Somerset Constabulary", "Avon and Somerset",
                          "Chief Constable of Avon and Somerset Constabulary", "Police and Crime Commissioner for Avon and Somerset"),
    "bedfordshire": ("Bedfordshire Police", "Bedfordshire",
                     "Chief Constable of Bedfordshire Police", "Police and Crime Commissioner for Bedfordshire"),
    "cambridgeshire": ("Cambridgeshire Constabulary", "Cambridgeshire",
                       "Chief Constable of Cambridgeshire Constabulary", "Police and Crime Commissioner for Cambridgeshire"),
    "cheshire": ("Cheshire Constabulary", "Cheshire",
                 "Chief Constable of Cheshire Constabulary", "Police and Crime Commissioner for Cheshire"),
    "city_of_london": ("City of London Police", "the City of London",
                       "Commissioner of Police for the City of London", "Common Council of the City of London"),
    "cleveland": ("Cleveland Police", "Cleveland",
                  "Chief Constable of Cleveland Police", "Police and Crime Commissioner for Cleveland"),
    "cumbria": ("Cumbria Constabulary", "Cumbria",
                "Chief Constable of Cumbria Constabulary", "Police, Fire and Crime Commissioner for Cumbria"),
    "derbyshire": ("Derbyshire Constabulary", "Derbyshire",
                   "Chief Constable of Derbyshire Constabulary", "Police and Crime Commissioner for Derbyshire"),
    "devon_and_cornwall": ("Devon and Cornwall Police", "Devon, Cornwall and the Isles of Scilly",
                           "Chief Constable of Devon and Cornwall Police",
                           "Police and Crime Commissioner for Devon, Cornwall and the Isles of Scilly"),
    "dorset": ("Dorset Police", "Dorset", "Chief Constable of Dorset Police", "Police and Crime Commissioner for Dorset"),
    "durham": ("Durham Constabulary", "Durham", "Chief Constable of Durham Constabulary",
               "Police and Crime Commissioner for Durham"),
    "dyfed_powys": ("Dyfed-Powys Police", "Dyfed-Powys", "Chief Constable of Dyfed-Powys Police",
                    "Police and Crime Commissioner for Dyfed-Powys"),
    "essex": ("Essex Police", "Essex", "Chief Constable of Essex Police", "Police, Fire and Crime Commissioner for Essex"),
    "gloucestershire": ("Gloucestershire Constabulary", "Gloucestershire", "Chief Constable of Gloucestershire Constabulary",
                        "Police and Crime Commissioner for Gloucestershire"),
    "greater_manchester": ("Greater Manchester Police", "Greater Manchester", "Chief Constable of Greater Manchester Police",
                           "Mayor of Greater Manchester"),
    "gwent": ("Gwent Police", "Gwent", "Chief Constable of Gwent Police", "Police and Crime Commissioner for Gwent"),
    "hampshire": ("Hampshire and Isle of Wight Constabulary", "Hampshire and the Isle of Wight",
                  "Chief Constable of Hampshire and Isle of Wight Constabulary",
                  "Police and Crime Commissioner for Hampshire and the Isle of Wight"),
    "hertfordshire": ("Hertfordshire Constabulary", "Hertfordshire", "Chief Constable of Hertfordshire Constabulary",
                      "Police and Crime Commissioner for Hertfordshire"),
    "humberside": ("Humberside Police", "Humberside", "Chief Constable of Humberside Police",
                   "Police and Crime Commissioner for Humberside"),
    "kent": ("Kent Police", "Kent", "Chief Constable of Kent Police", "Police and Crime Commissioner for Kent"),
    "lancashire": ("Lancashire Constabulary", "Lancashire", "Chief Constable of Lancashire Constabulary",
                   "Police and Crime Commissioner for Lancashire"),
    "leicestershire": ("Leicestershire Police", "Leicestershire", "Chief Constable of Leicestershire Police",
                       "Police and Crime Commissioner for Leicestershire"),
    "lincolnshire": ("Lincolnshire Police", "Lincolnshire", "Chief Constable of Lincolnshire Police",
                     "Police and Crime Commissioner for Lincolnshire"),
    "merseyside": ("Merseyside Police", "Merseyside", "Chief Constable of Merseyside Police",
                   "Police and Crime Commissioner for Merseyside"),
    "metropolitan": ("Metropolitan Police Service", "the metropolitan police district",
                     "Commissioner of Police of the Metropolis", "Mayor’s Office for Policing and Crime"),
    "norfolk": ("Norfolk Constabulary", "Norfolk", "Chief Constable of Norfolk Constabulary",
                "Police and Crime Commissioner for Norfolk"),
    "north_wales": ("North Wales Police", "North Wales", "Chief Constable of North Wales Police",
                    "Police and Crime Commissioner for North Wales"),
    "north_yorkshire": ("North Yorkshire Police", "North Yorkshire", "Chief Constable of North Yorkshire Police",
                        "Mayor of York and North Yorkshire"),
    "northamptonshire": ("Northamptonshire Police", "Northamptonshire", "Chief Constable of Northamptonshire Police",
                         "Police, Fire and Crime Commissioner for Northamptonshire"),
    "northumbria": ("Northumbria Police", "Northumbria", "Chief Constable of Northumbria Police",
                    "Police and Crime Commissioner for Northumbria"),
    "nottinghamshire": ("Nottinghamshire Police", "Nottinghamshire", "Chief Constable of Nottinghamshire Police",
                        "Police and Crime Commissioner for Nottinghamshire"),
    "south_wales": ("South Wales Police", "South Wales", "Chief Constable of South Wales Police",
                    "Police and Crime Commissioner for South Wales"),
    "south_yorkshire": ("South Yorkshire Police", "South Yorkshire", "Chief Constable of South Yorkshire Police",
                        "Mayor of South Yorkshire"),
    "staffordshire": ("Staffordshire Police", "Staffordshire", "Chief Constable of Staffordshire Police",
                      "Police, Fire and Crime Commissioner for Staffordshire"),
    "suffolk": ("Suffolk Constabulary", "Suffolk", "Chief Constable of Suffolk Constabulary",
                "Police and Crime Commissioner for Suffolk"),
    "surrey": ("Surrey Police", "Surrey", "Chief Constable of Surrey Police", "Police and Crime Commissioner for Surrey"),
    "sussex": ("Sussex Police", "Sussex", "Chief Constable of Sussex Police", "Police and Crime Commissioner for Sussex"),
    "thames_valley": ("Thames Valley Police", "Thames Valley", "Chief Constable of Thames Valley Police",
                      "Police and Crime Commissioner for Thames Valley"),
    "warwickshire": ("Warwickshire Police", "Warwickshire", "Chief Constable of Warwickshire Police",
                     "Police and Crime Commissioner for Warwickshire"),
    "west_mercia": ("West Mercia Police", "West Mercia", "Chief Constable of West Mercia Police",
                    "Police and Crime Commissioner for West Mercia"),
    "west_midlands": ("West Midlands Police", "West Midlands", "Chief Constable of West Midlands Police",
                      "Police and Crime Commissioner for West Midlands"),
    "west_yorkshire": ("West Yorkshire Police", "West Yorkshire", "Chief Constable of West Yorkshire Police",
                       "Mayor of West Yorkshire"),
    "wiltshire": ("Wiltshire Police", "Wiltshire", "Chief Constable of Wiltshire Police",
                  "Police and Crime Commissioner for Wiltshire"),
}
assert len(FORCES) == 43

FIRST_NAMES = ["Alex", "Sam", "Priya", "Gareth", "Siân", "Olu", "Fiona", "Marek", "Nadia", "Tom", "Aled", "Ruth"]
LAST_NAMES = ["Okafor", "Jones", "Patel", "Williams", "Nowak", "Evans", "Campbell", "Hughes", "Shah", "Price"]
UNITS = [
    ("firearms_training", "Firearms Training"), ("cyber_crime", "Cyber Crime Unit"),
    ("forensic_collision", "Forensic Collision Investigation"), ("marine_unit", "Marine Unit"),
    ("serious_organised_crime", "Serious and Organised Crime Unit"), ("air_support", "Air Support Liaison"),
    ("counter_fraud", "Counter Fraud Team"), ("digital_forensics", "Digital Forensics Unit"),
    ("public_order", "Public Order Training"), ("witness_care", "Witness Care Unit"),
]
FORMULAS = ["equal", "fixed", "nre", "demand", "nre_and_demand"]


@dataclass(frozen=True)
class Alliance:
    """A written workspace: where its files are and what went into them."""

    folder: Path
    parties: Path
    agreement: Path
    forces: list[str]
    lead: str
    provisions: list[str]
    functions: list[dict]


def _q(text: str) -> str:
    """Return text as a double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_alliance(folder: Path, seed: int, *, n_forces: int | None = None, provisions: list[str] | None = None,
                  forces: list[str] | None = None, named_holders: bool | None = None, status: str = "draft") -> Alliance:
    """Write parties.yaml and agreements/<id>.yaml for a made-up alliance; return what was written."""
    rnd = random.Random(seed)
    if forces is None:
        n = n_forces or rnd.choice([2, 2, 3, 4, 5, 7])
        forces = rnd.sample(sorted(FORCES), n)
    if provisions is None:
        provisions = rnd.choice([["force"], ["policing_body"], ["policing_body_and_force"],
                                 ["force", "policing_body_and_force"], ["force", "policing_body", "policing_body_and_force"]])
    named = rnd.random() < 0.5 if named_holders is None else named_holders
    lead = rnd.choice(forces)
    extra = random.Random(seed * 7919 + 1)  # the later features draw apart, so that the first draws stay as they were
    emails = extra.choice(["all", "all", "some", "none", "none"])
    with_email = set(forces) if emails == "all" else set(forces[: len(forces) // 2]) if emails == "some" else set()
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["forces:"]
    for f in forces:
        name, area, chief, body = FORCES[f]
        lines += [f"  {f}:", f"    name: {_q(name)}", f"    area: {_q(area)}", "    chief_officer:", f"      title: {_q(chief)}"]
        if named:
            lines.append(f"      holder: {_q(rnd.choice(FIRST_NAMES) + ' ' + rnd.choice(LAST_NAMES))}")
        lines += ["    policing_body:", f"      title: {_q(body)}"]
        if named:
            lines.append(f"      holder: {_q(rnd.choice(FIRST_NAMES) + ' ' + rnd.choice(LAST_NAMES))}")
        town = area.removeprefix("the ")
        lines.append(f"      address: {_q(f'{rnd.randint(1, 99)} Station Road, {town}')}")
        if f in with_email:
            lines.append(f"      email: {_q(f'notices@{f.replace(chr(95), chr(45))}.example.org')}")
    parties = folder / "parties.yaml"
    parties.write_text("\n".join(lines) + "\n", encoding="utf-8")

    units = rnd.sample(UNITS, rnd.randint(1, 4))
    functions = []
    body = ["functions:"]
    for uid, uname in units:
        formula = rnd.choice(FORMULAS)
        fn = {"id": uid, "name": uname, "formula": formula, "budget": f"{rnd.randint(1_000, 900_000) * 10}.00"}
        body += [f"  - id: {uid}", f"    name: {_q(uname)}", f"    budget: {_q(fn['budget'])}",
                 "    apportionment:", f"      formula: {formula}"]
        if formula == "fixed":
            weights = [rnd.randint(1, 50) for _ in forces]
            cents = [w * 10000 // sum(weights) for w in weights]
            cents[-1] += 10000 - sum(cents)
            fn["shares"] = {f: f"{c // 100}.{c % 100:02d}" for f, c in zip(forces, cents)}
            body.append("      shares: {" + ", ".join(f'{f}: "{s}"' for f, s in fn["shares"].items()) + "}")
        if formula in ("demand", "nre_and_demand"):
            fn["demand"] = {f: rnd.randint(10, 9000) for f in forces}
            body.append("      demand: {" + ", ".join(f"{f}: {d}" for f, d in fn["demand"].items()) + "}")
        if formula == "nre_and_demand":
            w = rnd.choice([20, 40, 50, 75])
            body.append(f"      weights: {{nre: {w}, demand: {100 - w}}}")
        body += ["    specification:", f"      purpose: {_q('To deliver the ' + uname + ' for every Party to this Agreement.')}"]
        if rnd.random() < 0.7:
            body += ["      services:"] + [f"        - {_q(f'{uname} service {k}')}" for k in range(1, rnd.randint(2, 4))]
        if rnd.random() < 0.5:
            body += ["      service_levels:"] + [f"        - {_q(f'Requests answered within {k * 5} working days')}"
                                                  for k in range(1, rnd.randint(2, 3))]
        functions.append(fn)
    if extra.random() < 0.4:  # a business area with no specification yet, with or without a budget
        fn = {"id": "joint_command", "name": "Joint Command Review", "formula": "", "budget": ""}
        body += [f"  - id: {fn['id']}", f"    name: {_q(fn['name'])}", "    specification: none",
                 "    reason: A specification will follow the review of command arrangements."]
        if extra.random() < 0.5:
            fn.update(formula="equal", budget=f"{extra.randint(1_000, 90_000) * 10}.00")
            body += [f"    budget: {_q(fn['budget'])}", "    apportionment: {formula: equal}"]
        functions.append(fn)
    governance = {}
    if extra.random() < 0.5:
        governance = {k: v for k, v in (("board", extra.choice([None, "Joint Operations Board", "Collaboration Board"])),
                                         ("chief_officers_board", extra.choice([None, "Chief Constables’ Board"])),
                                         ("summit", extra.choice([None, "Strategic Board of the Parties", "Annual Summit"])))
                      if v}
    commencement = rnd.choice(["2027-04-01", "2027-08-01", "2027-10-01"])
    head = [
        "agreement:",
        f"  title: {_q(rnd.choice(['Regional Specialist Operations', 'Joint Operational Support', 'Collaborative Investigations']) if extra.random() < 0.8 else 'The Regional Organised Crime Unit')}",
        f"  reference: {_q(f'TEST-S22A-{seed:04d}')}",
        '  version: "1.0"',
        f"  status: {status}",
        "  date: 2027-03-15",
        f"  commencement: {commencement}",
        "  review: 2030-03-31",
        f"  alliance: {_q(rnd.choice(['Regional Policing Collaboration', 'Joint Policing Alliance', 'Policing Partnership']) + f' {seed}')}",
        *(["governance:"] + [f"  {k}: {_q(v)}" for k, v in governance.items()] if governance else []),
        f"forces: [{', '.join(forces)}]",
        f"lead_force: {lead}",
        f"provisions: [{', '.join(provisions)}]",
        "finance:",
        "  net_revenue_expenditure:",
    ] + [f'    {f}: "{rnd.randint(40, 900) * 1_000_000}"' for f in forces]
    agreements = folder / "agreements"
    agreements.mkdir(exist_ok=True)
    path = agreements / f"alliance-{seed}.yaml"
    path.write_text("\n".join(head + body) + "\n", encoding="utf-8")
    return Alliance(folder, parties, path, forces, lead, provisions, functions)
