"""The table of formulas drives everything that knows formulas: one entry added is one formula everywhere.

A new formula ("equal_and_demand": half the cost shared equally, half by demand) is added to
`formulas.FORMULAS` alone, in a fresh interpreter before anything else is imported, and an
agreement using it is then validated, described by the JSON schema, apportioned, printed in an
annex, compared by diff and put in the finance workbook. Every figure is checked against an
exact computation made here, independently of the package.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

from agreement_builder.formulas import FORMULAS, INPUTS
from agreement_builder.outline import FORMULA_INPUTS, FORMULA_LABELS

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = ("Half of the cost of the Function is shared equally between the Policing Bodies and half in proportion "
            "to each Force’s demand for the Function.")

SCRIPT = textwrap.dedent('''
    import io, json, sys
    from pathlib import Path

    from agreement_builder import apportionment, formulas

    def equal_and_demand(forces, inputs):
        by_demand, total = apportionment.proportional_to("demand")(forces, inputs)
        n = len(forces)
        return [total + n * d for d in by_demand], 2 * n * total

    formulas.FORMULAS["equal_and_demand"] = formulas.Formula(
        "equal_and_demand", ("demand",), equal_and_demand, "Equal and demand", "half equal shares, half demand",
        SENTENCE)

    # nothing below knows about the new formula but through the table
    from docx import Document
    from openpyxl import load_workbook
    from agreement_builder.context import build_context
    from agreement_builder.diff import diff_agreements
    from agreement_builder.figures import agreement_figures
    from agreement_builder.render import render_agreement
    from agreement_builder.schema import json_schema
    from agreement_builder.validate import check_file, load_agreement
    from agreement_builder.workbook import finance_workbook, sheet_from_checked

    folder = Path(sys.argv[1])
    old = load_agreement(folder / "agreements" / "jps.yaml")
    new = load_agreement(folder / "agreements" / "new.yaml")
    missing = [i.message for i in check_file(folder / "agreements" / "missing.yaml") if i.is_error]
    schema = json.dumps(json_schema("agreement"))
    plan = next(p for p in build_context(new).annexes if p.function_id == "camera_tickets_collisions")
    figures = next(f for f in agreement_figures(new).functions if f.function_id == "camera_tickets_collisions")
    change = next(c for c in diff_agreements(old, new).changes
                  if c.kind == "apportionment" and c.id == "camera_tickets_collisions")
    book = load_workbook(io.BytesIO(finance_workbook([sheet_from_checked(new, agreement_figures(new))],
                                                     summit="Summit", date=new.agreement.agreement.commencement)))
    sheet = book.worksheets[1]
    header = [c.value for c in sheet[2]]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3) if r[1].value == figures.name]
    text = "\\n".join(p.text for p in Document(io.BytesIO(render_agreement(new))).paragraphs)
    print(json.dumps({
        "missing": missing,
        "in_schema": "equal_and_demand" in schema,
        "sentence": plan.context["apportionment"]["formula_text"],
        "tables": [t["label"] for t in plan.context["apportionment"]["inputs"]],
        "exact": [[line.force, line.exact.numerator, line.exact.denominator] for line in figures.lines],
        "contributions": [str(line.contribution) for line in figures.lines],
        "formulas": [change.apportionment.old_formula, change.apportionment.new_formula],
        "labels": sorted({r[2] for r in rows}),
        "demand": [r[header.index("Demand")] for r in rows],
        "printed": SENTENCE in text,
    }))
''').replace("SENTENCE)", repr(SENTENCE) + ")").replace("SENTENCE in text", repr(SENTENCE) + " in text")


def test_one_entry_is_one_formula_everywhere(workspace: Path):
    source = (workspace / "agreements" / "jps.yaml").read_text(encoding="utf-8")
    assert source.count("      formula: demand\n      demand: {bedfordshire: 41250,") == 1
    new = source.replace("      formula: demand\n      demand: {bedfordshire: 41250,",
                         "      formula: equal_and_demand\n      demand: {bedfordshire: 41250,")
    (workspace / "agreements" / "new.yaml").write_text(new, encoding="utf-8")
    (workspace / "agreements" / "missing.yaml").write_text(
        new.replace("      demand: {bedfordshire: 41250, cambridgeshire: 52980, hertfordshire: 70115}\n", ""),
        encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(workspace)], capture_output=True, text=True,
                          cwd=workspace, env={"AGREEMENT_BUILDER_CACHE": "off", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)

    # validation: the formula's inputs come from its entry
    assert found["missing"] == ["the formula `equal_and_demand` needs `demand`"]
    assert found["in_schema"]
    # the annex: its sentence, and the table of the one input it uses
    assert found["sentence"] == SENTENCE and found["printed"]
    assert found["tables"] == ["Demand"]
    # the exact shares: half equal, half by demand, computed here with Fractions
    demand = {"bedfordshire": 41250, "cambridgeshire": 52980, "hertfordshire": 70115}
    total = sum(demand.values())
    expected = {f: Fraction(1, 2 * len(demand)) + Fraction(d, 2 * total) for f, d in demand.items()}
    assert {f: Fraction(n, d) for f, n, d in found["exact"]} == expected
    assert sum(Fraction(c) for c in found["contributions"]) == Fraction("1840000.00")
    for (force, _, _), pounds in zip(found["exact"], found["contributions"]):
        assert abs(Fraction(pounds) - expected[force] * Fraction("1840000.00")) < Fraction(1, 100)
    # the change report's words and the workbook's label and input column
    assert found["formulas"] == ["demand", "half equal shares, half demand"]
    assert found["labels"] == ["Half equal shares, half demand"]  # the workbook states the formula as applied
    assert found["demand"][:3] == [41250, 52980, 70115]


def test_the_table_is_complete():
    """Every formula names known inputs, computes, and has its words; the old names derive from the table."""
    for name, formula in FORMULAS.items():
        assert formula.name == name and set(formula.inputs) <= set(INPUTS)
        assert formula.label and formula.phrase and formula.sentence.endswith(".")
    assert FORMULA_LABELS == {name: f.label for name, f in FORMULAS.items()}
    assert FORMULA_INPUTS == {name: frozenset(f.inputs) for name, f in FORMULAS.items()}
