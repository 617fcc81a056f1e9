"""What changed in the data: agreement details, parties, Part B functions, cost apportionment, agreement clauses.

Everything is aligned on stable ids (force ids, function ids, clause ids, section keys), never
on positions, so that an insertion is one change; numbers are cited as printed (numbering.py).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from .. import textdiff
from ..context import FunctionFigures, clause_id, function_figures
from ..formats import format_date, format_money
from ..formulas import FORMULAS, INPUTS
from ..models import Agreement, Clause, Function, Specification
from ..outline import PROVISIONS, SECTION_KEYS
from ..validate import CheckedAgreement
from .changeset import (ApportionmentChange, Change, ForceTotal, InputChange, ShareRow, added, one_line, pair_similar,
                        quote, removed, word_diff)
from .numbering import Numbering, SectionPlace, number_key


def force_names(checked: CheckedAgreement) -> dict[str, str]:
    known = checked.parties.parties.forces
    return {f: known[f].name for f in checked.agreement.forces if f in known}


# ---------------------------------------------------------------------------- agreement details and parties


_INFO_FIELDS = (
    ("title", "Title"),
    ("reference", "Reference"),
    ("version", "Version"),
    ("status", "Status"),
    ("date", "Date of the agreement"),
    ("commencement", "Commencement"),
    ("review", "Review date"),
    ("alliance", "Alliance"),
    ("language", "Language"),
)


def _show(value: Any) -> str:
    if value is None:
        return "not set"
    if hasattr(value, "isoformat"):
        return format_date(value)
    return str(value)


def agreement_changes(a: Agreement, b: Agreement) -> list[Change]:
    out = []
    for name, label in _INFO_FIELDS:
        old, new = getattr(a.agreement, name), getattr(b.agreement, name)
        if old == new:
            continue
        shown_old, shown_new = _show(old), _show(new)
        if name == "status":
            shown_old, shown_new = shown_old.capitalize(), shown_new.capitalize()
        out.append(Change(name, "agreement", f"{label} changes from {shown_old} to {shown_new}", id=name,
                          old=shown_old, new=shown_new))
    return out


_OFFICE_FIELDS = (
    ("name", "name", lambda f: f.name),
    ("area", "police area", lambda f: f.area),
    ("chief_officer", "chief officer", lambda f: f.chief_officer.title),
    ("chief_officer_holder", "chief officer holder", lambda f: f.chief_officer.holder),
    ("policing_body", "policing body", lambda f: f.policing_body.title),
    ("policing_body_holder", "policing body holder", lambda f: f.policing_body.holder),
    ("address", "address for notices", lambda f: f.policing_body.address),
)


def party_changes(old: CheckedAgreement, new: CheckedAgreement, old_names: dict, new_names: dict) -> list[Change]:
    a, b = old.agreement, new.agreement
    out: list[Change] = []
    for f in b.forces:
        if f not in a.forces:
            force = new.parties.parties.forces[f]
            out.append(Change("force_joined", "parties",
                              f"{force.name} joins the agreement (the {force.chief_officer.title} and the "
                              f"{force.policing_body.title})", id=f, new=force.name))
    for f in a.forces:
        if f not in b.forces:
            force = old.parties.parties.forces[f]
            out.append(Change("force_left", "parties",
                              f"{force.name} leaves the agreement (the {force.chief_officer.title} and the "
                              f"{force.policing_body.title})", id=f, old=force.name))
    common_old = [f for f in a.forces if f in b.forces]
    common_new = [f for f in b.forces if f in a.forces]
    if common_old != common_new:
        out.append(Change("forces_reordered", "parties",
                          "Order of the forces changes from " + ", ".join(old_names[f] for f in common_old)
                          + " to " + ", ".join(new_names[f] for f in common_new), id="forces",
                          old=tuple(common_old), new=tuple(common_new)))
    if a.lead_force != b.lead_force:
        old_lead = old.parties.parties.forces[a.lead_force].name
        new_lead = new.parties.parties.forces[b.lead_force].name
        out.append(Change("lead_force", "parties", f"Lead force changes from {old_lead} to {new_lead}",
                          id="lead_force", old=old_lead, new=new_lead))
    for p in b.provisions:
        if p not in a.provisions:
            out.append(Change("provision_added", "parties", f"Provisions: {PROVISIONS[p]} added", id=p, new=PROVISIONS[p]))
    for p in a.provisions:
        if p not in b.provisions:
            out.append(Change("provision_removed", "parties", f"Provisions: {PROVISIONS[p]} removed", id=p,
                              old=PROVISIONS[p]))
    # the parties' own details, for forces in both versions (they are printed in the agreement)
    for f in common_new:
        x, y = old.parties.parties.forces[f], new.parties.parties.forces[f]
        for key, label, get in _OFFICE_FIELDS:
            vx, vy = get(x), get(y)
            if vx != vy:
                out.append(Change("party_details", "parties",
                                  f"{y.name}: {label} changes from {quote(vx) if vx else 'none'} to "
                                  f"{quote(vy) if vy else 'none'}", id=f"{f}.{key}", old=vx, new=vy))
    return out


# ---------------------------------------------------------------------------- Part B


def _fn_label(number: int, fn: Function) -> str:
    return f"Service Specification {number} {fn.name}"


_SPEC_LABELS = {"purpose": ("purpose", "purpose"), "services": ("service", "services"),
                "service_levels": ("service level", "service levels"), "governance": ("governance", "governance"),
                "reporting": ("reporting", "reporting")}


def _spec_data(fn: Function) -> dict[str, Any]:
    if isinstance(fn.specification, Specification):
        data = fn.specification.model_dump()
        return {k: v for k, v in data.items() if v not in (None, [], "")}
    return {}


def _spec_changes(number: int, x: Function, y: Function) -> list[Change]:
    where = _fn_label(number, y)
    base = dict(group="functions", id=y.id, number=str(number))
    out: list[Change] = []
    if (x.specification == "none") != (y.specification == "none"):
        if y.specification == "none":
            out.append(Change("specification_withdrawn", summary=f"{where}: the service specification is withdrawn"
                              + (f" ({one_line(y.reason)})" if y.reason else ""), **base))
        else:
            out.append(Change("specification_added", summary=f"{where}: a service specification replaces the "
                              "page saying that none has been developed yet", **base))
    if x.reason != y.reason and y.specification == "none" and x.specification == "none":
        out.append(_text_change("specification_changed", f"{where}: reason for no specification", x.reason or "",
                                y.reason or "", base))
    if x.publish != y.publish:
        text = "is published again" if y.publish else "is withheld from the publication version"
        out.append(Change("publication_changed", summary=f"{where} {text}", old=x.publish, new=y.publish, **base))
    old, new = _spec_data(x), _spec_data(y)
    for key in list(dict.fromkeys([*new, *old])):
        vx, vy = old.get(key), new.get(key)
        if vx == vy:
            continue
        one, many = _SPEC_LABELS.get(key, (key.replace("_", " "), key.replace("_", " ")))
        if isinstance(vx, list) or isinstance(vy, list):
            lx = [str(v) for v in vx] if isinstance(vx, list) else ([] if vx is None else [str(vx)])
            ly = [str(v) for v in vy] if isinstance(vy, list) else ([] if vy is None else [str(vy)])
            out += _list_changes(where, one, lx, ly, base)
        else:
            sx, sy = "" if vx is None else str(vx), "" if vy is None else str(vy)
            if not sx:
                out.append(added("specification_changed", f"{where}: {many} added", sy, base))
            elif not sy:
                out.append(removed("specification_changed", f"{where}: {many} removed", sx, base))
            else:
                out.append(_text_change("specification_changed", f"{where}: {many}", sx, sy, base))
    return out


def _text_change(kind: str, where: str, old: str, new: str, base: dict) -> Change:
    return Change(kind, summary=f"{where} reworded", old=old, new=new,
                  words=word_diff(one_line(old), one_line(new)), **base)


def _list_changes(where: str, label: str, old: list[str], new: list[str], base: dict) -> list[Change]:
    out: list[Change] = []
    for op, i1, i2, j1, j2 in textdiff.opcodes(old, new):
        if op == "equal":
            continue
        xs, ys = old[i1:i2], new[j1:j2]
        pairs = pair_similar(xs, ys)
        paired_x = {i for i, _ in pairs}
        paired_y = {j for _, j in pairs}
        for i, x in enumerate(xs):
            if i not in paired_x:
                out.append(removed("specification_changed", f"{where}: {label} removed", x, base))
        for i, j in pairs:
            out.append(_text_change("specification_changed", f"{where}: {label} {quote(one_line(xs[i]))}", xs[i],
                                    ys[j], base))
        for j, y in enumerate(ys):
            if j not in paired_y:
                out.append(added("specification_changed", f"{where}: {label} added", y, base))
    return out


def function_changes(a: Agreement, b: Agreement) -> tuple[list[Change], list[tuple[str, str]]]:
    old = {fn.id: (n, fn) for n, fn in enumerate(a.functions, start=1)}
    new = {fn.id: (n, fn) for n, fn in enumerate(b.functions, start=1)}
    out: list[Change] = []
    for fid, (n, fn) in old.items():
        if fid not in new:
            out.append(Change("function_removed", "functions", f"{fn.name} removed (was Service Specification {n})",
                              id=fid, old_number=str(n), old=fn.name))
    for fid, (n, fn) in new.items():
        if fid not in old:
            out.append(Change("function_added", "functions", f"{_fn_label(n, fn)} added", id=fid, number=str(n),
                              new=fn.name))
    for fid, (n, fn) in new.items():
        if fid in old and old[fid][1].name != fn.name:
            out.append(Change("function_renamed", "functions",
                              f"Service Specification {n} renamed from {quote(old[fid][1].name)} to {quote(fn.name)}",
                              id=fid, number=str(n), old_number=str(old[fid][0]), old=old[fid][1].name, new=fn.name,
                              words=word_diff(old[fid][1].name, fn.name)))
    # order: functions outside the longest common order have moved
    common_old = [f for f in old if f in new]
    common_new = [f for f in new if f in old]
    staying = {common_old[i] for i, _ in textdiff.matching_pairs(common_old, common_new)}
    moved = [f for f in common_new if f not in staying]
    if moved:
        text = "; ".join(f"{new[f][1].name} moves from Service Specification {old[f][0]} to {new[f][0]}" for f in moved)
        out.append(Change("functions_moved", "functions", f"Order of Part B changes: {text}", id=",".join(moved),
                          old=tuple(common_old), new=tuple(common_new)))
    for fid, (n, fn) in new.items():
        if fid in old:
            out += _spec_changes(n, old[fid][1], fn)
            if fn.apportionment is None and old[fid][1].apportionment is None and fn.budget != old[fid][1].budget:
                ob, nb = old[fid][1].budget, fn.budget
                out.append(Change("budget", "functions",
                                  f"{_fn_label(n, fn)}: budget {format_money(ob) if ob is not None else 'none'} → "
                                  f"{format_money(nb) if nb is not None else 'none'}", id=fid, number=str(n),
                                  old=ob, new=nb))
    # the renumbering that insertions and removals cause (a move already says where things went)
    renumbered = [] if moved else [(str(old[f][0]), str(new[f][0])) for f in common_new if old[f][0] != new[f][0]]
    return out, renumbered


# ---------------------------------------------------------------------------- cost apportionment


def formula_words(fn: Function | None) -> str:
    """Return a function's formula in a few words ("70% net revenue expenditure and 30% demand")."""
    if fn is None or fn.apportionment is None:
        return ""
    return FORMULAS[fn.apportionment.formula].short(fn.apportionment.weights)


