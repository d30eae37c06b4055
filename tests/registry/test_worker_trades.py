"""The ranking key copied onto a worker's trade rows follows the worker through every write path."""

import datetime
import zoneinfo

import pytest
import time_machine

from matching.ranking import candidates_for_posting
from registry.models import Tier, Worker, WorkerTrade
from registry.ranking_key import RANKING_KEY_COLUMNS, ranking_keys_synced, sync_ranking_keys
from registry.services import (
    refresh_worker_tiers,
    worker_confirmed_match,
    worker_register,
    worker_transfer,
    worker_update,
)
from registry.validators import parse_id_number
from tests.factories.markets import MarketFactory, TradeFactory
from tests.factories.registry import PostingFactory, WorkerFactory, id_number_for

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def copies(worker):
    """The key on each of the worker's trade rows, and the worker's own key."""
    worker = Worker.objects.get(pk=worker.pk)
    rows = set(WorkerTrade.objects.filter(worker=worker).values_list(*RANKING_KEY_COLUMNS))
    return rows, tuple(worker.ranking_key().values())


def assert_in_step(worker, trades=1):
    rows, key = copies(worker)
    assert WorkerTrade.objects.filter(worker=worker).count() == trades
    assert rows == {key}


def test_registration_writes_trade_rows_with_the_workers_key(market, clerk):
    trades = [TradeFactory(), TradeFactory()]
    registration = worker_register(
        id_number=parse_id_number(id_number_for(1)),
        name="张三",
        data={"mobile": "13800000001"},
        trades=trades,
        market=market,
        by=clerk,
    )
    assert_in_step(registration.worker, trades=2)


def test_a_transfer_to_another_county_moves_the_copies(market, market2, clerk, clerk2):
    trade = TradeFactory()
    id_number = parse_id_number(id_number_for(1))
    first = worker_register(
        id_number=id_number, name="张三", data={"mobile": "13800000001"}, trades=[trade], market=market, by=clerk
    )
    worker_transfer(id_number=id_number, name="张三", data={}, trades=[], market=market2, by=clerk2)

    assert WorkerTrade.objects.get(worker=first.worker).county_id == market2.county_id
    assert_in_step(first.worker)


def test_editing_a_hardship_flag_moves_the_copies_up_a_tier(market, county_user):
    worker = WorkerFactory(registered_market=market, trades=[TradeFactory()])
    assert WorkerTrade.objects.get(worker=worker).priority_tier == Tier.NORMAL

    worker_update(worker=worker, data={"disabled": True}, by=county_user)

    assert WorkerTrade.objects.get(worker=worker).priority_tier == Tier.FIRST
    assert_in_step(worker)


def test_new_trades_of_an_edit_carry_the_key(market, county_user):
    old, new = TradeFactory(), TradeFactory()
    worker = WorkerFactory(registered_market=market, trades=[old])

    worker_update(worker=worker, data={"low_income": True}, trades=[old, new], by=county_user)

    assert_in_step(worker, trades=2)
    assert WorkerTrade.objects.get(worker=worker, trade=new).priority_tier == Tier.SECOND


def test_a_confirmed_match_restarts_the_wait_on_the_copies(market):
    worker = WorkerFactory(
        registered_market=market, trades=[TradeFactory()], registered_at=NOW - datetime.timedelta(days=200)
    )
    assert WorkerTrade.objects.get(worker=worker).priority_tier == Tier.SECOND  # 待工时间长

    worker_confirmed_match(worker_id=worker.pk, at=NOW)

    row = WorkerTrade.objects.get(worker=worker)
    assert (row.waiting_since, row.priority_tier) == (NOW, Tier.NORMAL)


def test_nightly_refresh_moves_the_copies_when_the_date_alone_changes_the_tier(market, frozen):
    worker = WorkerFactory(registered_market=market, trades=[TradeFactory()], registered_at=NOW)
    frozen.move_to(NOW + datetime.timedelta(days=200))

    assert refresh_worker_tiers() == 1

    assert WorkerTrade.objects.get(worker=worker).priority_tier == Tier.SECOND
    assert_in_step(worker)


