"""Check inputs: shape (pydantic), then the rules of the statute and of arithmetic.

Every finding is an `Issue` with a position, a rule id and a hint, collected and reported
together (a legal officer fixes the file once, not once per run). Each rule names the
provision it comes from in `RULES`, so that a reviewer can see why the tool insists.
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from .errors import InputError, Issue, Position
from .formats import format_date
from .inputs import outside_reason, workspace_folder, workspace_issue_text
from .loader import Loaded, SourceMap, display_path, load_yaml
from .models import Agreement, Parties, Specification, Summit, quoted
from .formulas import FORMULAS, INPUTS
from .outline import SECTION_KEYS
from .pack_names import agreement_name_problem

#: Rule ids and where each rule comes from.
RULES: dict[str, str] = {
    "yaml": "YAML syntax and safe loading",
    "format": "the input format (DESIGN.md §3)",
    "s22a-parties": "Police Act 1996 s22A(1): an agreement is made by two or more policing bodies (and their chief officers)",
    "s22a-provisions": "Police Act 1996 s22A(2): the agreement must make force and/or policing body collaboration provision",
    "unknown-force": "every force named must be a party in the parties file",
    "duplicate-force": "each force joins once",
    "lead-force": "lead force model: the lead force is one of the agreement's forces",
    "dates": "dates must be real and in order",
    "previous": "`previous` names the version this one replaces",
    "function-id": "function ids are unique: they name annexes, files and diff anchors",
    "specification": "a business area without a specification says why (seed 004)",
    "budget": "money is positive and whole pence",
    "apportionment": "cost apportionment (DESIGN.md §4): inputs for exactly the agreement's forces",
    "weights": "nre_and_demand weights sum to 100",
    "shares": "fixed shares sum to exactly 100.00",
    "clauses": "agreement clauses are appended to an umbrella section (DESIGN.md §5)",
    "final": "a final agreement is ready for signature",
    "summit": "a summit pack names its parties and agreements",
    "workspace": "files named inside a file stay in its workspace (its folder and below, or --workspace)",
    "governance": "the governance bodies (Part A section 7) are named as the agreement prints them",
    "drafting-gap": "what the YAML does not give is marked [to be agreed] in the agreement, never papered over",
    "duplicate-clause": "an agreement clause does not repeat the standard wording of its section",
    "signing-date": "a summit signs agreements: one it lists is not already dated before the summit",
}


@dataclass(frozen=True)
class PartiesFile:
    """A checked parties.yaml."""

    path: Path
    parties: Parties
    source: SourceMap

    @property
    def label(self) -> str:
        return self.source.file


@dataclass(frozen=True)
class CheckedAgreement:
    """An agreement that passed every check, with what it was checked against."""

    path: Path
    agreement: Agreement
    parties: PartiesFile
    source: SourceMap
    warnings: tuple[Issue, ...] = ()

    @property
    def label(self) -> str:
        return self.source.file

    def previous_path(self) -> Path | None:
        prev = self.agreement.agreement.previous
        return (self.path.parent / prev) if prev else None


@dataclass(frozen=True)
class CheckedSummit:
    path: Path
    summit: Summit
    parties_path: Path
    agreement_paths: tuple[Path, ...]
    source: SourceMap
    workspace: Path | None = None  # the folder its parties and agreements were checked to be in


@dataclass
class _Collector:
    source: SourceMap
    issues: list[Issue] = field(default_factory=list)

    def error(self, path: tuple, message: str, rule: str, hint: str = "", *, at_key: bool = False) -> None:
        pos = self.source.key(path) if at_key else self.source.value(path)
        self.issues.append(Issue(pos, message, "error", rule, hint))

    def warning(self, path: tuple, message: str, rule: str, hint: str = "", *, at_key: bool = False) -> None:
        pos = self.source.key(path) if at_key else self.source.value(path)
        self.issues.append(Issue(pos, message, "warning", rule, hint))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return "did you mean `x`?" for the closest candidate, or ""."""
    match = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else ""


# ---------------------------------------------------------------------------- shape


