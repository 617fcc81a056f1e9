"""The amendments that turn a signed agreement (OLD) into its new version (NEW), in UK drafting forms.

Why from the rendered documents: an amendment must change what the signed agreement *says*,
word for word, so it is computed from the two agreements as rendered (render.py's one render
path, read by citations.py with the numbers Word shows), aligned on the stable ids they carry
(sections, agreement clauses, Service Specifications) and, for the templates' own clauses, on
their text (textdiff's bounded alignment and similarity pairing, the change set's word diff).
Every amendment cites OLD's numbers, in OLD's order; the renumbering clause of the variation
covers the numbers that move. A lead force changed everywhere is one grouped amendment per
distinct substitution ("in each place it occurs"), not one per occurrence.

The forms (docs/variation.md) are exact so that a reader, or a program, can apply them:

- In clause 8.2, for “A” substitute “B”. / omit “A”. (A and the space before it) /
  after “A” insert “B”. (a space and B, after A); each quote occurs once in the text it
  amends, as amended by the amendments before it.
- In clauses 6.1, 7.3(c) and 8.2, for “A” substitute “B” in each place it occurs.
- For clause 31.6 substitute— / After clause 8.4 insert— / Before clause 8.1 insert—, then the
  text with its number; Omit clause 12.3.; sub-clauses as clause 7.3(c); definitions as
  In clause 1.1, in the definition of “Lead Force”, ...; recitals as recital (C).
- Part B: In paragraph 6.3 of Service Specification 3 (Dog Unit), [in the table[ headed “L”], in
  the row for R,] for “A” substitute “B”.; For Service Specification 3 (Dog Unit) substitute the
  Service Specification set out in Schedule 1.; After Service Specification 4 insert the Service
  Specification set out in Schedule 2.; Omit Service Specification 2 (Name).
- For Appendix 2 (Governance Structure) substitute the Appendix set out in Schedule 3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from . import textdiff
from .citations import Clause, Item, Outline, Paragraph, Specification
from .diff.changeset import SIMILARITY, pair_similar, similarity, word_diff
from .docmodel import tokenize

#: Word-level amendments to one text at most; past this the text is substituted whole.
MAX_WORD_CHANGES = 3
#: Amendments to one Service Specification at most; past this (or a change of its tables' shape)
#: the Service Specification is substituted whole, set out in a Schedule.
MAX_SPECIFICATION_AMENDMENTS = 6


@dataclass(frozen=True)
class Amendment:
    """One numbered amendment: its sentence and, after "substitute—" or "insert—", the text it sets out."""

    text: str
    quoted: tuple[str, ...] = ()  # paragraphs set out, each beginning with its number ("8.5\t...", "(c)\t...")
    schedule: int | None = None  # the Schedule it refers to


@dataclass(frozen=True)
class Schedule:
    """A Schedule of the variation: a Service Specification or an Appendix of NEW, set out in full."""

    number: int
    kind: str  # "specification" | "appendix"
    ident: str  # function id or appendix id (in NEW)
    title: str  # as printed in NEW ("Service Specification 3: Dog Unit")


@dataclass
class Amendments:
    """What `amend` returns: the amendments in order, and the Schedules they refer to."""

    items: list[Amendment] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)

    def schedule(self, kind: str, ident: str, title: str) -> int:
        number = len(self.schedules) + 1
        self.schedules.append(Schedule(number, kind, ident, title))
        return number


def quote(text: str) -> str:
    return f"“{text}”"


def join_and(items: Sequence[str]) -> str:
    """Return "a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------------- alignment


