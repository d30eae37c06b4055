"""Monitoring numbers from daily rollups, checked against the hand-counted quarter (conftest.py)."""

import datetime
import io
from collections import Counter

import openpyxl
from django.core.management import call_command

from reporting.figures import region_figures, split_months, trend
from reporting.models import DailyStat, MonthlyStat, ReportingPeriod
from reporting.rollups import MONTHLY_METRICS, M, rollup_day
from tests.factories.markets import MarketFactory
from tests.factories.registry import WindowVisitFactory, WorkerFactory
from tests.factories.reporting import beijing, period

D = datetime.date


def values(fig):
    return [fig.get(m) for m in (M.SEEKERS, M.NEW_SEEKERS, M.VISITS, M.POSTINGS, M.HEADCOUNT)]


def outcomes(fig):
    return [fig.get(m) for m in (M.MATCHES, M.ONBOARDED, M.RIGHTS_CASES)]


def q1_figures(user, region=("province", None)):
    q1 = period("2023-01-01")
    return region_figures(user, region, q1.start, q1.end)


def test_province_totals_match_the_hand_count(activity, province_user):
    figures = q1_figures(province_user)
    assert values(figures["total"]) == [4, 3, 4, 3, 10]
    assert figures["total"].ratio == 2.5
    assert outcomes(figures["total"]) == [2, 1, 1]
    assert figures["windows"] == {"register": 2, "policy": 1, "rights": 1}


def test_drill_down_by_city_county_market_and_trade(activity, province_user, market):
    build, clean = activity
    figures = q1_figures(province_user)
    assert len(figures["children"]) == 9  # every 市州 is listed, zeros included
    by_city = {f.label: values(f) for f in figures["children"] if any(values(f))}
    assert by_city == {"贵阳市": [3, 2, 4, 2, 8], "遵义市": [1, 1, 0, 1, 2]}
    by_trade = {f.label: values(f) + outcomes(f) for f in figures["trades"]}
    assert by_trade == {"监测建筑": [2, 1, 0, 2, 7, 1, 1, 0], "监测家政": [2, 2, 0, 1, 3, 1, 0, 0]}
    assert {f.label: outcomes(f) for f in figures["children"] if any(outcomes(f))} == {"贵阳市": [2, 1, 1]}
    guiyang = q1_figures(province_user, ("city", market.county.parent))
    assert {f.label: values(f) for f in guiyang["children"] if any(values(f))} == {
        "南明区": [2, 1, 3, 1, 5],
        "云岩区": [1, 1, 1, 1, 3],
    }
    nanming = q1_figures(province_user, ("county", market.county))
    assert [(f.label, values(f)) for f in nanming["children"]] == [(market.name, [2, 1, 3, 1, 5])]
    one_market = q1_figures(province_user, ("market", market))
    assert {f.label: values(f) for f in one_market["children"]} == {
        "监测建筑": [2, 1, 0, 1, 5],
        "监测家政": [1, 1, 0, 0, 0],
    }


def test_next_quarter_starts_after_midnight_beijing(activity, province_user):
    q2 = period("2023-04-01")
    figures = region_figures(province_user, ("province", None), q2.start, q2.end)
    # stock read on the last rolled-up day (2023-04-05)
    assert values(figures["total"]) == [5, 1, 0, 1, 4]


def test_rollup_is_idempotent(activity):
    def rows():
        daily = DailyStat.objects.values_list("date", "market_id", "trade_id", "metric", "dimension", "value")
        monthly = MonthlyStat.objects.values_list("month", "market_id", "trade_id", "metric", "dimension", "value")
        return Counter(daily), Counter(monthly)

    before = rows()
    call_command("rollup_stats", "--date", "2023-04-05", "--days", "110")
    rollup_day(day=beijing("2023-01-10 00:00").date())
    after = rows()
    assert before == after
    assert sum(before[0].values()) > 0 and sum(before[1].values()) > 0


def daily_sums_by_month():
    out = Counter()
    for day, *key, value in DailyStat.objects.filter(metric__in=MONTHLY_METRICS).values_list(
        "date", "county_id", "market_id", "trade_id", "metric", "dimension", "value"
    ):
        out[(day.replace(day=1), *key)] += value
    return +out


def monthly_sums():
    out = Counter()
    for *key, value in MonthlyStat.objects.values_list(
        "month", "county_id", "market_id", "trade_id", "metric", "dimension", "value"
    ):
        out[tuple(key)] += value
    return out


def test_monthly_rows_are_exactly_the_sums_of_their_daily_rows(activity):
    monthly = monthly_sums()
    assert monthly == daily_sums_by_month()
    assert {key[0] for key in monthly} == {D(2022, 12, 1), D(2023, 1, 1), D(2023, 2, 1), D(2023, 3, 1), D(2023, 4, 1)}
    assert not MonthlyStat.objects.filter(metric=M.SEEKERS).exists()  # stocks are read on one day


