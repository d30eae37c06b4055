"""Password expiry (等保 口令定期更换): forced change after a manager's reset, after N days,
the warning before, and what stays reachable meanwhile."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from gigmarket.core import services
from gigmarket.core.models import AuditEvent, User
from tests.factories.core import TEST_PASSWORD, UserFactory, division

LOGIN = "/accounts/login/"
CHANGE = "/accounts/password/"
NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
RESET_PASSWORD = "Reset-by-boss-1"
OWN_PASSWORD = "My-own-choice-7"
FORCED = "首次登录或密码已重置，请先修改密码"
EXPIRED = "密码已超过90天未修改，请修改密码"


def login(client, username, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1", **extra)


def age_password(user, days, minutes=0):
    """Date `user`'s password `days` (and minutes) before NOW."""
    User.objects.filter(pk=user.pk).update(
        password_changed_at=NOW - datetime.timedelta(days=days, minutes=minutes), must_change_password=False
    )


def change_own(client, old, new=OWN_PASSWORD):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.fixture
def reset_county_user(province_user, county_user):
    """nm_county after the province reset their password: logged in with the new one."""
    services.user_set_password(user=county_user, password=RESET_PASSWORD, by=province_user)
    county_user.refresh_from_db()
    return county_user


@pytest.fixture
def forced_client(client, reset_county_user):
    assert login(client, "nm_county", RESET_PASSWORD).status_code == 302
    return client


# Who is forced -------------------------------------------------------------------------------


def test_factory_users_are_not_forced(client, county_user):
    assert county_user.must_change_password is False
    assert county_user.password_changed_at is not None
    client.force_login(county_user)
    assert client.get("/markets/").status_code == 200


def test_account_created_by_a_manager_must_choose_its_own_password(client, county_user, market):
    client.force_login(county_user)
    payload = {
        "username": "new_clerk",
        "full_name": "新窗口员",
        "role": "clerk",
        "market": market.pk,
        "is_active": "on",
        "password1": RESET_PASSWORD,
        "password2": RESET_PASSWORD,
    }
    assert client.post("/users/new/", payload).status_code == 302
    clerk = User.objects.get(username="new_clerk")
    assert clerk.must_change_password is True and clerk.password_changed_at is not None

    newcomer = Client()
    response = login(newcomer, "new_clerk", RESET_PASSWORD, follow=True)
    assert response.redirect_chain[-1] == (CHANGE, 302)
    assert FORCED in response.content.decode()


def test_reset_by_a_manager_forces_a_change_and_is_audited(province_user, reset_county_user):
    assert reset_county_user.must_change_password is True
    row = AuditEvent.objects.filter(target_type="gigmarket.user", target_id=str(reset_county_user.pk)).latest("id")
    assert row.actor == province_user
    assert row.changes == {"password": ["***", "***"], "must_change_password": [False, True]}


def test_manager_resetting_their_own_password_is_not_forced(province_user):
    services.user_set_password(user=province_user, password=RESET_PASSWORD, by=province_user)
    province_user.refresh_from_db()
    assert province_user.must_change_password is False


# While forced ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/markets/", "/users/", "/audit/", "/reporting/", "/registry/"])
def test_every_page_redirects_to_the_password_change(forced_client, path):
    response = forced_client.get(path)
    assert response.status_code == 302
    assert response["Location"] == CHANGE


