"""The public 名录: no login, operating markets only, no staff-only fields, cached with invalidation."""

import pytest
from django.core.cache import cache

from markets import services
from markets.models import Market, Trade
from tests.factories.markets import MarketFactory, complete_market


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_directory_lists_only_operating_markets(client, nanming, yunyan, honghuagang):
    open_ = complete_market(county=nanming)
    planned = MarketFactory(county=yunyan, status=Market.Status.PLANNING)
    closed = MarketFactory(county=honghuagang, status=Market.Status.CLOSED, closed_on="2024-01-01")
    body = client.get("/markets/directory/").content.decode()
    assert open_.name in body
    assert planned.name not in body and closed.name not in body
    assert client.get(f"/markets/directory/{planned.pk}/").status_code == 404
    assert client.get(f"/markets/directory/{closed.pk}/qr.svg").status_code == 404


def test_directory_search_by_city_county_trade_and_name(client, nanming, honghuagang):
    gy = complete_market(county=nanming)
    zy = MarketFactory(county=honghuagang)
    zy.trades.add(Trade.objects.get(code="FW-01"))
    body = client.get(f"/markets/directory/?city={honghuagang.parent_id}").content.decode()
    assert zy.name in body and gy.name not in body
    body = client.get(f"/markets/directory/?county={nanming.pk}").content.decode()
    assert gy.name in body and zy.name not in body
    body = client.get(f"/markets/directory/?trade={Trade.objects.get(code='FW-01').pk}").content.decode()
    assert zy.name in body and gy.name not in body
    body = client.get("/markets/directory/?q=南明").content.decode()
    assert gy.name in body and zy.name not in body


def test_market_page_shows_public_facts_and_no_staff_only_fields(client, nanming):
    market = complete_market(
        county=nanming,
        address="贵阳市南明区花果园大街1号",
        complaint_phone="0851-85550199",
        construction_unit="内部建设单位甲",
        maintenance_unit="内部管护单位乙",
        remarks="内部备注丙",
    )
    response = client.get(f"/markets/directory/{market.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    for public in (
        "贵阳市南明区花果园大街1号",
        "周一至周五 06:30-12:00",
        "泥工(瓦工)",
        "12333",
        "0851-85550199",
        "最后更新",
    ):
        assert public in body
    for private in ("内部建设单位甲", "内部管护单位乙", "内部备注丙", "标准核查", "变更历史"):
        assert private not in body
    assert "<svg" in body  # QR code inline


