"""The match state machine, headcount under concurrency, no double booking, idempotent submission."""

import datetime
import threading
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from gigmarket.core.models import AuditEvent
from matching.models import Match, MatchEvent, MatchState
from matching.services import match_create, match_transition
from registry.models import Posting, Worker
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory, WorkerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 3, 9, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def worker_for(posting, **kwargs):
    return WorkerFactory(trades=[posting.trade], registered_market=posting.market, **kwargs)


def test_full_path_records_every_step_with_who_and_when(clerk, market):
    posting = PostingFactory(market=market, headcount=1)
    match = make_match(posting=posting, by=clerk, state="completed")
    assert match.state == MatchState.COMPLETED
    assert match.confirmed_at and match.onboarded_at and match.completed_at
    steps = [(e.from_state, e.to_state, e.by) for e in match.events.all()]
    assert steps == [
        ("", "negotiating", clerk),
        ("negotiating", "confirmed", clerk),
        ("confirmed", "onboard", clerk),
        ("onboard", "completed", clerk),
    ]
    actions = list(
        AuditEvent.objects.filter(target_type="matching.match", target_id=str(match.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["create", "transition", "transition", "transition"]


@pytest.mark.parametrize(
    ("state", "to"),
    [
        ("negotiating", "onboard"),
        ("negotiating", "completed"),
        ("negotiating", "no_show"),
        ("confirmed", "completed"),
        ("onboard", "cancelled"),
        ("completed", "cancelled"),
        ("cancelled", "confirmed"),
        ("no_show", "onboard"),
    ],
)
def test_refused_transitions_change_nothing(clerk, market, state, to):
    match = make_match(by=clerk, state=state, market=market)
    events = match.events.count()
    with pytest.raises(ValidationError) as exc:
        match_transition(match=match, to=to, by=clerk, reason="原因")
    assert "不能变更为" in exc.value.messages[0]
    match.refresh_from_db()
    assert match.state == state
    assert match.events.count() == events


def test_cancel_and_no_show_need_a_reason(clerk, market):
    match = make_match(by=clerk, state="confirmed", market=market)
    with pytest.raises(ValidationError, match="请填写未到岗的原因"):
        match_transition(match=match, to="no_show", by=clerk, reason="  ")
    match, changed = match_transition(match=match, to="no_show", by=clerk, reason="电话联系不上")
    assert changed and match.reason == "电话联系不上" and match.ended_at is not None


def test_onboarding_before_the_work_date_is_refused(clerk, market):
    tomorrow = datetime.date(2026, 3, 10)
    match = make_match(by=clerk, state="confirmed", market=market, work_date=tomorrow, valid_until=tomorrow)
    with pytest.raises(ValidationError, match="尚未到用工日期"):
        match_transition(match=match, to="onboard", by=clerk)


def test_repeating_a_step_is_a_no_op(clerk, market):
    match = make_match(by=clerk, state="confirmed", market=market)
    again, changed = match_transition(match=match, to="confirmed", by=clerk)
    assert not changed and again.pk == match.pk
    assert match.events.filter(to_state="confirmed").count() == 1


def test_confirmation_sets_waiting_clock_and_fills_the_posting(clerk, market):
    posting = PostingFactory(market=market, headcount=2)
    first = make_match(posting=posting, by=clerk, state="confirmed")
    posting.refresh_from_db()
    assert posting.status == Posting.Status.OPEN
    assert Worker.objects.get(pk=first.worker_id).last_confirmed_match_at == TODAY
    make_match(posting=posting, by=clerk, state="confirmed")
    posting.refresh_from_db()
    assert posting.status == Posting.Status.FILLED and posting.closed_at == TODAY


def test_a_third_confirmation_of_a_two_place_posting_is_refused(clerk, market):
    posting = PostingFactory(market=market, headcount=2)
    make_match(posting=posting, by=clerk, state="confirmed")
    make_match(posting=posting, by=clerk, state="confirmed")
    worker = worker_for(posting)
    late = Match.objects.create(
        posting=posting,
        worker=worker,
        employer=posting.employer,
        market=market,
        agreed_pay=posting.pay,
        work_date=posting.work_date,
        work_date_end=posting.work_date,
    )
    with pytest.raises(ValidationError, match="招用2人，已确认2人，已招满"):
        match_transition(match=late, to="confirmed", by=clerk)
    late.refresh_from_db()
    assert late.state == MatchState.NEGOTIATING


def test_cancelling_a_confirmed_match_reopens_a_filled_posting(clerk, market):
    posting = PostingFactory(market=market, headcount=1)
    match = make_match(posting=posting, by=clerk, state="confirmed")
    posting.refresh_from_db()
    assert posting.status == Posting.Status.FILLED
    match_transition(match=match, to="cancelled", by=clerk, reason="用工方取消")
    posting.refresh_from_db()
    assert posting.status == Posting.Status.OPEN and posting.closed_at is None


def test_new_match_on_a_closed_posting_is_refused(clerk, market):
    posting = PostingFactory(market=market, status=Posting.Status.CLOSED)
    with pytest.raises(ValidationError, match="已不在招工中"):
        match_create(posting=posting, worker=worker_for(posting), key=uuid.uuid4(), by=clerk)
    assert not Match.objects.exists()


def test_same_form_submitted_twice_makes_one_match(clerk, market):
    posting = PostingFactory(market=market)
    worker = worker_for(posting)
    key = uuid.uuid4()
    first, created = match_create(posting=posting, worker=worker, key=key, by=clerk, confirm=True)
    again, created_again = match_create(posting=posting, worker=worker, key=key, by=clerk, confirm=True)
    assert created and not created_again and again.pk == first.pk
    assert Match.objects.count() == 1
    assert MatchEvent.objects.filter(to_state="confirmed").count() == 1


def test_a_second_live_match_for_the_same_pair_is_refused(clerk, market):
    posting = PostingFactory(market=market)
    worker = worker_for(posting)
    match_create(posting=posting, worker=worker, key=uuid.uuid4(), by=clerk)
    with pytest.raises(ValidationError, match="已在对接此用工需求"):
        match_create(posting=posting, worker=worker, key=uuid.uuid4(), by=clerk)
    assert Match.objects.count() == 1


def test_worker_cannot_be_confirmed_into_two_overlapping_jobs(clerk, market):
    morning = PostingFactory(market=market, start_time=datetime.time(8), end_time=datetime.time(12))
    allday = PostingFactory(market=market, trade=morning.trade)
    worker = worker_for(morning)
    make_match(posting=morning, worker=worker, by=clerk, state="confirmed")
    second, _ = match_create(posting=allday, worker=worker, key=uuid.uuid4(), by=clerk)
    with pytest.raises(ValidationError) as exc:
        match_transition(match=second, to="confirmed", by=clerk)
    assert f"{worker.name}已确认在2026-03-09 08:00-12:00为“{morning.employer.name}”上工" in exc.value.messages[0]
    second.refresh_from_db()
    assert second.state == MatchState.NEGOTIATING


def test_morning_and_afternoon_jobs_on_the_same_day_do_not_clash(clerk, market):
    morning = PostingFactory(market=market, start_time=datetime.time(8), end_time=datetime.time(12))
    afternoon = PostingFactory(
        market=market, trade=morning.trade, start_time=datetime.time(13), end_time=datetime.time(17)
    )
    worker = worker_for(morning)
    make_match(posting=morning, worker=worker, by=clerk, state="confirmed")
    match = make_match(posting=afternoon, worker=worker, by=clerk, state="confirmed")
    assert match.state == MatchState.CONFIRMED


def test_a_cancelled_job_no_longer_blocks_the_day(clerk, market):
    first = PostingFactory(market=market)
    second = PostingFactory(market=market, trade=first.trade)
    worker = worker_for(first)
    booked = make_match(posting=first, worker=worker, by=clerk, state="confirmed")
    match_transition(match=booked, to="cancelled", by=clerk, reason="改期")
    assert make_match(posting=second, worker=worker, by=clerk, state="confirmed").state == MatchState.CONFIRMED


def _confirm_concurrently(matches, user):
    """Confirm each match from its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(matches))
    results, errors = [], []

    def run(match):
        try:
            barrier.wait(timeout=10)
            match_transition(match=match, to="confirmed", by=user)
            results.append(match.pk)
        except ValidationError as exc:
            errors.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(m,)) for m in matches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


# Real concurrency needs separate connections to a server database: these two tests run
# on PostgreSQL (CI runs the suite there) and show as skipped elsewhere. SQLite runs the
# sequential version below.
concurrent = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _mark(test):
    for mark in concurrent:
        test = mark(test)
    return test


@_mark
def test_clerks_confirming_at_the_same_moment_never_exceed_headcount(clerk, market):
    """Eight clerks confirm eight workers for a three-place posting at once."""
    posting = PostingFactory(market=market, headcount=3)
    matches = [make_match(posting=posting, by=clerk) for _ in range(8)]
    confirmed, refused = _confirm_concurrently(matches, clerk)
    assert len(confirmed) == 3
    assert len(refused) == 5 and all("已招满" in m for m in refused)
    assert Match.objects.filter(posting=posting, state="confirmed").count() == 3
    posting.refresh_from_db()
    assert posting.status == Posting.Status.FILLED


@_mark
def test_one_worker_confirmed_at_once_for_two_jobs_gets_only_one(clerk, market):
    worker = WorkerFactory(registered_market=market)
    postings = [PostingFactory(market=market) for _ in range(4)]
    worker.set_trades([p.trade for p in postings])
    matches = [make_match(posting=p, worker=worker, by=clerk) for p in postings]
    confirmed, refused = _confirm_concurrently(matches, clerk)
    assert len(confirmed) == 1 and len(refused) == 3
    assert all("不能重复确认" in m for m in refused)
    assert Match.objects.filter(worker=worker, state="confirmed").count() == 1


def test_headcount_holds_when_confirmations_come_one_after_another(clerk, market):
    """The sequential version of the concurrency test, for SQLite runs."""
    posting = PostingFactory(market=market, headcount=3)
    matches = [make_match(posting=posting, by=clerk) for _ in range(5)]
    outcomes = []
    for match in matches:
        try:
            match_transition(match=match, to="confirmed", by=clerk)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("full")
    assert outcomes == ["ok", "ok", "ok", "full", "full"]
