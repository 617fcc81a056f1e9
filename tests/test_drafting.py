"""Drafting a lawyer can send, for any alliance (issue 13).

Agreements are rendered for made-up alliances of the 43 real forces (tests/alliances.py draws
them from a seed: 2 to 43 forces, every combination of provisions, commissioners, police, fire
and crime commissioners, mayors and the City of London, named and unnamed office holders,
draft and final) and read by the test-side reviewer (tests/drafting_review.py), which must
find nothing. Then each class of fault is pinned on its own, on a rendered agreement.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import shutil
from decimal import Decimal
from pathlib import Path

import docx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreement_builder.models import SummitInfo
from agreement_builder.notice import render_decision_notices
from agreement_builder.render import render_agreement
from agreement_builder.validate import check_file, load_agreement
from tests.alliances import FORCES, make_alliance
from tests.conftest import ROOT
from tests.drafting_review import facts_for, read_paragraphs, review

PROVISIONS = [list(c) for r in (1, 2, 3) for c in itertools.combinations(
    ["force", "policing_body", "policing_body_and_force"], r)]

#: (seed, make_alliance keywords): every provisions combination, 2 to 43 forces, the unusual policing bodies.
CASES = [
    *[(200 + i, dict(n_forces=[2, 3, 5][i % 3], provisions=p, named_holders=i % 2 == 0,
                     status="final" if i % 3 == 2 else "draft")) for i, p in enumerate(PROVISIONS)],
    (301, dict(n_forces=2, provisions=["policing_body"], named_holders=True)),
    (302, dict(forces=["city_of_london", "metropolitan"], provisions=["force", "policing_body_and_force"])),
    (303, dict(forces=["greater_manchester", "cumbria", "essex", "lancashire"], provisions=["policing_body_and_force"],
               status="final")),
    (304, dict(forces=["west_yorkshire", "north_yorkshire", "south_yorkshire", "humberside"], provisions=["force"])),
    (305, dict(n_forces=43, provisions=["force", "policing_body", "policing_body_and_force"])),
]


def _render(folder: Path, seed: int, **kw):
    alliance = make_alliance(folder, seed, **kw)
    checked = load_agreement(alliance.agreement)
    out = folder / f"alliance-{seed}.docx"
    out.write_bytes(render_agreement(checked))
    facts = facts_for(yaml.safe_load(alliance.parties.read_text(encoding="utf-8")),
                      yaml.safe_load(alliance.agreement.read_text(encoding="utf-8")), all_forces=FORCES)
    return alliance, checked, out, facts


@pytest.mark.parametrize("seed,kw", CASES, ids=[f"{s}-{len(k.get('forces') or []) or k.get('n_forces')}forces-"
                                                 f"{'+'.join(k['provisions'])}" for s, k in CASES])
def test_the_reviewer_finds_nothing_in_agreements_for_made_up_alliances(tmp_path, seed, kw):
    _, _, out, facts = _render(tmp_path, seed, **kw)
    findings = review(out, facts)
    assert findings == [], "\n".join(str(f) for f in findings)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), n_forces=st.sampled_from([2, 3, 4, 6, 9]), provisions=st.sampled_from(PROVISIONS))
def test_the_reviewer_finds_nothing_in_any_alliance(tmp_path_factory, seed, n_forces, provisions):
    _, _, out, facts = _render(tmp_path_factory.mktemp("alliance"), seed, n_forces=n_forces, provisions=provisions)
    findings = review(out, facts)
    assert findings == [], "\n".join(str(f) for f in findings)


# ---------------------------------------------------------------------------- helpers for the targeted tests


def _texts(path: Path) -> list[str]:
    return [p.text for p in read_paragraphs(path)]


def _section(path: Path, number: int) -> list[str]:
    """Return the clauses and sub-clauses of Part A section `number`, as printed."""
    out, current = [], None
    for p in read_paragraphs(path):
        if p.part != "A":
            continue
        if p.style == "Heading 1":
            current = p.number
        elif current == str(number) and p.style in ("Clause", "Clause Item"):
            out.append(p.text)
    return out


def _write(folder: Path, parties: str, agreement: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "parties.yaml").write_text(parties, encoding="utf-8")
    path = folder / "agreement.yaml"
    path.write_text(agreement, encoding="utf-8")
    return path


PARTIES = """\
forces:
  kent:
    name: Kent Police
    area: Kent
    chief_officer: {title: Chief Constable of Kent Police}
    policing_body: {title: Police and Crime Commissioner for Kent, address: "Sutton Road, Maidstone", email: notices@kent.example.org}
  essex:
    name: Essex Police
    area: Essex
    chief_officer: {title: Chief Constable of Essex Police}
    policing_body: {title: "Police, Fire and Crime Commissioner for Essex", address: "Kelvedon Park, Witham"}
  greater_manchester:
    name: Greater Manchester Police
    area: Greater Manchester
    chief_officer: {title: Chief Constable of Greater Manchester Police}
    policing_body: {title: Mayor of Greater Manchester}
