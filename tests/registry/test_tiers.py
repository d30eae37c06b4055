import datetime
import itertools
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from registry.models import Tier, Worker, WorkerTrade
from registry.ranking_key import ranking_keys_synced
from registry.selectors import annotate_hardship_flags
from registry.services import refresh_worker_tiers, worker_confirmed_match, worker_update
from registry.tiers import long_wait_cutoff
from tests.factories.markets import TradeFactory
from tests.factories.registry import WorkerFactory, id_number_for

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=TZ)
TODAY = NOW.date()


def make(market, *, birth, gender, registered_days_ago=0, **flags):
    return WorkerFactory(
        registered_market=market,
        id_number=id_number_for(Worker.objects.count() + 1, birth=birth, gender=gender),
        registered_at=NOW - datetime.timedelta(days=registered_days_ago),
        **flags,
    )


def annotated(worker):
    return annotate_hardship_flags(Worker.objects.filter(pk=worker.pk), TODAY).get()


def stored(worker):
    return Worker.objects.values_list("priority_tier", flat=True).get(pk=worker.pk)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(
    ("gender", "birth", "senior"),
    [
        ("M", datetime.date(1976, 3, 1), True),  # turns 50 today
        ("M", datetime.date(1976, 12, 31), True),  # turns 50 this year: 大龄 from 1 January
        ("M", datetime.date(1977, 1, 1), False),  # turns 50 next year
        ("F", datetime.date(1986, 12, 31), True),  # turns 40 this year
        ("F", datetime.date(1987, 1, 1), False),
        ("M", datetime.date(1986, 1, 1), False),  # 40-year-old man is not 大龄
    ],
)
def test_senior_flag_follows_age_and_gender(market, gender, birth, senior):
    """Only the birth year is stored: a worker is 大龄 from 1 January of the year they reach the age."""
    worker = make(market, birth=birth, gender=gender)
    assert worker.is_senior() is senior
    assert bool(annotated(worker).senior_flag) is senior
    assert worker.tier() == (Tier.SECOND if senior else Tier.NORMAL)
    assert stored(worker) == worker.tier()


def test_thresholds_are_settings(market, settings):
    settings.SENIOR_AGE_MALE = 45
    worker = make(market, birth=datetime.date(1980, 1, 1), gender="M")
    assert worker.is_senior()
    assert stored(worker) == Tier.SECOND


@pytest.mark.parametrize(("days", "long_wait"), [(29, False), (30, True), (90, True)])
def test_long_wait_counts_days_since_registration(market, days, long_wait):
    worker = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=days)
    assert worker.is_long_wait() is long_wait
    assert bool(annotated(worker).long_wait_flag) is long_wait
    assert stored(worker) == (Tier.SECOND if long_wait else Tier.NORMAL)


def test_a_recent_confirmed_match_resets_the_wait(market):
    worker = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=200)
    assert stored(worker) == Tier.SECOND
    worker.last_confirmed_match_at = NOW - datetime.timedelta(days=3)
    worker.save()
    assert not worker.is_long_wait()
    assert stored(worker) == Tier.NORMAL
    assert Worker.objects.get(pk=worker.pk).waiting_since == worker.last_confirmed_match_at


def test_tier_rules_and_the_stored_order(market):
    difficulty = make(market, birth=datetime.date(1995, 1, 1), gender="M", employment_difficulty=True)
    disabled = make(market, birth=datetime.date(1995, 1, 1), gender="F", disabled=True)
    two_flags = make(market, birth=datetime.date(1970, 1, 1), gender="M", low_income=True)
    one_flag = make(market, birth=datetime.date(1995, 1, 1), gender="M", low_income=True)
    none = make(market, birth=datetime.date(1995, 1, 1), gender="M")
    expected = {difficulty: Tier.FIRST, disabled: Tier.FIRST, two_flags: Tier.FIRST, one_flag: Tier.SECOND}
    expected[none] = Tier.NORMAL
    for worker, tier in expected.items():
        assert worker.tier() == tier
        assert stored(worker) == tier
    ordered = list(Worker.objects.order_by("priority_tier", "pk"))
    assert ordered[:3] == [difficulty, disabled, two_flags]
    assert ordered[-1] == none


def _boundary_workers(market, day):
    """Every combination of the five flags, with 大龄 and 待工时间长 on and just off their boundaries on `day`."""
    cutoff = long_wait_cutoff(day)
    seniors = [
        ("M", day.replace(year=day.year - 50)),  # 50 on `day`: 大龄
        ("M", day.replace(year=day.year - 50) + datetime.timedelta(days=1)),  # 50 tomorrow
        ("F", day.replace(year=day.year - 40)),
        ("F", day.replace(year=day.year - 40) + datetime.timedelta(days=1)),
        ("M", datetime.date(1995, 5, 5)),
    ]
    waits = [
        {"registered_at": cutoff - datetime.timedelta(seconds=1)},  # waiting since just before the cutoff
        {"registered_at": cutoff},  # exactly the cutoff: not yet long
        {"registered_at": cutoff - datetime.timedelta(days=300), "last_confirmed_match_at": cutoff},
        {
            "registered_at": cutoff - datetime.timedelta(days=300),
            "last_confirmed_match_at": cutoff - datetime.timedelta(seconds=1),
        },
    ]
    workers = []
    for n, (bits, (gender, birth), wait) in enumerate(itertools.product(range(8), seniors, waits), start=1):
        workers.append(
            WorkerFactory(
                registered_market=market,
                id_number=id_number_for(n, birth=birth, gender=gender),
                employment_difficulty=bool(bits & 1),
                disabled=bool(bits & 2),
                low_income=bool(bits & 4),
                **wait,
            )
        )
    return workers