def _unwrap(annotation: Any) -> list[Any]:
    """Return the concrete types inside Annotated/Optional/Union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _allowed_keys(root: type[BaseModel], loc: tuple) -> list[str]:
    """Return the field names of the model found by walking `loc` from `root`."""
    current: list[Any] = [root]
    for step in loc[:-1]:
        nxt: list[Any] = []
        for t in current:
            if isinstance(t, type) and issubclass(t, BaseModel):
                if isinstance(step, str) and step in t.model_fields:
                    nxt.extend(_unwrap(t.model_fields[step].annotation))
                else:
                    nxt.append(t)  # a union tag or similar: stay
            elif typing.get_origin(t) in (list, dict):
                nxt.extend(_unwrap(typing.get_args(t)[-1]))
        current = nxt or current
    for t in current:
        if isinstance(t, type) and issubclass(t, BaseModel):
            return list(t.model_fields)
    return []


def _data_path(data: Any, loc: tuple) -> tuple:
    """Return the part of a pydantic `loc` that is a real path into `data` (tags dropped)."""
    path: list = []
    node = data
    for step in loc:
        if isinstance(node, dict) and step in node:
            path.append(step)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            path.append(step)
            node = node[step]
        elif isinstance(node, dict) and step not in node and not _is_tag(step):
            path.append(step)  # a missing or extra key: keep it, the caller looks at its parent
            node = None
    return tuple(path)


def _is_tag(step: Any) -> bool:
    return isinstance(step, str) and (
        step in ("no-specification", "specification-fields", "function-before[_clause(), Clause]")
        or "[" in step or step in ("str", "decimal", "date", "bool", "int", "list", "dict"))


def _name(path: tuple) -> str:
    """Return how a message names the value at `path`: `budget`, or `provisions` for a list item."""
    for step in reversed(path):
        if isinstance(step, str):
            return step
    return "the file"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "yes/no"
    return quoted(value)


def shape_issues(exc: ValidationError, root: type[BaseModel], loaded: Loaded) -> list[Issue]:
    """Return one Issue per pydantic error, worded for a legal officer and placed in the file."""
    out: list[Issue] = []
    seen: set[tuple] = set()
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = _data_path(loaded.data, loc)
        kind = err["type"]
        value = err.get("input")
        name = _name(path)
        src = loaded.source
        hint = ""
        if kind == "extra_forbidden":
            allowed = _allowed_keys(root, loc)
            pos = src.key(path)
            message = f"unknown key {quoted(name)}"
            hint = did_you_mean(name, allowed) or (f"allowed here: {', '.join(allowed)}" if allowed else "")
        elif kind == "missing":
            pos = src.key(path[:-1]) if len(path) > 1 else src.value(())
            where = f" in `{path[-2]}`" if len(path) > 1 and isinstance(path[-2], str) else ""
            message = f"`{name}` is missing{where}"
            field_info = _field_info(root, loc).rstrip(".")
            hint = f"add `{name}:`" + (f" ({field_info[0].lower()}{field_info[1:]})" if field_info else "")
        else:
            pos = src.value(path)
            if kind == "literal_error":
                expected = err.get("ctx", {}).get("expected", "")
                options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip(" '")]
                message = (f"{_describe(value)} is not allowed in `{name}`" if isinstance(path[-1], int)
                           else f"{_describe(value)} is not allowed for `{name}`")
                hint = did_you_mean(value, options) or f"use one of: {', '.join(options)}"
            elif kind == "string_pattern_mismatch" and name == "email":
                message = f"{_describe(value)} is not an email address"
                hint = "write one address, e.g. `notices@example.org`, without a name or spaces"
            elif kind == "string_pattern_mismatch":
                message = f"{_describe(value)} is not a valid id for `{name}`"
                hint = "ids use lower-case letters, digits and underscores only (e.g. `bedfordshire`, `armed_policing`)"
            elif kind == "string_too_short":
                message = f"`{name}` is empty"
                hint = "write the text, or remove the key"
            elif kind == "string_too_long":
                message = f"{_describe(value)} is too long for an id"
            elif kind in ("string_type",):
                message = f"`{name}` should be text, not {_describe(value)}"
                hint = "put the text in quotes if it looks like something else"
            elif kind in ("dict_type", "model_type", "model_attributes_type"):
                message = f"`{name}` should be a mapping (`key: value` lines), not {_describe(value)}"
            elif kind in ("list_type",):
                message = f"`{name}` should be a list, not {_describe(value)}"
                hint = "write a list as `[a, b]` or as lines starting with `- `"
            elif kind.startswith("decimal") or kind in ("finite_number",):
                message = f"`{name}` should be a number, not {_describe(value)}"
                hint = "write digits only, e.g. 6250000.00"
            elif kind in ("bool_type", "bool_parsing"):
                message = f"`{name}` should be true or false, not {_describe(value)}"
            elif kind.startswith("date"):
                message = f"`{name}` should be a date, not {_describe(value)}"
                hint = "write dates as YYYY-MM-DD, e.g. 2016-07-19"
            elif kind == "value_error":
                message = f"`{name}`: {err['ctx']['error']}" if "ctx" in err else err["msg"]
            elif kind == "union_tag_invalid" or kind == "union_tag_not_found":
                message = f"`{name}` should be a mapping of fields or `none`"
            else:
                message = f"`{name}`: {err['msg']}"
        key = (pos, message)
        if key in seen:
            continue
        seen.add(key)
        out.append(Issue(pos, message, "error", "format", hint))
    return _merge_misspelt(out)


def _merge_misspelt(issues: list[Issue]) -> list[Issue]:
    """Drop "`x` is missing" when an unknown sibling key is a misspelling of `x` (one error, not two)."""
    misspelt = {i.hint.split("`")[1] for i in issues if i.message.startswith("unknown key") and i.hint.startswith("did you mean")}
    return [i for i in issues if not (i.message.startswith("`") and " is missing" in i.message
                                      and i.message.split("`")[1] in misspelt)]


def _field_info(root: type[BaseModel], loc: tuple) -> str:
    current: Any = root
    for step in loc[:-1]:
        candidates = [t for t in _unwrap(current)] if not (isinstance(current, type) and issubclass(current, BaseModel)) else [current]
        nxt = None
        for t in candidates:
            if isinstance(t, type) and issubclass(t, BaseModel) and step in t.model_fields:
                nxt = t.model_fields[step].annotation
            elif typing.get_origin(t) in (list, dict):
                nxt = typing.get_args(t)[-1]
        if nxt is None:
            continue
        current = nxt
    for t in _unwrap(current) if not (isinstance(current, type) and issubclass(current, BaseModel)) else [current]:
        if isinstance(t, type) and issubclass(t, BaseModel) and loc[-1] in t.model_fields:
            return t.model_fields[loc[-1]].description or ""
    return ""


def _build(model: type[BaseModel], loaded: Loaded, top_key: str) -> BaseModel:
    if not isinstance(loaded.data, dict):
        found = _describe(loaded.data) if isinstance(loaded.data, (list, bool)) or loaded.data is None else (
            "text" if isinstance(loaded.data, str) else "a single value")  # never quoted: it is the whole file
        raise InputError.at(
            loaded.source.value(()), f"expected a mapping starting with `{top_key}:` at the top of the file, "
            f"found {found}", rule="format",
            hint=f"see docs/format.md for the layout of this file")
    try:
        return model.model_validate(loaded.data)
    except ValidationError as exc:
        raise InputError(shape_issues(exc, model, loaded)) from None


# ---------------------------------------------------------------------------- parties


def find_parties(start: Path) -> Path | None:
    """Return the nearest parties.yaml in `start`'s folder or a parent folder."""
    start = Path(os.path.abspath(start))  # not resolve(): a linked workspace keeps its own names
    folder = start.parent if start.suffix else start
    for candidate in [folder, *folder.parents]:
        path = candidate / "parties.yaml"
        if path.is_file():
            return path
    return None


