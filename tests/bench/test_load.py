"""bench.load against a live server: it counts what the clients were told and what the database kept.

The driver is run for a second or two with one clerk registering and one county user
browsing (PostgreSQL: on SQLite the live server's threads share one in-memory connection,
which concurrent clients lock); then one clerk alone (any database) against a server
patched to fail some registrations (500) and to lose others (the 302 is sent, the row
rolled back), and the report must count exactly those.
"""

import datetime
import itertools

import pytest
from django.db import connection, transaction

from bench import load
from registry import services
from registry.models import Worker
from registry.validators import parse_id_number
from tests.factories.core import TEST_PASSWORD
from tests.factories.registry import WorkerFactory


@pytest.fixture
def accounts(clerk, county_user):
    return {"clerk": clerk.username, "staff": (county_user.username,), "password": TEST_PASSWORD}


def run(live_server, accounts, *, seconds, browsers):
    return load.run_load(
        live_server.url, connection, seconds=seconds, warmup=0, registrars=1, browsers=browsers,
        log=lambda *_: None, **accounts,
    )  # fmt: skip


def test_registered_identities_are_valid_and_new_each_time():
    numbers = [load.registration_identity(n, "520102") for n in range(0, 5000, 7)]
    assert len({identity for identity, _mobile in numbers}) == len(numbers)
    for identity, mobile in numbers[:50]:
        parsed = parse_id_number(identity, today=datetime.date(2026, 12, 3))
        assert parsed.birth_date.year in (2006, 2007)
        assert len(mobile) == 11


@pytest.mark.postgres
@pytest.mark.django_db
def test_numbers_continue_after_every_earlier_registration(clerk):
    assert load.start_number(connection) == 0
    WorkerFactory(notes="load-0123456789ab-41")
    WorkerFactory(notes="load-0123456789ab-7")
    assert load.start_number(connection) == 42


def test_a_healthy_server_has_no_errors_and_every_302_is_a_row(live_server, accounts):
    report = run(live_server, accounts, seconds=1.5, browsers=1)

    rows = report["rows"]
    assert rows["created_by_302"] > 0
    assert rows["lost_rows"] == rows["rows_without_302"] == rows["duplicate_302_pk"] == 0
    tagged = Worker.objects.filter(notes__startswith=f"{report['tag']}-")
    assert tagged.count() == rows["rows_in_db"] == rows["created_by_302"]
    assert rows["workers_missing_trade_row"] == 0
    assert report["errors"] == report["unexpected"] == 0
    assert report["client_crashes"] == []
    kinds = report["kinds"]
    # Rows count the whole run; requests only those started in the timed window (a client's
    # last registration may start after it closes), so the two are not compared.
    for kind in ("register", "worker_list", "lookup", "match_list", "market_list"):
        assert kinds[kind]["requests"] > 0, kind
        assert kinds[kind]["p95_ms"] >= kinds[kind]["p50_ms"] > 0
    assert report["rps"] > 0


def test_it_counts_failed_and_lost_registrations(live_server, accounts, monkeypatch):
    real = services.worker_register
    calls = itertools.count(1)
    failed, lost = [], []

    def flaky(**kwargs):
        n = next(calls)
        if n % 3 == 0:
            failed.append(n)
            raise RuntimeError("the database went away")
        if n % 3 == 2:
            # The clerk is told the worker was created, but the row is rolled back.
            with transaction.atomic():
                result = real(**kwargs)
                transaction.set_rollback(True)
            lost.append(kwargs["data"]["notes"])
            return result
        return real(**kwargs)

    monkeypatch.setattr(services, "worker_register", flaky)
    report = run(live_server, accounts, seconds=2, browsers=0)

    assert report["client_crashes"] == []
    assert len(failed) >= 2 and len(lost) >= 2  # the clerk carried on after a failure
    rows = report["rows"]
    assert rows["lost_rows"] == len(lost)
    assert rows["created_by_302"] == rows["rows_in_db"] + len(lost)
    assert Worker.objects.filter(notes__in=lost).count() == 0
    kinds = report["kinds"]
    assert kinds["register"]["errors"] == len(failed)  # the 500s
    assert kinds["register_follow"]["errors"] == len(lost)  # the edit page of a lost worker is a 404
    assert report["errors"] == len(failed) + len(lost)
    assert any("answered 500" in problem for problem in report["problems"])