def test_the_password_change_page_says_why(forced_client):
    response = forced_client.get(CHANGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert FORCED in body
    assert "返回工作台" not in body


def test_a_post_to_another_page_is_refused_and_nothing_is_saved(forced_client, reset_county_user, market):
    audit_rows = AuditEvent.objects.count()
    payload = {
        "username": "sneaky_clerk",
        "full_name": "未保存",
        "role": "clerk",
        "market": market.pk,
        "is_active": "on",
        "password1": RESET_PASSWORD,
        "password2": RESET_PASSWORD,
    }
    response = forced_client.post("/users/new/", payload)
    assert response.status_code == 302 and response["Location"] == CHANGE
    assert not User.objects.filter(username="sneaky_clerk").exists()
    assert AuditEvent.objects.count() == audit_rows


def test_logout_still_works(forced_client):
    response = forced_client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in forced_client.session
    assert forced_client.get("/").status_code == 200  # the public home page


def test_health_check_and_static_files_still_answer(forced_client):
    assert forced_client.get("/healthz").status_code == 200
    assert forced_client.get("/static/css/portal.css").status_code != 302


def test_django_admin_is_closed_too(client, db):
    root = UserFactory(username="root", role="province", division=division("520000"), is_staff=True, is_superuser=True)
    User.objects.filter(pk=root.pk).update(must_change_password=True)
    client.force_login(root)
    for path in ("/admin/", "/admin/gigmarket/user/", "/admin/password_change/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == CHANGE, path
    assert client.post("/admin/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_superuser_setting_a_password_in_admin_forces_a_change(client, county_user, nanming):
    root = UserFactory(username="root", role="province", division=division("520000"), is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(
        f"/admin/gigmarket/user/{county_user.pk}/password/",
        {"password1": RESET_PASSWORD, "password2": RESET_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=county_user.pk).must_change_password is True
    response = client.post(
        "/admin/gigmarket/user/add/",
        {
            "username": "admin_made",
            "password1": RESET_PASSWORD,
            "password2": RESET_PASSWORD,
            "usable_password": "true",
            "full_name": "后台新建",
            "role": "county",
            "division": nanming.pk,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="admin_made").must_change_password is True
    # Their own password, set on their own account page, does not lock the superuser out.
    response = client.post(
        f"/admin/gigmarket/user/{root.pk}/password/",
        {"password1": OWN_PASSWORD, "password2": OWN_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=root.pk).must_change_password is False


def test_the_check_costs_no_query(forced_client, django_assert_num_queries):
    # Session and user row, as for any signed-in request; nothing more.
    with django_assert_num_queries(2):
        assert forced_client.get("/markets/").status_code == 302


# Changing it ------------------------------------------------------------------------------------


def test_changing_the_password_clears_the_flag_and_reopens_the_portal(forced_client, reset_county_user):
    response = change_own(forced_client, RESET_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"

    user = User.objects.get(pk=reset_county_user.pk)
    assert user.check_password(OWN_PASSWORD)
    assert user.must_change_password is False
    assert user.password_changed_at > reset_county_user.password_changed_at
    row = AuditEvent.objects.filter(target_type="gigmarket.user", target_id=str(user.pk)).latest("id")
    assert (row.action, row.actor) == ("update", user)
    assert row.changes == {"password": ["***", "***"], "must_change_password": [True, False]}
    assert OWN_PASSWORD not in str(row.changes)
    # Still signed in (the session follows the new password) and free to work.
    assert forced_client.get("/accounts/password/done/").status_code == 200
    assert forced_client.get("/markets/").status_code == 200


def test_a_voluntary_change_is_audited_too(client, county_user):
    client.force_login(county_user)
    assert change_own(client, TEST_PASSWORD).status_code == 302
    row = AuditEvent.objects.filter(target_type="gigmarket.user", target_id=str(county_user.pk)).latest("id")
    assert row.actor == county_user and row.changes == {"password": ["***", "***"]}


def test_the_same_password_again_is_refused(forced_client, reset_county_user):
    response = change_own(forced_client, RESET_PASSWORD, new=RESET_PASSWORD)
    assert response.status_code == 400
    assert "新密码不能与当前密码相同" in response.content.decode()
    assert User.objects.get(pk=reset_county_user.pk).must_change_password is True
    assert forced_client.get("/markets/").status_code == 302


def test_a_wrong_current_password_is_refused_and_nothing_changes(forced_client, reset_county_user):
    audit_rows = AuditEvent.objects.count()
    response = change_own(forced_client, "Not-my-password-1")
    assert response.status_code == 400
    assert "当前密码不正确" in response.content.decode()
    user = User.objects.get(pk=reset_county_user.pk)
    assert user.check_password(RESET_PASSWORD) and user.must_change_password is True
    assert AuditEvent.objects.count() == audit_rows


# Expiry after PASSWORD_MAX_AGE_DAYS ---------------------------------------------------------------


def test_password_older_than_90_days_must_be_changed(client, county_user):
    client.force_login(county_user)
    age_password(county_user, 90, minutes=1)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/markets/", follow=True)
    assert response.redirect_chain == [(CHANGE, 302)]
    assert EXPIRED in response.content.decode()


def test_password_of_89_days_still_works(client, county_user):
    client.force_login(county_user)
    age_password(county_user, 89, minutes=59 * 24)
    with time_machine.travel(NOW, tick=False):
        assert client.get("/markets/").status_code == 200


def test_expired_password_works_again_once_changed(client, county_user):
    client.force_login(county_user)
    age_password(county_user, 200)
    with time_machine.travel(NOW, tick=False):
        assert client.get("/markets/").status_code == 302
        assert change_own(client, TEST_PASSWORD).status_code == 302
        assert client.get("/markets/").status_code == 200
    assert User.objects.get(pk=county_user.pk).password_changed_at == NOW


def test_max_age_is_a_setting(client, county_user, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 30
    client.force_login(county_user)
    age_password(county_user, 31)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/markets/", follow=True)
    assert "密码已超过30天未修改" in response.content.decode()


def test_max_age_zero_turns_expiry_off_but_not_a_managers_reset(client, county_user, settings, province_user):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    client.force_login(county_user)
    age_password(county_user, 1000)
    with time_machine.travel(NOW, tick=False):
        assert client.get("/markets/").status_code == 200
    services.user_set_password(user=county_user, password=RESET_PASSWORD, by=province_user)
    client.force_login(county_user)
    assert client.get("/markets/").status_code == 302


def test_a_hash_upgrade_at_login_is_not_a_password_change(client, county_user):
    # An old hash (here: a short salt) is re-hashed by Django at login; that must not
    # restart the 90 days.
    User.objects.filter(pk=county_user.pk).update(password=make_password(TEST_PASSWORD, salt="old", hasher="md5"))
    age_password(county_user, 120)
    with time_machine.travel(NOW, tick=False):
        assert login(client, "nm_county").status_code == 302
        assert client.get("/markets/").status_code == 302
    user = User.objects.get(pk=county_user.pk)
    assert "$old$" not in user.password  # upgraded
    assert user.password_changed_at == NOW - datetime.timedelta(days=120)


def test_every_way_of_setting_a_password_dates_it(db):
    with time_machine.travel(NOW, tick=False):
        created = User.objects.create_superuser("root", password=TEST_PASSWORD)  # as `createsuperuser` does
        assert created.password_changed_at == NOW and created.must_change_password is False
        assert User.objects.create_user("no_password").password_changed_at is None  # nothing to date
        # bench/generate.py and similar scripts: set_password, then save only the password.
        user = UserFactory(username="scripted")
        User.objects.filter(pk=user.pk).update(password_changed_at=None)
        user.set_password(OWN_PASSWORD)
        user.save(update_fields=["password"])
    assert User.objects.get(pk=user.pk).password_changed_at == NOW


# Warning before expiry ----------------------------------------------------------------------------


def test_login_within_7_days_of_expiry_shows_a_warning(client, county_user):
    age_password(county_user, 84)
    with time_machine.travel(NOW, tick=False):
        response = login(client, "nm_county", follow=True)
    assert response.redirect_chain[-1] == ("/", 302)
    body = response.content.decode()
    assert "您的密码将于2026-06-07 17:00过期" in body  # 90 days after, Beijing time
    assert 'data-bs-dismiss="alert"' in body


def test_no_warning_8_days_before_expiry_or_with_expiry_off(client, county_user, settings):
    age_password(county_user, 82)
    with time_machine.travel(NOW, tick=False):
        assert "密码将于" not in login(client, "nm_county", follow=True).content.decode()
        client.logout()
        settings.PASSWORD_MAX_AGE_DAYS = 0
        age_password(county_user, 89)
        assert "密码将于" not in login(client, "nm_county", follow=True).content.decode()


# Existing accounts, demo accounts, documentation -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_dates_existing_accounts_from_now():
    executor = MigrationExecutor(connection)
    executor.migrate([("gigmarket", "0003_load_divisions")])
    old_apps = executor.loader.project_state([("gigmarket", "0003_load_divisions")]).apps
    old_apps.get_model("gigmarket", "User").objects.create(username="before_expiry", password="x")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    user = User.objects.get(username="before_expiry")
    assert user.must_change_password is False
    assert user.password_changed_at is not None
    assert abs(user.password_changed_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=5)


def test_demo_accounts_are_never_trapped(client, demo_data, settings):
    from django.core.management import call_command

    User.objects.filter(username__startswith="demo_").update(
        password_changed_at=NOW - datetime.timedelta(days=400), must_change_password=True
    )
    call_command("load_demo")
    assert not User.objects.filter(username__startswith="demo_", must_change_password=True).exists()
    assert login(client, "demo_county", settings.DEMO_PASSWORD).status_code == 302
    assert client.get("/markets/").status_code == 200


def test_the_setting_is_documented():
    docs = Path(__file__).resolve().parents[2] / "docs"
    configuration = (docs / "configuration.md").read_text(encoding="utf-8")
    assert "| `PASSWORD_MAX_AGE_DAYS` | `90` |" in configuration
    assert "| `PASSWORD_EXPIRY_WARNING_DAYS` | `7` |" in configuration
    security = (docs / "security.md").read_text(encoding="utf-8")
    assert "test_password_older_than_90_days_must_be_changed" in security
    assert "Password expiry** (定期更换) is not enforced" not in security


def test_a_negative_max_age_fails_at_start_up():
    from tests.core.test_security_headers import run_manage

    result = run_manage("check", extra_env={"PASSWORD_MAX_AGE_DAYS": "-1"})
    assert result.returncode != 0
    assert "PASSWORD_MAX_AGE_DAYS" in result.stderr
