"""Two-factor login (等保 8.1.4.1 d): enrolment, the code step, lockout, recovery codes, resets, policy.

Codes are real TOTP codes computed from the device key with django-otp's own `totp`
helper; nothing about the verification is mocked.
"""

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gigmarket.core.models import AuditEvent
from markets.models import Market
from tests.core.test_security_headers import run_manage
from tests.factories.core import TEST_PASSWORD, UserFactory, division

LOGIN = "/accounts/login/"
SETUP = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"
CODES = "/accounts/two-factor/recovery-codes/"
PRODUCTION_ROLES = ["province", "auditor", "city", "county"]
NOW = datetime.datetime(2026, 3, 2, 9, 0, 10, tzinfo=datetime.UTC)


def code_for(device, steps_ahead=0):
    """The code the user's authenticator shows now (or `steps_ahead` 30-second steps later)."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return str(value).zfill(device.digits)


def enrol(user):
    """An enrolled user: a confirmed authenticator and 10 recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="恢复码")
    codes = [StaticToken.random_token() for _ in range(10)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return device, codes


def login(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def events(action, username):
    return AuditEvent.objects.filter(action=action, actor_username=username).order_by("id")


@pytest.fixture
def production(settings):
    """The production profile's policy (the tests' settings switch it off by default)."""
    settings.OTP_REQUIRED_ROLES = PRODUCTION_ROLES
    return settings


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# Enrolment -----------------------------------------------------------------------------------


def test_a_county_user_who_must_use_2fa_is_sent_to_enrolment_right_after_the_password(client, production, county_user):
    response = login(client, county_user)
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2F"
    for url in ["/markets/", "/users/", "/audit/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url


def test_enrolment_shows_the_qr_code_and_key_and_a_first_code_turns_it_on(client, production, county_user, frozen):
    login(client, county_user)
    response = client.get(SETUP)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'src="data:image/svg+xml' in body
    assert "启用两步验证" in body and "确认并启用" in body
    device = TOTPDevice.objects.get(user=county_user)
    assert device.confirmed is False
    assert response.context["secret"].replace(" ", "") in body.replace(" ", "")

    response = client.post(SETUP, {"code": code_for(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"].startswith(CODES)
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.session["otp_device_id"] == device.persistent_id
    row = events(AuditEvent.Action.UPDATE, county_user.username).get()
    assert row.changes["two_factor"] == ["未启用", "已启用"]
    assert row.target_id == str(county_user.pk)

    # The recovery codes, shown once, downloadable, then gone.
    codes = sorted(StaticToken.objects.filter(device__user=county_user).values_list("token", flat=True))
    assert len(codes) == 10
    body = client.get(CODES).content.decode()
    assert all(code in body for code in codes)
    download = client.get(f"{CODES}download/")
    assert download["Content-Disposition"].startswith("attachment")
    assert "no-store" in download["Cache-Control"]
    assert all(code in download.content.decode() for code in codes)
    assert client.post(CODES, {"next": "/"})["Location"] == "/"
    assert client.get(CODES)["Location"] == SETUP
    assert client.get(f"{CODES}download/")["Location"] == SETUP

    # The portal is open; the key and QR code are never shown again.
    assert client.get("/markets/").status_code == 200
    body = client.get(SETUP).content.decode()
    assert "已启用" in body and "data:image/svg+xml" not in body
    assert device.key not in body


def test_each_visit_to_enrolment_makes_a_new_key_and_a_wrong_code_keeps_the_one_shown(
    client, production, county_user, frozen
):
    login(client, county_user)
    client.get(SETUP)
    first = TOTPDevice.objects.get(user=county_user)
    client.get(SETUP)
    second = TOTPDevice.objects.get(user=county_user)
    assert first.pk != second.pk

    wrong = str((int(code_for(second)) + 1) % 1_000_000).zfill(6)
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 400
    assert "验证码不正确或已使用过" in response.content.decode()
    assert response.context["secret"].replace(" ", "") in response.content.decode().replace(" ", "")
    second.refresh_from_db()
    assert second.confirmed is False
    assert TOTPDevice.objects.filter(user=county_user).count() == 1
    assert client.get("/markets/").status_code == 302


def test_a_user_with_an_authenticator_cannot_enrol_again_before_giving_a_code(client, production, county_user):
    device, _ = enrol(county_user)
    login(client, county_user)
    response = client.get(SETUP)
    assert response["Location"] == VERIFY
    assert list(TOTPDevice.objects.filter(user=county_user)) == [device]


# The code step ---------------------------------------------------------------------------------


def test_login_asks_for_the_code_and_the_right_code_opens_the_portal(client, production, county_user, frozen):
    device, _ = enrol(county_user)
    login(client, county_user)
    response = client.get("/markets/")
    assert response["Location"] == f"{VERIFY}?next=%2Fmarkets%2F"
    body = client.get(response["Location"]).content.decode()
    assert "两步验证" in body and 'autocomplete="one-time-code"' in body

    response = client.post(VERIFY, {"code": code_for(device), "next": "/markets/"})
    assert response.status_code == 302
    assert response["Location"] == "/markets/"
    assert client.get("/markets/").status_code == 200
    row = events(AuditEvent.Action.LOGIN, county_user.username).last()
    assert row.changes == {"second_factor": "动态验证码"}
    assert "两步验证通过" in row.target_repr
    assert row.county == county_user.division


def test_code_within_one_step_of_the_clock_is_accepted(client, production, county_user, frozen):
    device, _ = enrol(county_user)
    login(client, county_user)
    assert client.post(VERIFY, {"code": code_for(device, steps_ahead=1)}).status_code == 302


def test_code_two_steps_off_is_refused(client, production, county_user, frozen):
    device, _ = enrol(county_user)
    login(client, county_user)
    assert client.post(VERIFY, {"code": code_for(device, steps_ahead=3)}).status_code == 400


def test_next_pointing_off_site_goes_to_the_dashboard(client, production, county_user, frozen):
    device, _ = enrol(county_user)
    login(client, county_user)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_wrong_code_is_refused_with_a_chinese_message_and_audited(client, production, county_user, frozen):
    device, _ = enrol(county_user)
    login(client, county_user)
    wrong = str((int(code_for(device)) + 1) % 1_000_000).zfill(6)
    response = client.post(VERIFY, {"code": wrong, "next": "/markets/"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "验证码不正确或已使用过" in body and "还可尝试4次" in body
    assert 'value="/markets/"' in body
    assert "otp_device_id" not in client.session
    row = events(AuditEvent.Action.LOGIN_FAILED, county_user.username).get()
    assert row.changes == {"second_factor": "动态验证码", "reason": "验证码错误或已使用过", "failures": 1}
    assert client.get("/markets/").status_code == 302


def test_an_empty_code_is_a_form_error_not_a_failure(client, production, county_user):
    enrol(county_user)
    login(client, county_user)
    response = client.post(VERIFY, {"code": ""})
    assert response.status_code == 400
    assert "请输入验证码" in response.content.decode()
    assert not events(AuditEvent.Action.LOGIN_FAILED, county_user.username).exists()


def test_the_same_code_cannot_be_used_twice(production, county_user, frozen):
    device, _ = enrol(county_user)
    first, second = Client(), Client()
    login(first, county_user)
    code = code_for(device)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    login(second, county_user)
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert second.get("/markets/").status_code == 302
    # The next code (the authenticator's next 30 seconds) works.
    assert second.post(VERIFY, {"code": code_for(device, steps_ahead=1)}).status_code == 302


def test_five_wrong_codes_lock_the_step_for_15_minutes_audited_once(client, production, county_user, frozen):
    device, _ = enrol(county_user)
    login(client, county_user)
    wrong = str((int(code_for(device)) + 1) % 1_000_000).zfill(6)
    for _ in range(4):
        assert client.post(VERIFY, {"code": wrong}).status_code == 400
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 429
    assert "两步验证已暂时锁定" in response.content.decode()

    # While locked even the right code is refused, and the retry is not another lock row.
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 429
    assert client.get(VERIFY).status_code == 429
    assert client.get("/markets/").status_code == 302
    locks = events(AuditEvent.Action.LOGIN_FAILED, county_user.username).filter(changes__reason="两步验证锁定")
    assert locks.count() == 1
    assert locks.get().changes == {"reason": "两步验证锁定", "failures": 5, "lockout_minutes": 15}
    assert events(AuditEvent.Action.LOGIN_FAILED, county_user.username).count() == 6

    frozen.shift(datetime.timedelta(minutes=14))
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 429
    frozen.shift(datetime.timedelta(minutes=2))
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert client.get("/markets/").status_code == 200


def test_a_right_code_ends_the_run_of_wrong_ones_of_either_kind(production, county_user, frozen):
    device, _ = enrol(county_user)
    first = Client()
    login(first, county_user)
    for _ in range(3):
        assert first.post(VERIFY, {"code": "zzzzzzzz"}).status_code == 400  # wrong recovery codes
    assert first.post(VERIFY, {"code": code_for(device)}).status_code == 302
    second = Client()
    login(second, county_user)
    wrong = str((int(code_for(device, steps_ahead=1)) + 1) % 1_000_000).zfill(6)
    for _ in range(4):
        assert second.post(VERIFY, {"code": wrong}).status_code == 400
    assert second.post(VERIFY, {"code": code_for(device, steps_ahead=1)}).status_code == 302


def test_the_lock_follows_the_settings(client, production, county_user, frozen):
    production.OTP_FAILURE_LIMIT = 2
    production.OTP_LOCKOUT_MINUTES = 1
    device, _ = enrol(county_user)
    login(client, county_user)
    wrong = str((int(code_for(device)) + 1) % 1_000_000).zfill(6)
    assert client.post(VERIFY, {"code": wrong}).status_code == 400
    assert client.post(VERIFY, {"code": wrong}).status_code == 429
    frozen.shift(datetime.timedelta(seconds=61))
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_wrong_codes_while_enrolling_lock_too(client, production, county_user, frozen):
    login(client, county_user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=county_user)
    wrong = str((int(code_for(device)) + 1) % 1_000_000).zfill(6)
    for _ in range(4):
        assert client.post(SETUP, {"code": wrong}).status_code == 400
    assert client.post(SETUP, {"code": "abcdefgh"}).status_code == 429
    assert client.post(SETUP, {"code": code_for(device)}).status_code == 429
    device.refresh_from_db()
    assert device.confirmed is False


# Recovery codes --------------------------------------------------------------------------------


def test_a_recovery_code_works_once(production, county_user):
    _, codes = enrol(county_user)
    first = Client()
    login(first, county_user)
    response = first.post(VERIFY, {"code": codes[3].upper()[:4] + " " + codes[3][4:]}, follow=True)
    assert response.status_code == 200
    assert "还剩9个" in response.content.decode()
    assert first.get("/markets/").status_code == 200
    row = events(AuditEvent.Action.LOGIN, county_user.username).last()
    assert row.changes == {"second_factor": "恢复码", "recovery_codes": "已使用1个，剩余9个"}

    second = Client()
    login(second, county_user)
    assert second.post(VERIFY, {"code": codes[3]}).status_code == 400
    assert second.get("/markets/").status_code == 302
    assert StaticToken.objects.filter(device__user=county_user).count() == 9


def test_regenerating_recovery_codes_replaces_them_and_is_audited(client, production, county_user, frozen):
    device, old = enrol(county_user)
    login(client, county_user)
    client.post(VERIFY, {"code": code_for(device)})
    body = client.get(SETUP).content.decode()
    assert "剩余恢复码" in body and "10 个" in body

    response = client.post(f"{CODES}new/")
    assert response["Location"] == CODES
    new = set(StaticToken.objects.filter(device__user=county_user).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old)
    assert all(code in client.get(CODES).content.decode() for code in new)
    row = events(AuditEvent.Action.UPDATE, county_user.username).get()
    assert row.changes == {"recovery_codes": "重新生成10个，原恢复码作废"}


def test_regenerating_needs_the_second_factor_first(client, production, county_user):
    _, old = enrol(county_user)
    login(client, county_user)
    response = client.post(f"{CODES}new/")
    assert response["Location"].startswith(VERIFY)
    assert set(StaticToken.objects.filter(device__user=county_user).values_list("token", flat=True)) == set(old)


# Reset by a higher role ------------------------------------------------------------------------


def reset_url(user):
    return f"/users/{user.pk}/two-factor-reset/"


def test_province_resets_a_county_users_2fa_with_a_reason_and_they_enrol_again(
    client, production, province_user, county_user, frozen
):
    enrol(county_user)
    # force_login gives no second factor: the province user verifies like anyone else.
    device, _ = enrol(province_user)
    client.force_login(province_user)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    page = client.get(reset_url(county_user))
    assert page.status_code == 200
    assert "已启用两步验证" in page.content.decode()

    response = client.post(reset_url(county_user), {"reason": "  "})
    assert response.status_code == 400
    assert "请填写重置原因" in response.content.decode()
    assert TOTPDevice.objects.filter(user=county_user).exists()

    response = client.post(reset_url(county_user), {"reason": "手机丢失"})
    assert response["Location"] == "/users/"
    assert not TOTPDevice.objects.filter(user=county_user).exists()
    assert not StaticDevice.objects.filter(user=county_user).exists()
    row = AuditEvent.objects.filter(target_id=str(county_user.pk), actor_username="prov").get()
    assert row.changes == {"two_factor": ["已启用", "已重置"], "reason": "手机丢失"}
    assert row.county == county_user.division

    other = Client()
    login(other, county_user)
    assert other.get("/markets/")["Location"].startswith(SETUP)


def test_an_open_verified_session_loses_its_verification_when_reset(production, city_user, county_user, frozen):
    device, _ = enrol(county_user)
    own = Client()
    login(own, county_user)
    own.post(VERIFY, {"code": code_for(device)})
    assert own.get("/markets/").status_code == 200
    manager = Client()
    city_device, _ = enrol(city_user)
    manager.force_login(city_user)
    assert manager.post(VERIFY, {"code": code_for(city_device)}).status_code == 302
    assert manager.post(reset_url(county_user), {"reason": "更换手机"}).status_code == 302
    assert own.get("/markets/")["Location"].startswith(VERIFY)
    assert own.get(VERIFY)["Location"] == SETUP


def test_county_user_resets_its_clerk_but_gets_404_for_another_countys(client, county_user, clerk, clerk2):
    enrol(clerk)
    enrol(clerk2)
    client.force_login(county_user)
    assert client.post(reset_url(clerk), {"reason": "换手机"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert client.get(reset_url(clerk2)).status_code == 404
    assert client.post(reset_url(clerk2), {"reason": "换手机"}).status_code == 404
    assert TOTPDevice.objects.filter(user=clerk2).exists()


def test_city_user_gets_404_for_a_county_user_of_another_city(client, city_user):
    outsider = UserFactory(role="county", division=division("520302"), username="zy_county")
    enrol(outsider)
    client.force_login(city_user)
    assert client.post(reset_url(outsider), {"reason": "换手机"}).status_code == 404
    assert TOTPDevice.objects.filter(user=outsider).exists()


def test_a_county_user_cannot_reset_a_peer_or_a_higher_role(client, county_user, county2_user, city_user):
    client.force_login(county_user)
    for target in (county2_user, city_user):
        enrol(target)
        assert client.post(reset_url(target), {"reason": "x"}).status_code == 404
        assert TOTPDevice.objects.filter(user=target).exists()


def test_the_auditor_gets_403_and_nothing_changes(client, auditor, county_user):
    enrol(county_user)
    client.force_login(auditor)
    assert client.get(reset_url(county_user)).status_code == 403
    assert client.post(reset_url(county_user), {"reason": "x"}).status_code == 403
    assert TOTPDevice.objects.filter(user=county_user).exists()


def test_nobody_resets_their_own_2fa(client, province_user, frozen):
    device, _ = enrol(province_user)
    client.force_login(province_user)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert client.post(reset_url(province_user), {"reason": "x"}).status_code == 403
    assert TOTPDevice.objects.filter(user=province_user).exists()


def test_the_user_list_shows_who_has_2fa_and_offers_the_reset(client, county_user, clerk):
    enrol(clerk)
    client.force_login(county_user)
    body = client.get("/users/").content.decode()
    assert reset_url(clerk) in body
    assert "已启用" in body


# Policy ----------------------------------------------------------------------------------------


def test_demo_profile_offers_2fa_without_forcing_it(client, settings, county_user, frozen):
    settings.OTP_REQUIRED_ROLES = []
    login(client, county_user)
    assert client.get("/markets/").status_code == 200
    assert 'href="/accounts/two-factor/"' in client.get("/").content.decode()
    # A user who chooses to enrol is asked for a code from then on.
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=county_user)
    client.post(SETUP, {"code": code_for(device)})
    client.post(CODES)
    client.logout()
    login(client, county_user)
    assert client.get("/markets/")["Location"].startswith(VERIFY)


@pytest.mark.parametrize("role", ["province", "auditor", "city", "county"])
def test_production_policy_makes_each_staff_role_enrol(client, db, production, role):
    code = {"province": "520000", "auditor": "520000", "city": "520100", "county": "520102"}[role]
    user = UserFactory(role=role, division=division(code), username=f"must_{role}")
    login(client, user)
    assert client.get("/")["Location"].startswith(SETUP)


def test_production_policy_leaves_clerks_optional_by_default(client, production, clerk):
    login(client, clerk)
    assert client.get("/registry/workers/").status_code == 200


def test_superusers_count_as_province_staff(client, db, production):
    root = UserFactory(username="root", is_superuser=True, is_staff=True, division=None)
    login(client, root)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_a_county_switches_2fa_on_for_its_clerks_audited(client, county_user, clerk, clerk2):
    client.force_login(county_user)
    assert 'id="clerk-two-factor-policy"' in client.get("/users/").content.decode()
    response = client.post("/users/two-factor-policy/", {"clerks_need_two_factor": "on"})
    assert response["Location"] == "/users/"
    county = division("520102")
    assert county.clerks_need_two_factor is True
    row = AuditEvent.objects.get(target_type="gigmarket.division", target_id=str(county.pk))
    assert row.changes == {"clerks_need_two_factor": [False, True]}

    own, other = Client(), Client()
    login(own, clerk)
    assert own.get("/")["Location"].startswith(SETUP)
    login(other, clerk2)
    assert other.get("/").status_code == 200

    client.post("/users/two-factor-policy/", {})
    assert division("520102").clerks_need_two_factor is False


@pytest.mark.parametrize("who", ["province_user", "city_user", "auditor", "clerk"])
def test_only_county_staff_set_the_clerk_switch(client, request, who, nanming):
    client.force_login(request.getfixturevalue(who))
    assert client.post("/users/two-factor-policy/", {"clerks_need_two_factor": "on"}).status_code == 403
    nanming.refresh_from_db()
    assert nanming.clerks_need_two_factor is False


def test_production_profile_requires_2fa_for_the_four_staff_roles():
    code = "import json; from django.conf import settings; print(json.dumps(settings.OTP_REQUIRED_ROLES))"
    result = run_manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == PRODUCTION_ROLES
    demo = run_manage("shell", "-c", code, extra_env={"DEBUG": "1"})
    assert json.loads(demo.stdout.strip().splitlines()[-1]) == []
    chosen = run_manage("shell", "-c", code, extra_env={"OTP_REQUIRED_ROLES": "province,clerk"})
    assert json.loads(chosen.stdout.strip().splitlines()[-1]) == ["province", "clerk"]


def test_a_misspelt_role_stops_the_start():
    result = run_manage("check", extra_env={"OTP_REQUIRED_ROLES": "province,county_user"})
    assert result.returncode != 0
    assert "OTP_REQUIRED_ROLES" in result.stderr


# What an unverified session can and cannot do ---------------------------------------------------


def test_an_unverified_post_is_refused_before_the_view_and_saves_nothing(client, production, county_user, market):
    enrol(county_user)
    login(client, county_user)
    before = Market.objects.values().get(pk=market.pk)
    response = client.post(f"/markets/{market.pk}/edit/", {"address": "改过的地址"})
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert Market.objects.values().get(pk=market.pk) == before


def test_logout_healthz_and_static_files_stay_open(client, production, county_user):
    enrol(county_user)
    login(client, county_user)
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/portal.css").status_code in (200, 404)  # not a redirect to the code step
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert any(e.action == AuditEvent.Action.LOGOUT for e in AuditEvent.objects.filter(actor_username="nm_county"))


def test_the_second_factor_comes_before_a_forced_password_change(client, production, county_user, frozen):
    county_user.must_change_password = True
    county_user.save(update_fields=["must_change_password"])
    device, _ = enrol(county_user)
    login(client, county_user)
    assert client.get("/accounts/password/")["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert client.get("/markets/")["Location"] == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200


def test_new_recovery_codes_are_shown_even_when_a_password_change_is_due(client, production, county_user, frozen):
    county_user.must_change_password = True
    county_user.save(update_fields=["must_change_password"])
    login(client, county_user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=county_user)
    assert client.post(SETUP, {"code": code_for(device)})["Location"] == CODES
    assert client.get(CODES).status_code == 200
    assert client.post(CODES)["Location"] == "/"
    assert client.get("/")["Location"] == "/accounts/password/"


def test_a_verified_session_costs_one_query_more_than_a_plain_one(
    client, production, county_user, frozen, django_assert_num_queries
):
    device, _ = enrol(county_user)
    login(client, county_user)
    client.post(VERIFY, {"code": code_for(device)})
    client.get("/healthz")
    # Session, user, the device the session was verified with (django-otp), then the view's one.
    with django_assert_num_queries(4):
        assert client.get("/healthz").status_code == 200


# Operators and the audit page ------------------------------------------------------------------


def test_the_command_resets_a_superusers_2fa_with_a_reason_audited(db):
    from django.core.management import CommandError, call_command

    root = UserFactory(username="root", is_superuser=True, is_staff=True, division=None)
    enrol(root)
    with pytest.raises(CommandError):
        call_command("two_factor_reset", "root", "--reason", " ")
    assert TOTPDevice.objects.filter(user=root).exists()
    with pytest.raises(CommandError):
        call_command("two_factor_reset", "nobody", "--reason", "x")
    call_command("two_factor_reset", "root", "--reason", "手机丢失")
    assert not TOTPDevice.objects.filter(user=root).exists()
    row = AuditEvent.objects.get(target_id=str(root.pk))
    assert row.changes == {
        "two_factor": ["已启用", "已重置"],
        "reason": "手机丢失",
        "via": "manage.py two_factor_reset",
    }


def test_otp_devices_are_not_editable_in_django_admin(client, db):
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


def test_the_audit_page_shows_two_factor_events_in_chinese(client, production, province_user, county_user, frozen):
    device, _ = enrol(county_user)
    login(client, county_user)
    wrong = str((int(code_for(device)) + 1) % 1_000_000).zfill(6)
    client.post(VERIFY, {"code": wrong})
    client.post(VERIFY, {"code": code_for(device)})
    prov_device, _ = enrol(province_user)
    manager = Client()
    manager.force_login(province_user)
    manager.post(VERIFY, {"code": code_for(prov_device)})
    manager.post(reset_url(county_user), {"reason": "手机丢失"})
    response = manager.get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in ["验证方式", "动态验证码", "连续失败次数", "两步验证", "已重置", "手机丢失", "两步验证通过"]:
        assert text in body, text
