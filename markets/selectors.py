"""Reads for markets: the querysets pages, exports and other apps build on.

Joins and prefetches are decided here once, so list pages and exports run a fixed
number of queries whatever the number of rows.
"""

import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone

from gigmarket.core.models import AuditEvent, Division, Role
from gigmarket.core.scoping import scope_queryset

from .attachment1 import ROW_FIELDS
from .models import Market, MarketVersion, OpeningPeriod, Rectification, RectificationEvidence, Trade

WRITER_ROLES = (Role.PROVINCE, Role.CITY, Role.COUNTY)


def can_edit_markets(user):
    """Province, 市州 and county staff keep market records; auditors and clerks only read."""
    return user.is_active and (user.is_superuser or user.role in WRITER_ROLES)


def can_manage_trades(user):
    return user.is_active and (user.is_superuser or user.role == Role.PROVINCE)


def with_check_flags(qs):
    """Annotate has_hours / has_trades for the standard check (no extra queries per row)."""
    return qs.annotate(
        has_hours=Exists(OpeningPeriod.objects.filter(market=OuterRef("pk"))),
        has_trades=Exists(Market.trades.through.objects.filter(market_id=OuterRef("pk"))),
    )


def markets_for_rows(qs=None):
    """Markets ready for `attachment1.market_row` and the standard check: 3 queries for any number."""
    qs = Market.objects.all() if qs is None else qs
    return qs.select_related("county__parent").prefetch_related(
        Prefetch("trades", queryset=Trade.objects.only("id", "name", "code", "sort_order")),
        Prefetch("opening_periods", queryset=OpeningPeriod.objects.order_by("opens", "weekdays")),
    )


def market_row_values(qs):
    """`attachment1.row_values` of every market of `qs`, in its order, from plain `values()`:
    3 queries and no model instances (the live province 附件1 reads 2,000 markets, 9,000
    opening periods and their trades; building them as models was most of its fetch)."""
    markets = list(
        qs.prefetch_related(None).values(
            "id", *ROW_FIELDS, city_name=F("county__parent__name"), county_name=F("county__name")
        )
    )
    ids = qs.values("pk")  # a subquery (keeps its order only when sliced, for the LIMIT)
    trades, hours = {}, {}
    for market_id, name in (
        Market.trades.through.objects.filter(market__in=ids)
        .order_by("trade__sort_order", "trade__code")  # Trade's own order, as market.trades.all()
        .values_list("market_id", "trade__name")
    ):
        trades.setdefault(market_id, []).append(name)
    for market_id, *span in (
        OpeningPeriod.objects.filter(market__in=ids)
        .order_by("opens", "weekdays", "closes")
        .values_list("market_id", "weekdays", "opens", "closes")
    ):
        hours.setdefault(market_id, []).append(tuple(span))
    for values in markets:
        values["trades"] = trades.get(values["id"], [])
        values["hours"] = hours.get(values["id"], [])
    return markets


def market_list(user, *, county=None, city=None, status="", kind="", nature="", trade=None, q=""):
    """The staff list: markets in the user's scope, filtered, with standard-check flags."""
    qs = scope_queryset(Market.objects.select_related("county__parent"), user)
    if city is not None:
        qs = qs.filter(county__parent=city)
    if county is not None:
        qs = qs.filter(county=county)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if nature:
        qs = qs.filter(nature=nature)
    if trade is not None:
        qs = qs.filter(Exists(Market.trades.through.objects.filter(market_id=OuterRef("pk"), trade=trade)))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(operator__icontains=q))
    return with_check_flags(qs).order_by("county__code", "name")


def market_history(market):
    return market.versions.select_related("actor").order_by("-number")


def markets_in_scope_for_check(user, *, include_closed=False):
    qs = scope_queryset(Market.objects.select_related("county__parent"), user)
    if not include_closed:
        qs = qs.exclude(status=Market.Status.CLOSED)
    return with_check_flags(qs).order_by("county__code", "name")


def _end_of_day(date):
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)


def markets_as_of(date, counties):
    """The registry as it stood at the end of `date` (local time) in `counties`.

    Returns MarketVersion rows, one per market that existed by then (the latest
    version up to that moment), ordered by county code and name. Each has
    `.snapshot` (all fields, trades, periods) and `.snapshot["row"]` (the 附件1 row as
    it was). Closed markets are included with their status; filter on `.status` to
    list only operating ones. One query. `counties` is a queryset or list of
    county Divisions (or ids).
    """
    cutoff = _end_of_day(date)
    latest = MarketVersion.objects.filter(market=OuterRef("market"), created_at__lt=cutoff).order_by("-number")
    return (
        MarketVersion.objects.filter(county__in=counties, created_at__lt=cutoff)
        .filter(number=Subquery(latest.values("number")[:1]))
        .select_related("county__parent")
        .order_by("county__code", "market__name", "market_id")
    )


