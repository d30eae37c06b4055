"""附件1: the provincial 零工市场名录 layout, declared once as data.

`COLUMNS` is the ordered list of registry columns (key, Chinese header, width, how to
get the value from a Market). The same list drives:

- `market_row(market)`: one market as a dict of plain strings keyed by column key.
  Needs no extra queries when the market comes from `selectors.markets_for_rows()`
  (county/city joined, trades and opening periods prefetched). Reporting freezes these
  dicts in snapshots, and `MarketVersion.snapshot["row"]` keeps one per change.
- `write_attachment1(rows, *, title, ...)`: writes rows (dicts from `market_row` or
  frozen snapshots) into an XLSX in the 附件1 layout and returns the bytes.
- `read_attachment1(upload)`: reads a filled sheet back into rows plus Chinese errors,
  through the one checked upload path (`gigmarket.core.uploads.read_xlsx_rows`).
- `parse_hours` / `parse_features` / `parse_kind` etc.: turn a row's strings back into
  market data (used by the import service).
"""

import dataclasses
import datetime
import io
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from gigmarket.core.exports import xlsx_append_row, xlsx_style
from gigmarket.core.uploads import read_xlsx_rows

from .models import FEATURES, WEEKDAY_LABELS, Market, hours_text

FONT_NAME = "宋体"
LIST_SEP = "、"


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    get: object  # callable(market) -> str, or None for 序号 (numbered by the writer)


def _city(m):
    return m.county.parent.name


def _trades(m):
    return LIST_SEP.join(t.name for t in m.trades.all())


def _features(m):
    return LIST_SEP.join(f.label for f in m.features)


def _nature(m):
    label = m.get_nature_display()
    if m.nature == Market.Nature.COMMERCIAL and m.integrity_listed:
        return f"{label}（诚信运营）"
    return label


COLUMNS = [
    Column("seq", "序号", 6, None),
    Column("city", "市州", 12, _city),
    Column("county", "县区", 12, lambda m: m.county.name),
    Column("name", "名称", 36, lambda m: m.name),
    Column("kind", "类型/行业", 14, lambda m: m.kind_label),
    Column("nature", "性质", 14, _nature),
    Column("basis", "依托", 18, lambda m: m.get_basis_display() if m.basis else ""),
    Column("address", "地址", 30, lambda m: m.address),
    Column("hours", "运行时间", 30, lambda m: hours_text(m.opening_periods.all())),
    Column("trades", "服务工种", 30, _trades),
    Column("features", "功能区/窗口设置", 40, _features),
    Column("status", "状态", 9, lambda m: m.get_status_display()),
    Column("operator", "运营单位", 20, lambda m: m.operator),
    Column("contact_person", "联系人", 10, lambda m: m.contact_person),
    Column("contact_phone", "联系电话", 16, lambda m: m.contact_phone),
    Column("remarks", "备注", 20, lambda m: m.remarks),
]
COLUMN_KEYS = [c.key for c in COLUMNS]
HEADERS = [c.header for c in COLUMNS]
# Columns an imported row must fill.
REQUIRED_KEYS = ["city", "county", "kind", "nature", "address", "status"]


def market_row(market):
    """One market as {column key: plain string} in the 附件1 layout ("seq" is left empty).

    Computable from a queryset with county__parent joined and trades / opening_periods
    prefetched (see selectors.markets_for_rows) without further queries.
    """
    row = {}
    for col in COLUMNS:
        row[col.key] = "" if col.get is None else str(col.get(market) or "")
    return row


# ---------------------------------------------------------------- writing

_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


def _style(ws, styles, *, bold=False, size=11, align="left", border=True, font_name=FONT_NAME):
    """The sheet's style for a cell, built once per distinct look (kept in `styles`)."""
    key = (bold, size, align, border, font_name)
    if key not in styles:
        styles[key] = xlsx_style(
            ws,
            font=Font(name=font_name, bold=bold, size=size),
            alignment=Alignment(horizontal=align, vertical="center", wrap_text=True),
            border=_BORDER if border else None,
        )
    return styles[key]