def test_qr_code_points_at_the_public_page(client, nanming, settings):
    market = complete_market(county=nanming)
    response = client.get(f"/markets/directory/{market.pk}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_public_pages_are_served_from_cache_and_invalidated_on_change(
    client, nanming, django_assert_num_queries, django_capture_on_commit_callbacks
):
    market = complete_market(county=nanming)
    client.get("/markets/directory/")
    client.get(f"/markets/directory/{market.pk}/")
    with django_assert_num_queries(0):
        assert client.get("/markets/directory/").status_code == 200
        assert client.get(f"/markets/directory/{market.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.market_update(market=market, data={"address": "搬到了新地址"}, by=None)
    assert "搬到了新地址" in client.get(f"/markets/directory/{market.pk}/").content.decode()
    assert "搬到了新地址" in client.get("/markets/directory/").content.decode()


def test_directory_query_count_does_not_grow_with_rows(client, nanming, yunyan, django_assert_num_queries):
    complete_market(county=nanming)
    cache.clear()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/markets/directory/")
    for i in range(10):
        complete_market(county=yunyan, kind="industry", industry=f"行{i}")
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/markets/directory/")
    assert len(few.captured_queries) <= 7


def test_closing_removes_a_market_from_the_cached_directory(
    client, nanming, county_user, django_capture_on_commit_callbacks
):
    import datetime

    market = complete_market(county=nanming)
    assert market.name in client.get("/markets/directory/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.market_close(market=market, closed_on=datetime.date(2024, 1, 1), reason="撤并", by=county_user)
    assert market.name not in client.get("/markets/directory/").content.decode()
    assert client.get(f"/markets/directory/{market.pk}/").status_code == 404


def test_anonymous_home_links_to_the_directory(client, db):
    assert "/markets/directory/" in client.get("/").content.decode()


def _public_entries():
    """How many public-page entries the (local-memory) cache holds."""
    return sum(1 for key in cache._cache if "markets:public:" in key and "generation" not in key)


def test_junk_query_strings_hit_the_same_cache_entry(client, nanming, django_assert_num_queries):
    market = complete_market(county=nanming)
    client.get("/markets/directory/")
    entries = _public_entries()
    with django_assert_num_queries(0):  # served from the entry the plain URL filled
        for junk in ("?utm=1&x=2", "?utm_source=wx", "?page=1&foo=bar", "?city=&q=", "?page=abc"):
            assert client.get("/markets/directory/" + junk).status_code == 200
    assert _public_entries() == entries
    # The detail page reads no parameter at all: one entry per market.
    client.get(f"/markets/directory/{market.pk}/")
    with django_assert_num_queries(0):
        client.get(f"/markets/directory/{market.pk}/?utm=1&x=2")
    assert _public_entries() == entries + 1


def test_a_real_filter_is_its_own_entry_and_links_carry_only_real_parameters(client, nanming):
    for i in range(21):
        complete_market(county=nanming, kind="industry", industry=f"行{i}")
    body = client.get(f"/markets/directory/?county={nanming.pk}&utm=1").content.decode()
    assert f"county={nanming.pk}&amp;page=2" in body
    assert "utm" not in body


def test_a_market_change_refreshes_its_page_and_the_lists_but_not_other_markets_pages(
    client, nanming, yunyan, django_assert_num_queries, django_capture_on_commit_callbacks
):
    changed = complete_market(county=nanming)
    other = complete_market(county=yunyan)
    for url in ("/markets/directory/", f"/markets/directory/{changed.pk}/", f"/markets/directory/{other.pk}/"):
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.market_update(market=changed, data={"address": "搬到了新地址"}, by=None)
    with django_assert_num_queries(0):
        assert client.get(f"/markets/directory/{other.pk}/").status_code == 200  # still cached
    assert "搬到了新地址" in client.get(f"/markets/directory/{changed.pk}/").content.decode()
    assert "搬到了新地址" in client.get("/markets/directory/").content.decode()


def test_a_trade_change_refreshes_every_public_page(
    client, nanming, province_user, django_assert_num_queries, django_capture_on_commit_callbacks
):
    market = complete_market(county=nanming)
    trade = market.trades.get()
    client.get(f"/markets/directory/{market.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        services.trade_update(trade=trade, data={"name": "改名后的工种"}, by=province_user)
    assert "改名后的工种" in client.get(f"/markets/directory/{market.pk}/").content.decode()


def test_a_division_rename_refreshes_every_public_page(client, nanming, django_capture_on_commit_callbacks):
    market = complete_market(county=nanming)
    assert nanming.name in client.get(f"/markets/directory/{market.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        nanming.name = "新设区"
        nanming.save()
    assert "新设区" in client.get(f"/markets/directory/{market.pk}/").content.decode()
    assert "新设区" in client.get("/markets/directory/").content.decode()


def test_cached_pages_live_as_long_as_the_setting_says(client, nanming, settings, monkeypatch):
    market = complete_market(county=nanming)
    stored = []
    real_set = cache.set
    monkeypatch.setattr(
        cache, "set", lambda key, value, timeout=None: stored.append(timeout) or real_set(key, value, timeout)
    )
    settings.PUBLIC_CACHE_SECONDS = 1234
    client.get(f"/markets/directory/{market.pk}/")
    assert 1234 in stored
