"""Same-day numbers (五.1, 九): per market or county, insurance and rights cases in scope.

The monitoring pages of other apps may reuse `day_numbers` and `insurance_numbers`.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, DecimalField, Min, Q, Sum, Value
from django.db.models.functions import Coalesce

from gigmarket.core.scoping import scope_queryset
from registry.models import Posting, Worker

from .models import HOLDING_STATES, Match, RightsCase
from .selectors import day_bounds, rights_cases_for

GROUPS = {
    "market": ("market_id", "market__name"),
    "county": ("market__county_id", "market__county__name"),
}


@dataclass
class DayRow:
    key: object
    name: str
    postings: int = 0
    matches: int = 0
    confirmations: int = 0
    onboarded: int = 0
    same_day_onboarded: int = 0
    to_first_match: list = field(default_factory=list)
    to_confirmation: list = field(default_factory=list)

    @property
    def same_day_share(self):
        return self.same_day_onboarded / self.matches if self.matches else None

    @property
    def first_match_median(self):
        return statistics.median(self.to_first_match) if self.to_first_match else None

    @property
    def first_match_mean(self):
        return _mean(self.to_first_match)

    @property
    def confirmation_median(self):
        return statistics.median(self.to_confirmation) if self.to_confirmation else None

    @property
    def confirmation_mean(self):
        return _mean(self.to_confirmation)


def _mean(durations):
    return sum(durations, datetime.timedelta()) / len(durations) if durations else None


def day_numbers(user, day, group="market"):
    """Per market (or county) in scope on `day`: postings, matches, confirmations, onboarded,
    当日到岗 share, and times from posting to first match and from match to confirmation.

    Returns (rows, total) — `DayRow`s sorted by name, and the total over all of them.
    Seven queries whatever the number of rows.
    """
    key, name = GROUPS[group]
    start, end = day_bounds(day)
    rows = {}

    def row(k, n):
        if k not in rows:
            rows[k] = DayRow(key=k, name=n)
        return rows[k]

    postings = scope_queryset(Posting.objects.all(), user).filter(created_at__gte=start, created_at__lt=end)
    for r in postings.values(key, name).annotate(n=Count("id")).order_by():
        row(r[key], r[name]).postings = r["n"]
    matches = scope_queryset(Match.objects.all(), user)
    made = matches.filter(created_at__gte=start, created_at__lt=end)
    counts = made.values(key, name).annotate(
        n=Count("id"),
        same_day=Count("id", filter=Q(onboarded_at__gte=start, onboarded_at__lt=end)),
    )
    for r in counts.order_by():
        target = row(r[key], r[name])
        target.matches = r["n"]
        target.same_day_onboarded = r["same_day"]
    for r in (
        matches.filter(confirmed_at__gte=start, confirmed_at__lt=end)
        .values(key, name)
        .annotate(n=Count("id"))
        .order_by()
    ):
        row(r[key], r[name]).confirmations = r["n"]
    for r in (
        matches.filter(onboarded_at__gte=start, onboarded_at__lt=end)
        .values(key, name)
        .annotate(n=Count("id"))
        .order_by()
    ):
        row(r[key], r[name]).onboarded = r["n"]
    firsts = postings.annotate(first=Min("matches__created_at")).filter(first__isnull=False)
    for r in firsts.values(key, name, "created_at", "first").order_by():
        row(r[key], r[name]).to_first_match.append(max(r["first"] - r["created_at"], datetime.timedelta()))
    for r in (
        matches.filter(confirmed_at__gte=start, confirmed_at__lt=end)
        .values(key, name, "created_at", "confirmed_at")
        .order_by()
    ):
        row(r[key], r[name]).to_confirmation.append(r["confirmed_at"] - r["created_at"])
    ordered = sorted(rows.values(), key=lambda r: r.name or "")
    total = DayRow(key=None, name="合计")
    for r in ordered:
        for attr in ("postings", "matches", "confirmations", "onboarded", "same_day_onboarded"):
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
        total.to_first_match.extend(r.to_first_match)
        total.to_confirmation.extend(r.to_confirmation)
    return ordered, total


def insurance_numbers(user, day=None):
    """Insurance (八) for monitoring: insured workers in scope, and holding matches with an insured worker."""
    workers = scope_queryset(Worker.objects.all(), user).aggregate(
        total=Count("id"), insured=Count("id", filter=Q(has_injury_insurance=True))
    )
    matches = scope_queryset(Match.objects.filter(state__in=HOLDING_STATES), user)
    if day is not None:
        matches = matches.filter(work_date__lte=day, work_date_end__gte=day)
    m = matches.aggregate(total=Count("id"), insured=Count("id", filter=Q(insured=True)))
    return {
        "workers": workers["total"],
        "workers_insured": workers["insured"],
        "matches": m["total"],
        "matches_insured": m["insured"],
    }


def case_numbers(user):
    """Rights cases in scope by kind: open, total, amounts owed and recovered (one query)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        rights_cases_for(user)
        .order_by()
        .values("kind")
        .annotate(
            open=Count("id", filter=Q(state__in=RightsCase.OPEN_STATES)),
            total=Count("id"),
            owed=Coalesce(Sum("amount_owed"), Value(0), output_field=money),
            recovered=Coalesce(Sum("amount_recovered"), Value(0), output_field=money),
        )
    )
    by_kind = {r["kind"]: r for r in rows}
    return [
        {"kind": kind, "label": kind.label, **by_kind.get(kind, {"open": 0, "total": 0, "owed": 0, "recovered": 0})}
        for kind in RightsCase.Kind
    ]
