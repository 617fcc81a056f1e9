"""The test-side drafting reviewer flags each class of fault, and passes good drafting."""

from dataclasses import replace

from tests.drafting_review import CHECKS, Facts, Para, money

FACTS = Facts(forces=["Kent Police", "Essex Police"], areas=["Kent", "Essex"],
              chief_officers=["Chief Constable of Kent Police", "Chief Constable of Essex Police"],
              policing_bodies=["Police and Crime Commissioner for Kent", "Police, Fire and Crime Commissioner for Essex"],
              lead_force="Kent Police", provisions=["policing_body"], alliance="Kent and Essex Collaboration",
              functions=["Marine Unit"], commencement_month_day=(4, 1), other_names=["Surrey Police"])
FORCE = replace(FACTS, provisions=["force"])  # four parties: both chief officers and both policing bodies
THREE = replace(FORCE, forces=["Kent Police", "Essex Police", "Sussex Police"], areas=["Kent", "Essex", "Sussex"],
                chief_officers=[*FORCE.chief_officers, "Chief Constable of Sussex Police"],
                policing_bodies=[*FORCE.policing_bodies, "Police and Crime Commissioner for Sussex"])

#: The definitions the operative text below relies on, as 1.1 gives them.
DEFINITIONS = [
    "Each of them is a “Party” and together they are the “Parties”.",
    "“Chief Officers” means the chief officers of police of the Forces, “Chief Officer” means either of them, and "
    "“Lead Chief Officer” means the Chief Constable of Kent Police;",
    "“Forces” means Kent Police and Essex Police, and “Force” means either of them;",
    "“Functions” means the business areas described in Part B, and “Function” means that business area;",
    "“Lead Force” means Kent Police, and “Lead Commissioner” means the Police and Crime Commissioner for Kent;",
    "“Policing Bodies” means the policing bodies responsible for maintaining the Forces;",
    "“Contribution” means the annual sum payable by a Policing Body;",
]


def _paras(*texts: str, style: str = "Clause", part: str = "A", facts: Facts = FACTS) -> list[Para]:
    either = "either of them" if len(facts.forces) == 2 else "any of them"
    front = [Para(i, "Body Text", t.replace("either of them", either), "", "front", "")
             for i, t in enumerate(DEFINITIONS)]
    return front + [Para(len(front) + i, style, t, f"1.{i + 1}" if part == "A" and style == "Clause" else "", part, "")
                    for i, t in enumerate(texts)]


def _kinds(*texts: str, style: str = "Clause", part: str = "A", facts: Facts = FACTS) -> list[str]:
    paras = _paras(*texts, style=style, part=part, facts=facts)
    return sorted({f.kind for check in CHECKS for f in check(paras, facts)})


def test_good_drafting_passes():
    assert _kinds("The Lead Chief Officer shall deliver the Functions on behalf of the Parties.",
                  "The Policing Bodies shall indemnify the Lead Commissioner in the proportions of their Contributions.",
                  "The other Party shall co-operate with the Lead Commissioner.",
                  facts=replace(FACTS, provisions=["policing_body"])) == ["non-party"]  # not a party here ...
    assert _kinds("The Lead Chief Officer shall deliver the Functions on behalf of the Parties.",
                  "The Policing Bodies shall indemnify the Lead Commissioner in the proportions of their Contributions.",
                  "Each other Party shall co-operate with the Lead Chief Officer.",
                  "This Agreement ends when fewer than two Policing Bodies remain Parties to it.",
                  facts=FORCE) == []  # ... but a party with force collaboration provision
    assert _kinds("This Agreement contains policing body collaboration provision, and no force collaboration "
                  "provision.", part="front") == []


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
    assert _kinds("Each other Chief Officer shall co-operate.", facts=FORCE) == ["number-blind"]
    assert _kinds("for the three forces.") == ["number-blind"]
    assert _kinds("This Agreement is made for the The Marine Unit.") == ["the-the"]
    assert _kinds("each force's demand") == ["apostrophe", "lower-case-term"]
    assert _kinds("Signed by the Chief Constable of Kent Police", style="Body Text", part="execution") == ["provisions"]


def test_number_blind_wording_counts_forces_and_parties():
    # two forces, four parties (force collaboration provision): "each other Party" is right, "the other Party" wrong
    assert _kinds("Each other Party shall co-operate with the Lead Chief Officer.", facts=FORCE) == []
    assert _kinds("The other Party shall co-operate with the Lead Chief Officer.", facts=FORCE) == ["number-blind"]
    # two parties (policing bodies only)
    assert _kinds("Each other Party shall co-operate.") == ["number-blind"]
    assert _kinds("with the agreement of all the Parties.") == ["number-blind"]
    # three forces
    assert _kinds("“Police Areas” means Kent, Essex and Sussex, and “Police Area” means either of them;",
                  facts=THREE) == ["number-blind"]
    assert _kinds("The other Policing Body may raise any matter.", facts=THREE) == ["number-blind"]
    assert _kinds("by agreement of both Policing Bodies.", facts=THREE) == ["number-blind"]
    assert _kinds("unless fewer than two Policing Bodies remain.", facts=THREE) == []  # the statute's two