def load_parties(path: str | Path) -> PartiesFile:
    """Return a checked parties file, or raise InputError."""
    loaded = load_yaml(path)
    parties = _build(Parties, loaded, "forces")
    return PartiesFile(Path(path), parties, loaded.source)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- agreement


def load_agreement(path: str | Path, *, parties: str | Path | PartiesFile | None = None,
                   workspace: str | Path | None = None) -> CheckedAgreement:
    """Return a checked agreement, or raise InputError listing every problem found.

    `previous` must name a file inside `workspace` (default: the agreement's folder).
    """
    path = Path(path)
    loaded = load_yaml(path)
    if isinstance(loaded.data, dict) and "summit" in loaded.data and "agreement" not in loaded.data:
        raise InputError.at(loaded.source.key(("summit",)), "this is a summit file, not an agreement",
                            rule="format", hint="use `agreement-builder build` for a summit file")
    model: Agreement = _build(Agreement, loaded, "agreement")  # type: ignore[assignment]
    if not isinstance(parties, PartiesFile):
        parties_path = Path(parties) if parties else find_parties(path)
        if parties_path is None:
            raise InputError.at(
                loaded.source.key(("forces",)), "no parties.yaml found for this agreement", rule="unknown-force",
                hint="put parties.yaml beside the agreement or in a parent folder, or pass --parties FILE")
        parties = load_parties(parties_path)
    collector = _Collector(loaded.source)
    check_agreement(model, parties, path, collector, workspace=workspace_folder(path, workspace))
    if collector.errors:
        raise InputError(collector.issues)
    return CheckedAgreement(path, model, parties, loaded.source, tuple(sorted(collector.issues, key=Issue.sort_key)))


