"""The finance workbook of a summit pack (`finance.xlsx`): the figures as a finance officer uses them.

One sheet per agreement (function, formula, inputs, shares, contributions, totals, and the
previous version's figures beside them) and a summary of each force across the summit. Every
number is a number cell with a format (money in pounds, shares as percentages), never text,
and every value is the `Decimal` the documents print (figures.py). The file is deterministic:
fixed document dates and a zip written with fixed entry dates and order.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from .figures import AgreementFigures, FunctionFigures, summit_summary
from .formulas import FORMULAS, INPUTS
from .package import write_docx_bytes

MONEY = '"£"#,##0.00;-"£"#,##0.00'
PERCENT = "0.00%"
POINTS = '+0.00" pp";-0.00" pp";0.00" pp"'
PLAIN = "#,##0.##"


@dataclass(frozen=True)
class AgreementSheet:
    """What one agreement's sheet is made from: its figures, inputs and previous version."""

    figures: AgreementFigures
    inputs: dict[str, dict[str, dict[str, Decimal]]]  # input key (formulas.INPUTS) -> function id -> force id -> figure
    previous: AgreementFigures | None = None
    formulas: dict[str, str] | None = None  # function id -> the formula with its weights ("70% net revenue expenditure and 30% demand")


def sheet_from_checked(checked, figures: AgreementFigures, previous: AgreementFigures | None = None) -> AgreementSheet:
    """Return an agreement's sheet inputs from a `validate.CheckedAgreement` and its figures."""
    a = checked.agreement
    inputs = {key: {fn.id: spec.values(a, fn) for fn in a.functions if fn.apportionment} for key, spec in _COLUMNS.items()}
    words = {fn.id: FORMULAS[fn.apportionment.formula].short(fn.apportionment.weights) for fn in a.functions
             if fn.apportionment}
    return AgreementSheet(figures, inputs, previous, {k: v[:1].upper() + v[1:] for k, v in words.items()})


def finance_workbook(sheets: list[AgreementSheet], *, summit: str, date: dt.date) -> bytes:
    """Return finance.xlsx as bytes: a summary sheet, then one sheet per agreement."""
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    names = _sheet_names([s.figures.reference for s in sheets])
    _summary_sheet(summary, sheets, names, summit, date)
    for sheet, name in zip(sheets, names):
        _agreement_sheet(wb.create_sheet(name), sheet)
    stamp = dt.datetime.combine(date, dt.time())
    wb.properties.creator = "agreement-builder"
    wb.properties.lastModifiedBy = "agreement-builder"
    wb.properties.title = f"{summit}: finance"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    # openpyxl stamps `modified` with the clock when it saves: put the summit's date back
    parts["docProps/core.xml"] = re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
        lambda m: m.group(1) + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + m.group(2), parts["docProps/core.xml"])
    return write_docx_bytes(parts)  # fixed entry dates and order: same inputs, same bytes


def _sheet_names(references: list[str]) -> list[str]:
    """Return a unique, valid sheet name for each agreement (Excel: 31 characters, no []:*?/\\)."""
    out: list[str] = []
    for ref in references:
        base = re.sub(r"[\[\]:*?/\\']", "-", ref).strip() or "Agreement"
        name, n = base[:31], 2
        while name.lower() in {x.lower() for x in out} or name.lower() == "summary":
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        out.append(name)
    return out


def _title(ws, text: str, columns: int) -> None:
    from openpyxl.styles import Font

    ws.cell(row=1, column=1, value=text).font = Font(name="Calibri", bold=True, size=13)


