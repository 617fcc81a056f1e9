"""Decision notices as a Commissioner's office writes them: every section, every figure, for every kind of body."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import docx
import pytest

from agreement_builder.figures import agreement_figures, agreement_totals
from agreement_builder.formats import format_money
from agreement_builder.models import SummitInfo
from agreement_builder.notice import render_decision_notices, render_exempt_parts
from agreement_builder.validate import load_agreement
from tests.alliances import make_alliance
from tests.conftest import ROOT
from tests.independent import force_totals, independent

PARTIES = ROOT / "parties.yaml"
SUMMIT = SummitInfo(name="Strategic Alliance Summit", date="2016-07-19")
SECTIONS = ["Executive Summary", "Recommendation", "Background", "Financial Implications", "Legal Implications",
            "Equality and Risk", "Consultation", "Publication", "Declaration of Personal Interests", "Decision",
            "Officers’ Sign-off"]


def _open(data: bytes):
    return docx.Document(io.BytesIO(data))


def _text(document) -> str:
    chunks = [p.text for p in document.paragraphs]
    for t in document.tables:
        chunks += [c.text for r in t.rows for c in r.cells]
    return "\n".join(chunks)


def _table(document, first: str) -> list[list[str]]:
    table = next(t for t in document.tables if t.rows[0].cells[0].text == first)
    return [[c.text for c in r.cells] for r in table.rows]


def _published(checked, force, *, by_id: bool = False) -> dict[str, Decimal]:
    """Return {function name (or id): contribution} of the functions whose details are published, independently."""
    rows = independent(checked)
    return {fn.id if by_id else fn.name: rows[fn.id][force][1] for fn in checked.agreement.functions
            if fn.id in rows and fn.publish and force in rows[fn.id]}


@pytest.fixture(scope="module")
def example():
    jps = load_agreement(ROOT / "agreements" / "jps.yaml", parties=PARTIES)
    old = load_agreement(ROOT / "agreements" / "jps-2013.yaml", parties=PARTIES)
    psd = load_agreement(ROOT / "agreements" / "psd.yaml", parties=PARTIES)
    totals = [agreement_totals(agreement_figures(jps)), agreement_totals(agreement_figures(psd))]
    notices = render_decision_notices(jps, SUMMIT, previous=agreement_figures(old), summit_totals=totals)
    psd_notices = render_decision_notices(psd, SUMMIT, summit_totals=totals)
    exempt = render_exempt_parts(psd, SUMMIT, summit_totals=totals)
    return {"jps": jps, "old": old, "psd": psd, "notices": notices, "psd_notices": psd_notices, "exempt": exempt}


def test_every_section_in_order_and_nothing_pre_decided(example):
    for data in [*example["notices"].values(), *example["psd_notices"].values()]:
        document = _open(data)
        headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        assert headings == SECTIONS
        text = _text(document)
        assert "Approved" not in text and "I approve" not in text
        assert not re.search(r"\{\{|\{%|\}\}", text)
        cover = dict((r[0], r[1]) for r in _table(document, "Decision reference"))
        assert cover["Decision reference"].startswith(cover["Agreement reference"] + "/")
        assert cover["Publication"].startswith("For publication")
        decision = text[text.index("\nDecision\n"):]
        assert "in the decision maker’s own words" in decision and "Signature:" in decision and "Date:" in decision
        for officer in ("Chief finance officer.", "Monitoring officer."):
            assert officer in text


def test_contributions_beside_the_previous_version_checked_independently(example):
    jps, old = example["jps"], example["old"]
    names = {f: p.name for f, p in jps.parties.parties.forces.items()}
    for force, data in example["notices"].items():
        rows = _table(_open(data), "Function")
        assert rows[0] == ["Function", "Version 2.0", "This version", "Change"]
        new, before = _published(jps, force, by_id=True), _published(old, force, by_id=True)  # aligned on ids
        new_names = {fn.id: fn.name for fn in jps.agreement.functions}
        old_names = {fn.id: fn.name for fn in old.agreement.functions}
        body = {r[0]: r[1:] for r in rows[1:-1]}
        assert len(body) == len(set(new) | set(before))
        for fid, amount in new.items():
            was = before.get(fid)
            assert body[new_names[fid]] == [format_money(was) if was is not None else "–", format_money(amount),
                                            format_money(amount - (was or Decimal(0)), sign=True)]
        for fid, was in before.items():
            if fid not in new:
                assert body[f"{old_names[fid]} (no longer in the agreement)"] == [format_money(was), "–",
                                                                                  format_money(-was, sign=True)]
        total = rows[-1]
        assert total[0] == "Total"
        assert total[1:] == [format_money(sum(before.values())), format_money(force_totals(jps)[force]),
                             format_money(force_totals(jps)[force] - sum(before.values()), sign=True)]
        assert names[force] in _text(_open(data))


def test_each_force_total_across_the_summit_published_and_exempt(example):
    jps, psd = example["jps"], example["psd"]
    for force, data in example["notices"].items():
        rows = _table(_open(data), "Agreement")
        published = {"Joint Protective Services (BCH-S22A-JPS)": sum(_published(jps, force).values()),
                     "Professional Standards Department (BCH-S22A-PSD)": sum(_published(psd, force).values())}
        assert {r[0]: r[1] for r in rows[1:-1]} == {k: format_money(v) for k, v in published.items()}
        assert rows[-1] == ["Total", format_money(sum(published.values()))]
    for force, data in example["exempt"].items():
        document = _open(data)
        rows = _table(document, "Agreement")
        whole = force_totals(jps)[force] + force_totals(psd)[force]
        assert rows[-1] == ["Total", format_money(whole)]
        assert "Not for publication" in _text(document)


def test_the_published_notice_lets_no_reader_derive_a_withheld_figure(example):
    psd = example["psd"]
    rows = independent(psd)
    held = [fn for fn in psd.agreement.functions if not fn.publish and fn.id in rows]
    assert held, "the example withholds a function"
    for force, data in example["psd_notices"].items():
        text = _text(_open(data))
        for fn in held:
            assert format_money(rows[fn.id][force][1]) not in text
        assert format_money(force_totals(psd)[force]) not in text  # the whole would give the withheld by subtraction
        exempt = _text(_open(example["exempt"][force]))
        for fn in held:
            assert format_money(rows[fn.id][force][1]) in exempt


@pytest.mark.parametrize("force, signs, capacity, finance, monitoring", [
    ("essex", "Police, Fire and Crime Commissioner for Essex", "not as its fire and rescue authority",
     "Chief Finance Officer to the Police, Fire and Crime Commissioner for Essex",
     "Chief Executive and Monitoring Officer to the Police, Fire and Crime Commissioner for Essex"),
    ("greater_manchester", "Mayor of Greater Manchester", "exercising the functions of a police and crime commissioner",
     "Chief Finance Officer to the Mayor of Greater Manchester", "Monitoring Officer to the Mayor of Greater Manchester"),
    ("west_yorkshire", "Mayor of West Yorkshire", "exercising the functions of a police and crime commissioner",
     "Chief Finance Officer to the Mayor of West Yorkshire", "Monitoring Officer to the Mayor of West Yorkshire"),
    ("metropolitan", "Deputy Mayor for Policing and Crime, for the Mayor’s Office for Policing and Crime",
     "by the Deputy Mayor for Policing and Crime", "Chief Finance Officer of the Mayor’s Office for Policing and Crime",
     "Chief Executive of the Mayor’s Office for Policing and Crime (Monitoring Officer)"),
    ("city_of_london", "for the Common Council of the City of London", "is the police authority for",
     "Chamberlain of London (Chief Finance Officer)", "Comptroller and City Solicitor (Monitoring Officer)"),
])
def test_who_decides_and_signs_for_each_kind_of_body(tmp_path, force, signs, capacity, finance, monitoring):
    alliance = make_alliance(tmp_path, 16, forces=[force, "bedfordshire"], named_holders=False)
    checked = load_agreement(alliance.agreement)
    document = _open(render_decision_notices(checked, SUMMIT)[force])
    paragraphs = [p.text for p in document.paragraphs]
    after_decision = paragraphs[paragraphs.index("Decision"):]
    assert signs in after_decision and "Name: ……………………………………………" in after_decision
    assert any(capacity in p for p in paragraphs[paragraphs.index("Legal Implications"):])
    assert finance in paragraphs and monitoring in paragraphs
    rows = _table(document, "Function")
    expected = independent(checked)
    amounts = {fn.name: expected[fn.id][force][1] for fn in checked.agreement.functions
               if fn.id in expected and fn.publish and fn.budget}
    assert {r[0]: r[1] for r in rows[1:-1]} == {k: format_money(v) for k, v in amounts.items()}
    assert rows[-1][-1] == format_money(sum(amounts.values()))
