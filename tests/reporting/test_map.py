"""The map of Guizhou, the 省级通报 and the 名录 reality check (issue 17)."""

import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from gigmarket.core.models import Division
from markets.models import Market
from reporting.bulletin import bulletin_lines
from reporting.map import county_figures, map_context, scoped_counties, scoped_markets
from reporting.map_geometry import douglas_peucker, load_geometry, project
from reporting.models import DailyStat
from reporting.reality import reality_check
from reporting.rollups import M, rollup_month
from reporting.services import submission_submit
from tests.factories.core import division
from tests.factories.markets import MarketFactory, complete_market
from tests.factories.reporting import beijing, period
from tests.print_checks import assert_prints_on_a4

Q1 = "2023-01-01"


def county_codes(content):
    return re.findall(r'<tr data-county="(\d{6})"', content.decode())


def map_url(figure="compliance", q1=None):
    q1 = q1 or period(Q1)
    return f"{reverse('reporting:map')}?figure={figure}&period={q1.pk}"


def record(market, metric, value, day="2023-02-10"):
    """A per-market rollup row (and the county's), with the month rebuilt from the days."""
    day = datetime.date.fromisoformat(day)
    for m in (market, None):
        DailyStat.objects.create(date=day, county=market.county, market=m, metric=metric, value=value)
    rollup_month(month=day.replace(day=1))


# ------------------------------------------------------------------ geometry


def test_geometry_has_every_county_of_guizhou_and_no_other(db):
    counties = set(Division.objects.filter(level="county").values_list("code", flat=True))
    shapes = load_geometry()["counties"]
    assert len(counties) == 88
    assert set(shapes) == counties
    assert all(shape["path"].startswith("M") and shape["path"].endswith("Z") for shape in shapes.values())


def test_douglas_peucker_drops_points_on_a_line_and_keeps_corners():
    line = [(0, 0), (1, 0.01), (2, 0), (3, 0), (3, 3)]
    assert douglas_peucker(line, 0.5) == [(0, 0), (3, 0), (3, 3)]
    assert douglas_peucker(line, 0.001) == line


def test_projection_puts_guiyang_inside_its_county_box():
    x, y = project(106.71, 26.57)  # 贵阳 city centre, in 南明区
    x0, y0, x1, y1 = load_geometry()["counties"]["520102"]["box"]
    assert x0 - 5 <= x <= x1 + 5 and y0 - 5 <= y <= y1 + 5


# ------------------------------------------------------------------ the map page


def test_province_map_lists_all_88_counties_once(client, province_user):
    client.force_login(province_user)
    response = client.get(map_url())
    assert response.status_code == 200
    codes = county_codes(response.content)
    assert len(codes) == len(set(codes)) == 88
    assert response.content.decode().count('<a class="county"') == 88


def test_city_user_sees_only_their_counties(client, city_user):
    client.force_login(city_user)
    response = client.get(map_url())
    guiyang = set(Division.objects.filter(parent__code="520100", is_active=True).values_list("code", flat=True))
    assert set(county_codes(response.content)) == guiyang
    assert "520302" not in response.content.decode()  # 红花岗区 (遵义) is not drawn


def test_county_user_sees_their_county_and_clicks_through_to_monitoring(client, county_user):
    client.force_login(county_user)
    response = client.get(map_url())
    assert county_codes(response.content) == ["520102"]
    assert f"{reverse('reporting:monitoring')}?county=520102&amp;period={period(Q1).pk}" in response.content.decode()


def test_markets_are_points_and_closed_ones_are_not(client, province_user, nanming):
    shown = MarketFactory(county=nanming, longitude="106.71", latitude="26.57")
    MarketFactory(county=nanming)  # no coordinates: nowhere to draw it
    closed = MarketFactory(
        county=nanming, longitude="106.7", latitude="26.5", status=Market.Status.CLOSED, closed_on="2023-01-01"
    )
    client.force_login(province_user)
    content = client.get(map_url()).content.decode()
    assert f'data-market="{shown.pk}"' in content
    assert f'data-market="{closed.pk}"' not in content
    # the county's outline and its table row link to its monitoring for the same period
    link = f"{reverse('reporting:monitoring')}?county=520102&amp;period="
    assert content.count(f'href="{link}') == 2