def test_nightly_refresh_repairs_copies_that_drifted_and_then_has_nothing_to_do(market):
    worker = WorkerFactory(registered_market=market, trades=[TradeFactory(), TradeFactory()])
    WorkerTrade.objects.update(priority_tier=Tier.FIRST, county_id=market.county.parent_id)

    refresh_worker_tiers()

    assert_in_step(worker, trades=2)
    assert sync_ranking_keys() == 0


def test_a_save_with_stale_values_copies_what_is_stored_not_what_it_holds(market, market2):
    """A request that loaded the worker before another one moved them, then saves one field."""
    trade = TradeFactory()
    worker = WorkerFactory(registered_market=market, trades=[trade])
    stale = Worker.objects.get(pk=worker.pk)
    # Meanwhile another request moves the worker to 云岩区 (county and trade rows).
    with ranking_keys_synced([worker.pk]):
        Worker.objects.filter(pk=worker.pk).update(county=market2.county)
    stale.name = "改名"
    stale.save(update_fields=["name"])

    assert WorkerTrade.objects.get(worker=worker).county_id == market2.county_id
    assert_in_step(worker)


def test_sync_writes_only_the_rows_that_differ(market):
    worker = WorkerFactory(registered_market=market, trades=[TradeFactory(), TradeFactory()])
    assert sync_ranking_keys([worker.pk]) == 0
    WorkerTrade.objects.filter(pk=WorkerTrade.objects.filter(worker=worker).first().pk).update(priority_tier=Tier.FIRST)
    assert sync_ranking_keys([worker.pk]) == 1
    assert sync_ranking_keys([worker.pk]) == 0
    assert_in_step(worker, trades=2)


def test_ranking_follows_a_tier_change_made_after_registration(market, clerk, county_user):
    """The candidates list reads the copies: an edit that raises a tier must reorder it at once."""
    trade = TradeFactory()
    posting = PostingFactory(market=market, trade=trade)
    WorkerFactory(
        name="先登记", registered_market=market, trades=[trade], registered_at=NOW - datetime.timedelta(days=3)
    )
    later = WorkerFactory(
        name="后登记", registered_market=market, trades=[trade], registered_at=NOW - datetime.timedelta(days=1)
    )
    assert [c.worker.name for c in candidates_for_posting(posting, clerk)] == ["先登记", "后登记"]

    worker_update(worker=later, data={"employment_difficulty": True}, by=county_user)

    assert [c.worker.name for c in candidates_for_posting(posting, clerk)] == ["后登记", "先登记"]


def test_a_rare_trade_is_found_behind_many_workers_of_other_trades(market, clerk):
    """Ranking walks the posting's trade rows, not every worker of the county."""
    common, rare = TradeFactory(), TradeFactory()
    for n in range(40):
        WorkerFactory(registered_market=market, trades=[common], registered_at=NOW - datetime.timedelta(days=60 - n))
    elsewhere = MarketFactory(county=market.county)
    rare_worker = WorkerFactory(name="稀缺工种", registered_market=elsewhere, trades=[rare, common])
    posting = PostingFactory(market=market, trade=rare)

    assert [c.worker.name for c in candidates_for_posting(posting, clerk)] == [rare_worker.name]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_copies_of_existing_trade_rows(market):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    workers = [
        WorkerFactory(registered_market=market, trades=[TradeFactory(), TradeFactory()], low_income=True),
        WorkerFactory(registered_market=market, trades=[TradeFactory()]),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate([("registry", "0005_worker_market_county_statistics")])  # drops the copied columns
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert WorkerTrade.objects.count() == 3
    assert_in_step(workers[0], trades=2)
    assert_in_step(workers[1], trades=1)
    assert WorkerTrade.objects.filter(worker=workers[0]).first().priority_tier == Tier.SECOND
