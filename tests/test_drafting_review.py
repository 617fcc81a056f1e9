"""The test-side drafting reviewer flags each class of fault, and passes good drafting."""

from tests.drafting_review import CHECKS, Facts, Para

FACTS = Facts(forces=["Kent Police", "Essex Police"], areas=["Kent", "Essex"],
              chief_officers=["Chief Constable of Kent Police", "Chief Constable of Essex Police"],
              policing_bodies=["Police and Crime Commissioner for Kent", "Police, Fire and Crime Commissioner for Essex"],
              lead_force="Kent Police", provisions=["policing_body"], alliance="Kent and Essex Collaboration",
              functions=["Marine Unit"], commencement_month_day=(4, 1), other_names=["Surrey Police"])


def _kinds(*texts: str, style: str = "Clause", part: str = "A") -> list[str]:
    paras = [Para(i, style, t, f"1.{i + 1}" if part == "A" and style == "Clause" else "", part, "") for i, t in enumerate(texts)]
    return sorted({f.kind for check in CHECKS for f in check(paras, FACTS)})


def test_good_drafting_passes():
    assert _kinds("The Lead Chief Officer shall deliver the Functions on behalf of the Parties.",
                  "The Policing Bodies shall indemnify the Lead Commissioner in the proportions of their Contributions.",
                  "“Forces” means Kent Police and Essex Police, and “Force” means either of them;") == []


def test_each_fault_is_flagged():
    assert _kinds("The Lead Force shall keep a register of designations.") == ["force-obligation"]
    assert _kinds("The Policing Bodies shall indemnify the Lead Force in those proportions.") == ["force-obligation"]
    assert _kinds("Kent Police, as Lead Force, delivers the Function.") == ["force-obligation"]
    assert _kinds("Disputes go to the Strategic Alliance Summit.") == ["foreign-name", "undefined-body"]
    assert _kinds("Surrey Police may attend.") == ["foreign-name"]
    assert _kinds("“Act” means the Police Act 1996;", "“Act” means the Police Act 1996;") == ["defined-twice"]
    assert _kinds("in accordance with the Dispute Resolution provisions.") == ["xref-in-words"]
    assert _kinds("as clause 12.3 provides.") == ["xref-dangling"]
    assert _kinds("as section 23 of the Act permits.") == []
    assert _kinds("Each other Chief Officer shall co-operate.") == ["number-blind"]
    assert _kinds("for the three forces.") == ["number-blind"]
    assert _kinds("This Agreement is made for the The Marine Unit.") == ["the-the"]
    assert _kinds("each force's demand") == ["apostrophe", "lower-case-term"]
    assert _kinds("Signed by the Chief Constable of Kent Police", style="Body Text", part="execution") == ["provisions"]