def write_attachment1(rows, *, title, unit="", person="", phone="", date=None, sheet_title="零工市场名录"):
    """Write `rows` (iterable of market_row-style dicts) as a 附件1 workbook; return the XLSX bytes.

    Layout: A1 "附件1"; row 2 the title (e.g. 贵州省零工市场名录（2023年第一季度）) merged
    across all columns; row 3 填报单位 / 填报人 / 联系电话 / 填报日期; row 4 the header;
    then one bordered row per market numbered from 1 in 序号. Header frozen, A4
    landscape, fit to page width, header row repeated on every printed page. Cells are
    written by `gigmarket.core.exports` (formula-like text stays text). Rows may be plain dicts
    from frozen snapshots: missing keys are written as empty cells.
    """
    date = date or timezone.localdate()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title)
    last = get_column_letter(len(COLUMNS))
    for index, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = col.width
    ws.freeze_panes = "A5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.merged_cells.add(f"A2:{last}2")
    ws.merged_cells.add(f"A3:{last}3")

    styles = {}
    xlsx_append_row(ws, ["附件1"], styles=[_style(ws, styles, bold=True, size=12, border=False, font_name="黑体")])
    ws.row_dimensions[2].height = 32
    title_style = _style(ws, styles, bold=True, size=18, align="center", border=False, font_name="方正小标宋简体")
    xlsx_append_row(ws, [title], styles=[title_style])
    meta = f"填报单位（盖章）：{unit}    填报人：{person}    联系电话：{phone}    填报日期：{date:%Y年%m月%d日}"
    xlsx_append_row(ws, [meta], styles=[_style(ws, styles, border=False)])
    header_style = _style(ws, styles, bold=True, align="center", font_name="黑体")
    xlsx_append_row(ws, HEADERS, styles=[header_style] * len(HEADERS))
    row_styles = [_style(ws, styles, align="center" if col.key in ("seq", "status") else "left") for col in COLUMNS]
    for number, row in enumerate(rows, start=1):
        values = [number if col.key == "seq" else (row.get(col.key) or None) for col in COLUMNS]
        xlsx_append_row(ws, values, styles=row_styles)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading


@dataclasses.dataclass
class SheetRow:
    number: int  # the row number in the sheet, for error messages
    values: dict  # {column key: stripped string}


@dataclasses.dataclass
class ParsedSheet:
    rows: list
    errors: list  # Chinese messages, "第N行：…"


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


HEADER_SEARCH_ROWS = 10  # the header row is looked for among the first rows


def read_attachment1(upload, *, max_rows=None):
    """Read a filled 附件1 upload. Returns ParsedSheet(rows, errors); never raises on bad input.

    The file is read through `gigmarket.core.uploads.read_xlsx_rows` (every upload check, and
    reading stops after the row limit). The header row is found among the first 10 rows by
    its headers (column order may differ; 序号 and 名称 are optional since the name is built
    by rule). Fully empty rows are skipped. Formula cells are refused.
    """
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    try:
        sheet = read_xlsx_rows(upload, max_rows=max_rows + HEADER_SEARCH_ROWS)
    except ValidationError as exc:
        if exc.code == "too_many_rows":
            return ParsedSheet([], [f"数据超过 {max_rows} 行，请分批导入。"])
        return ParsedSheet([], list(exc.messages))
    header_map = None
    data_rows = []
    for index, row in enumerate(sheet):
        if row.number > HEADER_SEARCH_ROWS:
            break
        texts = [_text(c.value if c else None).replace("\n", "") for c in row.cells]
        found = {text: i for i, text in enumerate(texts) if text in HEADERS}
        if len(found) >= len(HEADERS) - 2:
            header_map = found
            data_rows = sheet[index + 1 :]
            break
    if header_map is None:
        return ParsedSheet([], ["未找到附件1表头（序号、市州、县区、名称……），请使用平台导出的模板。"])
    missing = [c.header for c in COLUMNS if c.header not in header_map and c.key not in ("seq", "name")]
    if missing:
        return ParsedSheet([], [f"表头缺少列：{LIST_SEP.join(missing)}。"])
    by_index = {i: col for col in COLUMNS for h, i in header_map.items() if h == col.header}
    rows, errors = [], []
    for row in data_rows:
        values = {}
        for i, cell in enumerate(row.cells):
            col = by_index.get(i)
            if col is None:
                continue
            if cell is not None and cell.formula:
                errors.append(f"第{row.number}行：“{col.header}”是公式，请填写文字。")
                continue
            values[col.key] = _text(cell.value if cell else None)
        if not any(v for k, v in values.items() if k != "seq"):
            continue
        if len(rows) >= max_rows:
            errors.append(f"数据超过 {max_rows} 行，请分批导入。")
            break
        rows.append(SheetRow(row.number, values))
    if not rows and not errors:
        errors.append("表中没有数据行。")
    return ParsedSheet(rows, errors)


# ------------------------------------------------- parsing cell text back to data

