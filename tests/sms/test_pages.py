"""Staff outbox page, staff opt-out, the provider's reply webhook, the demo message page."""

import datetime
import json

import pytest
import time_machine
from django.urls import reverse

from gigmarket.core.models import AuditEvent, SmsMessage, SmsOptOut
from gigmarket.core.sms import sms_enqueue
from gigmarket.core.sms.services import sms_dispatch

pytestmark = pytest.mark.django_db

DAYTIME = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC)
NEED = {"trade": "保洁", "market": "南明区零工市场"}


def notice(county, phone="13800138000"):
    return sms_enqueue(to=phone, template="need_published", params=NEED, county=county)


@time_machine.travel(DAYTIME, tick=False)
def test_county_staff_see_their_countys_messages_masked_with_state_and_error(client, county_user, nanming, yunyan):
    mine = notice(nanming)
    notice(yunyan, phone="13900139000")
    SmsMessage.objects.filter(pk=mine.pk).update(state="failed", attempts=5, last_error="阿里云 isv.X: 模拟失败")
    client.force_login(county_user)
    response = client.get(reverse("sms:outbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "138****8000" in body and "13800138000" not in body
    assert "139****9000" not in body  # 云岩区 is not in 南明区's scope
    assert "发送失败" in body and "模拟失败" in body and "招工信息已发布" in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


@time_machine.travel(DAYTIME, tick=False)
def test_the_outbox_filters_by_state(client, province_user, nanming):
    notice(nanming)
    sent = notice(nanming, phone="13900139000")
    sms_dispatch(pk=sent.pk)
    client.force_login(province_user)
    body = client.get(reverse("sms:outbox"), {"state": "sent"}).content.decode()
    assert "139****9000" in body and "138****8000" not in body


@time_machine.travel(DAYTIME, tick=False)
def test_the_outbox_query_count_does_not_grow_with_rows(client, province_user, nanming, django_assert_num_queries):
    client.force_login(province_user)
    for i in range(3):
        notice(nanming, phone=f"1380013800{i}")
    client.get(reverse("sms:outbox"))  # warm the session and the user
    with django_assert_num_queries(5) as few:  # issue 19: the menu's division comes with the user
        client.get(reverse("sms:outbox"))
    for i in range(3, 12):
        notice(nanming, phone=f"138001380{i:02d}")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("sms:outbox"))


@time_machine.travel(DAYTIME, tick=False)
def test_staff_record_an_opt_out_and_pending_notices_are_withheld(client, clerk, nanming):
    pending = notice(nanming)
    client.force_login(clerk)
    response = client.post(reverse("sms:opt_out"), {"phone": "138 0013 8000"})
    assert response.status_code == 302
    optout = SmsOptOut.objects.get()
    assert optout.phone == "13800138000" and optout.source == "staff" and optout.recorded_by == clerk
    pending.refresh_from_db()
    assert pending.state == SmsMessage.State.OPTED_OUT
    event = AuditEvent.objects.get(target_type="gigmarket.smsoptout")
    assert event.changes["sms_withheld"] == 1 and "13800138000" not in json.dumps(event.changes)


def test_a_bad_number_is_answered_400_in_chinese_and_kept(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("sms:opt_out"), {"phone": "0851-8555"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "手机号码" in body and 'value="0851-8555"' in body
    assert not SmsOptOut.objects.exists()


def test_the_auditor_cannot_record_an_opt_out(client, auditor):
    client.force_login(auditor)
    assert client.post(reverse("sms:opt_out"), {"phone": "13800138000"}).status_code == 403
    assert not SmsOptOut.objects.exists()


@pytest.fixture
def token(settings):
    settings.SMS_INBOUND_TOKEN = "inbound-secret-token"
    return settings.SMS_INBOUND_TOKEN


def post_json(client, url, payload):
    return client.post(url, json.dumps(payload, ensure_ascii=False), content_type="application/json")


@time_machine.travel(DAYTIME, tick=False)
def test_an_aliyun_td_reply_records_the_opt_out(client, token, nanming):
    pending = notice(nanming)
    url = reverse("sms:inbound", args=[token])
    payload = [
        {
            "phone_number": "13800138000",
            "content": "TD",
            "sign_name": "贵州零工市场",
            "send_time": "2026-12-02 10:00:00",
        },
        {"phone_number": "13900139000", "content": "谢谢", "sign_name": "贵州零工市场"},
    ]
    response = post_json(client, url, payload)
    assert response.status_code == 200 and response.json()["code"] == 0
    assert [o.phone for o in SmsOptOut.objects.all()] == ["13800138000"]
    assert SmsOptOut.objects.get().source == "reply"
    pending.refresh_from_db()
    assert pending.state == SmsMessage.State.OPTED_OUT


def test_a_tencent_td_reply_records_the_opt_out_once(client, token):
    url = reverse("sms:inbound", args=[token])
    reply = {"extend": "", "mobile": "13800138000", "nationcode": "86", "sign": "贵州零工市场", "text": "td", "time": 1}
    assert post_json(client, url, reply).status_code == 200
    assert post_json(client, url, reply).status_code == 200
    assert SmsOptOut.objects.count() == 1


def test_the_webhook_refuses_a_wrong_token_and_bad_json(client, token):
    reply = {"mobile": "13800138000", "text": "TD"}
    assert post_json(client, reverse("sms:inbound", args=["wrong"]), reply).status_code == 404
    bad = client.post(reverse("sms:inbound", args=[token]), "{not json", content_type="application/json")
    assert bad.status_code == 400
    assert not SmsOptOut.objects.exists()


def test_the_webhook_is_off_without_a_token(client, settings):
    settings.SMS_INBOUND_TOKEN = ""
    assert (
        post_json(client, reverse("sms:inbound", args=["x"]), {"mobile": "13800138000", "text": "TD"}).status_code
        == 404
    )


@time_machine.travel(DAYTIME, tick=False)
def test_the_demo_page_shows_the_latest_codes_only_with_debug(client, settings):
    from gigmarket.core.sms import code_send

    row = code_send(phone="13800138000", purpose="apply", ip="10.0.0.9")
    code = SmsMessage.objects.get(pk=row.message_id).params["code"]
    settings.DEBUG = False
    assert client.get(reverse("sms:demo")).status_code == 404
    settings.DEBUG = True
    body = client.get(reverse("sms:demo")).content.decode()
    assert f"您的验证码为{code}" in body and "138****8000" in body and "13800138000" not in body


@time_machine.travel(DAYTIME, tick=False)
def test_staff_resend_a_failed_notice_and_it_goes_out_once_more(client, county_user, nanming, sms_log):
    message = notice(nanming)
    SmsMessage.objects.filter(pk=message.pk).update(state="failed", attempts=5, last_error="未配置模板")
    client.force_login(county_user)
    assert "重发" in client.get(reverse("sms:outbox")).content.decode()
    response = client.post(reverse("sms:resend", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == SmsMessage.State.PENDING and message.attempts == 0
    assert AuditEvent.objects.filter(target_type="gigmarket.smsmessage", action="transition").count() == 1
    assert sms_dispatch(pk=message.pk) == SmsMessage.State.SENT
    # Sent now: a second resend changes nothing.
    client.post(reverse("sms:resend", args=[message.pk]))
    message.refresh_from_db()
    assert message.state == SmsMessage.State.SENT


@time_machine.travel(DAYTIME, tick=False)
def test_a_code_is_never_resent_and_another_countys_message_is_not_found(client, county_user, nanming, yunyan):
    from gigmarket.core.sms import code_send

    row = code_send(phone="13800138000", purpose="apply", ip="10.0.0.1", county=nanming)
    SmsMessage.objects.filter(pk=row.message_id).update(state="failed")
    other = notice(yunyan, phone="13900139000")
    SmsMessage.objects.filter(pk=other.pk).update(state="failed")
    client.force_login(county_user)
    response = client.post(reverse("sms:resend", args=[row.message_id]), follow=True)
    assert "验证码短信不重发" in response.content.decode()
    assert SmsMessage.objects.get(pk=row.message_id).state == SmsMessage.State.FAILED
    assert client.post(reverse("sms:resend", args=[other.pk])).status_code == 404
    assert SmsMessage.objects.get(pk=other.pk).state == SmsMessage.State.FAILED
