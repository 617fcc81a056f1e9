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
- parties, recitals and execution that contradict `provisions`, and obligations on persons who
  are not parties (the chief officers of a policing-body-only agreement);
- terms used but never defined, a defined term that misnames its holder ("Lead Commissioner" for
  a mayor), "a corporation sole" for a body that is not one;
- money: the total budget not shown in Part B, the same shares printed twice, "(£)" beside "£",
  Contributions that do not follow the shares shown with nothing saying why, a part first year;
- small ones: "the The", straight apostrophes and lower-case defined terms in the product's own
  wording (the YAML's text is printed as written and is not the product's fault).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
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
    user_texts: list[str] = field(default_factory=list)  # text written in the YAML, printed as written

    @property
    def chief_officers_are_parties(self) -> bool:
        return "force" in self.provisions or "policing_body_and_force" in self.provisions

    @property
    def parties(self) -> int:
        return len(self.forces) * (2 if self.chief_officers_are_parties else 1)

    @property
    def lead_body(self) -> str:
        return self.policing_bodies[self.forces.index(self.lead_force)]


@dataclass(frozen=True)
class Para:
    index: int
    style: str
    text: str
    number: str  # "8.2", "8" for a section heading, "" when unnumbered
    part: str  # "front", "A", "execution", "appendix", "B"
    annex: str  # annex title when in Part B
    in_table: bool = False
    fields: tuple = ()  # (instruction, result) of each complex field, in order
    bookmarks: tuple = ()  # names of the bookmarks that start in the paragraph


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
            in_table = any(a.tag == f"{W}tc" for a in el.iterancestors())
            marks = tuple(b.get(f"{W}name") for b in el.iter(f"{W}bookmarkStart"))
            out.append(Para(len(out), style, text, number, part, annex, in_table, _fields(el), marks))
    return out


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _fields(p) -> tuple:
    """Return (instruction, result) of each complex field of a paragraph, read from its runs."""
    out, instr, result, state = [], [], [], None
    for node in p.iter(f"{W}fldChar", f"{W}instrText", f"{W}t"):
        if node.tag == f"{W}fldChar":
            kind = node.get(f"{W}fldCharType")
            if kind == "begin":
                instr, result, state = [], [], "code"
            elif kind == "separate":
                state = "result"
            elif kind == "end" and state:
                out.append(("".join(instr).strip(), "".join(result)))
                state = None
        elif node.tag == f"{W}instrText" and state == "code":
            instr.append(node.text or "")
        elif node.tag == f"{W}t" and state == "result":
            result.append(node.text or "")
    return tuple(out)


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


