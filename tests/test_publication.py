"""Nothing for publication lets anyone read or derive a withheld figure (issue 12).

A differential test: every figure of a function withheld from publication (`publish: false`)
and every total that includes one is computed here, independently (its own Decimal and
Fraction arithmetic from the YAML, DESIGN.md §4, not agreement_builder's), and every output the
manifest marks for publication (.docx and, where LibreOffice is installed, PDF) is searched for
them in any printed form: "£1,120,000.00", "1,120,000", "1120000", "28.50%" all read back as the
same number. The same search over the outputs not for publication (the full agreement, the
decision notices' exempt parts) must find every one of them: that proves the independent
arithmetic agrees with the product's and that the search would see a leak.

A published figure can coincide with a withheld one (two functions shared equally both show
33.33%): what a published function legitimately prints is taken out of the search. The
generated withheld functions have figures that published ones do not (budgets with odd pence,
demand in tens of thousands), so that the search keeps something to look for.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from .alliances import make_alliance
from .conftest import ROOT

HAS_PDF = shutil.which("soffice") is not None and shutil.which("pdftotext") is not None
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HUNDRED = Decimal(100)

# ---------------------------------------------------------------------------- independent arithmetic


def _largest_remainder(exact: list[Fraction], total: int) -> list[int]:
    """Return integers summing to `total`, each the floor of its exact value or one more; ties to the earlier."""
    floors = [int(x // 1) for x in exact]
    left = total - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def _exact_shares(fn: dict, forces: list[str], nre: dict[str, Decimal]) -> list[Fraction]:
    ap = fn["apportionment"]
    formula = ap["formula"]
    if formula == "equal":
        return [Fraction(1, len(forces))] * len(forces)
    if formula == "fixed":
        return [Fraction(Decimal(str(ap["shares"][f]))) / 100 for f in forces]

    def proportional(values: dict) -> list[Fraction]:
        total = sum(Fraction(Decimal(str(values[f]))) for f in forces)
        return [Fraction(Decimal(str(values[f]))) / total for f in forces]

    if formula == "nre":
        return proportional(nre)
    if formula == "demand":
        return proportional(ap["demand"])
    if formula == "nre_and_demand":
        w_nre, w_demand = Fraction(ap["weights"]["nre"]), Fraction(ap["weights"]["demand"])
        return [(w_nre * a + w_demand * b) / 100 for a, b in zip(proportional(nre), proportional(ap["demand"]))]
    raise AssertionError(f"a formula this test does not know: {formula}")


@dataclass
class Figures:
    """Numbers and percentages (Decimals) a document may print."""

    numbers: set = field(default_factory=set)
    percents: set = field(default_factory=set)


def figures_of(agreement: Path) -> tuple[Figures, Figures]:
    """Return (withheld, published): what only withheld functions give, and what published ones print."""
    data = yaml.safe_load(agreement.read_text(encoding="utf-8"))
    forces = data["forces"]
    nre = {f: Decimal(str(v)) for f, v in ((data.get("finance") or {}).get("net_revenue_expenditure") or {}).items()}
    withheld, published = Figures(), Figures()
    total_all, total_published = Decimal(0), Decimal(0)
    per_force_all = {f: Decimal(0) for f in forces}
    per_force_published = {f: Decimal(0) for f in forces}
    nre_published = False
    for fn in data["functions"]:
        public = fn.get("publish", True)
        mine = published if public else withheld
        budget = Decimal(str(fn["budget"])) if fn.get("budget") is not None else None
        if budget is not None:
            mine.numbers.add(budget)
            total_all += budget
            if public:
                total_published += budget
        ap = fn.get("apportionment")
        if not ap:
            continue
        exact = _exact_shares(fn, forces, nre)
        percents = _largest_remainder([x * 10000 for x in exact], 10000)
        mine.percents.update(Decimal(p) / 100 for p in percents)
        if ap["formula"] == "fixed":
            mine.percents.update(Decimal(str(ap["shares"][f])) for f in forces)
        if "demand" in ap:
            values = [Decimal(str(ap["demand"][f])) for f in forces]
            mine.numbers.update(values)
            mine.numbers.add(sum(values))
        if ap["formula"] in ("nre", "nre_and_demand") and public:
            nre_published = True
        if "weights" in ap:  # printed in the formula's sentence
            mine.percents.update(Decimal(str(v)) for v in ap["weights"].values())
        if budget is not None:
            pennies = _largest_remainder([x * int(budget * 100) for x in exact], int(budget * 100))
            for f, p in zip(forces, pennies):
                amount = Decimal(p) / 100
                mine.numbers.add(amount)
                per_force_all[f] += amount
                if public:
                    per_force_published[f] += amount
    uses_nre = any((fn.get("apportionment") or {}).get("formula") in ("nre", "nre_and_demand") for fn in data["functions"])
    nre_figures = {*nre.values(), sum(nre.values(), Decimal(0))} if uses_nre else set()
    (published if nre_published else withheld).numbers.update(nre_figures)
    published.numbers.add(total_published)
    published.numbers.update(per_force_published.values())
    if any(not fn.get("publish", True) for fn in data["functions"]):
        withheld.numbers.add(total_all)
        withheld.numbers.update(v for f, v in per_force_all.items() if v != per_force_published[f])
    return withheld, published


def forbidden(agreement: Path) -> Figures:
    """Return what no document for publication may print: withheld figures no published figure equals."""
    withheld, published = figures_of(agreement)
    numbers = {n for n in withheld.numbers - published.numbers if n >= 1000}  # small counts are section numbers, days...
    percents = withheld.percents - published.percents - {HUNDRED}
    return Figures(numbers, percents)


# ---------------------------------------------------------------------------- reading what a document prints

_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?%)?")


def printed(text: str) -> Figures:
    """Return every number a text prints, as Decimals, in any form (commas, £, decimals); percentages apart."""
    out = Figures()
    for m in _NUMBER.finditer(text):
        value = Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
        (out.percents if m.group(3) else out.numbers).add(value)
    return out


def docx_text(path: Path) -> str:
    """Return the text of every story of a .docx (body with tables, headers, footers, notes) and its properties."""
    lines = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if not name.endswith(".xml") or not name.startswith(("word/", "docProps/")):
                continue
            root = etree.fromstring(z.read(name))
            if name.startswith("docProps/"):
                lines += [t for t in root.itertext() if t.strip()]
                continue
            for p in root.iter(f"{W}p"):
                lines.append("".join(t.text or "" for t in p.iter(f"{W}t")))
    return "\n".join(lines)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def text_of(path: Path) -> str:
    return docx_text(path) if path.suffix == ".docx" else pdf_text(path) if path.suffix == ".pdf" else \
        path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- the check over a pack


def check_pack(out: Path, agreements: dict[str, Path], *, pdf: bool) -> None:
    """Assert that no output for publication prints a forbidden figure, and that the others print them all."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    outputs = manifest["outputs"]
    kinds = {o["kind"]: o["for_publication"] for o in outputs}
    assert kinds["publication"] is True and kinds["decision-notice"] is True
    assert kinds["agreement"] is False and kinds.get("decision-notice-exempt", False) is False
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count("<td>For publication</td>") == sum(o["for_publication"] for o in outputs
                                                          if not o["path"].endswith(".pdf"))
    for stem, agreement in agreements.items():
        bad = forbidden(agreement)
        assert bad.numbers or bad.percents, f"{stem}: nothing withheld to look for (the generator must withhold)"
        mine = [o for o in outputs if o["agreement"] == stem]
        public = [o for o in mine if o["for_publication"]]
        assert {o["kind"] for o in public} == {"publication", "decision-notice"}
        assert not pdf or any(o["path"].endswith(".pdf") for o in public), "PDFs for publication are searched too"
        for o in public:
            seen = printed(text_of(out / o["path"]))
            leaked_numbers = sorted(seen.numbers & bad.numbers)
            leaked_percents = sorted(seen.percents & bad.percents)
            assert not leaked_numbers and not leaked_percents, \
                f"{o['path']} is for publication and prints withheld figures {leaked_numbers} {leaked_percents}"
        private = Figures()
        for o in mine:
            if not o["for_publication"] and o["path"].endswith(".docx"):
                seen = printed(text_of(out / o["path"]))
                private.numbers |= seen.numbers
                private.percents |= seen.percents
        assert bad.numbers <= private.numbers, f"{stem}: not printed anywhere: {sorted(bad.numbers - private.numbers)}"
        assert bad.percents <= private.percents, f"{stem}: not printed anywhere: {sorted(bad.percents - private.percents)}"


