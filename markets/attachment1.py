"""附件1: the provincial 零工市场名录 layout, declared once as data.

`COLUMNS` is the ordered list of registry columns (key, Chinese header, width, how to
get the value from a market's plain values, `row_values`). The same list drives:

- `market_row(market)`: one market as a dict of plain strings keyed by column key.
  Needs no extra queries when the market comes from `selectors.markets_for_rows()`
  (county/city joined, trades and opening periods prefetched). Reporting freezes these
  dicts in snapshots, and `MarketVersion.snapshot["row"]` keeps one per change.
  `market_rows(selectors.market_row_values(qs))` gives the same rows for many markets from
  plain `values()` (no model instances: the live exports of thousands of markets). Both
  hand the columns the same dict (`row_values(market)` builds it from an instance), so each
  column's rule is written once.
- `write_attachment1(rows, *, title, filing, ...)`: the one 附件1 writer. Writes rows
  (dicts from `market_row` or frozen snapshots) into an XLSX in the 附件1 layout, printable
  on A4, and returns the bytes; with `template=True`, the import template.
- `issuing_unit` / `attachment1_title` / `attachment1_filename`: the one naming rule of
  every 附件1 download (live /markets/ and /reporting/ exports, snapshots, the template).
- `read_attachment1(upload)`: reads a filled sheet back into rows plus Chinese errors,
  through the one checked upload path (`gigmarket.core.uploads.read_xlsx_rows`).
- `parse_hours` / `parse_features` / `parse_kind` etc.: turn a row's strings back into
  market data (used by the import service).
"""

import dataclasses
import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from xlsxwriter.utility import xl_col_to_name

from gigmarket.core.choices import choice_labels
from gigmarket.core.exports import (
    BODY_FONT_SIZE,
    SIGN_OFF_LABELS,
    Filing,
    XlsxBook,
    a4_print_setup,
    issuing_unit,
    region_name,
    sign_off_spans,
    sign_off_values,
    works_for,
    wrapped_row_height,
)
from gigmarket.core.uploads import read_xlsx_rows

from .models import FEATURE_FIELDS, FEATURES, WEEKDAY_LABELS, Market, hours_line, kind_label

FONT_NAME = "宋体"
LIST_SEP = "、"


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    get: object  # callable(values, labels) -> str (see row_values), or None for 序号 (numbered by the writer)


# What the columns read from a market, as `row_values(market)` and
# `selectors.market_row_values(qs)` give it: these fields, plus "city_name", "county_name",
# "trades" (names in Trade order) and "hours" ((weekdays, opens, closes) per opening period).
ROW_FIELDS = (
    "name",
    "kind",
    "industry",
    "township",
    "nature",
    "integrity_listed",
    "basis",
    "address",
    "status",
    "operator",
    "contact_person",
    "contact_phone",
    "remarks",
    *FEATURE_FIELDS,
)
CHOICE_FIELDS = ("nature", "basis", "status")  # shown by label: `labels` is row_labels()


def _kind(v, labels):
    return kind_label(v["kind"], v["industry"], v["township"])


def _nature(v, labels):
    label = labels["nature"].get(v["nature"], v["nature"])
    if v["nature"] == Market.Nature.COMMERCIAL and v["integrity_listed"]:
        return f"{label}（诚信运营）"
    return label


def _basis(v, labels):
    return labels["basis"].get(v["basis"], v["basis"]) if v["basis"] else ""


def _features(v, labels):
    return LIST_SEP.join([f.label for f in FEATURES if v[f.field]])


def _field(name):
    return lambda v, labels: v[name]


# Widths in character units (a CJK character is two). Their sum is budgeted so the sheet
# prints one A4 landscape page wide at 87 % (gigmarket.core.exports.print_scale): long names,
# addresses, hours and trades wrap inside their column, rows grow to fit.
COLUMNS = [
    Column("seq", "序号", 4, None),
    Column("city", "市州", 7, _field("city_name")),
    Column("county", "县区", 8, _field("county_name")),
    Column("name", "名称", 17, _field("name")),
    Column("kind", "类型/行业", 8, _kind),
    Column("nature", "性质", 8, _nature),
    Column("basis", "依托", 8, _basis),
    Column("address", "地址", 14, _field("address")),
    Column("hours", "运行时间", 15, lambda v, labels: hours_line(v["hours"])),
    Column("trades", "服务工种", 13, lambda v, labels: LIST_SEP.join(v["trades"])),
    Column("features", "功能区/窗口设置", 15, _features),
    Column("status", "状态", 6, lambda v, labels: labels["status"].get(v["status"], v["status"])),
    Column("operator", "运营单位", 10, _field("operator")),
    Column("contact_person", "联系人", 7, _field("contact_person")),
    Column("contact_phone", "联系电话", 15, _field("contact_phone")),
    Column("remarks", "备注", 8, _field("remarks")),
]
COLUMN_KEYS = [c.key for c in COLUMNS]
HEADERS = [c.header for c in COLUMNS]
# Columns an imported row must fill.
REQUIRED_KEYS = ["city", "county", "kind", "nature", "address", "status"]
_GETTERS = [(c.key, c.get) for c in COLUMNS if c.get is not None]


