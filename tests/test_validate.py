"""Bad inputs: each exits 1 with the right FILE:LINE:COL, a clear message and no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agreement_builder.validate import check_file, load_agreement

from .conftest import replace_once

JPS = (Path(__file__).resolve().parent.parent / "agreements" / "jps.yaml").read_text()

# (id, old text, new text, marker where the error must point (its first character), words of the message)
CASES = [
    ("misspelt key", "lead_force: bedfordshire", "lead_forse: bedfordshire", "lead_forse", "did you mean `lead_force`"),
    ("lead force not a party", "lead_force: bedfordshire", "lead_force: essex", "essex", "not one of the agreement's forces"),
    ("unknown force", "forces: [bedfordshire, cambridgeshire,", "forces: [bedfordshire, cambrigeshire,", "cambrigeshire", "did you mean `cambridgeshire`"),
    ("one policing body", "forces: [bedfordshire, cambridgeshire, hertfordshire]", "forces: [bedfordshire]", "[bedfordshire]", "at least two policing bodies"),
    ("force twice", "forces: [bedfordshire, cambridgeshire, hertfordshire]", "forces: [bedfordshire, cambridgeshire, hertfordshire, cambridgeshire]", "cambridgeshire]", "listed twice"),
    ("fixed shares not 100", 'hertfordshire: "40.30"', 'hertfordshire: "40.20"', "shares:", "99.90%"),
    ("weights not 100", "weights: {nre: 50, demand: 50}", "weights: {nre: 50, demand: 40}", "weights: {nre: 50, demand: 40}", "weights sum to 90"),
    ("unknown provision", "provisions: [force, policing_body_and_force]", "provisions: [forces, policing_body_and_force]", "forces, policing", "did you mean `force`"),
    ("no provision", "provisions: [force, policing_body_and_force]", "provisions: []", "[]", "no s22A(2) provision"),
    ("unknown clause section", "  accountability:\n", "  acountability:\n", "acountability", "did you mean `accountability`"),
    ("review before commencement", "review: 2019-07-31", "review: 2015-07-31", "2015-07-31", "not after commencement"),
    ("impossible date", "commencement: 2016-08-01", "commencement: 2016-02-30", "2016-02-30", "`agreement.commencement`: 2016-02-30 is not a date"),
    ("money with symbols", 'budget: "2100000"', 'budget: "£2,100,000"', '"£2,100,000"', "not a number"),
    ("demand missing for a force", "demand: {bedfordshire: 3120, cambridgeshire: 2890, hertfordshire: 4410}",
     "demand: {bedfordshire: 3120, cambridgeshire: 2890}", "demand: {bedfordshire: 3120, cambridgeshire: 2890}", "missing for `hertfordshire`"),
    ("negative demand", "demand: {bedfordshire: 3120, cambridgeshire: 2890, hertfordshire: 4410}",
     "demand: {bedfordshire: -3120, cambridgeshire: 2890, hertfordshire: 4410}", "-3120", "negative"),
    ("all-zero demand", "demand: {bedfordshire: 38, cambridgeshire: 31, hertfordshire: 44}",
     "demand: {bedfordshire: 0, cambridgeshire: 0, hertfordshire: 0}", "demand: {bedfordshire: 0", "zero for every force"),
    ("capital id", "id: dogs", "id: Dogs", "Dogs", "not a valid id"),
    ("path traversal id", "id: dogs", "id: ../../etc/passwd", "../../etc/passwd", "not a valid id"),
    ("unknown status", "status: draft", "status: drafty", "drafty", "did you mean `draft`"),
    ("duplicate function id", "id: major_crime", "id: dogs", "dogs\n    name: Major", "used twice"),
    ("no specification without reason", "  - id: ops_planning\n", "  - id: doa\n    name: Delegation\n    specification: none\n  - id: ops_planning\n", "none\n", "no `reason`"),
    ("zero budget", 'budget: "640000.00"', 'budget: "0"', '"0"', "more than £0"),
    ("fraction of a penny", 'budget: "640000.00"', 'budget: "640000.001"', '"640000.001"', "fractions of a penny"),
    ("input the formula does not use", "apportionment: {formula: equal}", "apportionment: {formula: equal, demand: {bedfordshire: 1, cambridgeshire: 1, hertfordshire: 1}}", "demand: {bedfordshire: 1, ", "does not use it"),
    ("formula needs weights", "      weights: {nre: 50, demand: 50}\n", "", "apportionment:\n      formula: nre_and_demand\n      demand: {bedfordshire: 3120", "needs `weights`"),
    ("misspelt specification field", "purpose: To plan", "purpos: To plan", "purpos:", "did you mean `purpose`"),
    ("duplicate key", "lead_force: bedfordshire\n", "lead_force: bedfordshire\nlead_force: hertfordshire\n", "lead_force: hertfordshire", "duplicate key"),
    ("tab indentation", "  title: Joint Protective Services\n", "\ttitle: Joint Protective Services\n", "\ttitle", "tab"),
    ("missing required key", "  reference: BCH-S22A-JPS\n", "", "agreement:", "`reference` is missing"),
    ("previous does not exist", "previous: jps-2013.yaml", "previous: jps-2012.yaml", "jps-2012.yaml", "does not exist"),
    ("list where a mapping belongs", "finance:\n  net_revenue_expenditure:", "finance:\n  net_revenue_expendture:", "net_revenue_expendture", "did you mean `net_revenue_expenditure`"),
    ("text where a list belongs", "forces: [bedfordshire, cambridgeshire, hertfordshire]", "forces: bedfordshire", "bedfordshire\n", "should be a list"),
    ("clause id twice", "    - id: underwriter\n", "    - id: lead_commissioner\n", "lead_commissioner\n      text: >-\n        The Parties", "used twice"),
    ("governance name with its article", "summit: Strategic Alliance Summit", "summit: The Strategic Alliance Summit",
     "The Strategic Alliance Summit", "without “The”"),
    ("unknown governance body", "  summit: Strategic Alliance Summit\n", "  sumit: Strategic Alliance Summit\n", "sumit",
     "did you mean `summit`"),
    ("no specification with a budget but no apportionment", "  - id: ops_planning\n",
     "  - id: doa\n    name: Delegation\n    specification: none\n    reason: Later.\n    budget: \"100.00\"\n"
     "  - id: ops_planning\n", '"100.00"\n  - id: ops', "shared by nobody"),
    ("no specification with an apportionment but no budget", "  - id: ops_planning\n",
     "  - id: doa\n    name: Delegation\n    specification: none\n    reason: Later.\n    apportionment: {formula: equal}\n"
     "  - id: ops_planning\n", "apportionment: {formula: equal}\n  - id: ops", "nothing to apportion"),
]


def position_of(text: str, marker: str) -> tuple[int, int]:
    index = text.index(marker)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def test_there_are_at_least_twenty_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("name,old,new,marker,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_1_at_the_right_place(workspace, run, name, old, new, marker, words):
    text = replace_once(JPS, old, new)
    path = workspace / "agreements" / "bad.yaml"
    path.write_text(text)
    result = run("validate", path, cwd=workspace)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line, column = position_of(text, marker)
    expected = f"agreements/bad.yaml:{line}:{column}: error: "
    matching = [l for l in result.output.splitlines() if l.startswith(expected)]
    assert matching, f"expected {expected!r} in:\n{result.output}"
    assert any(words in l for l in matching) or words in result.output, result.output
    # every error line has the FILE:LINE:COL: severity: form and a rule id
    for l in result.output.splitlines():
        if ": error: " in l:
            assert re.match(r"^agreements/bad\.yaml:\d+:\d+: error: .+ \[[a-z0-9-]+\]$", l), l


def test_examples_validate(run, workspace):
    result = run("validate", "agreements/jps.yaml", "agreements/psd.yaml", "agreements/jps-2013.yaml",
                 "summit.yaml", "parties.yaml", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "agreements/jps.yaml: ok" in result.output


def test_final_agreement_warnings_do_not_fail(workspace):
    issues = check_file(workspace / "agreements" / "jps-2013.yaml")
    assert issues and all(not i.is_error for i in issues)
    assert any("office holders" in i.message for i in issues)


def test_all_errors_are_reported_together_sorted(workspace, run):
    text = JPS.replace("status: draft", "status: drafty").replace('hertfordshire: "40.30"', 'hertfordshire: "40.20"')
    path = workspace / "agreements" / "two.yaml"
    path.write_text(text)
    # shape errors stop before semantic checks; two shape errors come together
    text2 = JPS.replace("status: draft", "status: drafty").replace("lead_force:", "lead_forse:")
    path.write_text(text2)
    result = run("validate", path, cwd=workspace)
    lines = [l for l in result.output.splitlines() if ": error: " in l]
    assert len(lines) == 2
    assert [int(l.split(":")[1]) for l in lines] == sorted(int(l.split(":")[1]) for l in lines)


def test_parties_file_errors(workspace, run):
    parties = workspace / "parties.yaml"
    parties.write_text(parties.read_text().replace("    name: Bedfordshire Police\n", "    nam: Bedfordshire Police\n"))
    result = run("validate", "parties.yaml", cwd=workspace)
    assert result.exit_code == 1
    assert re.search(r"parties\.yaml:\d+:5: error: unknown key `nam`", result.output)


def test_summit_with_missing_agreement(workspace, run):
    summit = workspace / "summit.yaml"
    summit.write_text(summit.read_text().replace("agreements/psd.yaml", "agreements/pds.yaml"))
    result = run("validate", "summit.yaml", cwd=workspace)
    assert result.exit_code == 1
    assert "summit.yaml:8:5: error: the agreement file `agreements/pds.yaml` does not exist" in result.output


def test_summit_file_given_as_agreement(workspace):
    from agreement_builder.errors import InputError
    with pytest.raises(InputError, match="summit file, not an agreement"):
        load_agreement(workspace / "summit.yaml")


def test_no_parties_file(tmp_path, run):
    (tmp_path / "a.yaml").write_text(JPS.replace("previous: jps-2013.yaml\n", ""))
    result = run("validate", "a.yaml", cwd=tmp_path)
    assert result.exit_code == 1 and "no parties.yaml found" in result.output


def test_usage_error_exits_2(run):
    assert run("validate").exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_schema_is_json_schema_with_descriptions(run):
    import json
    schema = json.loads(run("schema").output)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["properties"]["lead_force"]["description"]
    assert schema["$defs"]["Function"]["additionalProperties"] is False
    parties = json.loads(run("schema", "--kind", "parties").output)
    assert "forces" in parties["properties"]
    # the keys issue 13 added: the governance bodies' names, a notices email
    assert set(schema["$defs"]["Governance"]["properties"]) == {"board", "chief_officers_board", "summit"}
    assert schema["$defs"]["Governance"]["additionalProperties"] is False
    email = parties["$defs"]["PolicingBody"]["properties"]["email"]["anyOf"][0]
    assert email["pattern"] and email["type"] == "string"


def test_a_clause_that_repeats_the_standard_wording_of_its_section_is_a_warning(run, workspace):
    """The example's 8.5 says again what 8.2 says: validate points at the clause, naming 8.2."""
    result = run("validate", "agreements/jps.yaml", cwd=workspace)
    assert result.exit_code == 0, result.output
    line, column = position_of(JPS, ">-\n        The Lead Commissioner shall hold")
    assert (f"agreements/jps.yaml:{line}:{column}: warning: this clause repeats clause 8.2 of the standard wording "
            "of its section (“The Lead Commissioner shall hold the Lead Chief Officer to account for …”) "
            "[duplicate-clause]") in result.output
    # a clause that adds to its section is not flagged
    path = workspace / "agreements" / "jps.yaml"
    path.write_text(JPS.replace("The Lead Commissioner shall hold the Chief Constable of the Lead Force to account for\n"
                                "        the delivery of Joint Protective Services in all the policing areas under this\n"
                                "        Agreement, in accordance with the Home Office Statutory Guidance for Police\n"
                                "        Collaboration (October 2012).",
                                "The Lead Commissioner shall publish an annual report on the collaboration."))
    assert "duplicate-clause" not in run("validate", "agreements/jps.yaml", cwd=workspace).output


