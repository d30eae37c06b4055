"""Ranking (七: 一对一 priority): candidates for a posting and postings for a worker, one query each."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from gigmarket.core.prepared import PreparedQuery
from gigmarket.core.scoping import Level, Scope, counties_in_scope, scope_filter, scope_queryset, user_scope
from registry.models import Posting, Tier, Worker, WorkerTrade
from registry.selectors import available_on

from .models import HOLDING_STATES, LIVE_STATES, Match
from .wages import annotate_wage_flag

CANDIDATE_LIMIT = 30
# The market id of a clerk's scope where the model has no market path (unused in the SQL).
NO_MARKET_PATH = 0

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


@dataclass(frozen=True)
class RankingShape:
    """What changes the ranking query's SQL besides its values (`PreparedQuery`)."""

    level: str  # the user's scope level
    market_bound: bool  # the scope has a market (a clerk bound to one)
    hours: bool  # the posting has start and end times
    here: bool  # the posting's county is among the counties searched
    limit: int


def ranking_values(posting, user, counties, *, today, limit):
    """The ranking query's shape and values for `posting` (see `ranking_queryset`)."""
    scope = user_scope(user)
    county_id = posting.market.county_id
    hours = bool(posting.start_time and posting.end_time)
    values = {
        "trade": posting.trade_id,
        "day": max(posting.work_date, today),
        "end": posting.last_work_date,
        "posting": posting.pk,
        "market": posting.market_id,
        "county": county_id,
        "counties": counties,
        "others": [pk for pk in counties if pk != county_id],
    }
    if hours:
        values |= {"start_time": posting.start_time, "end_time": posting.end_time}
    if scope.division_id is not None:
        values["scope_division"] = scope.division_id
    if scope.market_id is not None and hasattr(Worker, "scope_market_path"):
        values["scope_market"] = scope.market_id
    shape = RankingShape(
        level=scope.level,
        market_bound=scope.market_id is not None,
        hours=hours,
        here=county_id in counties,
        limit=limit,
    )
    return shape, values


def ranking_queryset(shape, v):
    """The ranked workers (at most `shape.limit`), as a queryset of the values `v`.

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
    limit = shape.limit
    fit = available_on(Worker.objects.filter(pk=OuterRef("worker_id")), v["day"])
    fit = fit.exclude(Exists(_booked(v["day"], v["end"], v.get("start_time"), v.get("end_time"))))
    fit = fit.exclude(
        Exists(Match.objects.filter(worker_id=OuterRef("pk"), posting_id=v["posting"], state__in=LIVE_STATES))
    )
    base = WorkerTrade.objects.filter(trade_id=v["trade"]).filter(Exists(fit))
    # The branches are exactly the nearness classes of the ranking's `proximity`. Scope is
    # the list of counties from `counties_in_scope`, compared on the trade rows' own
    # county: with `scope_queryset`'s join to the divisions (a 市州 user) the planner
    # misjudged the rows and checked every trade row of the 市州 before sorting (250 ms).

    def walk(qs):
        return qs.order_by("priority_tier", "waiting_since", "worker_id").values("worker_id")[:limit]

    # A worker keeps the market they first registered at when they move: the market
    # branch is limited to the counties too (statistics `registry_wtrade_market_county`
    # tell the planner the market mostly implies the county, or it would underestimate
    # the branch tenfold and sort instead of walking).
    here = base.exclude(registered_market_id=v["market"])
    branches = [base.filter(registered_market_id=v["market"], county_id__in=v["counties"])]
    if shape.here:
        branches.append(here.filter(county_id=v["county"]))
    if v["others"]:
        branches.append(here.filter(county_id__in=v["others"]))
    parts, params = [], []
    for n, branch in enumerate(branches):
        sql, branch_params = walk(branch).query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS branch{n}")
        params.extend(branch_params)
    top = RawSQL(" UNION ALL ".join(parts), params)
    # Scope again on the workers themselves (at most 3 × `limit` rows): the copies on the
    # trade rows decide the walk, never what a user may see.
    # Workers have no market path: a clerk's scope on them is their county, whichever market.
    market_id = v.get("scope_market", NO_MARKET_PATH if shape.market_bound else None)
    scope = Scope(shape.level, division_id=v.get("scope_division"), market_id=market_id)
    return (
        scope_filter(Worker.objects.select_related("registered_market", "county"), scope)
        .filter(pk__in=top, county_id__in=v["counties"])
        .annotate(
            proximity=Case(
                When(registered_market_id=v["market"], then=Value(0)),
                When(county_id=v["county"], then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("priority_tier", "proximity", "waiting_since", "pk")[:limit]
    )


# The ranking SQL, compiled once per shape and process (~330 expression compilations saved
# per request); tests/matching/test_ranking.py checks it against `ranking_queryset` itself.
RANKING = PreparedQuery(Worker, ranking_queryset)


def candidates_for_posting(posting, user, *, today=None, limit=CANDIDATE_LIMIT):
    """Ranked workers for `posting`, in one query (`ranking_queryset`, prepared once per shape).

    Filter: in scope and in the posting's 市州, the posting's trade among theirs, available
    on the first working day still ahead, not already confirmed on an overlapping job,
    not already matched to this posting. Order: 分级服务 tier (一级 first, the stored
    `priority_tier`), then nearness (same market, same county, the rest of the 市州),
    then who has waited longest. `posting` needs `market__county` loaded.
    """
    today = today or timezone.localdate()
    counties = _candidate_counties(posting, user)
    if not counties:
        return []
    shape, values = ranking_values(posting, user, counties, today=today, limit=limit)
    rows = RANKING.run(shape, values)
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
