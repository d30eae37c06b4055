"""Reads for accounts and the audit log, scoped to the viewer."""

import datetime

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from .audit_display import project_target_types, target_type_label, target_types_matching
from .models import AuditEvent, Division, Role, User
from .scoping import Level, cities_in_scope, counties_in_scope, user_scope

ALL_ROLES = [Role.PROVINCE, Role.AUDITOR, Role.CITY, Role.COUNTY, Role.CLERK]


def is_province_writer(user):
    return user.is_superuser or (user.role == Role.PROVINCE and user.is_active)


def roles_manageable_by(user):
    """Which roles a user may create and edit accounts for."""
    if is_province_writer(user):
        return ALL_ROLES
    if user.role == Role.CITY:
        return [Role.COUNTY, Role.CLERK]
    if user.role == Role.COUNTY:
        return [Role.CLERK]
    return []


def manageable_users(user):
    qs = User.objects.select_related("division", "market").filter(is_superuser=False)
    if is_province_writer(user):
        return qs
    roles = roles_manageable_by(user)
    if not roles or user.division_id is None:
        return qs.none()
    if user.role == Role.CITY:
        return qs.filter(role__in=roles).filter(Q(division__parent_id=user.division_id))
    return qs.filter(role__in=roles, division_id=user.division_id)


def divisions_for_role(user, role):
    """Divisions a manager may bind an account of `role` to."""
    if role in (Role.PROVINCE, Role.AUDITOR):
        if is_province_writer(user):
            return Division.objects.filter(level=Division.Level.PROVINCE)
        return Division.objects.none()
    if role == Role.CITY:
        return cities_in_scope(user) if is_province_writer(user) else Division.objects.none()
    return counties_in_scope(user).filter(is_active=True)


def audit_events_for(user):
    """Province staff see every row, a 市州 its own and its counties', a county its own; a
    window clerk sees what they did."""
    qs = AuditEvent.objects.select_related("county", "city")
    scope = user_scope(user)
    if scope.is_province:
        return qs
    if scope.level == Level.CITY:
        return qs.filter(Q(city_id=scope.city_id) | Q(county__parent_id=scope.city_id))
    if scope.level == Level.COUNTY:
        return qs.filter(county_id=scope.county_id)
    if scope.level == Level.MARKET:
        return qs.filter(actor=user)
    return qs.none()


AUDIT_TARGET_TYPES_CACHE_KEY = "audit:target-types"
AUDIT_TARGET_TYPES_CACHE_SECONDS = 10 * 60


def audit_target_types():
    """The object types that occur in the audit log, as [(label, Chinese name)] by name.

    One DISTINCT over the whole table, cached for 10 minutes (a type first recorded
    since shows up in the list then; typing its name finds it at once).
    """
    labels = cache.get(AUDIT_TARGET_TYPES_CACHE_KEY)
    if labels is None:
        labels = sorted(
            AuditEvent.objects.exclude(target_type="").order_by().values_list("target_type", flat=True).distinct()
        )
        cache.set(AUDIT_TARGET_TYPES_CACHE_KEY, labels, AUDIT_TARGET_TYPES_CACHE_SECONDS)
    return sorted(((label, target_type_label(label)) for label in labels), key=lambda item: item[1])


def filter_audit_events(qs, data):
    """Apply the audit filter form's cleaned `data` (the page and its export share it).

    对象类型 is a model label from the list (`markets.market`), or any text: it then
    matches the Chinese names of the models (`市场` finds 零工市场 and its versions) or
    their English model names (`market`).
    对象 matches the recorded object text or the object type's Chinese name.
    """
    if data.get("action"):
        qs = qs.filter(action=data["action"])
    if data.get("actor"):
        qs = qs.filter(actor_username__icontains=data["actor"])
    target_type = (data.get("target_type") or "").strip()
    if "." in target_type:
        qs = qs.filter(target_type=target_type.lower())
    elif target_type:
        qs = qs.filter(target_type__in=target_types_matching(target_type, project_target_types()))
    target = (data.get("target") or "").strip()
    if target:
        qs = qs.filter(
            Q(target_repr__icontains=target) | Q(target_type__in=target_types_matching(target, project_target_types()))
        )
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        qs = qs.filter(created_at__gte=datetime.datetime.combine(data["date_from"], datetime.time.min, tzinfo=tz))
    if data.get("date_to"):
        end = datetime.datetime.combine(data["date_to"], datetime.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end + datetime.timedelta(days=1))
    return qs
