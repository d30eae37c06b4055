"""`user_scope(user)`: the role ladder read once per user, and what every scoped read uses."""

from django.contrib.auth.models import AnonymousUser

from gigmarket.core.audit import audit_record
from gigmarket.core.models import AuditEvent, Division
from gigmarket.core.scoping import (
    NO_SCOPE,
    Level,
    Scope,
    cities_in_scope,
    counties_in_scope,
    scope_queryset,
    user_scope,
)
from gigmarket.core.selectors import audit_events_for
from markets.models import Market
from tests.factories.core import UserFactory


def test_each_role_gets_its_level_and_division(province_user, auditor, city_user, county_user, clerk):
    assert user_scope(province_user) == Scope(Level.PROVINCE)
    assert user_scope(auditor) == Scope(Level.PROVINCE)
    assert user_scope(city_user) == Scope(Level.CITY, division_id=city_user.division_id)
    assert user_scope(county_user) == Scope(Level.COUNTY, division_id=county_user.division_id)
    assert user_scope(clerk) == Scope(Level.MARKET, division_id=clerk.division_id, market_id=clerk.market_id)


def test_a_superuser_of_any_role_sees_the_province(nanming):
    root = UserFactory(username="root", role="clerk", division=nanming, is_superuser=True)
    assert user_scope(root).is_province


def test_signed_out_inactive_and_division_less_users_have_no_scope(county_user):
    assert user_scope(AnonymousUser()) is NO_SCOPE
    county_user.division = None
    assert user_scope(county_user) is NO_SCOPE
    county_user.division_id = Division.objects.get(code="520102").pk
    county_user.is_active = False
    assert user_scope(county_user) is NO_SCOPE


def test_the_scope_is_computed_once_per_user(county_user, django_assert_num_queries):
    first = user_scope(county_user)
    with django_assert_num_queries(0):
        assert user_scope(county_user) is first  # the cached object, not a fresh one


def test_a_changed_role_is_never_answered_from_the_cache(city_user, county_user):
    assert user_scope(county_user).level == Level.COUNTY
    county_user.role = "city"
    county_user.division = city_user.division
    assert user_scope(county_user) == Scope(Level.CITY, division_id=city_user.division_id)


def test_the_one_county_and_the_one_city(city_user, county_user, clerk, province_user):
    assert (user_scope(county_user).county_id, user_scope(county_user).city_id) == (county_user.division_id, None)
    assert (user_scope(clerk).county_id, user_scope(clerk).city_id) == (clerk.division_id, None)
    assert (user_scope(city_user).county_id, user_scope(city_user).city_id) == (None, city_user.division_id)
    assert (user_scope(province_user).county_id, user_scope(province_user).city_id) == (None, None)


def test_a_clerk_without_a_market_sees_no_records_but_keeps_their_county(market, nanming):
    clerk = UserFactory(username="no_market", role="clerk", division=nanming, market=None)
    assert list(scope_queryset(Market.objects.all(), clerk)) == []
    assert list(counties_in_scope(clerk)) == [nanming]


def test_counties_cities_records_and_audit_rows_follow_the_same_scope(city_user, county_user, market, zunyi_market):
    nanming = county_user.division
    assert set(cities_in_scope(county_user)) == {nanming.parent}
    assert set(cities_in_scope(city_user)) == {city_user.division}
    assert set(counties_in_scope(city_user)) == set(Division.objects.filter(parent=city_user.division))
    assert set(scope_queryset(Market.objects.all(), city_user)) == {market}


def test_audit_rows_follow_the_scope(province_user, city_user, county_user, clerk, market, zunyi_market):
    here = audit_record(actor=county_user, action=AuditEvent.Action.EXPORT, county=market.county, target_repr="南明")
    there = audit_record(actor=None, action=AuditEvent.Action.EXPORT, county=zunyi_market.county, target_repr="遵义")
    by_clerk = audit_record(actor=clerk, action=AuditEvent.Action.EXPORT, county=market.county, target_repr="窗口")
    assert set(audit_events_for(province_user)) >= {here, there, by_clerk}
    assert set(audit_events_for(city_user)) == {here, by_clerk}
    assert set(audit_events_for(county_user)) == {here, by_clerk}
    assert set(audit_events_for(clerk)) == {by_clerk}
    assert audit_events_for(AnonymousUser()).count() == 0