def _uses(fn: Function | None, what: str) -> bool:
    """Return whether `fn`'s formula is applied to input `what` (formulas.INPUTS)."""
    return fn is not None and fn.apportionment is not None and FORMULAS[fn.apportionment.formula].uses(what)


def force_totals(old: CheckedAgreement, new: CheckedAgreement, names: dict[str, str]) -> tuple[ForceTotal, ...]:
    """Return each force's total across the functions and its part of the whole, before and after.

    Forces in NEW's order, then those that left. Empty when no force's total or part changed
    (neither version apportions any cost, or the figures are the same).
    """
    from ..figures import agreement_figures

    before, after = agreement_figures(old), agreement_figures(new)
    if not before.apportioned_total() and not after.apportioned_total():
        return ()
    old_forces, new_forces = dict(before.forces), dict(after.forces)
    old_shares, new_shares = before.cost_shares(), after.cost_shares()
    out = []
    for f in dict.fromkeys([*new_forces, *old_forces]):
        out.append(ForceTotal(f, names.get(f, f),
                              before.force_total(f) if f in old_forces else None,
                              after.force_total(f) if f in new_forces else None,
                              old_shares.get(f) if f in old_forces else None,
                              new_shares.get(f) if f in new_forces else None))
    if all(t.old_total == t.new_total and t.old_share == t.new_share for t in out):
        return ()
    return tuple(out)


