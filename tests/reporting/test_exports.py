"""附件1 workbooks (snapshot and live) and the public open-data 名录."""

import csv
import io
import json

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from gigmarket.core.models import AuditEvent
from markets.attachment1 import HEADERS, read_attachment1
from reporting.services import submission_submit
from tests.factories.markets import MarketFactory
from tests.factories.reporting import beijing, period


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def data_rows(ws):
    """The market rows: from the row under the header to the sign-off row."""
    rows = []
    for row in ws.iter_rows(min_row=5, values_only=True):
        if str(row[0] or "").startswith("单位负责人"):
            break
        if any(row):
            rows.append(row)
    return rows


@pytest.fixture
def q1_reported(db, market, market2, county_user, county2_user):
    q1 = period("2023-01-01")
    with time_machine.travel(beijing("2023-04-02 10:00"), tick=False):
        submission_submit(period=q1, county=market.county, by=county_user)
        submission_submit(period=q1, county=market2.county, by=county2_user)
    return q1


def test_province_snapshot_export_has_title_header_rows_and_no_formulas(client, q1_reported, province_user, market):
    market.address = '=HYPERLINK("http://evil")'
    market.save()  # after the report: the snapshot keeps the old address
    MarketFactory(county=market.county, address="=1+1")  # live only
    client.force_login(province_user)
    wb = workbook(client.get(f"/reporting/export/?period={q1_reported.pk}"))
    ws = wb.active
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value == "贵州省零工市场名录（2023年第一季度）"
    assert "填报单位" in ws["A3"].value and "贵州省人力资源和社会保障厅" in ws["A3"].value
    assert [c.value for c in ws[4]] == HEADERS
    rows = data_rows(ws)
    assert [r[0] for r in rows] == [1, 2]
    assert {r[2] for r in rows} == {"南明区", "云岩区"}
    assert all(r[7] == "测试地址1号" for r in rows)
    assert ws.freeze_panes == "A5"
    assert ws.page_setup.orientation == "landscape"
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_live_export_writes_formula_like_text_as_text(client, county_user, market):
    market.address = "=cmd|' /C calc'!A0"
    market.save()
    client.force_login(county_user)
    wb = workbook(client.get("/reporting/export/"))
    ws = wb.active
    assert ws["A2"].value.startswith("贵州省贵阳市南明区零工市场名录（截至")
    (row,) = data_rows(ws)
    assert row[7] == "=cmd|' /C calc'!A0"
    assert ws.cell(row=5, column=8).data_type == "s"


def test_exported_sheet_reads_back_with_the_same_layout(client, q1_reported, city_user, market, market2):
    client.force_login(city_user)
    response = client.get(f"/reporting/export/?period={q1_reported.pk}&city=520100")
    parsed = read_attachment1(SimpleUploadedFile("附件1.xlsx", response.content))
    assert parsed.errors == []
    assert sorted(r.values["name"] for r in parsed.rows) == sorted([market.name, market2.name])


def test_city_export_is_limited_to_its_counties(client, q1_reported, city_user, zunyi_market):
    client.force_login(city_user)
    rows = data_rows(workbook(client.get("/reporting/export/")).active)
    assert {r[1] for r in rows} == {"贵阳市"}
    assert client.get("/reporting/export/?city=520300").status_code == 404
    assert client.get("/reporting/export/?county=520302").status_code == 404


def test_county_cannot_export_another_county_and_nothing_is_audited(client, q1_reported, county_user):
    client.force_login(county_user)
    assert client.get(f"/reporting/export/?period={q1_reported.pk}&county=520103").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_exports_are_audited(client, q1_reported, county_user):
    client.force_login(county_user)
    client.get(f"/reporting/export/?period={q1_reported.pk}")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == county_user
    assert event.county.code == "520102"
    assert event.changes == {"source": "snapshot", "rows": 1}
    assert "2023年第一季度" in event.target_repr


def test_province_export_query_count_does_not_grow(client, django_assert_num_queries, province_user, nanming):
    for _ in range(3):
        MarketFactory(county=nanming)
    client.force_login(province_user)
    client.get("/reporting/export/")
    with django_assert_num_queries(6):
        client.get("/reporting/export/")
    for _ in range(20):
        MarketFactory(county=nanming)
    with django_assert_num_queries(6):
        response = client.get("/reporting/export/")
    assert len(data_rows(workbook(response).active)) == 23


