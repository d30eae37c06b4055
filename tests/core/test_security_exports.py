"""Exports never carry live formulas; exports are audited."""

import ast
import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from gigmarket.core.exports import (
    XlsxBook,
    audit_export,
    csv_line,
    csv_response,
    csv_row,
    csv_text,
    neutralise_formula,
    xlsx_append_row,
    xlsx_response,
    xlsx_style,
    xlsx_write,
)
from gigmarket.core.models import AuditEvent

DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://evil.example","点我")',
    "+86 139",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋86 139",
    "－2+3",
    "＠SUM(A1:A2)",
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


def test_a_shared_style_keeps_its_font_and_the_quote_prefix_stays_on_its_cell():
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    style = xlsx_style(sheet, font=Font(name="宋体", bold=True))
    xlsx_append_row(sheet, ["=1+1", "张三", 7], styles=[style] * 3)
    xlsx_append_row(sheet, ["李四"], styles=[style])
    buffer = io.BytesIO()
    workbook.save(buffer)
    ws = openpyxl.load_workbook(buffer).active
    assert [(c.value, c.quotePrefix, c.font.name, c.font.b) for c in ws[1]] == [
        ("=1+1", True, "宋体", True),
        ("张三", False, "宋体", True),
        (7, False, "宋体", True),
    ]
    assert (ws["A2"].value, ws["A2"].quotePrefix) == ("李四", False)


