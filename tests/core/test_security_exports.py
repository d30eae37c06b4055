"""Exports never carry live formulas; exports are audited."""

import csv
import io
import zipfile

import openpyxl
import pytest

from gigmarket.exports import (
    audit_export,
    csv_response,
    csv_row,
    neutralise_formula,
    xlsx_append_row,
    xlsx_response,
    xlsx_write,
)
from gigmarket.models import AuditEvent

DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://evil.example","点我")',
    "+86 139",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["张三", "南明区 = 贵阳", "a=b", "13985012345", "", "'already quoted"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_like_text_gets_a_quote_prefix(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", [*HARMLESS, 42, -5, 3.5, None])
def test_other_values_are_untouched(value):
    assert neutralise_formula(value) == value


def test_csv_row_blanks_none_and_neutralises():
    assert csv_row(["=1+1", None, 7, "王五"]) == ["'=1+1", "", 7, "王五"]


def workbook_cells(content):
    """(value, data_type) of each cell of the first sheet, as a spreadsheet program would load them."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [[(cell.value, cell.data_type) for cell in row] for row in workbook.active.iter_rows()]


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_rows_store_formula_like_text_as_text(write_only):
    workbook = openpyxl.Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    xlsx_append_row(sheet, [*DANGEROUS, "张三", 12, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = workbook_cells(buffer.getvalue())[0]
    # Exact text kept (XML reads a bare carriage return back as a line feed).
    assert [value for value, _ in cells[: len(DANGEROUS)]] == [v.replace("\r", "\n") for v in DANGEROUS]
    assert all(data_type == "s" for _, data_type in cells[: len(DANGEROUS)])
    assert cells[len(DANGEROUS)] == ("张三", "s")
    assert cells[len(DANGEROUS) + 1] == (12, "n")
    sheet_xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_xlsx_write_into_a_layout_keeps_text():
    workbook = openpyxl.Workbook()
    xlsx_write(workbook.active, 3, 2, "=cmd|' /C calc'!A0")
    xlsx_write(workbook.active, 3, 3, 5)
    assert workbook.active.cell(3, 2).data_type == "s"
    assert workbook.active.cell(3, 2).quotePrefix
    assert workbook.active.cell(3, 3).value == 5


def test_csv_response_is_excel_friendly_and_neutralised():
    response = csv_response("零工名单.csv", ["姓名", "备注"], [["张三", "=1+1"], ["李四", None]])
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''%E9%9B%B6" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [["姓名", "备注"], ["张三", "'=1+1"], ["李四", ""]]


def test_xlsx_response_headers():
    workbook = openpyxl.Workbook()
    xlsx_append_row(workbook.active, ["=1"])
    response = xlsx_response(workbook, "附件1.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    assert workbook_cells(response.content) == [[("=1", "s")]]


def test_export_hook_writes_an_audit_row(county_user, nanming):
    row = audit_export(by=county_user, what="南明区零工名单", row_count=37, county=nanming, filters={"trade": "电工"})
    row.refresh_from_db()
    assert row.action == AuditEvent.Action.EXPORT
    assert row.actor == county_user and row.county == nanming and row.city == nanming.parent
    assert row.target_repr == "南明区零工名单"
    assert row.changes == {"rows": 37, "filters": {"trade": "电工"}, "personal_data": False}