def _header(ws, row: int, labels: list[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="DCE3EE")
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font = Font(name="Calibri", bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[row].height = 45
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    ws.auto_filter.ref = f"A{row}:{_column(len(labels))}{row}"


def _column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _put(ws, row: int, col: int, value, fmt: str | None = None, *, bold: bool = False):
    from openpyxl.styles import Font

    cell = ws.cell(row=row, column=col, value=value)
    if fmt and value is not None:
        cell.number_format = fmt
    if bold:
        cell.font = Font(name="Calibri", bold=True)
    return cell


def _widths(ws, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[_column(col)].width = width


def _page(ws) -> None:
    """Landscape, one page wide, header rows repeated: how a finance officer prints it."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"


def _share(percent: Decimal | None) -> Decimal | None:
    """Return a printed share (28.50) as the fraction a percentage cell holds (0.2850), exactly."""
    return None if percent is None else percent / 100


def _summary_sheet(ws, sheets: list[AgreementSheet], names: list[str], summit: str, date: dt.date) -> None:
    from .formats import format_date

    _title(ws, f"{summit}, {format_date(date)}: contributions of each force", 1)
    refs = [s.figures.reference for s in sheets]
    _header(ws, 2, ["Force", *[f"{ref}" for ref in refs], "Total", "Previous versions¹", "Change¹ (£)", "Change¹ (%)"])
    people = summit_summary([s.figures for s in sheets], {s.figures.reference: s.previous for s in sheets})
    row = 3
    for person in people:
        _put(ws, row, 1, person.name)
        for col, (_, value) in enumerate(person.by_agreement, start=2):
            _put(ws, row, col, value, MONEY)
        col = len(refs) + 2
        _put(ws, row, col, person.total, MONEY, bold=True)
        before, change = person.previous_total, person.change
        _put(ws, row, col + 1, before, MONEY)
        if change is not None:
            _put(ws, row, col + 2, change, MONEY)
            _put(ws, row, col + 3, change / before if before else None, PERCENT)
        row += 1
    _put(ws, row, 1, "Total", bold=True)
    for col, figures in enumerate((s.figures for s in sheets), start=2):
        _put(ws, row, col, figures.total_budget(), MONEY, bold=True)
    _put(ws, row, len(refs) + 2, sum((s.figures.total_budget() for s in sheets), Decimal(0)), MONEY, bold=True)
    row += 1
    with_previous = [s.figures.reference for s in sheets if s.previous is not None]
    _put(ws, row, 1, "¹ Over the agreements that have a previous version, like for like: "
         + (", ".join(with_previous) if with_previous else "none in this summit") + ".")
    row += 2
    _put(ws, row, 1, "Sheets:")
    for sheet, name in zip(sheets, names):
        row += 1
        cell = _put(ws, row, 1, f"{sheet.figures.reference}: {sheet.figures.title}, version {sheet.figures.version}")
        cell.hyperlink = f"#'{name}'!A1"
    _widths(ws, [34, *[18] * len(refs), 18, 18, 16, 12])
    _page(ws)


#: The inputs with a column of their own: one figure per force (the weights are in the formula's name).
_COLUMNS = {key: spec for key, spec in INPUTS.items() if spec.per_force}
_INPUT_FORMATS = {"money": MONEY, "number": PLAIN, "percent": PERCENT}
COLUMNS = ["Service Specification", "Function", "Formula", "Force", *(spec.column for spec in _COLUMNS.values()),
           "Share", "Contribution (£)", "Previous share", "Previous contribution (£)", "Change (£)"]
_SHARE = 5 + len(_COLUMNS)  # the column of the share; the ones after it follow


def _agreement_sheet(ws, sheet: AgreementSheet) -> None:
    f = sheet.figures
    _title(ws, f"{f.title} ({f.reference}, version {f.version})"
           + (f": beside version {sheet.previous.version}" if sheet.previous else ""), len(COLUMNS))
    _header(ws, 2, COLUMNS)
    old = {fn.function_id: fn for fn in sheet.previous.functions} if sheet.previous else {}
    row = 3
    for fn in f.functions:
        row = _function_rows(ws, row, fn, sheet, old.get(fn.function_id))
    _widths(ws, [14, 50, 42, 30, *(20 if spec.kind == "money" else 10 for spec in _COLUMNS.values()), 10, 18, 10, 18, 16])
    _page(ws)


def _function_rows(ws, row: int, fn: FunctionFigures, sheet: AgreementSheet, before: FunctionFigures | None) -> int:
    formula = FORMULAS.get(fn.formula or "")
    label = (sheet.formulas or {}).get(fn.function_id) or (formula.label if formula else "No apportionment")
    share = _SHARE
    for line in fn.lines:
        _put(ws, row, 1, fn.number)
        _put(ws, row, 2, fn.name)
        _put(ws, row, 3, label)
        _put(ws, row, 4, sheet.figures.force_name(line.force))
        for column, (key, spec) in enumerate(_COLUMNS.items(), start=5):
            if formula and formula.uses(key):
                value = sheet.inputs[key].get(fn.function_id, {}).get(line.force)
                _put(ws, row, column, _share(value) if spec.kind == "percent" else value, _INPUT_FORMATS[spec.kind])
        _put(ws, row, share, _share(line.percent), PERCENT)
        _put(ws, row, share + 1, line.contribution, MONEY)
        old = before.line(line.force) if before else None
        if old is not None:
            _put(ws, row, share + 2, _share(old.percent), PERCENT)
            _put(ws, row, share + 3, old.contribution, MONEY)
        if old is not None and old.contribution is not None and line.contribution is not None:
            _put(ws, row, share + 4, line.contribution - old.contribution, MONEY)
        row += 1
    _put(ws, row, 1, fn.number, bold=True)
    _put(ws, row, 2, fn.name, bold=True)
    _put(ws, row, 3, label, bold=True)
    _put(ws, row, 4, "Total", bold=True)
    if fn.lines:
        _put(ws, row, share, _share(sum((x.percent for x in fn.lines), Decimal(0))), PERCENT, bold=True)
    _put(ws, row, share + 1, fn.budget, MONEY, bold=True)
    if before is not None:
        if before.lines:
            _put(ws, row, share + 2, _share(sum((x.percent for x in before.lines), Decimal(0))), PERCENT, bold=True)
        _put(ws, row, share + 3, before.budget, MONEY, bold=True)
        if before.budget is not None and fn.budget is not None:
            _put(ws, row, share + 4, fn.budget - before.budget, MONEY, bold=True)
    return row + 2
