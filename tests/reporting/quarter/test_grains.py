"""Monitoring at every grain: day, week, month, quarter, half-year and reporting period over
any range, with the same figures (the hand-counted quarter of conftest.py)."""

import datetime

import pytest

from reporting.figures import region_figures, trend
from reporting.grains import GRAINS, buckets, count_buckets
from reporting.models import ReportingPeriod
from reporting.rollups import FLOW_METRICS, STOCK_METRICS, M
from tests.factories.reporting import period

D = datetime.date
PROVINCE = ("province", None)


def test_buckets_are_clipped_to_the_range_and_cover_it():
    periods = [ReportingPeriod(name=n, start=a, end=b) for n, a, b in [("Q", D(2023, 1, 1), D(2023, 3, 31))]]
    start, end = D(2023, 1, 10), D(2023, 3, 5)
    for grain in GRAINS:
        got = buckets(grain.value, start, end, periods)
        assert got[0].start == start and got[-1].end == end, grain.value
        assert all(a.end + datetime.timedelta(days=1) == b.start for a, b in zip(got, got[1:], strict=False))
        assert count_buckets(grain.value, start, end, periods) == len(got)
    weeks = buckets("week", start, end)
    assert (weeks[0].name, weeks[0].start, weeks[0].end) == ("2023年第2周", D(2023, 1, 10), D(2023, 1, 15))
    assert weeks[1].start.weekday() == 0  # Monday
    assert [b.name for b in buckets("month", start, end)] == ["2023年1月", "2023年2月", "2023年3月"]
    assert [b.name for b in buckets("half", D(2022, 12, 1), D(2023, 7, 1))] == [
        "2022年下半年",
        "2023年上半年",
        "2023年下半年",
    ]
    assert [b.name for b in buckets("quarter", D(2023, 3, 31), D(2023, 4, 1))] == ["2023年第一季度", "2023年第二季度"]
    assert len(buckets("day", start, end)) == 55


@pytest.mark.parametrize("grain", [g.value for g in GRAINS])
@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2023, 1, 10), D(2023, 3, 5)), (D(2022, 12, 17), D(2023, 4, 5)), (D(2023, 3, 31), D(2023, 3, 31))],
)
def test_the_same_totals_at_every_grain(activity, province_user, grain, start, end):
    periods = list(ReportingPeriod.objects.all())
    total = region_figures(province_user, PROVINCE, start, end)["total"]
    parts = trend(province_user, PROVINCE, buckets(grain, start, end, periods))
    assert sum(f.get(M.HEADCOUNT) for f in parts) > 0 or total.get(M.HEADCOUNT) == 0
    for metric in FLOW_METRICS:
        assert sum(f.get(metric) for f in parts) == total.get(metric), metric
    for metric in STOCK_METRICS:  # a stock is read at the end: the last bucket's value
        assert parts[-1].get(metric) == total.get(metric), metric


def test_day_grain_reads_each_day(activity, province_user):
    days = trend(province_user, PROVINCE, buckets("day", D(2023, 1, 14), D(2023, 1, 17)))
    assert [(f.label, f.get(M.HEADCOUNT), f.get(M.MATCHES), f.get(M.ONBOARDED)) for f in days] == [
        ("2023-01-14", 0, 0, 0),
        ("2023-01-15", 5, 0, 0),
        ("2023-01-16", 0, 1, 0),
        ("2023-01-17", 0, 0, 1),
    ]
    assert [f.get(M.SEEKERS) for f in days] == [2, 2, 2, 2]


