"""Issue 13: drafting a lawyer can send, for any alliance (the shipped templates' wording).

Run from the repository root (idempotent: a second run changes nothing):

    python tools/template_edits/issue13.py              # edit the shipped templates
    python tools/template_edits/issue13.py --check      # exit 1 if a template does not read as below
    python tools/template_edits/issue13.py --root DIR   # the templates/ and annexes/ of DIR instead

What it states, stretch by stretch: every obligation rests on a legal person (the Lead Chief
Officer, the Lead Commissioner or Lead Policing Body, the Parties, each Policing Body), never
on a force; the governance bodies are the agreement's data; the parties, recitals, definitions,
the officer and staff sections and execution follow the provisions made (s22A); words that
depend on the number of forces and parties come from the context (`words.*`); each term is
defined once; cross-references are REF fields to the sections' bookmarks (`[[key]]`);
what the YAML does not give is left out or marked [to be agreed]; the money wording says that
Contributions follow the exact shares and how a part first year is paid.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reconcile import EditError, P, Table, Template  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def C(markup: str) -> P:
    return P("Clause", markup)


def I(markup: str) -> P:  # noqa: E743 - a clause item, as the templates call it
    return P("Clause Item", markup)


def B(markup: str) -> P:
    return P("Body Text", markup)


def T(markup: str) -> P:
    return P(None, markup)


def R(markup: str) -> P:
    return P("Recital", markup)


def H(markup: str) -> P:
    return P("Unnumbered Heading", markup)


def AC(markup: str) -> P:
    return P("Annex Clause", markup)


def AH(markup: str) -> P:
    return P("Annex Heading", markup)


# ============================================================================ the umbrella: front matter

PARTIES = [
    B("**This Agreement** is dated {{ agreement.date }} and is made between:"),
    T("{%p for p in parties %}"),
    P("Party", "the **{{ p.title }}**{{ p.legal_form }}{% if p.address %}, of {{ p.address }}{% endif %}"
               "{% if loop.last %}.{% else %};{% endif %}"),
    T("{%p endfor %}"),
    B("Each of them is a **“Party”** and together they are the **“Parties”**."),
]

RECITALS = [
    B("**Whereas:**"),
    R("Section 22A of the Police Act 1996 (the **“Act”**) enables two or more policing bodies, alone or together "
      "with the chief officers of police of one or more police forces, to make a collaboration agreement containing "
      "force collaboration provision, policing body collaboration provision or policing body and force collaboration "
      "provision."),
    T("{%p if chief_officers_are_parties %}"),
    R("This Agreement contains {{ provisions.text }} within the meaning of section 22A(2) of the Act. Its Parties are "
      "the chief officer of police of each of {{ force_names }} and the policing body responsible for maintaining "
      "each of those forces, being the persons whose participation section 22A of the Act requires for "
      "{{ provisions.that }}."),
    T("{%p else %}"),
    R("This Agreement contains {{ provisions.text }} within the meaning of section 22A(2) of the Act, and no force "
      "collaboration provision. Its Parties are the policing bodies responsible for maintaining {{ force_names }}; "
      "section 22A(1) of the Act allows policing bodies to make such an agreement without the chief officers of "
      "police."),
    T("{%p endif %}"),
    T("{%p if provisions.force %}"),
    R("The force collaboration provision of this Agreement concerns the discharge of functions by members of the "
      "Forces: their joint discharge of functions, their discharge of functions in {{ words.one_anothers_police_areas }}, "
      "and their direction and control by the Lead Chief Officer, as section 23 of the Act permits."),
    T("{%p endif %}"),
    T("{%p if provisions.policing_body %}"),
    R("The policing body collaboration provision of this Agreement concerns support by each Policing Body for "
      "{{ words.the_other_policing_bodies }}, as section 23A of the Act permits."),
    T("{%p endif %}"),
    T("{%p if provisions.policing_body_and_force %}"),
    R("The policing body and force collaboration provision of this Agreement concerns support, including the "
      "provision of premises, equipment, staff, services and facilities, by each Policing Body for "
      "{{ words.forces_of_the_other_policing_bodies }}, as section 23A of the Act permits."),
    T("{%p endif %}"),
    T("{%p if chief_officers_are_parties %}"),
    R("Each Chief Officer thinks that this Agreement is in the interests of the efficiency or effectiveness of one or "
      "more police forces, and each Policing Body thinks that it is in the interests of the efficiency or "
      "effectiveness of one or more policing bodies or police forces, having considered the existing collaboration "
      "agreements of the Forces, the desirability of a consistent approach and the opportunities available to them."),
    T("{%p else %}"),
    R("Each Policing Body thinks that this Agreement is in the interests of the efficiency or effectiveness of one or "
      "more policing bodies or police forces, having considered the existing collaboration agreements of the Forces, "
      "the desirability of a consistent approach and the opportunities available to them."),
    T("{%p endif %}"),
    R("Sections 22B and 22C of the Act require chief officers and policing bodies to keep collaboration opportunities "
      "under review and to collaborate where that is in the interests of the efficiency or effectiveness of their own "
      "and other police forces. The Parties make this Agreement in discharge of those duties and have had regard to "
      "the Statutory Guidance for Police Collaboration."),
    R("Through {{ agreement.the_alliance }} the Parties have agreed that the Functions shall be delivered throughout "
      "{{ areas }} by the {{ deliverer.title }}, with {{ lead_force.name }} as the Lead Force, on the terms of this "
      "umbrella agreement (Part A) and of a Service Specification for each business area (Part B)."),
    B("**It is agreed** as follows."),
]

# ============================================================================ the umbrella: Part A, section by section

SECTIONS: dict[str, list[P]] = {}

SECTIONS["definitions"] = [
    C("In this Agreement, unless the context otherwise requires, terms defined above or elsewhere in this Agreement "
      "have the meanings given to them there, and:"),
    I("**“Agreement”** means this collaboration agreement, comprising Part A, its Appendices and the Service "
      "Specifications in Part B, as varied from time to time;"),
    I("**“Chief Finance Officers”** means the chief finance officers of {% if chief_officers_are_parties %}the Chief "
      "Officers and of {% endif %}the Policing Bodies;"),
    I("**“Chief Officers”** means the chief officers of police of the Forces{% if chief_officers_are_parties %}, "
      "**“Chief Officer”** means {{ words.either }} of them, and **“Lead Chief Officer”** means the "
      "{{ lead_force.chief_officer.title }}{% else %}, and **“Chief Officer”** means {{ words.either }} of "
      "them{% endif %};"),
    I("**“Commencement Date”** means {{ agreement.commencement }};"),
    I("**“Contribution”** means the annual sum payable by a Policing Body towards the cost of a Function, determined "
      "in accordance with its Service Specification;"),
    I("**“Financial Year”** means a period of twelve months beginning on 1 April;"),
    I("**“Forces”** means {{ force_names }}, and **“Force”** means {{ words.either }} of them;"),
    I("**“Functions”** means the business areas listed in section [[scope]] and described in Part B, and "
      "**“Function”** means {{ words.any_function }};"),
    I("**“Lead Force”** means {{ lead_force.name }}, and **“{{ terms.lead_body }}”** means the "
      "{{ lead_force.policing_body.title }}, the Policing Body that maintains the Lead Force;"),
    I("**“Net Revenue Expenditure”** means, for a Force and a Financial Year, its net revenue expenditure as shown in "
      "the budget approved by its Policing Body for that year;"),
    I("**“Police Areas”** means the police areas of {{ areas }}, and **“Police Area”** means {{ words.either }} of "
      "them;"),
    I("**“Policing Bodies”** means the policing bodies responsible for maintaining the Forces, and **“Policing "
      "Body”** means {{ words.either }} of them;"),
    I("**“Service Specification”** means the specification of a Function in Part B; and"),
    I("**“Statutory Guidance”** means the Statutory Guidance for Police Collaboration issued by the Secretary of "
      "State under section 23F of the Act, as revised from time to time."),
    C("In this Agreement: headings do not affect its interpretation; a reference to a section is to a section of "
      "Part A; a reference to a statute or statutory guidance includes it as amended, extended or re-enacted; words "
      "in the singular include the plural and vice versa; and “including” means “including without limitation”."),
    C("A reference to a Party includes its successors in office. Where a function of a Party is transferred by law to "
      "another person, that person shall be treated as the Party for the purposes of this Agreement."),
    C("If there is a conflict between Part A and a Service Specification, Part A prevails unless the Service "
      "Specification expressly states that it is to prevail on the point in question."),
]

SECTIONS["legal_framework"] = [
    C("This Agreement is a collaboration agreement made under section 22A of the Act. It contains "
      "{{ provisions.text }} within the meaning of section 22A(2) of the Act."),
    T("{%p if chief_officers_are_parties %}"),
    C("Each Chief Officer enters into this Agreement because he or she thinks that it is in the interests of the "
      "efficiency or effectiveness of one or more police forces, and each Policing Body enters into it because it "
      "thinks that it is in the interests of the efficiency or effectiveness of one or more policing bodies or police "
      "forces."),
    T("{%p else %}"),
    C("Each Policing Body enters into this Agreement because it thinks that it is in the interests of the efficiency "
      "or effectiveness of one or more policing bodies or police forces."),
    T("{%p endif %}"),
    C("The Parties shall have regard to the Statutory Guidance in performing this Agreement and shall keep it under "
      "review in discharge of their duties under sections 22B and 22C of the Act."),
    C("Nothing in this Agreement fetters the statutory discretion of any Party or affects the direction and control "
      "of a Chief Officer over his or her Force{% if provisions.force %}, save to the extent that this Agreement "
      "places persons under the direction and control of the Lead Chief Officer for the purposes of the "
      "Functions{% endif %}."),
    C("Nothing in this Agreement creates a partnership, joint venture or separate legal entity, or affects the "
      "provision of mutual aid between the Forces under section 24 of the Act."),
]

SECTIONS["purpose"] = [
    C("The purpose of this Agreement is to set out the arrangements under which the {{ terms.deliverer }} delivers "
      "the Functions on behalf of {{ words.all_parties }} throughout the Police Areas."),
    C("The objectives of the collaboration are to:"),
    I("deliver the Functions effectively and resiliently to the public of {{ areas }};"),
    I("achieve value for money and the savings agreed by the Parties;"),
    I("support each Policing Body’s police and crime plan and the Forces’ contribution to the Strategic Policing "
      "Requirement;"),
    I("deploy resources according to threat, harm and risk across the Police Areas; and"),
    I("maintain consistent professional standards and local accountability in each Police Area."),
    C("The Parties shall act in good faith and co-operate with {{ words.one_another }} to achieve these objectives."),
]

SECTIONS["commencement"] = [
    C("This Agreement takes effect on {{ agreement.commencement }} and continues until it is terminated in "
      "accordance with section [[termination]]."),
    C("The Parties shall complete a formal review of this Agreement no later than {{ agreement.review }} and "
      "thereafter at intervals of not more than three years."),
    C("From the Commencement Date this Agreement replaces any earlier collaboration agreement between the Parties in "
      "respect of the Functions, without prejudice to rights and liabilities accrued under it."),
    C("This Agreement is in writing as section 23C of the Act requires and may be signed in counterparts, each of "
      "which is an original and which together form one agreement."),
]

SECTIONS["scope"] = [
    C("This Agreement applies to the following Functions, each of which is described in its Service Specification in "
      "Part B:"),
    T("{%p for f in functions %}"),
    I("{{ f.name }}"),
    T("{%p endfor %}"),
    C("Policing functions that are not Functions remain the responsibility of each Chief Officer for his or her own "
      "Force and are not affected by this Agreement."),
    C("Where no Service Specification has yet been agreed for a Function, that Function shall continue to be "
      "delivered under the arrangements in force immediately before the Commencement Date, subject to Part A, until "
      "a Service Specification is agreed and incorporated into Part B."),
    C("Functions may be added to or removed from this Agreement only by a variation made in accordance with section "
      "[[review]]."),
]

SECTIONS["lead_force"] = [
    C("{{ lead_force.name }} is the Lead Force for the Functions. The {{ terms.deliverer }} shall deliver the "
      "Functions on behalf of {{ words.all_parties }} throughout the Police Areas."),
    C("The {{ terms.deliverer }} shall:"),
    I("deliver each Function in accordance with its Service Specification and within the approved budget;"),
    I("provide the {% if provisions.force %}command, {% endif %}management, supervision and support needed for the "
      "Functions;"),
    I("deploy the resources of the Functions fairly across the Police Areas according to threat, harm and risk, and "
      "not in proportion to Contributions;"),
    I("administer the budget, accounts, contracts and records of the Functions on behalf of the Parties; and"),
    I("report to the {{ governance.board }} on delivery, performance, finance, workforce and risk."),
    C("The {{ terms.deliverer }} shall consult the {% if provisions.force %}Chief Officer{% else %}Policing "
      "Body{% endif %} concerned before taking any decision that materially affects the delivery of a Function in "
      "another Police Area."),
    C("{{ words.each_other_party_start }} shall co-operate with the {{ terms.deliverer }} and shall provide the "
      "information, access to systems and premises and assistance that the {{ terms.deliverer }} reasonably requires "
      "for the Functions."),
    C("A change of Lead Force may be made only by a variation of this Agreement agreed by {{ words.all_parties }}."),
]

SECTIONS["governance"] = [
    C("The Parties establish a board to oversee the Functions (the **“{{ governance.board }}”**), with the terms of "
      "reference in Appendix 1. The governance structure of the collaboration is set out in Appendix 2."),
    T("{%p if governance.chief_officers_board %}"),
    C("The Chief Officers shall meet as a board (the **“{{ governance.chief_officers_board }}”**) to oversee the "
      "collaboration between the Forces as a whole and to resolve matters referred to them."),
    T("{%p endif %}"),
    C("The Parties shall hold a meeting of {{ words.all_of_them }} (the **“{{ governance.summit }}”**) at least once "
      "in each Financial Year to review the collaboration and to decide reserved matters."),
    C("The {{ governance.board }} oversees the delivery, performance, finance, workforce and risks of the Functions "
      "and reports to {{ governance.reports_to }}."),
    C("The following matters are reserved to the Parties and require the agreement of {{ words.all_of_them }}:"),
    I("any variation of this Agreement, including the addition or removal of a Function;"),
    I("a change of Lead Force;"),
    I("the annual budget of each Function and any change to a cost apportionment formula;"),
    I("the admission of a new party; and"),
    I("the termination of this Agreement."),
]

SECTIONS["accountability"] = [
    C("Each Policing Body remains responsible for holding its own Chief Officer to account for the exercise of his or "
      "her functions{% if chief_officers_are_parties %}, including functions exercised under this Agreement{% endif %}."),
    T("{%p if provisions.force %}"),
    C("The {{ terms.lead_body }} shall hold the Lead Chief Officer to account for the delivery of the Functions "
      "throughout the Police Areas, in accordance with the Statutory Guidance."),
    T("{%p else %}"),
    C("The {{ terms.lead_body }} shall account to {{ words.the_other_policing_bodies }}, through the "
      "{{ governance.board }}, for the delivery of the Functions throughout the Police Areas."),
    T("{%p endif %}"),
    C("{{ words.each_other_policing_body_start }} may raise with the {{ terms.lead_body }}, directly or through the "
      "{{ governance.board }}, any matter concerning the delivery of the Functions in its Police Area, and the "
      "{{ terms.lead_body }} shall take that matter into account{% if provisions.force %} in holding the Lead Chief "
      "Officer to account{% endif %}."),
    C("The {{ terms.deliverer }} shall provide each Policing Body with the information it reasonably requires to "
      "discharge its functions, including information requested by the panel or committee that scrutinises it."),
]

SECTIONS["direction_and_control"] = [
    T("{%p if provisions.force %}"),
    C("Police officers and police staff assigned to the Functions are under the direction and control of the Lead "
      "Chief Officer for the purposes of the Functions, as section 23 of the Act permits, whichever Force they belong "
      "to or are employed by."),
    C("Members of the Forces may discharge the Functions throughout the Police Areas. Nothing in this Agreement "
      "restricts the powers that a constable has throughout England and Wales."),
    C("Command of an operation or incident that involves a Function shall be determined in accordance with the "
      "Service Specification and the relevant Authorised Professional Practice. The Chief Officer for the Police Area "
      "concerned retains responsibility for the overall policing of that area."),
    C("A Chief Officer may ask the Lead Chief Officer to deploy the resources of a Function in his or her Police "
      "Area, and the Lead Chief Officer shall respond in accordance with the Service Specification."),
    T("{%p else %}"),
    C("This Agreement contains no force collaboration provision. It does not change the direction and control of any "
      "member of a police force, which remains with the chief officer of police of that force."),
    C("Staff, premises, equipment, services and facilities made available for the Functions remain those of the "
      "Party that makes them available, which remains responsible for them, save as the Service Specification "
      "provides."),
    T("{%p endif %}"),
]

SECTIONS["performance"] = [
    C("The Parties shall agree, through the {{ governance.board }}, a performance framework for the Functions, "
      "including the service levels and measures set out in the Service Specifications."),
    C("The {{ terms.deliverer }} shall report performance to the {{ governance.board }} at least quarterly, showing "
      "performance in each Police Area as well as for the Functions as a whole."),
    C("Where performance falls below the agreed service levels, the {{ terms.deliverer }} shall present an "
      "improvement plan to the {{ governance.board }} and report on its progress until the service levels are "
      "restored."),
    C("The Parties shall consider together the findings of any inspection of the Functions and agree the action to "
      "be taken in response."),
]

SECTIONS["plans"] = [
    C("In delivering the Functions the {{ terms.deliverer }} shall have regard to the police and crime plan of each "
      "Policing Body."),
    C("Each Party shall have regard to the Strategic Policing Requirement issued by the Secretary of State, and the "
      "Functions shall contribute to the capacity and capability the Forces need to counter the national threats it "
      "identifies."),
    C("Each Policing Body shall consult {{ words.the_other_policing_bodies }} before issuing or varying a police and "
      "crime plan in a way that would materially affect the Functions."),
]

SECTIONS["finance"] = [
    C("The {{ terms.lead_body }} shall hold the budget of the Functions on behalf of the Parties{% if "
      "provisions.force %}, and the Lead Chief Officer shall administer it{% endif %}. The total annual budget of the "
      "Functions set out in Part B is {% if withheld.any %}[withheld from publication under section 23E of the "
      "Act]{% else %}{{ total_budget }}{% endif %}."),  # issue 12a: no total that includes a withheld budget
    C("Each Policing Body shall pay its Contributions to the {{ terms.lead_body }} in four equal quarterly "
      "instalments in advance, on 1 April, 1 July, 1 October and 1 January in each Financial Year."),
    T("{%p if first_year.part %}"),
    C("For the Financial Year in which the Commencement Date falls, each Contribution is payable pro rata: it is the "
      "annual Contribution multiplied by the number of days from the Commencement Date to {{ first_year.end }} "
      "inclusive ({{ first_year.days }}) and divided by the number of days in that Financial Year "
      "({{ first_year.year_days }}), rounded to the penny, and it is paid in equal instalments on the Commencement "
      "Date and on each of the quarterly payment dates that fall after it in that Financial Year."),
    T("{%p endif %}"),
    C("The {{ terms.lead_body }} shall ensure that proper accounts of the Functions are kept and that the Chief "
      "Finance Officers receive a budget monitoring report at least quarterly."),
    C("The financial regulations and contract standing orders of the {{ terms.lead_body }} apply to expenditure on "
      "the Functions."),
    C("Any overspend or underspend at the end of a Financial Year shall be shared between the Policing Bodies in the "
      "proportions in which they contributed to the Function concerned, unless the {{ governance.board }} recommends "
      "and the Parties agree otherwise."),
]

SECTIONS["cost_apportionment"] = [
    C("The cost of each Function is apportioned between the Policing Bodies in accordance with the following "
      "principles, agreed by the Chief Finance Officers:"),
    I("the apportionment of each Function is set by a formula agreed in advance and applied to published, verifiable "
      "figures;"),
    I("the formula may allocate costs equally, in fixed shares, in proportion to Net Revenue Expenditure, in "
      "proportion to demand for the Function, or by a weighted combination of Net Revenue Expenditure and demand; and"),
    I("each Contribution is the budget of the Function multiplied by the exact share that the formula gives, rounded "
      "to the penny; shares are shown to two decimal places and total exactly 100%, and Contributions total exactly "
      "the budget of the Function."),
    C("The formula for each Function, the figures to which it is applied and the resulting shares and Contributions "
      "are set out in its Service Specification in Part B."),
    C("Where a formula uses demand, the demand figures are those set out in the Service Specification, taken from the "
      "records of the Functions for the most recent complete period available when the budget is set."),
    C("The Parties shall, through the Chief Finance Officers, review the apportionment of each Function annually and "
      "report to the {{ governance.board }}. A change to a formula takes effect only by a variation of this "
      "Agreement."),
]

SECTIONS["budget"] = [
    C("The {{ terms.deliverer }} shall prepare a draft budget for each Function for the next Financial Year and "
      "submit it to the {{ governance.board }} by 31 October, so that each Policing Body can take it into account in "
      "setting its budget and precept."),
    C("The budget of each Function requires the agreement of {{ words.all_policing_bodies }}. If a budget has not "
      "been agreed by the start of a Financial Year, the budget for the previous year continues to apply, adjusted "
      "for pay awards and other unavoidable commitments, until a budget is agreed."),
    C("The Parties shall agree the savings to be delivered by the Functions over the medium term. The "
      "{{ terms.deliverer }} shall prepare a savings plan and report on its delivery to the {{ governance.board }}."),
    C("Savings are shared between the Policing Bodies in the proportions of their Contributions. No Policing Body is "
      "obliged to pay more than its agreed Contribution without its consent."),
]

SECTIONS["assets"] = [
    C("Each Party retains ownership of the assets it makes available for the Functions, including premises, vehicles "
      "and equipment, and shall maintain a register of those assets."),
    C("Assets acquired from the budget of the Functions are held by the {{ terms.lead_body }} on behalf of the "
      "Policing Bodies in the proportions in which they funded the acquisition."),
    C("The use of premises of one Party by another for the Functions is by licence only and creates no tenancy or "
      "other interest in land. The running costs of such premises are a cost of the Functions."),
    C("On the withdrawal of a Party or the termination of this Agreement, assets funded jointly shall be distributed, "
      "or their value shared, in the proportions in which they were funded."),
]

SECTIONS["procurement"] = [
    C("The {{ terms.deliverer }} shall procure the goods, works and services needed for the Functions in accordance "
      "with the contract standing orders that apply under section [[finance]] and the public procurement legislation "
      "in force."),
    C("Contracts for the Functions shall be entered into by the {{ terms.lead_body }}{% if chief_officers_are_parties "
      "%} or the Lead Chief Officer{% endif %} on behalf of {{ words.all_parties }}, and their costs are costs of the "
      "Functions."),
    C("Contracts of {{ words.the_other_parties }} that relate to the Functions continue until their expiry or "
      "novation; the "
      "{{ terms.deliverer }} shall manage them on behalf of the contracting Party."),
    C("Where it offers better value, the {{ terms.deliverer }} shall use national or regional framework agreements "
      "and collaborative procurement."),
]

SECTIONS["officers"] = [
    T("{%p if provisions.force %}"),
    C("Police officers assigned to the Functions remain members of their own Force. Their appointment, rank, pay, "
      "allowances and pension are unaffected by this Agreement."),
    C("While assigned to the Functions, police officers are under the direction and control of the Lead Chief "
      "Officer in accordance with section [[direction_and_control]]."),
    C("The Lead Chief Officer shall apply the operational policies of the Lead Force to officers assigned to the "
      "Functions and shall consult the Chief Officer concerned on changes that affect officers of another Force."),
    C("The cost of police officers assigned to the Functions is a cost of the Functions, and the {{ terms.lead_body }} "
      "shall reimburse it from the budget of the Functions to the Policing Body that bears it."),
    T("{%p else %}"),
    C("This Agreement contains no force collaboration provision: no police officer is assigned to the Functions under "
      "it, and the deployment of police officers remains a matter for the Chief Officer of each Force."),
    T("{%p endif %}"),
]

SECTIONS["staff"] = [
    C("Members of staff assigned to the Functions remain employed by their existing employer. No change of employer "
      "is intended by this Agreement."),
    T("{%p if provisions.force %}"),
    C("While assigned to the Functions, members of police staff work under the direction and control of the Lead "
      "Chief Officer, as section 23 of the Act permits, on secondment from their employer on their existing terms "
      "and conditions."),
    T("{%p else %}"),
    C("Members of staff made available for the Functions by a Party work under the day-to-day management of the "
      "{{ terms.deliverer }}, on secondment from their employer on their existing terms and conditions."),
    T("{%p endif %}"),
    C("The Parties do not intend this Agreement, or any assignment under it, to be a relevant transfer under the "
      "Transfer of Undertakings (Protection of Employment) Regulations 2006. If such a transfer is found to have "
      "occurred, the resulting costs and liabilities shall be shared in the proportions of the Contributions."),
    C("The employer remains responsible for pay, pension, terms and conditions, grievance and discipline; the "
      "{{ terms.deliverer }} is responsible for day-to-day management and shall give the employer the information it "
      "needs."),
    C("The Parties shall consult the recognised trade unions and staff associations on any change to working "
      "arrangements in the Functions."),
]

SECTIONS["designated_staff"] = [
    T("{%p if chief_officers_are_parties %}"),
    C("Where a member of police staff assigned to the Functions needs powers under section 38 of the Police Reform "
      "Act 2002, the designation shall be made by the Chief Officer with power to make it, at the request of the "
      "{{ terms.deliverer }}."),
    C("A Chief Officer shall designate only persons who are suitable, capable and adequately trained to exercise the "
      "powers conferred, and the {{ terms.deliverer }} shall keep a register of the designations made for the "
      "Functions."),
    C("A designation may be varied or withdrawn by the Chief Officer who made it after consulting the "
      "{{ terms.deliverer }}."),
    T("{%p else %}"),
    C("No designation under section 38 of the Police Reform Act 2002 is made under this Agreement: a designation is "
      "a matter for the chief officer of police with power to make it, who is not a Party."),
    T("{%p endif %}"),
]

SECTIONS["health_and_safety"] = [
    C("The {{ terms.deliverer }} is responsible for the safe systems of work, risk assessments and training of those "
      "working in the Functions. Each employer keeps its own duties under the health and safety legislation."),
    C("The Parties shall co-operate and co-ordinate their arrangements wherever they share premises or operations, "
      "and each shall give {{ words.the_other_parties }} the health and safety information needed."),
    C("Each Party shall ensure that accidents, incidents and near misses in the Functions are reported to the "
      "employer concerned and to the {{ terms.deliverer }}. The {{ terms.deliverer }} shall investigate them and "
      "share the findings with the Parties."),
]

SECTIONS["data_protection"] = [
    C("The Parties shall process personal data for the Functions in accordance with the data protection legislation "
      "in force. The {{ terms.controllers }} are joint controllers of personal data processed for the Functions, and "
      "an information sharing agreement shall set out their respective responsibilities."),
    C("Information shall be managed in accordance with the Authorised Professional Practice on the management of "
      "police information and protected in accordance with the Government Security Classifications."),
    C("A Party that becomes aware of a personal data breach affecting the Functions shall notify the "
      "{{ terms.deliverer }} and the other controllers without undue delay and in any event within 24 hours."),
    C("Records created in the Functions are held by the {{ terms.deliverer }} on behalf of {{ words.all_parties }}, "
      "and each Party shall have access to the records that relate to its Police Area."),
]

SECTIONS["foi"] = [
    C("Each Party is a public authority for the purposes of the Freedom of Information Act 2000 and the Environmental "
      "Information Regulations 2004 and remains responsible for the requests it receives."),
    C("A Party that receives a request for information about the Functions shall consult the {{ terms.deliverer }}. "
      "The {{ terms.deliverer }} shall provide the information held and a view on disclosure within five working "
      "days."),
    C("The decision whether to disclose rests with the Party that received the request, which shall take account of "
      "the views of {{ words.the_other_parties }} before relying on or refusing an exemption."),
]

SECTIONS["complaints"] = [
    C("Complaints, conduct matters and death or serious injury matters concerning persons serving in the Functions "
      "shall be handled in accordance with the Police Reform Act 2002 and the regulations made under it."),
    C("The appropriate authority is determined by that legislation. Where more than one Party could act, the Parties "
      "concerned shall agree which of them will do so, and the others shall co-operate fully."),
    C("Complaints about the conduct of a Chief Officer are for the Policing Body that maintains his or her Force."),
    C("A Party that is the appropriate authority for a matter shall refer it to the Independent Office for Police "
      "Conduct where the law requires, and the {{ terms.deliverer }} shall share the outcome of complaints and "
      "conduct proceedings concerning the Functions with the Parties concerned."),
]

SECTIONS["audit"] = [
    C("The {{ terms.lead_body }} shall ensure that its internal auditors include the Functions in their audit plan "
      "and that their reports on the Functions are given to the audit committees of {{ words.all_parties }}."),
    C("The Parties shall give the external auditors of each Party, and the inspectorate of constabulary, access to "
      "the people, premises and records of the Functions."),
    C("The {{ terms.lead_body }} shall keep the financial records of the Functions for at least six years after the "
      "end of the Financial Year to which they relate."),
]

SECTIONS["equality"] = [
    C("Each Party is subject to the public sector equality duty in section 149 of the Equality Act 2010. The "
      "{{ terms.deliverer }} shall have due regard to that duty in delivering the Functions."),
    C("The {{ terms.deliverer }} shall carry out equality impact assessments of significant changes to the Functions "
      "and shall report equality information about the Functions to the {{ governance.board }}."),
]

SECTIONS["confidentiality"] = [
    C("Each Party shall keep confidential the information of {{ words.the_other_parties }} that it receives under "
      "this Agreement and shall use it only for the purposes of this Agreement."),
    C("This obligation does not prevent a disclosure required by law, by the Freedom of Information Act 2000, by "
      "section 23E of the Act, or to auditors, inspectors or legal advisers."),
    C("Information shall be handled in accordance with its security classification and only by persons vetted to the "
      "appropriate level. This obligation survives the termination of this Agreement."),
]

SECTIONS["intellectual_property"] = [
    C("Each Party retains the intellectual property rights it owns and grants {{ words.the_other_parties }} a "
      "royalty-free, non-exclusive licence to use them for the purposes of the Functions."),
    C("Intellectual property created in the Functions vests in the {{ terms.lead_body }}, which grants "
      "{{ words.each_other_party }} a perpetual, royalty-free, non-exclusive licence to use it for policing purposes, "
      "including after that Party’s withdrawal."),
    C("The {{ terms.deliverer }} shall ensure that software and data licences used in the Functions permit their use "
      "for the benefit of {{ words.all_parties }}."),
]

SECTIONS["review"] = [
    C("The Parties shall review this Agreement formally no later than {{ agreement.review }}, and shall review the "
      "Service Specifications and the apportionment of costs annually through the {{ governance.board }}."),
    C("This Agreement may be varied only by a subsequent written collaboration agreement signed by "
      "{{ words.all_parties }}, as section 23C of the Act provides."),
    C("In discharge of their duties under sections 22B and 22C of the Act, the Parties shall keep under review "
      "whether further functions could be delivered more efficiently or effectively under this Agreement."),
]

SECTIONS["new_parties"] = [
    T("{%p if chief_officers_are_parties %}"),
    C("The chief officer of police of another police force and the policing body that maintains it may become "
      "Parties with the written agreement of each existing Party, by a variation of this Agreement."),
    T("{%p else %}"),
    C("The policing body that maintains another police force may become a Party with the written agreement of each "
      "existing Party, by a variation of this Agreement."),
    T("{%p endif %}"),
    C("The terms of admission shall state the date of admission, the Functions concerned, the resulting changes to "
      "Contributions and any transitional costs, which are borne by the new parties unless the Parties agree "
      "otherwise."),
    C("A new party shall not be liable for any liability that arose before the date of its admission."),
]

SECTIONS["termination"] = [
    C("A Party may withdraw from this Agreement, in whole or in respect of a Function, by giving "
      "{{ words.the_other_parties }} not less than twelve months’ written notice expiring on 31 March."
      "{% if chief_officers_are_parties %} A Chief Officer and the Policing Body that maintains his or her Force may "
      "withdraw only together.{% endif %}"),
    C("A withdrawing Party remains liable for:"),
    I("its Contributions up to the date on which its withdrawal takes effect;"),
    I("its share of liabilities arising from acts or omissions before that date; and"),
    I("its share of the costs reasonably incurred as a consequence of its withdrawal, including redundancy, contract "
      "termination and dilapidation costs."),
    C("Within three months of a notice of withdrawal the {{ terms.deliverer }} shall prepare an exit plan covering "
      "the workforce, assets, information, contracts and continuity of service."),
    C("This Agreement may be terminated at any time by the written agreement of {{ words.all_parties }}, and ends "
      "when fewer than two Policing Bodies remain Parties to it. A Party that ceases to have power to be a party "
      "ceases to be one, as section 23C of the Act provides."),
    C("Sections [[finance]], [[data_protection]], [[confidentiality]], [[liabilities]] and [[disputes]] survive the "
      "withdrawal of a Party and the termination of this Agreement."),
]

SECTIONS["liabilities"] = [
    C("Liabilities arising from the delivery of the Functions, including claims, damages, compensation and legal "
      "costs, are shared between the Policing Bodies in the proportions of the apportionment of the Function "
      "concerned for the Financial Year in which the liability arose."),
    T("{%p if provisions.force %}"),
    C("Where the Lead Chief Officer is liable under section 88 of the Act for the unlawful conduct of a constable "
      "under his or her direction and control for the purposes of the Functions, the Policing Bodies shall indemnify "
      "the Lead Chief Officer in those proportions."),
    T("{%p endif %}"),
    C("A Party shall notify the {{ terms.deliverer }} within ten working days of receiving a claim relating to the "
      "Functions. The {{ terms.deliverer }} shall conduct the claim in consultation with the Parties, and no Party "
      "shall admit liability or settle without consulting {{ words.the_other_parties }}."),
    C("A liability caused by the wilful default of a Party, or by an act outside the scope of the Functions, is "
      "borne by that Party alone. No Party is liable to another for indirect or consequential loss."),
    C("This section survives the withdrawal of a Party for liabilities arising while it was a Party."),
]

SECTIONS["insurance"] = [
    C("Each Policing Body shall maintain insurance, or arrangements for self-insurance, adequate for its share of the "
      "liabilities arising from the Functions."),
    C("Each Policing Body shall, if it has not already done so, notify its insurers of the arrangements in this "
      "Agreement and obtain their agreement to them. Premiums and excesses attributable to the Functions are costs "
      "of the Functions."),
    C("The Parties shall co-operate in the notification and handling of insured claims and shall comply with the "
      "conditions of the relevant policies."),
]

SECTIONS["disputes"] = [
    C("The Parties shall first refer a dispute about this Agreement to the {{ governance.board }} and shall try to "
      "resolve it there within twenty working days."),
    C("A dispute not resolved by the {{ governance.board }} shall be referred to the {{ governance.summit }}, at "
      "which the Parties shall try to resolve it within a further twenty working days."),
    C("A dispute that remains unresolved shall be referred to mediation by a mediator agreed by the Parties in "
      "dispute or, failing agreement, nominated by the Centre for Effective Dispute Resolution. The costs of the "
      "mediation are shared equally by the Parties in dispute."),
    C("The Parties shall continue to perform this Agreement while a dispute is being resolved. Nothing in this "
      "section prevents a Party from seeking urgent relief from the court."),
]

SECTIONS["publication"] = [
    C("The Policing Bodies shall publish this Agreement, and every variation of it, in accordance with section 23E "
      "of the Act, as soon as practicable after it is signed."),
    C("Any part of this Agreement whose publication the Parties consider would be against the interests of national "
      "security, could prejudice the prevention or detection of crime or the apprehension or prosecution of "
      "offenders, or could jeopardise the safety of any person, shall be withheld from publication, as may "
      "commercially sensitive information that would be exempt from disclosure."),
    C("The published version shall show where material has been withheld and under which provision."),
]

SECTIONS["notices"] = [
    C("A notice under this Agreement shall be in writing and delivered {{ notices.methods }} to the Policing Body "
      "concerned at the following {{ notices.address_kind }}:"),
    T("{%p for p in policing_bodies %}"),
    I("the {{ p.title }}: {% if p.address %}{{ p.address }}{% else %}[address to be agreed]{% endif %}"
      "{% if p.email %}, email {{ p.email }}{% endif %}{% if loop.last %}.{% else %};{% endif %}"),
    T("{%p endfor %}"),
    T("{%p if chief_officers_are_parties %}"),
    C("A notice to a Chief Officer is given by sending it to the Policing Body that maintains his or her Force, "
      "marked for the attention of the Chief Officer."),
    T("{%p endif %}"),
    C("A notice is deemed received: if delivered by hand, on delivery; {% if notices.by_email %}if posted, on the "
      "second working day after posting; and if emailed, at the time of sending if sent within business hours, and "
      "otherwise at the start of the next working day{% else %}and if posted, on the second working day after "
      "posting{% endif %}."),
]

SECTIONS["governing_law"] = [
    C("This Agreement and any dispute arising from it are governed by the law of England and Wales, and the courts of "
      "England and Wales have exclusive jurisdiction, subject to section [[disputes]]."),
    C("This Agreement is the entire agreement between the Parties about the Functions. No person who is not a Party "
      "has any right under the Contracts (Rights of Third Parties) Act 1999 to enforce any of its terms."),
]

# ============================================================================ the umbrella: execution and appendices

EXECUTION = [
    B("This Agreement has been executed by the Parties on the date stated at its beginning."),
    T("{%p for p in parties %}"),
    B("**{{ p.signed_by }}**"),
    B("Signature: ……………………………………………………………"),
    B("Date: ……………………………………………"),
    T("{%p endfor %}"),
]

APPENDIX_1_HEAD = [
    B("**Terms of reference of the {{ governance.board }}**"),
    H("Purpose"),
    B("The {{ governance.board }} (the **“Board”**), established under section [[governance]], oversees on behalf of "
      "the Parties the delivery of the Functions by the {{ terms.deliverer }}: performance against the Service "
      "Specifications, the budget and savings, the workforce, risks and the benefits of the collaboration."),
    H("Membership"),
    B("The members are the Parties, each of whom may nominate a representative of sufficient seniority to act for "
      "that Party:"),
]
APPENDIX_1_TABLE = Table((
    (P("Table Heading", "Force"), P("Table Heading", "Members")),
    (P("Table Text", "{%tr for f in forces %}"), P("Table Text", "")),
    (P("Table Text", "{{ f.name }}"),
     P("Table Text", "{% if chief_officers_are_parties %}the {{ f.chief_officer.title }}; {% endif %}"
                     "the {{ f.policing_body.title }}")),
    (P("Table Text", "{%tr endfor %}"), P("Table Text", "")),
))
APPENDIX_1_TAIL = [
    B("The Chief Finance Officers, the officer who leads the delivery of the Functions and other officers may attend "
      "to advise the Board."),
    H("Chair"),
    B("The Board is chaired by the {{ terms.lead_body }} or by a representative nominated by the "
      "{{ terms.lead_body }}. The chair may invite another member to chair a meeting."),
    H("Quorum"),
    B("A meeting is quorate when every Party is present or represented."),
    H("Frequency of meetings"),
    B("The Board meets at least quarterly. The chair may call an extraordinary meeting on five working days’ notice, "
      "or on shorter notice where the matter is urgent."),
    H("Decisions"),
    B("The Board takes decisions by consensus. {% if governance.chief_officers_board %}A matter on which consensus "
      "cannot be reached is referred to {{ governance.escalation }}, and any matter reserved to the Parties by section "
      "[[governance]] is referred to the {{ governance.summit }}.{% else %}A matter on which consensus cannot be "
      "reached, and any matter reserved to the Parties by section [[governance]], is referred to the "
      "{{ governance.summit }}.{% endif %}"),
    H("Reporting"),
    B("Minutes of each meeting are circulated to {{ words.all_parties }}. The Board reports to "
      "{{ governance.reports_to }}, and presents an annual report on the collaboration to the Parties."),
    H("Secretariat and review"),
    B("The {{ terms.deliverer }} shall provide the secretariat. The Board reviews these terms of reference annually "
      "and recommends any change to the Parties."),
]

APPENDIX_2_HEAD = [
    B("The collaboration is governed through the following bodies, each reporting to the one above it."),
]
APPENDIX_2_TABLE = Table((
    (P("Table Heading", "Body"), P("Table Heading", "Membership"), P("Table Heading", "Role"),
     P("Table Heading", "Reports to")),
    (P("Table Text", "{{ governance.summit }}"), P("Table Text", "the Parties"),
     P("Table Text", "strategic direction of {{ agreement.the_alliance }}; signing agreements; budgets, savings and "
                     "reserved matters"),
     P("Table Text", "the Parties")),
    (P("Table Text", "{%tr if governance.chief_officers_board %}"), P("Table Text", ""), P("Table Text", ""),
     P("Table Text", "")),
    (P("Table Text", "{{ governance.chief_officers_board }}"), P("Table Text", "the Chief Officers"),
     P("Table Text", "oversight of the collaboration between the Forces as a whole; resolution of matters referred "
                     "to it"),
     P("Table Text", "{{ governance.summit }}")),
    (P("Table Text", "{%tr endif %}"), P("Table Text", ""), P("Table Text", ""), P("Table Text", "")),
    (P("Table Text", "{{ governance.board }}"), P("Table Text", "see Appendix 1"),
     P("Table Text", "oversight of the delivery, performance, finance and risks of the Functions"),
     P("Table Text", "{{ governance.board_reports_to }}")),
    (P("Table Text", "{{ terms.deliverer }}"),
     P("Table Text", "the {{ deliverer.title }} and those who deliver the Functions"),
     P("Table Text", "day-to-day delivery of the Functions throughout the Police Areas"),
     P("Table Text", "{{ governance.board }}")),
))

PART_B_INTRO = [
    B("Part B contains a Service Specification for each Function, in the order in which the Functions are listed in "
      "section [[scope]]. Each Service Specification sets out the services, the service levels, the governance, the "
      "budget and the apportionment of the cost of the Function, or states that none has yet been agreed."),
]


def edit_umbrella(path: Path) -> Template:
    t = Template(path)
    parties = t.text_is("Parties")
    recitals = t.text_is("Recitals")
    contents = t.text_is("Contents")
    t.stretch(parties, recitals, PARTIES, "parties")
    t.stretch(recitals, contents, RECITALS, "recitals")
    for key, items in SECTIONS.items():
        heading = t.bookmark(f"_AB_S_{key}")
        end = t.text_is(f"{{{{p clauses.{key} }}}}")
        t.stretch(heading, end, items, f"section {key}")
    execution = t.text_is("Execution")
    appendix_1 = t.bookmark("_AB_A_terms_of_reference")
    appendix_2 = t.bookmark("_AB_A_governance_structure")
    part_b = t.text_starts("PART B")
    t.stretch(execution, appendix_1, EXECUTION, "execution")
    t.stretch(appendix_1, appendix_2, [*APPENDIX_1_HEAD, APPENDIX_1_TABLE, *APPENDIX_1_TAIL], "appendix 1")
    t.stretch(appendix_2, part_b, [*APPENDIX_2_HEAD, APPENDIX_2_TABLE], "appendix 2")
    t.stretch(part_b, t.text_is("{{p annexes }}"), PART_B_INTRO, "part B")
    return t


# ============================================================================ the annexes

def annex_opening() -> list:
    return [
        AH("Purpose"),
        T("{%p if spec.purpose %}"),
        AC("{{ spec.purpose }}"),
        T("{%p endif %}"),
        AC("The {{ terms.deliverer }} shall deliver the Function on behalf of {{ words.all_parties }} throughout the "
           "Police Areas in accordance with Part A and this Service Specification."),
        AH("Services in Scope"),
        T("{%p if spec.services %}"),
        T("{%p for s in spec.services %}"),
        AC("{{ s }}"),
        T("{%p endfor %}"),
        T("{%p else %}"),
        AC("The services in scope of the Function are [to be agreed]."),
        T("{%p endif %}"),
    ]


def annex_closing() -> list:
    return [
        T("{%p if spec.service_levels %}"),
        AH("Service Levels"),
        T("{%p for s in spec.service_levels %}"),
        AC("{{ s }}"),
        T("{%p endfor %}"),
        AC("The {{ terms.deliverer }} shall report performance against these service levels to the "
           "{{ governance.board }} in accordance with section [[performance]]."),
        T("{%p endif %}"),
        AH("Governance and Reporting"),
        T("{%p if spec.governance %}"),
        AC("{{ spec.governance }}"),
        T("{%p else %}"),
        AC("The Function is overseen by the {{ governance.board }} in accordance with section [[governance]]. The "
           "{{ terms.deliverer }} shall report to the {{ governance.board }} on the delivery, performance, finance "
           "and risks of the Function in each Police Area, in accordance with section [[performance]]."),
        T("{%p endif %}"),
        T("{%p if spec.reporting %}"),
        AC("{{ spec.reporting }}"),
        T("{%p endif %}"),
        *budget_and_apportionment(),
    ]


def budget_and_apportionment() -> list:
    """The budget and the cost apportionment of a Function: the same in every annex that has a budget."""
    return [
        AH("Budget"),
        T("{%p if function.budget %}"),
        AC("The annual budget of the Function is {{ function.budget }}. It is held by the {{ terms.lead_body }} and "
           "administered in accordance with section [[finance]]."),
        T("{%p else %}"),
        AC("No separate budget is held for the Function; its costs are met within the budgets of the Parties."),
        T("{%p endif %}"),
        AH("Cost Apportionment"),
        T("{%p if apportionment.rows %}"),
        AC("The cost of the Function is apportioned between the Policing Bodies in accordance with section "
           "[[cost_apportionment]]."),
        AC("{{ apportionment.formula_text }}"),
        T("{%p if apportionment.inputs %}"),
        AC("The formula is applied to the following figures."),
        T("{%p endif %}"),
        T("{%p for input in apportionment.inputs %}"),
        B("**{{ input.label }}**"),
        Table(like=(ROOT / "annexes" / "service_specification.docx", 0), rows=(
            (P("Table Heading", "Force"),
             P("Table Heading", "{{ input.label }}{% if input.unit %} ({{ input.unit }}){% endif %}")),
            (P("Table Text", "{%tr for row in input.rows %}"), P("Table Text", "")),
            (P("Table Text", "{{ row.force }}"), P("Table Text", "{{ row.value }}")),
            (P("Table Text", "{%tr endfor %}"), P("Table Text", "")),
            (P("Table Heading", "Total"), P("Table Heading", "{{ input.total }}")),
        )),
        T("{%p endfor %}"),
        AC("{{ apportionment.table_intro }}"),
        Table(like=(ROOT / "annexes" / "service_specification.docx", 1), rows=(
            (P("Table Heading", "Force"), P("Table Heading", "Share"), P("Table Heading", "Annual Contribution")),
            (P("Table Text", "{%tr for row in apportionment.rows %}"), P("Table Text", ""), P("Table Text", "")),
            (P("Table Text", "{{ row.force }}"), P("Table Text", "{{ row.share }}"),
             P("Table Text", "{{ row.contribution }}")),
            (P("Table Text", "{%tr endfor %}"), P("Table Text", ""), P("Table Text", "")),
            (P("Table Heading", "Total"), P("Table Heading", "{{ apportionment.total_share }}"),
             P("Table Heading", "{{ apportionment.total_contribution }}")),
        )),
        AC("{{ apportionment.rounding_text }}"),
        AC("Contributions are payable in accordance with section [[finance]], and the apportionment is reviewed "
           "annually in accordance with section [[cost_apportionment]]."),
        T("{%p else %}"),
        AC("The cost of the Function is not apportioned separately between the Policing Bodies; it is met in "
           "accordance with section [[finance]]."),
        T("{%p endif %}"),
    ]


ARMED_POLICING = [
    AH("Armed Policing Standards"),
    AC("The Lead Chief Officer shall deliver armed policing throughout the Police Areas in accordance with the Code of "
       "Practice on the Police Use of Firearms and Less Lethal Weapons and the College of Policing’s Authorised "
       "Professional Practice (APP) on armed policing."),
    AC("The numbers of Authorised Firearms Officers, armed response vehicles and specialist firearms capabilities "
       "shall be determined by the armed policing strategic threat and risk assessment, which the Lead Chief Officer "
       "shall prepare each year for the Police Areas together and the Chief Officers approve."),
    AC("Authorised Firearms Officers shall be selected, trained, accredited and re-accredited in accordance with the "
       "national police firearms training curriculum at a training facility licensed by the College of Policing. An "
       "officer whose accreditation has lapsed shall not be deployed as an Authorised Firearms Officer."),
    AH("Command and Authorisation"),
    AC("The Lead Chief Officer shall maintain a rota that ensures that an accredited Strategic Firearms Commander, "
       "Tactical Firearms Commander and Operational Firearms Commander are available at all times for firearms "
       "operations in each of the Police Areas."),
    AC("The deployment of Authorised Firearms Officers shall be authorised by an Authorising Officer of the rank and "
       "accreditation required by the APP, drawn from the agreed rota whichever Force he or she belongs to."),
    AC("Authorisations, command decisions and the rationale for them shall be recorded in accordance with the APP, "
       "and the Lead Chief Officer shall keep the records and make them available to the Chief Officer of the "
       "Police Area concerned."),
    AH("Post-incident Procedures"),
    AC("After a police discharge of a firearm, or any other incident to which the post-incident procedures in the APP "
       "apply, those procedures shall be followed, and any referral to the Independent Office for Police Conduct "
       "shall be made as the law requires."),
    AC("The costs of post-incident procedures and of any resulting investigation, inquest or claim are liabilities "
       "arising from the delivery of the Function and are shared in accordance with section [[liabilities]]."),
    AH("Firearms Licensing"),
    AC("The grant, renewal and revocation of firearm and shotgun certificates under the Firearms Act 1968 is not part "
       "of this Function and remains with the firearms licensing arrangements of each Chief Officer."),
    AC("The Lead Chief Officer shall share with those arrangements any information from armed deployments that is "
       "relevant to the suitability of a certificate holder."),
]

MAJOR_CRIME = [
    AH("Investigation Standards"),
    AC("The Major Crime Unit shall investigate homicide, suspicious deaths and other major crime throughout the "
       "Police Areas in accordance with the College of Policing’s Authorised Professional Practice on major "
       "investigation and the Murder Investigation Manual."),
    AC("Each major investigation shall be led by a Senior Investigating Officer accredited at level 3 of the "
       "Professionalising Investigation Programme, appointed by the head of the Major Crime Unit."),
    AC("The category of each investigation shall be determined in accordance with the Authorised Professional "
       "Practice and shall set the minimum resources assigned to it."),
    AH("Major Incident Room"),
    AC("Each major investigation shall be supported by a major incident room operating in accordance with the Major "
       "Incident Room Standardised Administrative Procedures (MIRSAP)."),
    AC("The Lead Chief Officer shall maintain the Home Office Large Major Enquiry System (HOLMES), trained HOLMES "
       "staff and the capacity to run the number of concurrent incident rooms set out in the Service Levels."),
    AH("Responsibilities in the Police Area Where an Offence Occurs"),
    AC("Until the Senior Investigating Officer takes responsibility, the Chief Officer for the Police Area in which a "
       "major crime occurs shall provide the initial response, including the preservation of life, scenes and "
       "evidence."),
    AC("That Chief Officer shall support the investigation with local resources, family liaison where requested and "
       "a community impact assessment, and shall be kept informed of the investigation, including the gold group and "
       "the media strategy."),
    AH("Reviews and Exceptional Costs"),
    AC("Undetected homicides shall be reviewed at 28 days, and thereafter as the Authorised Professional Practice "
       "requires, by a reviewing officer independent of the investigation."),
    AC("Where the cost of an investigation may qualify for special grant, the Lead Chief Officer shall prepare the "
       "application to the Home Office on behalf of the Policing Body of the Police Area concerned. Costs not met by "
       "special grant are shared in accordance with the cost apportionment below unless the Parties agree "
       "otherwise."),
]

NO_SPECIFICATION = [
    B("No service specification has yet been agreed for this business area."),
    B("{{ function.reason }}"),
    B("Until a Service Specification is agreed and incorporated into Part B by a variation of this Agreement, the "
      "Function continues to be delivered in accordance with section [[scope]]."),
    T("{%p if function.budget %}"),
    *budget_and_apportionment(),
    T("{%p endif %}"),
]


def edit_annex(path: Path, own: list) -> Template:
    t = Template(path)
    title = t.first()  # the Annex Title
    t.stretch(title, None, [*annex_opening(), *own, *annex_closing()], path.stem)
    return t


def edit_no_specification(path: Path) -> Template:
    t = Template(path)
    title = t.first()
    t.stretch(title, None, NO_SPECIFICATION, path.stem)
    return t


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

EDITS = [
    ("templates/umbrella.docx", edit_umbrella),
    ("annexes/service_specification.docx", lambda p: edit_annex(p, [])),
    ("annexes/armed_policing.docx", lambda p: edit_annex(p, ARMED_POLICING)),
    ("annexes/major_crime.docx", lambda p: edit_annex(p, MAJOR_CRIME)),
    ("annexes/no_specification.docx", edit_no_specification),
    # templates/decision_notice.docx: its body is stated whole by issue16.py (what a Commissioner's office writes)
]


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    root = Path(argv[argv.index("--root") + 1]) if "--root" in argv else ROOT
    status = 0
    for name, edit in EDITS:
        path = root / name
        try:
            template = edit(path)
        except EditError as exc:
            print(f"{name}: {exc}; nothing written", file=sys.stderr)
            return 1
        if not template.changes:
            print(f"{name}: reads as stated")
            continue
        if check_only:
            print(f"{name}: {len(template.changes)} differences, e.g. {template.changes[0]}")
            status = 1
            continue
        template.save()
        print(f"{name}: {len(template.changes)} edits", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
