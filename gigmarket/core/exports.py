"""The one cell writer for every spreadsheet and CSV export.

A cell whose text starts with = + - @ (or a tab / carriage return, which spreadsheet
programs skip before such a sign) would run as a formula when the file is opened
("CSV/formula injection", OWASP). The full-width signs ＝ ＋ － ＠ count too: LibreOffice
7.4 opens them as text, but saving a sheet as CSV in a non-Unicode encoding (its default
outside a UTF-8 locale) maps them to = + - @, and Excel's CJK input turns a typed ＝ into
=. Every export writes such text as text, exactly as stored, and numbers as numbers:

- CSV: `csv_line(values)` (one line, for streamed exports), `csv_text(header, rows)`,
  `csv_response(filename, header, rows)`; each cell through `csv_row` /
  `neutralise_formula`, which prefix a `'`.
- xlsx with xlsxwriter (large sheets, row by row in constant memory): `XlsxBook` and its
  `XlsxSheet.add_row(values, styles=…, height=…, merges=…)`; text is always written with
  `write_string` (never parsed as a formula), formula-like text with a quote-prefixed format.
- xlsx with openpyxl: `xlsx_append_row(ws, values, styles=None)` (normal or write-only sheets),
  `xlsx_write(ws, row, column, value)` (into a layout), both through `xlsx_cell`: the text
  is a string cell with Excel's quote prefix (`quotePrefix`), so it shows unchanged and
  stays text when edited. `xlsx_style(ws, font=…, alignment=…, border=…)` builds a style
  once for many cells. Characters XML cannot hold become U+FFFD instead of failing.

No other module writes a cell (`tests/core/test_security_exports.py` scans the source).
`audit_export(...)` writes the audit row every export must leave; `csv_response` and
`xlsx_response` set the download headers (Chinese file names work).
"""

import contextlib
import copy
import csv
import dataclasses
import datetime
import functools
import gc
import io
import math
import re
import unicodedata
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .audit import audit_record
from .models import AuditEvent, Role

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise_formula(value):
    """Return `value` safe for a CSV cell: formula-like text gets a leading `'`."""
    if is_formula_like(value):
        return "'" + value
    return value


def csv_row(values):
    """One CSV row: None as an empty cell, formula-like text neutralised, numbers unchanged."""
    return ["" if value is None else neutralise_formula(value) for value in values]


class _Echo:
    def write(self, value):
        return value


def csv_line(values):
    """One CSV line (quoted where needed, CRLF-terminated) of neutralised cells."""
    return csv.writer(_Echo()).writerow(csv_row(values))  # a writer per line: safe across threads


def csv_text(header, rows, *, bom=True):
    """A whole CSV file as text; with `bom` (default) Excel reads it as UTF-8."""
    lines = ["\ufeff"] if bom else []
    lines.append(csv_line(header))
    lines.extend(csv_line(row) for row in rows)
    return "".join(lines)


def _xlsx_value(value):
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def _force_text(cell):
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_style(ws, *, font=None, alignment=None, border=None, number_format=None):
    """A style for `xlsx_cell(..., style=…)`, built once and copied into many cells.

    Assigning fonts and borders per cell hashes every style object, which dominates large
    exports; copying the built style is cheap."""
    cell = WriteOnlyCell(ws)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    if number_format is not None:
        cell.number_format = number_format  # e.g. "0.00": a number stays a number, shown rounded
    return copy.copy(cell._style)


def xlsx_cell(ws, value, *, style=None):
    """A cell for `ws.append(...)` (normal or write-only sheets); formula-like text stays text."""
    value = _xlsx_value(value)
    cell = WriteOnlyCell(ws, value=value)
    if style is not None:
        cell._style = copy.copy(style)
    if is_formula_like(value):
        _force_text(cell)  # after the style: the quote prefix is part of it
    return cell


