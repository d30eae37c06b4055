"""Reads for matching: the scoped lists of matches, rights cases and placements.

Every list goes through `scope_queryset`. The other reads live in modules named for
their job: `wages` (the 欠薪 flag), `ranking` (candidates for a posting, postings for a
worker), `board` (the clerk's board of a market), `numbers` (same-day numbers).
"""

import datetime

from django.contrib.postgres.fields import DateRangeField
from django.db import connections
from django.db.models import F, Func, Value
from django.utils import timezone

from gigmarket.core.scoping import scope_queryset

from .models import Match, Placement, RightsCase


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
