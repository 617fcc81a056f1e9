"""A test-side reviewer: reads a rendered agreement as a police lawyer would and flags drafting faults.

Independent of the product's code: it opens the .docx with python-docx, numbers Part A as Word
would (Heading 1 = section, Clause = n.m), and knows of the alliance only the facts a reader
has (forces, corporations sole, provisions, dates). Each check is one function returning
`Finding`s; `review` runs them all. The classes of fault are those of issue 13:

- obligations resting on a police force (a force is not a legal person);
- names from another alliance, and capitalised bodies nobody defined;
- a term defined twice; a cross-reference in words, or to a number that does not exist;
- wording blind to the number of forces or parties;
- placeholder sentences (service levels reported that do not exist, circular definitions);
- parties, recitals and execution that contradict `provisions`;
- small ones: "the The", straight apostrophes, lower-case defined terms, "(£)" beside "£".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import docx

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]

#: Bodies of the example alliance that must never appear in another alliance's agreement.
EXAMPLE_BODIES = ["Strategic Alliance Summit", "Joint Chief Officer Board", "Bedfordshire, Cambridgeshire and Hertfordshire",
                  "Business Coordination Board", "BCH"]


#: Bodies outside any alliance that an agreement may name without defining them.
PUBLIC_BODIES = ["Local Resilience Forum", "Police and Crime Panel", "Independent Office for Police Conduct",
                 "Joint Audit Committee", "National Police Chiefs’ Council"]


@dataclass(frozen=True)
class Facts:
    """What a reader knows of the alliance an agreement is for."""

    forces: list[str]  # force names, in order
    areas: list[str]
    chief_officers: list[str]  # titles of the corporations sole
    policing_bodies: list[str]
    lead_force: str
    provisions: list[str]
    alliance: str
    functions: list[str]
    commencement_month_day: tuple[int, int] = (4, 1)
    other_names: list[str] = field(default_factory=list)  # names of forces/bodies NOT in this alliance
    own_names: list[str] = field(default_factory=list)  # further names the agreement may use (governance bodies ...)


@dataclass(frozen=True)
class Para:
    index: int
    style: str
    text: str
    number: str  # "8.2", "8" for a section heading, "" when unnumbered
    part: str  # "front", "A", "execution", "appendix", "B"
    annex: str  # annex title when in Part B
    in_table: bool = False


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str
    text: str
    why: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where}: {self.why}\n    {self.text[:160]}"


# ---------------------------------------------------------------------------- reading


def read_paragraphs(path: str | Path) -> list[Para]:
    """Return the body's paragraphs (tables' cells included) with Part A numbers computed as Word shows them."""
    document = docx.Document(str(path))
    body = document.element.body
    out: list[Para] = []
    section = clause = 0
    part, annex = "front", ""
    for el in body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        p = docx.text.paragraph.Paragraph(el, document)
        style = p.style.name if p.style is not None else ""
        text = p.text
        number = ""
        if style == "Part Heading":
            part = "A" if "PART A" in text.upper() else "B"
        elif style == "Heading 1" and part == "A":
            section += 1
            clause = 0
            number = str(section)
        elif style == "Clause" and part == "A":
            clause += 1
            number = f"{section}.{clause}"
        elif style in ("Appendix Title",):
            part = "execution" if text.strip().lower().startswith("execution") else "appendix"
        elif style == "Annex Title":
            part, annex = "B", text
        if text.strip():
            in_table = any(a.tag == "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tc" for a in el.iterancestors())
            out.append(Para(len(out), style, text, number, part, annex, in_table))
    return out


def _where(p: Para) -> str:
    if p.number:
        return f"clause {p.number}" if "." in p.number else f"section {p.number}"
    if p.part == "B":
        return f"Part B, {p.annex}"
    return {"front": "front matter", "execution": "execution page", "appendix": "appendices", "A": "Part A"}.get(p.part, p.part)


# ---------------------------------------------------------------------------- checks


_MODAL = r"(?:shall|must|will|may|is to|is responsible|is liable|agrees|undertakes|provides|delivers|holds|keeps|hosts|procures|manages|reports|conducts|investigates|maintains|pays)"


def obligations_on_forces(paras: list[Para], facts: Facts) -> list[Finding]:
    """A force is not a legal person: no force may bear an obligation, a right or a payment."""
    names = [re.escape(n) for n in facts.forces]
    force = r"(?:[Tt]he Lead Force|[Tt]he Forces?|[Ee]ach Force|[Aa]ny Force|[Aa] Force|[Aa]nother Force|" + "|".join(names) + r")"
    subject = re.compile(rf"(?:^|[.;:]\s+|\bwhich\b\s*|\band\s+){force}(?:,\s*(?:as|being) (?:the )?Lead Force,)?\s+{_MODAL}\b")
    relative = re.compile(rf"{force},\s+which\s+{_MODAL}\b")
    objects = re.compile(rf"\b(?:indemnify|notify|pay|reimburse|compensate|consult|inform|refer [^.]{{0,40}}? to)\s+{force}\b")
    out = []
    for p in paras:
        for rx, why in ((subject, "a force as the subject of an obligation"), (relative, "a force as the subject of an obligation"),
                        (objects, "a force as the holder of a right or the payee")):
            m = rx.search(p.text)
            if m:
                out.append(Finding("force-obligation", _where(p), p.text, f"{why}: “{m.group(0).strip()}”"))
                break
    return out


def foreign_names(paras: list[Para], facts: Facts) -> list[Finding]:
    """Names of another alliance's forces, areas or bodies (the example's included) must not appear."""
    own = sorted({*facts.forces, *facts.areas, *facts.chief_officers, *facts.policing_bodies, facts.alliance,
                  *facts.functions, *facts.own_names}, key=len, reverse=True)
    foreign = sorted({n for n in [*facts.other_names, *EXAMPLE_BODIES] if n and not any(n in o for o in own)},
                     key=len, reverse=True)
    out = []
    for p in paras:
        text = p.text
        for name in own:
            text = text.replace(name, "\0")
        for name in foreign:
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text):
                out.append(Finding("foreign-name", _where(p), p.text, f"“{name}” belongs to another alliance"))
                break
    return out


_DEFINITION = re.compile(r"“([^”]{1,60})”\s+(?:means|has the meaning|includes)|(?:together|each of them is) (?:the |an? )?“([^”]{1,60})”"
                         r"|\((?:the |each a |together the )?“([^”]{1,60})”\)|, and “([^”]{1,60})” means")


def defined_terms(paras: list[Para]) -> dict[str, list[Para]]:
    terms: dict[str, list[Para]] = {}
    for p in paras:
        for m in _DEFINITION.finditer(p.text):
            term = next(g for g in m.groups() if g)
            terms.setdefault(term, []).append(p)
    return terms


def defined_twice(paras: list[Para], facts: Facts) -> list[Finding]:
    out = []
    for term, where in defined_terms(paras).items():
        if len(where) > 1:
            out.append(Finding("defined-twice", _where(where[1]), where[1].text,
                               f"“{term}” is defined {len(where)} times ({', '.join(_where(w) for w in where)})"))
    return out


_BODY = re.compile(r"\b(?:the\s+)?((?:[A-Z][a-z’'-]+\s+){1,4}(?:Board|Summit|Group|Committee|Panel|Forum|Meeting))\b")


def undefined_bodies(paras: list[Para], facts: Facts) -> list[Finding]:
    """A capitalised body (a board, a summit ...) used in the operative text must be defined or be the alliance's own name."""
    defined = set(defined_terms(paras))
    own = {*facts.own_names, facts.alliance, *PUBLIC_BODIES}
    out, seen = [], set()
    for p in paras:
        if p.part not in ("A", "B", "appendix"):
            continue
        for m in _BODY.finditer(p.text):
            name = m.group(1).strip()
            if name.split()[0] in ("The", "A", "An", "Each", "Any", "This", "That"):
                name = name.split(" ", 1)[1] if " " in name else name
            if " " not in name:  # "the Board": a short form of a defined board
                continue
            if name in defined or any(name.endswith(d) for d in defined) or any(name in o for o in own) or name in seen:
                continue
            seen.add(name)
            out.append(Finding("undefined-body", _where(p), p.text, f"“{name}” is used but never defined"))
    return out