_DAY_BY_LABEL = {label: str(d) for d, label in WEEKDAY_LABELS.items()}
_DAY_BY_LABEL.update({"周天": "7", "星期日": "7", "星期天": "7"})
_DAY_BY_LABEL.update({f"星期{label[1]}": str(d) for d, label in WEEKDAY_LABELS.items()})
_TIME_RANGE = re.compile(r"^(\d{1,2})[:：](\d{2})\s*[-－—~～至]\s*(\d{1,2})[:：](\d{2})$")


def _parse_days(text):
    if text in ("每天", "每日", "全周"):
        return "1234567"
    m = re.fullmatch(r"(\S+?)[至到\-－~～](\S+)", text)
    if m and m.group(1) in _DAY_BY_LABEL and m.group(2) in _DAY_BY_LABEL:
        start, end = int(_DAY_BY_LABEL[m.group(1)]), int(_DAY_BY_LABEL[m.group(2)])
        if start <= end:
            return "".join(str(d) for d in range(start, end + 1))
    days = []
    for part in re.split(r"[、,，/]", text):
        if part not in _DAY_BY_LABEL:
            raise ValueError(f"无法识别的星期“{text}”")
        days.append(_DAY_BY_LABEL[part])
    return "".join(sorted(set(days)))


def parse_hours(text):
    """'周一至周五 06:00-12:00、14:00-18:00；周六 07:00-11:00' → [(weekdays, opens, closes), …].

    Raises ValueError with a Chinese message on text it cannot read.
    """
    periods = []
    for segment in re.split(r"[；;\n]", text or ""):
        segment = segment.strip()
        if not segment:
            continue
        parts = segment.split(None, 1)
        if len(parts) != 2:
            raise ValueError(f"运行时间“{segment}”格式应为“周一至周五 06:00-12:00”")
        weekdays = _parse_days(parts[0])
        for rng in re.split(r"[、,，]", parts[1]):
            m = _TIME_RANGE.match(rng.strip())
            if not m:
                raise ValueError(f"无法识别的时间段“{rng.strip()}”，应为“06:00-12:00”")
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                raise ValueError(f"时间“{rng.strip()}”无效")
            opens, closes = datetime.time(h1, m1), datetime.time(h2, m2)
            if opens >= closes:
                raise ValueError(f"时间段“{rng.strip()}”的结束时间必须晚于开始时间")
            periods.append((weekdays, opens, closes))
    return periods


_FEATURE_BY_LABEL = {f.label: f.field for f in FEATURES}


def parse_features(text):
    """'综合服务区、零工待工区、…' → set of feature field names. Unknown labels raise ValueError."""
    fields = set()
    for label in re.split(r"[、,，;；\n]", text or ""):
        label = label.strip()
        if not label:
            continue
        if label not in _FEATURE_BY_LABEL:
            raise ValueError(f"无法识别的功能区/窗口/设施“{label}”")
        fields.add(_FEATURE_BY_LABEL[label])
    return fields


def parse_kind(text):
    """'综合' / '行业（建筑）' / '零工驿站（花溪镇）' → (kind, industry, township)."""
    text = (text or "").strip()
    m = re.fullmatch(r"(综合|行业|零工驿站)(?:[（(](.+?)[)）])?", text)
    if not m:
        raise ValueError(f"类型/行业“{text}”应为“综合”“行业（建筑）”或“零工驿站（乡镇名）”")
    label, detail = m.group(1), (m.group(2) or "").strip()
    if label == "综合":
        return Market.Kind.GENERAL, "", ""
    if label == "行业":
        if not detail:
            raise ValueError("行业零工市场请在括号内填写行业，如“行业（建筑）”")
        return Market.Kind.INDUSTRY, detail.removesuffix("行业"), ""
    if not detail:
        raise ValueError("零工驿站请在括号内填写乡镇(街道)，如“零工驿站（花溪镇）”")
    return Market.Kind.STATION, "", detail


def parse_nature(text):
    """'公益性' / '市场化' / '市场化（诚信运营）' → (nature, integrity_listed)."""
    text = (text or "").strip()
    m = re.fullmatch(r"(公益性|市场化)(?:[（(]诚信运营[)）])?", text)
    if not m:
        raise ValueError(f"性质“{text}”应为“公益性”“市场化”或“市场化（诚信运营）”")
    nature = Market.Nature.PUBLIC if m.group(1) == "公益性" else Market.Nature.COMMERCIAL
    return nature, nature == Market.Nature.COMMERCIAL and "诚信运营" in text


def parse_choice(text, choices, header):
    """A choice label (e.g. 运营中) → its value; '' → ''."""
    text = (text or "").strip()
    if not text:
        return ""
    for value, label in choices:
        if text == str(label):
            return value
    labels = LIST_SEP.join(str(label) for _, label in choices)
    raise ValueError(f"{header}“{text}”无效，可选：{labels}")
