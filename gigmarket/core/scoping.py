"""The one place that decides what a user may see and change.

Every scoped model declares how to reach its county and (optionally) its market:

    class Market(models.Model):
        scope_county_path = "county"
        scope_market_path = "pk"

`scope_queryset(qs, user)` narrows any queryset of such a model to the user's
region: the province sees everything, a 市州 its counties, a county itself, a
window clerk their market (or their county for records not tied to a market).
Views fetch single objects through `get_object_in_scope`, so out of scope is a
404, the same answer as "does not exist". Which of those a user is — the role ladder —
is decided in one place, `user_scope(user)`, and everything else reads its `Scope`.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Division, Role


class Level:
    """How far a user's scope reaches (the same words as the reporting regions)."""

    PROVINCE = "province"  # the whole province: province staff, the auditor, superusers
    CITY = "city"  # one 市州 and its counties
    COUNTY = "county"  # one county
    MARKET = "market"  # a window clerk: one market's records, the county's for the rest
    NONE = "none"  # inactive, signed out, or an account without its division


@dataclass(frozen=True)
class Scope:
    """Where a user works, decided once from role, division and market (`user_scope`)."""

    level: str
    division_id: int | None = None  # the 市州 (CITY) or the county (COUNTY, MARKET)
    market_id: int | None = None  # MARKET only; None for a clerk not bound to a market

    @property
    def is_province(self):
        return self.level == Level.PROVINCE

    @property
    def city_id(self):
        return self.division_id if self.level == Level.CITY else None

    @property
    def county_id(self):
        """The one county of a county user or clerk (None for wider or empty scopes)."""
        return self.division_id if self.level in (Level.COUNTY, Level.MARKET) else None

    def filter(self, qs, county_path, market_path=None):
        """`qs` narrowed to this scope, through the model's paths to its county and market."""
        if self.level == Level.PROVINCE:
            return qs
        if self.level == Level.CITY:
            return qs.filter(**{f"{county_path}__parent_id": self.division_id})
        if self.level == Level.COUNTY:
            return qs.filter(**{county_path: self.division_id})
        if self.level == Level.MARKET and self.market_id is not None:
            if market_path:
                return qs.filter(**{market_path: self.market_id})
            return qs.filter(**{county_path: self.division_id})
        return qs.none()


NO_SCOPE = Scope(Level.NONE)
_CACHE_ATTR = "_gm_user_scope"


def _derive_scope(user):
    if not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    if user.is_superuser or user.role in (Role.PROVINCE, Role.AUDITOR):
        return Scope(Level.PROVINCE)
    if user.division_id is None:
        return NO_SCOPE
    if user.role == Role.CITY:
        return Scope(Level.CITY, division_id=user.division_id)
    if user.role == Role.COUNTY:
        return Scope(Level.COUNTY, division_id=user.division_id)
    if user.role == Role.CLERK:
        return Scope(Level.MARKET, division_id=user.division_id, market_id=user.market_id)
    return NO_SCOPE


def user_scope(user):
    """The user's `Scope`, the one place the role ladder (province / 市州 / county / clerk) is read.

    Cached on the user object for the request; the cache is keyed on the fields it is derived
    from, so a user whose role, division or market changes is never answered from a stale copy.
    """
    if not user.is_authenticated:
        return NO_SCOPE
    key = (user.is_active, user.is_superuser, user.role, user.division_id, user.market_id)
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached[0] == key:
        return cached[1]
    scope = _derive_scope(user)
    setattr(user, _CACHE_ATTR, (key, scope))
    return scope


def _paths(model):
    county = getattr(model, "scope_county_path", None)
    if county is None:
        raise ImproperlyConfigured(f"{model.__name__} does not declare scope_county_path")
    return county, getattr(model, "scope_market_path", None)


def scope_queryset(qs, user):
    """Return `qs` narrowed to what `user` may see."""
    return scope_filter(qs, user_scope(user))


def scope_filter(qs, scope):
    """Return `qs` narrowed to `scope` (a user's, from `user_scope`), through its model's paths."""
    county_path, market_path = _paths(qs.model)
    return scope.filter(qs, county_path, market_path)


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
    scope = user_scope(user)
    if scope.is_province:
        return qs
    if scope.city_id is not None:
        return qs.filter(parent_id=scope.city_id)
    if scope.county_id is not None:
        return qs.filter(pk=scope.county_id)
    return qs.none()


def cities_in_scope(user):
    qs = Division.objects.filter(level=Division.Level.CITY)
    scope = user_scope(user)
    if scope.is_province:
        return qs
    if scope.city_id is not None:
        return qs.filter(pk=scope.city_id)
    if scope.county_id is not None:
        return qs.filter(children=scope.county_id)
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
