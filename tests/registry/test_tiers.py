import datetime
import zoneinfo

import pytest
import time_machine

from registry.models import Tier, Worker, compute_tier
from registry.selectors import annotate_priority
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
    return annotate_priority(Worker.objects.filter(pk=worker.pk), TODAY).get()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    ("gender", "birth", "senior"),
    [
        ("M", datetime.date(1976, 3, 1), True),  # turns 50 today
        ("M", datetime.date(1976, 3, 2), False),  # turns 50 tomorrow
        ("F", datetime.date(1986, 3, 1), True),  # turns 40 today
        ("F", datetime.date(1986, 3, 2), False),
        ("M", datetime.date(1986, 1, 1), False),  # 40-year-old man is not 大龄
    ],
)
def test_senior_flag_follows_age_and_gender(market, gender, birth, senior):
    worker = make(market, birth=birth, gender=gender)
    assert worker.is_senior() is senior
    assert bool(annotated(worker).senior_flag) is senior
    assert worker.tier() == (Tier.SECOND if senior else Tier.NORMAL)


def test_thresholds_are_settings(market, settings):
    settings.SENIOR_AGE_MALE = 45
    worker = make(market, birth=datetime.date(1980, 1, 1), gender="M")
    assert worker.is_senior()
    assert annotated(worker).priority_tier == Tier.SECOND


@pytest.mark.parametrize(("days", "long_wait"), [(29, False), (30, True), (90, True)])
def test_long_wait_counts_days_since_registration(market, days, long_wait):
    worker = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=days)
    assert worker.is_long_wait() is long_wait
    assert bool(annotated(worker).long_wait_flag) is long_wait


def test_a_recent_confirmed_match_resets_the_wait(market):
    worker = make(market, birth=datetime.date(1995, 1, 1), gender="M", registered_days_ago=200)
    worker.last_confirmed_match_at = NOW - datetime.timedelta(days=3)
    worker.save()
    assert not worker.is_long_wait()
    assert annotated(worker).priority_tier == Tier.NORMAL


def test_tier_rules(market):
    difficulty = make(market, birth=datetime.date(1995, 1, 1), gender="M", employment_difficulty=True)
    disabled = make(market, birth=datetime.date(1995, 1, 1), gender="F", disabled=True)
    two_flags = make(market, birth=datetime.date(1970, 1, 1), gender="M", low_income=True)
    one_flag = make(market, birth=datetime.date(1995, 1, 1), gender="M", low_income=True)
    none = make(market, birth=datetime.date(1995, 1, 1), gender="M")
    expected = {difficulty: Tier.FIRST, disabled: Tier.FIRST, two_flags: Tier.FIRST, one_flag: Tier.SECOND}
    expected[none] = Tier.NORMAL
    for worker, tier in expected.items():
        assert worker.tier() == tier
        assert annotated(worker).priority_tier == tier
        assert annotated(worker).tier() == tier
    ordered = list(annotate_priority(Worker.objects.all(), TODAY).order_by("priority_tier", "pk"))
    assert ordered[:3] == [difficulty, disabled, two_flags]
    assert ordered[-1] == none


def test_python_and_sql_rules_agree_on_every_combination(market):
    births = {True: datetime.date(1960, 1, 1), False: datetime.date(1998, 1, 1)}
    for bits in range(32):
        flags = [bool(bits & (1 << i)) for i in range(5)]
        difficulty, disabled, low_income, senior, long_wait = flags
        worker = make(
            market,
            birth=births[senior],
            gender="M",
            registered_days_ago=60 if long_wait else 1,
            employment_difficulty=difficulty,
            disabled=disabled,
            low_income=low_income,
        )
        rule = compute_tier(
            employment_difficulty=difficulty,
            disabled=disabled,
            low_income=low_income,
            senior=senior,
            long_wait=long_wait,
        )
        assert annotated(worker).priority_tier == rule
        assert worker.tier() == rule


def test_badge_shows_the_tier_on_the_list(client, county_user, market):
    make(market, birth=datetime.date(1995, 1, 1), gender="M", disabled=True)
    client.force_login(county_user)
    body = client.get("/registry/workers/").content.decode()
    assert "一级重点帮扶" in body
