"""Same-day numbers per market and county: counts, durations, 当日到岗 share; dashboard cards."""

import datetime

import pytest
import time_machine

from matching.numbers import day_numbers, insurance_numbers
from matching.services import match_transition
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory, WorkerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 9)


def at(hour, minute=0):
    return time_machine.travel(datetime.datetime(2026, 3, 9, hour, minute, tzinfo=datetime.UTC), tick=False)


def morning(clerk, market):
    """07:00 posting; 07:10 a match confirmed 07:20 and at work 07:40; 07:30 a match confirmed 08:10."""
    with at(7):
        posting = PostingFactory(market=market, headcount=3, work_date=DAY, valid_until=DAY)
    with at(7, 10):
        a = make_match(posting=posting, by=clerk)
    with at(7, 20):
        a = match_transition(match=a, to="confirmed", by=clerk)[0]
    with at(7, 30):
        b = make_match(posting=posting, by=clerk)
    with at(7, 40):
        match_transition(match=a, to="onboard", by=clerk)
    with at(8, 10):
        match_transition(match=b, to="confirmed", by=clerk)
    return posting


def test_day_numbers_per_market_with_durations(clerk, county_user, market, market2):
    morning(clerk, market)
    with at(9):
        PostingFactory(market=market2)
        rows, total = day_numbers(county_user, DAY, "market")
    [row] = rows
    assert row.name == market.name
    assert (row.postings, row.matches, row.confirmations, row.onboarded) == (1, 2, 2, 1)
    assert row.first_match_median == datetime.timedelta(minutes=10)
    assert row.confirmation_median == datetime.timedelta(minutes=25)  # 10 and 40 minutes
    assert row.confirmation_mean == datetime.timedelta(minutes=25)
    assert row.same_day_share == 0.5
    assert total.matches == 2


def test_city_sees_counties_side_by_side(clerk, clerk2, city_user, market, market2):
    morning(clerk, market)
    morning(clerk2, market2)
    rows, total = day_numbers(city_user, DAY, "county")
    assert [r.name for r in rows] == sorted([market.county.name, market2.county.name])
    assert total.confirmations == 4 and total.onboarded == 2


def test_other_days_do_not_count(clerk, county_user, market):
    morning(clerk, market)
    rows, total = day_numbers(county_user, DAY + datetime.timedelta(days=1), "market")
    assert rows == [] and total.matches == 0


def test_numbers_take_a_fixed_number_of_queries(clerk, county_user, market, django_assert_num_queries):
    morning(clerk, market)
    with django_assert_num_queries(6):
        day_numbers(county_user, DAY, "market")
    morning(clerk, market)
    with django_assert_num_queries(6):
        rows, _ = day_numbers(county_user, DAY, "market")
    assert rows[0].matches == 4


def test_insurance_counts(clerk, county_user, market):
    posting = PostingFactory(market=market, headcount=2)
    insured = WorkerFactory(trades=[posting.trade], registered_market=market, has_injury_insurance=True)
    make_match(posting=posting, worker=insured, by=clerk, state="confirmed")
    make_match(posting=posting, by=clerk, state="confirmed")
    numbers = insurance_numbers(county_user, posting.work_date)
    assert numbers == {"workers": 2, "workers_insured": 1, "matches": 2, "matches_insured": 1}


def test_overview_page_and_dashboard_cards(client, clerk, county_user, market):
    with at(1):
        posting = PostingFactory(market=market)
        make_match(posting=posting, by=clerk, state="confirmed")
        client.force_login(county_user)
        body = client.get("/matching/overview/").content.decode()
        assert market.name in body and "当日到岗率" in body
        home = client.get("/").content.decode()
    assert "今日对接" in home and "未办结维权案件" in home and "公益性岗位待回访" in home
