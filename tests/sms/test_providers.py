"""The Alibaba Cloud and Tencent Cloud backends, each through its official SDK, against a
local fake endpoint (SMS_ENDPOINT): the request they send and how refusals are kept."""

import datetime
import json
import socket

import pytest
import time_machine

from gigmarket.core.models import SmsMessage
from gigmarket.core.sms import sms_enqueue
from gigmarket.core.sms.services import sms_dispatch
from tests.sms.fake_provider import FakeProvider

pytestmark = pytest.mark.django_db

DAYTIME = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Guizhou
PHONE = "13800138000"
CONFIRMED = {
    "trade": "搬运工",
    "date": "12月3日",
    "time": "08:00",
    "place": "南明区花果园",
    "contact": "13900139000",
    "market": "南明区零工市场",
    "hotline": "0851-85550101",
}
# The order of match_confirmed's {1}…{7} (what the Tencent Cloud template is registered with).
ORDER = ("trade", "date", "time", "place", "contact", "market", "hotline")


@pytest.fixture
def fake():
    with FakeProvider() as server:
        yield server


@pytest.fixture
def aliyun(settings, fake):
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ENDPOINT = fake.endpoint
    settings.SMS_ENDPOINT_SCHEME = "http"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "LTAI-test-key"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "test-secret"
    settings.SMS_SIGNATURE = "贵州零工市场"
    settings.SMS_TEMPLATE_CODES = {"match_confirmed": "SMS_470001", "code": "SMS_470000"}
    return fake


@pytest.fixture
def tencent(settings, fake):
    settings.SMS_BACKEND = "tencent"
    settings.SMS_ENDPOINT = fake.endpoint
    settings.SMS_ENDPOINT_SCHEME = "http"
    settings.SMS_TENCENT_SECRET_ID = "AKID-test"
    settings.SMS_TENCENT_SECRET_KEY = "test-key"
    settings.SMS_TENCENT_APP_ID = "1400123456"
    settings.SMS_TENCENT_REGION = "ap-guangzhou"
    settings.SMS_SIGNATURE = "贵州零工市场"
    settings.SMS_TEMPLATE_CODES = {"match_confirmed": "2100001", "code": "2100000"}
    return fake


def send(template="match_confirmed", params=None):
    message = sms_enqueue(to=PHONE, template=template, params=params or CONFIRMED)
    state = sms_dispatch(pk=message.pk)
    message.refresh_from_db()
    return state, message


ALIYUN_OK = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5-B967"}


def tencent_status(code="Ok", message="send success"):
    return {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "2028:f825e6b16e23f73f4123",
                    "PhoneNumber": "+8613800138000",
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": code,
                    "Message": message,
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
        }
    }


@time_machine.travel(DAYTIME, tick=False)
def test_aliyun_sends_template_code_params_phone_and_signature(aliyun):
    aliyun.answer(ALIYUN_OK)
    state, message = send()
    assert state == SmsMessage.State.SENT
    assert message.backend == "aliyun" and message.provider_message_id == "900619746936498440^0"
    (request,) = aliyun.requests
    assert request.method == "POST"
    assert request.query["PhoneNumbers"] == PHONE
    assert request.query["SignName"] == "贵州零工市场"
    assert request.query["TemplateCode"] == "SMS_470001"
    assert json.loads(request.query["TemplateParam"]) == CONFIRMED
    assert request.headers.get("x-acs-action") == "SendSms"
    assert "LTAI-test-key" in request.headers.get("Authorization", "")