def check_parties_text(text: str, parties: PartiesFile) -> None:
    """Check a parties file's text as if it were `parties`' file; raise InputError."""
    from .loader import load_yaml_text

    _build(Parties, load_yaml_text(text, parties.label, parties.path), "forces")


def check_agreement_text(text: str, checked: CheckedAgreement, *, workspace: str | Path | None = None,
                         loaded: Loaded | None = None) -> None:
    """Check an agreement's text as if it were `checked`'s file (same path and parties); raise InputError.

    For an edit not yet written (absorb): nothing is read from or written to disk but the files it names.
    `loaded`: the text as the loader already read it.
    """
    from .loader import load_yaml_text

    loaded = loaded or load_yaml_text(text, checked.label, checked.path)
    model: Agreement = _build(Agreement, loaded, "agreement")  # type: ignore[assignment]
    collector = _Collector(loaded.source)
    check_agreement(model, checked.parties, checked.path, collector,
                    workspace=workspace_folder(checked.path, workspace))
    if collector.errors:
        raise InputError(collector.issues)


def check_agreement(a: Agreement, parties: PartiesFile, path: Path, c: _Collector, *,
                    workspace: Path | None = None) -> None:
    """Apply every rule to an agreement that has the right shape; findings go to `c`."""
    known = parties.parties.forces
    parties_label = parties.label

    # s22A(1): the parties
    seen: set[str] = set()
    for i, force in enumerate(a.forces):
        if force in seen:
            c.error(("forces", i), f"`{force}` is listed twice in `forces`", "duplicate-force")
        seen.add(force)
        if force not in known:
            hint = did_you_mean(force, known) or f"add `{force}` to {parties_label}, or correct the id"
            c.error(("forces", i), f"unknown force `{force}`: it is not in {parties_label}", "unknown-force", hint)
    if len(seen) < 2:
        c.error(("forces",), f"a section 22A agreement needs at least two policing bodies; this one has {len(seen)}",
                "s22a-parties", "list two or more forces: each joins with its chief officer and its policing body")
    if a.lead_force not in a.forces:
        hint = did_you_mean(a.lead_force, a.forces) or f"choose one of: {', '.join(a.forces)}"
        c.error(("lead_force",), f"the lead force `{a.lead_force}` is not one of the agreement's forces", "lead-force", hint)
    if not a.provisions:
        c.error(("provisions",), "no s22A(2) provision is made", "s22a-provisions",
                "list at least one of: force, policing_body, policing_body_and_force")
    for i, prov in enumerate(a.provisions):
        if prov in a.provisions[:i]:
            c.error(("provisions", i), f"the provision `{prov}` is listed twice", "s22a-provisions")

    # dates
    info = a.agreement
    if info.review <= info.commencement:
        c.error(("agreement", "review"), f"the review date {format_date(info.review)} is not after commencement "
                f"({format_date(info.commencement)})", "dates", "the next formal review comes after the agreement starts")
    if info.previous:
        prev = path.parent / info.previous
        folder = workspace_folder(path, workspace)
        if reason := outside_reason(path, info.previous, folder):
            message, hint = workspace_issue_text("previous", info.previous, reason, folder)
            c.error(("agreement", "previous"), message, "workspace", hint, at_key=True)
        elif not prev.is_file():
            c.error(("agreement", "previous"), f"the previous version `{info.previous}` does not exist "
                    f"(looked for {display_path(prev)})", "previous", "paths are relative to this file")
        elif prev.resolve() == path.resolve():
            c.error(("agreement", "previous"), "an agreement cannot be its own previous version", "previous")

    # governance bodies
    chiefs_are_parties = "force" in a.provisions or "policing_body_and_force" in a.provisions
    for name, value in a.governance.model_dump().items():
        if value and value[:4].lower() == "the ":
            c.error(("governance", name), f"`{name}`: write the name without “{value[:3]}”: the agreement puts "
                    "“the” before it where the sentence needs it", "governance",
                    f"e.g. `{name}: {value[4:]}`")
    if a.governance.chief_officers_board and not chiefs_are_parties:
        c.warning(("governance", "chief_officers_board"), "the chief officers are not parties to an agreement that "
                  "makes only policing body collaboration provision, so it has no chief officers' board: this name "
                  "is not printed", "governance", "remove `chief_officers_board`, or add the provision that makes "
                  "the chief officers parties")

    # drafting gaps: printed as [to be agreed], so that nothing is papered over
    for i, force in enumerate(a.forces):
        if force in known and not known[force].policing_body.address:
            c.warning(("forces", i), f"the policing body of `{force}` has no `address` in {parties_label}: the "
                      "notices section prints [address to be agreed]", "drafting-gap",
                      f"add `address:` under `policing_body` of `{force}` in {parties_label}")

    # finance inputs
    nre = a.finance.net_revenue_expenditure
    nre_needed = any(f.apportionment and FORMULAS[f.apportionment.formula].uses("nre") for f in a.functions)
    if nre:
        _check_force_figures(c, ("finance", "net_revenue_expenditure"), nre, a.forces, known, "net revenue expenditure")
    elif nre_needed:
        first = next(i for i, f in enumerate(a.functions) if f.apportionment and FORMULAS[f.apportionment.formula].uses("nre"))
        c.error(("functions", first, "apportionment", "formula"),
                "this formula uses net revenue expenditure, but `finance.net_revenue_expenditure` is not given",
                "apportionment", "add `finance: {net_revenue_expenditure: {force: amount, ...}}` for every force")

    # functions
    ids: dict[str, int] = {}
    for i, fn in enumerate(a.functions):
        base = ("functions", i)
        if fn.id in ids:
            c.error(base + ("id",), f"the function id `{fn.id}` is used twice (first as function {ids[fn.id] + 1})", "function-id")
        ids.setdefault(fn.id, i)
        if fn.specification == "none":
            if not fn.reason:
                c.error(base + ("specification",), f"`{fn.id}` has `specification: none` but no `reason`", "specification",
                        "add `reason:` saying why no service specification exists yet")
            # money without a specification is counted (12.1, decision notices) and shown (its Part B page), so it
            # must be apportioned like any other; an apportionment with no money to apportion says nothing
            if fn.budget is not None and fn.apportionment is None:
                c.error(base + ("budget",), f"`{fn.id}` has a budget but no `apportionment`: its cost would be in "
                        "the total budget but shared by nobody", "apportionment",
                        "give its cost apportionment, e.g. `apportionment: {formula: equal}`, or remove the budget")
            elif fn.apportionment is not None and fn.budget is None:
                c.error(base + ("apportionment",), f"`{fn.id}` has an `apportionment` but no `budget`: there is "
                        "nothing to apportion", "budget", "give its annual `budget`, or remove the apportionment",
                        at_key=True)
        elif fn.reason:
            c.error(base + ("reason",), f"`reason` is only for a function with `specification: none`", "specification",
                    "remove `reason`, or set `specification: none`")
        if fn.budget is not None:
            if fn.budget <= 0:
                c.error(base + ("budget",), f"the budget of `{fn.id}` must be more than £0", "budget")
            elif fn.budget != fn.budget.quantize(Decimal("0.01")):
                c.error(base + ("budget",), f"the budget of `{fn.id}` has fractions of a penny", "budget",
                        "write pounds with at most two decimals")
        if fn.specification != "none":
            if fn.budget is None:
                c.error(base, f"`{fn.id}` has no `budget`", "budget",
                        "give the annual budget in pounds, or `specification: none` with a reason", at_key=True)
            if fn.apportionment is None:
                c.error(base, f"`{fn.id}` has no `apportionment`", "apportionment",
                        "give its cost apportionment, e.g. `apportionment: {formula: equal}`", at_key=True)
            if fn.specification is None:
                c.warning(base, f"`{fn.id}` has no `specification`: its Service Specification marks the services "
                          "[to be agreed] and shows its budget and cost apportionment",
                          "drafting-gap", "add `specification: {purpose: ..., services: [...]}`", at_key=True)
        if fn.apportionment is not None:
            _check_apportionment(c, base + ("apportionment",), fn.apportionment, a.forces, known)
        if isinstance(fn.specification, Specification):
            _check_specification(c, base + ("specification",), fn.specification)
            if not fn.specification.services:
                c.warning(base + ("specification",), f"`{fn.id}` has no `services`: its Service Specification "
                          "prints “The services in scope of the Function are [to be agreed].”", "drafting-gap",
                          "list the services under `specification: services:`", at_key=True)

    # drafting gaps the YAML marks itself ("[to be agreed]" in a specification or a clause)
    for path, text in _texts(a):
        if _GAP_MARK.search(text):
            c.warning(path, f"`{_name(path)}` is marked {_GAP_MARK.search(text).group(0)}: a drafting gap",
                      "drafting-gap", "fill it in before the agreement is final")

    # clauses
    clause_ids: dict[str, tuple] = {}
    for key, clauses in a.clauses.items():
        if key not in SECTION_KEYS:
            hint = did_you_mean(key, SECTION_KEYS) or "use a section key of the umbrella outline (docs/format.md)"
            c.error(("clauses", key), f"`{key}` is not a section of the umbrella agreement", "clauses", hint, at_key=True)
        for j, clause in enumerate(clauses):
            if clause.id:
                if clause.id in clause_ids:
                    c.error(("clauses", key, j, "id"), f"the clause id `{clause.id}` is used twice", "clauses")
                clause_ids.setdefault(clause.id, ("clauses", key, j))

    # final documents
    if info.status == "final":
        if info.date is None:
            c.warning(("agreement", "status"), "a final agreement has no `date`", "final",
                      "add `date:` (the date of the agreement) before it is signed")
        missing = [f for f in a.forces if f in known and (
            not known[f].chief_officer.holder or not known[f].policing_body.holder)]
        if missing:
            c.warning(("agreement", "status"), "a final agreement without office holders' names for: "
                      + ", ".join(missing), "final", f"add `holder:` to each corporation sole in {parties_label}")


