"""Writing the business audit log.

Services call `audit_record` inside their transaction, so the audit row and the
change it records commit or roll back together. An edit of one row goes through
`audited_update` (lock, snapshot, assign, validate, save, diff, audit).

Personal values never reach an audit row: `masked_fields(model)` is what a model
declares in `AUDIT_MASKED_FIELDS` plus every `PersonalField` and every encrypted or
hash column of its `PII_COLUMNS`, and `audit_record` masks those keys whatever the
caller passes. Callers never say what to mask.
"""

import contextvars
import datetime
import decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction

from .models import AuditEvent, Division
from .pii import PiiColumns
from .pii_fields import PersonalField
from .scoping import county_of

# Set per request by AuditContextMiddleware; read here so services need not pass it.
current_ip = contextvars.ContextVar("current_ip", default=None)

MASK = "***"


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return str(value)


def masked_fields(model):
    """The field names whose values an audit row of `model` never shows (see the module docstring)."""
    names = set(getattr(model, "AUDIT_MASKED_FIELDS", ()))
    for klass in model.__mro__:
        for name, attr in vars(klass).items():
            if isinstance(attr, PersonalField):
                names.update((name, *attr.stored_fields))
    pii = getattr(model, "PII_COLUMNS", None)
    if isinstance(pii, PiiColumns):
        names.update(pii.columns)
    return frozenset(names)


def _value(instance, name):
    try:
        field = instance._meta.get_field(name)
    except (AttributeError, FieldDoesNotExist):
        field = None  # a property (a `PersonalField`) or not a model
    if field is not None and field.many_to_many:
        # Related rows by name, sorted: the same whether prefetched or not.
        return sorted(str(related) for related in getattr(instance, name).all())
    return _plain(getattr(instance, name))


def snapshot(instance, fields):
    """The current values of `fields`, as JSON-safe plain values (a many-to-many field: sorted names)."""
    return {name: _value(instance, name) for name in fields}


def diff(before, after):
    """{field: [old, new]} for fields whose values differ (`audit_record` masks personal ones)."""
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changes[name] = [old, new]
    return changes


def _resolve_divisions(target, county):
    if county is None and target is not None and hasattr(type(target), "scope_county_path"):
        county = county_of(target)
    if county is None:
        return None, None
    if county.level == Division.Level.CITY:
        return None, county
    if county.level == Division.Level.PROVINCE:
        return None, None
    return county, county.parent if county.parent_id else None


def audit_record(*, actor, action, target=None, changes=None, county=None, target_repr=None):
    """Write one audit row. `county` defaults to the target's county via its scope path."""
    county, city = _resolve_divisions(target, county)
    masked = masked_fields(type(target)) if target is not None else frozenset()
    clean_changes = {}
    for key, value in (changes or {}).items():
        if key in masked:
            value = [MASK, MASK] if isinstance(value, list) else MASK
        clean_changes[key] = value
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=(target_repr or (str(target) if target is not None else ""))[:200],
        county=county,
        city=city,
        changes=clean_changes,
        ip_address=current_ip.get(),
    )


def audited_update(
    obj,
    *,
    data,
    by,
    action=AuditEvent.Action.UPDATE,
    fields=None,
    county=None,
    check=None,
    after_save=None,
    exclude=None,
):
    """Change one row the audited way and return it; the one implementation of that step.

    In one transaction: lock the row and reload `obj` from it (`select_for_update`; an
    unsaved `obj` is created instead, with `action` CREATE), run `check(obj)` (raise to
    refuse), snapshot `fields` (default: the keys of `data`; a many-to-many field by its
    rows' names), assign `data`, `full_clean(exclude=exclude)`, save, run
    `after_save(obj)` (e.g. set many-to-many rows), and write an audit row of what
    changed (none when nothing did). A `ValidationError` leaves the database as it was.
    Personal fields are masked by `audit_record` from the model's declaration.
    """
    fields = list(data) if fields is None else list(fields)
    with transaction.atomic():
        creating = obj._state.adding or obj.pk is None
        if creating:
            action = AuditEvent.Action.CREATE
            before = {}
        else:
            obj.refresh_from_db(from_queryset=type(obj)._default_manager.select_for_update())
        if check is not None:
            check(obj)
        if not creating:
            before = snapshot(obj, fields)
        for name, value in data.items():
            setattr(obj, name, value)
        obj.full_clean(exclude=exclude)
        obj.save()
        if after_save is not None:
            after_save(obj)
        changes = diff(before, snapshot(obj, fields))
        if changes or creating:
            audit_record(actor=by, action=action, target=obj, county=county, changes=changes)
    return obj
