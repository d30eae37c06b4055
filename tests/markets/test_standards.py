"""The provincial standard check: which items a market meets and misses, and the summaries."""

import pytest

from markets.models import Market
from markets.selectors import markets_in_scope_for_check, with_check_flags
from markets.standards import check_market, summarise
from tests.factories.markets import MarketFactory, complete_market


def checked(market):
    return check_market(with_check_flags(Market.objects.filter(pk=market.pk)).get())


def test_a_complete_market_meets_every_item(nanming):
    result = checked(complete_market(county=nanming))
    assert result.compliant
    assert result.met_count == result.total
    assert {"sign", "zones", "windows", "areas", "facilities", "hours", "contact", "trades"} <= {
        i.key for i in result.items
    }


def test_a_bare_market_misses_zones_windows_hours_contact_and_sign(nanming):
    result = checked(MarketFactory(county=nanming))
    missed = {i.key: i.note for i in result.missed}
    assert missed["sign"] == "未悬挂统一标识"
    assert missed["zones"] == "缺少：综合服务区、零工待工区"
    assert "求职(用工)登记窗口" in missed["windows"] and "政策咨询窗口" in missed["windows"]
    assert missed["hours"].startswith("未登记运行时间")
    assert missed["contact"] == "未填写联系电话或服务热线"
    assert missed["trades"] == "未登记服务工种"
    assert not result.compliant


def test_one_missing_window_is_named(nanming):
    market = complete_market(county=nanming, window_rights=False)
    result = checked(market)
    assert [(i.key, i.note) for i in result.missed] == [("windows", "缺少：劳动维权窗口")]


def test_responsible_units_are_required_only_for_newly_built_markets(nanming, yunyan):
    built_on_agency = complete_market(county=nanming, basis=Market.Basis.PUBLIC_HR_MARKET)
    assert "units" not in {i.key for i in checked(built_on_agency).items}
    new = complete_market(county=yunyan, basis=Market.Basis.NEW_BUILD, construction_unit="云岩区人社局")
    missed = {i.key: i.note for i in checked(new).missed}
    assert missed == {"units": "未明确管护、服务保障责任单位"}


def test_station_is_checked_against_the_service_point_items(nanming):
    station = complete_market(county=nanming, kind=Market.Kind.STATION, township="青岩镇")
    result = checked(station)
    keys = {i.key for i in result.items}
    assert "windows" not in keys and "station_facilities" in keys
    assert result.compliant


def test_check_of_many_markets_costs_one_query(nanming, django_assert_num_queries, county_user):
    for _ in range(5):
        MarketFactory(county=nanming)
    complete_market(county=nanming)
    with django_assert_num_queries(1):
        markets = list(markets_in_scope_for_check(county_user))
        results = [check_market(m) for m in markets]
    assert sum(r.compliant for r in results) == 1


def test_summary_counts_per_group(nanming, yunyan):
    complete_market(county=nanming)
    MarketFactory(county=nanming)
    MarketFactory(county=yunyan)
    markets = with_check_flags(Market.objects.select_related("county"))
    rows, total = summarise(markets, key=lambda m: (m.county_id, m.county.name))
    by_label = {r["label"]: r for r in rows}
    assert by_label["南明区"]["total"] == 2 and by_label["南明区"]["compliant"] == 1
    assert by_label["南明区"]["rate"] == 50
    assert by_label["云岩区"]["compliant"] == 0 and by_label["云岩区"]["missed"]["sign"] == 1
    assert total["total"] == 3 and total["compliant"] == 1


@pytest.mark.parametrize(("username", "expected"), [("prov", "贵阳市"), ("gy_city", "南明区")])
def test_compliance_page_drills_down_from_province_to_markets(
    client, username, expected, province_user, city_user, nanming
):
    complete_market(county=nanming)
    bare = MarketFactory(county=nanming)
    client.force_login({"prov": province_user, "gy_city": city_user}[username])
    body = client.get("/markets/compliance/").content.decode()
    assert expected in body
    body = client.get(f"/markets/compliance/?county={nanming.pk}&item=sign").content.decode()
    assert bare.name in body and "未悬挂统一标识" in body


def test_compliance_out_of_scope_county_is_404(client, county_user, yunyan):
    client.force_login(county_user)
    assert client.get(f"/markets/compliance/?county={yunyan.pk}").status_code == 404
