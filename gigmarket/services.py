"""Writes for user accounts. Each runs in a transaction and writes its audit row."""

from django.db import transaction

from .audit import audit_record, diff, snapshot
from .models import AuditEvent

USER_AUDIT_FIELDS = ["username", "full_name", "phone", "email", "role", "division", "market", "is_active"]
USER_MASKED = {"phone"}


@transaction.atomic
def user_create(*, data, password, by):
    from .models import User

    user = User(**data)
    user.set_password(password)
    # The manager chose this password: the person chooses their own at the first login.
    user.must_change_password = True
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        target=user,
        county=user.division,
        changes=diff({}, snapshot(user, USER_AUDIT_FIELDS), masked=USER_MASKED),
    )
    return user


@transaction.atomic
def user_update(*, user, data, by):
    before = snapshot(user, USER_AUDIT_FIELDS)
    for key, value in data.items():
        setattr(user, key, value)
    user.full_clean(exclude=["password"])
    user.save()
    changes = diff(before, snapshot(user, USER_AUDIT_FIELDS), masked=USER_MASKED)
    if changes:
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, target=user, county=user.division, changes=changes)
    return user


def _save_password(*, user, password, must_change, by):
    """Set, date and audit a new password (never its value); `must_change` forces the user
    to choose their own at the next login."""
    before = user.must_change_password
    user.set_password(password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    changes = {"password": ["***", "***"]}
    if before != must_change:
        changes["must_change_password"] = [before, must_change]
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, target=user, county=user.division, changes=changes)


@transaction.atomic
def user_set_password(*, user, password, by):
    """A manager resets `user`'s password; unless it is their own, the user must change it
    at the next login. Ends the user's open sessions (the session auth hash changes)."""
    _save_password(user=user, password=password, must_change=user.pk != by.pk, by=by)


@transaction.atomic
def user_change_own_password(*, user, password):
    """The user replaces their own password: dated, and no longer forced to change it."""
    _save_password(user=user, password=password, must_change=False, by=user)


@transaction.atomic
def division_set_active(*, division, active, by):
    """Mark a county active or inactive. Divisions are never deleted."""
    if division.is_active == active:
        return division
    division.is_active = active
    division.save(update_fields=["is_active"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=division,
        county=division if division.is_county else division.parent,
        changes={"is_active": [not active, active]},
    )
    return division


def audit_log_export_record(*, by, row_count, filters, truncated=False):
    """Record a download of the audit log itself (an export like any other).

    Filed under the viewer's division for 市州 and county staff (so their own managers
    see it), under the province otherwise.
    """
    from .exports import audit_export
    from .models import Division

    county = by.division if by.division_id and by.division.level != Division.Level.PROVINCE else None
    if truncated:
        filters = {**filters, "truncated": "是"}
    with transaction.atomic():
        return audit_export(by=by, what="审计日志(XLSX)", row_count=row_count, county=county, filters=filters)


def sessions_clear_expired():
    """Delete the sessions that have expired (idle past SESSION_IDLE_SECONDS or past the
    12-hour limit, whose expiry the middleware set). Returns how many were deleted.

    Running it twice, or at once on two workers, deletes each row once; nothing else changes.
    """
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
