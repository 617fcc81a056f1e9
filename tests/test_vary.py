"""`vary`: agreements of variation, checked by applying them (tests/variation_applier.py) to OLD as Word shows it.

Every test opens what the product wrote and reads it with code that shares nothing with the
product: the amendments are parsed and applied to OLD's rendered text, numbers as Word shows
them, and the result must be NEW exactly (recitals, every Part A clause and sub-clause, the
appendices, every Service Specification with its tables), with inserted provisions numbered as
they will be once renumbered.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreement_builder.amendments import substitution_pairs, word_changes
from agreement_builder.cli import cli
from agreement_builder.errors import InputError
from agreement_builder.render import render_agreement
from agreement_builder.validate import load_agreement
from agreement_builder.vary import draft_variation
from tests.alliances import FORCES, make_alliance
from tests.variation_applier import apply_words, check_variation, read_variation

ROOT = Path(__file__).resolve().parents[1]


def _texts(data: bytes) -> list[str]:
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return ["".join(t.text or "" for t in p.iter(f"{ns}t")) for p in root.iter(f"{ns}p")]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example pair (jps-2013.yaml, signed; jps.yaml) varied through the command line."""
    work = tmp_path_factory.mktemp("vary")
    shutil.copytree(ROOT / "agreements", work / "agreements")
    shutil.copy(ROOT / "parties.yaml", work / "parties.yaml")
    out = work / "out" / "jps-variation.docx"
    out.parent.mkdir()
    result = CliRunner().invoke(cli, ["vary", str(work / "agreements" / "jps.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    old = load_agreement(work / "agreements" / "jps-2013.yaml")
    new = load_agreement(work / "agreements" / "jps.yaml")
    return {"work": work, "out": out, "data": out.read_bytes(), "old": render_agreement(old),
            "conformed": render_agreement(new), "output": result.output}


def test_example_applies_exactly(example):
    applied = check_variation(example["old"], example["conformed"], example["data"])
    assert applied >= 20


def test_conformed_copy_is_the_last_schedule(example):
    texts = _texts(example["data"])
    at = texts.index("The Principal Agreement as varied (conformed copy)")
    assert texts[at - 1] == "Schedule 10"
    rest = texts[at:]
    assert "Contents" not in rest  # the variation has no contents page of the agreement inside it
    assert "“Commencement Date” means 1 August 2016;" in rest
    # its cross-references are NEW's section numbers as text, not fields pointing nowhere
    data = zipfile.ZipFile(io.BytesIO(example["data"])).read("word/document.xml").decode()
    assert set(re.findall(r"REF (_AB_S_\w+)", data)) == {"_AB_S_variation"}  # only the variation's own section


def test_example_reads_as_a_variation(example):
    texts = _texts(example["data"])
    joined = "\n".join(texts)
    assert "Agreement of Variation" in texts
    assert ("Variation Agreement relating to the Joint Protective Services Collaboration Agreement dated "
            "12 December 2013") in texts
    assert "“Principal Agreement”" in joined and "“Variation Date” means 1 August 2016." in joined
    assert "With effect from the Variation Date the Principal Agreement is varied as follows." in texts
    assert "Except as varied by this Agreement, the Principal Agreement continues in full force and effect." in joined
    assert "This Agreement may be executed in any number of counterparts" in joined
    assert "governed by the law of England and Wales" in joined
    # every party signs: the chief officers and policing bodies of the three forces
    own = texts[:texts.index("Schedule 1")]
    signed = [t for t in own if t.startswith("Signed by the ")]
    assert len(signed) == 6
    # the conformed copy offers no lines to sign
    copy = texts[texts.index("The Principal Agreement as varied (conformed copy)"):]
    assert not any(t.startswith(("Signed by", "Signature:")) for t in copy)
    assert ("The Principal Agreement was executed by its parties on the date stated at its beginning, and varied by "
            "the agreement of variation in which this conformed copy is set out.") in copy
    # the forms of the issue, exactly
    amendments = [a for a, _ in read_variation(example["data"])[0]]
    assert "After clause 8.4 insert—" in amendments
    assert "For clause 31.6 substitute—" in amendments
    assert ("In recital (F) and clauses 1.1(c), 1.1(i) and 6.1, for “Cambridgeshire Constabulary” substitute "
            "“Bedfordshire Police” in each place it occurs.") in amendments
    assert "In clauses 4.2 and 28.1, for “December 2016” substitute “July 2019” in each place it occurs." in amendments
    assert "Omit Service Specification 10 (Delegation of Authority (On-call arrangements))." in amendments
    assert ("For Service Specification 3 (Dog Unit) substitute the Service Specification set out in Schedule 4."
            in amendments)
    # the lead force change is grouped: one amendment per distinct substitution, not one per occurrence
    assert sum("Cambridgeshire Constabulary" in a for a in amendments) == 1
    # nothing amends the cover page, the parties or the contents
    assert not any("cover" in a.lower() or "Contents" in a for a in amendments)


def test_schedules_render_the_annexes(example):
    texts = _texts(example["data"])
    assert "Schedule 4" in texts
    at = texts.index("Schedule 4")
    assert texts[at + 1] == "Service Specification 3: Dog Unit"
    joined = "\n".join(texts[at:])
    # NEW's Dog Unit table, as NEW prints it: shares and contributions
    assert "28.50%" in joined and "£598,500.00" in joined


def test_deterministic(example, tmp_path):
    out = tmp_path / "again.docx"
    result = CliRunner().invoke(cli, ["vary", str(example["work"] / "agreements" / "jps-2013.yaml"),
                                      str(example["work"] / "agreements" / "jps.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == example["data"]


def _copy_example(tmp_path: Path) -> None:
    """Copy the example agreements and parties file into `tmp_path` (a workspace the test may change)."""
    shutil.copytree(ROOT / "agreements", tmp_path / "agreements")
    shutil.copy(ROOT / "parties.yaml", tmp_path / "parties.yaml")


def test_lead_ins_keep_with_the_text_they_introduce(example):
    """“After clause 8.4 insert—” never stands alone at the foot of a page: it keeps with the next paragraph."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(example["data"])).read("word/document.xml"))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    texts = {p: "".join(t.text or "" for t in p.iter(f"{ns}t")).rstrip() for p in root.iter(f"{ns}p")}
    lead_ins = [p for p, text in texts.items() if text.endswith("—")]
    assert len(lead_ins) >= 3  # the example inserts and substitutes whole provisions
    assert all(p.find(f"{ns}pPr/{ns}keepNext") is not None for p in lead_ins)


def test_draft_old_is_refused(tmp_path):
    _copy_example(tmp_path)
    old = tmp_path / "agreements" / "jps-2013.yaml"
    old.write_text(old.read_text(encoding="utf-8").replace("status: final", "status: draft"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["vary", str(tmp_path / "agreements" / "jps.yaml"), "-o",
                                      str(tmp_path / "v.docx")])
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[0]
    assert re.match(rf"{re.escape(str(old))}:\d+:\d+: error: `agreement.status` is 'draft': only a signed agreement",
                    line), result.output
    assert "Traceback" not in result.output and not (tmp_path / "v.docx").exists()


def test_a_force_that_leaves_is_refused(tmp_path):
    _copy_example(tmp_path)
    new = tmp_path / "agreements" / "jps.yaml"
    data = yaml.safe_load(new.read_text(encoding="utf-8"))
    data["forces"].remove("cambridgeshire")
    del data["finance"]["net_revenue_expenditure"]["cambridgeshire"]
    for fn in data["functions"]:
        ap = fn.get("apportionment") or {}
        ap.get("demand", {}).pop("cambridgeshire", None)
        if "shares" in ap:
            gone = ap["shares"].pop("cambridgeshire")
            first = next(iter(ap["shares"]))
            ap["shares"][first] = str(Decimal(ap["shares"][first]) + Decimal(gone))
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["vary", str(new), "-o", str(tmp_path / "v.docx")])
    assert result.exit_code == 1, result.output
    assert "Chief Constable of Cambridgeshire Constabulary" in result.output
    assert "withdrawal under section 30 (Withdrawal and Termination)" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "v.docx").exists()


def test_another_agreement_is_refused(tmp_path):
    """OLD and NEW with different references are two agreements: one is not a variation of the other."""
    _copy_example(tmp_path)
    new = tmp_path / "agreements" / "jps.yaml"
    text = new.read_text(encoding="utf-8")
    reference = yaml.safe_load(text)["agreement"]["reference"]
    new.write_text(text.replace(f"reference: {reference}", "reference: OTHER-S22A-9"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["vary", str(new), "-o", str(tmp_path / "v.docx")])
    assert result.exit_code == 1, result.output
    line = result.output.strip().splitlines()[0]
    assert re.match(rf"{re.escape(str(new))}:\d+:\d+: error: `agreement.reference` is 'OTHER-S22A-9' but the "
                    rf"signed agreement's is '{re.escape(reference)}'", line), result.output
    assert "[vary-other-agreement]" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "v.docx").exists()


def test_nothing_to_vary_is_refused(tmp_path):
    """NEW that reads exactly as the signed OLD (only its version and status differ) has nothing to vary."""
    _copy_example(tmp_path)
    old = tmp_path / "agreements" / "jps-2013.yaml"
    data = yaml.safe_load(old.read_text(encoding="utf-8"))
    data["agreement"].update(version="9.9", status="draft", previous="jps-2013.yaml")
    new = tmp_path / "agreements" / "same.yaml"
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["vary", str(new), "-o", str(tmp_path / "v.docx")])
    assert result.exit_code == 1, result.output
    assert re.match(rf"{re.escape(str(new))}:\d+:\d+: error: version 9.9 reads exactly as the signed version",
                    result.output.strip().splitlines()[0]), result.output
    assert "[vary-no-change]" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "v.docx").exists()


@pytest.mark.parametrize("key", ["date", "commencement"])
def test_a_variation_before_the_principal_agreement_is_refused(tmp_path, key):
    """A variation cannot be dated, or come into force, before the signed agreement it varies."""
    _copy_example(tmp_path)
    new = tmp_path / "agreements" / "jps.yaml"
    data = yaml.safe_load(new.read_text(encoding="utf-8"))
    principal = yaml.safe_load((tmp_path / "agreements" / "jps-2013.yaml").read_text(encoding="utf-8"))["agreement"]
    data["agreement"][key] = principal[key] - dt.timedelta(days=1)
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["vary", str(new), "-o", str(tmp_path / "v.docx")])
    assert result.exit_code == 1, result.output
    first = result.output.strip().splitlines()[0]
    assert re.match(rf"{re.escape(str(new))}:\d+:\d+: error: `agreement.{key}` is .* before the signed agreement's",
                    first), result.output
    assert "[vary-before-principal]" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "v.docx").exists()


def test_never_writes_over_an_input(tmp_path):
    _copy_example(tmp_path)
    target = tmp_path / "agreements" / "jps-2013.yaml"
    before = target.read_bytes()
    result = CliRunner().invoke(cli, ["vary", str(tmp_path / "agreements" / "jps.yaml"), "-o", str(target)])
    assert result.exit_code != 0
    assert target.read_bytes() == before


def test_template_passes_the_check_and_its_tool_never_writes_over_it():
    result = CliRunner().invoke(cli, ["templates", "check", str(ROOT / "templates" / "variation.docx")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 errors, 0 warnings"), result.output
    before = (ROOT / "templates" / "variation.docx").read_bytes()
    made = subprocess.run([shutil.which("python3") or "python3", str(ROOT / "tools" / "make_variation_template.py")],
                          capture_output=True, text=True)
    assert made.returncode == 1 and "nothing written" in made.stderr, made.stdout + made.stderr
    assert (ROOT / "templates" / "variation.docx").read_bytes() == before


# ---------------------------------------------------------------------------- the word-level forms


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["the", "Lead", "Force", "shall", "report", "to", "Board", "and", "each",
                                 "Party", "2016", "£1,000.00", "(a)", ";", ","]), min_size=1, max_size=25),
       st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["delete", "insert", "replace"]),
                          st.sampled_from(["annual", "Commissioner", "2019", ",", "not"])), max_size=4))
def test_word_changes_apply_exactly(words, edits):
    old = " ".join(words).replace(" ,", ",").replace(" ;", ";")
    new_words = list(words)
    for at, op, word in edits:
        at = at % (len(new_words) + 1)
        if op == "insert":
            new_words.insert(at, word)
        elif new_words and at < len(new_words):
            if op == "delete":
                del new_words[at]
            else:
                new_words[at] = word
    new = " ".join(new_words).replace(" ,", ",").replace(" ;", ";")
    phrases = word_changes(old, new)
    if phrases is None:
        return  # substituted whole: nothing to apply word by word
    text = old
    for phrase in phrases:
        text = apply_words(text, phrase, phrase)
    assert text == new
    pairs = substitution_pairs(old, new)
    if pairs:
        text = old
        for a, b in pairs:
            text = text.replace(a, b)
        assert text == new


# ---------------------------------------------------------------------------- random pairs


def _mutate(data: dict, changes: list[str], rnd, spare_forces: list[str]) -> None:
    """Change an agreement mapping as a later version might."""
    forces = data["forces"]
    for change in changes:
        functions = data.get("functions") or []
        if change == "lead" and len(forces) > 1:
            data["lead_force"] = rnd.choice([f for f in forces if f != data["lead_force"]])
        elif change == "shares":
            for fn in functions:
                ap = fn.get("apportionment") or {}
                if ap.get("formula") == "fixed":
                    shares = [int(round(float(v) * 100)) for v in ap["shares"].values()]
                    moved = min(shares[0] - 1, rnd.randint(1, 300))
                    shares[0] -= moved
                    shares[-1] += moved
                    ap["shares"] = {f: f"{s // 100}.{s % 100:02d}" for f, s in zip(ap["shares"], shares)}
                elif fn.get("budget"):
                    fn["budget"] = f"{int(float(fn['budget'])) + rnd.randint(1, 99) * 1000}.00"
        elif change == "add_function":
            functions.append({"id": f"added_{len(functions)}", "name": f"Added Unit {len(functions)}",
                              "budget": "120000.00", "apportionment": {"formula": "equal"},
                              "specification": {"purpose": "To deliver the added unit for every Party."}})
        elif change == "remove_function" and len(functions) > 1:
            functions.pop(rnd.randrange(len(functions)))
        elif change == "insert_clause":
            clauses = data.setdefault("clauses", {})
            key = rnd.choice(["accountability", "governance", "finance", "insurance"])
            clauses.setdefault(key, []).insert(0, "The Parties shall review the operation of this section annually "
                                                  "and record the outcome of each review in writing.")
        elif change == "reword_clause":
            for items in (data.get("clauses") or {}).values():
                if items:
                    items[0] = items[0].replace("annually", "every six months").replace("in writing", "in the minutes")
        elif change == "remove_clause":
            for key, items in list((data.get("clauses") or {}).items()):
                if items:
                    items.pop()
        elif change == "dates":
            info = data["agreement"]
            info["commencement"] = "2028-04-01"
            info["review"] = "2031-03-31"
        elif change == "join" and spare_forces:
            joining = spare_forces.pop()
            forces.append(joining)
            data["finance"]["net_revenue_expenditure"][joining] = "123000000"
            for fn in functions:
                ap = fn.get("apportionment") or {}
                if ap.get("formula") == "fixed":
                    shares = [int(round(float(v) * 100)) for v in ap["shares"].values()]
                    give = shares[0] // 2
                    shares[0] -= give
                    ap["shares"] = {**{f: f"{s // 100}.{s % 100:02d}" for f, s in zip(ap["shares"], shares)},
                                    joining: f"{give // 100}.{give % 100:02d}"}
                if "demand" in ap:
                    ap["demand"][joining] = 1234


def _write_parties(alliance, extra: str) -> None:
    name, area, chief, body = FORCES[extra]
    with alliance.parties.open("a", encoding="utf-8") as f:
        f.write(f"  {extra}:\n    name: \"{name}\"\n    area: \"{area}\"\n    chief_officer:\n      title: \"{chief}\"\n"
                f"    policing_body:\n      title: \"{body}\"\n")


CHANGES = ["lead", "shares", "add_function", "remove_function", "insert_clause", "reword_clause", "remove_clause",
           "dates", "join"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), changes=st.lists(st.sampled_from(CHANGES), min_size=1, max_size=4),
       with_clause=st.booleans())
def test_random_pairs_apply_exactly(tmp_path_factory, seed, changes, with_clause):
    import random

    folder = tmp_path_factory.mktemp("pair")
    alliance = make_alliance(folder, seed, status="final")
    spare = sorted(f for f in FORCES if f not in alliance.forces)[:1]
    for extra in spare:
        _write_parties(alliance, extra)
    old_data = yaml.safe_load(alliance.agreement.read_text(encoding="utf-8"))
    if with_clause:
        old_data.setdefault("clauses", {})["accountability"] = [
            "The Lead Commissioner shall report to the other Policing Bodies on the Functions every quarter.",
            "The Parties shall review the operation of this section annually and record the outcome in writing."]
        alliance.agreement.write_text(yaml.safe_dump(old_data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    new_data = yaml.safe_load(alliance.agreement.read_text(encoding="utf-8"))
    rnd = random.Random(seed)
    _mutate(new_data, changes, rnd, list(spare))
    new_data["agreement"].update(status="draft", version="2.0", previous=alliance.agreement.name)
    new_path = alliance.agreement.with_name("new.yaml")
    new_path.write_text(yaml.safe_dump(new_data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    old = load_agreement(alliance.agreement)
    new = load_agreement(new_path)
    try:
        variation = draft_variation(old, new)
    except InputError as exc:  # a draw that changes nothing (a clause reworded where there is none)
        assert [i.rule for i in exc.issues] == ["vary-no-change"]

        def content(data: dict) -> dict:
            header = {k: v for k, v in data["agreement"].items() if k not in ("status", "version", "previous")}
            return {**data, "agreement": header}

        assert content(old_data) == content(new_data)
        return
    check_variation(render_agreement(old), variation.conformed, variation.data)
    written = folder / "variation.docx"
    written.write_bytes(variation.data)
    parties = yaml.safe_load(alliance.parties.read_text(encoding="utf-8"))
    findings = _review_variation(written, parties, new_data)
    assert not findings, "\n".join(map(str, findings))
    if "lead" in changes and len(alliance.forces) > 1:
        amendments = [a for a, _ in read_variation(variation.data)[0]]
        old_lead = FORCES[old.agreement.lead_force][0]
        # the lead force's name is substituted by grouped amendments, never clause by clause for each occurrence
        assert sum(f"for “{old_lead}” substitute" in a for a in amendments) <= 2


def test_build_adds_the_variation_when_previous_is_final(tmp_path):
    import json

    for name in ("agreements", "templates", "annexes"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("parties.yaml", "summit.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "summit.yaml"), "--out", str(tmp_path / "out"),
                                      "--no-pdf", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    kinds = {d["path"]: d["kind"] for d in manifest["outputs"]}
    assert kinds.get("jps/jps-variation.docx") == "variation"
    assert not any(p.startswith("psd/") and k == "variation" for p, k in kinds.items())  # psd has no previous
    old = load_agreement(tmp_path / "agreements" / "jps-2013.yaml")
    check_variation(render_agreement(old), (tmp_path / "out" / "jps" / "jps.docx").read_bytes(),
                    (tmp_path / "out" / "jps" / "jps-variation.docx").read_bytes())


# ---------------------------------------------------------------------------- drafting review


#: The reviewer's checks that apply to an agreement of variation's own text. Not: cross-references
#: and section fields (its amendments cite the Principal Agreement's numbers, which it does not
#: contain), money and the part first year (its figures are the Principal Agreement's, in the Schedules).
VARIATION_CHECKS = ("obligations_on_forces", "foreign_names", "defined_twice", "undefined_bodies", "number_blind",
                    "placeholders", "provisions_respected", "small_faults", "undefined_terms", "misnomers")


def _review_variation(path: Path, parties: dict, agreement: dict) -> list:
    from tests import drafting_review

    facts = drafting_review.facts_for(parties, agreement, all_forces=FORCES)
    paras = drafting_review.read_paragraphs(path)
    end = next((p.index for p in paras if p.style == "Schedule Title"), len(paras))
    own = paras[:end]
    return [f for name in VARIATION_CHECKS for f in getattr(drafting_review, name)(own, facts)]


def test_example_passes_the_drafting_review(example):
    parties = yaml.safe_load((example["work"] / "parties.yaml").read_text(encoding="utf-8"))
    agreement = yaml.safe_load((example["work"] / "agreements" / "jps.yaml").read_text(encoding="utf-8"))
    findings = _review_variation(example["out"], parties, agreement)
    assert not findings, "\n".join(map(str, findings))
