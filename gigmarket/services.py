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


@transaction.atomic
def user_set_password(*, user, password, by):
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=user,
        county=user.division,
        changes={"password": ["***", "***"]},
    )


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
