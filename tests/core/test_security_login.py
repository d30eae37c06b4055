"""Login security: lockout, password policy, session lifetimes, session rotation."""

import datetime

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from gigmarket.core import services
from gigmarket.core.models import AuditEvent
from tests.factories.core import TEST_PASSWORD

LOGIN = "/accounts/login/"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def fail_login(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong-Pass-1"}, REMOTE_ADDR=ip)
    return response


def good_login(client, username, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": TEST_PASSWORD}, REMOTE_ADDR=ip)


def is_logged_in(client):
    return "_auth_user_id" in client.session


# Lockout ------------------------------------------------------------------------------


def test_four_failures_do_not_lock_the_account(client, county_user):
    fail_login(client, "nm_county", 4)
    response = good_login(client, "nm_county")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_successful_login_resets_the_failure_count(client, county_user):
    fail_login(client, "nm_county", 4)
    assert good_login(client, "nm_county").status_code == 302
    client.logout()
    fail_login(client, "nm_county", 4)
    assert good_login(client, "nm_county").status_code == 302


def test_fifth_failure_locks_with_a_chinese_page(client, county_user):
    response = fail_login(client, "nm_county", 5)
    assert response.status_code == 429
    body = response.content.decode()
    assert "账号已暂时锁定" in body
    assert "30分钟后再试" in body


def test_locked_account_refuses_the_right_password(client, county_user):
    fail_login(client, "nm_county", 5)
    response = good_login(client, "nm_county")
    assert response.status_code == 429
    assert not is_logged_in(client)
    assert not AuditEvent.objects.filter(action="login", actor=county_user).exists()


def test_lockout_is_per_username_and_ip(client, county_user, county2_user):
    fail_login(client, "nm_county", 5, ip="10.0.0.1")
    # Same user from another address, and another user from the same address, still log in.
    assert good_login(Client(), "nm_county", ip="10.0.0.2").status_code == 302
    assert good_login(Client(), "yy_county", ip="10.0.0.1").status_code == 302
    assert good_login(Client(), "nm_county", ip="10.0.0.1").status_code == 429


def test_lock_ends_after_30_minutes_and_retries_do_not_extend_it(client, county_user):
    with time_machine.travel(START, tick=False) as traveller:
        fail_login(client, "nm_county", 5)
        traveller.shift(datetime.timedelta(minutes=20))
        fail_login(client, "nm_county", 3)  # refused while locked; must not restart the clock
        traveller.shift(datetime.timedelta(minutes=9))
        assert good_login(client, "nm_county").status_code == 429
        traveller.shift(datetime.timedelta(minutes=2))
        response = good_login(client, "nm_county")
        assert response.status_code == 302
        assert is_logged_in(client)


def test_lockout_is_audited_once_with_the_county(client, county_user):
    fail_login(client, "nm_county", 7)
    lockouts = AuditEvent.objects.filter(changes__has_key="lockout")
    assert lockouts.count() == 1
    event = lockouts.get()
    assert event.action == AuditEvent.Action.LOGIN_FAILED
    assert "nm_county" in event.target_repr and "锁定30分钟" in event.target_repr
    assert event.county == county_user.division
    assert event.ip_address == "10.0.0.1"
    # Every refused attempt is still audited as a failed login.
    assert AuditEvent.objects.filter(action="login_failed").exclude(changes__has_key="lockout").count() == 7


def test_admin_login_is_locked_too(client, county_user):
    for _ in range(5):
        response = client.post(
            "/admin/login/", {"username": "nm_county", "password": "wrong-Pass-1"}, REMOTE_ADDR="10.0.0.9"
        )
    assert response.status_code == 429


def test_authenticate_without_a_request_still_checks_the_password(county_user):
    assert authenticate(username="nm_county", password=TEST_PASSWORD) == county_user
    assert authenticate(username="nm_county", password="wrong") is None


def test_client_ip_comes_from_x_real_ip_only_when_trusted(client, county_user, settings):
    from gigmarket.core.security import ProxyClientIPMiddleware

    settings.TRUST_X_REAL_IP = False
    client.post(LOGIN, {"username": "nm_county", "password": "x"}, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="1.2.3.4")
    assert AuditEvent.objects.latest("id").ip_address == "127.0.0.1"

    seen = {}
    middleware = ProxyClientIPMiddleware(lambda request: seen.setdefault("ip", request.META["REMOTE_ADDR"]))
    settings.TRUST_X_REAL_IP = True
    middleware.enabled = True

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "1.2.3.4"}

    middleware(Request())
    assert seen["ip"] == "1.2.3.4"


# Password policy -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Ab1-xyz",  # 7 characters
        "abcdefgh12",  # two classes only
        "ABCDEFGH!!",  # two classes only
        "Password1",  # common password
        "12345678",  # common and numeric
    ],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Gz-window-77", "qiankun#2026", "HUANGGUOSHU9z"])
