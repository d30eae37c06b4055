"""Public pages keep working when Redis (the cache) is down: reads fail open, code sending
fails closed with a Chinese message and sends nothing.

The cache points at a port nobody listens on (redis://127.0.0.1:<closed>/0).
"""

import socket

import pytest
from django.urls import reverse

from gigmarket.core.models import SmsCode, SmsMessage
from tests.factories.markets import complete_market
from tests.factories.registry import PostingFactory

CODE_DOWN = "短信验证码服务暂时不可用，请稍后再试或到窗口办理。"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def public_market(nanming):
    market = complete_market(county=nanming)
    posting = PostingFactory(market=market, place="金阳工地")
    return market, posting


def test_public_pages_answer_without_the_cache(client, redis_down, public_market):
    market, posting = public_market
    pages = [
        "/",
        reverse("markets:directory"),
        reverse("markets:directory_detail", args=[market.pk]),  # the QR target
        reverse("jobs:search"),
        reverse("jobs:search") + f"?market={market.pk}&when=today",
        reverse("jobs:apply", args=[posting.pk]),
        reverse("prereg:register", args=[market.pk]),
        reverse("hire:form"),
        reverse("hire:mine"),
        reverse("jobs:my"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    body = client.get(reverse("jobs:search")).content.decode()
    assert "金阳工地" in body
    assert market.name in client.get(reverse("markets:directory_detail", args=[market.pk])).content.decode()


@pytest.mark.parametrize(
    "url_for, data",
    [
        (lambda m, p: reverse("jobs:apply", args=[p.pk]), {"action": "send_code", "mobile": "13812345678"}),
        (lambda m, p: reverse("prereg:register", args=[m.pk]), {"action": "send_code", "mobile": "13812345678"}),
        (lambda m, p: reverse("jobs:my"), {"action": "send_code", "mobile": "13812345678"}),
        (lambda m, p: reverse("hire:form"), {"action": "code", "phone": "13812345678", "name": "王五"}),
        (lambda m, p: reverse("hire:mine"), {"action": "code", "phone": "13812345678"}),
    ],
)
def test_code_sending_refuses_in_chinese_and_sends_nothing(client, redis_down, public_market, url_for, data):
    market, posting = public_market
    response = client.post(url_for(market, posting), data)
    assert response.status_code in (200, 400)
    body = response.content.decode()
    assert CODE_DOWN in body
    assert "13812345678" in body  # what was typed is kept
    assert not SmsCode.objects.exists() and not SmsMessage.objects.exists()


def test_staff_filters_and_trade_writes_work_without_the_cache(client, redis_down, public_market, province_user):
    """The filter bars' cached options (gigmarket/core/choice_cache.py) fail open too."""
    from markets.models import Trade
    from tests.factories.markets import TradeFactory

    trade = TradeFactory(name="停缓存工种")  # its save replaces the options' token: must not raise
    client.force_login(province_user)
    response = client.get(reverse("markets:list"))
    assert response.status_code == 200 and "停缓存工种" in response.content.decode()
    assert Trade.objects.filter(pk=trade.pk).exists()