def apportionment_changes(a: Agreement, b: Agreement, names: dict[str, str]) -> list[Change]:
    out: list[Change] = []
    forces = list(dict.fromkeys([*b.forces, *a.forces]))
    old_nre, new_nre = a.finance.net_revenue_expenditure, b.finance.net_revenue_expenditure
    nre_rows = []
    for f in forces:
        x, y = old_nre.get(f), new_nre.get(f)
        if x != y:
            nre_rows.append((f, x, y))
    nre_changed = bool(nre_rows)
    if nre_changed:
        parts = []
        for f, x, y in nre_rows:
            if x is None:
                parts.append(f"{names.get(f, f)} {format_money(y)} (new)")
            elif y is None:
                parts.append(f"{names.get(f, f)} {format_money(x)} (removed)")
            else:
                parts.append(f"{names.get(f, f)} {format_money(x)} → {format_money(y)} ({format_money(y - x, sign=True)})")
        count = len(nre_rows)
        out.append(Change("net_revenue_expenditure", "apportionment",
                          f"Net revenue expenditure changes for {count} force{'s' if count != 1 else ''}",
                          id="net_revenue_expenditure", details=tuple(parts)))
    old_figures = function_figures(a)
    new_figures = function_figures(b)
    old_fns = {fn.id: fn for fn in a.functions}
    for number, fn in enumerate(b.functions, start=1):
        before = old_fns.get(fn.id)
        if fn.apportionment is None and (before is None or before.apportionment is None):
            continue
        change = _function_apportionment(before, fn, old_figures.get(fn.id), new_figures.get(fn.id),
                                         a, b, names, nre_changed)
        if change is None:
            continue
        label = _fn_label(number, fn)
        if before is None:
            summary = f"{label} (new): cost apportionment by {change.new_formula}"
        else:
            bits = []
            if change.old_formula != change.new_formula:
                bits.append("formula changes")
            if change.old_budget is not None and change.new_budget is not None and change.old_budget != change.new_budget:
                bits.append(f"budget {format_money(change.new_budget - change.old_budget, sign=True)}")
            summary = f"{label}: cost apportionment changes" + (f" ({'; '.join(bits)})" if bits else "")
        out.append(Change("apportionment", "apportionment", summary, id=fn.id, number=str(number),
                          apportionment=change))
    return out