def test_strong_passwords_are_accepted(password):
    validate_password(password)


@translation.override("zh-hans")
def test_password_messages_are_chinese():
    with pytest.raises(ValidationError) as excinfo:
        validate_password("abcdefgh12")
    assert "3类" in " ".join(excinfo.value.messages)
    with pytest.raises(ValidationError) as excinfo:
        validate_password("Ab1-xyz")
    assert "密码长度太短" in " ".join(excinfo.value.messages)


@pytest.mark.parametrize(
    ("username", "full_name", "password", "message"),
    [
        ("wangmin", "王敏", "王敏-Gz-2026", "密码不能包含您的姓名。"),
        ("wangmin", "欧阳 娜娜", "Gz-欧阳娜娜-2026", "密码不能包含您的姓名。"),  # spaces in the name
        ("wangmin", "阿卜杜·热合曼", "Ab-阿卜杜热合曼-1", "密码不能包含您的姓名。"),  # middle dot
        ("lchen_gy", "Lily Chen", "LILYCHEN#2026", "密码不能包含您的姓名。"),  # Latin, any case, no space
        ("lchen_gy", "Lily Chen", "x-Lily Chen-9", "密码不能包含您的姓名。"),
        ("gy_clerk7", "张三", "Gy_Clerk7-2026", "密码不能包含登录账号。"),  # username, any case
    ],
)
@translation.override("zh-hans")
def test_a_password_containing_the_username_or_full_name_is_refused(username, full_name, password, message):
    from gigmarket.core.models import User

    with pytest.raises(ValidationError) as excinfo:
        validate_password(password, User(username=username, full_name=full_name))
    assert message in excinfo.value.messages


def test_a_password_sharing_only_part_of_the_name_is_accepted():
    from gigmarket.core.models import User

    validate_password("王-Gz-window-77", User(username="wangmin", full_name="王敏"))  # the surname alone
    validate_password("Ab-cd-7788", User(username="ab", full_name="Lily Chen"))  # 2-character username


def test_a_manager_cannot_give_an_account_a_password_with_its_name(client, county_user, market):
    client.force_login(county_user)
    form = {
        "username": "nm_newclerk",
        "full_name": "李小花",
        "phone": "",
        "email": "",
        "role": "clerk",
        "market": market.pk,
        "is_active": "on",
        "password1": "Li-李小花-2026",
        "password2": "Li-李小花-2026",
    }
    response = client.post("/users/new/", form)
    assert "密码不能包含您的姓名。" in response.content.decode()
    from gigmarket.core.models import User

    assert not User.objects.filter(username="nm_newclerk").exists()


