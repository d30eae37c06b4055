from gigmarket.core.dashboard import collect_cards
from tests.factories.markets import MarketFactory


def test_cards_are_cached_per_scope_for_a_minute(county_user, django_assert_num_queries, nanming):
    first = collect_cards(county_user)
    assert any(card["title"] == "零工市场" for card in first)
    MarketFactory(county=nanming)
    with django_assert_num_queries(0):
        assert collect_cards(county_user) == first


def test_another_scope_gets_its_own_cards(county_user, county2_user, market, market2):
    mine = {c["title"]: c["value"] for c in collect_cards(county_user)}
    MarketFactory(county=county2_user.division)
    theirs = {c["title"]: c["value"] for c in collect_cards(county2_user)}
    assert mine["零工市场"] == 1
    assert theirs["零工市场"] == 2