@time_machine.travel(DAYTIME, tick=False)
def test_aliyun_refusing_the_number_fails_for_good_with_the_reason(aliyun):
    aliyun.answer({"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "R1"})
    state, message = send()
    assert state == SmsMessage.State.FAILED
    assert message.attempts == 1
    assert "isv.MOBILE_NUMBER_ILLEGAL" in message.last_error and "非法手机号" in message.last_error


@time_machine.travel(DAYTIME, tick=False)
def test_aliyun_flow_control_is_retried_later(aliyun, settings):
    settings.SMS_RETRY_BASE_SECONDS = 30
    aliyun.answer({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控", "RequestId": "R2"})
    state, message = send()
    assert state == SmsMessage.State.PENDING
    assert message.not_before == DAYTIME + datetime.timedelta(seconds=30)
    assert "BUSINESS_LIMIT_CONTROL" in message.last_error


@time_machine.travel(DAYTIME, tick=False)
def test_aliyun_wrong_keys_answered_with_http_400_fail_for_good(aliyun):
    aliyun.answer({"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}, 400)
    state, message = send()
    assert state == SmsMessage.State.FAILED
    assert "InvalidAccessKeyId.NotFound" in message.last_error


@time_machine.travel(DAYTIME, tick=False)
def test_aliyun_server_error_is_retried(aliyun):
    aliyun.answer({"Code": "ServiceUnavailable", "Message": "busy"}, 503)
    state, message = send()
    assert state == SmsMessage.State.PENDING and message.attempts == 1
    assert "ServiceUnavailable" in message.last_error


@time_machine.travel(DAYTIME, tick=False)
def test_tencent_sends_template_id_ordered_params_phone_and_app_id(tencent):
    tencent.answer(tencent_status())
    state, message = send()
    assert state == SmsMessage.State.SENT
    assert message.backend == "tencent" and message.provider_message_id == "2028:f825e6b16e23f73f4123"
    (request,) = tencent.requests
    assert request.headers.get("X-TC-Action") == "SendSms"
    assert request.headers.get("X-TC-Version") == "2021-01-11"
    assert request.headers.get("X-TC-Region") == "ap-guangzhou"
    assert "AKID-test" in request.headers.get("Authorization", "")
    assert request.json == {
        "PhoneNumberSet": ["+8613800138000"],
        "SmsSdkAppId": "1400123456",
        "SignName": "贵州零工市场",
        "TemplateId": "2100001",
        "TemplateParamSet": [CONFIRMED[name] for name in ORDER],
    }


@time_machine.travel(DAYTIME, tick=False)
def test_tencent_daily_limit_for_the_number_fails_for_good(tencent):
    tencent.answer(tencent_status("LimitExceeded.PhoneNumberDailyLimit", "单个手机号日发送量超限"))
    state, message = send()
    assert state == SmsMessage.State.FAILED
    assert "LimitExceeded.PhoneNumberDailyLimit" in message.last_error


@time_machine.travel(DAYTIME, tick=False)
def test_tencent_signature_failure_fails_for_good(tencent):
    tencent.answer(
        {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "签名错误"}, "RequestId": "R3"}}
    )
    state, message = send()
    assert state == SmsMessage.State.FAILED
    assert "AuthFailure.SignatureFailure" in message.last_error


@time_machine.travel(DAYTIME, tick=False)
def test_tencent_internal_error_is_retried(tencent):
    tencent.answer({"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "超时"}, "RequestId": "R4"}})
    state, message = send()
    assert state == SmsMessage.State.PENDING
    assert "InternalError.Timeout" in message.last_error


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
@time_machine.travel(DAYTIME, tick=False)
def test_an_unreachable_provider_is_retried(backend, request, settings):
    request.getfixturevalue(backend)
    settings.SMS_ENDPOINT = f"127.0.0.1:{closed_port()}"
    settings.SMS_TIMEOUT_SECONDS = 2
    state, message = send()
    assert state == SmsMessage.State.PENDING and message.attempts == 1
    assert message.last_error


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
@time_machine.travel(DAYTIME, tick=False)
def test_a_template_without_a_provider_code_fails_for_good_without_a_request(backend, request, settings):
    fake = request.getfixturevalue(backend)
    settings.SMS_TEMPLATE_CODES = {}
    state, message = send()
    assert state == SmsMessage.State.FAILED
    assert "SMS_TEMPLATE_CODES" in message.last_error
    assert fake.requests == []