def _function_apportionment(x: Function | None, y: Function, fx: FunctionFigures | None, fy: FunctionFigures | None,
                            a: Agreement, b: Agreement, names: dict[str, str], nre_changed: bool
                            ) -> ApportionmentChange | None:
    old_by = fx.by_force() if fx else {}
    new_by = fy.by_force() if fy else {}
    forces = list(dict.fromkeys([*b.forces, *(a.forces if x is not None else [])]))
    inputs: list[InputChange] = []
    labels: list[str] = []
    cells: dict[str, list[str]] = {f: [] for f in forces}
    if x is not None:
        # each function's own figures, a column each (fixed shares are not: they are the share column;
        # net revenue expenditure is the agreement's, shown once for all functions)
        for what, spec in INPUTS.items():
            if not (spec.per_function and spec.per_force) or what == "shares" or not (_uses(x, what) or _uses(y, what)):
                continue
            label, fmt = spec.words, spec.format
            ox = spec.values(a, x) if _uses(x, what) else {}
            oy = spec.values(b, y) if _uses(y, what) else {}
            found = [InputChange(label, names.get(f, f), fmt(ox[f]) if f in ox else "–",
                                 fmt(oy[f]) if f in oy else "–", f) for f in forces if ox.get(f) != oy.get(f)]
            if not found:
                continue
            inputs += found
            labels.append(label)
            changed = {i.force_id: i for i in found}
            for f in forces:
                cells[f].append(f"{changed[f].old} → {changed[f].new}" if f in changed else fmt(oy[f]) if f in oy else "–")
    rows = []
    for f in forces:
        so, sn = old_by.get(f), new_by.get(f)
        rows.append(ShareRow(f, names.get(f, f), so.percent if so else None, sn.percent if sn else None,
                             so.contribution if so else None, sn.contribution if sn else None, tuple(cells[f])))
    uses_nre = _uses(x, "nre") or _uses(y, "nre")
    change = ApportionmentChange(formula_words(x), formula_words(y), x.budget if x else None, y.budget,
                                 tuple(inputs), tuple(rows), nre_changed=bool(x is not None and uses_nre and nre_changed),
                                 input_labels=tuple(labels))
    if x is None:
        return change
    figures_same = all(r.old_share == r.new_share and r.old_contribution == r.new_contribution for r in rows)
    if (figures_same and not inputs and not change.nre_changed and change.old_formula == change.new_formula
            and change.old_budget == change.new_budget):
        return None
    return change