_DEFINITION = re.compile(r"“([^”]{1,60})”\s+(?:means|has the meaning|includes)|(?:[Tt]ogether(?: they are)?|[Ee]ach of them is) (?:the |an? )?“([^”]{1,60})”"
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


_NOT_A_COUNT = re.compile(r"(?:fewer than|more than|at least|at most|not less than)\s+$")


def number_blind(paras: list[Para], facts: Facts) -> list[Finding]:
    """Wording follows the number of forces and of parties (a statutory "two or more" is no count)."""
    n, m = len(facts.forces), facts.parties
    out = []
    patterns = [(r"\ball (?:the )?two\b", "“all two”"), (r"\bboth of the (?:three|four|five|six|\d+)\b", "“both” of more than two")]
    if n == 2:
        patterns += [(r"“(?:Forces?|Chief Officers?|Policing Bod(?:y|ies)|Police Areas?)” means[^;]*\bany of them",
                      "“any of them” of two"),
                     (r"\b[Ee]ach other (?:Chief Officer|Policing Body|Force)\b", "“each other” when there is only one other"),
                     (r"\bany of the (?:Forces|Policing Bodies|Chief Officers)\b", "“any of” two"),
                     (r"\bamong the (?:Forces|Policing Bodies|Chief Officers)\b", "“among” two"),
                     (r"\bthe other (?:Policing Bodies|Chief Officers|Forces)\b", "“the other” plural when there is one other"),
                     (r"\ball the (?:Forces|Policing Bodies|Chief Officers)\b", "“all” of two")]
    else:
        patterns += [(r"“(?:Forces?|Chief Officers?|Policing Bod(?:y|ies)|Police Areas?)” means[^;]*\beither of them",
                      f"“either of them” of {n}"),
                     (r"\b[Tt]he other (?:Policing Body|Chief Officer|Force)\b(?! concerned)", f"“the other” one of {n}"),
                     (r"\bboth (?:Forces|Policing Bodies|Chief Officers)\b", f"“both” of {n}")]
    if m == 2:
        patterns += [(r"\b[Ee]ach other Party\b", "“each other Party” when there is only one other"),
                     (r"\bthe other Parties\b", "“the other Parties” when there is one other"),
                     (r"\ball the Parties\b", "“all the Parties” of two")]
    else:
        patterns += [(r"\b[Tt]he other Party\b", f"“the other Party” of {m} parties"),
                     (r"\bboth Parties\b", f"“both Parties” of {m}")]
    for p in paras:
        if p.text in facts.user_texts:
            continue
        for rx, why in patterns:
            if re.search(rx, p.text):
                out.append(Finding("number-blind", _where(p), p.text, why))
        for m_ in re.finditer(r"\b(two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(forces|force areas|Forces|Police Areas|counties|Policing Bodies|Chief Officers|policing bodies|chief officers|Parties)\b", p.text):
            if _NOT_A_COUNT.search(p.text[:m_.start()]) or re.match(r"\s*or more", p.text[m_.end():]):
                continue
            word = m_.group(1)
            value = int(word) if word.isdigit() else NUMBER_WORDS.index(word)
            wanted = m if m_.group(2) == "Parties" else n
            if value != wanted:
                out.append(Finding("number-blind", _where(p), p.text, f"“{m_.group(0)}” in an alliance of {n} forces"))
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


_CHIEF_SUBJECT = re.compile(r"(?:^|[.;:]\s+|\band\s+|\bthat\s+)(?:[Tt]he |[Ee]ach |[Aa] |[Aa]ny )?(?:other )?(?:Lead )?Chief "
                            rf"Officers?\s+{_MODAL}\b|\bChief Officers are joint controllers")


def provisions_respected(paras: list[Para], facts: Facts) -> list[Finding]:
    """Parties, recitals, definitions and execution follow from `provisions` (s22A(1), (2)); nobody who is not
    a party bears an obligation."""
    out = []
    if not facts.chief_officers_are_parties:
        for p in paras:
            if any(title in p.text for title in facts.chief_officers) and (p.style == "Party" or p.text.startswith("Signed by")):
                out.append(Finding("provisions", _where(p), p.text, "a chief officer is a party to a policing-body-only agreement"))
            if re.search(r"participation section 22A of the Act requires", p.text) and "chief officer" in p.text.lower():
                out.append(Finding("provisions", _where(p), p.text, "says chief officers' participation is required"))
            if p.text in facts.user_texts or p.part not in ("front", "A", "B", "appendix"):
                continue
            m = _CHIEF_SUBJECT.search(p.text)
            if m:
                out.append(Finding("non-party", _where(p), p.text, f"an obligation on a chief officer, who is not a party: “{m.group(0).strip()}”"))
    if "force" not in facts.provisions:
        for p in paras:
            if p.text in facts.user_texts:
                continue
            if re.search(r"direction and control of the Lead Chief Officer|under the direction and control of the", p.text):
                out.append(Finding("provisions", _where(p), p.text, "places persons under direction and control without force collaboration provision"))
            after = p.text.split("contains", 1)[1].split(".", 1)[0] if "contains" in p.text else ""
            if re.search(r"(?<!\bno )(?<!body and )\bforce collaboration provision", after) and p.part in ("front", "A"):
                out.append(Finding("provisions", _where(p), p.text, "claims force collaboration provision it does not make"))
    return out


def small_faults(paras: list[Para], facts: Facts) -> list[Finding]:
    out = []
    for p in paras:
        if re.search(r"\b[Tt]he [Tt]he\b", p.text):
            out.append(Finding("the-the", _where(p), p.text, "“the The”"))
        if p.text in facts.user_texts:
            continue  # printed as the YAML wrote it
        if re.search(r"\w'\w", p.text):
            out.append(Finding("apostrophe", _where(p), p.text, "a straight apostrophe in the agreement's own wording"))
        if re.search(r"\b(?:the|each|every|all|any) (?:function|functions|force|forces|force's|force’s)\b", p.text) and p.part in ("A", "B"):
            out.append(Finding("lower-case-term", _where(p), p.text, "a defined term (Function, Force) in lower case"))
    return out


#: Terms the agreement uses as defined terms: (how it is used, the forms that define it).
TERMS = [
    ("Lead Chief Officer", ("Lead Chief Officer",)), ("Lead Commissioner", ("Lead Commissioner",)),
    ("Lead Policing Body", ("Lead Policing Body",)), ("Lead Force", ("Lead Force",)),
    ("Chief Officers?", ("Chief Officers", "Chief Officer")), ("Policing Bod(?:y|ies)", ("Policing Bodies", "Policing Body")),
    ("Part(?:y|ies)", ("Party", "Parties")), ("Forces?", ("Forces", "Force")), ("Functions?", ("Functions", "Function")),
    ("Police Areas?", ("Police Areas", "Police Area")), ("Contributions?", ("Contribution",)),
    ("Financial Year", ("Financial Year",)), ("Service Specifications?", ("Service Specification",)),
    ("Commencement Date", ("Commencement Date",)), ("Net Revenue Expenditure", ("Net Revenue Expenditure",)),
    ("Chief Finance Officers", ("Chief Finance Officers",)), ("Statutory Guidance", ("Statutory Guidance",)),
]


def undefined_terms(paras: list[Para], facts: Facts) -> list[Finding]:
    """Every defined term the operative text uses is defined (once: see defined_twice)."""
    defined = set(defined_terms(paras))
    out, seen = [], set()
    for p in paras:
        if p.part not in ("A", "B", "appendix") or p.text in facts.user_texts:
            continue
        for used, forms in TERMS:
            if used in seen or not any(f in p.text for f in forms if f[:1].isupper()) and not re.search(used, p.text):
                continue
            m = re.search(rf"(?<![“\w])(?:the |a |an |each |any |every |other )?({used})(?![\w”’])", p.text)
            if m and not any(f in defined for f in forms) and not p.text.startswith(m.group(1) + " "):
                seen.add(used)
                out.append(Finding("undefined-term", _where(p), p.text, f"“{m.group(1)}” is used but never defined"))
    return out


_NOT_CORPORATION_SOLE = re.compile(r"^(?:Common Council|Mayor of )")


def misnomers(paras: list[Para], facts: Facts) -> list[Finding]:
    """A defined term must fit its holder; a party is called a corporation sole only if it is one."""
    out = []
    defined = defined_terms(paras)
    if "Lead Commissioner" in defined and "Commissioner" not in facts.lead_body:
        p = defined["Lead Commissioner"][0]
        out.append(Finding("misnomer", _where(p), p.text, f"“Lead Commissioner” names the {facts.lead_body}"))
    for p in paras:
        if p.style == "Party" and "corporation sole" in p.text:
            title = next((t for t in facts.policing_bodies + facts.chief_officers if t in p.text), "")
            if _NOT_CORPORATION_SOLE.match(title):
                out.append(Finding("misnomer", _where(p), p.text, f"the {title} is not a corporation sole"))
    return out


_MONEY = re.compile(r"£([\d,]+\.\d{2})")


def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _tables(path: str | Path) -> list[tuple[str, list[list[str]]]]:
    """Return each table of Part B with the annex it is in: its rows as lists of cell texts."""
    document = docx.Document(str(path))
    out, annex = [], ""
    for block in document.element.body.iterchildren():
        if block.tag == f"{W}p":
            style = block.find(f"{W}pPr/{W}pStyle")
            if style is not None and style.get(f"{W}val") == "AnnexTitle":
                annex = "".join(t.text or "" for t in block.iter(f"{W}t"))
        elif block.tag == f"{W}tbl" and annex:
            rows = [["".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in tr.iter(f"{W}tc")] for tr in block.iter(f"{W}tr")]
            out.append((annex, rows))
    return out


def money(paras: list[Para], facts: Facts, tables: list | None = None) -> list[Finding]:
    """Part B shows every pound of the total in 12.1, each figure once, in a way that adds up, and says how."""
    out = []
    total = next((p for p in paras if p.part == "A" and "total annual budget of the Functions" in p.text), None)
    shown = [_money(m.group(1)) for p in paras if p.part == "B" for m in [re.search(r"annual budget of the Function is £([\d,]+\.\d{2})", p.text)] if m]
    if total is not None:
        stated = _MONEY.search(total.text)
        if stated and _money(stated.group(1)) != sum(shown, Decimal(0)):
            out.append(Finding("money", _where(total), total.text,
                               f"the total budget {stated.group(0)} is not the sum of the budgets Part B shows (£{sum(shown, Decimal(0)):,})"))
    by_annex: dict[str, list] = {}
    for annex, rows in tables or []:
        by_annex.setdefault(annex, []).append(rows)
        header, body = rows[0], rows[1:]
        if any("(£)" in h for h in header) and any(c.startswith("£") for r in body for c in r):
            out.append(Finding("money", f"Part B, {annex}", " | ".join(header), "“(£)” in the header and “£” in the cells"))
    for annex, tables_ in by_annex.items():
        columns = [{r[0]: r[i] for r in t[1:] if r[0] != "Total"} for t in tables_ for i in range(1, len(t[0]))]
        for i, a in enumerate(columns):
            for b in columns[i + 1:]:
                if a and a == b:
                    out.append(Finding("money", f"Part B, {annex}", "", "the same figures are printed twice"))
        for t in tables_:
            if [h.lower() for h in t[0][1:]] == ["share", "annual contribution"]:
                total_row = next((r for r in t if r[0] == "Total"), None)
                if total_row is None or not _MONEY.search(total_row[2]):
                    continue
                budget = _money(_MONEY.search(total_row[2]).group(1))
                off = [r for r in t[1:] if r[0] != "Total" and _MONEY.search(r[2]) and abs(
                    budget * Decimal(r[1].rstrip("%")) / 100 - _money(_MONEY.search(r[2]).group(1))) >= Decimal("0.01")]
                says = any(p.annex == annex and "exact share" in p.text for p in paras)
                if off and not says:
                    out.append(Finding("money", f"Part B, {annex}", "", f"{off[0][0]}’s Contribution is not its share shown "
                                       "of the budget, and the annex does not say that Contributions follow the exact shares"))
    return out


def section_fields(paras: list[Para], facts: Facts) -> list[Finding]:
    """A cross-reference to a section of Part A is a REF field on its heading's bookmark and reads its number."""
    heading_number = {b: p.number for p in paras if p.style == "Heading 1" and p.part == "A" for b in p.bookmarks}
    out = []
    for p in paras:
        results = []
        for instr, result in p.fields:
            m = re.match(r"REF\s+(_AB_S_\w+)", instr)
            if not m:
                continue
            results.append(result)
            if heading_number.get(m.group(1)) != result:
                out.append(Finding("xref-field", _where(p), p.text, f"the reference to {m.group(1)} reads “{result}”, "
                                   f"not {heading_number.get(m.group(1), 'a section that exists')}"))
        if p.text in facts.user_texts:
            continue
        for m in re.finditer(r"\b[Ss]ections?\s+((?:\d+(?:,\s*|\s+and\s+)?)+)(?!\s*(?:\(\d+\)\s*)?of\b)", p.text):
            for number in re.findall(r"\d+", m.group(1)):
                if number in results:
                    results.remove(number)
                elif not re.match(r"[^.;]*?\bof (?:the )?(?:Act|[A-Z][\w ]+ Act \d{4})", p.text[m.end():]):
                    out.append(Finding("xref-typed", _where(p), p.text, f"section {number} is typed, not a cross-reference field"))
    return out


def pro_rata(paras: list[Para], facts: Facts) -> list[Finding]:
    """A first financial year that starts part-way must say how the first year's contributions are found."""
    if facts.commencement_month_day == (4, 1):
        return []
    if any(re.search(r"pro rata|proportion of the Financial Year|part of a Financial Year", p.text) for p in paras):
        return []
    return [Finding("pro-rata", "Part A", "", "commencement is not 1 April, and nothing says how the first part year is paid")]


CHECKS = [obligations_on_forces, foreign_names, defined_twice, undefined_bodies, cross_references, number_blind,
          placeholders, provisions_respected, small_faults, pro_rata, undefined_terms, misnomers, section_fields]


def review(path: str | Path, facts: Facts) -> list[Finding]:
    """Return every drafting fault found in the rendered agreement at `path`."""
    paras = read_paragraphs(path)
    findings = [finding for check in CHECKS for finding in check(paras, facts)]
    return findings + money(paras, facts, _tables(path))


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
        own_names=[info["reference"], *(v for v in (agreement.get("governance") or {}).values() if isinstance(v, str))],
        user_texts=_user_texts(agreement))


def _user_texts(agreement: dict) -> list[str]:
    """Return the texts the YAML gives that the agreement prints as written (specifications, clauses, reasons)."""
    out: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            out.append(" ".join(value.split()))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for fn in agreement.get("functions") or []:
        walk(fn.get("specification") if isinstance(fn.get("specification"), dict) else None)
        walk(fn.get("reason"))
    walk(agreement.get("clauses") or {})
    return out