# ------------------------------------------------------------------ public 名录


def public_markets(*, city=None, county=None, trade=None, q=""):
    """Operating markets for the public 名录; no staff-only fields are needed by the page."""
    qs = Market.objects.filter(status=Market.Status.OPERATING).select_related("county__parent")
    if city is not None:
        qs = qs.filter(county__parent=city)
    if county is not None:
        qs = qs.filter(county=county)
    if trade is not None:
        qs = qs.filter(Exists(Market.trades.through.objects.filter(market_id=OuterRef("pk"), trade=trade)))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return qs.prefetch_related(
        Prefetch("trades", queryset=Trade.objects.only("id", "name", "sort_order", "code")),
        Prefetch("opening_periods", queryset=OpeningPeriod.objects.order_by("opens", "weekdays")),
    ).order_by("county__code", "name")


def cities_with_public_markets():
    return Division.objects.filter(
        level=Division.Level.CITY, children__markets__status=Market.Status.OPERATING
    ).distinct()


def counties_with_public_markets(city=None):
    qs = Division.objects.filter(level=Division.Level.COUNTY, markets__status=Market.Status.OPERATING)
    if city is not None:
        qs = qs.filter(parent=city)
    return qs.distinct().order_by("code")


def active_trades():
    return Trade.objects.filter(is_active=True)


# ------------------------------------------------------------------ 整改


def rectification_list(user, *, status="", overdue=False, county=None, today=None):
    """整改 records in the user's scope, open ones first (soonest deadline first), each with
    `evidence_count`; `overdue` keeps open records past their deadline."""
    today = today or timezone.localdate()
    qs = scope_queryset(Rectification.objects.select_related("market__county__parent"), user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=Rectification.Status.OPEN, deadline__lt=today)
    if county is not None:
        qs = qs.filter(market__county=county)
    open_first = Case(
        When(status=Rectification.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.annotate(evidence_count=Count("evidence")).order_by(open_first, "deadline", "pk")


def rectification_for_detail():
    """The queryset a record's page fetches from (its market, county, 市州 and users in one query)."""
    return Rectification.objects.select_related("market__county__parent", "opened_by", "closed_by")


def rectification_evidence(rectification):
    return list(RectificationEvidence.objects.filter(rectification=rectification).select_related("uploaded_by"))


def rectification_history(rectification, evidence):
    """The audit rows of the record and of its photos, oldest first (its 办理记录)."""
    targets = Q(target_type=Rectification._meta.label_lower, target_id=str(rectification.pk))
    if evidence:
        targets |= Q(target_type=RectificationEvidence._meta.label_lower, target_id__in=[str(e.pk) for e in evidence])
    return list(AuditEvent.objects.filter(targets).select_related("actor").order_by("created_at", "pk"))


def open_rectifications_by_item(market):
    """{item key: open record} for one market (its standard check links to them)."""
    return {r.item: r for r in Rectification.objects.filter(market=market, status=Rectification.Status.OPEN)}


def rectifications_due_overdue_notice(today):
    """Open records past their deadline whose overdue notice has not gone out (reminders)."""
    return (
        Rectification.objects.filter(
            status=Rectification.Status.OPEN, deadline__lt=today, overdue_notified_at__isnull=True
        )
        .select_related("market__county__parent")
        .order_by("deadline", "pk")
    )


def rectification_counts_by_county(county_ids, today, *, soon_days=7):
    """{county id: {"open", "due_soon", "overdue"}} of open 整改 records in one query: open,
    due within `soon_days` days (deadline from today on), past their deadline."""
    soon = today + datetime.timedelta(days=soon_days)
    rows = (
        Rectification.objects.filter(status=Rectification.Status.OPEN, market__county_id__in=list(county_ids))
        .order_by()
        .values("market__county_id")
        .annotate(
            open=Count("pk"),
            due_soon=Count("pk", filter=Q(deadline__gte=today, deadline__lte=soon)),
            overdue=Count("pk", filter=Q(deadline__lt=today)),
        )
    )
    return {row.pop("market__county_id"): row for row in rows}
