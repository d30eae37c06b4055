"""The home dashboard's trend: registrations and matches over the last 12 weeks, in the
user's scope (the hand-counted quarter of conftest.py, seen on 2023-03-31)."""

import pytest
import time_machine
from django.core.cache import cache

from gigmarket.core.dashboard import collect_cards
from reporting.dashboard import trend_card
from tests.factories.markets import MarketFactory
from tests.factories.reporting import beijing

SEEN = beijing("2023-03-31 12:00")


def _series(card):
    data = card["chart"]["data"]
    return {s["name"]: dict(zip(data["labels"], s["values"], strict=True)) for s in data["series"]}


@time_machine.travel(SEEN, tick=False)
def test_province_sees_12_weeks_of_registrations_and_matches(activity, province_user):
    card = trend_card(province_user)
    assert card["chart"]["data"]["labels"][0] == "01-09" and card["chart"]["data"]["labels"][-1] == "03-27"
    assert len(card["chart"]["rows"]) == 12
    series = _series(card)
    assert {k: v for k, v in series["新增求职登记"].items() if v} == {"01-09": 1, "01-30": 1, "03-27": 1}
    assert {k: v for k, v in series["对接成功数"].items() if v} == {"01-16": 1, "02-20": 1}
    assert card["chart"]["rows"][1] == ["01-16", 0, 1]


@time_machine.travel(SEEN, tick=False)
def test_each_role_sees_its_own_scope(activity, county2_user, clerk):
    yunyan = _series(trend_card(county2_user))
    assert {k: v for k, v in yunyan["新增求职登记"].items() if v} == {"01-30": 1}
    assert {k: v for k, v in yunyan["对接成功数"].items() if v} == {"02-20": 1}
    own_market = _series(trend_card(clerk))  # the clerk's market is 南明's first market
    assert {k: v for k, v in own_market["新增求职登记"].items() if v} == {"01-09": 1}


@time_machine.travel(SEEN, tick=False)
def test_home_page_draws_the_chart_with_its_table(client, activity, city_user):
    client.force_login(city_user)
    body = client.get("/").content.decode()
    assert 'data-chart="home-trend"' in body and 'id="home-trend"' in body
    assert 'data-table="home-trend"' in body and '<th scope="row">01-16</th>' in body
    assert "vendor/chartjs/chart.umd.min" in body and "js/charts" in body


@pytest.mark.parametrize("who", ["province_user", "city_user", "county_user", "clerk"])
@time_machine.travel(SEEN, tick=False)
def test_trend_is_one_query_whatever_the_data(request, activity, nanming, django_assert_num_queries, who):
    user = request.getfixturevalue(who)
    trend_card(user)  # the scope is cached on the user
    with django_assert_num_queries(1):
        trend_card(user)
    MarketFactory.create_batch(3, county=nanming)
    cache.clear()
    with django_assert_num_queries(1):
        trend_card(user)
    assert collect_cards(user)[-1]["title"] == "近12周趋势"
