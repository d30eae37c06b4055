"""The proven phone (registry.public): one proof per purpose, kept in the session, for a set time."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import SmsMessage

pytestmark = pytest.mark.django_db

PHONE = "13512340000"
MY_PAGE, HIRE_MINE = reverse("jobs:my"), reverse("hire:mine")


@pytest.fixture(autouse=True)
def _sms_file(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")


def last_code(phone=PHONE):
    return SmsMessage.objects.filter(SmsMessage.to.matches(phone), template="code").latest("pk").params["code"]


def prove_as_worker(client):
    client.post(MY_PAGE, {"action": "send_code", "mobile": PHONE})
    assert client.post(MY_PAGE, {"action": "login", "mobile": PHONE, "code": last_code()}).status_code == 302


def prove_as_employer(client):
    client.post(HIRE_MINE, {"action": "code", "phone": PHONE})
    assert client.post(HIRE_MINE, {"action": "verify", "phone": PHONE, "code": last_code()}).status_code == 302


def test_the_proof_is_in_the_session_as_ciphertext_and_renews_the_session_id(client):
    client.get(MY_PAGE)
    client.session.save()
    planted = client.session.session_key
    prove_as_worker(client)
    assert client.session.session_key != planted
    assert PHONE not in str(dict(client.session.items()))
    assert "我的报名" in client.get(MY_PAGE).content.decode()


def after_the_resend_wait():
    """A second code to the same phone is refused for a minute: travel past it."""
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=2))


def test_a_worker_proof_does_not_open_the_employer_page_and_back(client):
    prove_as_worker(client)
    assert 'name="code"' in client.get(HIRE_MINE).content.decode()
    client.logout()
    with after_the_resend_wait():
        prove_as_employer(client)
        assert "获取验证码" in client.get(MY_PAGE).content.decode()


def test_the_employer_proof_expires_after_thirty_minutes(client):
    prove_as_employer(client)
    assert 'name="code"' not in client.get(HIRE_MINE).content.decode()
    later = timezone.now() + datetime.timedelta(minutes=31)
    with time_machine.travel(later):
        assert 'name="code"' in client.get(HIRE_MINE).content.decode()


def test_signing_out_of_one_keeps_the_other(client):
    prove_as_worker(client)
    with after_the_resend_wait():
        prove_as_employer(client)
        client.post(reverse("jobs:my_logout"))
        assert "获取验证码" in client.get(MY_PAGE).content.decode()
        assert 'name="code"' not in client.get(HIRE_MINE).content.decode()