def test_open_data_csv_is_public_and_neutralises_formulas(client, market, market2):
    market.address = "@SUM(A1)"
    market.save()
    market2.status = "closed"
    market2.save()
    response = client.get("/reporting/open/markets.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["市州", "县区", "名称"]
    assert len(rows) == 2  # the closed market is not published
    assert rows[1][2] == market.name
    assert "'@SUM(A1)" in rows[1]


def test_open_data_json_lists_operating_markets(client, market):
    data = json.loads(client.get("/reporting/open/markets.json").content)
    assert data["count"] == 1
    assert data["markets"][0]["name"] == market.name
    assert {"key": "address", "name": "地址"} in data["fields"]


def test_open_data_is_cached_until_a_market_changes(client, market, django_assert_num_queries):
    from markets.services import invalidate_public_cache

    client.get("/reporting/open/markets.json")
    with django_assert_num_queries(0):
        client.get("/reporting/open/markets.json")
    market.address = "新址1号"
    market.save()
    invalidate_public_cache()  # what the markets services do on every change
    assert "新址1号" in client.get("/reporting/open/markets.json").content.decode()


# ---------------------------------------------------------------- on paper, true to who filed it


def test_county_snapshot_is_signed_by_who_submitted_it_with_its_version(client, q1_reported, city_user, province_user):
    from reporting.models import Submission
    from reporting.services import submission_return
    from tests.print_checks import assert_prints_on_a4, sign_off

    submission = Submission.objects.get(period=q1_reported, county__code="520102")
    county_user = submission.submitted_by
    county_user.full_name, county_user.phone = "南明填报员", "0851-85550123"
    county_user.save()
    submission_return(submission=submission, by=city_user, reason="请补充运行时间")
    with time_machine.travel(beijing("2023-04-06 16:00"), tick=False):
        submission_submit(period=q1_reported, county=submission.county, by=county_user)
    client.force_login(province_user)
    with time_machine.travel(beijing("2023-06-30 09:00"), tick=False):  # downloaded much later
        response = client.get(f"/reporting/export/?period={q1_reported.pk}&county=520102")
    ws = workbook(response).active
    assert_prints_on_a4(ws, header_row=4)
    assert ws["A2"].value == "贵州省贵阳市南明区零工市场名录（2023年第一季度）"
    assert ws["A3"].value == "填报单位（盖章）：贵阳市南明区人力资源和社会保障局"
    assert "第2版" in ws["I3"].value and "已报送" in ws["I3"].value
    assert sign_off(ws) == {
        "单位负责人": "",
        "审核人": "",
        "填报人": "南明填报员",
        "联系电话": "0851-85550123",
        "填报日期": "2023年04月06日",
    }
    assert "报送情况" not in workbook(response).sheetnames


def test_province_snapshot_lists_every_county_submission_and_leaves_the_filer_to_write(
    client, q1_reported, province_user, county_user
):
    from tests.print_checks import assert_prints_on_a4, sign_off

    client.force_login(province_user)
    wb = workbook(client.get(f"/reporting/export/?period={q1_reported.pk}"))
    assert sign_off(wb.active)["填报人"] == ""
    assert "2个县(市、区)" in wb.active["I3"].value
    ws = wb["报送情况"]
    assert_prints_on_a4(ws, header_row=2, landscape=False)
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == ["南明区", "云岩区"]
    assert rows[0][2:5] == ("第1版", county_user.display_name, "2023-04-02 10:00")
    assert rows[0][6] == 1 and isinstance(rows[0][6], int)


def test_an_empty_period_says_so(client, county_user, market):
    from tests.print_checks import sign_off

    client.force_login(county_user)
    q2 = period("2023-04-01")
    ws = workbook(client.get(f"/reporting/export/?period={q2.pk}")).active
    assert ws["A5"].value == "本期无数据"
    assert "A5:P5" in {str(r) for r in ws.merged_cells.ranges}  # across all 16 columns
    assert "尚未报送" in ws["I3"].value
    assert sign_off(ws)["填报人"] == ""
    assert data_rows(ws) == [("本期无数据",) + (None,) * (ws.max_column - 1)]


def test_snapshot_file_names_follow_the_one_rule_at_every_level(client, q1_reported, province_user):
    from urllib.parse import quote

    client.force_login(province_user)
    for query, title in (
        ("&county=520102", "贵州省贵阳市南明区零工市场名录（2023年第一季度）"),
        ("&city=520100", "贵州省贵阳市零工市场名录（2023年第一季度）"),
        ("", "贵州省零工市场名录（2023年第一季度）"),
    ):
        response = client.get(f"/reporting/export/?period={q1_reported.pk}{query}")
        disposition = response["Content-Disposition"]
        assert disposition.endswith("filename*=UTF-8''" + quote(f"附件1-{title}.xlsx", safe=""))
        assert workbook(response).active["A2"].value == title
