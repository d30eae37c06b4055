"""Sending: exactly once under concurrent dispatchers, retries with back-off, quiet hours,
opt-out, purge, the counts for monitoring."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from gigmarket.core.models import SmsCode, SmsMessage, SmsOptOut
from gigmarket.core.sms import code_send, services, sms_enqueue
from gigmarket.core.sms.backends import SmsSendError
from gigmarket.core.sms.selectors import sms_counts
from gigmarket.core.sms.services import sms_dispatch, sms_dispatch_due, sms_opt_out_record, sms_purge

BJ = datetime.timezone(datetime.timedelta(hours=8))
MORNING = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=BJ)
PHONE = "13800138000"
NEED = {"trade": "保洁", "market": "南明区零工市场"}


def notice(phone=PHONE, county=None):
    return sms_enqueue(to=phone, template="need_published", params=NEED, county=county)


class Recorder:
    """A backend that records what it is asked to send; fails while `failures` lasts."""

    name = "recorder"

    def __init__(self, failures=(), delay=0.0):
        self.sent = []
        self.failures = list(failures)
        self.delay = delay
        self.lock = threading.Lock()

    def send(self, message):
        if self.delay:
            threading.Event().wait(self.delay)
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append((message.phone, message.text))
        return f"rec-{len(self.sent)}"


# Exactly once ------------------------------------------------------------------------------


def run_in_threads(count, target):
    errors = []

    def wrapped():
        try:
            target()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapped) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors


@pytest.fixture
def by_day():
    """10:00 in Beijing, the clock running: a notice enqueued in the quiet hours would wait for 07:00."""
    with time_machine.travel(MORNING, tick=True):
        yield


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_that_both_see_a_message_pending_send_it_once(monkeypatch, by_day):
    monkeypatch.setattr(services, "_schedule", lambda pk, eta: None)  # no eager send on commit
    message = notice()
    backend = Recorder(delay=0.2)
    both_read = threading.Barrier(2, timeout=10)
    original = services._claim

    def claim_together(pk, now):
        both_read.wait()  # both have read the row as pending; now both try to claim it
        return original(pk, now)

    monkeypatch.setattr(services, "_claim", claim_together)
    results = []
    run_in_threads(2, lambda: results.append(sms_dispatch(pk=message.pk, backend=backend)))
    assert sorted(results, key=str) == [None, SmsMessage.State.SENT]
    assert len(backend.sent) == 1
    message.refresh_from_db()
    assert message.state == SmsMessage.State.SENT and message.attempts == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_every_message_exactly_once(monkeypatch, by_day):
    monkeypatch.setattr(services, "_schedule", lambda pk, eta: None)  # no eager send on commit
    phones = [f"1380013{i:04d}" for i in range(20)]
    for phone in phones:
        notice(phone)
    backend = Recorder(delay=0.01)
    monkeypatch.setattr(services, "get_backend", lambda name=None: backend)
    run_in_threads(2, sms_dispatch_due)
    assert sorted(phone for phone, _ in backend.sent) == phones
    assert set(SmsMessage.objects.values_list("state", flat=True)) == {SmsMessage.State.SENT}
    assert set(SmsMessage.objects.values_list("attempts", flat=True)) == {1}


# Retries -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failing_send_is_retried_with_doubling_waits_then_given_up(settings):
    settings.SMS_MAX_ATTEMPTS = 4
    settings.SMS_RETRY_BASE_SECONDS = 30
    backend = Recorder(failures=[SmsSendError(f"通道繁忙{i}") for i in range(4)])
    with time_machine.travel(MORNING, tick=False) as clock:
        message = notice()
        waits = []
        for _ in range(3):
            assert sms_dispatch(pk=message.pk, backend=backend) == SmsMessage.State.PENDING
            message.refresh_from_db()
            waits.append((message.not_before - MORNING.astimezone(datetime.UTC)).total_seconds())
            # Not due yet: nothing happens before the wait is over.
            assert sms_dispatch(pk=message.pk, backend=backend) is None
            clock.move_to(message.not_before)
        assert sms_dispatch(pk=message.pk, backend=backend) == SmsMessage.State.FAILED
    message.refresh_from_db()
    assert message.state == SmsMessage.State.FAILED and message.attempts == 4
    assert message.last_error == "通道繁忙3"
    # 30 s, then 60 s more, then 120 s more (each counted from the failed try).
    assert [b - a for a, b in zip([0, *waits], waits, strict=False)] == [30, 60, 120]
    assert backend.sent == []


@pytest.mark.django_db
def test_a_retry_that_then_succeeds_clears_the_error():
    backend = Recorder(failures=[SmsSendError("超时")])
    with time_machine.travel(MORNING, tick=False) as clock:
        message = notice()
        sms_dispatch(pk=message.pk, backend=backend)
        clock.shift(datetime.timedelta(minutes=1))
        assert sms_dispatch(pk=message.pk, backend=backend) == SmsMessage.State.SENT
    message.refresh_from_db()
    assert message.attempts == 2 and message.last_error == "" and len(backend.sent) == 1


@pytest.mark.django_db
def test_a_final_refusal_is_not_retried():
    backend = Recorder(failures=[SmsSendError("号码无效", retryable=False)])
    with time_machine.travel(MORNING, tick=False):
        message = notice()
        assert sms_dispatch(pk=message.pk, backend=backend) == SmsMessage.State.FAILED
    message.refresh_from_db()
    assert message.attempts == 1 and message.last_error == "号码无效"


@pytest.mark.django_db
def test_an_unexpected_exception_is_kept_and_retried():
    backend = Recorder(failures=[RuntimeError("boom")])
    with time_machine.travel(MORNING, tick=False):
        message = notice()
        assert sms_dispatch(pk=message.pk, backend=backend) == SmsMessage.State.PENDING
    message.refresh_from_db()
    assert message.last_error == "RuntimeError: boom"


@pytest.mark.django_db
def test_a_message_left_sending_by_a_dead_worker_is_marked_failed_not_resent():
    backend = Recorder()
    with time_machine.travel(MORNING, tick=False) as clock:
        message = notice()
        SmsMessage.objects.filter(pk=message.pk).update(state="sending", claimed_at=MORNING, attempts=1)
        clock.shift(datetime.timedelta(minutes=11))
        assert sms_dispatch_due() == {"stale": 1}
    message.refresh_from_db()
    assert message.state == SmsMessage.State.FAILED and "结果未知" in message.last_error
    assert backend.sent == []


# Quiet hours ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("enqueued", "due"),
    [
        (datetime.datetime(2026, 12, 2, 22, 0, tzinfo=BJ), datetime.datetime(2026, 12, 3, 7, 0, tzinfo=BJ)),
        (datetime.datetime(2026, 12, 2, 23, 59, tzinfo=BJ), datetime.datetime(2026, 12, 3, 7, 0, tzinfo=BJ)),
        (datetime.datetime(2026, 12, 3, 0, 30, tzinfo=BJ), datetime.datetime(2026, 12, 3, 7, 0, tzinfo=BJ)),
        (datetime.datetime(2026, 12, 3, 6, 59, tzinfo=BJ), datetime.datetime(2026, 12, 3, 7, 0, tzinfo=BJ)),
    ],
)
def test_a_notice_enqueued_at_night_waits_until_seven(enqueued, due):
    backend = Recorder()
    with time_machine.travel(enqueued, tick=False) as clock:
        message = notice()
        assert message.not_before == due
        assert sms_dispatch(pk=message.pk, backend=backend) is None
        clock.move_to(due - datetime.timedelta(seconds=1))
        assert sms_dispatch(pk=message.pk, backend=backend) is None
        clock.move_to(due)
        assert sms_dispatch(pk=message.pk, backend=backend) == SmsMessage.State.SENT
    assert len(backend.sent) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("hour", [7, 12, 21])
def test_a_notice_enqueued_by_day_is_due_at_once(hour):
    at = datetime.datetime(2026, 12, 2, hour, 0, tzinfo=BJ)
    with time_machine.travel(at, tick=False):
        assert notice().not_before == at


@pytest.mark.django_db
def test_a_code_is_sent_at_night():
    backend = Recorder()
    with time_machine.travel(datetime.datetime(2026, 12, 2, 23, 30, tzinfo=BJ), tick=False):
        row = code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
        assert sms_dispatch(pk=row.message_id, backend=backend) == SmsMessage.State.SENT
    assert "验证码" in backend.sent[0][1]


@pytest.mark.django_db
def test_a_retry_falling_due_at_night_waits_for_the_morning():
    backend = Recorder(failures=[SmsSendError("繁忙")])
    with time_machine.travel(datetime.datetime(2026, 12, 2, 21, 59, 50, tzinfo=BJ), tick=False) as clock:
        message = notice()
        sms_dispatch(pk=message.pk, backend=backend)
        clock.move_to(datetime.datetime(2026, 12, 2, 22, 1, tzinfo=BJ))
        assert sms_dispatch(pk=message.pk, backend=backend) is None
        message.refresh_from_db()
        assert message.not_before == datetime.datetime(2026, 12, 3, 7, 0, tzinfo=BJ)
    assert backend.sent == []


# Opt-out -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_phone_that_replied_td_gets_no_notice_but_still_its_codes():
    sms_opt_out_record(phone=PHONE, source="reply")
    backend = Recorder()
    with time_machine.travel(MORNING, tick=False):
        withheld = notice()
        assert withheld.state == SmsMessage.State.OPTED_OUT
        assert sms_dispatch(pk=withheld.pk, backend=backend) is None
        row = code_send(phone=PHONE, purpose="my", ip="10.0.0.1")
        assert sms_dispatch(pk=row.message_id, backend=backend) == SmsMessage.State.SENT
        assert notice(phone="13900139000").state == SmsMessage.State.PENDING
    assert [phone for phone, _ in backend.sent] == [PHONE]


@pytest.mark.django_db
def test_an_opt_out_recorded_after_enqueue_stops_the_pending_notice():
    backend = Recorder()
    with time_machine.travel(datetime.datetime(2026, 12, 2, 23, 0, tzinfo=BJ), tick=False) as clock:
        message = notice()  # held for the morning
        sms_opt_out_record(phone=PHONE, source="reply")
        clock.move_to(datetime.datetime(2026, 12, 3, 7, 0, tzinfo=BJ))
        assert sms_dispatch(pk=message.pk, backend=backend) is None
    message.refresh_from_db()
    assert message.state == SmsMessage.State.OPTED_OUT and backend.sent == []


@pytest.mark.django_db
def test_the_opt_out_table_holds_the_phone_only_hashed_and_encrypted():
    sms_opt_out_record(phone=PHONE, source="reply")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM gigmarket_smsoptout")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert PHONE not in row and "138****8000" not in row
    assert SmsOptOut.objects.get().phone == PHONE


# Purge and counts ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_purge_removes_old_messages_and_codes_and_keeps_recent_and_in_flight(settings):
    settings.SMS_RETENTION_DAYS = 90
    old = datetime.datetime(2026, 8, 1, 10, 0, tzinfo=BJ)
    with time_machine.travel(old, tick=False):
        sent = notice()
        SmsMessage.objects.filter(pk=sent.pk).update(state="sent")
        notice(phone="13900139000")  # never sent: removed all the same
        in_flight = notice(phone="13500135000")
        SmsMessage.objects.filter(pk=in_flight.pk).update(state="sending")  # kept
        code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
    with time_machine.travel(MORNING, tick=False):
        recent = notice(phone="13700137000")
        SmsMessage.objects.filter(pk=recent.pk).update(state="sent")
        assert sms_purge() == {"messages": 3, "codes": 1}
        assert sms_purge() == {"messages": 0, "codes": 0}
    assert set(SmsMessage.objects.values_list("pk", flat=True)) == {in_flight.pk, recent.pk}
    assert not SmsCode.objects.exists()


@pytest.mark.django_db
def test_sms_counts_per_county_in_scope_and_period(nanming, yunyan, honghuagang, county_user, city_user):
    with time_machine.travel(MORNING, tick=False):
        a = notice(county=nanming)
        notice(phone="13900139000", county=nanming)
        notice(phone="13700137000", county=yunyan)
        notice(phone="13600136000", county=honghuagang)
        SmsMessage.objects.filter(pk=a.pk).update(state="sent")
    with time_machine.travel(MORNING + datetime.timedelta(days=2), tick=False):
        notice(county=nanming)  # outside the period
    start, end = MORNING - datetime.timedelta(hours=1), MORNING + datetime.timedelta(days=1)
    province = sms_counts(None, start, end)
    assert province[nanming.pk] == {"total": 2, "sent": 1, "failed": 0, "pending": 1, "opted_out": 0, "codes": 0}
    assert set(province) == {nanming.pk, yunyan.pk, honghuagang.pk}
    assert set(sms_counts(city_user, start, end)) == {nanming.pk, yunyan.pk}
    assert set(sms_counts(county_user, start, end)) == {nanming.pk}
    assert set(sms_counts(nanming.parent, start, end)) == {nanming.pk, yunyan.pk}
    assert set(sms_counts(honghuagang, start, end)) == {honghuagang.pk}