def test_market_names_on_the_map_are_escaped(client, province_user, nanming):
    market = MarketFactory(county=nanming, longitude="106.71", latitude="26.57")
    Market.objects.filter(pk=market.pk).update(name="南明<b>零工</b>市场")  # past the name's own validation
    client.force_login(province_user)
    content = client.get(map_url()).content.decode()
    assert "<title>南明&lt;b&gt;零工&lt;/b&gt;市场（运营中）</title>" in content


def test_unknown_figure_falls_back_to_compliance(client, province_user):
    client.force_login(province_user)
    response = client.get(map_url(figure="nonsense"))
    assert response.status_code == 200
    assert "市场达标率" in response.content.decode()


@pytest.mark.parametrize("figure", ["compliance", "completeness", "timeliness", "ratio", "registrations"])
def test_map_queries_are_few_and_do_not_grow_with_markets(client, province_user, django_assert_num_queries, figure):
    client.force_login(province_user)
    url = map_url(figure)
    client.get(url)  # warm the session and the user
    # session, user, unread notices and scope label (base page); periods, counties, markets,
    # and one for the figure unless it is compliance (read from the markets)
    expected = 6 if figure == "compliance" else 7  # issue 19: the user menu's division comes with the user
    with django_assert_num_queries(expected):
        client.get(url)
    for code in ("520102", "520103", "520302"):
        complete_market(county=division(code), longitude="106.7", latitude="26.6")
        MarketFactory(county=division(code))
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


# ------------------------------------------------------------------ the figures per county


def by_code(values):
    return {cv.division.code: cv for cv in values}


def figures_for(user, figure, q1):
    return by_code(county_figures(user, q1, figure, counties=scoped_counties(user), markets=scoped_markets(user)))


def test_compliance_is_the_share_of_operating_markets_meeting_the_standard(province_user, nanming, yunyan):
    complete_market(county=nanming)
    MarketFactory(county=nanming)  # misses items of the standard
    MarketFactory(county=yunyan, status=Market.Status.PLANNING)  # not operating: not counted
    values = figures_for(province_user, "compliance", period(Q1))
    assert (values["520102"].value, values["520102"].note) == (50, "1/2")
    assert values["520103"].value is None  # no operating market: no data, not 0%


def test_completeness_and_timeliness_per_county(province_user, county_user, county2_user):
    q1 = period(Q1)
    with time_machine.travel(beijing("2023-04-05 20:00"), tick=False):
        submission_submit(period=q1, county=county_user.division, by=county_user)
    with time_machine.travel(beijing("2023-04-07 09:00"), tick=False):
        submission_submit(period=q1, county=county2_user.division, by=county2_user)
    done = figures_for(province_user, "completeness", q1)
    timely = figures_for(province_user, "timeliness", q1)
    assert done["520102"].value == done["520103"].value == "已报送"
    assert done["520111"].value == "未报送"
    assert (timely["520102"].value, timely["520103"].value, timely["520111"].value) == (
        "按时报送",
        "逾期报送",
        "未报送",
    )


def test_registrations_and_ratio_come_from_the_rollups(province_user, market, market2):
    record(market, M.NEW_SEEKERS, 4)
    record(market, M.HEADCOUNT, 6)
    record(market, M.SEEKERS, 3, day="2023-03-31")
    q1 = period(Q1)
    registrations = figures_for(province_user, "registrations", q1)
    assert registrations["520102"].value == 4
    assert registrations["520103"].value == 0
    ratio = figures_for(province_user, "ratio", q1)
    assert ratio["520102"].value == 2.0
    assert ratio["520103"].value is None  # no registered seekers: the ratio is undefined


def test_legend_classes_cover_the_values(province_user, market):
    record(market, M.NEW_SEEKERS, 37)
    data = map_context(province_user, period(Q1), "registrations")
    nanming = next(cv for cv in data.counties if cv.division.code == "520102")
    assert nanming.colour == data.legend[-2][1]  # the darkest class holds the largest value
    assert data.legend[-1][0] == "无数据"


# ------------------------------------------------------------------ 省级通报


def test_bulletin_ranks_cities_by_completeness(province_user, county_user, nanming):
    q1 = period(Q1)
    with time_machine.travel(beijing("2023-04-05 20:00"), tick=False):
        submission_submit(period=q1, county=county_user.division, by=county_user)
    complete_market(county=nanming)
    lines, total = bulletin_lines(province_user, q1)
    assert len(lines) == 9
    assert lines[0].division.code == "520100" and lines[0].rank == 1
    assert (lines[0].submitted, lines[0].on_time, lines[0].operating, lines[0].compliant) == (1, 1, 1, 1)
    assert total.expected == 88 and total.submitted == 1


