"""The hand-counted quarter the monitoring tests share, built and rolled up once per module.

2023年第一季度 (Beijing dates):
  workers   w1 南明 2022-12-20 [建筑]; w2 南明 01-10 [建筑, 家政]; w3 云岩 02-01 [家政];
            w4 红花岗(遵义) 03-31 23:30 [—]; w5 南明 2023-04-01 00:10 (next quarter)
  postings  p1 南明 建筑 ×5 01-15; p2 云岩 家政 ×3 02-20; p3 红花岗 建筑 ×2 03-10; p4 南明 建筑 ×4 04-02
  visits    南明 登记×2 01-10, 政策×1 02-01; 云岩 维权×1 03-01
  matches   w2×p1 confirmed 01-16, onboard 01-17; w3×p2 confirmed 02-21; rights case 云岩 (w3) 03-02
Q1 province: seekers 4 (stock at 03-31), new 3, visits 4, postings 3, headcount 10, 求人倍率 2.5;
matches 2, onboarded 1, rights cases 1 (all in 贵阳市).

`market`, `market2` and `zunyi_market` here are the quarter's 南明, 云岩 and 红花岗 markets
(they stand in for the suite-wide `market` fixture in this folder only).
"""

import datetime
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from matching.services import match_create, match_transition
from tests.conftest import ensure_reference_data
from tests.factories.core import division
from tests.factories.markets import MarketFactory, TradeFactory
from tests.factories.matching import RightsCaseFactory
from tests.factories.registry import PostingFactory, WindowVisitFactory, WorkerFactory
from tests.factories.reporting import beijing

D = datetime.date


@pytest.fixture(scope="module")
def _activity(django_db_setup, django_db_blocker):
    """The hand-counted quarter, built and rolled up once for the module inside a
    transaction rolled back at the end (each test runs in a savepoint on top of it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()
        markets = [MarketFactory(county=division(code)) for code in ("520102", "520103", "520302")]
        yield markets, _build_activity(*markets)
        transaction.set_rollback(True)


@pytest.fixture
def market(_activity, db):
    return _activity[0][0]


@pytest.fixture
def market2(_activity, db):
    return _activity[0][1]


@pytest.fixture
def zunyi_market(_activity, db):
    return _activity[0][2]


@pytest.fixture
def activity(_activity, db):
    return _activity[1]


def _build_activity(market, market2, zunyi_market):
    build = TradeFactory(code="MT01", name="监测建筑")
    clean = TradeFactory(code="MT02", name="监测家政")
    WorkerFactory(registered_market=market, registered_at=beijing("2022-12-20 10:00"), trades=[build])
    w2 = WorkerFactory(registered_market=market, registered_at=beijing("2023-01-10 09:00"), trades=[build, clean])
    w3 = WorkerFactory(registered_market=market2, registered_at=beijing("2023-02-01 09:00"), trades=[clean])
    WorkerFactory(registered_market=zunyi_market, registered_at=beijing("2023-03-31 23:30"))
    WorkerFactory(registered_market=market, registered_at=beijing("2023-04-01 00:10"))
    p1 = PostingFactory(
        market=market, trade=build, headcount=5, created_at=beijing("2023-01-15 08:00"), work_date=D(2023, 1, 17)
    )
    p2 = PostingFactory(
        market=market2, trade=clean, headcount=3, created_at=beijing("2023-02-20 08:00"), work_date=D(2023, 2, 22)
    )
    PostingFactory(market=zunyi_market, trade=build, headcount=2, created_at=beijing("2023-03-10 08:00"))
    PostingFactory(market=market, trade=build, headcount=4, created_at=beijing("2023-04-02 08:00"))
    WindowVisitFactory.create_batch(2, market=market, window="register", created_at=beijing("2023-01-10 09:30"))
    WindowVisitFactory(market=market, window="policy", created_at=beijing("2023-02-01 11:00"))
    WindowVisitFactory(market=market2, window="rights", created_at=beijing("2023-03-01 15:00"))
    with time_machine.travel(beijing("2023-01-16 10:00"), tick=False):
        m1, _ = match_create(posting=p1, worker=w2, key=uuid.uuid4(), by=None)
        match_transition(match=m1, to="confirmed", by=None)
    with time_machine.travel(beijing("2023-01-17 07:50"), tick=False):
        match_transition(match=m1, to="onboard", by=None)
    with time_machine.travel(beijing("2023-02-21 10:00"), tick=False):
        m2, _ = match_create(posting=p2, worker=w3, key=uuid.uuid4(), by=None)
        match_transition(match=m2, to="confirmed", by=None)
    RightsCaseFactory(worker=w3, market=market2, received_on=D(2023, 3, 2))
    call_command("rollup_stats", "--date", "2023-04-05", "--days", "110")
    return build, clean
