"""The input format (DESIGN.md §3) as frozen pydantic models.

Models describe shape and type only; rules that relate values to each other (shares sum to
100, the lead force is a party, ...) live in `validate.py`, where they get rule ids. Unknown
keys are refused (`extra="forbid"`) so a misspelt key is an error with a did-you-mean rather
than a silently ignored setting. Field descriptions feed `agreement-builder schema`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
)

from .formulas import FORMULAS

#: The formula names a YAML file may give: the entries of the table in formulas.py, in its order.
FormulaName = Literal[tuple(FORMULAS)]  # type: ignore[valid-type]


def _text(value: Any) -> Any:
    """Accept numbers written without quotes where text is meant (`version: 3.0`)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


def quoted(value: Any, limit: int = 60) -> str:
    """Return a value as an error message quotes it: `x`, or only its length when long or multi-line
    (a message never repeats a whole text read from a file)."""
    text = str(value)
    if len(text) > limit or "\n" in text:
        return f"a text of {len(text):,} characters"
    return f"`{text}`"


def _number(value: Any) -> Any:
    """Accept money and shares as numbers or as quoted digits; refuse anything else."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not yes/no")
    if isinstance(value, float):  # never produced by our loader: refuse silently lossy input
        raise ValueError("expected a number written in digits")
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text or any(c not in "0123456789.-+" for c in text):
            raise ValueError(f"{quoted(value)} is not a number: write digits only, without £, % or commas")
        return text
    return value


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date without a time, e.g. 2016-07-19")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{quoted(value)} is not a date: write dates as YYYY-MM-DD, e.g. 2016-07-19") from None
    raise ValueError("expected a date written as YYYY-MM-DD, e.g. 2016-07-19")


def _one_line(value: str) -> str:
    """Titles, names and references are printed in headings, tables and footers: no line breaks or tabs."""
    if "\n" in value or "\t" in value:
        what = "a line break" if "\n" in value else "a tab"
        raise ValueError(f"{what} cannot appear here: this is one line of text (write it on one line, "
                         "or with `>-` to fold several lines into one)")
    return value


#: Text that may run over several lines (clauses, specifications, reasons, addresses).
Text = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1)]
#: An email address for notices: one line, one @, no spaces (printed as written).
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254), BeforeValidator(_text)]
#: One line of text (titles, names, references, paths).
Line = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1), AfterValidator(_one_line)]
Id = Annotated[
    str,
    BeforeValidator(_text),
    StringConstraints(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=64),
    Field(description="An id: lower-case letters, digits and underscores (used in file names)."),
]
Number = Annotated[Decimal, BeforeValidator(_number), Field(allow_inf_nan=False)]
Date = Annotated[dt.date, BeforeValidator(_date)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# ---------------------------------------------------------------------------- parties.yaml


class ChiefOfficer(Model):
    title: Line = Field(description="The corporation sole as named in the agreement, e.g. 'Chief Constable of Bedfordshire Police'.")
    holder: Line | None = Field(None, description="Name of the office holder, printed in the signature block.")


class PolicingBody(Model):
    title: Line = Field(description="e.g. 'Police and Crime Commissioner for Bedfordshire'.")
    holder: Line | None = Field(None, description="Name of the office holder, printed in the signature block.")
    address: Text | None = Field(None, description="Address for notices under the agreement.")
    email: Email | None = Field(None, description="Email address for notices under the agreement (optional; "
                                "without it, notices go by hand or by post).")


class Force(Model):
    name: Line = Field(description="The force as written in the agreement text, e.g. 'Bedfordshire Police'.")
    area: Line = Field(description="The police area, e.g. 'Bedfordshire'.")
    chief_officer: ChiefOfficer
    policing_body: PolicingBody


class Parties(Model):
    """parties.yaml: the forces and their two corporations sole each."""

    forces: dict[Id, Force] = Field(description="Forces by id (lower-case; used everywhere else).")


# ---------------------------------------------------------------------------- agreement


class AgreementInfo(Model):
    title: Line = Field(description="The collaborated business area, e.g. 'Joint Protective Services'.")
    reference: Line = Field(description="Document reference, printed in the footer.")
    version: Line = Field(description="Version, e.g. \"3.0\".")
    status: Literal["draft", "final"] = Field("draft", description="draft | final. A final document is never overwritten without --force.")
    date: Date | None = Field(None, description="Date of the agreement (may be absent in drafts).")
    commencement: Date = Field(description="Date the agreement takes effect.")
    review: Date = Field(description="Date of the next formal review.")
    alliance: Line = Field(description="The alliance's name.")
    previous: Line | None = Field(None, description="The version this one replaces (path relative to this file).")
    language: Literal["en-GB", "cy-GB"] = Field(
        "en-GB", description="en-GB | cy-GB: the language of the document's text (BCP 47), set in the Word file and "
                             "its PDF so that screen readers read it in the right voice.")


class Weights(Model):
    nre: Number = Field(description="Weight of net revenue expenditure, percent.")
    demand: Number = Field(description="Weight of demand, percent.")


class Apportionment(Model):
    formula: FormulaName = Field(description=" | ".join(FORMULAS) + " (DESIGN.md §4).")
    weights: Weights | None = Field(None, description="nre_and_demand only: percent weights summing to 100.")
    demand: dict[Id, Number] | None = Field(None, description="Demand per force (demand, nre_and_demand).")
    shares: dict[Id, Number] | None = Field(None, description="fixed only: percent share per force, summing to exactly 100.00.")


class Specification(Model):
    """Free-form fields for the annex template; the generic annex uses the named ones."""

    model_config = ConfigDict(extra="allow", frozen=True)
    purpose: Text | None = Field(None, description="What the unit is for.")
    services: list[Text] = Field(default_factory=list, description="Services in scope.")
    service_levels: list[Text] = Field(default_factory=list, description="Service levels.")
    governance: Text | None = Field(None, description="Governance and reporting of the unit.")
    reporting: Text | None = Field(None, description="Performance reporting of the unit.")


def _spec_kind(value: Any) -> str:
    return "no-specification" if isinstance(value, str) else "specification-fields"


SpecificationField = Annotated[
    Union[
        Annotated[Literal["none"], Tag("no-specification")],
        Annotated[Specification, Tag("specification-fields")],
    ],
    Discriminator(_spec_kind),
]


class Function(Model):
    id: Id = Field(description="Function id; its annex template is annexes/<id>.docx when present.")
    name: Line = Field(description="e.g. 'Armed Policing Unit'.")
    budget: Number | None = Field(None, description="Annual budget in pounds, e.g. \"6250000.00\".")
    apportionment: Apportionment | None = None
    specification: SpecificationField | None = Field(
        None, description="Fields for the annex template, or `none` when no specification exists yet.")
    reason: Text | None = Field(None, description="Why there is no specification yet (with `specification: none`).")
    publish: bool = Field(True, description="false: details withheld from the publication version.")


def _clause(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


class Clause(Model):
    id: Id | None = Field(None, description="Optional stable id, so that a reworded clause is reported as reworded.")
    text: Text = Field(description="The clause, printed literally.")


ClauseField = Annotated[Clause, BeforeValidator(_clause)]


class Finance(Model):
    net_revenue_expenditure: dict[Id, Number] = Field(
        default_factory=dict, description="Net revenue expenditure per force, pounds (formulas using nre).")


Provision = Literal["force", "policing_body", "policing_body_and_force"]


class Governance(Model):
    """The names of the collaboration's governance bodies (Part A section 7, Appendices 1 and 2).

    Each is optional: an agreement that names none gets neutral ones. The name is printed as
    the body's defined term ("the Strategic Alliance Summit"), so it is written without "The".
    """

    board: Line | None = Field(None, description="The board that oversees the Functions "
                               "(default: 'Collaboration Board').")
    chief_officers_board: Line | None = Field(None, description="The board of the chief officers above it "
                                              "(default: 'Chief Officers’ Board'; only when the chief officers are parties).")
    summit: Line | None = Field(None, description="The meeting of all the parties (default: 'Summit').")


class Agreement(Model):
    """An agreement file: the umbrella (Part A) data and its functions (Part B)."""

    agreement: AgreementInfo
    forces: list[Id] = Field(description="Force ids; each joins with both corporations sole.")
    lead_force: Id = Field(description="The force that delivers the collaborated service.")
    provisions: list[Provision] = Field(description="s22A(2) provisions: force | policing_body | policing_body_and_force.")
    governance: Governance = Field(default_factory=Governance, description="Names of the governance bodies (optional).")
    finance: Finance = Field(default_factory=Finance)
    functions: list[Function] = Field(default_factory=list, description="Part B, in this order.")
    clauses: dict[str, list[ClauseField]] = Field(
        default_factory=dict, description="Agreement-specific clauses by umbrella section key, appended to that section.")


# ---------------------------------------------------------------------------- summit.yaml


class SummitInfo(Model):
    name: Line
    date: Date


class Summit(Model):
    """summit.yaml: what `agreement-builder build` builds."""

    summit: SummitInfo
    parties: Line = Field("parties.yaml", description="The parties file (relative to this file).")
    agreements: list[Line] = Field(description="Agreement files (relative to this file).")