def xlsx_append_row(ws, values, *, styles=None):
    """Append one row; `styles` (from `xlsx_style`), if given, has one entry (or None) per value."""
    values = list(values)
    styles = styles or [None] * len(values)
    ws.append([xlsx_cell(ws, value, style=style) for value, style in zip(values, styles, strict=True)])


def xlsx_write(ws, row, column, value):
    """Write one value at (row, column) of a normal sheet, e.g. into a template layout."""
    value = _xlsx_value(value)
    cell = ws.cell(row=row, column=column, value=value)
    if is_formula_like(value):
        _force_text(cell)
    return cell


# What `XlsxSheet.add_row` may hand to xlsxwriter's `write_row` unchanged: xlsxwriter writes None
# and "" as a blank (styled) cell, text as text (its guessing is off), bool and numbers as such.
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
# A text at the start of a line of "\n"-joined cells that is formula-like, a carriage return, or
# a character XML cannot hold: such a row is written cell by cell.
_CAREFUL_TEXT = re.compile("\n[" + re.escape("".join(FORMULA_TRIGGERS)) + "]|\r|" + ILLEGAL_CHARACTERS_RE.pattern)


class XlsxBook:
    """A workbook written with xlsxwriter in constant-memory mode: each sheet keeps one row in
    memory and spills the rest to a temporary file, so its memory does not grow with rows.

    Rows go in order (`XlsxSheet.add_row`); the sheet's layout (widths, page setup, merges,
    drop-downs) may be set at any time. xlsxwriter's own guessing is off: a string is never
    turned into a number, a formula or a link. `close()` returns the XLSX bytes."""

    def __init__(self, *, constant_memory=True):
        self._buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(
            self._buffer,
            {
                "constant_memory": constant_memory,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._formats = {}  # (props, quoted) -> Format

    def add_sheet(self, name, *, hidden=False):
        worksheet = self.workbook.add_worksheet(name)
        if hidden:
            worksheet.hide()
        return XlsxSheet(self, worksheet)

    def style(self, **props):
        """The format with xlsxwriter `props` (font_name, bold, font_size, align, border, …),
        built once per workbook. Pass it to `XlsxSheet.add_row(styles=…)`."""
        return self._format(tuple(sorted(props.items())), quoted=False)

    def _format(self, key, *, quoted):
        if (key, quoted) not in self._formats:
            props = dict(key)
            if quoted:
                props["quote_prefix"] = True
            fmt = self.workbook.add_format(props)
            fmt.props_key = key
            self._formats[key, quoted] = fmt
        return self._formats[key, quoted]

    def quoted(self, fmt):
        """`fmt` with Excel's quote prefix: formula-like text shows unchanged and stays text when edited."""
        return self._format(fmt.props_key if fmt is not None else (), quoted=True)

    def close(self):
        self.workbook.close()
        return self._buffer.getvalue()


class XlsxSheet:
    """One worksheet of an `XlsxBook`, written a row at a time from the top."""

    def __init__(self, book, worksheet):
        self.book = book
        self.worksheet = worksheet
        self.rows = 0  # rows written so far; the next row is rows + 1 (1-based, as in the sheet)

    def add_row(self, values, *, styles=None, height=None, merges=()):
        """Write the next row: `values` from column A, `styles` one format (or None) per value,
        `height` in points, `merges` as 1-based inclusive column spans [(first, last)] whose
        blank cells take the style of their first column. None is an empty (styled) cell."""
        ws, row = self.worksheet, self.rows
        values = list(values)
        styles = styles or [None] * len(values)
        if height is not None:
            ws.set_row(row, height)
        for first, last in merges:
            if last > first:
                ws.merge_range(row, first - 1, row, last - 1, None, styles[first - 1] if first <= len(styles) else None)
        if self._write_plain_row(row, values, styles):
            self.rows += 1
            return
        for col, (value, style) in enumerate(zip(values, styles, strict=True)):
            if value is None or value == "":
                if style is not None:
                    ws.write_blank(row, col, None, style)
            elif isinstance(value, str):
                fmt = self.book.quoted(style) if is_formula_like(value) else style
                # A carriage return reads back as a line feed from openpyxl's files (XML line
                # ends); xlsxwriter would store it as the escape _x000D_, which openpyxl keeps.
                ws.write_string(row, col, _xlsx_value(value.replace("\r\n", "\n").replace("\r", "\n")), fmt)
            elif isinstance(value, bool):
                ws.write_boolean(row, col, value, style)
            elif isinstance(value, int | float):
                ws.write_number(row, col, value, style)
            else:
                ws.write_string(row, col, _xlsx_value(str(value)), style)
        self.rows += 1

    def _write_plain_row(self, row, values, styles):
        """Write a row of plain cells with one `write_row` per run of columns sharing a style, if
        it is one: only text, numbers and None, and no text that needs care (formula-like, a
        carriage return, a character XML cannot hold), found by one search of the whole row.
        xlsxwriter writes such values exactly as `add_row` does cell by cell. False: nothing
        written, take the careful way."""
        if len(styles) != len(values):
            raise ValueError(f"{len(values)} values but {len(styles)} styles")
        if not {value.__class__ for value in values} <= _PLAIN_TYPES:
            return False
        if _CAREFUL_TEXT.search("\n" + "\n".join([value for value in values if value.__class__ is str])):
            return False  # a line of a text may start with a sign: then the careful way, harmlessly
        ws, start, count = self.worksheet, 0, len(values)
        for col in range(1, count + 1):
            if col == count or styles[col] is not styles[start]:
                ws.write_row(row, start, values[start:col], styles[start])
                start = col
        return True

    def validate_list(self, *, column, first_row, last_row, choices=None, source=None, **options):
        """A drop-down on `column` (1-based) of rows first_row..last_row (1-based): `choices`
        inline, or `source` a range such as "代码表!$A$1:$A$9". `options` are xlsxwriter's
        data_validation options (error_type, error_title, input_message, …)."""
        options = {"validate": "list", "source": choices if choices is not None else f"={source}", **options}
        self.worksheet.data_validation(first_row - 1, column - 1, last_row - 1, column - 1, options)


def csv_response(filename, header, rows):
    """A CSV download Excel opens correctly (UTF-8 with BOM), every cell neutralised."""
    response = HttpResponse(csv_text(header, rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = download_disposition(filename)
    return response


def xlsx_response(workbook, filename):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return xlsx_bytes_response(buffer.getvalue(), filename)


def xlsx_bytes_response(content, filename):
    """A download of XLSX bytes already written (e.g. by `markets.attachment1.write_attachment1`)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = download_disposition(filename)
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


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@functools.cache
def _not_wide_re():
    """A pattern matching every BMP character that is not East Asian Wide or Full-width
    (built once from unicodedata, ~10 ms), so the wide ones are counted in C."""
    ranges, start = [], None
    for code in range(0x10000):
        narrow = 0xD800 <= code <= 0xDFFF or unicodedata.east_asian_width(chr(code)) not in "WF"
        if narrow and start is None:
            start = code
        elif not narrow and start is not None:
            ranges.append((start, code - 1))
            start = None
    if start is not None:
        ranges.append((start, 0xFFFF))
    return re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]+")


def text_width(text):
    """Display width of `text` in spreadsheet character units: CJK and full-width characters count 2."""
    if text.isascii():
        return len(text)
    wide = _not_wide_re().sub("", text)  # the wide BMP characters, and any beyond the BMP
    if _ASTRAL.search(wide):
        return len(text) + sum(1 for ch in wide if ch <= "\uffff" or unicodedata.east_asian_width(ch) in "WF")
    return len(text) + len(wide)


@contextlib.contextmanager
def gc_paused():
    """Pause CPython's cyclic garbage collector while an export builds its rows.

    A large export holds tens of thousands of model instances until its file is written;
    every full collection rescans all of them (the province 附件1's fetch took about twice
    as long with the collector running, docs/performance.md). Reference counting still
    frees what is not in a cycle; the cycles left are collected when it resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def wrapped_row_height(values, widths, *, font_size=10, cache=None):
    """Row height (points) that shows every wrapped value in full: the most lines any cell
    needs at its column width (in character units), times the line height of `font_size`.
    Spreadsheet programs do not size rows with wrapped text themselves when the file says
    nothing, so printed rows would overlap. `cache`, a dict kept for one sheet, remembers
    the lines of each (text, width): a long sheet repeats most of its cells (市州, 状态, the
    same 功能区 lists) from row to row."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if value is None or value == "":
            continue
        text = value if value.__class__ is str else str(value)
        if cache is None:
            needed = _cell_lines(text, width)
        else:
            key = (text, width)
            if key in cache:
                needed = cache[key]
            else:
                needed = cache[key] = _cell_lines(text, width)
        if needed > lines:
            lines = needed
    return round(lines * font_size * 1.35 + 3, 1)


def _cell_lines(text, width):
    usable = max(width - 1, 1)
    if "\n" not in text:
        return max(1, math.ceil(text_width(text) / usable))
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in text.split("\n"))


# ------------------------------------------------------------ printed layout (A4)
#
# Every workbook an office files prints on A4 landscape, one page wide. The print scale
# a spreadsheet program picks for "fit to 1 page wide" is the printable width over the
# width of the columns, so widths are budgeted to keep it at or above MIN_PRINT_SCALE:
# a 10 pt body then prints at 7 pt or more.

A4_LANDSCAPE_WIDTH_PT = 297 / 25.4 * 72
A4_PORTRAIT_WIDTH_PT = 210 / 25.4 * 72
PRINT_MARGIN_IN = 0.3  # left and right; top and bottom leave room for the footer
MIN_PRINT_SCALE = 70  # per cent
BODY_FONT_SIZE = 10
PAGE_FOOTER = "第 &P 页 共 &N 页"
SIGN_OFF_LABELS = ("单位负责人", "审核人", "填报人", "联系电话", "填报日期")


def column_width_points(width):
    """Printed width (points) of a column `width` character units wide: Excel and Calc
    give a unit the maximum digit width of the default font (7 px for Calibri 11) plus
    5 px of padding per column, at 96 px an inch."""
    return (width * 7 + 5) * 0.75


def print_scale(widths, *, landscape=True, margin_in=PRINT_MARGIN_IN):
    """The scale (per cent, at most 100) at which columns of these widths fit one page wide."""
    page = A4_LANDSCAPE_WIDTH_PT if landscape else A4_PORTRAIT_WIDTH_PT
    printable = page - 2 * margin_in * 72
    total = sum(column_width_points(w) for w in widths)
    return min(100, math.floor(100 * printable / total)) if total else 100


def a4_print_setup(ws, *, widths, title_rows, freeze, landscape=True):
    """Column widths, A4 page setup (one page wide, as many long as needed), the header
    `title_rows` (e.g. "4:4") repeated on every page, panes frozen at `freeze`, and the
    footer "第 &P 页 共 &N 页". Call before writing rows (write-only sheets). `ws` is an
    openpyxl worksheet or an `XlsxSheet`."""
    if isinstance(ws, XlsxSheet):
        _xlsxwriter_print_setup(ws.worksheet, widths=widths, title_rows=title_rows, freeze=freeze, landscape=landscape)
        return

    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = PRINT_MARGIN_IN
    ws.page_margins.top = 0.5
    ws.page_margins.bottom = 0.6
    ws.page_margins.footer = 0.25
    ws.freeze_panes = freeze
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.size = 9
    ws.evenFooter.center.text = PAGE_FOOTER


def _xlsxwriter_print_setup(ws, *, widths, title_rows, freeze, landscape):
    """`a4_print_setup` for an xlsxwriter worksheet: the same file as openpyxl writes."""
    for index, width in enumerate(widths):
        # set_column() adds the cell padding to the width; pixels at 7 a unit store `width` exactly.
        ws.set_column_pixels(index, index, round(width * 7))
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    first, _, last = title_rows.partition(":")
    ws.repeat_rows(int(first) - 1, int(last or first) - 1)
    ws.center_horizontally()
    ws.set_margins(left=PRINT_MARGIN_IN, right=PRINT_MARGIN_IN, top=0.5, bottom=0.6)
    ws.set_footer(f"&C&9{PAGE_FOOTER}", {"margin": 0.25})
    ws.freeze_panes(freeze)


def sign_off_spans(column_count):
    """How the sign-off row's five fields share `column_count` columns: [(first, last)], 1-based."""
    count = len(SIGN_OFF_LABELS)
    bounds = [round(i * column_count / count) for i in range(count + 1)]
    return [(bounds[i] + 1, bounds[i + 1]) for i in range(count)]


def sign_off_values(column_count, *, person="", phone="", date=None):
    """The sign-off row a 盖章 form carries under its table, as one value per column:
    单位负责人 / 审核人 / 填报人 / 联系电话 / 填报日期, each at the start of its span (merge
    the spans with `sign_off_spans`). Empty fields leave room to write by hand."""
    filled = {
        "填报人": person or "",
        "联系电话": phone or "",
        "填报日期": f"{date:%Y年%m月%d日}" if date else "    年  月  日",
    }
    values = [None] * column_count
    for label, (first, _last) in zip(SIGN_OFF_LABELS, sign_off_spans(column_count), strict=True):
        values[first - 1] = f"{label}：{filled.get(label, '')}"
    return values


def download_disposition(filename):
    """Content-Disposition for a download named `filename` (Chinese names included): an ASCII
    `filename` for old clients and the real name as RFC 5987 `filename*=UTF-8''…`."""
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        stem, dot, ext = filename.rpartition(".")
        fallback = f"download.{ext}" if dot and ext.isascii() else "download"
        return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    return content_disposition_header(True, filename)


# ------------------------------------------------------------ who files a sheet


PROVINCE_UNIT = "贵州省人力资源和社会保障厅"
UNIT_SUFFIX = "人力资源和社会保障局"


def region_name(division):
    """The region as a title names it: "" (province), 贵阳市, 贵阳市南明区."""
    if division is None or division.is_province:
        return ""
    if division.is_county:
        return f"{division.parent.name}{division.name}"
    return division.name


def issuing_unit(division):
    """The office that files a 附件1 of `division` (None: the province).

    The province's 人力资源和社会保障厅; a 市/州's 局 under its full name
    (黔东南苗族侗族自治州人力资源和社会保障局); a county's 局, a 区 with its city's name in
    front as the bureaus are named (贵阳市南明区人力资源和社会保障局, but 清镇市… and 六枝特区…).
    """
    if division is None or division.is_province:
        return PROVINCE_UNIT
    if division.is_county and division.name.endswith("区") and not division.name.endswith("特区"):
        return f"{division.parent.name}{division.name}{UNIT_SUFFIX}"
    return f"{division.name}{UNIT_SUFFIX}"


def works_for(user, division):
    """Whether `user` is staff of the office that files `division`'s sheet (None: the
    province), so the sheet may name them as 填报人. A provincial auditor, a window clerk
    or another level's staff downloading it are not its 填报人: those fields stay blank."""
    if division is None or division.is_province:
        return user.role == Role.PROVINCE
    return user.role in (Role.CITY, Role.COUNTY) and user.division_id == division.pk


@dataclasses.dataclass(frozen=True)
class Filing:
    """Who files the sheet, printed above the table (填报单位, 数据来源) and in the sign-off
    row under it (填报人, 联系电话, 填报日期; empty ones are left to write by hand)."""

    unit: str
    person: str = ""
    phone: str = ""
    date: datetime.date | None = None
    source: str = ""