def build(workspace: Path, run, *, pdf: bool) -> Path:
    result = run("build", "--pdf" if pdf else "--no-pdf", cwd=workspace)
    assert result.exit_code == 0, result.output
    return workspace / "out"


# ---------------------------------------------------------------------------- the example


def test_the_independent_figures_of_the_example():
    """The issue's own example: the Anti-Corruption Unit's £1,120,000 and Part A's £4,450,000 are withheld."""
    withheld, published = figures_of(ROOT / "agreements" / "psd.yaml")
    bad = forbidden(ROOT / "agreements" / "psd.yaml")
    assert Decimal("1120000") in bad.numbers and Decimal("4450000") in bad.numbers
    assert Decimal("3330000") in published.numbers  # the total of what is published may be stated
    assert printed("£1,120,000.00 and 1120000 and 28.50 % in 2016").numbers == {Decimal("1120000"), Decimal(2016)}
    assert printed("28.50%").percents == {Decimal("28.5")}


@pytest.mark.skipif(not HAS_PDF, reason="LibreOffice (soffice) or pdftotext is not installed")
def test_the_example_pack_publishes_no_withheld_figure_docx_and_pdf(workspace, run):
    import pikepdf

    out = build(workspace, run, pdf=True)
    check_pack(out, {"psd": workspace / "agreements" / "psd.yaml"}, pdf=True)
    mark = "Publication version under section 23E of the Police Act 1996"
    with pikepdf.open(out / "psd" / "psd-publication.pdf") as pdf:  # the PDF's title comes from the document's
        assert str(pdf.docinfo["/Title"]).endswith(mark)
    with pikepdf.open(out / "psd" / "psd.pdf") as pdf:
        assert mark not in str(pdf.docinfo["/Title"])
    assert mark in pdf_text(out / "psd" / "psd-publication.pdf").split("\f")[3], "every page's header says it"