def test_a_user_cannot_change_their_own_password_to_one_with_their_name(client, county_user):
    client.force_login(county_user)
    new = f"Gz-{county_user.full_name}-2026"
    response = client.post(
        "/accounts/password/", {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 400
    assert "密码不能包含您的姓名。" in response.content.decode()
    county_user.refresh_from_db()
    assert county_user.check_password(TEST_PASSWORD)


# Sessions ---------------------------------------------------------------------------------


def test_session_ends_after_30_idle_minutes(client, county_user):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(county_user)
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get("/users/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get("/users/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_activity_keeps_the_session_but_it_ends_at_12_hours(client, county_user):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(county_user)
        for _ in range(int(12 * 60 / 25)):  # a request every 25 minutes for 11h 40m
            traveller.shift(datetime.timedelta(minutes=25))
            assert client.get("/users/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=25))  # 12h 05m after login
        assert is_logged_in(client)
        response = client.get("/users/", follow=True)
        assert response.redirect_chain[0][0].startswith("/accounts/login")
        assert "登录已超过12小时" in response.content.decode()
        assert not is_logged_in(client)


def test_login_gives_a_new_session_key(client, county_user):
    session = client.session
    session["before_login"] = True
    session.save()
    old_key = session.session_key
    assert client.cookies["sessionid"].value == old_key

    assert good_login(client, "nm_county").status_code == 302
    new_key = client.cookies["sessionid"].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert is_logged_in(client)


def test_deactivated_user_loses_every_open_session(county_user, clerk, province_user):
    desk, phone = Client(), Client()
    desk.force_login(clerk)
    phone.force_login(clerk)
    assert desk.get("/").status_code == 200

    services.user_update(user=clerk, data={"is_active": False}, by=county_user)

    for browser in (desk, phone):
        response = browser.get("/audit/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    # And the password no longer opens a new one.
    response = good_login(Client(), "nm_clerk")
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_password_reset_by_a_manager_ends_the_users_sessions(county_user, clerk):
    desk = Client()
    desk.force_login(clerk)
    services.user_set_password(user=clerk, password="New-pass-2026", by=county_user)
    response = desk.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def session_writes(queries):
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def session_expiry(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_two_requests_within_a_minute_do_not_write_the_session(client, county_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(county_user)
        traveller.shift(datetime.timedelta(minutes=5))
        assert client.get("/users/").status_code == 200  # touched: the expiry moves forward
        expiry = session_expiry(client)
        assert expiry == START + datetime.timedelta(minutes=35)
        for seconds in (20, 30):
            traveller.shift(datetime.timedelta(seconds=seconds))
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/users/")
            assert response.status_code == 200
            assert session_writes(ctx.captured_queries) == []
            assert "sessionid" not in response.cookies
        assert session_expiry(client) == expiry
        traveller.shift(datetime.timedelta(seconds=11))  # 61 s after the last touch
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/users/")
        assert session_writes(ctx.captured_queries)
        assert response.cookies["sessionid"]["max-age"] == 30 * 60
        assert session_expiry(client) == START + datetime.timedelta(minutes=36, seconds=1)


def test_activity_after_20_minutes_extends_the_session_past_the_first_30(client, county_user):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(county_user)
        assert session_expiry(client) == START + datetime.timedelta(minutes=30)
        traveller.shift(datetime.timedelta(minutes=20))
        assert client.get("/users/").status_code == 200
        assert session_expiry(client) == START + datetime.timedelta(minutes=50)
        traveller.shift(datetime.timedelta(minutes=25))  # 45 minutes after login
        assert client.get("/users/").status_code == 200
        assert is_logged_in(client)
        traveller.shift(datetime.timedelta(minutes=31))  # then idle for more than 30 minutes
        response = client.get("/users/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# Over-long usernames (a 256-character name answered 500 on PostgreSQL inside django-axes) ---

LONG_NAME = "a" * 256


@pytest.mark.parametrize("url", [LOGIN, "/admin/login/"])
def test_a_256_character_username_is_refused_in_chinese_and_nothing_is_stored(client, db, url):
    client.raise_request_exception = False
    response = client.post(url, {"username": LONG_NAME, "password": "Wrong-pass-1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "用户名过长：最多150个字符" in body
    assert LONG_NAME in body  # the typed name stays in the form
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.exists()  # refused before authentication: no failure to store


def test_an_over_long_username_that_reaches_authentication_is_cut_for_the_lockout(client, db, rf):
    """A client bypassing the forms (a backend called with the request) still cannot break axes."""
    from axes.models import AccessAttempt

    request = rf.post(LOGIN, {"username": "b" * 300, "password": "x"})
    request.axes_attempt_time = None
    for _ in range(2):
        assert authenticate(request=request, username="b" * 300, password="Wrong-pass-1") is None
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "b" * 150 and attempt.failures_since_start == 2
