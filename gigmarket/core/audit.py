"""Writing the business audit log.

Services call `audit_record` inside their transaction, so the audit row and the
change it records commit or roll back together. Fields named in a model's
`AUDIT_MASKED_FIELDS` are masked in the stored changes.
"""

import contextvars
import datetime
import decimal

from .models import AuditEvent, Division
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


def snapshot(instance, fields):
    """The current values of `fields`, as JSON-safe plain values."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before, after, masked=()):
    """{field: [old, new]} for fields whose values differ; masked fields hide values."""
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changes[name] = [MASK, MASK] if name in masked else [old, new]
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
    masked = set(getattr(type(target), "AUDIT_MASKED_FIELDS", ())) if target is not None else set()
    clean_changes = {}
    for key, value in (changes or {}).items():
        clean_changes[key] = MASK if key in masked and not isinstance(value, list) else value
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