def test_obligations_on_persons_who_are_not_parties():
    assert _kinds("The Lead Chief Officer shall report to the Board.") == ["non-party"]
    assert _kinds("The Chief Officers are joint controllers of personal data.") == ["non-party"]
    assert _kinds("Each Chief Officer shall have regard to the plan.") == ["non-party"]
    assert _kinds("Police officers are under the direction and control of the Lead Chief Officer.") == ["provisions"]
    assert _kinds("This Agreement contains force collaboration provision.", part="front") == ["provisions"]


def test_terms_used_but_not_defined_and_misnamed_holders():
    assert _kinds("The Lead Policing Body shall hold the budget.") == ["undefined-term"]
    assert _kinds("The Service Specification prevails.") == ["undefined-term"]
    mayor = replace(FORCE, policing_bodies=["Mayor of Kent", FORCE.policing_bodies[1]])
    assert _kinds("The Lead Commissioner shall hold the budget.", facts=mayor) == ["misnomer"]
    council = replace(FORCE, policing_bodies=["Common Council of the City of London", FORCE.policing_bodies[1]])
    assert _kinds("the Common Council of the City of London, a corporation sole;", style="Party", part="front",
                  facts=council) == ["misnomer"]


def test_the_yaml_text_is_printed_as_written_and_not_judged_as_the_product_wording():
    text = "To report the department's performance to the force."
    assert _kinds(text) == ["apostrophe", "lower-case-term"]
    assert _kinds(text, facts=replace(FACTS, user_texts=[text])) == []


def test_cross_references_are_fields_that_read_the_section_number():
    heading = Para(0, "Heading 1", "Withdrawal and Termination", "30", "A", "", bookmarks=("_AB_S_termination",))
    good = Para(1, "Clause", "terminated in accordance with section 30.", "4.1", "A", "",
                fields=(("REF _AB_S_termination \\r \\h", "30"),))
    stale = replace(good, fields=(("REF _AB_S_termination \\r \\h", "29"),), text="in accordance with section 29.")
    typed = replace(good, fields=())
    check = next(c for c in CHECKS if c.__name__ == "section_fields")
    assert check([heading, good], FACTS) == []
    assert [f.kind for f in check([heading, stale], FACTS)] == ["xref-field"]
    assert [f.kind for f in check([heading, typed], FACTS)] == ["xref-typed"]
    statute = replace(typed, text="as section 23 of the Act permits, and sections 22B and 22C of the Act require.")
    assert check([heading, statute], FACTS) == []


def _annex(*texts: str) -> list[Para]:
    return [Para(i, "Annex Clause", t, "", "B", "Service Specification 1: Marine Unit") for i, t in enumerate(texts)]


def test_money_the_total_budget_is_shown_in_part_b_once_and_adds_up():
    total = Para(0, "Clause", "The total annual budget of the Functions set out in Part B is £300.00.", "12.1", "A", "")
    shown = _annex("The annual budget of the Function is £200.00.")
    assert [f.kind for f in money([total, *shown], FACTS)] == ["money"]  # £100 of the total is nowhere in Part B
    assert money([total, *_annex("The annual budget of the Function is £300.00.")], FACTS) == []

    annex = "Service Specification 1: Marine Unit"
    shares = ["Force", "Share", "Annual Contribution"]
    exact = [shares, ["Kent Police", "50.00%", "£150.00"], ["Essex Police", "50.00%", "£150.00"],
             ["Total", "100.00%", "£300.00"]]
    assert money(_annex(), FACTS, [(annex, exact)]) == []
    agreed = [["Force", "Agreed share"], ["Kent Police", "50.00%"], ["Essex Police", "50.00%"], ["Total", "100.00%"]]
    assert [f.why for f in money(_annex(), FACTS, [(annex, agreed), (annex, exact)])] == [
        "the same figures are printed twice"]
    pounds = [["Force", "Net Revenue Expenditure (£)"], ["Kent Police", "£1.00"], ["Total", "£1.00"]]
    assert "“(£)” in the header" in money(_annex(), FACTS, [(annex, pounds)])[0].why
    thirds = [shares, ["Kent Police", "33.34%", "£33.33"], ["Essex Police", "33.33%", "£33.33"],
              ["Sussex Police", "33.33%", "£33.34"], ["Total", "100.00%", "£100.00"]]
    assert "follow the exact shares" in money(_annex(), FACTS, [(annex, thirds)])[0].why
    assert money(_annex("Each Contribution is the budget multiplied by the exact share."), FACTS, [(annex, thirds)]) == []


def test_a_part_first_year_must_be_paid_pro_rata():
    check = next(c for c in CHECKS if c.__name__ == "pro_rata")
    august = replace(FACTS, commencement_month_day=(8, 1))
    assert [f.kind for f in check(_paras("Contributions are paid quarterly."), august)] == ["pro-rata"]
    assert check(_paras("each Contribution is payable pro rata"), august) == []
    assert check(_paras("Contributions are paid quarterly."), FACTS) == []
