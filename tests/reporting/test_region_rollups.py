"""The 市州 and province rollup level (issue 17): the sums of the market rows, rebuilt with them,
and the monitoring page and the map reading a fixed number of queries whatever the data."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gigmarket.core.models import Division
from reporting.figures import region_figures, trend
from reporting.grains import buckets
from reporting.models import DailyStat, MonthlyStat, RegionDailyStat, RegionMonthlyStat
from reporting.rollups import MONTHLY_METRICS, rollup_channels, rollup_days, rollup_month
from tests.factories.core import division
from tests.factories.markets import MarketFactory, TradeFactory
from tests.factories.registry import PostingFactory, WindowVisitFactory, WorkerFactory
from tests.factories.reporting import beijing, period

pytestmark = pytest.mark.django_db

D = datetime.date
FIRST, LAST = D(2023, 1, 28), D(2023, 2, 3)  # across a month boundary
DAYS = [FIRST + datetime.timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def build(counties, *, per_market=1, days=DAYS):
    """Markets in these counties with registrations, postings and visits on `days`."""
    trades = [TradeFactory(code=f"RR{n}", name=f"汇总工种{n}") for n in range(2)]
    for code in counties:
        market = MarketFactory(county=division(code))
        for i, day in enumerate(days):
            at = beijing(f"{day} 09:00")
            for n in range(per_market):
                trade = trades[(i + n) % 2]
                WorkerFactory(registered_market=market, registered_at=at, trades=[trade])
                PostingFactory(market=market, trade=trade, headcount=2 + n, created_at=at, work_date=day)
            WindowVisitFactory(market=market, window="register", created_at=at)


def expected_regions():
    """The market rows summed per 市州 and for the province: {(date, division, trade, metric,
    dimension): value}, computed here in Python from the market level."""
    out = Counter()
    parents = dict(Division.objects.values_list("pk", "parent_id"))
    for day, county, trade, metric, dimension, value in DailyStat.objects.filter(market__isnull=False).values_list(
        "date", "county_id", "trade_id", "metric", "dimension", "value"
    ):
        city = parents[county]
        out[(day, city, trade, metric, dimension)] += value
        out[(day, parents[city], trade, metric, dimension)] += value
    return +out


def region_daily():
    return Counter(
        {
            tuple(key): value
            for *key, value in RegionDailyStat.objects.values_list(
                "date", "division_id", "trade_id", "metric", "dimension", "value"
            )
        }
    )


def region_monthly():
    return sorted(
        RegionMonthlyStat.objects.values_list("month", "division_id", "trade_id", "metric", "dimension", "value"),
        key=repr,
    )


def assert_regions_are_the_market_sums():
    expected = expected_regions()
    assert expected and region_daily() == expected
    assert RegionDailyStat.objects.count() == len(expected)  # no row twice, no empty row
    months = Counter()
    for (day, *key), value in expected.items():
        if key[2] in MONTHLY_METRICS:
            months[(day.replace(day=1), *key)] += value
    assert Counter({tuple(r[:-1]): r[-1] for r in region_monthly()}) == months
    province = Division.objects.get(level=Division.Level.PROVINCE)
    assert set(RegionDailyStat.objects.values_list("division__level", flat=True)) == {"city", "province"}
    assert RegionDailyStat.objects.filter(division=province).exists()


def _check_rollup_day_and_idempotence():
    build(["520102", "520103", "520302", "522301"])
    rollup_days(days=DAYS)
    assert_regions_are_the_market_sums()
    before = (sorted(region_daily().items(), key=repr), region_monthly())
    rollup_days(days=DAYS)  # the hourly task runs again: the same rows
    rollup_days(days=DAYS[:2])
    assert (sorted(region_daily().items(), key=repr), region_monthly()) == before


def test_region_rows_are_the_sums_of_the_market_rows_and_rollups_are_idempotent():
    _check_rollup_day_and_idempotence()


@pytest.mark.postgres
def test_region_rows_are_the_sums_of_the_market_rows_on_postgresql():
    """The same on PostgreSQL, whose set-based INSERT ... SELECT and advisory locks differ."""
    _check_rollup_day_and_idempotence()


def test_rollup_month_rebuilds_the_regions_from_county_rows_written_directly():
    """Rows written without rollup_day (the demo's history, tests) get their regions from
    rollup_month, as the data generator relies on."""
    county = division("520102")
    market = MarketFactory(county=county)
    for m in (market, None):
        DailyStat.objects.create(date=D(2023, 2, 10), county=county, market=m, metric="visits", value=3)
    rollup_month(month=D(2023, 2, 1))
    assert_regions_are_the_market_sums()


def test_province_and_city_figures_from_the_regions_equal_the_county_rows(province_user, county_user):
    build(["520102", "520103", "520302"])
    rollup_days(days=DAYS)
    guiyang = division("520100")
    whole = region_figures(province_user, ("province", None), FIRST, LAST)
    city = region_figures(province_user, ("city", guiyang), FIRST, LAST)
    # a county user asking for its 市州 sees only its county: read from the county rows
    mine = region_figures(county_user, ("city", guiyang), FIRST, LAST)
    assert whole["total"].values["new_seekers"] == 3 * len(DAYS)
    assert city["total"].values["new_seekers"] == 2 * len(DAYS)
    assert mine["total"].values["new_seekers"] == len(DAYS)
    # the regions' own rows (province, 市州) agree with the county rows summed by hand
    county_rows = DailyStat.objects.filter(market__isnull=True, trade__isnull=True, metric="headcount")
    assert whole["total"].values["headcount"] == sum(county_rows.values_list("value", flat=True))
    assert {c.label: c.values.get("headcount", 0) for c in whole["children"]}["贵阳市"] == city["total"].values[
        "headcount"
    ]
    days = trend(province_user, ("province", None), buckets("day", FIRST, LAST))
    assert [f.get("headcount") for f in days] == [3 * 2] * len(DAYS)


def _counts(client, urls):
    out = {}
    for url in urls:
        client.get(url)  # warm the session and the user
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        out[url] = len(ctx.captured_queries)
    return out


def test_monitoring_and_map_query_counts_are_the_same_for_small_and_larger_data(client, province_user, city_user):
    """Pinned: the same number of queries with 2 markets over a week as with 12 markets in
    four 市州, three registrations a day each, over six weeks (and the channel rows)."""
    q1 = period("2023-01-01")
    base = "/reporting/monitoring/"
    frame = f"start={FIRST - datetime.timedelta(days=30)}&end={LAST}"
    pages = [
        f"{base}?period={q1.pk}",
        f"{base}?grain=day&{frame}",
        f"{base}?grain=week&{frame}",
        f"{base}?grain=month&start=2022-10-15&end={LAST}",
        f"{base}?city=520100&period={q1.pk}",
        f"{base}?county=520102&grain=day&{frame}",
        f"/reporting/map/?figure=ratio&period={q1.pk}",
        f"/reporting/map/?figure=registrations&period={q1.pk}",
    ]
    build(["520102", "520302"])
    rollup_channels(start=FIRST, end=LAST)
    rollup_days(days=DAYS)
    client.force_login(province_user)
    small = _counts(client, pages)
    assert list(small.values()) == [11] * 6 + [7, 7]  # issue 19: the menu's division comes with the user

    many_days = [LAST - datetime.timedelta(days=n) for n in range(42)]
    counties = ["520102", "520103", "520111", "520302", "520303", "520402", "522301", "522601", "520203"]
    build(counties, per_market=3, days=many_days[::3])
    rollup_days(days=many_days)
    assert RegionDailyStat.objects.values("division").distinct().count() > 4
    assert _counts(client, pages) == small

    client.force_login(city_user)
    assert set(_counts(client, pages[:2] + pages[-2:]).values()) <= {11, 7}
    assert MonthlyStat.objects.filter(month=D(2023, 1, 1)).exists()