_GAP_MARK = re.compile(r"\[(?:to be agreed|to be confirmed|tbc|tba)\]", re.IGNORECASE)


def _texts(a: Agreement) -> Iterable[tuple[tuple, str]]:
    """Yield (data path, text) of the agreement's own wording: specifications, reasons, clauses."""
    for i, fn in enumerate(a.functions):
        if fn.reason:
            yield ("functions", i, "reason"), fn.reason
        if isinstance(fn.specification, Specification):
            for key, value in fn.specification.model_dump().items():
                if isinstance(value, str):
                    yield ("functions", i, "specification", key), value
                elif isinstance(value, list):
                    yield from ((("functions", i, "specification", key, j), v) for j, v in enumerate(value)
                                if isinstance(v, str))
    for key, clauses in a.clauses.items():
        for j, clause in enumerate(clauses):
            yield ("clauses", key, j, "text"), clause.text


def _check_force_figures(c: _Collector, path: tuple, values: dict, forces: list[str], known: dict, what: str) -> None:
    """Figures per force must be given for exactly the agreement's forces, and not be negative."""
    if any(f not in known for f in forces):
        return  # the unknown force is reported once, at `forces`; more here would be noise
    extra = [f for f in values if f not in forces]
    if extra:
        names = ", ".join(f"`{f}`" for f in extra)
        hint = did_you_mean(extra[0], forces) if len(extra) == 1 else ""
        c.error(path + (extra[0],), f"{what} is given for {names}, not {'a force' if len(extra) == 1 else 'forces'} "
                f"of this agreement", "apportionment", hint or f"the agreement's forces are: {', '.join(forces)}",
                at_key=True)
    for force, value in values.items():
        if force in forces and value < 0:
            c.error(path + (force,), f"{what} for `{force}` is negative", "apportionment")
    missing = [f for f in forces if f not in values]
    if missing:
        c.error(path, f"{what} is missing for {', '.join(f'`{f}`' for f in missing)}", "apportionment",
                f"give a figure for every force of the agreement: {', '.join(forces)}", at_key=True)
    elif all(values[f] == 0 for f in forces):
        c.error(path, f"{what} is zero for every force: nothing to apportion by", "apportionment", at_key=True)


