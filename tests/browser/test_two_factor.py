"""Journey 6: a county user enrols an authenticator at the first login, then logs in with a code.

The test plays the phone: it reads the key printed under the QR code and computes the code
with django-otp's own `totp`, as an authenticator app would.
"""

import base64
import re
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from gigmarket.core.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def authenticator_code(secret_text, steps_ahead=0):
    """What an authenticator app shows for the key typed in by hand (base32, spaces ignored)."""
    raw = secret_text.replace(" ", "").upper()
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return str(totp(key, drift=steps_ahead)).zfill(6)


def test_county_user_enrols_at_first_login_and_then_logs_in_with_a_code(open_session, settings, county_user):
    settings.OTP_REQUIRED_ROLES = ["province", "auditor", "city", "county"]
    session = open_session()
    page = session.page
    page.set_viewport_size({"width": 1366, "height": 900})
    session.login(county_user.username)

    # Straight to enrolment: QR code, the key, a field for the first code.
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    expect(page.get_by_role("heading", name="启用两步验证")).to_be_visible()
    qr = page.get_by_alt_text("两步验证二维码")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.locator("#totp-secret").inner_text()
    session.screenshot("journey6-enrol-1366")
    page.set_viewport_size({"width": 375, "height": 800})
    session.screenshot("journey6-enrol-375")
    page.set_viewport_size({"width": 1366, "height": 900})

    # Other pages stay closed until the code is given.
    page.goto("/markets/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next=%2Fmarkets%2F"))
    secret = page.locator("#totp-secret").inner_text()  # a new key for this visit

    page.get_by_label("验证码").fill(authenticator_code(secret))
    page.get_by_role("button", name="确认并启用").click()

    # Recovery codes, shown once.
    expect(page.get_by_role("heading", name="两步验证恢复码")).to_be_visible()
    codes = set(StaticToken.objects.filter(device__user=county_user).values_list("token", flat=True))
    assert len(codes) == 10
    shown = set(page.locator("#recovery-codes code").all_inner_texts())
    assert shown == codes
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    assert set(codes) <= set(Path(download.value.path()).read_text(encoding="utf-8").split())
    session.screenshot("journey6-recovery-codes-1366")
    page.get_by_role("button", name="我已妥善保存，继续").click()
    expect(page).to_have_url(re.compile(r"/markets/$"))

    # Log out, log in again: the code step after the password.
    page.get_by_role("button", name=re.compile(county_user.display_name)).click()
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    session.login(county_user.username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    expect(page.get_by_role("heading", name="两步验证")).to_be_visible()
    session.screenshot("journey6-code-step-1366")
    page.set_viewport_size({"width": 375, "height": 800})
    session.screenshot("journey6-code-step-375")

    # A wrong code first, then the next code the app shows (the enrolment used the current one).
    page.get_by_label("验证码").fill("000000" if authenticator_code(secret, 1) != "000000" else "111111")
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_text("验证码不正确或已使用过")).to_be_visible()
    page.get_by_label("验证码").fill(authenticator_code(secret, steps_ahead=1))
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()

    assert TOTPDevice.objects.get(user=county_user).confirmed
    own = AuditEvent.objects.filter(actor_username=county_user.username)
    assert own.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 1
    assert own.filter(action=AuditEvent.Action.LOGIN, changes__second_factor="动态验证码").count() == 1
