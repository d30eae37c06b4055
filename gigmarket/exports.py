"""Shared helpers for spreadsheet and CSV exports.

A cell whose text starts with = + - @ (or a tab / carriage return, which spreadsheet
programs skip before such a sign) would run as a formula when the file is opened
("CSV/formula injection"). Every export writes such values as text:

- CSV: `csv_row(values)` / `neutralise_formula(value)` prefix a `'`.
- xlsx: `xlsx_cell(ws, value)` / `xlsx_append_row(ws, values)` / `xlsx_write(ws, row,
  column, value)` store the exact text as a string cell with Excel's quote prefix, so
  it shows unchanged and stays text when edited.

`audit_export(...)` writes the audit row every export must leave; `csv_response` and
`xlsx_response` set the download headers (Chinese file names work).
"""

import csv
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell import WriteOnlyCell

from .audit import audit_record
from .models import AuditEvent

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise_formula(value):
    """Return `value` safe for a CSV cell: formula-like text gets a leading `'`."""
    if is_formula_like(value):
        return "'" + value
    return value


def csv_row(values):
    """One CSV row: None as an empty cell, formula-like text neutralised."""
    return ["" if value is None else neutralise_formula(value) for value in values]


def _force_text(cell):
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_cell(ws, value):
    """A cell for `ws.append(...)` (normal or write-only sheets); formula-like text stays text."""
    cell = WriteOnlyCell(ws, value=value)
    if is_formula_like(value):
        _force_text(cell)
    return cell


def xlsx_append_row(ws, values):
    ws.append([xlsx_cell(ws, value) for value in values])


def xlsx_write(ws, row, column, value):
    """Write one value at (row, column) of a normal sheet, e.g. into a template layout."""
    cell = ws.cell(row=row, column=column, value=value)
    if is_formula_like(value):
        _force_text(cell)
    return cell


def csv_response(filename, header, rows):
    """A CSV download Excel opens correctly (UTF-8 with BOM), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_row(header))
    for row in rows:
        writer.writerow(csv_row(row))
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(workbook, filename):
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def audit_export(*, by, what, row_count, county=None, filters=None, personal_data=False):
    """Record an export: who downloaded which file, how many rows, with which filters.

    `county` is the division the export covers (a county, a 市州, or None for the
    province). Set `personal_data=True` when unmasked 身份证号 or phones are included.
    """
    return audit_record(
        actor=by,
        action=AuditEvent.Action.EXPORT,
        county=county,
        target_repr=what,
        changes={
            "rows": row_count,
            "filters": {key: str(value) for key, value in (filters or {}).items()},
            "personal_data": personal_data,
        },
    )
