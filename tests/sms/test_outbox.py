"""The outbox: sms_enqueue writes one row in the caller's transaction; dispatch sends it once."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from gigmarket.core.models import SmsMessage
from gigmarket.core.sms import TEMPLATES, sms_enqueue
from gigmarket.core.sms.services import sms_dispatch, sms_dispatch_due

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
DAYTIME = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))

RECEIVED = {"market": "南明区零工市场", "date": "12月3日", "trade": "搬运工", "hotline": "0851-85550101"}


def enqueue(**kwargs):
    kwargs.setdefault("to", PHONE)
    kwargs.setdefault("template", "application_received")
    kwargs.setdefault("params", RECEIVED)
    return sms_enqueue(**kwargs)


@time_machine.travel(DAYTIME, tick=False)
def test_enqueue_writes_one_pending_row_with_phone_and_params_encrypted(nanming):
    message = enqueue(county=nanming)
    assert message.state == SmsMessage.State.PENDING
    stored = SmsMessage.objects.get()
    assert stored.to == PHONE and stored.params == RECEIVED and stored.county == nanming
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM gigmarket_smsmessage")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert PHONE not in row and "搬运工" not in row


def test_every_agreed_template_is_registered_with_the_signature(settings):
    settings.SMS_SIGNATURE = "测试签名"
    agreed = {
        "code",
        "application_received",
        "match_confirmed",
        "application_closed",
        "need_published",
        "need_rejected",
        "worker_confirmed",
    }
    assert set(TEMPLATES) == agreed
    for spec in TEMPLATES.values():
        text = spec.render(dict.fromkeys(spec.params, "X"))
        assert text.startswith("【测试签名】")
        assert "{" not in text
        assert spec.is_code or text.endswith("回复TD退订")


def test_enqueue_refuses_a_landline_and_writes_nothing():
    with pytest.raises(ValidationError):
        enqueue(to="0851-85550101")
    assert not SmsMessage.objects.exists()


def test_enqueue_refuses_missing_params():
    with pytest.raises(ValueError, match="hotline"):
        enqueue(params={**RECEIVED, "hotline": ""})
    assert not SmsMessage.objects.exists()


@time_machine.travel(DAYTIME, tick=False)
def test_dispatch_sends_through_the_console_backend_once(sms_log, settings):
    settings.SMS_SIGNATURE = "贵州零工市场"
    message = enqueue()
    assert sms_dispatch(pk=message.pk) == SmsMessage.State.SENT
    assert sms_dispatch(pk=message.pk) is None
    message.refresh_from_db()
    assert message.state == SmsMessage.State.SENT and message.attempts == 1 and message.sent_at
    log = sms_log()
    assert log.count("\n") == 1
    assert "138****8000" in log and PHONE not in log
    assert "【贵州零工市场】您已报名南明区零工市场12月3日的搬运工岗位" in log


@time_machine.travel(DAYTIME, tick=False)
def test_the_sweep_sends_every_due_message(sms_log):
    first, second = enqueue(), enqueue(to="13900139000")
    assert sms_dispatch_due() == {SmsMessage.State.SENT: 2}
    assert set(SmsMessage.objects.values_list("state", flat=True)) == {SmsMessage.State.SENT}
    assert sms_dispatch_due() == {}
    assert first.pk != second.pk


@time_machine.travel(DAYTIME, tick=False)
def test_enqueue_on_commit_hands_the_message_to_celery(django_capture_on_commit_callbacks, sms_log):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue()
    message.refresh_from_db()
    assert message.state == SmsMessage.State.SENT
    assert "搬运工" in sms_log()
