"""Candidate ranking for a posting, and postings that fit a worker."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from matching.ranking import candidates_for_posting, postings_for_worker
from registry.models import Posting
from tests.factories.markets import MarketFactory, TradeFactory
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory, WorkerFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 9, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def recent(days=1):
    return timezone.now() - datetime.timedelta(days=days)


def test_hard_to_employ_first_then_nearest_then_longest_waiting(clerk, market, nanming):
    trade = TradeFactory()
    other_market = MarketFactory(county=nanming)
    posting = PostingFactory(market=market, trade=trade)

    def worker(name, **kwargs):
        kwargs.setdefault("registered_market", market)
        kwargs.setdefault("registered_at", recent())
        return WorkerFactory(name=name, trades=[trade], **kwargs)

    normal_here = worker("普通本市场", registered_at=recent(3))
    normal_here_newer = worker("普通本市场新登记", registered_at=recent(1))
    normal_county = worker("普通同县", registered_market=other_market)
    disabled_county = worker("残疾同县", registered_market=other_market, disabled=True)
    low_income_here = worker("低收入本市场", low_income=True)
    difficulty_here = worker("就业困难本市场", employment_difficulty=True)
    # The factory's workers are born in 1985: not 大龄, so tiers come from the flags above.

    names = [c.worker.name for c in candidates_for_posting(posting, clerk)]
    assert names == [
        difficulty_here.name,
        disabled_county.name,
        low_income_here.name,
        normal_here.name,
        normal_here_newer.name,
        normal_county.name,
    ]


def test_each_rank_shows_its_reasons(clerk, market):
    posting = PostingFactory(market=market)
    WorkerFactory(trades=[posting.trade], registered_market=market, employment_difficulty=True, registered_at=recent())
    [candidate] = candidates_for_posting(posting, clerk)
    assert candidate.rank == 1
    assert candidate.reasons[0] == "一级重点帮扶（就业困难人员），优先一对一对接"
    assert "同一零工市场登记" in candidate.reasons
    assert "未参加意外伤害保险" in candidate.reasons


def test_only_available_fitting_unbooked_workers_are_candidates(clerk, market, market2):
    posting = PostingFactory(market=market)
    fits = WorkerFactory(trades=[posting.trade], registered_market=market)
    WorkerFactory(trades=[TradeFactory()], registered_market=market)  # other trade
    WorkerFactory(
        trades=[posting.trade], registered_market=market, available_from=datetime.date(2026, 3, 20)
    )  # not yet available
    WorkerFactory(
        trades=[posting.trade], registered_market=market, available_until=datetime.date(2026, 3, 1)
    )  # no longer available
    WorkerFactory(trades=[posting.trade], registered_market=market2)  # other county: out of the clerk's scope
    booked = WorkerFactory(trades=[posting.trade], registered_market=market)
    make_match(posting=PostingFactory(market=market, trade=posting.trade), worker=booked, by=clerk, state="confirmed")
    talking = WorkerFactory(trades=[posting.trade], registered_market=market)
    make_match(posting=posting, worker=talking, by=clerk)
    assert [c.worker for c in candidates_for_posting(posting, clerk)] == [fits]


def test_city_staff_see_candidates_across_counties_of_the_city(city_user, market, market2, zunyi_market):
    posting = PostingFactory(market=market)
    here = WorkerFactory(trades=[posting.trade], registered_market=market)
    next_county = WorkerFactory(trades=[posting.trade], registered_market=market2)
    WorkerFactory(trades=[posting.trade], registered_market=zunyi_market)
    assert [c.worker for c in candidates_for_posting(posting, city_user)] == [here, next_county]


def test_ranking_is_one_query_whatever_the_number_of_workers(clerk, market, django_assert_num_queries):
    posting = PostingFactory(market=market)
    posting = Posting.objects.select_related("market__county").get(pk=posting.pk)
    for n in range(3):
        WorkerFactory(trades=[posting.trade], registered_market=market, low_income=n == 1)
    with django_assert_num_queries(1):
        few = candidates_for_posting(posting, clerk)
    for _ in range(12):
        WorkerFactory(trades=[posting.trade], registered_market=market)
    with django_assert_num_queries(1):
        many = candidates_for_posting(posting, clerk)
    assert len(few) == 3 and len(many) == 15


def test_worker_sees_open_fitting_postings_nearest_first(clerk, market, nanming):
    trade = TradeFactory()
    worker = WorkerFactory(trades=[trade], registered_market=market)
    elsewhere = PostingFactory(market=MarketFactory(county=nanming), trade=trade)
    here = PostingFactory(market=market, trade=trade)
    PostingFactory(market=market, trade=TradeFactory())  # other trade
    PostingFactory(market=market, trade=trade, status=Posting.Status.CLOSED)
    full = PostingFactory(market=market, trade=trade, headcount=1)
    make_match(posting=full, by=clerk, state="confirmed")
    # A clerk only sees their own market's postings; the county sees both.
    assert postings_for_worker(worker, clerk) == [here]
    from tests.factories.core import UserFactory

    county = UserFactory(role="county", division=nanming, username="nm2")
    assert postings_for_worker(worker, county) == [here, elsewhere]


@pytest.mark.parametrize("limit", [4, 30])
@pytest.mark.parametrize("user_fixture", ["clerk", "city_user", "province_user"])
def test_ranking_equals_a_full_sort_of_every_eligible_worker(
    request, market, market2, zunyi_market, limit, user_fixture
):
    """The per-nearness branches cut at `limit` give exactly the top of the whole order."""
    import random

    user = request.getfixturevalue(user_fixture)
    rng = random.Random(7)
    trade, other_trade = TradeFactory(), TradeFactory()
    near = MarketFactory(county=market.county)
    posting = PostingFactory(market=market, trade=trade)
    posting = Posting.objects.select_related("market__county").get(pk=posting.pk)
    markets = [market, near, market2, zunyi_market]
    workers = []
    for _ in range(60):
        registered = recent(rng.randrange(0, 90))
        confirmed = registered + datetime.timedelta(days=rng.randrange(0, 5)) if rng.random() < 0.3 else None
        workers.append(
            WorkerFactory(
                trades=[trade] if rng.random() < 0.8 else [other_trade],
                registered_market=rng.choice(markets),
                registered_at=registered,
                last_confirmed_match_at=confirmed if confirmed and confirmed < timezone.now() else None,
                low_income=rng.random() < 0.2,
                disabled=rng.random() < 0.1,
                employment_difficulty=rng.random() < 0.1,
                available_from=None if rng.random() < 0.9 else datetime.date(2026, 4, 1),
            )
        )
        if rng.random() < 0.3:  # moved: now served by another county, registering market kept
            workers[-1].county = rng.choice(markets).county
            workers[-1].save()
    moved_out = [w for w in workers if w.registered_market_id == market.pk and w.county_id != market.county_id]
    assert moved_out  # the data has workers of the posting's market now served elsewhere
    today = timezone.localdate()
    counties = {market.county_id, market2.county_id} if user_fixture != "clerk" else {market.county_id}

    def proximity(w):
        return 0 if w.registered_market_id == market.pk else 1 if w.county_id == market.county_id else 2

    eligible = [
        w
        for w in workers
        if w.county_id in counties and trade.pk in {t.pk for t in w.trades.all()} and w.is_available_on(today)
    ]
    expected = sorted(eligible, key=lambda w: (w.tier(today), proximity(w), w.waiting_since, w.pk))[:limit]
    ranked = candidates_for_posting(posting, user, limit=limit)
    assert [c.worker.pk for c in ranked] == [w.pk for w in expected]
    assert [c.proximity for c in ranked] == [proximity(w) for w in expected]
    if limit == 30:  # the data mixes every tier and nearness the user can see
        assert {w.tier(today) for w in expected} == {1, 2, 3}
        assert {proximity(w) for w in expected} == ({0, 1} if user_fixture == "clerk" else {0, 1, 2})