def test_a_chief_officers_board_in_a_policing_body_only_agreement_is_a_warning(workspace):
    path = workspace / "agreements" / "pb.yaml"
    path.write_text(JPS.replace("provisions: [force, policing_body_and_force]", "provisions: [policing_body]"))
    issues = [i for i in check_file(path) if i.rule == "governance"]
    assert len(issues) == 1 and not issues[0].is_error
    assert (issues[0].position.line, issues[0].position.column) == position_of(path.read_text(), "Joint Chief Officer Board")
    assert "not printed" in issues[0].message


def test_a_notices_email_that_is_no_address_is_refused_at_its_place(run, workspace):
    parties = workspace / "parties.yaml"
    text = parties.read_text().replace("      address: Hinchingbrooke Park, Huntingdon PE29 6NP\n",
                                       "      address: Hinchingbrooke Park, Huntingdon PE29 6NP\n      email: PCC office\n")
    parties.write_text(text)
    result = run("validate", "parties.yaml", cwd=workspace)
    assert result.exit_code == 1
    line, column = position_of(text, "PCC office")
    assert f"parties.yaml:{line}:{column}: error: `PCC office` is not an email address [format]" in result.output


def test_a_gap_the_yaml_marks_itself_is_a_warning_at_its_place(workspace):
    path = workspace / "agreements" / "gap.yaml"
    text = JPS.replace("        - Event and operation planning\n", "        - \"[to be agreed]\"\n")
    path.write_text(text)
    gaps = [i for i in check_file(path) if i.rule == "drafting-gap"]
    assert len(gaps) == 1 and not gaps[0].is_error
    assert (gaps[0].position.line, gaps[0].position.column) == position_of(text, '"[to be agreed]"')
    assert gaps[0].message == "`services` is marked [to be agreed]: a drafting gap"