def test_sql_refresh_agrees_with_compute_tier_on_every_combination(market, frozen):
    day = datetime.date(2026, 3, 10)
    # Saved the day before: the stored tiers are right for then, stale for `day`.
    frozen.move_to(datetime.datetime(2026, 3, 9, 12, 0, tzinfo=TZ))
    workers = _boundary_workers(market, day)
    frozen.move_to(datetime.datetime(2026, 3, 10, 0, 5, tzinfo=TZ))
    rule = {w.pk: w.tier(day) for w in workers}
    assert {w.pk: stored(w) for w in workers} != rule  # the refresh has something to do
    assert set(rule.values()) == set(Tier)

    changed = refresh_worker_tiers(day)

    assert changed > 0
    assert dict(Worker.objects.values_list("pk", "priority_tier")) == rule
    assert refresh_worker_tiers(day) == 0  # idempotent
    # The SQL flags used for labels and exports agree with the Python ones too.
    for w in annotate_hardship_flags(Worker.objects.all(), day):
        assert (bool(w.senior_flag), bool(w.long_wait_flag)) == (w.is_senior(day), w.is_long_wait(day))


def test_refresh_repairs_a_waiting_time_written_behind_its_back(market):
    worker = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=200)
    Worker.objects.filter(pk=worker.pk).update(last_confirmed_match_at=NOW)
    refresh_worker_tiers(TODAY)
    row = Worker.objects.get(pk=worker.pk)
    assert row.waiting_since == NOW and row.priority_tier == Tier.NORMAL


def test_confirmed_match_restarts_the_wait_and_the_tier_in_one_update(market, django_assert_num_queries):
    worker = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=200, low_income=True)
    worker.set_trades([TradeFactory()])
    assert stored(worker) == Tier.FIRST  # 低收入 + 待工时间长
    with django_assert_num_queries(2):  # the worker, then the copies on its trade rows
        worker_confirmed_match(worker_id=worker.pk, at=NOW)
    row = Worker.objects.get(pk=worker.pk)
    assert (row.last_confirmed_match_at, row.waiting_since, row.priority_tier) == (NOW, NOW, Tier.SECOND)
    assert list(WorkerTrade.objects.values_list("waiting_since", "priority_tier")) == [(NOW, Tier.SECOND)]


def test_editing_a_flag_updates_the_stored_tier(market, county_user):
    worker = make(market, birth=datetime.date(1995, 1, 1), gender="M")
    assert stored(worker) == Tier.NORMAL
    worker_update(worker=worker, data={"disabled": True}, by=county_user)
    assert stored(worker) == Tier.FIRST


def test_command_and_beat_task_refresh_the_tiers(market, frozen):
    from gigmarket.celery import app
    from registry.tasks import refresh_tiers

    worker = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=20)
    frozen.move_to(NOW + datetime.timedelta(days=10))
    assert stored(worker) == Tier.NORMAL
    call_command("refresh_tiers")
    assert stored(worker) == Tier.SECOND
    with ranking_keys_synced([worker.pk]):  # a stale stored tier
        Worker.objects.filter(pk=worker.pk).update(priority_tier=Tier.NORMAL)
    refresh_tiers()
    assert stored(worker) == Tier.SECOND
    tasks = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert "registry.tasks.refresh_tiers" in tasks


def test_badge_shows_the_tier_on_the_list(client, county_user, market):
    make(market, birth=datetime.date(1995, 1, 1), gender="M", disabled=True)
    client.force_login(county_user)
    body = client.get("/registry/workers/").content.decode()
    assert "一级重点帮扶" in body


def test_list_puts_the_hard_to_employ_first_then_the_longest_waiting(client, county_user, market):
    newest = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=1)
    older = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=5)
    hardship = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=0, disabled=True)
    client.force_login(county_user)
    workers = list(client.get("/registry/workers/").context["page"].object_list)
    assert workers == [hardship, older, newest]


def test_the_data_migration_fills_stale_rows_with_the_same_sql(market):
    from importlib import import_module

    from django.apps import apps

    worker = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=40, low_income=True)
    with ranking_keys_synced([worker.pk]):  # stale stored values
        Worker.objects.filter(pk=worker.pk).update(priority_tier=Tier.NORMAL, waiting_since=NOW)
    import_module("registry.migrations.0003_worker_stored_tier").fill(apps, None)
    row = Worker.objects.get(pk=worker.pk)
    assert (row.waiting_since, row.priority_tier) == (worker.registered_at, Tier.FIRST)
