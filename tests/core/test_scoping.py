import pytest
from django.http import Http404

from gigmarket.core.scoping import counties_in_scope, get_object_in_scope, scope_queryset
from markets.models import Market


@pytest.fixture
def three_markets(market, market2, zunyi_market):
    return market, market2, zunyi_market


def visible(user):
    return set(scope_queryset(Market.objects.all(), user))


def test_province_and_auditor_see_everything(three_markets, province_user, auditor):
    assert visible(province_user) == set(three_markets)
    assert visible(auditor) == set(three_markets)


def test_city_sees_only_its_counties(three_markets, city_user):
    nanming_market, yunyan_market, zunyi_market = three_markets
    assert visible(city_user) == {nanming_market, yunyan_market}


def test_county_sees_only_itself(three_markets, county_user):
    assert visible(county_user) == {three_markets[0]}


def test_clerk_sees_only_their_market(three_markets, clerk):
    from tests.factories.markets import MarketFactory

    MarketFactory(county=clerk.division)  # another market in the same county
    assert visible(clerk) == {clerk.market}


def test_inactive_user_sees_nothing(three_markets, county_user):
    county_user.is_active = False
    assert visible(county_user) == set()


def test_user_without_division_sees_nothing(three_markets, county_user):
    county_user.division = None
    assert visible(county_user) == set()


def test_out_of_scope_object_is_404(three_markets, county_user):
    with pytest.raises(Http404):
        get_object_in_scope(Market, county_user, pk=three_markets[1].pk)
    assert get_object_in_scope(Market, county_user, pk=three_markets[0].pk) == three_markets[0]


def test_counties_in_scope(city_user, county_user, province_user):
    assert counties_in_scope(province_user).count() == 88
    assert counties_in_scope(city_user).count() == 10
    assert list(counties_in_scope(county_user)) == [county_user.division]


def test_other_county_market_page_is_404(client, three_markets, county_user):
    client.force_login(county_user)
    assert client.get(f"/markets/{three_markets[1].pk}/").status_code == 404
    assert client.get(f"/markets/{three_markets[0].pk}/").status_code == 200
