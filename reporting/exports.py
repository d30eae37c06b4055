"""附件1 workbooks and the open-data 名录 (CSV / JSON): selector → writer, nothing else.

The column layout is `markets.attachment1.COLUMNS`; nothing here declares columns.
"""

import json

from django.utils import timezone

from gigmarket.core.exports import Filing, csv_text, gc_paused, issuing_unit
from markets.attachment1 import (
    COLUMNS,
    attachment1_filename,
    attachment1_title,
    live_export,
    market_rows,
    write_attachment1,
)

from .selectors import live_market_values, public_market_values, snapshot_submissions


def snapshot_filing(period, division, submissions):
    """The filing of a snapshot export, true to who filed it.

    One county: its own submission says who submitted it, when, and which version; the
    sheet names them (not whoever downloads it). A 市州 or the province: a compilation of
    several submissions, filed by that level's office; 填报人 and date are left to write
    by hand and the 报送情况 sheet lists each county's version, submitter and time."""
    unit = issuing_unit(division)
    if division is not None and division.is_county:
        if not submissions:
            return Filing(unit=unit, source=f"{period.name}报送快照（本县(市、区)尚未报送）")
        (item,) = submissions
        by = item.submitted_by
        return Filing(
            unit=unit,
            person=by.display_name if by else "",
            phone=by.phone if by else "",
            date=timezone.localdate(item.submitted_at),
            source=f"{period.name}报送快照（第{item.version}版，{item.get_status_display()}）",
        )
    return Filing(unit=unit, source=f"{period.name}报送快照（{len(submissions)}个县(市、区)，见“报送情况”表）")


def attachment1_workbook(*, user, period=None, county=None, city=None):
    """The XLSX bytes, file name and row count of a county's, a 市州's or the province's 附件1
    (all in `user`'s scope): from the period's frozen snapshots when `period` is given, else
    from live markets. Named and laid out by `markets.attachment1`."""
    division = county or city
    with gc_paused():  # thousands of markets held until the file is written
        if period is None:
            rows = market_rows(live_market_values(user, county=county, city=city))
            content, filename = live_export(rows, user=user, division=division)
            return content, filename, len(rows)
        submissions = list(snapshot_submissions(period, user, county=county, city=city))
        rows = [item["row"] for submission in submissions for item in submission.rows]
        title = attachment1_title(division, period=period)
        content = write_attachment1(
            rows,
            title=title,
            filing=snapshot_filing(period, division, submissions),
            submissions=submissions if division is None or not division.is_county else (),
        )
        return content, attachment1_filename(title), len(rows)


OPEN_COLUMNS = [c for c in COLUMNS if c.key != "seq"]


def open_data_rows():
    return market_rows(public_market_values())


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
