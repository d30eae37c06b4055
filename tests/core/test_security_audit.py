"""Audit rows are read-only everywhere; admin writes are audited; logs mask personal data."""

import io
import logging

import pytest

from gigmarket.core.audit import audit_record
from gigmarket.core.logging import MaskPersonalDataFilter
from gigmarket.core.models import AuditEvent, Division, User
from gigmarket.core.security import audit_reveal
from tests.factories.core import TEST_PASSWORD, UserFactory, division


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="province", division=division("520000"), is_staff=True, is_superuser=True)


@pytest.fixture
def event(county_user):
    return audit_record(actor=county_user, action=AuditEvent.Action.UPDATE, target=county_user, changes={"x": [1, 2]})


def assert_unchanged(event):
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert (fresh.action, fresh.actor_username, fresh.changes) == (event.action, event.actor_username, event.changes)


# Admin: the audit log is view-only ---------------------------------------------------------


def test_superuser_can_browse_the_audit_log_in_admin(client, superuser, event):
    client.force_login(superuser)
    response = client.get("/admin/gigmarket/auditevent/")
    assert response.status_code == 200
    assert "nm_county" in response.content.decode()
    assert client.get(f"/admin/gigmarket/auditevent/{event.pk}/change/").status_code == 200


def test_audit_rows_cannot_be_added_in_admin(client, superuser, event):
    client.force_login(superuser)
    before = AuditEvent.objects.count()
    response = client.post("/admin/gigmarket/auditevent/add/", {"action": "login", "actor_username": "forged"})
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_audit_rows_cannot_be_changed_in_admin(client, superuser, event):
    client.force_login(superuser)
    response = client.post(
        f"/admin/gigmarket/auditevent/{event.pk}/change/",
        {"action": "login", "actor_username": "forged", "target_repr": "forged", "changes": "{}"},
    )
    assert response.status_code == 403
    assert_unchanged(event)
    assert b'name="actor_username"' not in client.get(f"/admin/gigmarket/auditevent/{event.pk}/change/").content