def row_labels():
    """The choice labels the columns show, in the active language: once per export."""
    return {field: choice_labels(Market, field) for field in CHOICE_FIELDS}


def row_values(market):
    """What the columns read from one Market (the same dict `selectors.market_row_values`
    fetches): no extra queries from a queryset with county__parent joined and trades /
    opening_periods prefetched (see selectors.markets_for_rows)."""
    values = {field: getattr(market, field) for field in ROW_FIELDS}
    values["city_name"] = market.county.parent.name
    values["county_name"] = market.county.name
    values["trades"] = [t.name for t in market.trades.all()]
    values["hours"] = [(p.weekdays, p.opens, p.closes) for p in market.opening_periods.all()]
    return values


def values_row(values, labels):
    """One market's `row_values` as {column key: plain string} in the 附件1 layout ("seq" is left empty)."""
    row = {"seq": ""}
    for key, get in _GETTERS:
        row[key] = str(get(values, labels) or "")
    return row


def market_rows(values):
    """The 附件1 rows of many markets' `row_values` (e.g. `selectors.market_row_values(qs)`)."""
    labels = row_labels()
    return [values_row(v, labels) for v in values]


def market_row(market):
    """One market as {column key: plain string} in the 附件1 layout ("seq" is left empty).

    Computable from a queryset with county__parent joined and trades / opening_periods
    prefetched (see selectors.markets_for_rows) without further queries.
    """
    return values_row(row_values(market), row_labels())


# ---------------------------------------------------------------- naming


def attachment1_title(division, *, period=None, today=None):
    """贵州省贵阳市南明区零工市场名录（2023年第一季度） / （截至2026年12月02日）."""
    when = period.name if period is not None else f"截至{(today or timezone.localdate()):%Y年%m月%d日}"
    return f"贵州省{region_name(division)}零工市场名录（{when}）"


def attachment1_filename(title):
    """The one naming rule of every 附件1 download: 附件1-<title>.xlsx."""
    return f"附件1-{title}.xlsx"


TEMPLATE_TITLE = "贵州省零工市场名录（导入模板）"
TEMPLATE_FILENAME = "附件1-零工市场名录导入模板.xlsx"


def live_filing(user, division, *, today, source=None):
    """The filing of a live export of `division`: its office, the user as 填报人 if they
    work there, today's date."""
    mine = works_for(user, division)
    return Filing(
        unit=issuing_unit(division),
        person=user.display_name if mine else "",
        phone=user.phone if mine else "",
        date=today if mine else None,
        source=source or f"平台实时数据（截至{today:%Y年%m月%d日}）",
    )


def live_export(rows, *, user, division, today=None, source=None):
    """A 附件1 of live rows for `division` (a county, a 市州 or None for the province):
    (XLSX bytes, file name). The same for the /markets/ and /reporting/ exports."""
    today = today or timezone.localdate()
    title = attachment1_title(division, today=today)
    content = write_attachment1(rows, title=title, filing=live_filing(user, division, today=today, source=source))
    return content, attachment1_filename(title)


def as_of_export(rows, *, user, division, day):
    """A 附件1 of the registry as it stood at the end of `day` (rows from the market history):
    named like the live export taken that day, filed as history, dated the day it shows."""
    source = f"平台历史名录（{day:%Y年%m月%d日}日终状态）"
    return live_export(rows, user=user, division=division, today=day, source=source)


def import_template(counties):
    """The import template: (XLSX bytes, file name)."""
    filing = Filing(unit="", source="第5行为示例（不导入），请从第6行起填写")
    content = write_attachment1([], title=TEMPLATE_TITLE, filing=filing, template=True, counties=counties)
    return content, TEMPLATE_FILENAME


# ---------------------------------------------------------------- writing

BODY_SIZE = BODY_FONT_SIZE  # 10 pt: 8 pt or more when printed at the sheet's scale
HEADER_ROW = 4
FIRST_DATA_ROW = 5
EXAMPLE_MARK = "示例"
EMPTY_NOTICE = "本期无数据"
EXAMPLE_ROW = {
    "seq": EXAMPLE_MARK,
    "city": "贵阳市",
    "county": "南明区",
    "name": "（名称按规则自动生成，可不填）",
    "kind": "综合",
    "nature": "公益性",
    "basis": "公共人力资源市场",
    "address": "南明区示例路1号",
    "hours": "周一至周五 08:30-12:00、14:00-17:30",
    "trades": "搬运工、保洁员",
    "features": "综合服务区、零工待工区、求职(用工)登记窗口",
    "status": "运营中",
    "operator": "南明区人力资源和社会保障局",
    "contact_person": "张三",
    "contact_phone": "0851-85550101",
    "remarks": "本行为示例，导入时不读取",
}