def test_summit_warns_of_an_agreement_dated_before_it(workspace, run):
    """A 2016 summit listing the agreement signed in December 2013: warned at the summit's entry for it."""
    summit = workspace / "summit.yaml"
    text = summit.read_text()
    summit.write_text(text.replace("agreements/psd.yaml", "agreements/jps-2013.yaml"))
    line = next(n for n, l in enumerate(summit.read_text().splitlines(), start=1) if "jps-2013.yaml" in l)
    result = run("validate", "summit.yaml", cwd=workspace)
    assert result.exit_code == 0, result.output
    found = [l for l in result.output.splitlines() if "[signing-date]" in l]
    assert found == [f"summit.yaml:{line}:5: warning: the summit on 19 July 2016 is for signing "
                     "`agreements/jps-2013.yaml`, a final agreement already dated 12 December 2013 [signing-date]"]


def test_summit_dated_on_or_before_its_agreements_does_not_warn(workspace, run):
    result = run("validate", "summit.yaml", cwd=workspace)
    assert "signing-date" not in result.output
    summit = workspace / "summit.yaml"
    summit.write_text(summit.read_text().replace("date: 2016-07-19", "date: 2016-07-20"))
    result = run("validate", "summit.yaml", cwd=workspace)
    assert result.output.count("[signing-date]") == 2  # jps.yaml and psd.yaml are dated the 19th


def test_final_agreement_without_date_warns(workspace, run):
    path = workspace / "agreements" / "jps-2013.yaml"
    path.write_text(path.read_text().replace("  date: 2013-12-12\n", ""))
    result = run("validate", "agreements/jps-2013.yaml", cwd=workspace)
    assert result.exit_code == 0
    assert "warning: a final agreement has no `date` [final]" in result.output
