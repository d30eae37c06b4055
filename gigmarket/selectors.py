"""Reads for accounts and the audit log, scoped to the viewer."""

from django.db.models import Q

from .models import AuditEvent, Division, Role, User

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
    from .scoping import cities_in_scope, counties_in_scope

    if role in (Role.PROVINCE, Role.AUDITOR):
        if is_province_writer(user):
            return Division.objects.filter(level=Division.Level.PROVINCE)
        return Division.objects.none()
    if role == Role.CITY:
        return cities_in_scope(user) if is_province_writer(user) else Division.objects.none()
    return counties_in_scope(user).filter(is_active=True)


def audit_events_for(user):
    qs = AuditEvent.objects.select_related("county", "city")
    if user.is_superuser or user.role in (Role.PROVINCE, Role.AUDITOR):
        return qs
    if user.division_id is None:
        return qs.none()
    if user.role == Role.CITY:
        return qs.filter(Q(city_id=user.division_id) | Q(county__parent_id=user.division_id))
    if user.role == Role.COUNTY:
        return qs.filter(county_id=user.division_id)
    return qs.filter(actor=user)
