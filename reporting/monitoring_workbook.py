"""The monitoring workbook (notice 九): the figures of one region and period as an XLSX an
office can file, laid out like 附件1 (docs/exports.md).

Sheets: 分地区 (one line per child region: 市州, county or market, then 合计; not for a
market, whose children are its trades), 分工种 and 分窗口. Each: the title merged and
bold, 填报单位 and 统计期, a bold bordered header repeated on every printed page and
frozen, numbers as numbers (求人倍率 `0.00`), "本期无数据" when a table is empty, and the
sign-off row; A4 landscape, one page wide. Cells are written by `gigmarket.core.exports` (a
trade or market named like a formula stays text).
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from gigmarket.core.exports import (
    BODY_FONT_SIZE,
    SIGN_OFF_LABELS,
    a4_print_setup,
    sign_off_spans,
    sign_off_values,
    wrapped_row_height,
    xlsx_append_row,
    xlsx_style,
)
from registry.models import WindowVisit

from .figures import DEFINITIONS
from .rollups import SHOWN_METRICS

FONT_NAME = "宋体"
EMPTY_NOTICE = "本期无数据"
HEADER_ROW = 3
LABEL_WIDTH = 26
METRIC_WIDTH = 10
CHILD_HEADERS = {"province": "市州", "city": "县(市、区)", "county": "零工市场", "market": "工种"}

_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


class _Styles:
    """The few looks of a sheet, each built once (cheap to copy into many cells)."""

    def __init__(self, ws):
        def style(*, bold=False, size=BODY_FONT_SIZE, align="left", border=True, number_format=None, wrap=True):
            return xlsx_style(
                ws,
                font=Font(name=FONT_NAME, bold=bold, size=size, color="000000"),
                alignment=Alignment(horizontal=align, vertical="center", wrap_text=wrap),
                border=_BORDER if border else None,
                number_format=number_format,
            )

        self.title = style(bold=True, size=14, align="center", border=False)
        self.meta = style(border=False, wrap=False)
        self.meta_right = style(border=False, align="right", wrap=False)
        self.header = style(bold=True, align="center")
        self.label = style()
        self.total_label = style(bold=True)
        self.count = style(align="right", number_format="0")
        self.total_count = style(bold=True, align="right", number_format="0")
        self.ratio = style(align="right", number_format="0.00")
        self.total_ratio = style(bold=True, align="right", number_format="0.00")
        self.notice = style(align="center")
        self.sign = style(border=False)


def _merge(ws, row, first, last):
    if last > first:
        ws.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")


def _sheet(wb, name, *, title, filing, headers, widths, lines, styles_for):
    """One sheet: title, 填报单位 / 统计期, header, `lines` ([(values, is_total)]), sign-off."""
    ws = wb.create_sheet(name)
    count = len(headers)
    a4_print_setup(ws, widths=widths, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", freeze=f"B{HEADER_ROW + 1}")
    styles = _Styles(ws)
    ws.row_dimensions[1].height = 26
    _merge(ws, 1, 1, count)
    xlsx_append_row(ws, [title] + [None] * (count - 1), styles=[styles.title] * count)
    half = max(count // 2, 1)
    ws.row_dimensions[2].height = 20
    _merge(ws, 2, 1, half)
    _merge(ws, 2, half + 1, count)
    meta = [None] * count
    meta[0] = f"填报单位（盖章）：{filing.unit}"
    if count > half:
        meta[half] = filing.source
    xlsx_append_row(ws, meta, styles=[styles.meta] * half + [styles.meta_right] * (count - half))
    ws.row_dimensions[HEADER_ROW].height = wrapped_row_height(headers, widths, font_size=BODY_FONT_SIZE)
    xlsx_append_row(ws, headers, styles=[styles.header] * count)
    row = HEADER_ROW + 1
    for values, is_total in lines:
        ws.row_dimensions[row].height = wrapped_row_height(values, widths, font_size=BODY_FONT_SIZE)
        xlsx_append_row(ws, values, styles=styles_for(styles, is_total))
        row += 1
    if not lines:
        _merge(ws, row, 1, count)
        xlsx_append_row(ws, [EMPTY_NOTICE] + [None] * (count - 1), styles=[styles.notice] * count)
        row += 1
    xlsx_append_row(ws, [None])
    row += 1
    values = sign_off_values(len(SIGN_OFF_LABELS), person=filing.person, phone=filing.phone, date=filing.date)
    if count < len(SIGN_OFF_LABELS):  # a narrow table: one field a line
        for value in values:
            ws.row_dimensions[row].height = 22
            _merge(ws, row, 1, count)
            xlsx_append_row(ws, [value] + [None] * (count - 1), styles=[styles.sign] * count)
            row += 1
        return ws
    ws.row_dimensions[row].height = 24
    for first, last in sign_off_spans(count):
        _merge(ws, row, first, last)
    values = sign_off_values(count, person=filing.person, phone=filing.phone, date=filing.date)
    xlsx_append_row(ws, values, styles=[styles.sign] * count)
    return ws


def _figure_line(figures):
    return [figures.label, *(figures.get(m) for m in SHOWN_METRICS), figures.ratio]


def _figure_styles(styles, is_total):
    if is_total:
        return [styles.total_label] + [styles.total_count] * len(SHOWN_METRICS) + [styles.total_ratio]
    return [styles.label] + [styles.count] * len(SHOWN_METRICS) + [styles.ratio]


def monitoring_workbook(*, title, figures, level, filing, trend=(), grain_label=""):
    """The XLSX bytes of `figures` (from `reporting.figures.region_figures`) for a region at
    `level` (province / city / county / market), filed as `filing` (gigmarket.core.exports.Filing).

    With `trend` (`reporting.figures.trend` over the grain's buckets) a 分时段 sheet comes
    first, one line per bucket and the range's 合计; a 指标口径 sheet ends the workbook."""
    metric_headers = [str(m.label) for m in SHOWN_METRICS] + ["求人倍率"]
    widths = [LABEL_WIDTH] + [METRIC_WIDTH] * len(metric_headers)
    wb = Workbook(write_only=True)
    if trend:
        _sheet(
            wb,
            "分时段",
            title=title,
            filing=filing,
            headers=[grain_label or "时段", *metric_headers],
            widths=widths,
            lines=[(_figure_line(f), False) for f in trend] + [(_figure_line(figures["total"]), True)],
            styles_for=_figure_styles,
        )
    if level != "market":  # a market's children are its trades: the 分工种 sheet says it all
        lines = [(_figure_line(f), False) for f in figures["children"]]
        lines.append((_figure_line(figures["total"]), True))
        _sheet(
            wb,
            "分地区",
            title=title,
            filing=filing,
            headers=[CHILD_HEADERS[level], *metric_headers],
            widths=widths,
            lines=lines,
            styles_for=_figure_styles,
        )
    trade_lines = [(_figure_line(f), False) for f in figures["trades"]]
    _sheet(
        wb,
        "分工种",
        title=title,
        filing=filing,
        headers=["工种", *metric_headers],
        widths=widths,
        lines=trade_lines,
        styles_for=_figure_styles,
    )
    windows = WindowVisit.Window.choices
    window_lines = [([str(label), figures["windows"].get(value, 0)], False) for value, label in windows]
    total_visits = sum(figures["windows"].get(value, 0) for value, _label in windows)
    window_lines.append((["合计", total_visits], True))
    _sheet(
        wb,
        "分窗口",
        title=title,
        filing=filing,
        headers=["窗口", "服务人次"],
        widths=[LABEL_WIDTH, 14],
        lines=window_lines,
        styles_for=lambda styles, is_total: (
            [styles.total_label, styles.total_count] if is_total else [styles.label, styles.count]
        ),
    )
    _sheet(
        wb,
        "指标口径",
        title=title,
        filing=filing,
        headers=["指标", "口径"],
        widths=[LABEL_WIDTH, 90],
        lines=[([str(name), text], False) for name, text in DEFINITIONS],
        styles_for=lambda styles, is_total: [styles.label, styles.label],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