"""

AGREEMENT = """\
agreement:
  title: {title}
  reference: TEST-13
  version: "1.0"
  date: 2027-03-15
  commencement: {commencement}
  review: 2030-03-31
  alliance: Kent and Essex Collaboration
forces: {forces}
lead_force: {lead}
provisions: {provisions}
finance:
  net_revenue_expenditure: {{kent: "350000000", essex: "360000000", greater_manchester: "700000000"}}
functions:
  - id: marine
    name: Marine Unit
    budget: "1000000.00"
    apportionment: {{formula: equal}}
    specification:
      purpose: To police the coast.
  - id: dogs
    name: Dog Unit
    budget: "300000.00"
    apportionment: {{formula: fixed, shares: {shares}}}
    specification:
      services: [General purpose dogs]
      service_levels: [A dog available at all times]
  - id: review
    name: Command Review
    specification: none
    reason: A specification will follow the review.
    budget: "90000.00"
    apportionment: {{formula: nre}}
"""


def _agreement(tmp_path: Path, *, forces=("kent", "essex"), lead="kent", provisions=("force",),
               commencement="2027-04-01", title="Marine and Dogs", extra="") -> Path:
    shares = "{" + ", ".join(f'{f}: "{s}"' for f, s in zip(forces, ["40.00", "60.00"] if len(forces) == 2
                                                               else ["20.00", "30.00", "50.00"])) + "}"
    text = AGREEMENT.format(title=title, commencement=commencement, forces="[" + ", ".join(forces) + "]", lead=lead,
                            provisions="[" + ", ".join(provisions) + "]", shares=shares)
    parties = PARTIES
    if len(forces) == 2:  # the finance block names only the agreement's forces
        text = text.replace(', greater_manchester: "700000000"', "")
    return _write(tmp_path, parties, text + extra)


def _render_path(path: Path) -> Path:
    out = path.with_suffix(".docx")
    out.write_bytes(render_agreement(load_agreement(path)))
    return out


# ---------------------------------------------------------------------------- obligations on legal persons


def test_obligations_rest_on_the_lead_chief_officer_or_the_lead_commissioner(tmp_path):
    out = _render_path(_agreement(tmp_path))
    text = "\n".join(_texts(out))
    assert not re.search(r"(?<!change of )Lead Force (?:shall|may|provides|reports|delivers)", text)
    assert "the Policing Bodies shall indemnify the Lead Chief Officer in those proportions." in text  # was the Lead Force
    assert "The Lead Commissioner shall hold the budget of the Functions on behalf of the Parties, and the Lead " \
           "Chief Officer shall administer it." in text
    only_bodies = _render_path(_agreement(tmp_path / "pb", provisions=("policing_body",)))
    text = "\n".join(_texts(only_bodies))
    assert "The Lead Commissioner shall deliver the Functions on behalf of both Parties throughout the Police Areas." \
        in text
    assert "Lead Chief Officer" not in text  # no chief officer is a party: none bears an obligation


def test_a_mayor_leads_as_the_lead_policing_body_and_is_no_corporation_sole(tmp_path):
    out = _render_path(_agreement(tmp_path, forces=("greater_manchester", "kent", "essex"), lead="greater_manchester"))
    text = "\n".join(_texts(out))
    assert "“Lead Policing Body” means the Mayor of Greater Manchester" in text
    assert "Lead Commissioner" not in text
    parties = [p.text for p in read_paragraphs(out) if p.style == "Party"]
    assert "the Mayor of Greater Manchester;" in parties  # no "corporation sole"
    assert "the Police and Crime Commissioner for Kent, a corporation sole, of Sutton Road, Maidstone;" in parties


# ---------------------------------------------------------------------------- the parties follow the provisions


def test_a_policing_body_only_agreement_is_made_by_the_policing_bodies(tmp_path):
    out = _render_path(_agreement(tmp_path, provisions=("policing_body",)))
    paras = read_paragraphs(out)
    assert [p.text for p in paras if p.style == "Party"] == [
        "the Police and Crime Commissioner for Kent, a corporation sole, of Sutton Road, Maidstone;",
        "the Police, Fire and Crime Commissioner for Essex, a corporation sole, of Kelvedon Park, Witham."]
    assert [p.text for p in paras if p.text.startswith("Signed by")] == [
        "Signed by the Police and Crime Commissioner for Kent",
        "Signed by the Police, Fire and Crime Commissioner for Essex"]
    recitals = [p.text for p in paras if p.style == "Recital"]
    assert any("Its Parties are the policing bodies responsible for maintaining Kent Police and Essex Police" in r
               for r in recitals)
    assert not any("Each Chief Officer thinks" in r for r in recitals)
    assert _section(out, 9)[0].startswith("This Agreement contains no force collaboration provision.")
    assert _section(out, 17) == ["This Agreement contains no force collaboration provision: no police officer is "
                                 "assigned to the Functions under it, and the deployment of police officers remains a "
                                 "matter for the Chief Officer of each Force."]
    assert _section(out, 19)[0].startswith("No designation under section 38 of the Police Reform Act 2002")
    members = [r for t in docx.Document(str(out)).tables for r in t.rows if r.cells[0].text == "Kent Police"]
    assert members[0].cells[1].text == "the Police and Crime Commissioner for Kent"
    governance = next(t for t in docx.Document(str(out)).tables if t.rows[0].cells[0].text == "Body")
    assert [r.cells[0].text for r in governance.rows[1:]] == ["Summit", "Collaboration Board", "Lead Commissioner"]


def test_policing_body_and_force_provision_makes_the_chief_officers_parties_but_the_lead_body_delivers(tmp_path):
    out = _render_path(_agreement(tmp_path, provisions=("policing_body_and_force",)))
    paras = read_paragraphs(out)
    assert len([p for p in paras if p.style == "Party"]) == 4
    assert _section(out, 6)[0] == ("Kent Police is the Lead Force for the Functions. The Lead Commissioner shall "
                                   "deliver the Functions on behalf of all the Parties throughout the Police Areas.")
    assert _section(out, 9)[0].startswith("This Agreement contains no force collaboration provision.")
    assert "“Lead Chief Officer” means the Chief Constable of Kent Police" in "\n".join(p.text for p in paras)


# ---------------------------------------------------------------------------- governance bodies are data


def test_the_governance_bodies_are_the_agreements_data_with_neutral_defaults(tmp_path):
    neutral = "\n".join(_texts(_render_path(_agreement(tmp_path / "a"))))
    for name in ("Strategic Alliance Summit", "Joint Chief Officer Board"):
        assert name not in neutral
    assert "(the “Collaboration Board”)" in neutral and "(the “Chief Officers’ Board”)" in neutral \
        and "(the “Summit”)" in neutral
    named = _render_path(_agreement(tmp_path / "b", extra="governance: {board: Marine Board, "
                                                          "chief_officers_board: Chief Constables’ Group, "
                                                          "summit: Annual Meeting of the Parties}\n"))
    text = "\n".join(_texts(named))
    assert "The Parties establish a board to oversee the Functions (the “Marine Board”)" in text
    assert "The Chief Officers shall meet as a board (the “Chief Constables’ Group”)" in text
    assert "(the “Annual Meeting of the Parties”) at least once in each Financial Year" in text
    assert "A dispute not resolved by the Marine Board shall be referred to the Annual Meeting of the Parties" in text
    assert "Collaboration Board" not in text and "Summit" not in text


def test_the_example_alliance_names_its_own_bodies(tmp_path):
    out = tmp_path / "jps.docx"
    out.write_bytes(render_agreement(load_agreement(ROOT / "agreements" / "jps.yaml")))
    governance = _section(out, 7)
    assert "(the “Joint Chief Officer Board”)" in governance[1]
    assert "(the “Strategic Alliance Summit”)" in governance[2]
    # two kinds of provision: the recital speaks of them in the plural
    assert any(t.endswith("whose participation section 22A of the Act requires for those provisions.")
               for t in _texts(out))


# ---------------------------------------------------------------------------- number of forces and parties


def test_wording_follows_the_number_of_forces_and_parties(tmp_path):
    two = "\n".join(_texts(_render_path(_agreement(tmp_path / "two", provisions=("policing_body",)))))
    assert "and “Force” means either of them;" in two
    assert "The other Policing Body may raise with the Lead Commissioner" in two
    assert "signed by both Parties, as section 23C of the Act provides" in two
    assert "each other" in two and "each other Party" not in two
    three = "\n".join(_texts(_render_path(_agreement(tmp_path / "three", forces=("kent", "essex", "greater_manchester"),
                                                     provisions=("force",)))))
    assert "and “Force” means any of them;" in three
    assert "Each other Policing Body may raise with the Lead Commissioner" in three
    assert "signed by all the Parties, as section 23C of the Act provides" in three
    assert "whose participation section 22A of the Act requires for that provision." in three
    assert "either" not in three.split("PART B")[0]


# ---------------------------------------------------------------------------- drafting gaps


def test_what_the_yaml_does_not_give_is_left_out_or_marked_and_validate_says_so(tmp_path):
    path = _agreement(tmp_path)
    (tmp_path / "parties.yaml").write_text(PARTIES.replace(', address: "Kelvedon Park, Witham"', ""), encoding="utf-8")
    out = _render_path(path)
    paras = read_paragraphs(out)
    marine = [p for p in paras if p.annex.endswith("Marine Unit")]
    assert "The services in scope of the Function are [to be agreed]." in [p.text for p in marine]
    assert "Service Levels" not in [p.text for p in marine]  # none given: the heading is left out
    assert not any("these service levels" in p.text for p in marine)
    dogs = [p.text for p in paras if p.annex.endswith("Dog Unit")]
    assert "Service Levels" in dogs and any("against these service levels" in t for t in dogs)
    assert any(t.startswith("the Police, Fire and Crime Commissioner for Essex: [address to be agreed]") for t in
               _texts(out))
    issues = {(i.position.line, i.rule): i for i in check_file(path)}
    text = path.read_text(encoding="utf-8").splitlines()
    gaps = [i for i in issues.values() if i.rule == "drafting-gap"]
    assert all(not i.is_error for i in gaps) and len(gaps) == 2
    assert any("[address to be agreed]" in i.message and text[i.position.line - 1].startswith("forces:") for i in gaps)
    assert any("[to be agreed]" in i.message and text[i.position.line - 1].strip() == "specification:" for i in gaps)


# ---------------------------------------------------------------------------- terms and cross-references


def test_each_term_is_defined_once_where_the_reader_expects_it(tmp_path):
    out = _render_path(_agreement(tmp_path))
    text = "\n".join(_texts(out))
    for term in ("Act", "Chief Officers", "Policing Bodies", "Parties", "Collaboration Board"):
        assert len(re.findall(rf"“{term}”", text)) == 1, term


def _insert_section(umbrella: Path, before_key: str, title: str) -> None:
    """Insert a Part A section (a Heading 1 and one Clause) before the section `before_key`, as Word would."""
    document = docx.Document(str(umbrella))
    start = docx.oxml.ns.qn("w:bookmarkStart")
    heading = next(p for p in document.paragraphs
                   if any(b.get(docx.oxml.ns.qn("w:name")) == f"_AB_S_{before_key}" for b in p._p.iter(start)))
    heading.insert_paragraph_before(title, style="Heading 1")
    heading.insert_paragraph_before("The Parties shall co-operate on training.", style="Clause")
    document.save(str(umbrella))


def test_cross_references_follow_a_section_inserted_in_word_in_the_docx_and_the_pdf(tmp_path, run):
    path = _agreement(tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(ROOT / "templates" / "umbrella.docx", templates / "umbrella.docx")
    _insert_section(templates / "umbrella.docx", "commencement", "Training")
    out = _render_path(path)
    paras = read_paragraphs(out)
    by_number = {p.number: p.text for p in paras if p.number}
    assert by_number["4"] == "Training" and by_number["5"] == "Commencement and Duration"
    assert by_number["5.1"].endswith("terminated in accordance with section 31.")  # Withdrawal and Termination, was 30
    assert by_number["37.1"].endswith("subject to section 34.")  # Dispute Resolution, was 33
    assert any(p.text.endswith("in accordance with section 11.") for p in paras if p.part == "B")  # Performance, was 10
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    import subprocess

    from agreement_builder.pdf import convert_to_pdf

    pdf = convert_to_pdf([out], tmp_path / "pdf")[0]
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "terminated in accordance with section 31." in text
    assert "subject to section 34." in text


# ---------------------------------------------------------------------------- money


def _tables(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in r.cells] for r in t.rows] for t in docx.Document(str(path)).tables]


def test_a_business_area_without_a_specification_shows_the_money_it_is_counted_with(tmp_path):
    path = _agreement(tmp_path)
    out = _render_path(path)
    paras = read_paragraphs(out)
    review_page = [p.text for p in paras if p.annex.endswith("Command Review")]
    assert "No service specification has yet been agreed for this business area." in review_page
    assert "The annual budget of the Function is £90,000.00. It is held by the Lead Commissioner and administered " \
           "in accordance with section 12." in review_page
    total = next(p.text for p in paras if p.number == "12.1")
    assert "The total annual budget of the Functions set out in Part B is £1,390,000.00." in total
    shown = [Decimal(m.replace(",", "")) for p in paras if p.part == "B"
             for m in re.findall(r"annual budget of the Function is £([\d,]+\.\d\d)\.", p.text)]
    assert sorted(shown) == [Decimal("90000.00"), Decimal("300000.00"), Decimal("1000000.00")]  # each annex, once
    assert sum(shown) == Decimal("1390000.00")  # all that 12.1 counts
    notices = render_decision_notices(load_agreement(path), SummitInfo(name="Summit", date=dt.date(2027, 3, 15)))
    kent = docx.Document(io.BytesIO(notices["kent"]))
    rows = [[c.text for c in r.cells] for t in kent.tables for r in t.rows]
    assert any(r[0] == "Command Review" for r in rows)  # the decision notice and Part B agree


def test_shares_shown_once_pounds_in_the_cells_and_contributions_that_follow_the_exact_shares(tmp_path):
    out = _render_path(_agreement(tmp_path, forces=("kent", "essex", "greater_manchester")))
    paras = read_paragraphs(out)
    tables = _tables(out)
    # the fixed shares are printed once, in the table of shares and Contributions
    assert sum(1 for t in tables if any(r[1:2] == ["20.00%"] for r in t)) == 1
    nre = next(t for t in tables if t[0][1].startswith("Net Revenue Expenditure"))
    assert nre[0] == ["Force", "Net Revenue Expenditure"] and nre[1][1].startswith("£")
    marine = [p.text for p in paras if p.annex.endswith("Marine Unit")]
    # a third of £1,000,000 each: 33.34% is shown, but each pays the exact third, to the penny
    shares = next(t for t in tables if t[0] == ["Force", "Share", "Annual Contribution"] and t[1][1] == "33.34%")
    assert [r[2] for r in shares[1:4]] == ["£333,333.34", "£333,333.33", "£333,333.33"]
    assert any("follows the exact share" in t for t in marine)
    dog_text = [p.text for p in paras if p.annex.endswith("Dog Unit")]
    assert "The agreed shares and the resulting annual Contributions are:" in dog_text
    assert not any("exact share" in t for t in dog_text)  # 20/30/50 of £300,000 is exact: nothing to explain


def test_a_first_financial_year_that_starts_part_way_is_paid_pro_rata(tmp_path):
    out = _render_path(_agreement(tmp_path, commencement="2027-08-01"))
    days = (dt.date(2028, 3, 31) - dt.date(2027, 8, 1)).days + 1
    year = (dt.date(2028, 3, 31) - dt.date(2027, 4, 1)).days + 1
    clause = next(t for t in _section(out, 12) if "pro rata" in t)
    assert f"to 31 March 2028 inclusive ({days}) and divided by the number of days in that Financial Year ({year})" \
        in clause
    assert (days, year) == (244, 366)
    april = _render_path(_agreement(tmp_path / "april"))
    assert not any("pro rata" in t for t in _section(april, 12))


# ---------------------------------------------------------------------------- smaller ones


def test_notices_by_email_only_where_an_address_is_given(tmp_path):
    some = _section(_render_path(_agreement(tmp_path)), 35)
    assert some[0].startswith("A notice under this Agreement shall be in writing and delivered by hand, by first "
                              "class post or, where an email address is given below, by email")
    assert "the Police and Crime Commissioner for Kent: Sutton Road, Maidstone, email notices@kent.example.org;" in some
    (tmp_path / "none").mkdir()
    path = _agreement(tmp_path / "none")
    (tmp_path / "none" / "parties.yaml").write_text(PARTIES.replace(", email: notices@kent.example.org", ""),
                                                     encoding="utf-8")
    none = _section(_render_path(path), 35)
    assert not any("email" in t for t in none)


def test_a_title_that_begins_with_the_is_not_doubled(tmp_path):
    path = _agreement(tmp_path, title="The Regional Marine Unit")
    notices = render_decision_notices(load_agreement(path), SummitInfo(name="The Kent Summit", date=dt.date(2027, 3, 1)))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(notices["essex"])).paragraphs)
    assert "to enter into the Regional Marine Unit collaboration agreement" in text
    assert "signs it at the Kent Summit on 1 March 2027" in text
    assert not re.search(r"\b[Tt]he [Tt]he\b", text + "\n".join(_texts(_render_path(path))))


def test_decision_notices_speak_of_the_parties_the_agreement_has(tmp_path):
    path = _agreement(tmp_path, provisions=("policing_body",))
    notices = render_decision_notices(load_agreement(path), SummitInfo(name="Summit", date=dt.date(2027, 3, 1)))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(notices["kent"])).paragraphs)
    assert "with the other policing bodies of Kent and Essex." in text
    assert "delivers the functions in scope for both forces" in text
    assert "chief officers" not in text.split("Background")[0]