def _check_specification(c: _Collector, path: tuple, spec: Specification) -> None:
    """Free-form keys are allowed, but a misspelt standard key would silently print nothing."""
    for key in (spec.model_extra or {}):
        suggestion = did_you_mean(key, Specification.model_fields)
        if suggestion:
            c.error(path + (key,), f"unknown specification field `{key}`", "format", suggestion, at_key=True)
        elif not key.isidentifier() or not key.islower():
            c.error(path + (key,), f"`{key}` cannot be used by a template", "format",
                    "name free-form fields with lower-case letters, digits and underscores", at_key=True)


def _check_apportionment(c: _Collector, path: tuple, ap, forces: list[str], known: dict) -> None:
    needs = FORMULAS[ap.formula].inputs
    given = {spec.field: getattr(ap, spec.field) for spec in INPUTS.values() if spec.per_function}
    for name, value in given.items():
        if value is not None and name not in needs:
            c.error(path + (name,), f"`{name}` is given, but the formula `{ap.formula}` does not use it", "apportionment",
                    f"remove `{name}`, or choose a formula that uses it", at_key=True)
        if value is None and name in needs:
            c.error(path, f"the formula `{ap.formula}` needs `{name}`", "apportionment",
                    f"add `{name}:` under `apportionment`", at_key=True)
    if ap.demand is not None and "demand" in needs:
        _check_force_figures(c, path + ("demand",), ap.demand, forces, known, INPUTS["demand"].words)
    if ap.shares is not None and "shares" in needs:
        _check_force_figures(c, path + ("shares",), ap.shares, forces, known, INPUTS["shares"].words)
        total = sum(ap.shares.values(), Decimal(0))
        if all(f in ap.shares for f in forces) and total != Decimal(100):
            c.error(path + ("shares",), f"fixed shares sum to {total}%, not exactly 100.00%", "shares",
                    "adjust the shares so that they add up to 100", at_key=True)
    if ap.weights is not None and "weights" in needs:
        for name in ("nre", "demand"):
            if getattr(ap.weights, name) < 0:
                c.error(path + ("weights", name), f"the {name} weight is negative", "weights")
        total = ap.weights.nre + ap.weights.demand
        if total != 100:
            c.error(path + ("weights",), f"weights sum to {total}, not 100", "weights",
                    "e.g. `weights: {nre: 50, demand: 50}`", at_key=True)


