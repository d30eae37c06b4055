"""What every workbook an office files must satisfy on paper, read back with openpyxl.

`assert_prints_on_a4(ws, header_row=…)` checks the print setup (A4 landscape, one page
wide, scale at least 70 % computed from the column widths, header repeated, footer with
page numbers, panes frozen under the header), that every cell under the header is
10–11 pt, is no formula, and that a row with wrapped text carries a height tall enough
for its longest cell (CJK counted double). `sign_off(ws)` returns the sign-off row.
"""

import math

from gigmarket.core.exports import MIN_PRINT_SCALE, SIGN_OFF_LABELS, print_scale, text_width

DEFAULT_WIDTH = 8.43  # a column the file gives no width


def column_widths(ws):
    widths = {}
    for dim in ws.column_dimensions.values():
        if dim.width:
            for index in range(dim.min, dim.max + 1):
                widths[index] = dim.width
    return [widths.get(index, DEFAULT_WIDTH) for index in range(1, ws.max_column + 1)]


def merged_width(ws, cell, widths):
    """The width of the cell, or of its merged range."""
    for merged in ws.merged_cells.ranges:
        if cell.coordinate in merged:
            return sum(widths[c - 1] for c in range(merged.min_col, merged.max_col + 1))
    return widths[cell.column - 1]


def lines_needed(value, width):
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in str(value).split("\n"))


def assert_prints_on_a4(ws, *, header_row, landscape=True):
    setup = ws.page_setup
    assert int(setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert setup.orientation == ("landscape" if landscape else "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # one page wide, as many long as needed; xlsxwriter leaves out fitToWidth="1", the OOXML default
    assert setup.fitToWidth in (1, None) and setup.fitToHeight == 0
    widths = column_widths(ws)
    assert print_scale(widths, landscape=landscape, margin_in=ws.page_margins.left) >= MIN_PRINT_SCALE
    assert ws.page_margins.left == ws.page_margins.right
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.freeze_panes in (f"A{header_row + 1}", f"B{header_row + 1}")
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    header = list(ws.iter_rows(min_row=header_row, max_row=header_row))[0]
    assert all(cell.font.b and cell.border.top.style == "thin" for cell in header if cell.value is not None)
    for row in ws.iter_rows(min_row=header_row):
        tallest = 1
        for cell in row:
            if cell.value is None:
                continue
            assert cell.data_type != "f", cell.coordinate
            assert 10 <= cell.font.sz <= 11, (cell.coordinate, cell.font.sz)
            if cell.alignment.wrap_text:
                tallest = max(tallest, lines_needed(cell.value, merged_width(ws, cell, widths)))
        if tallest > 1:
            height = ws.row_dimensions[row[0].row].height
            assert height is not None and height >= tallest * cell_line_height(10), (row[0].row, height, tallest)


def cell_line_height(size):
    return size * 1.2  # points a printed line of `size`-point text needs at least


def sign_off(ws):
    """The values of the sign-off row (单位负责人 / 审核人 / 填报人 / 联系电话 / 填报日期), by label."""
    rows = [[str(v) for v in row if v] for row in ws.iter_rows(values_only=True)]
    for index, texts in enumerate(rows):
        if texts and texts[0].startswith(SIGN_OFF_LABELS[0]):
            if len(texts) == 1:  # a narrow sheet: one field a line
                texts = [line[0] for line in rows[index : index + len(SIGN_OFF_LABELS)]]
            fields = dict(text.split("：", 1) for text in texts)
            assert list(fields) == list(SIGN_OFF_LABELS)
            return fields
    raise AssertionError("no sign-off row")
