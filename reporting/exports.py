"""附件1 workbooks and the open-data 名录 (CSV / JSON): selector → writer, nothing else.

The column layout is `markets.attachment1.COLUMNS`; nothing here declares columns.
"""

import json

from django.utils import timezone

from gigmarket.core.exports import csv_text
from markets.attachment1 import COLUMNS, market_row, write_attachment1

from .selectors import live_markets, public_markets, snapshot_rows


def region_label(*, county=None, city=None):
    if county is not None:
        return f"{county.parent.name}{county.name}"
    if city is not None:
        return city.name
    return ""


def attachment1_title(*, period=None, county=None, city=None, today=None):
    region = region_label(county=county, city=city)
    when = period.name if period is not None else f"截至{(today or timezone.localdate()):%Y年%m月%d日}"
    return f"贵州省{region}零工市场名录（{when}）"


def reporting_unit(user, *, county=None, city=None):
    division = county or city or user.division
    if division is None or division.is_province:
        return "贵州省人力资源和社会保障厅"
    return f"{division.name}人力资源和社会保障局"


def attachment1_workbook(*, user, period=None, county=None, city=None):
    """The XLSX bytes and a file name for a county, a 市州 or the province (all in `user`'s scope).

    From the period's frozen snapshots when `period` is given, else from live markets.
    """
    if period is not None:
        rows = snapshot_rows(period, user, county=county, city=city)
    else:
        rows = [market_row(m) for m in live_markets(user, county=county, city=city)]
    today = timezone.localdate()
    title = attachment1_title(period=period, county=county, city=city, today=today)
    content = write_attachment1(
        rows,
        title=title,
        unit=reporting_unit(user, county=county, city=city),
        person=user.display_name,
        phone=user.phone,
        date=today,
    )
    return content, f"附件1-{title}.xlsx", len(rows)


OPEN_COLUMNS = [c for c in COLUMNS if c.key != "seq"]


def open_data_rows():
    return [market_row(m) for m in public_markets()]


def open_data_csv():
    """The open-data 名录 as CSV (UTF-8 with BOM); cells written by `gigmarket.core.exports`."""
    rows = ([row.get(c.key, "") for c in OPEN_COLUMNS] for row in open_data_rows())
    return csv_text([c.header for c in OPEN_COLUMNS], rows)


def open_data_json():
    rows = open_data_rows()
    payload = {
        "title": "贵州省零工市场名录",
        "updated": timezone.localdate().isoformat(),
        "fields": [{"key": c.key, "name": c.header} for c in OPEN_COLUMNS],
        "count": len(rows),
        "markets": [{c.key: row.get(c.key, "") for c in OPEN_COLUMNS} for row in rows],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1)