def _style(
    book, *, bold=False, size=BODY_SIZE, align="left", border=True, font_name=FONT_NAME, italic=False, wrap=True
):
    """The workbook's format for a cell look (built once per look by `XlsxBook.style`)."""
    props = {
        "font_name": font_name,
        "font_size": size,
        "font_color": "#000000",
        "bold": bold,
        "italic": italic,
        "align": align,
        "valign": "vcenter",
        "text_wrap": wrap,
    }
    if border:
        props.update(border=1, border_color="#000000")  # thin, black
    return book.style(**props)


def _choice_lists(counties):
    """{column key: [allowed labels]} for the template's drop-downs (the coded columns)."""
    lists = {
        "kind": ["综合", "行业（）", "零工驿站（）"],
        "nature": ["公益性", "市场化", "市场化（诚信运营）"],
        "basis": [str(label) for _value, label in Market.Basis.choices],
        "status": [str(label) for _value, label in Market.Status.choices],
    }
    if counties:
        lists["city"] = sorted({c.parent.name for c in counties}, key=lambda n: n)
        lists["county"] = [c.name for c in counties]
    return lists


def _add_validations(book, ws, counties, last_row):
    """Drop-downs for every coded column of rows FIRST_DATA_ROW..last_row. Short lists are
    written inline; the counties (too long for an inline list) come from a hidden sheet.
    类型/行业 warns instead of refusing, since the industry or township is typed in."""
    lists = _choice_lists(counties)
    code_columns = []
    for key, labels in lists.items():
        header = COLUMNS[COLUMN_KEYS.index(key)].header
        inline = '"' + ",".join(labels) + '"'
        if len(inline) <= 255:
            where = {"choices": labels}
        else:
            code_columns.append(labels)
            letter = xl_col_to_name(len(code_columns) - 1)
            where = {"source": f"代码表!${letter}$1:${letter}${len(labels)}"}
        ws.validate_list(
            column=COLUMN_KEYS.index(key) + 1,
            first_row=FIRST_DATA_ROW,
            last_row=last_row,
            **where,
            ignore_blank=True,
            show_error=True,
            error_type="warning" if key == "kind" else "stop",
            error_title=f"{header}无效",
            error_message=f"请从下拉列表中选择{header}。",
            input_title=header,
            input_message="请从下拉列表中选择"
            + ("，再在括号内填写行业（如建筑）或乡镇（如花溪镇）" if key == "kind" else ""),
            show_input=True,
        )
    if code_columns:
        code_sheet = book.add_sheet("代码表", hidden=True)
        for index in range(max(len(labels) for labels in code_columns)):
            code_sheet.add_row([labels[index] if index < len(labels) else None for labels in code_columns])


