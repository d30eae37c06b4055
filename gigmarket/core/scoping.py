"""The one place that decides what a user may see and change.

Every scoped model declares how to reach its county and (optionally) its market:

    class Market(models.Model):
        scope_county_path = "county"
        scope_market_path = "pk"

`scope_queryset(qs, user)` narrows any queryset of such a model to the user's
region: the province sees everything, a 市州 its counties, a county itself, a
window clerk their market (or their county for records not tied to a market).
Views fetch single objects through `get_object_in_scope`, so out of scope is a
404, the same answer as "does not exist".
"""

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Division, Role


def _paths(model):
    county = getattr(model, "scope_county_path", None)
    if county is None:
        raise ImproperlyConfigured(f"{model.__name__} does not declare scope_county_path")
    return county, getattr(model, "scope_market_path", None)


def scope_queryset(qs, user):
    """Return `qs` narrowed to what `user` may see."""
    county_path, market_path = _paths(qs.model)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser or user.role in (Role.PROVINCE, Role.AUDITOR):
        return qs
    if user.division_id is None:
        return qs.none()
    if user.role == Role.CITY:
        return qs.filter(**{f"{county_path}__parent_id": user.division_id})
    if user.role == Role.COUNTY:
        return qs.filter(**{county_path: user.division_id})
    if user.role == Role.CLERK:
        if user.market_id is None:
            return qs.none()
        if market_path:
            return qs.filter(**{market_path: user.market_id})
        return qs.filter(**{county_path: user.division_id})
    return qs.none()


def get_object_in_scope(qs_or_model, user, **lookup):
    """Fetch one object the user may see, or raise Http404."""
    qs = qs_or_model if hasattr(qs_or_model, "model") else qs_or_model._default_manager.all()
    try:
        return get_object_or_404(scope_queryset(qs, user), **lookup)
    except (ValueError, TypeError, OverflowError, ValidationError) as exc:
        # A malformed id from a URL query ("?market=abc") is simply not found.
        raise Http404("记录不存在。") from exc


def require_write(user):
    """Read-only roles (the provincial auditor) get 403 on any write."""
    if not user.can_write:
        raise PermissionDenied("您的账号为只读权限，不能进行此操作。")


def counties_in_scope(user):
    """Active and inactive counties the user's scope covers."""
    qs = Division.objects.filter(level=Division.Level.COUNTY)
    if user.is_superuser or user.role in (Role.PROVINCE, Role.AUDITOR):
        return qs
    if user.division_id is None:
        return qs.none()
    if user.role == Role.CITY:
        return qs.filter(parent_id=user.division_id)
    if user.role in (Role.COUNTY, Role.CLERK):
        return qs.filter(pk=user.division_id)
    return qs.none()


def cities_in_scope(user):
    qs = Division.objects.filter(level=Division.Level.CITY)
    if user.is_superuser or user.role in (Role.PROVINCE, Role.AUDITOR):
        return qs
    if user.division_id is None:
        return qs.none()
    if user.role == Role.CITY:
        return qs.filter(pk=user.division_id)
    if user.role in (Role.COUNTY, Role.CLERK):
        return qs.filter(children=user.division_id)
    return qs.none()


def county_of(obj):
    """Follow the model's scope_county_path to its county Division (or None)."""
    county_path, _ = _paths(type(obj))
    value = obj
    for attr in county_path.split("__"):
        if attr.endswith("_id"):
            return Division.objects.filter(pk=getattr(value, attr)).first()
        value = getattr(value, attr, None)
        if value is None:
            return None
    return value if isinstance(value, Division) else None
