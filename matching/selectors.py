"""Reads for matching: lists, candidate ranking, wage flags and the same-day numbers.

Every list goes through `scope_queryset`. The monitoring pages of other apps may reuse
`day_numbers`, `insurance_numbers`, `employers_with_open_wage_cases` and
`open_wage_case_counts`.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.contrib.postgres.fields import DateRangeField
from django.db import connections
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from gigmarket.core.scoping import Level, counties_in_scope, get_object_in_scope, scope_queryset, user_scope
from registry.models import Posting, Tier, Worker, WorkerTrade
from registry.selectors import available_on

from .models import HOLDING_STATES, LIVE_STATES, Match, MatchState, Placement, RightsCase

CANDIDATE_LIMIT = 30

# Lists --------------------------------------------------------------------------------


def matches_for(user):
    # Join only the tables the list needs per row; markets and trades repeat across a page
    # and come by primary key in one query each. At province scale planning the 7-table
    # join took 13 ms a request, executing it 2 ms (docs/performance.md).
    return scope_queryset(
        Match.objects.select_related("worker", "employer", "posting").prefetch_related("market", "posting__trade"),
        user,
    )


def on_day(qs, day):
    """Matches whose working days include `day`, latest start first, then newest.

    On PostgreSQL as `daterange(work_date, work_date_end, '[]') @> day`, the expression of
    the GiST index `matching_match_days` (migration 0003): the two comparisons below have
    no index that can answer them, and at province scale read every match (250 ms). The
    order leads with `work_date` on purpose: in the list's usual order (newest first)
    PostgreSQL would walk the newest matches hoping to meet a day long past, and read
    3.4 M rows before finding a page of 2025-03-10 (4.6 s). No index gives this order,
    so the day's rows are fetched through the GiST index and sorted.
    """
    if connections[qs.db].vendor == "postgresql":
        days = Func(
            F("work_date"), F("work_date_end"), Value("[]"), function="daterange", output_field=DateRangeField()
        )
        qs = qs.alias(work_days=days).filter(work_days__contains=day)
    else:
        qs = qs.filter(work_date__lte=day, work_date_end__gte=day)
    return qs.order_by("-work_date", "-created_at", "-id")


def match_detail(user, pk):
    """One match in scope with everything its page shows, or 404."""
    qs = Match.objects.select_related(
        "worker",
        "employer",
        "market",
        "market__county",
        "market__county__parent",
        "posting",
        "posting__trade",
        "created_by",
    )
    return get_object_in_scope(qs, user, pk=pk)


def rights_cases_for(user):
    return scope_queryset(
        RightsCase.objects.select_related("worker", "employer", "market", "market__county", "created_by"),
        user,
    )


def placements_for(user):
    return scope_queryset(Placement.objects.select_related("worker", "county", "created_by"), user)


def day_bounds(day):
    """[start, end) of a local calendar day as aware datetimes."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


# The 欠薪 flag (八) ----------------------------------------------------------------------


def _open_wage_cases():
    return RightsCase.objects.filter(kind=RightsCase.Kind.WAGES, state__in=RightsCase.OPEN_STATES)


def employers_with_open_wage_cases():
    """Ids of employers with an open 欠薪 case anywhere in the province (a queryset, usable in `__in`)."""
    return _open_wage_cases().values("employer_id").distinct()