def test_a_day_rolled_up_again_rebuilds_its_month(activity, province_user, market):
    WindowVisitFactory(market=market, window="register", created_at=beijing("2023-02-15 10:00"))
    q1 = period("2023-01-01")
    assert q1_figures(province_user)["total"].get(M.VISITS) == 4  # not rolled up yet
    rollup_day(day=D(2023, 2, 15))
    assert q1_figures(province_user)["total"].get(M.VISITS) == 5
    assert trend(province_user, ("province", None), [q1])[0].get(M.VISITS) == 5
    assert monthly_sums() == daily_sums_by_month()


def test_whole_months_and_partial_days_add_up_to_the_hand_count(activity, province_user):
    # 2023-01-10 .. 2023-03-05: February whole (monthly rows), the other days from daily rows.
    start, end = D(2023, 1, 10), D(2023, 3, 5)
    assert split_months(start, end) == (
        (D(2023, 2, 1), D(2023, 3, 1)),
        [(D(2023, 1, 10), D(2023, 1, 31)), (D(2023, 3, 1), D(2023, 3, 5))],
    )
    total = region_figures(province_user, ("province", None), start, end)["total"]
    # new: w2 01-10, w3 02-01; visits 01-10 ×2, 02-01, 03-01; postings p1, p2 (5 + 3)
    assert values(total)[1:] == [2, 4, 2, 8]
    assert outcomes(total) == [2, 1, 1]
    span = ReportingPeriod(name="自定义区间", start=start, end=end)
    q1 = period("2023-01-01")
    q2 = period("2023-04-01")
    by_period = {f.label: values(f) + outcomes(f) for f in trend(province_user, ("province", None), [q2, span, q1])}
    assert by_period == {
        "自定义区间": [3, 2, 4, 2, 8, 2, 1, 1],  # stock on 03-05: w1, w2, w3
        "2023年第一季度": [4, 3, 4, 3, 10, 2, 1, 1],
        "2023年第二季度": [5, 1, 0, 1, 4, 0, 0, 0],
    }


def test_split_months_edges():
    assert split_months(D(2023, 1, 1), D(2023, 6, 30)) == ((D(2023, 1, 1), D(2023, 7, 1)), [])
    assert split_months(D(2023, 1, 2), D(2023, 1, 30)) == (None, [(D(2023, 1, 2), D(2023, 1, 30))])
    assert split_months(D(2023, 12, 1), D(2023, 12, 31)) == ((D(2023, 12, 1), D(2024, 1, 1)), [])
    assert split_months(D(2024, 2, 29), D(2024, 3, 31)) == ((D(2024, 3, 1), D(2024, 4, 1)), [(D(2024, 2, 29),) * 2])


def test_city_sees_only_its_prefecture(client, activity, city_user):
    figures = q1_figures(city_user)
    assert values(figures["total"]) == [3, 2, 4, 2, 8]
    client.force_login(city_user)
    body = client.get("/reporting/monitoring/").content.decode()
    assert "贵阳市零工市场运行监测" in body and "南明区" in body
    assert client.get("/reporting/monitoring/?city=520300").status_code == 404


def test_other_county_gets_404(client, activity, county2_user, market):
    client.force_login(county2_user)
    assert client.get("/reporting/monitoring/?county=520102").status_code == 404
    assert client.get(f"/reporting/monitoring/?market={market.pk}").status_code == 404


def test_dashboard_page_shows_numbers_chart_and_exports(client, activity, province_user):
    q1 = period("2023-01-01")
    client.force_login(province_user)
    body = client.get(f"/reporting/monitoring/?period={q1.pk}").content.decode()
    assert 'data-metric="headcount">10<' in body
    assert "data-ratio>2.5<" in body
    assert 'data-chart="trend-chart"' in body and 'id="trend-chart"' in body and "2023年3月" in body
    response = client.get(f"/reporting/monitoring/export/?period={q1.pk}&city=520100")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(wb["分地区"].iter_rows(values_only=True))
    assert rows[0][0] == "贵阳市零工市场运行监测（2023年第一季度）"
    assert rows[2][:2] == ("县(市、区)", "登记求职人数")
    total = next(row for row in rows if row[0] == "合计")
    assert total[:6] == ("合计", 3, 2, 4, 2, 8)