def test_bulletin_page_and_workbook(client, province_user, market):
    record(market, M.VISITS, 5)
    q1 = period(Q1)
    client.force_login(province_user)
    response = client.get(reverse("reporting:bulletin", args=[q1.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("<tr data-city=") == 9
    response = client.get(reverse("reporting:bulletin_export", args=[q1.pk]))
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.content))["通报"]
    assert_prints_on_a4(ws, header_row=3)
    names = [ws.cell(row=r, column=2).value for r in range(4, 14)]
    assert names[-1] == "全省合计" and len(set(names[:-1])) == 9
    visits_column = 10 + 1 + [M.NEW_SEEKERS, M.VISITS].index(M.VISITS)
    assert ws.cell(row=13, column=visits_column).value == 5


def test_bulletin_is_for_the_province_only(client, city_user):
    client.force_login(city_user)
    assert client.get(reverse("reporting:bulletin", args=[period(Q1).pk])).status_code == 403


# ------------------------------------------------------------------ 名录 reality check


def test_reality_check_flags_idle_operating_and_active_unlisted_markets(province_user, city_user, nanming, honghuagang):
    busy = MarketFactory(county=nanming)
    idle = MarketFactory(county=nanming)
    planning = MarketFactory(county=nanming, status=Market.Status.PLANNING)
    zunyi_idle = MarketFactory(county=honghuagang)
    record(busy, M.POSTINGS, 2)
    record(planning, M.VISITS, 3)
    check = reality_check(province_user, period(Q1))
    assert check.idle == [idle, zunyi_idle]
    assert [(m, a[M.VISITS]) for m, a in check.unlisted] == [(planning, 3)]
    assert reality_check(city_user, period(Q1)).idle == [idle]  # 遵义 is out of the 市州's scope
    assert reality_check(province_user, period("2023-04-01")).unlisted == []  # another period


def test_reality_page(client, city_user, nanming):
    idle = MarketFactory(county=nanming)
    client.force_login(city_user)
    response = client.get(reverse("reporting:reality", args=[period(Q1).pk]))
    assert response.status_code == 200
    assert idle.name in response.content.decode()


def test_province_board_shows_the_reality_check(client, province_user, nanming):
    idle = MarketFactory(county=nanming)
    client.force_login(province_user)
    content = client.get(reverse("reporting:period_detail", args=[period(Q1).pk])).content.decode()
    assert "data-reality" in content and idle.name in content
    assert reverse("reporting:bulletin", args=[period(Q1).pk]) in content
    # Once, in the page: the browser tab's <title> is text, not the check's markup.
    assert content.count("data-reality") == 1
    title = content[content.index("<title>") : content.index("</title>")]
    assert "<section" not in title and idle.name not in title


def test_bulletin_names_no_last_place_among_equals(province_user, county_user):
    from reporting.bulletin import ranking_sentence

    lines, _total = bulletin_lines(province_user, period(Q1))
    assert ranking_sentence(lines) == ""  # nobody has reported: all level
    with time_machine.travel(beijing("2023-04-05 20:00"), tick=False):
        submission_submit(period=period(Q1), county=county_user.division, by=county_user)
    lines, _total = bulletin_lines(province_user, period(Q1))
    trailing = [x.division.name for x in lines[1:]]
    assert [x.rank for x in lines] == [1] + [2] * len(trailing)  # the level ones share a rank
    assert ranking_sentence(lines) == (
        f"报送完整率、及时率和市场达标率综合排名第一的是贵阳市，末位为{'、'.join(trailing)}（并列）。"
    )


def test_compliance_cache_follows_market_writes(nanming):
    from markets.services import invalidate_public_cache
    from reporting.map import province_compliance

    complete_market(county=nanming)
    assert province_compliance()[nanming.pk] == (1, 1)
    other = MarketFactory(county=nanming)  # written without the service: the cache is not told
    assert province_compliance()[nanming.pk] == (1, 1)
    invalidate_public_cache(market=other.pk)  # what every market service does on commit
    assert province_compliance()[nanming.pk] == (1, 2)