def _get(client, query):
    return client.get(f"/reporting/monitoring/?{query}")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2023-02-30&end=2023-03-01", "开始日期格式不正确"),
        ("start=abc&end=2023-03-01", "开始日期格式不正确"),
        ("start=2023-03-01&end=2023-02-01", "开始日期不能晚于结束日期"),
        ("grain=day&start=2022-01-01&end=2023-02-05", "最多400个日"),
        ("grain=week&start=2020-01-01&end=2026-01-01", "最多160个周"),
        ("grain=hour", "请选择日、周、月、季度、半年或报送期"),
        ("period=999999", "所选报送期不存在"),
        ("period=abc", "所选报送期不存在"),
        ("start=2023-01-01", "请同时填写开始日期和结束日期"),
        ("start=1900-01-01&end=2023-01-01", "日期须在"),
    ],
)
def test_a_bad_range_gets_a_chinese_message_not_a_500(client, activity, province_user, query, message):
    client.force_login(province_user)
    for url in ("/reporting/monitoring/", "/reporting/monitoring/export/"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        body = response.content.decode()
        assert message in body and "data-frame-error" in body
        assert "trend-chart" not in body  # no figures for a frame that is not valid


def test_day_grain_up_to_the_cap_is_fine(client, activity, province_user):
    client.force_login(province_user)
    response = _get(client, "grain=day&start=2022-03-02&end=2023-04-05")  # 400 days
    assert response.status_code == 200
    assert "共400段" in response.content.decode()


def test_page_shows_range_definitions_and_keeps_the_frame_in_drill_down(client, activity, province_user):
    client.force_login(province_user)
    body = _get(client, "grain=week&start=2023-01-10&end=2023-03-05").content.decode()
    assert "零工市场运行监测（2023年01月10日至2023年03月05日）" in body
    assert 'data-metric="headcount">8<' in body
    assert "2023年第2周" in body and "按周" in body
    assert "指标口径" in body and "时段内招聘人数 ÷ 时段末登记求职人数" in body
    assert "?city=520100&amp;grain=week&amp;start=2023-01-10&amp;end=2023-03-05" in body
    q1 = period("2023-01-01")
    body = _get(client, f"period={q1.pk}&grain=period").content.decode()
    assert "运行监测（2023年第一季度）" in body and 'data-metric="headcount">10<' in body


# Same as the period page (test_monitoring.py): 9 for the rollup figures, 3 for channels
# (a county page reads its county, and the channel table then needs no county query).
@pytest.mark.parametrize(
    "query",
    [
        "grain=day&start=2022-03-02&end=2023-04-05",
        "grain=week&start=2022-12-17&end=2023-04-05",
        "grain=month&start=2022-12-17&end=2023-04-05",
        "grain=quarter&start=2022-12-17&end=2023-04-05",
        "grain=half&start=2021-01-01&end=2023-04-05",
        "grain=period&start=2022-10-01&end=2023-12-31",
        "grain=day&start=2023-01-01&end=2023-01-03&county=520102",
    ],
)
def test_query_count_is_the_same_at_every_grain(client, activity, province_user, django_assert_num_queries, query):
    client.force_login(province_user)
    _get(client, query)
    with django_assert_num_queries(11):  # issue 19: the user menu's division and market come with the session's user
        assert _get(client, query).status_code == 200


def test_period_picker_says_when_the_range_is_not_a_period(client, activity, province_user):
    client.force_login(province_user)
    body = _get(client, "grain=week&start=2023-01-10&end=2023-03-05").content.decode()
    assert '<option value="" selected disabled>自定义时段</option>' in body
    q1 = period("2023-01-01")
    body = _get(client, f"period={q1.pk}").content.decode()
    assert "自定义时段" not in body and f'<option value="{q1.pk}" selected>' in body


def test_the_workbook_has_the_buckets_and_the_definitions(client, activity, province_user):
    import io

    import openpyxl

    client.force_login(province_user)
    response = client.get("/reporting/monitoring/export/?grain=month&start=2023-01-10&end=2023-03-05")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "分时段" and wb.sheetnames[-1] == "指标口径"
    rows = list(wb["分时段"].iter_rows(values_only=True))
    assert rows[2][:2] == ("月", "登记求职人数")
    months = {row[0]: row[5] for row in rows[3:6]}  # headcount
    assert months == {"2023年1月": 5, "2023年2月": 3, "2023年3月": 0}
    assert rows[6][0] == "合计" and rows[6][5] == 8
    definitions = [row[1] or "" for row in wb["指标口径"].iter_rows(values_only=True)]
    assert any("时段内招聘人数 ÷ 时段末登记求职人数" in text for text in definitions)