def write_attachment1(rows, *, title, filing=None, submissions=(), template=False, counties=()):
    """Write `rows` (iterable of market_row-style dicts) as a 附件1 workbook; return the XLSX bytes.

    Layout (docs/exports.md): A1 "附件1"; row 2 the title merged across all columns; row 3
    填报单位（盖章） and 数据来源 (`filing`); row 4 the bold bordered header; then one row
    per market numbered from 1 in 序号, each as tall as its longest wrapped cell needs (CJK
    counted double), or one row "本期无数据"; under the table the sign-off row 单位负责人 /
    审核人 / 填报人 / 联系电话 / 填报日期. A4 landscape, one page wide (the widths keep the
    scale at 80 %), header row repeated on every page and frozen, "第 &P 页 共 &N 页".

    `submissions` (snapshot exports of several counties) adds a sheet 报送情况: which
    version each county submitted, by whom and when. `template` writes the import template
    instead: an example row (序号 "示例", skipped on import), drop-down lists for the coded
    columns (`counties` for 市州 / 县区, from a hidden sheet 代码表 when too long) and no
    sign-off row. Written with xlsxwriter in constant-memory mode through
    `gigmarket.core.exports.XlsxBook` (formula-like text stays text); missing keys are empty cells.
    """
    filing = filing or Filing(unit="")
    book = XlsxBook()
    ws = book.add_sheet("零工市场名录")
    widths = [col.width for col in COLUMNS]
    count = len(COLUMNS)
    a4_print_setup(ws, widths=widths, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", freeze=f"A{FIRST_DATA_ROW}")
    half = count // 2

    ws.add_row(["附件1"], styles=[_style(book, bold=True, size=12, border=False, font_name="黑体", wrap=False)])
    title_style = _style(book, bold=True, size=16, align="center", border=False, font_name="方正小标宋简体")
    ws.add_row([title], styles=[title_style], height=30, merges=[(1, count)])
    meta = [None] * count
    meta[0] = f"填报单位（盖章）：{filing.unit}"
    meta[half] = f"数据来源：{filing.source}" if filing.source else None
    meta_styles = [_style(book, border=False, wrap=False)] * half
    meta_styles += [_style(book, border=False, align="right", wrap=False)] * (count - half)
    ws.add_row(meta, styles=meta_styles, height=20, merges=[(1, half), (half + 1, count)])

    header_style = _style(book, bold=True, align="center", font_name="黑体")
    ws.add_row(HEADERS, styles=[header_style] * count, height=wrapped_row_height(HEADERS, widths, font_size=BODY_SIZE))

    row_styles = [_style(book, align="center" if col.key in ("seq", "status") else "left") for col in COLUMNS]
    if template:
        example_styles = [
            _style(book, italic=True, align="center" if col.key in ("seq", "status") else "left") for col in COLUMNS
        ]
        values = [EXAMPLE_ROW.get(col.key) for col in COLUMNS]
        ws.add_row(values, styles=example_styles, height=wrapped_row_height(values, widths, font_size=BODY_SIZE))
    keys = [None if col.key == "seq" else col.key for col in COLUMNS]
    written = 0
    wrap_cache = {}  # lines per (text, width), for this sheet only
    for number, row in enumerate(rows, start=1):
        values = [number if key is None else (row.get(key) or None) for key in keys]
        height = wrapped_row_height(values, widths, font_size=BODY_SIZE, cache=wrap_cache)
        ws.add_row(values, styles=row_styles, height=height)
        written += 1
    if not written and not template:
        notice_style = _style(book, align="center")
        ws.add_row([EMPTY_NOTICE] + [None] * (count - 1), styles=[notice_style] * count, height=24, merges=[(1, count)])
    if template:
        _add_validations(book, ws, counties, ws.rows + settings.IMPORT_MAX_ROWS)
    else:
        ws.add_row([None])
        values = sign_off_values(count, person=filing.person, phone=filing.phone, date=filing.date)
        ws.add_row(values, styles=[_style(book, border=False)] * count, height=24, merges=sign_off_spans(count))
    if submissions:
        _write_submissions(book, submissions)
    return book.close()


SUBMISSION_COLUMNS = [("序号", 6), ("县(市、区)", 16), ("报送版本", 10), ("报送人", 14), ("报送时间", 20), ("状态", 24)]
SUBMISSION_COLUMNS += [("市场数", 10)]


def _write_submissions(book, submissions):
    """The 报送情况 sheet of a snapshot export: who filed each county's rows, which version."""
    ws = book.add_sheet("报送情况")
    widths = [w for _h, w in SUBMISSION_COLUMNS]
    a4_print_setup(ws, widths=widths, title_rows="2:2", freeze="A3", landscape=False)
    title_style = _style(book, bold=True, size=14, border=False, align="center", wrap=False)
    ws.add_row(["各县(市、区)报送情况"], styles=[title_style], height=24, merges=[(1, len(widths))])
    header_style = _style(book, bold=True, align="center", font_name="黑体")
    ws.add_row([h for h, _w in SUBMISSION_COLUMNS], styles=[header_style] * len(widths))
    body = [_style(book, align="center" if i in (0, 2, 6) else "left") for i in range(len(widths))]
    for number, item in enumerate(submissions, start=1):
        values = [
            number,
            item.county.name,
            f"第{item.version}版",
            item.submitted_by.display_name if item.submitted_by else "",
            f"{timezone.localtime(item.submitted_at):%Y-%m-%d %H:%M}",
            item.get_status_display(),
            item.market_count,
        ]
        ws.add_row(values, styles=body, height=wrapped_row_height(values, widths, font_size=BODY_SIZE))


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
    by rule). Fully empty rows, the template's example row (序号 "示例") and the
    "本期无数据" line are skipped; the sign-off row (单位负责人…) ends the table. Formula
    cells are refused.
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
        first = _text(row.cells[0].value if row.cells and row.cells[0] is not None else None)
        if first.startswith(SIGN_OFF_LABELS[0]):
            break  # the sign-off row under the table: nothing after it is data
        if values.get("seq") == EXAMPLE_MARK or first == EMPTY_NOTICE:
            continue  # the template's example row, an empty period's notice
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
    m = re.fullmatch(r"(综合|行业|零工驿站)(?:[（(](.*?)[)）])?", text)
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