_WORDS_XREF = re.compile(r"\b(?:the\s+)?((?:[A-Z][\w’'-]*(?:,?\s+(?:and\s+)?)?){1,6})\s+provisions\b|\bprovisions on ((?:[A-Z][\w-]*[ ,]*(?:and )?)+)")
_NUMBER_XREF = re.compile(r"\b(?:section|clause|Section|Clause)s?\s+(\d+(?:\.\d+)?)")


def cross_references(paras: list[Para], facts: Facts) -> list[Finding]:
    """Cross-references are by number (Word fields on the section anchors) and point at something that exists."""
    numbers = {p.number for p in paras if p.number}
    out = []
    for p in paras:
        m = _WORDS_XREF.search(p.text)
        if m and not re.search(r"\b(?:these|those|its|this)\s+provisions", m.group(0)):
            out.append(Finding("xref-in-words", _where(p), p.text, f"a cross-reference in words: “{m.group(0)}”"))
        for n in _NUMBER_XREF.findall(p.text):
            preceding = p.text[: p.text.find(n)]
            if re.search(r"(?:of|under|in) the (?:Act|[A-Z][\w ]+ Act \d{4}|Regulations)[^.]*$", preceding[-60:]) or \
                    re.search(r"\bsections?\s+[\d, A-Z]+(?:and\s+)?$", preceding[-40:]) and re.search(r"of the (Act|[A-Z][\w ]+ Act)", p.text):
                continue  # a statute's section, not ours
            if re.search(rf"\b{re.escape(n)}\b[^.;]*?\bof (?:the )?(?:Act|[A-Z][\w ]+ Act \d{{4}})", p.text):
                continue
            if n not in numbers:
                out.append(Finding("xref-dangling", _where(p), p.text, f"refers to {n}, which does not exist"))
    return out


