"""附件1 export re-read with openpyxl, and all-or-nothing import with a row-by-row report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gigmarket.core.models import AuditEvent
from markets.attachment1 import COLUMN_KEYS, HEADERS, market_row, read_attachment1, write_attachment1
from markets.models import Market
from markets.selectors import markets_for_rows
from tests.factories.markets import MarketFactory, complete_market

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data, name="名录.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def sheet(rows):
    return write_attachment1(rows, title="贵州省零工市场名录（2023年第一季度）")


def good_row(**overrides):
    row = {
        "city": "贵阳市",
        "county": "南明区",
        "kind": "综合",
        "nature": "公益性",
        "basis": "公共人力资源市场",
        "address": "贵阳市南明区花果园大街1号",
        "hours": "周一至周五 06:00-12:00、14:00-18:00；周六 07:00-11:00",
        "trades": "木工、钢筋工",
        "features": "综合服务区、零工待工区",
        "status": "运营中",
        "operator": "南明区就业局",
        "contact_person": "王敏",
        "contact_phone": "0851-85550101",
    }
    row.update(overrides)
    return row


def test_export_has_title_header_rows_and_no_formulas(client, county_user, nanming):
    complete_market(county=nanming, remarks='=HYPERLINK("http://x")', operator="+danger", contact_person="@who")
    client.force_login(county_user)
    response = client.get("/markets/export/")
    assert response["Content-Type"] == XLSX
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value.startswith("贵州省贵阳市南明区零工市场名录（截至")
    assert [c.value for c in ws[4]] == HEADERS
    row = [c.value for c in ws[5]]
    assert row[0] == 1 and row[3] == "贵州省贵阳市南明区零工市场"
    assert row[8] == "周一至周五 06:30-12:00"
    assert str(ws.cell(row=7, column=1).value).startswith("单位负责人")  # a blank row, then the sign-off
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    assert row[HEADERS.index("备注")] == '=HYPERLINK("http://x")'
    assert ws.freeze_panes == "A5"
    assert ws.page_setup.orientation == "landscape"
    assert ws["D4"].font.name == "黑体" and ws["D5"].font.name == "宋体"
    assert AuditEvent.objects.filter(action="export", actor=county_user).exists()


def test_export_is_scoped_and_filtered(client, county_user, market, market2):
    client.force_login(county_user)
    ws = load_workbook(io.BytesIO(client.get("/markets/export/").content)).active
    names = [ws.cell(row=r, column=4).value for r in range(5, ws.max_row - 1)]  # above the blank and sign-off rows
    assert names == [market.name]


def test_export_query_count_is_fixed(client, province_user, nanming, yunyan, django_assert_num_queries):
    client.force_login(province_user)
    complete_market(county=nanming)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/markets/export/")  # the filter form's options are cached from here on
    with CaptureQueriesContext(connection) as few:
        client.get("/markets/export/")
    for i in range(10):
        complete_market(county=yunyan, kind="industry", industry=f"行{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/markets/export/")


def test_market_row_needs_no_queries_after_prefetch(nanming, django_assert_num_queries):
    complete_market(county=nanming)
    MarketFactory(county=nanming)
    markets = list(markets_for_rows())
    with django_assert_num_queries(0):
        rows = [market_row(m) for m in markets]
    assert rows[0]["trades"] in ("泥工(瓦工)", "")


def test_an_export_reads_back_as_the_same_rows(nanming):
    # Round trip through the importer: every market's 16 cells come back as written, hostile
    # text included (text cells, never formulas), in the same order, numbered from 1.
    complete_market(county=nanming, remarks="=1+1", operator="+86 运营", contact_person="@王敏")
    complete_market(county=nanming, kind="industry", industry="建筑", address="南明区" + "很长的地址" * 12)
    MarketFactory(county=nanming)
    rows = [market_row(m) for m in markets_for_rows()]
    parsed = read_attachment1(upload(sheet(rows)))
    assert parsed.errors == []
    assert [r.number for r in parsed.rows] == [5, 6, 7]
    read_back = [{key: r.values.get(key, "") for key in COLUMN_KEYS} for r in parsed.rows]  # empty cells: ""
    assert read_back == [{**row, "seq": str(n)} for n, row in enumerate(rows, start=1)]
    assert {"=1+1", "+86 运营", "@王敏"} <= {value for r in read_back for value in r.values()}


def test_import_creates_markets_with_hours_trades_and_features(client, county_user, nanming):
    client.force_login(county_user)
    response = client.post("/markets/import/", {"file": upload(sheet([good_row()]))})
    assert response.status_code == 302
    market = Market.objects.get(county=nanming)
    assert market.name == "贵州省贵阳市南明区零工市场"
    assert market.status == Market.Status.OPERATING
    assert sorted(t.name for t in market.trades.all()) == ["木工", "钢筋工"]
    assert market.opening_periods.count() == 3
    assert market.zone_service and market.zone_waiting and not market.window_policy
    assert market.versions.get().action == "import"
    assert AuditEvent.objects.filter(action="import", actor=county_user).exists()


def test_import_rejects_a_bad_file_whole_and_reports_each_bad_row(client, county_user, nanming):
    client.force_login(county_user)
    rows = [
        good_row(),
        good_row(county="云岩区"),
        good_row(kind="行业", hours="早上六点"),
        good_row(kind="行业（建筑）", trades="木工、会飞"),
        good_row(kind="零工驿站（青岩镇）", status="营业"),
    ]
    response = client.post("/markets/import/", {"file": upload(sheet(rows))})
    body = response.content.decode()
    assert response.status_code == 400
    assert "文件未导入" in body
    assert "第6行：云岩区不在您的管辖范围内" in body
    assert "第7行" in body and "行业零工市场请在括号内填写行业" in body and "早上六点" in body
    assert "第8行：服务工种“会飞”不在工种目录中" in body
    assert "第9行：状态“营业”无效" in body
    assert "第5行" not in body
    assert not Market.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_import_updates_an_existing_market_by_its_name(client, county_user, nanming):
    market = complete_market(county=nanming)
    client.force_login(county_user)
    row = market_row(markets_for_rows().get(pk=market.pk))
    row["address"] = "导入后的新地址"
    assert client.post("/markets/import/", {"file": upload(sheet([row]))}).status_code == 302
    market.refresh_from_db()
    assert market.address == "导入后的新地址"
    assert Market.objects.count() == 1
    assert market.versions.get().changed_fields == ["address"]


def test_import_rejects_duplicate_rows_and_non_xlsx(client, county_user, nanming):
    client.force_login(county_user)
    body = client.post("/markets/import/", {"file": upload(sheet([good_row(), good_row()]))}).content.decode()
    assert "第6行：与第5行是同一零工市场" in body
    body = client.post("/markets/import/", {"file": upload(b"not a spreadsheet", "x.xlsx")}).content.decode()
    assert "文件内容不是 .xlsx 工作簿" in body
    body = client.post("/markets/import/", {"file": upload(b"a,b", "x.csv")}).content.decode()
    assert "只能上传Excel 工作簿文件（扩展名为 .xlsx）" in body
    assert not Market.objects.exists()


def test_import_refuses_files_over_the_size_limit(client, county_user, settings):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(county_user)
    body = client.post("/markets/import/", {"file": upload(b"PK\x03\x04" + b"0" * 2048)}).content.decode()
    assert "文件过大" in body


def test_reader_refuses_formula_cells_and_missing_headers():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append(["1", "贵阳市", "南明区", "", "综合", "公益性", "", "=A1", "", "", "", "运营中", "", "", "", ""])
    out = io.BytesIO()
    wb.save(out)
    parsed = read_attachment1(upload(out.getvalue()))
    assert parsed.errors == ["第2行：“地址”是公式，请填写文字。"]
    wb = Workbook()
    wb.active.append(["随便", "什么"])
    out = io.BytesIO()
    wb.save(out)
    assert "未找到附件1表头" in read_attachment1(upload(out.getvalue())).errors[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每天 06:00-12:00", [("1234567", "06:00", "12:00")]),
        ("周一、周三 07:00-09:00", [("13", "07:00", "09:00")]),
        ("周六至周日 6:30～11:00", [("67", "06:30", "11:00")]),
    ],
)
def test_hours_text_parses_back(text, expected):
    from markets.attachment1 import parse_hours

    got = [(d, f"{o:%H:%M}", f"{c:%H:%M}") for d, o, c in parse_hours(text)]
    assert got == expected
