"""The ranking SQL prepared once per shape (`RANKING`) ranks exactly as the ORM queryset it is built from."""

import datetime
import random

import pytest
import time_machine
from django.utils import timezone

from gigmarket.core.prepared import PreparedQuery
from matching import ranking
from matching.ranking import RANKING, candidates_for_posting, ranking_queryset, ranking_values
from registry.models import Posting, Worker
from tests.factories.core import UserFactory
from tests.factories.markets import MarketFactory, TradeFactory
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory, WorkerFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 9, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def varied_postings(rng, markets, clerk):
    """Postings of two trades with and without hours, one or more days, and workers for them:
    every tier, registered at each market, some moved, some booked on overlapping hours."""
    trades = [TradeFactory(), TradeFactory()]
    today = timezone.localdate()
    postings = []
    for n in range(8):
        hours = n % 2 == 0
        work_date = today + datetime.timedelta(days=n % 3)
        postings.append(
            PostingFactory(
                market=markets[n % 3],
                trade=trades[n % 2],
                work_date=work_date,
                work_date_end=work_date + datetime.timedelta(days=n % 4) if n % 4 else None,
                valid_until=work_date,
                start_time=datetime.time(8 + n % 3, 0) if hours else None,
                end_time=datetime.time(12 + n % 5, 30) if hours else None,
                headcount=5,
            )
        )
    for _ in range(90):
        worker = WorkerFactory(
            trades=rng.sample(trades, rng.choice([1, 2])),
            registered_market=rng.choice(markets),
            registered_at=timezone.now() - datetime.timedelta(days=rng.randrange(0, 60), hours=rng.randrange(24)),
            low_income=rng.random() < 0.2,
            disabled=rng.random() < 0.1,
            employment_difficulty=rng.random() < 0.1,
            available_from=None if rng.random() < 0.85 else today + datetime.timedelta(days=rng.randrange(1, 4)),
            available_until=None if rng.random() < 0.9 else today + datetime.timedelta(days=rng.randrange(0, 3)),
        )
        if rng.random() < 0.2:  # moved: now served by another county, registering market kept
            worker.county = rng.choice(markets).county
            worker.save()
        if rng.random() < 0.15:  # booked or talking on one of the postings
            posting = rng.choice([p for p in postings if p.trade in worker.trades.all()])
            make_match(posting=posting, worker=worker, by=clerk, state=rng.choice(["negotiating", "confirmed"]))
    return [Posting.objects.select_related("market__county").get(pk=p.pk) for p in postings]


def test_prepared_ranking_equals_the_orm_query_on_varied_data(
    market, market2, zunyi_market, clerk, clerk2, county_user, city_user, province_user
):
    rng = random.Random(19)
    near = MarketFactory(county=market.county)
    postings = varied_postings(rng, [market, near, market2], clerk)
    county2 = UserFactory(role="county", division=market2.county, username="yy_county_prep")
    users = [clerk, clerk2, county_user, county2, city_user, province_user]
    today = timezone.localdate()
    compared = shapes = 0
    for limit in (3, 30):
        for posting in postings:
            for user in users:
                counties = ranking._candidate_counties(posting, user)
                if not counties:
                    continue
                shape, values = ranking_values(posting, user, counties, today=today, limit=limit)
                reference = [(w.pk, w.proximity) for w in ranking_queryset(shape, values)]
                prepared = [(w.pk, w.proximity) for w in RANKING.run(shape, values)]
                assert prepared == reference, (posting.pk, user.username, limit)
                candidates = candidates_for_posting(posting, user, limit=limit)
                assert [(c.worker.pk, c.proximity) for c in candidates] == reference
                compared += 1
                shapes += bool(reference)
    assert compared >= 60 and shapes >= 40  # most comparisons rank someone
    assert len(RANKING._templates) < compared  # shapes were reused with other values


def test_prepared_ranking_loads_the_same_related_rows(clerk, market, django_assert_num_queries):
    posting = PostingFactory(market=market, start_time=datetime.time(8), end_time=datetime.time(17))
    posting = Posting.objects.select_related("market__county").get(pk=posting.pk)
    WorkerFactory(trades=[posting.trade], registered_market=market, low_income=True)
    candidates_for_posting(posting, clerk)  # prepares the shape
    with django_assert_num_queries(1):
        [candidate] = candidates_for_posting(posting, clerk)
        assert candidate.worker.registered_market == market
        assert candidate.worker.county == market.county
        assert candidate.proximity == 0


def test_a_value_written_into_the_sql_is_refused_when_preparing(market):
    def build(shape, v):
        return Worker.objects.filter(pk=v["worker"]).extra(where=[f"registry_worker.county_id = {v['county']}"])

    with pytest.raises(ValueError, match="county"):
        PreparedQuery(Worker, build).run("inlined", {"worker": 1, "county": market.county_id})