# ---------------------------------------------------------------------------- summit


def load_summit(path: str | Path, *, workspace: str | Path | None = None) -> CheckedSummit:
    """Return a checked summit file (its parties and agreement files exist), or raise InputError.

    Its parties and agreement files must be inside `workspace` (default: the summit's folder).
    """
    path = Path(path)
    loaded = load_yaml(path)
    model: Summit = _build(Summit, loaded, "summit")  # type: ignore[assignment]
    c = _Collector(loaded.source)
    folder = workspace_folder(path, workspace)
    parties_path = path.parent / model.parties
    if reason := outside_reason(path, model.parties, folder):
        message, hint = workspace_issue_text("parties", model.parties, reason, folder)
        c.error(("parties",), message, "workspace", hint, at_key=True)
    elif not parties_path.is_file():
        c.error(("parties",), f"the parties file `{model.parties}` does not exist", "summit", "paths are relative to this file")
    paths: list[Path] = []
    for i, rel in enumerate(model.agreements):
        p = path.parent / rel
        if reason := outside_reason(path, rel, folder):
            message, hint = workspace_issue_text("agreements", rel, reason, folder)
            c.error(("agreements", i), message, "workspace", hint)
        elif not p.is_file():
            c.error(("agreements", i), f"the agreement file `{rel}` does not exist", "summit", "paths are relative to this file")
        elif p.resolve() in [q.resolve() for q in paths]:
            c.error(("agreements", i), f"`{rel}` is listed twice", "summit")
        paths.append(p)
    if not model.agreements:
        c.error(("agreements",), "the summit lists no agreements", "summit")
    stems = {}
    for i, p in enumerate(paths):
        problem = agreement_name_problem(p.stem)
        if problem:  # the file's name names its folder and documents in the pack
            c.error(("agreements", i), f"`{p.name}` cannot name a folder of the pack: {problem}", "summit",
                    "rename the agreement file")
        elif p.stem.casefold() in stems:
            c.error(("agreements", i), f"two agreements are called `{p.stem}` (letter case aside): their outputs "
                    "would collide", "summit", "rename one of the files")
        stems[p.stem.casefold()] = i
    if c.errors:
        raise InputError(c.issues)
    return CheckedSummit(path, model, parties_path, tuple(paths), loaded.source, folder)


