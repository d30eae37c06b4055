"""Reads for matching: the scoped lists of matches, rights cases and placements.

Every list goes through `scope_queryset`. The other reads live in modules named for
their job: `wages` (the 欠薪 flag), `ranking` (candidates for a posting, postings for a
worker), `board` (the clerk's board of a market), `numbers` (same-day numbers).
"""

import datetime

from django.contrib.postgres.fields import DateRangeField
from django.db import connections
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from gigmarket.core.scoping import scope_queryset
from markets.models import Market, OpeningPeriod, Trade
from registry.models import Posting, PreRegistration

from .models import HOLDING_STATES, Application, ApplicationState, Match, Placement, RightsCase


def matches_for(user):
    # Join only the tables the list needs per row; markets and trades repeat across a page
    # and come by primary key in one query each. At province scale planning the 7-table
    # join took 13 ms a request, executing it 2 ms (docs/performance.md).
    return scope_queryset(
        Match.objects.select_related("worker", "employer", "posting").prefetch_related("market", "posting__trade"),
        user,
    )


# What a 对接记录 list row shows (`matching.rows.MatchRows`): of the joined worker, employer
# and posting only the names and the trade; the worker row alone is ~40 columns with
# ciphertexts, the market ~50.
LIST_ROW_COLUMNS = (
    *("created_at", "state", "agreed_pay", "pay_unit", "work_date", "work_date_end", "insured"),
    *("worker__name", "employer__name", "posting__trade", "market"),
)


def match_list_rows(qs):
    """The list's page query: `LIST_ROW_COLUMNS`, the markets' and trades' names by primary key."""
    return (
        qs.prefetch_related(None)
        .only(*LIST_ROW_COLUMNS)
        .prefetch_related(
            Prefetch("market", queryset=Market.objects.only("name")),
            Prefetch("posting__trade", queryset=Trade.objects.only("name")),
        )
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


# Public 今日零工岗位 and the counter's online queues (issue 15) ------------------------------


def held_count_subquery():
    """SQL: how many places of the outer posting are taken (confirmed, on board, done)."""
    held = (
        Match.objects.filter(posting=OuterRef("pk"), state__in=HOLDING_STATES)
        .order_by()
        .values("posting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(held, output_field=IntegerField()), Value(0))


def public_job_postings(
    *,
    today=None,
    city=None,
    county=None,
    market=None,
    trade=None,
    day_from=None,
    day_to=None,
    pay_unit="",
    min_pay=None,
):
    """Open postings of every operating market for the public search, soonest first.

    Filled, closed and expired postings never appear (status and 有效期至). `day_from` /
    `day_to`: the posting's work days must overlap that range. Each row carries `held`
    (places taken); the market's opening periods are prefetched (one query per page).
    """
    today = today or timezone.localdate()
    qs = Posting.objects.filter(
        status=Posting.Status.OPEN, valid_until__gte=today, market__status=Market.Status.OPERATING
    )
    if market is not None:
        qs = qs.filter(market=market)
    elif county is not None:
        qs = qs.filter(market__county=county)
    elif city is not None:
        qs = qs.filter(market__county__parent=city)
    if trade is not None:
        qs = qs.filter(trade=trade)
    if day_from is not None:
        qs = qs.filter(Q(work_date_end__gte=day_from) | Q(work_date_end__isnull=True, work_date__gte=day_from))
    if day_to is not None:
        qs = qs.filter(work_date__lte=day_to)
    if pay_unit:
        qs = qs.filter(pay_unit=pay_unit)
    if min_pay is not None:
        qs = qs.filter(pay__gte=min_pay)
    return (
        # The card shows the market's name, hours and hotline: no county or 市州 join (on
        # the page's 500 open postings those two lookups were most of the query's time).
        qs.select_related("employer", "trade", "market")
        .annotate(held=held_count_subquery())
        .prefetch_related(
            Prefetch("market__opening_periods", queryset=OpeningPeriod.objects.order_by("opens", "weekdays"))
        )
        .order_by("work_date", "-created_at", "-id")
    )


def market_queue_counts(market):
    """{"applications": 新报名, "preregistrations": 预登记} waiting at `market` (two COUNTs)."""
    return {
        "applications": Application.objects.filter(market=market, state=ApplicationState.NEW).count(),
        "preregistrations": PreRegistration.objects.filter(market=market, state=PreRegistration.State.PENDING).count(),
    }


def queue_applications(market):
    """The new online applications waiting at `market`, oldest first, with what the queue shows."""
    return (
        Application.objects.filter(market=market, state=ApplicationState.NEW)
        .select_related("posting__trade", "posting__employer", "worker")
        .annotate(held=Subquery(_held_for_application(), output_field=IntegerField()))
        .order_by("created_at", "id")
    )


def _held_for_application():
    return (
        Match.objects.filter(posting=OuterRef("posting_id"), state__in=HOLDING_STATES)
        .order_by()
        .values("posting")
        .annotate(n=Count("pk"))
        .values("n")
    )