def number_blind(paras: list[Para], facts: Facts) -> list[Finding]:
    """Wording follows the number of forces and parties."""
    n = len(facts.forces)
    out = []
    patterns = [(r"\ball (?:the )?two\b", "“all two”"), (r"\bboth of the (?:three|four|five|six|\d+)\b", "“both” of more than two")]
    if n == 2:
        patterns += [(r"“Forces?” means[^;]*any of them", "“any of them” of two"),
                     (r"\b[Ee]ach other (?:Chief Officer|Policing Body|Force|Party)\b", "“each other” when there is only one other"),
                     (r"\bany of the (?:Forces|Policing Bodies|Chief Officers)\b", "“any of” two"),
                     (r"\bamong the (?:Forces|Policing Bodies|Chief Officers)\b", "“among” two")]
    for p in paras:
        for rx, why in patterns:
            if re.search(rx, p.text):
                out.append(Finding("number-blind", _where(p), p.text, why))
        for m in re.finditer(r"\b(two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(forces|force areas|Forces|Police Areas|counties|Policing Bodies|Chief Officers|policing bodies|chief officers)\b", p.text):
            word = m.group(1)
            value = int(word) if word.isdigit() else NUMBER_WORDS.index(word)
            if value != n:
                out.append(Finding("number-blind", _where(p), p.text, f"“{m.group(0)}” in an alliance of {n} forces"))
    return out


def placeholders(paras: list[Para], facts: Facts) -> list[Finding]:
    """No sentence stands in for terms that were never given."""
    out = []
    for k, p in enumerate(paras):
        if re.search(r"\bthese service levels\b", p.text):
            previous = paras[k - 1] if k else None
            if previous is None or "Heading" in previous.style or "Title" in previous.style:
                out.append(Finding("placeholder", _where(p), p.text, "reports on service levels that are not there"))
        if re.search(r"those delivered by the Lead Force for this business area", p.text):
            out.append(Finding("placeholder", _where(p), p.text, "a circular description of the services"))
        if "Heading" in p.style and not p.in_table and p.part == "B" and k + 1 < len(paras) \
                and ("Heading" in paras[k + 1].style or "Title" in paras[k + 1].style):
            out.append(Finding("placeholder", _where(p), p.text, "a heading with nothing under it"))
    return out


