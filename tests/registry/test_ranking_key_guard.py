"""A set-based write of the worker's ranking key cannot leave the trade rows' copies behind."""

import pytest

from registry.models import Tier, Worker, WorkerTrade
from registry.ranking_key import RANKING_KEY_COLUMNS, RankingKeyWriteError, ranking_keys_synced
from tests.factories.markets import MarketFactory, TradeFactory
from tests.factories.registry import WorkerFactory

pytestmark = pytest.mark.django_db


def copies(worker):
    return set(WorkerTrade.objects.filter(worker=worker).values_list(*RANKING_KEY_COLUMNS))


def key(worker):
    return tuple(Worker.objects.filter(pk=worker.pk).values_list(*RANKING_KEY_COLUMNS).get())


@pytest.fixture
def worker(market):
    return WorkerFactory(registered_market=market, trades=[TradeFactory(), TradeFactory()])


@pytest.mark.parametrize(
    "column", ["county", "county_id", "registered_market", "registered_market_id", "priority_tier", "waiting_since"]
)
def test_a_raw_update_of_a_key_column_is_refused_and_changes_nothing(worker, market2, column):
    value = {
        "county": market2.county,
        "county_id": market2.county_id,
        "registered_market": market2,
        "registered_market_id": market2.pk,
        "priority_tier": Tier.FIRST,
        "waiting_since": worker.registered_at.replace(year=2020),
    }[column]
    before = key(worker)

    with pytest.raises(RankingKeyWriteError, match=r"ranking_keys_synced") as raised:
        Worker.objects.filter(pk=worker.pk).update(**{column: value})

    assert column.removesuffix("_id") in str(raised.value)
    assert key(worker) == before
    assert copies(worker) == {before}


def test_a_related_manager_update_is_refused_too(worker, market, market2):
    with pytest.raises(RankingKeyWriteError):
        market.registered_workers.update(registered_market=market2)
    assert Worker.objects.get(pk=worker.pk).registered_market_id == market.pk


def test_an_update_of_other_columns_goes_through(worker):
    assert Worker.objects.filter(pk=worker.pk).update(notes="改过备注", low_income=True) == 1
    assert Worker.objects.get(pk=worker.pk).notes == "改过备注"


def test_inside_ranking_keys_synced_the_update_goes_through_and_the_copies_follow(worker, market2):
    other = WorkerFactory(registered_market=worker.registered_market, trades=[TradeFactory()])
    with ranking_keys_synced([worker.pk]) as synced:
        Worker.objects.filter(pk=worker.pk).update(county=market2.county, registered_market=market2)

    assert synced.rows == 2
    assert key(worker)[:2] == (market2.county_id, market2.pk)
    assert copies(worker) == {key(worker)}
    assert copies(other) == {key(other)}  # untouched
    with pytest.raises(RankingKeyWriteError):  # the block is over: refused again
        Worker.objects.filter(pk=worker.pk).update(priority_tier=Tier.FIRST)


def test_ranking_keys_synced_without_ids_syncs_every_row(worker, market2):
    with ranking_keys_synced() as synced:
        Worker.objects.update(priority_tier=Tier.FIRST)
    assert synced.rows == 2
    assert copies(worker) == {key(worker)}


def test_bulk_update_of_a_key_column_brings_the_copies_along(worker, market2):
    worker.county = market2.county
    worker.priority_tier = Tier.SECOND

    Worker.objects.bulk_update([worker], ["county", "priority_tier"])

    assert key(worker)[0] == market2.county_id
    assert copies(worker) == {key(worker)}


def test_bulk_update_of_other_columns_does_not_sync(worker, django_assert_num_queries):
    worker.notes = "批量备注"
    with django_assert_num_queries(1):
        Worker.objects.bulk_update([worker], ["notes"])


@pytest.mark.django_db(transaction=True)
def test_a_failure_inside_the_block_leaves_neither_the_worker_nor_the_copies_changed():
    worker = WorkerFactory(registered_market=MarketFactory(), trades=[TradeFactory()])
    before = key(worker)
    with pytest.raises(LookupError), ranking_keys_synced([worker.pk]):  # its own transaction
        Worker.objects.filter(pk=worker.pk).update(priority_tier=Tier.FIRST)
        raise LookupError
    assert key(worker) == before
    assert copies(worker) == {before}