# ---------------------------------------------------------------------------- Part A agreement clauses


@dataclass(frozen=True)
class _Item:
    key: str
    index: int
    clause: Clause

    @property
    def ident(self) -> str:
        return clause_id(self.key, self.clause.text, self.clause.id)


def _section_where(place: SectionPlace) -> str:
    return f"Section {place.number} {place.title}" if place.number else place.title


def clause_changes(a: Agreement, b: Agreement, old_numbers: Numbering, new_numbers: Numbering
                    ) -> tuple[list[Change], list[tuple[str, str]]]:
    keys = [k for k in SECTION_KEYS if k in a.clauses or k in b.clauses]
    keys += [k for k in list(dict.fromkeys([*b.clauses, *a.clauses])) if k not in keys]
    removed: list[_Item] = []
    inserted: list[_Item] = []
    pairs: list[tuple[_Item, _Item]] = []
    for key in keys:
        xs = [_Item(key, i, c) for i, c in enumerate(a.clauses.get(key, ()))]
        ys = [_Item(key, i, c) for i, c in enumerate(b.clauses.get(key, ()))]
        matched_x: set[int] = set()
        matched_y: set[int] = set()
        # 1. explicit ids
        by_id = {y.clause.id: y for y in ys if y.clause.id}
        for x in xs:
            if x.clause.id and x.clause.id in by_id:
                y = by_id[x.clause.id]
                pairs.append((x, y))
                matched_x.add(x.index)
                matched_y.add(y.index)
        # 2. identical text (the first unmatched new clause with the same text, as in reading order)
        same_text: dict[str, deque[_Item]] = {}
        for y in ys:
            if y.index not in matched_y:
                same_text.setdefault(y.clause.text, deque()).append(y)
        for x in xs:
            if x.index in matched_x:
                continue
            candidates = same_text.get(x.clause.text, deque())
            while candidates and candidates[0].index in matched_y:
                candidates.popleft()
            y = next((y for y in candidates if y.index not in matched_y and not (
                x.clause.id and y.clause.id and x.clause.id != y.clause.id)), None)
            if y is not None:
                pairs.append((x, y))
                matched_x.add(x.index)
                matched_y.add(y.index)
        # 3. similar text, where at most one side has an explicit id
        rest_x = [x for x in xs if x.index not in matched_x]
        rest_y = [y for y in ys if y.index not in matched_y]
        candidates = pair_similar([x.clause.text for x in rest_x], [y.clause.text for y in rest_y])
        for i, j in candidates:
            x, y = rest_x[i], rest_y[j]
            if x.clause.id and y.clause.id:
                continue
            pairs.append((x, y))
            matched_x.add(x.index)
            matched_y.add(y.index)
        removed += [x for x in xs if x.index not in matched_x]
        inserted += [y for y in ys if y.index not in matched_y]
    # 4. an explicit id in another section: the clause moved
    moved: list[tuple[_Item, _Item]] = []
    by_id_inserted = {y.clause.id: y for y in inserted if y.clause.id}
    for x in removed:
        if x.clause.id and x.clause.id in by_id_inserted:
            moved.append((x, by_id_inserted.pop(x.clause.id)))
    if moved:
        gone = {id(item) for pair in moved for item in pair}
        removed = [x for x in removed if id(x) not in gone]
        inserted = [y for y in inserted if id(y) not in gone]

    out: list[Change] = []
    renumbered: list[tuple[str, str]] = []

    def base(place: SectionPlace, item: _Item) -> dict:
        return dict(group="clauses", id=item.ident, section_key=place.key, section_number=place.number or None,
                    section_title=place.title)

    for y in inserted:
        place = new_numbers.place(y.key)
        number = new_numbers.clause_number(y.key, y.index)
        lead = f"{_section_where(place)}: {_cite(number)} inserted"
        out.append(Change("clause_inserted", summary=f"{lead}: {quote(one_line(y.clause.text))}", lead=lead,
                          number=number, new=y.clause.text, **base(place, y)))
    for x in removed:
        place = old_numbers.place(x.key)
        number = old_numbers.clause_number(x.key, x.index)
        lead = f"{_section_where(place)}: {_cite(number)} removed"
        out.append(Change("clause_removed", summary=f"{lead}: {quote(one_line(x.clause.text))}", lead=lead,
                          old_number=number, old=x.clause.text, **base(place, x)))
    for x, y in pairs:
        old_number = old_numbers.clause_number(x.key, x.index)
        number = new_numbers.clause_number(y.key, y.index)
        if x.clause.text == y.clause.text:
            if old_number != number and old_number and number:
                renumbered.append((old_number, number))
            continue
        place = new_numbers.place(y.key)
        was = f" (was {old_number})" if old_number and old_number != number else ""
        out.append(Change("clause_reworded", summary=f"{_section_where(place)}: {_cite(number)} reworded{was}",
                          number=number, old_number=old_number, old=x.clause.text, new=y.clause.text,
                          words=word_diff(one_line(x.clause.text), one_line(y.clause.text)), **base(place, y)))
    for x, y in moved:
        old_place, place = old_numbers.place(x.key), new_numbers.place(y.key)
        old_number = old_numbers.clause_number(x.key, x.index)
        number = new_numbers.clause_number(y.key, y.index)
        text = f"{_section_where(place)}: {_cite(number)} moved from {_section_where(old_place)}" + (
            f" (was {old_number})" if old_number else "")
        words = ()
        if x.clause.text != y.clause.text:
            text += " and reworded"
            words = word_diff(one_line(x.clause.text), one_line(y.clause.text))
        out.append(Change("clause_moved", summary=text, number=number, old_number=old_number, old=x.clause.text,
                          new=y.clause.text, words=words, **base(place, y)))
    out.sort(key=lambda c: (c.section_number or 999, number_key(c.number or c.old_number), c.kind))
    return out, renumbered


def _cite(number: str) -> str:
    return f"clause {number}" if number else "an agreement clause (not printed: the template has no place for it)"
