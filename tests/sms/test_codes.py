"""Verification codes: 6 digits, 5 minutes, one use, 5 wrong tries then void."""

import datetime

import pytest
import time_machine
from django.db import connection

from gigmarket.core.models import SmsCode, SmsMessage
from gigmarket.core.sms import CodeError, code_send, code_verify

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
NOON = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC)


def sent_code(row):
    return SmsMessage.objects.get(pk=row.message_id).params["code"]


@time_machine.travel(NOON, tick=False)
def test_a_code_is_six_digits_sent_in_the_outbox_and_stored_only_hashed():
    row = code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
    code = sent_code(row)
    assert len(code) == 6 and code.isdigit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM gigmarket_smscode")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert code not in stored.replace(row.code_hash, "").replace(row.salt, "") and PHONE not in stored
    assert code_verify(phone=PHONE, purpose="apply", code=code).pk == row.pk


@time_machine.travel(NOON, tick=False)
def test_a_code_works_once():
    code = sent_code(code_send(phone=PHONE, purpose="my", ip="10.0.0.1"))
    code_verify(phone=PHONE, purpose="my", code=code)
    with pytest.raises(CodeError, match="已使用"):
        code_verify(phone=PHONE, purpose="my", code=code)


def test_a_code_expires_after_five_minutes():
    with time_machine.travel(NOON, tick=False):
        code = sent_code(code_send(phone=PHONE, purpose="apply", ip="10.0.0.1"))
    with (
        time_machine.travel(NOON + datetime.timedelta(minutes=5, seconds=1), tick=False),
        pytest.raises(CodeError, match="已过期"),
    ):
        code_verify(phone=PHONE, purpose="apply", code=code)
    with time_machine.travel(NOON + datetime.timedelta(minutes=4, seconds=59), tick=False):
        assert code_verify(phone=PHONE, purpose="apply", code=code)


@time_machine.travel(NOON, tick=False)
def test_five_wrong_tries_void_the_code_even_the_right_one_after():
    code = sent_code(code_send(phone=PHONE, purpose="apply", ip="10.0.0.1"))
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeError, match=f"还可再试{left}次"):
            code_verify(phone=PHONE, purpose="apply", code=wrong)
    with pytest.raises(CodeError, match="次数过多"):
        code_verify(phone=PHONE, purpose="apply", code=wrong)
    with pytest.raises(CodeError, match="次数过多"):
        code_verify(phone=PHONE, purpose="apply", code=code)
    assert SmsCode.objects.get().wrong_tries == 5


@time_machine.travel(NOON, tick=False)
def test_a_code_is_bound_to_its_purpose_and_phone():
    code = sent_code(code_send(phone=PHONE, purpose="apply", ip="10.0.0.1"))
    with pytest.raises(CodeError, match="请先获取"):
        code_verify(phone=PHONE, purpose="employer", code=code)
    with pytest.raises(CodeError, match="请先获取"):
        code_verify(phone="13900139000", purpose="apply", code=code)


def test_a_new_code_voids_the_previous_one():
    with time_machine.travel(NOON, tick=False):
        old = sent_code(code_send(phone=PHONE, purpose="apply", ip="10.0.0.1"))
    with time_machine.travel(NOON + datetime.timedelta(seconds=61), tick=False):
        new_row = code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
        assert code_verify(phone=PHONE, purpose="apply", code=sent_code(new_row)).pk == new_row.pk
    old_row = SmsCode.objects.exclude(pk=new_row.pk).get()
    assert old_row.voided_at is not None and old_row.used_at is None
    assert len(old) == 6


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "１２３４５６"])
@time_machine.travel(NOON, tick=False)
def test_a_malformed_code_is_refused_without_counting_a_try(typed):
    code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
    with pytest.raises(CodeError, match="6位数字"):
        code_verify(phone=PHONE, purpose="apply", code=typed)
    assert SmsCode.objects.get().wrong_tries == 0


def test_a_bad_phone_is_a_code_error_in_chinese():
    with pytest.raises(CodeError, match="手机号码"):
        code_send(phone="12345", purpose="apply", ip="10.0.0.1")
    assert not SmsCode.objects.exists()