# 9 for the rollup figures, 3 for the channel table (reporting/channels.py: the channel rollup
# rows, SMS, counties).
def test_dashboard_query_count_does_not_grow(client, activity, province_user, django_assert_num_queries, nanming):

    q1 = period("2023-01-01")
    client.force_login(province_user)
    url = f"/reporting/monitoring/?period={q1.pk}"
    client.get(url)
    with django_assert_num_queries(11):  # issue 19: the user menu's division and market come with the session's user
        client.get(url)
    for _ in range(5):
        market = MarketFactory(county=nanming)
        WorkerFactory(registered_market=market, registered_at=beijing("2023-02-02 09:00"))
    rollup_day(day=beijing("2023-02-02 00:00").date())
    with django_assert_num_queries(11):
        body = client.get(url).content.decode()
    assert 'data-metric="new_seekers">8<' in body


def test_clerk_sees_their_market_by_trade(client, activity, clerk, market):
    q1 = period("2023-01-01")
    client.force_login(clerk)
    body = client.get(f"/reporting/monitoring/?period={q1.pk}").content.decode()
    assert market.name in body and "监测建筑" in body
    assert 'data-metric="headcount">5<' in body
    assert client.get("/reporting/monitoring/?county=520102").status_code == 200
    assert (
        'data-metric="headcount">5<'
        in client.get(f"/reporting/monitoring/?county=520102&period={q1.pk}").content.decode()
    )


def test_county_rows_add_up_to_the_market_rows(activity):
    from django.db.models import Sum

    def sums(**filters):
        qs = DailyStat.objects.filter(**filters).values("date", "county_id", "trade_id", "metric", "dimension")
        return {tuple(r.values())[:-1]: r["v"] for r in qs.annotate(v=Sum("value"))}

    per_county = sums(market__isnull=True)
    assert per_county == sums(market__isnull=False)
    assert len(per_county) > 0


# ---------------------------------------------------------------- the workbook on paper


def test_monitoring_workbook_prints_on_a4_with_typed_numbers_at_every_level(client, activity, province_user, market):
    from tests.print_checks import assert_prints_on_a4, sign_off

    q1 = period("2023-01-01")
    client.force_login(province_user)
    sheets = {
        "": ["分时段", "分地区", "分工种", "分窗口", "指标口径"],
        "&city=520100": ["分时段", "分地区", "分工种", "分窗口", "指标口径"],
        "&county=520102": ["分时段", "分地区", "分工种", "分窗口", "指标口径"],
        # a market's children are its trades: no repeat
        f"&market={market.pk}": ["分时段", "分工种", "分窗口", "指标口径"],
    }
    for query, names in sheets.items():
        response = client.get(f"/reporting/monitoring/export/?period={q1.pk}{query}")
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        assert wb.sheetnames == names, query
        for ws in wb.worksheets:
            assert_prints_on_a4(ws, header_row=3)
            assert "零工市场零工市场" not in ws["A1"].value
            assert ws["A1"].font.b and any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
            body = list(ws.iter_rows(min_row=4, min_col=2))
            numbers = [c for row in body for c in row if isinstance(c.value, int | float)]
            assert numbers or ws.title == "指标口径", (query, ws.title)
            assert not [c for row in body for c in row if isinstance(c.value, str) and c.value.isdigit()]
            header = [c.value for c in ws[3]]
            if "求人倍率" in header:
                ratio_column = header.index("求人倍率") + 1
                ratios = [ws.cell(row=r, column=ratio_column) for r in range(4, ws.max_row + 1)]
                assert all(c.number_format == "0.00" for c in ratios if isinstance(c.value, float))
            assert sign_off(ws)["单位负责人"] == ""


def test_monitoring_workbook_titles_and_filer_per_level(client, activity, province_user, city_user, market):
    from tests.print_checks import sign_off

    q1 = period("2023-01-01")

    def first_sheet(user, query):
        client.force_login(user)
        response = client.get(f"/reporting/monitoring/export/?period={q1.pk}{query}")
        return openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]

    ws = first_sheet(province_user, "")
    assert ws["A1"].value == "贵州省零工市场运行监测（2023年第一季度）"
    assert ws["A2"].value == "填报单位（盖章）：贵州省人力资源和社会保障厅"
    assert sign_off(ws)["填报人"] == province_user.display_name
    ws = first_sheet(province_user, "&county=520102")
    assert ws["A1"].value == "贵阳市南明区零工市场运行监测（2023年第一季度）"
    assert ws["A2"].value == "填报单位（盖章）：贵阳市南明区人力资源和社会保障局"
    assert sign_off(ws)["填报人"] == ""  # the province downloaded it, the county files it
    ws = first_sheet(city_user, "")
    assert sign_off(ws)["填报人"] == city_user.display_name
    ws = first_sheet(province_user, f"&market={market.pk}")
    assert ws.title == "分时段"
    ws = ws.parent["分工种"]
    assert ws["A1"].value == f"{market.name}运行监测（2023年第一季度）"
    assert [row[0] for row in ws.iter_rows(min_row=4, max_row=5, values_only=True)] == ["监测建筑", "监测家政"]
