"""Monitoring rollups (notice 九): registry activity summed per Beijing day and month.

`rollup_day(day=…)` recomputes one Beijing calendar day into `DailyStat` rows (delete and
re-insert in one transaction, so running it again gives the same rows), and in the same
transaction rebuilds that month's `MonthlyStat` rows from the daily ones. Pages never count
registry records: they sum these rows (`reporting.figures`), which stay small at
provincial scale.

Flow metrics (new registrations, visits, postings, headcount, confirmed matches,
onboarded, rights cases received) are summed over a period's days. The stock metric
(registered job seekers) is read on the period's last rolled-up day.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Count, Sum

from .models import BEIJING, DailyStat, MonthlyStat

M = DailyStat.Metric
FLOW_METRICS = [M.NEW_SEEKERS, M.VISITS, M.POSTINGS, M.HEADCOUNT, M.MATCHES, M.ONBOARDED, M.RIGHTS_CASES]
STOCK_METRICS = [M.SEEKERS]
SHOWN_METRICS = [M.SEEKERS, M.NEW_SEEKERS, M.VISITS, M.POSTINGS, M.HEADCOUNT, M.MATCHES, M.ONBOARDED, M.RIGHTS_CASES]


def day_bounds(day):
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=BEIJING)
    return start, start + datetime.timedelta(days=1)


def _stat(day, row, metric, value, *, trade=None, dimension=""):
    return DailyStat(
        date=day,
        county_id=row["market__county_id"] if "market__county_id" in row else row["registered_market__county_id"],
        market_id=row["market_id"] if "market_id" in row else row["registered_market_id"],
        trade_id=trade,
        metric=metric,
        dimension=dimension,
        value=value,
    )


def _registry_rows(day):
    from registry.models import Posting, WindowVisit, Worker  # noqa: PLC0415

    start, end = day_bounds(day)
    rows = []
    seekers = Worker.objects.filter(registered_at__lt=end)
    new = Worker.objects.filter(registered_at__gte=start, registered_at__lt=end)
    key = ("registered_market_id", "registered_market__county_id")
    for r in seekers.values(*key).annotate(n=Count("id")):
        rows.append(_stat(day, r, M.SEEKERS, r["n"]))
    for r in seekers.filter(trades__isnull=False).values(*key, "trades").annotate(n=Count("id")):
        rows.append(_stat(day, r, M.SEEKERS, r["n"], trade=r["trades"]))
    for r in new.values(*key).annotate(n=Count("id")):
        rows.append(_stat(day, r, M.NEW_SEEKERS, r["n"]))
    for r in new.filter(trades__isnull=False).values(*key, "trades").annotate(n=Count("id")):
        rows.append(_stat(day, r, M.NEW_SEEKERS, r["n"], trade=r["trades"]))

    visits = WindowVisit.objects.filter(visit_date=day)
    for r in visits.values("market_id", "market__county_id", "window").annotate(n=Count("id")):
        rows.append(_stat(day, r, M.VISITS, r["n"], dimension=r["window"]))

    postings = Posting.objects.filter(created_at__gte=start, created_at__lt=end)
    pkey = ("market_id", "market__county_id")
    for r in postings.values(*pkey).annotate(n=Count("id"), h=Sum("headcount")):
        rows.append(_stat(day, r, M.POSTINGS, r["n"]))
        rows.append(_stat(day, r, M.HEADCOUNT, r["h"]))
    for r in postings.values(*pkey, "trade_id").annotate(n=Count("id"), h=Sum("headcount")):
        rows.append(_stat(day, r, M.POSTINGS, r["n"], trade=r["trade_id"]))
        rows.append(_stat(day, r, M.HEADCOUNT, r["h"], trade=r["trade_id"]))
    return rows


def _matching_rows(day):
    from matching.models import Match, RightsCase  # noqa: PLC0415

    start, end = day_bounds(day)
    rows = []
    key = ("market_id", "market__county_id")
    for metric, moment in ((M.MATCHES, "confirmed_at"), (M.ONBOARDED, "onboarded_at")):
        qs = Match.objects.filter(**{f"{moment}__gte": start, f"{moment}__lt": end})
        for r in qs.values(*key).annotate(n=Count("id")):
            rows.append(_stat(day, r, metric, r["n"]))
        for r in qs.values(*key, "posting__trade_id").annotate(n=Count("id")):
            rows.append(_stat(day, r, metric, r["n"], trade=r["posting__trade_id"]))
    for r in RightsCase.objects.filter(received_on=day).values(*key, "kind").annotate(n=Count("id")):
        rows.append(_stat(day, r, M.RIGHTS_CASES, r["n"], dimension=r["kind"]))
    return rows


def _county_totals(rows):
    """Per-county rows (market empty) summed from the per-market rows of one day."""
    sums = {}
    for row in rows:
        key = (row.date, row.county_id, row.trade_id, row.metric, row.dimension)
        sums[key] = sums.get(key, 0) + row.value
    return [
        DailyStat(date=d, county_id=c, market_id=None, trade_id=t, metric=m, dimension=dim, value=v)
        for (d, c, t, m, dim), v in sums.items()
    ]


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _lock_month(month):
    """Serialise rollups of the same month (two runs would both delete, then both insert)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x524F4C4C, month.year * 12 + month.month])


def rollup_month(*, month):
    """Rebuild one month's `MonthlyStat` rows from its `DailyStat` flow rows, set-based.

    Idempotent; returns the number of rows written. `rollup_day` calls it; call it directly
    after writing daily rows some other way (the data generator)."""
    month = month_start(month)
    daily = (
        DailyStat.objects.filter(date__gte=month, date__lt=next_month(month), metric__in=FLOW_METRICS)
        .order_by()
        .values_list("county_id", "market_id", "trade_id", "metric", "dimension")
        .annotate(v=Sum("value"))
    )
    select, params = daily.query.sql_with_params()
    table = MonthlyStat._meta.db_table
    with transaction.atomic():
        _lock_month(month)
        MonthlyStat.objects.filter(month=month).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (month, county_id, market_id, trade_id, metric, dimension, value) "
                f"SELECT %s, s.* FROM ({select}) s",
                [connection.ops.adapt_datefield_value(month), *params],
            )
            return cursor.rowcount


def rollup_days(*, days):
    """Recompute the rollups of these days, then each month they fall in once. Idempotent;
    returns the number of daily rows written. One transaction per month."""
    by_month = {}
    for day in sorted(set(days)):
        by_month.setdefault(month_start(day), []).append(day)
    written = 0
    for month, month_days in by_month.items():
        with transaction.atomic():
            _lock_month(month)
            for day in month_days:
                market_rows = _registry_rows(day) + _matching_rows(day)
                rows = market_rows + _county_totals(market_rows)
                DailyStat.objects.filter(date=day).delete()
                DailyStat.objects.bulk_create(rows, batch_size=2000)
                written += len(rows)
            rollup_month(month=month)
    return written


def rollup_day(*, day):
    """Recompute the rollups of one day (and its month). Idempotent; returns the number of
    daily rows written.

    Writes one row per market (and per trade / window) plus the same numbers summed per
    county with the market left empty, which province and 市州 pages read."""
    return rollup_days(days=[day])