def test_characters_xml_cannot_hold_do_not_break_an_export():
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    xlsx_append_row(sheet, ["王\x07敏", "=\x01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [c.value for c in openpyxl.load_workbook(buffer).active[1]] == ["王\ufffd敏", "=\ufffd"]


def test_xlsxwriter_rows_store_formula_like_text_as_text_with_the_quote_prefix():
    book = XlsxBook()
    sheet = book.add_sheet("表")
    bold = book.style(font_name="宋体", bold=True)
    sheet.add_row([*DANGEROUS, "张三", 12, 3.5, None, "王\x07敏"], styles=[bold] * (len(DANGEROUS) + 5))
    sheet.add_row(["=A1", "http://evil.example", "0012"])  # no format: still text, never a link or number
    content = book.close()
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    first = list(ws[1])
    assert [c.value for c in first[: len(DANGEROUS)]] == [v.replace("\r", "\n") for v in DANGEROUS]
    assert all(c.data_type == "s" and c.quotePrefix and c.font.b for c in first[: len(DANGEROUS)])
    rest = first[len(DANGEROUS) :]
    assert [(c.value, c.data_type, c.quotePrefix) for c in rest] == [
        ("张三", "s", False),
        (12, "n", False),
        (3.5, "n", False),
        (None, "n", False),
        ("王\ufffd敏", "s", False),
    ]
    assert [(c.value, c.data_type, c.quotePrefix) for c in ws[2][:3]] == [
        ("=A1", "s", True),
        ("http://evil.example", "s", False),
        ("0012", "s", False),
    ]
    assert not ws._hyperlinks
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert all(
        "<f>" not in archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets")
    )


def test_xlsxwriter_rows_carry_their_height_and_merges():
    book = XlsxBook()
    sheet = book.add_sheet("表")
    framed = book.style(border=1)
    sheet.add_row(["标题", None, None], styles=[framed] * 3, height=30, merges=[(1, 3)])
    sheet.add_row([1, 2, 3])
    ws = openpyxl.load_workbook(io.BytesIO(book.close())).active
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    assert ws.row_dimensions[1].height == 30
    assert ws["A1"].value == "标题" and ws["C1"].border.top.style == "thin"
    assert [c.value for c in ws[2][:3]] == [1, 2, 3]


def test_csv_lines_quote_and_neutralise_and_keep_numbers():
    assert csv_line(["=1+1", "a,b", 5, -3, None]) == '\'=1+1,"a,b",5,-3,\r\n'
    assert csv_text(["姓名"], [["＝1"]]) == "\ufeff姓名\r\n'＝1\r\n"


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
    assert "filename*=UTF-8''%E9%9B%B6" in response["Content-Disposition"]  # RFC 5987, the name in Chinese
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


# One cell writer: no module but gigmarket/core/exports.py writes a spreadsheet or CSV cell ----------

BASE_DIR = Path(__file__).resolve().parents[2]
APPS = ("gigmarket", "markets", "registry", "matching", "reporting")
WRITER = BASE_DIR / "gigmarket" / "core" / "exports.py"
SHEETISH = re.compile(r"(^|_)(ws|sheet|worksheet)s?($|_)|^wb$", re.IGNORECASE)
# xlsxwriter's cell writers: `write` guesses formulas and links from text, the others write
# unchecked text; only XlsxSheet.add_row (gigmarket/core/exports.py) calls them.
XLSXWRITER_WRITERS = {
    "write_string",
    "write_number",
    "write_blank",
    "write_boolean",
    "write_datetime",
    "write_formula",
    "write_array_formula",
    "write_dynamic_array_formula",
    "write_rich_string",
    "write_url",
    "write_row",
    "write_column",
    "merge_range",
}


def _receiver(node):
    """The name a method is called on: `ws` in ws.append(...), `active` in wb.active.append(...)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _receiver(node.func)
    return ""


def direct_cell_writes(source):
    """Lines where `source` writes a cell itself instead of through gigmarket.core.exports."""
    tree = ast.parse(source)
    uses_openpyxl = any(
        (isinstance(n, ast.ImportFrom) and (n.module or "").startswith("openpyxl"))
        or (isinstance(n, ast.Import) and any(a.name.startswith("openpyxl") for a in n.names))
        for n in ast.walk(tree)
    )
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
            (node.module or "").startswith("openpyxl.cell")
            or (node.module == "csv" and {a.name for a in node.names} & {"writer", "DictWriter"})
        ):
            found.append((node.lineno, "imports a cell or CSV writer"))
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
            and node.attr in ("writer", "DictWriter")
        ):
            found.append((node.lineno, f"csv.{node.attr}"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, _receiver(node.func.value)
            if method in ("writerow", "writerows"):
                found.append((node.lineno, f".{method}(...)"))
            elif method == "cell" and (len(node.args) >= 3 or any(k.arg == "value" for k in node.keywords)):
                found.append((node.lineno, f"{receiver}.cell(..., value)"))
            elif method == "append" and (SHEETISH.search(receiver) or receiver in ("active", "create_sheet")):
                found.append((node.lineno, f"{receiver}.append(...)"))
            elif method in XLSXWRITER_WRITERS or (method == "write" and SHEETISH.search(receiver)):
                found.append((node.lineno, f"{receiver}.{method}(...)"))
        if uses_openpyxl and isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr == "value":
                    found.append((node.lineno, "cell.value = ..."))
                elif isinstance(target, ast.Subscript) and SHEETISH.search(_receiver(target.value)):
                    found.append((node.lineno, f"{_receiver(target.value)}[...] = ..."))
    return found


def test_no_export_writes_a_cell_except_through_gigmarket_exports():
    offenders = {}
    for app in APPS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            if path == WRITER or "migrations" in path.parts:
                continue
            if found := direct_cell_writes(path.read_text(encoding="utf-8")):
                offenders[str(path.relative_to(BASE_DIR))] = found
    assert offenders == {}, "write cells with gigmarket.core.exports (xlsx_append_row, xlsx_write, csv_line, csv_text)"


@pytest.mark.parametrize(
    "source",
    [
        "def f(ws):\n    ws.append(['=1'])\n",
        "def f(wb):\n    wb.active.append([1])\n",
        "def f(wb):\n    wb.create_sheet('x').append([1])\n",
        "def f(sheet):\n    sheet.cell(row=1, column=1, value='=1')\n",
        "def f(ws):\n    ws.cell(1, 1, '=1')\n",
        "import openpyxl\ndef f(ws):\n    ws['A1'] = '=1'\n",
        "import openpyxl\ndef f(c):\n    c.value = '=1'\n",
        "from openpyxl.cell import WriteOnlyCell\n",
        "import csv\ndef f(out):\n    csv.writer(out)\n",
        "from csv import DictWriter\n",
        "def f(writer):\n    writer.writerow(['=1'])\n",
        "def f(worksheet):\n    worksheet.write(0, 0, '=1')\n",
        "def f(book):\n    book.sheet.write_string(0, 0, '=1')\n",
        "def f(page):\n    page.merge_range(0, 0, 0, 3, '=1')\n",
    ],
)
def test_the_scan_finds_each_way_of_writing_a_cell(source):
    assert direct_cell_writes(source)


def test_the_scan_leaves_the_shared_writer_and_ordinary_lists_alone():
    source = (
        "import openpyxl\nfrom gigmarket.core.exports import xlsx_append_row\n"
        "def f(ws, rows):\n    values = []\n    values.append(1)\n    xlsx_append_row(ws, values)\n"
        "    cell = ws.cell(row=1, column=1)\n    out.write(b'x')\n    return cell.value\n"
    )
    assert direct_cell_writes(source) == []


def test_wrapped_rows_are_tall_enough_for_their_longest_cell():
    from gigmarket.core.exports import text_width, wrapped_row_height

    assert text_width("南明区ab") == 8  # CJK characters are two units wide
    one_line = wrapped_row_height(["短", "ok"], [10, 10])
    # 60 CJK characters in a 21-unit column: 120 units over 20 usable a line = 6 lines.
    assert wrapped_row_height(["短", "变" * 60], [10, 21]) == round(6 * 10 * 1.35 + 3, 1)
    assert wrapped_row_height(["第一行\n第二行"], [20]) > one_line
    assert wrapped_row_height([None, ""], [10, 10]) == one_line
    cache = {}
    for values in (
        ["短", "变" * 60],
        ["变" * 60, "短"],
        [7, "第一行\n第二行"],
    ):  # a sheet's cache answers as the sum does
        assert wrapped_row_height(values, [10, 21], cache=cache) == wrapped_row_height(values, [10, 21])
    assert cache[("变" * 60, 10)] == 14 and cache[("变" * 60, 21)] == 6


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("南明区ab", 8),
        ("（诚信运营）、", 14),  # full-width brackets and the 顿号 are wide
        ("—①℃·", 4),  # ambiguous-width signs count one, as in unicodedata
        ("ｱｲ", 2),  # half-width katakana
        ("𠀀𪚥a", 5),  # CJK beyond the BMP is wide
        ("한글 ok", 7),
        ("\U0001f600", 2),
        ("", 0),
    ],
)
def test_text_width_counts_east_asian_wide_and_full_width_characters_double(text, width):
    from gigmarket.core.exports import text_width

    assert text_width(text) == width


def test_the_collector_pause_restores_the_collector():
    import gc

    from gigmarket.core.exports import gc_paused

    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()


def test_print_scale_is_the_printable_width_over_the_columns():
    from gigmarket.core.exports import A4_LANDSCAPE_WIDTH_PT, column_width_points, print_scale

    assert column_width_points(10) == (10 * 7 + 5) * 0.75
    printable = A4_LANDSCAPE_WIDTH_PT - 2 * 0.3 * 72
    widths = [20] * 16  # 1,740 points of columns on 799 points of paper
    assert print_scale(widths) == int(100 * printable / sum(column_width_points(w) for w in widths)) == 45
    assert print_scale([10, 10]) == 100  # narrow sheets print at full size, never enlarged


def test_download_names_are_rfc_5987_with_an_ascii_fallback():
    from gigmarket.core.exports import download_disposition

    assert download_disposition("附件1-名录.xlsx") == (
        "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E9%99%84%E4%BB%B61-%E5%90%8D%E5%BD%95.xlsx"
    )
    assert download_disposition("audit.xlsx") == 'attachment; filename="audit.xlsx"'
