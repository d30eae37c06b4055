"""Account management in the portal, scoped per role."""

from gigmarket.core.models import AuditEvent, User
from tests.factories.core import UserFactory, division

NEW_PASSWORD = "Strong-pass-99"


def create_payload(**overrides):
    data = {
        "username": "new_clerk",
        "full_name": "新窗口员",
        "phone": "",
        "email": "",
        "role": "clerk",
        "division": "",
        "market": "",
        "is_active": "on",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_county_creates_a_clerk_for_its_market(client, county_user, market):
    client.force_login(county_user)
    response = client.post("/users/new/", create_payload(market=market.pk))
    assert response.status_code == 302
    clerk = User.objects.get(username="new_clerk")
    assert (clerk.role, clerk.market, clerk.division) == ("clerk", market, market.county)
    assert clerk.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="create", target_id=str(clerk.pk), county=market.county).exists()


def test_county_cannot_create_a_clerk_for_another_county(client, county_user, market2):
    client.force_login(county_user)
    response = client.post("/users/new/", create_payload(market=market2.pk))
    assert response.status_code == 400
    assert not User.objects.filter(username="new_clerk").exists()
    assert "new_clerk" in response.content.decode()  # typed input is kept


def test_county_cannot_create_county_or_province_accounts(client, county_user):
    client.force_login(county_user)
    response = client.post("/users/new/", create_payload(role="province", division=division("520000").pk))
    assert response.status_code == 400
    assert not User.objects.filter(username="new_clerk").exists()


def test_city_creates_a_county_account_in_its_counties(client, city_user, yunyan, honghuagang):
    client.force_login(city_user)
    assert client.post("/users/new/", create_payload(role="county", division=yunyan.pk)).status_code == 302
    response = client.post("/users/new/", create_payload(username="other", role="county", division=honghuagang.pk))
    assert response.status_code == 400
    assert not User.objects.filter(username="other").exists()


def test_weak_password_is_refused_in_chinese(client, province_user, nanming):
    client.force_login(province_user)
    response = client.post(
        "/users/new/", create_payload(role="county", division=nanming.pk, password1="abcdefgh", password2="abcdefgh")
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "密码须至少包含" in body or "密码太常见" in body
    assert not User.objects.filter(username="new_clerk").exists()


def test_other_county_user_edit_is_404_and_unchanged(client, county_user, clerk2):
    client.force_login(county_user)
    response = client.post(f"/users/{clerk2.pk}/", {"username": "hijacked", "full_name": "x", "role": "clerk"})
    assert response.status_code == 404
    clerk2.refresh_from_db()
    assert clerk2.username == "yy_clerk"


def test_deactivating_a_user_ends_their_session(client, county_user, clerk):
    from django.test import Client

    clerk_client = Client()
    clerk_client.force_login(clerk)
    assert clerk_client.get("/").status_code == 200
    client.force_login(county_user)
    assert client.post(f"/users/{clerk.pk}/toggle-active/").status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active
    response = clerk_client.get("/markets/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_clerk_and_auditor_cannot_manage_accounts(client, clerk, auditor):
    for user in (clerk, auditor):
        client.force_login(user)
        assert client.get("/users/").status_code == 403
        assert client.post("/users/new/", create_payload()).status_code == 403


def test_user_list_is_scoped(client, city_user, county_user, clerk, clerk2):
    zunyi = UserFactory(role="county", division=division("520302"), username="zy_county")
    client.force_login(city_user)
    body = client.get("/users/").content.decode()
    assert "nm_clerk" in body and "yy_clerk" in body and "nm_county" in body
    assert zunyi.username not in body


def test_audit_log_is_scoped(client, county_user, county2_user, market, market2):
    from gigmarket.core.audit import audit_record

    audit_record(actor=county_user, action="update", target=market, changes={"address": ["", "甲"]})
    audit_record(actor=county2_user, action="update", target=market2, changes={"address": ["", "乙"]})
    client.force_login(county_user)
    body = client.get("/audit/").content.decode()
    assert market.name in body
    assert market2.name not in body