def test_the_example_pack_publishes_no_withheld_figure(workspace, run):
    out = build(workspace, run, pdf=False)
    check_pack(out, {"psd": workspace / "agreements" / "psd.yaml"}, pdf=False)
    jps = [o for o in json.loads((out / "manifest.json").read_text())["outputs"] if o["agreement"] == "jps"]
    assert not any(o["kind"] == "decision-notice-exempt" for o in jps), "no exempt part when nothing is withheld"


# ---------------------------------------------------------------------------- generated alliances


def withhold(agreement: Path, seed: int, count: int) -> None:
    """Append `count` withheld functions to a generated agreement, with figures published ones do not have."""
    rnd = random.Random(seed)
    data = yaml.safe_load(agreement.read_text(encoding="utf-8"))
    forces = data["forces"]
    lines = []
    for k in range(1, count + 1):
        formula = rnd.choice(["equal", "fixed", "nre", "demand", "nre_and_demand"])
        budget = f"{rnd.randint(1_000_000, 9_999_999)}.{rnd.randint(1, 99):02d}"  # odd pence: no published budget
        lines += [f"  - id: covert_{k}", f'    name: "Covert Support {k}"', f'    budget: "{budget}"',
                  "    apportionment:", f"      formula: {formula}"]
        if formula == "fixed":
            cents = [rnd.randint(1, 500) for _ in forces]
            cents = [c * 10000 // sum(cents) for c in cents]
            cents[-1] += 10000 - sum(cents)
            lines.append("      shares: {" + ", ".join(f'{f}: "{c // 100}.{c % 100:02d}"' for f, c in zip(forces, cents)) + "}")
        if formula in ("demand", "nre_and_demand"):
            lines.append("      demand: {" + ", ".join(f"{f}: {rnd.randint(10_001, 99_999)}" for f in forces) + "}")
        if formula == "nre_and_demand":
            w = rnd.choice([30, 60, 65])
            lines.append(f"      weights: {{nre: {w}, demand: {100 - w}}}")
        if rnd.random() < 0.3:  # a business area without a specification yet can be withheld too
            lines += ["    specification: none", '    reason: "A specification will follow the review."']
        else:
            lines += ["    specification:", f'      purpose: "To support covert operations ({k})."']
        lines.append("    publish: false")
    agreement.write_text(agreement.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")


def alliance_workspace(folder: Path, seed: int, count: int) -> tuple[Path, Path]:
    alliance = make_alliance(folder, seed)
    withhold(alliance.agreement, seed, count)
    (folder / "summit.yaml").write_text(
        'summit:\n  name: "Test Summit"\n  date: 2027-03-15\nparties: parties.yaml\n'
        f"agreements: [agreements/{alliance.agreement.name}]\n", encoding="utf-8")
    return folder, alliance.agreement


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=1, max_value=10_000), count=st.integers(min_value=1, max_value=3))
def test_generated_alliances_publish_no_withheld_figure(tmp_path_factory, run, seed, count):
    folder, agreement = alliance_workspace(tmp_path_factory.mktemp("alliance"), seed, count)
    out = build(folder, run, pdf=False)
    check_pack(out, {agreement.stem: agreement}, pdf=False)