def test_audit_rows_cannot_be_deleted_in_admin(client, superuser, event):
    client.force_login(superuser)
    assert client.post(f"/admin/gigmarket/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/gigmarket/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert_unchanged(event)


def test_staff_who_are_not_superusers_cannot_open_admin_models(client, county_user):
    county_user.is_staff = True
    county_user.save()
    client.force_login(county_user)
    for path in ["/admin/gigmarket/auditevent/", "/admin/gigmarket/user/", "/admin/gigmarket/division/"]:
        assert client.get(path).status_code == 403


# Portal: the audit page reads only ------------------------------------------------------------


def test_posting_to_the_portal_audit_page_changes_nothing(client, province_user, event):
    client.force_login(province_user)
    before = AuditEvent.objects.count()
    client.post("/audit/", {"action": "delete", "id": event.pk, "actor_username": "forged"})
    assert AuditEvent.objects.count() == before
    assert_unchanged(event)


def test_no_portal_url_edits_or_deletes_audit_rows():
    from django.urls import get_resolver

    names = [p.name for p in get_resolver().url_patterns if getattr(p, "name", None)]
    audit_names = sorted(n for n in names if "audit" in n)
    assert audit_names == ["audit_export", "audit_list"]


# Admin writes are audited --------------------------------------------------------------------


def test_division_is_renamed_in_admin_with_an_audit_row_and_cannot_be_deleted(client, superuser, nanming):
    client.force_login(superuser)
    response = client.post(
        f"/admin/gigmarket/division/{nanming.pk}/change/",
        {"name": nanming.name, "short_name": "南明", "is_active": ""},
    )
    assert response.status_code == 302
    nanming.refresh_from_db()
    assert (nanming.short_name, nanming.is_active) == ("南明", False)
    row = AuditEvent.objects.get(target_type="gigmarket.division", action="update")
    assert row.actor == superuser and row.county == nanming
    assert set(row.changes["fields"]) >= {"简称", "有效"}
    assert client.post(f"/admin/gigmarket/division/{nanming.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Division.objects.filter(pk=nanming.pk).exists()


def test_user_created_in_admin_is_audited_without_the_password(client, superuser, nanming):
    client.force_login(superuser)
    response = client.post(
        "/admin/gigmarket/user/add/",
        {
            "username": "admin_made",
            "password1": "Gz-houtai-2026",
            "password2": "Gz-houtai-2026",
            "usable_password": "true",
            "full_name": "后台新建",
            "role": "county",
            "division": nanming.pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="admin_made")
    assert user.division == nanming and user.check_password("Gz-houtai-2026")
    row = AuditEvent.objects.get(target_type="gigmarket.user", target_id=str(user.pk), action="create")
    assert row.actor == superuser
    assert "Gz-houtai-2026" not in str(row.changes)
    assert client.post(f"/admin/gigmarket/user/{user.pk}/delete/", {"post": "yes"}).status_code == 403


def test_admin_password_change_is_audited(client, superuser, county_user):
    client.force_login(superuser)
    response = client.post(
        f"/admin/gigmarket/user/{county_user.pk}/password/",
        {"password1": "Reset-by-root-1", "password2": "Reset-by-root-1", "usable_password": "true"},
    )
    assert response.status_code == 302
    county_user.refresh_from_db()
    assert county_user.check_password("Reset-by-root-1")
    assert not county_user.check_password(TEST_PASSWORD)
    row = AuditEvent.objects.filter(target_type="gigmarket.user", target_id=str(county_user.pk)).latest("id")
    assert row.action == "update" and row.actor == superuser
    assert "Reset-by-root-1" not in str(row.changes)


# Reveal hook ------------------------------------------------------------------------------------


def test_reveal_hook_records_who_saw_which_field(county_user, clerk):
    row = audit_reveal(by=county_user, target=clerk, field="phone", county=clerk.division)
    row.refresh_from_db()
    assert row.action == AuditEvent.Action.REVEAL
    assert row.actor == county_user and row.target_id == str(clerk.pk)
    assert row.changes == {"field": "phone"}
    assert row.county == clerk.division


# Logs mask personal data ------------------------------------------------------------------------

ID_NUMBER = "52010219900307123X"
MOBILE = "13985012345"


def configured_masking_handler():
    handlers = [
        h for h in logging.getLogger().handlers if any(isinstance(f, MaskPersonalDataFilter) for f in h.filters)
    ]
    assert handlers, "the console log handler must carry the masking filter"
    return handlers[0]


@pytest.mark.parametrize(
    ("message", "args"),
    [
        (f"worker {ID_NUMBER} phone {MOBILE} registered", ()),
        ("worker %s phone %s registered", (ID_NUMBER, MOBILE)),
        ("payload %r", ({"id_number": ID_NUMBER, "phone": f"+86{MOBILE}"},)),
    ],
)
def test_log_lines_mask_id_numbers_and_mobiles(message, args):
    handler = configured_masking_handler()
    stream = io.StringIO()
    old_stream = handler.setStream(stream)
    try:
        logging.getLogger("registry.services").warning(message, *args)
    finally:
        handler.setStream(old_stream)
    line = stream.getvalue()
    assert "registered" in line or "payload" in line
    assert ID_NUMBER not in line and ID_NUMBER.lower() not in line
    assert MOBILE not in line
    assert "5201**********123X" in line
    assert "139****2345" in line


def test_log_masking_keeps_other_numbers():
    handler = configured_masking_handler()
    stream = io.StringIO()
    old_stream = handler.setStream(stream)
    try:
        logging.getLogger("markets").warning("market 520102 has 12 windows and 345 workers")
    finally:
        handler.setStream(old_stream)
    assert "market 520102 has 12 windows and 345 workers" in stream.getvalue()


@pytest.mark.parametrize("written", ["+8613985012345", "86 139-8501-2345", "139 8501 2345", "电话13985012345。"])
def test_mobiles_written_with_prefix_or_separators_are_masked(written):
    from gigmarket.core.logging import mask_text

    masked = mask_text(written)
    assert "8501" not in masked
    assert "139****2345" in masked