def signing_issues(summit: CheckedSummit, index: int, checked: CheckedAgreement) -> list[Issue]:
    """Return the warnings about the summit's `index`-th agreement as one to be signed at the summit.

    A summit is where agreements are signed: one already dated before the summit's date is an
    agreement signed earlier (a previous version listed by mistake, or a date left over from it).
    The warning stands at the summit's entry for the agreement, where the fix usually is.
    """
    c = _Collector(summit.source)
    info, when = checked.agreement.agreement, summit.summit.summit.date
    if info.date is not None and info.date < when:
        status = "a final agreement" if info.status == "final" else "an agreement"
        c.warning(("agreements", index), f"the summit on {format_date(when)} is for signing `{checked.label}`, "
                  f"{status} already dated {format_date(info.date)}", "signing-date",
                  "list the version to be signed at this summit, or correct the agreement's `date`")
    return c.issues


# ---------------------------------------------------------------------------- any file


def check_file(path: str | Path, *, parties: str | Path | None = None,
               workspace: str | Path | None = None) -> list[Issue]:
    """Return every issue of a file of any kind (agreement, summit or parties), for `validate`.

    A summit's agreements are checked against the summit's workspace.
    """
    path = Path(path)
    try:
        loaded = load_yaml(path)
        data = loaded.data
        if isinstance(data, dict) and "summit" in data:
            summit = load_summit(path, workspace=workspace)
            issues: list[Issue] = []
            try:
                parties_file = load_parties(summit.parties_path)
            except InputError as exc:
                return exc.issues
            for i, p in enumerate(summit.agreement_paths):
                try:
                    checked = load_agreement(p, parties=parties_file, workspace=summit.workspace)
                except InputError as exc:
                    issues.extend(exc.issues)
                    continue
                issues.extend(checked.warnings)
                issues.extend(signing_issues(summit, i, checked))
            return issues
        if isinstance(data, dict) and "forces" in data and "agreement" not in data and isinstance(data["forces"], dict):
            load_parties(path)
            return []
        return _agreement_issues(path, parties, workspace)
    except InputError as exc:
        return exc.issues


def _agreement_issues(path: Path, parties: str | Path | PartiesFile | None, workspace: str | Path | None) -> list[Issue]:
    try:
        return list(load_agreement(path, parties=parties, workspace=workspace).warnings)
    except InputError as exc:
        return exc.issues