def align(old: Sequence[str], new: Sequence[str], old_texts: Sequence[str] | None = None,
          new_texts: Sequence[str] | None = None, *, pair_rest: bool = True) -> list[tuple[str, int | None, int | None]]:
    """Return the alignment of two lists by keys, then by similar text, as ("same" | "changed" | "omit" | "insert", i, j).

    Keys equal in order are kept; within a replaced stretch, texts similar enough (the change
    set's `SIMILARITY`) pair as one item changed, in order; with `pair_rest`, the items left
    between two pairs pair in order too (one item put in another's place is that item
    substituted); the rest are omitted or inserted.
    """
    old_texts = old_texts if old_texts is not None else old
    new_texts = new_texts if new_texts is not None else new
    out: list[tuple[str, int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in textdiff.opcodes(list(old), list(new)):
        if tag == "equal":
            for k in range(i2 - i1):
                same = old_texts[i1 + k] == new_texts[j1 + k]
                out.append(("same" if same else "changed", i1 + k, j1 + k))
            continue
        pairs = pair_similar(list(old_texts[i1:i2]), list(new_texts[j1:j2]))
        monotone, last = [], -1
        for i, j in pairs:  # sorted by i; keep those in order on both sides
            if j > last:
                monotone.append((i, j))
                last = j
        i, j = i1, j1
        for pi, pj in monotone + [(i2 - i1, j2 - j1)]:
            while pair_rest and i < i1 + pi and j < j1 + pj:
                out.append(("changed", i, j))
                i, j = i + 1, j + 1
            while i < i1 + pi:
                out.append(("omit", i, None))
                i += 1
            while j < j1 + pj:
                out.append(("insert", None, j))
                j += 1
            if i < i2 and j < j2:
                out.append(("changed", i, j))
                i, j = i + 1, j + 1
    return out


# ---------------------------------------------------------------------------- word-level changes


def _prev(text: str, pos: int) -> int:
    """Return where the token ending at `pos` begins."""
    return pos - len(tokenize(text[:pos])[-1]) if pos > 0 else 0


def _next(text: str, pos: int) -> int:
    """Return where the token beginning at `pos` ends."""
    return pos + len(tokenize(text[pos:])[0]) if pos < len(text) else len(text)


def _once(text: str, part: str) -> bool:
    first = text.find(part)
    return first >= 0 and text.find(part, first + 1) < 0


def _trimmed(s: str) -> bool:
    return bool(s) and not s[0].isspace() and not s[-1].isspace() and "“" not in s and "”" not in s


def word_changes(old: str, new: str) -> list[str] | None:
    """Return the phrases that turn `old` into `new` ("for “A” substitute “B”", "omit “A”", "after “A” insert “B”").

    None when the text changed too much for word-level amendments (more than MAX_WORD_CHANGES
    changes, or less alike than the change set's SIMILARITY): it is then substituted whole.
    Each phrase is checked against the text as amended by the phrases before it: its quote
    occurs exactly once there, so applying the phrases in order gives `new` exactly.
    """
    if old == new:
        return []
    ops: list[tuple[int, int, str]] = []  # (start, end) in old, the text put there
    pos = 0
    for op, text in word_diff(old, new):
        if op == "=":
            pos += len(text)
        elif op == "-":
            ops.append((pos, pos + len(text), ""))
            pos += len(text)
        elif ops and ops[-1][1] == pos and (ops[-1][2] == "" or ops[-1][0] == pos):
            start, end, put = ops[-1]
            ops[-1] = (start, end, put + text)
        else:
            ops.append((pos, pos, text))
    if len(ops) > MAX_WORD_CHANGES or similarity(old, new) < SIMILARITY:
        return None
    phrases: list[str] = []
    current, shift = old, 0
    for start, end, put in ops:
        a, b = start + shift, end + shift
        phrase = _phrase(current, a, b, put)
        if phrase is None:
            return None
        phrases.append(phrase)
        current = current[:a] + put + current[b:]
        shift += len(put) - (end - start)
    return phrases if current == new else None


def _phrase(current: str, a: int, b: int, put: str) -> str | None:
    removed = current[a:b]
    # omit “X”: X and the space before it
    if not put and removed.startswith(" ") and _trimmed(removed[1:]) and _once(current, removed[1:]) \
            and current.find(removed[1:]) == a + 1:
        return f"omit {quote(removed[1:])}"
    # after “A” insert “X”: a space and X, after A
    if a == b and put.startswith(" ") and _trimmed(put[1:]) and a > 0 and not current[a - 1].isspace():
        start = _prev(current, a)
        while start > 0 and not (_trimmed(current[start:a]) and _once(current, current[start:a])):
            start = _prev(current, start)
        anchor = current[start:a]
        if _trimmed(anchor) and _once(current, anchor):
            return f"after {quote(anchor)} insert {quote(put[1:])}"
    # for “A” substitute “B”: widened by the words around it until A is found once and both quotes are clean
    left, right, before, after = a, b, "", ""
    step = 0
    while True:
        old_part, new_part = current[left:right], before + put + after
        if _trimmed(old_part) and _trimmed(new_part) and _once(current, old_part):
            return f"for {quote(old_part)} substitute {quote(new_part)}"
        if left == 0 and right == len(current):
            return None
        grow_left = (step % 2 == 0 and left > 0) or right == len(current)
        if grow_left or (old_part and old_part[0].isspace()) and left > 0:
            start = _prev(current, left)
            before = current[start:left] + before
            left = start
        else:
            end = _next(current, right)
            after = after + current[right:end]
            right = end
        step += 1


def substitution_pairs(old: str, new: str) -> list[tuple[str, str]] | None:
    """Return the distinct (A, B) of a text whose every change is a substitution that holds in each place A occurs.

    None when some change is an insertion or omission, or when replacing each A by B
    everywhere in `old` (in the order found) does not give `new` exactly.
    """
    pairs: list[tuple[str, str]] = []
    segments = word_diff(old, new)
    i = 0
    while i < len(segments):
        op, text = segments[i]
        if op == "=":
            i += 1
            continue
        if op == "-" and i + 1 < len(segments) and segments[i + 1][0] == "+":
            pair = (text, segments[i + 1][1])
            if not (_trimmed(pair[0]) and _trimmed(pair[1])):
                return None
            if pair not in pairs:
                pairs.append(pair)
            i += 2
            continue
        return None
    text = old
    for a, b in pairs:
        text = text.replace(a, b)
    return pairs if pairs and text == new else None


def replaced_everywhere(old: str, new: str) -> list[tuple[str, str]]:
    """Return the (A, B) substitutions of a text's word diff that hold in each place A occurs in `old`.

    A substitution is a deletion of A next to an insertion of B (both quotable); it holds in
    each place when every occurrence of A in `old` is one of the places the diff substitutes
    B for it, so that replacing A by B everywhere makes exactly those changes.
    """
    segments = word_diff(old, new)
    places: dict[tuple[str, str], list[int]] = {}
    other: list[tuple[int, int]] = []  # spans of old changed otherwise
    pos = 0
    i = 0
    while i < len(segments):
        op, text = segments[i]
        if op == "=":
            pos += len(text)
        elif op == "-" and i + 1 < len(segments) and segments[i + 1][0] == "+":
            pair = (text, segments[i + 1][1])
            if _trimmed(pair[0]) and _trimmed(pair[1]):
                places.setdefault(pair, []).append(pos)
            else:
                other.append((pos, pos + len(text)))
            pos += len(text)
            i += 1
        elif op == "-":
            other.append((pos, pos + len(text)))
            pos += len(text)
        i += 1
    out = []
    for (a, b), starts in places.items():
        found, at = [], old.find(a)
        while at >= 0:
            found.append(at)
            at = old.find(a, at + len(a))
        if found == starts:
            out.append((a, b))
    return out


# ---------------------------------------------------------------------------- the amendments


@dataclass
class _Unit:
    """A text an amendment can cite: where it is in OLD's order, its citation, and its old and new text."""

    order: tuple
    citation: str  # "clause 8.2", "clause 7.3(c)", "recital (B)"
    old: str
    new: str
    groupable: bool = True
    lead: str = ""  # how a word-level amendment begins, when not "In <citation>, "


def amend(old: Outline, new: Outline) -> Amendments:
    """Return the amendments that turn `old` into `new` (two outlines of rendered agreements)."""
    result = Amendments()
    entries: list[tuple[tuple, Amendment | _Unit]] = []
    _recitals(old, new, entries)
    _part_a(old, new, entries)
    _appendices(old, new, entries, result)
    _part_b(old, new, entries, result)
    entries.sort(key=lambda e: e[0])
    units = [u for _, u in entries if isinstance(u, _Unit)]
    groups = _groups(units)
    starts: dict[int, list[tuple[str, str]]] = {}  # a group's amendment comes where its first text is
    for pair, members in groups.items():
        starts.setdefault(id(members[0]), []).append(pair)
    for _, entry in entries:
        if isinstance(entry, Amendment):
            result.items.append(entry)
            continue
        if isinstance(entry, _ScheduleRef):
            number = result.schedule(entry.kind, entry.ident, entry.title)
            result.items.append(Amendment(f"{entry.text}{number}.", schedule=number))
            continue
        if isinstance(entry, _Inserted):
            numbers = [result.schedule("specification", s.ident, s.title) for s in entry.specifications]
            if len(numbers) == 1:
                text = f"{entry.head} insert the Service Specification set out in Schedule {numbers[0]}."
            else:
                text = (f"{entry.head} insert the Service Specifications set out in Schedules "
                        f"{join_and([str(n) for n in numbers])}, in that order.")
            result.items.append(Amendment(text, schedule=numbers[0]))
            continue
        for pair in starts.get(id(entry), []):
            members = groups[pair]
            lead = f"In {_cite_all([m.citation for m in members])}, " if len(members) > 1 else (
                members[0].lead or f"In {members[0].citation}, ")
            result.items.append(Amendment(f"{lead}for {quote(pair[0])} substitute {quote(pair[1])} in each place it occurs."))
        lead = entry.lead or f"In {entry.citation}, "
        for phrase in word_changes(_after_groups(entry, groups), entry.new) or []:
            result.items.append(Amendment(lead + phrase + "."))
    return result


def _after_groups(unit: _Unit, groups: dict[tuple[str, str], list[_Unit]]) -> str:
    """Return a text as the grouped amendments it is in leave it (applied in the order they come)."""
    text = unit.old
    for (a, b), members in groups.items():
        if any(m is unit for m in members):
            text = text.replace(a, b)
    return text


def _groups(units: list[_Unit]) -> dict[tuple[str, str], list[_Unit]]:
    """Return the substitutions made in each place they occur, in more than one text or more than once in one,
    with those texts, in the order their amendments come (that of their first text).

    A text joins the group of each of its substitutions that holds in every place it occurs in
    it (`replaced_everywhere`); its other changes are amended one by one, from the text as the
    groups leave it. A text whose remaining changes could not then be amended word by word
    leaves every group (all its changes are amended one by one).
    """
    found: dict[tuple[str, str], list[_Unit]] = {}
    for unit in units:
        if unit.groupable:
            for pair in replaced_everywhere(unit.old, unit.new):
                found.setdefault(pair, []).append(unit)
    while True:
        groups = {pair: members for pair, members in found.items()
                  if len(members) > 1 or members[0].old.count(pair[0]) > 1}
        position = {id(u): k for k, u in enumerate(units)}
        groups = dict(sorted(groups.items(), key=lambda item: position[id(item[1][0])]))
        members = {id(u): u for ms in groups.values() for u in ms}
        bad = [u for u in members.values() if word_changes(_after_groups(u, groups), u.new) is None]
        if not bad:
            return groups
        for pair in list(found):
            found[pair] = [u for u in found[pair] if all(u is not b for b in bad)]
            if not found[pair]:
                del found[pair]


def _cite_all(citations: list[str]) -> str:
    """Return "recitals (C) and (F), clauses 1.1(h), 6.1 and 8.2 and paragraphs 1.2 and 5.1 of Service
    Specification 1 (Name)" for the texts of a grouped amendment (in OLD's order)."""
    recitals = [c.removeprefix("recital ") for c in citations if c.startswith("recital ")]
    clauses = [c.removeprefix("clause ") for c in citations if c.startswith("clause ")]
    paragraphs: dict[str, list[str]] = {}
    for c in citations:
        if c.startswith("paragraph "):
            number, _, spec = c.removeprefix("paragraph ").partition(" of ")
            paragraphs.setdefault(spec, []).append(number)
    parts = []
    if recitals:
        parts.append(("recitals " if len(recitals) > 1 else "recital ") + join_and(recitals))
    if clauses:
        parts.append(("clauses " if len(clauses) > 1 else "clause ") + join_and(clauses))
    for spec, numbers in paragraphs.items():
        parts.append(("paragraphs " if len(numbers) > 1 else "paragraph ") + join_and(numbers) + " of " + spec)
    return join_and(parts)


def _sequence(old_items, new_items, key: Callable, text: Callable, order: tuple, entries: list,
              cite: Callable, quoted: Callable, changed: Callable, where: Callable) -> None:
    """Amend one list (recitals, a section's clauses, a clause's sub-clauses) from its old to its new items.

    `cite(old_item)` → "clause 8.2"; `quoted(new_item)` → the paragraphs that set it out;
    `changed(i, j)` amends a paired item; `where(kind, old_item)` → "After clause 8.4" etc.
    """
    steps = align([key(x) for x in old_items], [key(x) for x in new_items],
                  [text(x) for x in old_items], [text(x) for x in new_items])
    last_old: int | None = None
    k = 0
    while k < len(steps):
        kind, i, j = steps[k]
        if kind == "insert":
            run = []
            while k < len(steps) and steps[k][0] == "insert":
                run.append(new_items[steps[k][2]])
                k += 1
            if last_old is not None:
                head = where("after", old_items[last_old])
                at = order + (last_old, 1)
            else:
                following = next((s[1] for s in steps[k:] if s[0] in ("same", "changed")), None)
                head = where("before", old_items[following] if following is not None else None)
                at = order + ((following, -1) if following is not None else (10 ** 9, 0))
            lines = tuple(line for item in run for line in quoted(item))
            entries.append((at, Amendment(f"{head} insert—", lines)))
            continue
        if kind == "omit":
            entries.append((order + (i, 0), Amendment(f"Omit {cite(old_items[i])}.")))
        else:
            if kind == "changed":
                changed(i, j, order + (i, 0))
            last_old = i  # insertions after an omitted item are placed after the last item kept
        k += 1


def _recitals(old: Outline, new: Outline, entries: list) -> None:
    from .citations import letters

    olds = [(letters(i + 1, True), t) for i, t in enumerate(old.recitals)]
    news = [(letters(i + 1, True), t) for i, t in enumerate(new.recitals)]

    def changed(i, j, at):
        o, n = olds[i], news[j]
        if word_changes(o[1], n[1]) is None:
            entries.append((at, Amendment(f"For recital ({o[0]}) substitute—", (f"({n[0]})\t{n[1]}",))))
        else:
            entries.append((at, _Unit(at, f"recital ({o[0]})", o[1], n[1])))

    _sequence(olds, news, key=lambda r: r[1], text=lambda r: r[1], order=(0,), entries=entries,
              cite=lambda r: f"recital ({r[0]})", quoted=lambda r: (f"({r[0]})\t{r[1]}",), changed=changed,
              where=lambda kind, r: (f"After recital ({r[0]})" if kind == "after" else
                                     f"Before recital ({r[0]})" if r else "At the end of the recitals"))


def _clause_text(clause: Clause) -> str:
    return "\n".join([clause.text, *(item.text for item in clause.items)])


def _clause_lines(clause: Clause) -> tuple[str, ...]:
    return (f"{clause.number}\t{clause.text}", *(f"({item.letter})\t{item.text}" for item in clause.items))


def _part_a(old: Outline, new: Outline, entries: list) -> None:
    for section in old.sections:
        target = new.section(section.key)
        if target is None:
            continue  # the umbrella's sections are fixed (DESIGN.md §5)
        order = (1, section.number)

        def changed(i, j, at, section=section, target=target):
            o, n = section.clauses[i], target.clauses[j]
            lead_changes = word_changes(o.text, n.text)
            items_fine = _items_amendable(o, n)
            if lead_changes is None or not items_fine:
                entries.append((at, Amendment(f"For clause {o.number} substitute—", _clause_lines(n))))
                return
            if o.text != n.text:
                entries.append((at + (0,), _Unit(at, f"clause {o.number}", o.text, n.text)))
            _items(o, n, at, entries)

        def where(kind, clause, section=section):
            if clause is None:
                return f"At the end of section {section.number} ({section.title})"
            return f"{'After' if kind == 'after' else 'Before'} clause {clause.number}"

        _sequence(section.clauses, target.clauses, key=lambda c: c.ident or c.text, text=_clause_text,
                  order=order, entries=entries, cite=lambda c: f"clause {c.number}", quoted=_clause_lines,
                  changed=changed, where=where)


def _items_amendable(o: Clause, n: Clause) -> bool:
    """Return whether a clause's sub-clauses can be amended one by one (else the clause is substituted)."""
    definitions = any(i.term for i in o.items) or any(i.term for i in n.items)
    if definitions:
        return all(i.term for i in o.items) and all(i.term for i in n.items) and \
            len({i.term for i in o.items}) == len(o.items) and len({i.term for i in n.items}) == len(n.items)
    return True


def _items(o: Clause, n: Clause, at: tuple, entries: list) -> None:
    definitions = any(i.term for i in o.items)
    head = f"In clause {o.number}, "

    def cite(item: Item) -> str:
        return f"the definition of {quote(item.term)}" if definitions else f"clause {o.number}({item.letter})"

    def quoted(item: Item) -> tuple[str, ...]:
        return (item.text,) if definitions else (f"({item.letter})\t{item.text}",)

    def changed(i, j, where_at):
        a, b = o.items[i], n.items[j]
        if word_changes(a.text, b.text) is None:
            text = (f"{head}for the definition of {quote(a.term)} substitute—" if definitions else
                    f"For clause {o.number}({a.letter}) substitute—")
            entries.append((where_at, Amendment(text, quoted(b))))
        elif definitions:
            entries.append((where_at, _Unit(where_at, f"clause {o.number}({a.letter})", a.text, b.text,
                                            lead=f"{head}in the definition of {quote(a.term)}, ")))
        else:
            entries.append((where_at, _Unit(where_at, f"clause {o.number}({a.letter})", a.text, b.text)))

    def where(kind, item):
        if item is None:
            return f"At the end of clause {o.number}"
        word = "After" if kind == "after" else "Before"
        return f"{head}{word.lower()} {cite(item)}" if definitions else f"{word} {cite(item)}"

    omit_entries: list = []
    _sequence(o.items, n.items, key=lambda x: x.term or x.text, text=lambda x: x.text, order=at + (1,),
              entries=omit_entries, cite=cite, quoted=quoted, changed=changed, where=where)
    for position, entry in omit_entries:
        if definitions and isinstance(entry, Amendment) and entry.text.startswith("Omit "):
            entry = Amendment(f"{head}omit {entry.text[5:]}")
        entries.append((position, entry))


def _appendices(old: Outline, new: Outline, entries: list, result: Amendments) -> None:
    news = {a.ident: a for a in new.appendices}
    for appendix in old.appendices:
        target = news.get(appendix.ident)
        if target is None or (target.texts == appendix.texts and target.title == appendix.title):
            continue
        name = appendix.title.split(": ", 1)[-1]
        entries.append(((2, appendix.number), _ScheduleRef(
            f"For Appendix {appendix.number} ({name}) substitute the Appendix set out in Schedule ",
            "appendix", target.ident, target.title)))


@dataclass(frozen=True)
class _ScheduleRef:
    """An amendment that refers to a Schedule: numbered when the amendments are in order."""

    text: str  # ends with "Schedule " (the number follows)
    kind: str
    ident: str
    title: str
    tail: str = "."


def _part_b(old: Outline, new: Outline, entries: list, result: Amendments) -> None:
    if old.part_b_intro != new.part_b_intro:
        entries.append(((3, 0), Amendment("For the introduction to Part B substitute—", tuple(new.part_b_intro))))
    olds, news = old.specifications, new.specifications
    steps = align([s.ident for s in olds], [s.ident for s in news], [_spec_text(s) for s in olds],
                  [_spec_text(s) for s in news], pair_rest=False)
    last: Specification | None = None
    k = 0
    while k < len(steps):
        kind, i, j = steps[k]
        if kind == "insert":
            run = []
            while k < len(steps) and steps[k][0] == "insert":
                run.append(news[steps[k][2]])
                k += 1
            if last is not None:
                head, at = f"After Service Specification {last.number}", (4, last.number, 1)
            else:
                following = next((olds[s[1]] for s in steps[k:] if s[0] in ("same", "changed")), None)
                head = f"Before Service Specification {following.number}" if following else "At the end of Part B"
                at = (4, following.number, -1) if following else (4, 10 ** 9, 0)
            entries.append((at, _Inserted(head, tuple(run))))
            continue
        if kind == "omit":
            entries.append(((4, olds[i].number, 0), Amendment(f"Omit {olds[i].citation()}.")))
        else:
            if kind == "changed":
                _specification(olds[i], news[j], entries)
            last = olds[i]
        k += 1


def _spec_text(spec: Specification) -> str:
    """Return everything a Service Specification prints, as one text (to tell whether it changed)."""
    lines = [spec.title, *spec.other]
    for p in spec.paragraphs:
        lines.append(f"{p.number} {p.text}")
        for table in p.tables:
            lines.append(table.label)
            lines += ["\t".join(row) for row in table.rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Inserted:
    """Service Specifications inserted at one place, each set out in a Schedule (numbered in order)."""

    head: str
    specifications: tuple[Specification, ...]


def _specification(o: Specification, n: Specification, entries: list) -> None:
    at = (4, o.number, 0)
    amendments = _paragraph_amendments(o, n)
    count = None if amendments is None else sum(
        len(word_changes(a.old, a.new) or ()) if isinstance(a, _Unit) else 1 for a in amendments)
    if count is None or count > MAX_SPECIFICATION_AMENDMENTS:
        entries.append((at, _ScheduleRef(f"For {o.citation()} substitute the Service Specification set out in Schedule ",
                                         "specification", n.ident, n.title)))
        return
    for k, amendment in enumerate(amendments):
        entries.append((at + (k,), amendment if isinstance(amendment, _Unit) else Amendment(amendment)))


def _same_shape(a: Paragraph, b: Paragraph) -> bool:
    if a.number != b.number or a.heading != b.heading or len(a.tables) != len(b.tables):
        return False
    for x, y in zip(a.tables, b.tables):
        if x.label != y.label or len(x.rows) != len(y.rows):
            return False
        keys = [r[0] if r else "" for r in x.rows]
        if keys != [r[0] if r else "" for r in y.rows] or len(set(keys)) != len(keys):
            return False
        if any(len(r) != len(s) for r, s in zip(x.rows, y.rows)):
            return False
    labels = [t.label for t in a.tables]
    return len(set(labels)) == len(labels)


def _paragraph_amendments(o: Specification, n: Specification) -> list | None:
    """Return the word-level amendments to a Service Specification (a paragraph's text to amend, or the
    sentence amending a table's cell), or None if it must be substituted whole."""
    if o.name != n.name or o.other != n.other or len(o.paragraphs) != len(n.paragraphs):
        return None
    out: list[str] = []
    for a, b in zip(o.paragraphs, n.paragraphs):
        if not _same_shape(a, b):
            return None
        where = f"In paragraph {a.number} of {o.citation()}"
        if a.text != b.text:
            if word_changes(a.text, b.text) is None:
                return None
            out.append(_Unit((4, o.number, len(out)), f"paragraph {a.number} of {o.citation()}", a.text, b.text))
        for x, y in zip(a.tables, b.tables):
            table = "in the table" if len(a.tables) == 1 or not x.label else f"in the table headed {quote(x.label)}"
            for row, new_row in zip(x.rows, y.rows):
                for k, (cell, new_cell) in enumerate(zip(row, new_row)):
                    if cell == new_cell:
                        continue
                    if k == 0 or "\n" in cell or "\n" in new_cell:
                        return None
                    phrases = word_changes(cell, new_cell)
                    if phrases is None:
                        return None
                    # a quote must not be found in another cell of the row either
                    if any(sum(c.count(_first_quote(p)) for c in row) > 1 for p in phrases):
                        return None
                    out += [f"{where}, {table}, in the row for {row[0]}, {p}." for p in phrases]
    return out


def _first_quote(phrase: str) -> str:
    match = re.search(r"“(.*?)”", phrase)
    return match.group(1) if match else phrase
