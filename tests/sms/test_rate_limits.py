"""Code sending limits per phone and per IP (in the cache), answered in Chinese with the
wait; with the cache down code sending refuses (fails closed) and other reads fail open."""

import datetime
import os
import socket

import pytest
import time_machine

from gigmarket.core.models import SmsCode, SmsMessage
from gigmarket.core.sms import CodeError, code_send, code_verify
from gigmarket.core.sms.ratelimit import cache_get, wait_text

pytestmark = pytest.mark.django_db

HOUR = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC)  # the start of a clock hour
PHONE = "13800138000"


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    """Each limit test runs on the local-memory cache and, when REDIS_TEST_URL is set (the
    SMS helper used redis://127.0.0.1:6379/8), on Redis."""
    if request.param == "redis":
        url = os.environ.get("REDIS_TEST_URL")
        if not url:
            pytest.skip("REDIS_TEST_URL not set: Redis not tried")
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "t"}
        }
        from django.core.cache import cache

        cache.clear()
    return request.param


def test_a_second_code_within_a_minute_is_refused_with_the_seconds_to_wait(any_cache):
    with time_machine.travel(HOUR, tick=False) as clock:
        code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
        clock.shift(datetime.timedelta(seconds=20))
        with pytest.raises(CodeError) as refused:
            code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
        assert str(refused.value) == "获取验证码过于频繁，请40秒后再试。"
        assert refused.value.wait_seconds == 40
        clock.shift(datetime.timedelta(seconds=41))
        code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
    assert SmsCode.objects.count() == 2 and SmsMessage.objects.count() == 2


def test_the_minute_gap_holds_across_purposes(any_cache):
    with time_machine.travel(HOUR, tick=False):
        code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
        with pytest.raises(CodeError, match="请1分钟后再试") as refused:
            code_send(phone=PHONE, purpose="my", ip="10.0.0.2")
    assert refused.value.wait_seconds == 60


def test_five_codes_an_hour_per_phone_then_the_wait_in_minutes(any_cache):
    with time_machine.travel(HOUR, tick=False) as clock:
        for _ in range(5):
            code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
            clock.shift(datetime.timedelta(seconds=61))
        with pytest.raises(CodeError) as refused:
            code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
    # 5 × 61 s into the hour: 3,295 s to go, shown as 55 minutes.
    assert str(refused.value) == "获取验证码过于频繁，请55分钟后再试。"
    assert SmsCode.objects.count() == 5


def test_a_refused_hourly_send_does_not_hold_the_minute_gap(any_cache, settings):
    settings.SMS_CODE_PHONE_PER_HOUR = 1
    with time_machine.travel(HOUR, tick=False) as clock:
        code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
        clock.shift(datetime.timedelta(seconds=61))
        with pytest.raises(CodeError, match="分钟后再试"):
            code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
        clock.shift(datetime.timedelta(hours=1))
        code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")


def test_ten_codes_a_day_per_phone(any_cache, settings):
    settings.SMS_CODE_PHONE_PER_HOUR = 100
    day = datetime.datetime(2026, 12, 2, 0, 0, tzinfo=datetime.UTC)
    with time_machine.travel(day, tick=False) as clock:
        for _ in range(10):
            code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
            clock.shift(datetime.timedelta(minutes=2))
        with pytest.raises(CodeError, match="小时后再试"):
            code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")


def test_one_ip_asking_for_many_phones_is_limited(any_cache, settings):
    settings.SMS_CODE_IP_PER_HOUR = 3
    with time_machine.travel(HOUR, tick=False):
        for i in range(3):
            code_send(phone=f"1390013900{i}", purpose="apply", ip="203.0.113.7")
        with pytest.raises(CodeError, match="获取验证码过于频繁，请1小时后再试"):
            code_send(phone="13900139009", purpose="apply", ip="203.0.113.7")
        code_send(phone="13900139009", purpose="apply", ip="203.0.113.8")  # another IP
    assert SmsCode.objects.count() == 4


def test_a_wrong_try_is_not_limited_by_the_cache(any_cache):
    with time_machine.travel(HOUR, tick=False):
        row = code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
        code = SmsMessage.objects.get(pk=row.message_id).params["code"]
        assert code_verify(phone=PHONE, purpose="apply", code=code)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "1秒"), (59, "59秒"), (60, "1分钟"), (61, "2分钟"), (3540, "59分钟"), (3600, "1小时"), (3601, "2小时")],
)
def test_wait_text(seconds, text):
    assert wait_text(seconds) == text


# The cache down ------------------------------------------------------------------------------


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/8",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_with_the_cache_down_code_sending_refuses_in_chinese_and_sends_nothing(cache_down):
    with pytest.raises(CodeError) as refused:
        code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
    assert str(refused.value) == "短信验证码服务暂时不可用，请稍后再试或到窗口办理。"
    assert not SmsCode.objects.exists() and not SmsMessage.objects.exists()


def test_with_the_cache_down_reads_fail_open(cache_down):
    assert cache_get("public:postings", default="从数据库读取") == "从数据库读取"


def test_with_the_cache_down_a_code_already_sent_still_verifies(settings):
    with time_machine.travel(HOUR, tick=False):
        row = code_send(phone=PHONE, purpose="apply", ip="10.0.0.1")
        code = SmsMessage.objects.get(pk=row.message_id).params["code"]
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{closed_port()}/8",
            }
        }
        assert code_verify(phone=PHONE, purpose="apply", code=code).pk == row.pk