def open_wage_case_counts(employer_ids):
    """{employer_id: number of open 欠薪 cases} for the given employers (one query)."""
    rows = (
        _open_wage_cases()
        .filter(employer_id__in=list(employer_ids))
        .values("employer_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["employer_id"]: row["n"] for row in rows}


def annotate_wage_flag(qs, employer_path="employer"):
    """Annotate `open_wage_cases` (count of the employer's open 欠薪 cases) on any queryset."""
    sub = (
        _open_wage_cases()
        .filter(employer_id=OuterRef(f"{employer_path}_id" if employer_path != "pk" else "pk"))
        .order_by()
        .values("employer_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(open_wage_cases=Coalesce(Subquery(sub, output_field=IntegerField()), Value(0)))


# Candidate ranking (七: 一对一 priority) ------------------------------------------------

PROXIMITY_LABELS = {0: "同一零工市场登记", 1: "同县(市、区)", 2: "同市州其他县区"}


@dataclass
class Candidate:
    worker: Worker
    rank: int
    tier: Tier
    proximity: int
    waiting_days: int
    reasons: list = field(default_factory=list)


def _booked(start, end, start_time, end_time):
    """Holding matches of OuterRef worker overlapping [start, end] and (when both have hours) the hours."""
    qs = Match.objects.filter(
        worker_id=OuterRef("pk"),
        state__in=HOLDING_STATES,
        work_date__lte=end,
        work_date_end__gte=start,
    )
    if start_time and end_time:
        qs = qs.filter(
            Q(start_time__isnull=True) | Q(end_time__isnull=True) | Q(start_time__lt=end_time, end_time__gt=start_time)
        )
    return qs


def _candidate_counties(posting, user):
    """Counties to search: the user's scope (`counties_in_scope`), narrowed to the posting's 市州 ("nearby")."""
    county = posting.market.county
    scope = user_scope(user)
    if scope.level == Level.COUNTY or (scope.level == Level.MARKET and scope.market_id is not None):
        return [county.pk] if scope.county_id == county.pk else []  # their county, known without a query
    in_scope = counties_in_scope(user).filter(parent_id=county.parent_id)
    return list(in_scope.order_by("code").values_list("pk", flat=True))


def candidates_for_posting(posting, user, *, today=None, limit=CANDIDATE_LIMIT):
    """Ranked workers for `posting`, in one query.

    Filter: in scope and in the posting's 市州, the posting's trade among theirs, available
    on the first working day still ahead, not already confirmed on an overlapping job,
    not already matched to this posting. Order: 分级服务 tier (一级 first, the stored
    `priority_tier`), then nearness (same market, same county, the rest of the 市州),
    then who has waited longest. `posting` needs `market__county` loaded.

    Shape: three branches — the posting's market, the rest of its county, the other
    counties of the 市州, each limited to the counties in scope — each walking the
    posting's trade rows (`WorkerTrade`, which carry the worker's ranking key) in the
    order of one of their indexes, (trade, market | county, tier, waiting_since, worker)
    or (trade, tier, waiting_since, worker) with the county list as a filter; each
    checks the walked row's worker by primary key and stops at `limit`. Then the union
    of at most 3 × `limit` ids is ranked, scoped once more on the workers themselves.
    The top `limit` of the whole order is always inside it: a worker's predecessors in
    its own branch precede it overall. The walk is as short for a rare trade as for a
    common one; the third branch reads about `limit` ÷ (the 市州's share of the trade's
    workers) rows.
    """
    today = today or timezone.localdate()
    day = max(posting.work_date, today)
    end = posting.last_work_date
    county_id = posting.market.county_id
    fit = available_on(Worker.objects.filter(pk=OuterRef("worker_id")), day)
    fit = fit.exclude(Exists(_booked(day, end, posting.start_time, posting.end_time)))
    fit = fit.exclude(Exists(Match.objects.filter(worker_id=OuterRef("pk"), posting=posting, state__in=LIVE_STATES)))
    base = WorkerTrade.objects.filter(trade_id=posting.trade_id).filter(Exists(fit))
    # The branches are exactly the nearness classes of the ranking's `proximity`. Scope is
    # the list of counties from `counties_in_scope`, compared on the trade rows' own
    # county: with `scope_queryset`'s join to the divisions (a 市州 user) the planner
    # misjudged the rows and checked every trade row of the 市州 before sorting (250 ms).

    def walk(qs):
        return qs.order_by("priority_tier", "waiting_since", "worker_id").values("worker_id")[:limit]

    counties = _candidate_counties(posting, user)
    if not counties:
        return []
    # A worker keeps the market they first registered at when they move: the market
    # branch is limited to the counties too (statistics `registry_wtrade_market_county`
    # tell the planner the market mostly implies the county, or it would underestimate
    # the branch tenfold and sort instead of walking).
    here = base.exclude(registered_market_id=posting.market_id)
    branches = [base.filter(registered_market_id=posting.market_id, county_id__in=counties)]
    if county_id in counties:
        branches.append(here.filter(county_id=county_id))
    others = [pk for pk in counties if pk != county_id]
    if others:
        branches.append(here.filter(county_id__in=others))
    parts, params = [], []
    for n, branch in enumerate(branches):
        sql, branch_params = walk(branch).query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS branch{n}")
        params.extend(branch_params)
    top = RawSQL(" UNION ALL ".join(parts), params)
    # Scope again on the workers themselves (at most 3 × `limit` rows): the copies on the
    # trade rows decide the walk, never what a user may see.
    rows = (
        scope_queryset(Worker.objects.select_related("registered_market", "county"), user)
        .filter(pk__in=top, county_id__in=counties)
        .annotate(
            proximity=Case(
                When(registered_market_id=posting.market_id, then=Value(0)),
                When(county_id=county_id, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("priority_tier", "proximity", "waiting_since", "pk")[:limit]
    )
    return [_candidate(worker, n, today) for n, worker in enumerate(rows, start=1)]


def _candidate(worker, rank, today):
    tier = Tier(worker.priority_tier)
    waiting_days = (today - timezone.localdate(worker.waiting_since)).days
    hardship = worker.hardship_labels(today)
    reasons = [f"{tier.label}" + (f"（{'、'.join(hardship)}）" if hardship else "")]
    if tier != Tier.NORMAL:
        reasons[0] += "，优先一对一对接"
    reasons.append(PROXIMITY_LABELS[worker.proximity])
    reasons.append("工种相符、当日可上工")
    reasons.append(f"已待工{waiting_days}天" if worker.last_confirmed_match_at else f"登记{waiting_days}天未对接成功")
    if not worker.has_injury_insurance:
        reasons.append("未参加意外伤害保险")
    return Candidate(
        worker=worker,
        rank=rank,
        tier=tier,
        proximity=worker.proximity,
        waiting_days=waiting_days,
        reasons=reasons,
    )


def postings_for_worker(worker, user, *, today=None, limit=CANDIDATE_LIMIT):
    """Open postings in scope that fit `worker`: their trades, their available dates, places left.

    Nearest first (the worker's registering market, then their county), then the
    earliest work date. Postings whose employer has an open 欠薪 case carry
    `open_wage_cases` > 0. One query (plus the worker's trades).
    """
    today = today or timezone.localdate()
    trade_ids = list(worker.trades.values_list("pk", flat=True))
    if not trade_ids:
        return []
    held = (
        Match.objects.filter(posting_id=OuterRef("pk"), state__in=HOLDING_STATES)
        .order_by()
        .values("posting_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = scope_queryset(
        Posting.objects.select_related("employer", "market", "trade"),
        user,
    ).filter(status=Posting.Status.OPEN, valid_until__gte=today, trade_id__in=trade_ids)
    qs = qs.filter(Q(work_date_end__gte=today) | Q(work_date_end__isnull=True, work_date__gte=today))
    if worker.available_from:
        qs = qs.filter(Q(work_date_end__gte=worker.available_from) | Q(work_date__gte=worker.available_from))
    if worker.available_until:
        qs = qs.filter(work_date__lte=worker.available_until)
    qs = qs.exclude(Exists(Match.objects.filter(posting_id=OuterRef("pk"), worker=worker, state__in=LIVE_STATES)))
    qs = annotate_wage_flag(qs).annotate(
        held=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)),
        proximity=Case(
            When(market_id=worker.registered_market_id, then=Value(0)),
            When(market__county_id=worker.county_id, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    )
    qs = qs.filter(held__lt=F("headcount"))
    return list(qs.order_by("proximity", "work_date", "-created_at", "pk")[:limit])


# The clerk's board ----------------------------------------------------------------------


def board(market, today=None):
    """Today's board for one market: open postings with places taken, and matches by state."""
    today = today or timezone.localdate()
    held = (
        Match.objects.filter(posting_id=OuterRef("pk"), state__in=HOLDING_STATES)
        .order_by()
        .values("posting_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    postings = annotate_wage_flag(
        Posting.objects.filter(market=market, status=Posting.Status.OPEN, valid_until__gte=today)
        .select_related("employer", "trade")
        .annotate(held=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)))
    ).order_by("work_date", "-created_at", "pk")
    start, end = day_bounds(today)
    matches = annotate_wage_flag(
        Match.objects.filter(market=market)
        .filter(
            Q(state=MatchState.NEGOTIATING)
            | Q(state__in=HOLDING_STATES, work_date__lte=today, work_date_end__gte=today)
            | Q(created_at__gte=start, created_at__lt=end)
        )
        .select_related("worker", "employer", "posting", "posting__trade")
    ).order_by("-created_at", "-pk")
    by_state = {state: [] for state in MatchState}
    for match in matches[:300]:
        by_state[MatchState(match.state)].append(match)
    return {"postings": list(postings[:100]), "by_state": by_state}


# Same-day numbers (五.1, 九) ----------------------------------------------------------------

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
