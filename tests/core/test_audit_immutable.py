"""On PostgreSQL the audit table refuses rewriting: UPDATE, DELETE and TRUNCATE, in SQL and ORM.

Each test tries inside a savepoint (the refusal aborts the statement) and then reads the
rows back to show that nothing changed. Only a row older than 183 days, in a transaction
that switched `gigmarket.core.audit_archive` on, can be deleted — that is `audit_archive`.
"""

import datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from gigmarket.core.audit import audit_record
from gigmarket.core.models import AuditEvent
from tests.factories.core import UserFactory

# The audit trigger exists on PostgreSQL only (tests/conftest.py skips these elsewhere).
pytestmark = [pytest.mark.postgres]

REFUSED = "append-only"


def rows():
    return list(AuditEvent.objects.order_by("id").values_list("id", "actor_username", "action", "changes"))


@pytest.fixture
def events(county_user):
    audit_record(actor=county_user, action=AuditEvent.Action.LOGIN, county=county_user.division)
    audit_record(actor=county_user, action=AuditEvent.Action.EXPORT, changes={"what": "市场名录", "rows": 3})
    return rows()


@pytest.fixture
def old_event(county_user):
    """An audit row written 200 days ago (past the 183-day floor)."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=200), tick=False):
        return audit_record(actor=county_user, action=AuditEvent.Action.LOGIN, county=county_user.division)


def refused(sql, params=()):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        if sql.startswith("TRUNCATE"):
            # The test's own inserts leave deferred foreign-key checks pending, and PostgreSQL
            # refuses a TRUNCATE before any trigger for that; run the checks first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)


def test_sql_update_is_refused_and_rows_stay(events):
    refused("UPDATE gigmarket_auditevent SET actor_username = 'someone_else'")
    refused("UPDATE gigmarket_auditevent SET changes = '{}' WHERE id = %s", [events[1][0]])
    assert rows() == events


def test_sql_delete_is_refused_and_rows_stay(events):
    refused("DELETE FROM gigmarket_auditevent")
    refused("DELETE FROM gigmarket_auditevent WHERE id = %s", [events[0][0]])
    assert rows() == events


def test_truncate_is_refused_and_rows_stay(events):
    refused("TRUNCATE gigmarket_auditevent")
    refused("TRUNCATE gigmarket_auditevent CASCADE")
    refused("TRUNCATE gigmarket_division CASCADE")  # cascades to the audit rows' counties
    assert rows() == events


def test_orm_update_and_delete_are_refused(events):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        AuditEvent.objects.update(actor_username="someone_else")
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        AuditEvent.objects.filter(action="export").delete()
    event = AuditEvent.objects.get(action="login")
    event.actor_username = "someone_else"
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        event.save()
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        event.delete()
    assert rows() == events


def test_a_user_with_audit_rows_cannot_be_deleted_so_no_row_is_rewritten(events, county_user):
    with pytest.raises(ProtectedError), transaction.atomic():
        county_user.delete()
    assert rows() == events


def test_a_user_without_audit_rows_can_still_be_deleted(db):
    user = UserFactory(username="never_did_anything")
    user.delete()


def test_the_archive_switch_does_not_open_young_rows_or_updates(events, old_event):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL gigmarket.core.audit_archive = 'on'")
        refused("DELETE FROM gigmarket_auditevent WHERE id = %s", [events[0][0]])
        refused("UPDATE gigmarket_auditevent SET actor_username = 'x' WHERE id = %s", [old_event.pk])
        refused("TRUNCATE gigmarket_auditevent")
    assert AuditEvent.objects.filter(pk=old_event.pk).exists()
    assert [row for row in rows() if row[0] != old_event.pk] == events


def test_an_old_row_without_the_archive_switch_is_refused(old_event):
    refused("DELETE FROM gigmarket_auditevent WHERE id = %s", [old_event.pk])
    assert AuditEvent.objects.filter(pk=old_event.pk).exists()


def test_an_old_row_with_the_archive_switch_can_be_deleted(events, old_event):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL gigmarket.core.audit_archive = 'on'")
        cursor.execute("DELETE FROM gigmarket_auditevent WHERE id = %s", [old_event.pk])
        assert cursor.rowcount == 1
        cursor.execute("SET LOCAL gigmarket.core.audit_archive = 'off'")
    assert not AuditEvent.objects.filter(pk=old_event.pk).exists()
    assert rows() == events  # the younger rows, written before it, all stay


def test_inserting_audit_rows_still_works(events, county_user):
    audit_record(actor=county_user, action=AuditEvent.Action.LOGOUT)
    assert len(rows()) == len(events) + 1


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_write_audit_rows_and_is_flushed_afterwards(county_user):
    """The test flush (a TRUNCATE) passes only through conftest's switch; the next test starts empty."""
    audit_record(actor=county_user, action=AuditEvent.Action.LOGIN)
    assert AuditEvent.objects.count() >= 1
    refused("TRUNCATE gigmarket_auditevent")


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_table_is_empty_and_still_guarded(county_user):
    audit_record(actor=county_user, action=AuditEvent.Action.LOGIN)
    assert AuditEvent.objects.count() == 1
    refused("DELETE FROM gigmarket_auditevent")
    refused("TRUNCATE gigmarket_auditevent")