def provisions_respected(paras: list[Para], facts: Facts) -> list[Finding]:
    """Parties, recitals, definitions and execution follow from `provisions` (s22A(1), (2))."""
    out = []
    chiefs_party = "force" in facts.provisions or "policing_body_and_force" in facts.provisions
    if not chiefs_party:
        for p in paras:
            if any(title in p.text for title in facts.chief_officers) and (p.style == "Party" or p.text.startswith("Signed by")):
                out.append(Finding("provisions", _where(p), p.text, "a chief officer is a party to a policing-body-only agreement"))
            if re.search(r"participation section 22A of the Act requires", p.text) and "chief officer" in p.text.lower():
                out.append(Finding("provisions", _where(p), p.text, "says chief officers' participation is required"))
            if re.search(r"direction and control of the Lead Chief Officer|under the direction and control", p.text):
                out.append(Finding("provisions", _where(p), p.text, "places officers under direction and control without force collaboration provision"))
    if "force" not in facts.provisions:
        for p in paras:
            if re.search(r"contains\b[^.]*\bforce collaboration provision", p.text) and not re.search(
                    r"policing body and force collaboration provision", p.text.split("contains", 1)[1][:60]):
                if p.part in ("front", "A"):
                    out.append(Finding("provisions", _where(p), p.text, "claims force collaboration provision it does not make"))
    return out


def small_faults(paras: list[Para], facts: Facts) -> list[Finding]:
    out = []
    for p in paras:
        if re.search(r"\b[Tt]he [Tt]he\b", p.text):
            out.append(Finding("the-the", _where(p), p.text, "“the The”"))
        if re.search(r"\w'\w", p.text):
            out.append(Finding("apostrophe", _where(p), p.text, "a straight apostrophe in the agreement's own wording"))
        if re.search(r"\b(?:the|each|every|all|any) (?:function|functions|force|forces|force's|force’s)\b", p.text) and p.part in ("A", "B"):
            out.append(Finding("lower-case-term", _where(p), p.text, "a defined term (Function, Force) in lower case"))
    return out


def pro_rata(paras: list[Para], facts: Facts) -> list[Finding]:
    """A first financial year that starts part-way must say how the first year's contributions are found."""
    if facts.commencement_month_day == (4, 1):
        return []
    if any(re.search(r"pro rata|proportion of the Financial Year|part of a Financial Year", p.text) for p in paras):
        return []
    return [Finding("pro-rata", "Part A", "", "commencement is not 1 April, and nothing says how the first part year is paid")]


CHECKS = [obligations_on_forces, foreign_names, defined_twice, undefined_bodies, cross_references, number_blind,
          placeholders, provisions_respected, small_faults, pro_rata]


def review(path: str | Path, facts: Facts) -> list[Finding]:
    """Return every drafting fault found in the rendered agreement at `path`."""
    paras = read_paragraphs(path)
    return [finding for check in CHECKS for finding in check(paras, facts)]


def facts_for(parties: dict, agreement: dict, *, all_forces: dict | None = None) -> Facts:
    """Return the reader's facts from a parties mapping and an agreement mapping (as loaded from YAML)."""
    ids = agreement["forces"]
    known = parties["forces"]
    other = []
    for fid, row in (all_forces or {}).items():
        if fid not in ids:
            other += [row[0], row[3]]
    info = agreement["agreement"]
    commencement = str(info["commencement"])
    return Facts(
        forces=[known[f]["name"] for f in ids], areas=[known[f]["area"] for f in ids],
        chief_officers=[known[f]["chief_officer"]["title"] for f in ids],
        policing_bodies=[known[f]["policing_body"]["title"] for f in ids],
        lead_force=known[agreement["lead_force"]]["name"], provisions=list(agreement["provisions"]),
        alliance=info["alliance"], functions=[fn["name"] for fn in agreement.get("functions", [])],
        commencement_month_day=(int(commencement[5:7]), int(commencement[8:10])), other_names=other,
        own_names=[info["reference"], *(v for v in (agreement.get("governance") or {}).values() if isinstance(v, str))])