@pytest.mark.skipif(not HAS_PDF, reason="LibreOffice (soffice) or pdftotext is not installed")
def test_a_generated_alliance_with_several_withheld_functions_docx_and_pdf(tmp_path, run):
    folder, agreement = alliance_workspace(tmp_path, 4242, 3)
    out = build(folder, run, pdf=True)
    check_pack(out, {agreement.stem: agreement}, pdf=True)


# ---------------------------------------------------------------------------- the publication version says what it is

MARK = "Publication version under section 23E of the Police Act 1996"


def _core_title(data: bytes) -> str:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = etree.fromstring(z.read("docProps/core.xml"))
    return core.findtext("{http://purl.org/dc/elements/1.1/}title")


def _cover_and_header(data: bytes) -> tuple[list[str], list[str]]:
    import io

    import docx

    d = docx.Document(io.BytesIO(data))
    cover = []
    for p in d.paragraphs:
        if p.text == "Parties":
            break
        cover.append(p.text)
    header = [p.text for s in d.sections for p in s.header.paragraphs if p.text]
    return cover, header


@pytest.mark.parametrize("name,withholds", [("psd", True), ("jps", False)])
def test_the_publication_version_says_what_it_is_and_what_it_withholds(workspace, name, withholds):
    from agreement_builder.render import render_agreement
    from agreement_builder.validate import load_agreement

    checked = load_agreement(workspace / "agreements" / f"{name}.yaml")
    public, full = render_agreement(checked, publication=True), render_agreement(checked)
    cover, header = _cover_and_header(public)
    assert MARK in cover and MARK in header
    assert _core_title(public).endswith(f" – {MARK}") and MARK not in _core_title(full)
    full_cover, full_header = _cover_and_header(full)
    assert MARK not in full_cover and MARK not in full_header
    statement = [t for t in cover if t.startswith("The details of")]
    text = docx_text_of(public)
    if withholds:
        assert statement == ["The details of Service Specification 1 (the Anti-Corruption Unit), and every figure that "
                             "includes them, are withheld from this version under section 23E of the Police Act 1996, "
                             "as section 34 of this Agreement provides."]
        assert "The total annual budget of the Functions set out in Part B is [withheld from publication under " \
               "section 23E of the Act]." in text
        assert "withheld from publication under section 23E of the Police Act 1996, as section 34 of this " \
               "Agreement provides." in text.split("Service Specification 1: Anti-Corruption Unit")[-1]
    else:
        assert statement == []
        assert "The total annual budget of the Functions set out in Part B is £" in text


def docx_text_of(data: bytes) -> str:
    import io

    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def test_no_withheld_figure_is_in_the_context_of_what_is_published(workspace):
    """Whatever a workspace's own template prints, it cannot print what its context does not hold."""
    import datetime as dt

    from agreement_builder.context import build_context
    from agreement_builder.models import SummitInfo
    from agreement_builder.notice import exempt_contexts, notice_contexts
    from agreement_builder.validate import load_agreement

    path = workspace / "agreements" / "psd.yaml"
    checked, summit = load_agreement(path), SummitInfo(name="Summit", date=dt.date(2016, 7, 19))
    bad = forbidden(path)
    public = build_context(checked, publication=True)
    contexts = [public.umbrella, *(a.context for a in public.annexes), *notice_contexts(checked, summit).values()]
    for context in contexts:
        seen = printed("\n".join(_strings(context)))
        assert not seen.numbers & bad.numbers and not seen.percents & bad.percents
    private = printed("\n".join(s for c in exempt_contexts(checked, summit).values() for s in _strings(c)))
    private_full = printed("\n".join(_strings(build_context(checked).annexes[0].context)))
    assert bad.numbers <= private.numbers | private_full.numbers | {Decimal("4450000")}
