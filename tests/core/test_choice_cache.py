"""The filter forms' 市州 / 县区 / 工种 options come from the cache and follow every change."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from markets.models import Trade
from markets.services import trade_create, trade_update
from tests.factories.core import division

pytestmark = pytest.mark.django_db


def market_list(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("markets:list"), params)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def select(html, name):
    return re.search(rf'<select name="{name}".*?</select>', html).group(0)


def test_the_second_request_reads_no_choices_and_shows_the_same_options(client, province_user):
    client.force_login(province_user)
    first, cold = market_list(client)
    second, warm = market_list(client)
    assert warm == cold - 3  # the 市州, 县区 and 工种 queries
    for name in ("city", "county", "trade", "status"):
        assert select(second, name) == select(first, name)
    assert ">全部</option>" in select(second, "county")
    assert f'<option value="{division("520102").pk}">南明区</option>' in second


def test_a_chosen_county_is_still_marked_and_checked_against_the_scope(client, city_user, market, zunyi_market):
    client.force_login(city_user)
    market_list(client)  # warm
    nanming = division("520102")
    body, _ = market_list(client, county=nanming.pk)
    assert f'<option value="{nanming.pk}" selected>南明区</option>' in body
    # 遵义's county is not among a 贵阳 user's options, and typing its id filters nothing in.
    body, _ = market_list(client, county=zunyi_market.county_id)
    assert f'<option value="{zunyi_market.county_id}"' not in select(body, "county")
    assert zunyi_market.name not in body


def test_a_renamed_county_shows_its_new_name_at_once(client, province_user):
    client.force_login(province_user)
    market_list(client)
    county = division("520102")
    county.name = "南明新区"
    county.save()
    body, _ = market_list(client)
    assert f'<option value="{county.pk}">南明新区</option>' in body


def test_a_new_or_renamed_trade_is_offered_on_the_next_request(client, province_user):
    client.force_login(province_user)
    market_list(client)
    trade = trade_create(
        data={"code": "ZZ-01", "name": "无人机飞手", "category": "其他", "sort_order": 999}, by=province_user
    )
    body, _ = market_list(client)
    assert f'<option value="{trade.pk}">无人机飞手</option>' in body
    trade_update(trade=Trade.objects.get(pk=trade.pk), data={"name": "无人机操控员"}, by=province_user)
    body, _ = market_list(client)
    assert "无人机操控员" in body and "无人机飞手" not in body


def test_the_public_job_search_caches_its_trades_apart_from_the_staff_list(client, province_user):
    jobs, again = (client.get(reverse("jobs:search")).content.decode() for _ in range(2))
    client.force_login(province_user)
    staff, _ = market_list(client)
    trade = Trade.objects.filter(is_active=True).order_by("sort_order", "code").first()
    assert select(jobs, "trade") == select(again, "trade")
    assert f'<option value="{trade.pk}">{trade.name}</option>' in select(jobs, "trade")
    # Each form its own entry: the job search's empty choice and classes, not the staff list's.
    assert "全部工种" in select(jobs, "trade") and "全部工种" not in select(staff, "trade")
