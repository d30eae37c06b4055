"""Monitoring rollups (notice 九): registry activity summed per Beijing day and month.

`rollup_day(day=…)` recomputes one Beijing calendar day into `DailyStat` rows (delete and
re-insert in one transaction, so running it again gives the same rows), and in the same
transaction rebuilds that month's `MonthlyStat` rows from the daily ones. Pages never count
registry records: they sum these rows (`reporting.figures`), which stay small at
provincial scale.

Flow metrics (new registrations, visits, postings, headcount, confirmed matches,
onboarded, rights cases received) are summed over a period's days. The stock metric
(registered job seekers) is read on the period's last rolled-up day. The channel metrics
(registrations and postings by channel, online applications, counter 洽谈) feed the
channel table (`reporting.channels`); they are flows too, kept apart from the figures.

Three levels: per market (and trade / window), per county (market empty, the sums of
its markets), and per 市州 and province (`RegionDailyStat` / `RegionMonthlyStat`, the
sums of the county rows), so a page reads rows in proportion to what it shows, not to
the number of markets or counties below it.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import TruncDate

from matching.models import Application, Match, RightsCase
from registry.models import Posting, WindowVisit, Worker

from .models import BEIJING, DailyStat, MonthlyStat, RegionDailyStat, RegionMonthlyStat

M = DailyStat.Metric
FLOW_METRICS = [M.NEW_SEEKERS, M.VISITS, M.POSTINGS, M.HEADCOUNT, M.MATCHES, M.ONBOARDED, M.RIGHTS_CASES]
STOCK_METRICS = [M.SEEKERS]
CHANNEL_METRICS = [M.CHANNEL_SEEKERS, M.CHANNEL_POSTINGS, M.APPLICATIONS, M.COUNTER_TALKS]
# Summed into the monthly rows: every flow
MONTHLY_METRICS = FLOW_METRICS + CHANNEL_METRICS
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


def _channel_rows(start, end):
    """Per-market channel rows for the Beijing days [start, end], four grouped queries
    whatever the number of days: registrations by `Worker.channel` (in the worker's county,
    as the registry's lists scope them), postings by `Posting.channel`, online applications
    and the 洽谈 opened at the counter (a match no application turned into)."""
    since, until = day_bounds(start)[0], day_bounds(end)[1]

    def grouped(qs, moment, county, market, dimension=None):
        qs = qs.filter(**{f"{moment}__gte": since, f"{moment}__lt": until})
        keys = ["day", county, market] + ([dimension] if dimension else [])
        qs = qs.annotate(day=TruncDate(moment, tzinfo=BEIJING)).order_by().values(*keys).annotate(n=Count("pk"))
        return [(r["day"], r[county], r[market], r[dimension] if dimension else "", r["n"]) for r in qs]

    kinds = {
        M.CHANNEL_SEEKERS: grouped(
            Worker.objects.all(), "registered_at", "county_id", "registered_market_id", "channel"
        ),
        M.CHANNEL_POSTINGS: grouped(Posting.objects.all(), "created_at", "market__county_id", "market_id", "channel"),
        M.APPLICATIONS: grouped(Application.objects.all(), "created_at", "market__county_id", "market_id"),
        M.COUNTER_TALKS: grouped(
            Match.objects.filter(~Exists(Application.objects.filter(match=OuterRef("pk")))),
            "created_at",
            "market__county_id",
            "market_id",
        ),
    }
    return [
        DailyStat(date=day, county_id=county, market_id=market, metric=metric, dimension=dimension, value=n)
        for metric, rows in kinds.items()
        for day, county, market, dimension, n in rows
    ]


def rollup_channels(*, start, end):
    """Recompute the channel rows (per market and per county) of the days [start, end] in
    one pass, then their months at every level. Idempotent. `rollup_days` writes the same
    rows day by day; this is for filling a long range at once (the data generator,
    `manage.py backfill_rollups`). Returns the number of daily rows written."""
    market_rows = _channel_rows(start, end)
    rows = market_rows + _county_totals(market_rows)
    month = month_start(start)
    with transaction.atomic():
        while month <= end:
            _lock_month(month)
            month = next_month(month)
        DailyStat.objects.filter(date__gte=start, date__lte=end, metric__in=CHANNEL_METRICS).delete()
        DailyStat.objects.bulk_create(rows, batch_size=5000)
        month = month_start(start)
        while month <= end:
            rollup_month(month=month)
            month = next_month(month)
    return len(rows)


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


def _insert_select(cursor, model, columns, qs, *, month=None):
    """INSERT INTO model's table (columns) the rows of the grouped queryset `qs` (its
    values in the same order), led by the month when one is given: one statement."""
    select, params = qs.query.sql_with_params()
    lead, lead_params = ("%s, ", [connection.ops.adapt_datefield_value(month)]) if month else ("", [])
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {lead}s.* FROM ({select}) s",
        [*lead_params, *params],
    )
    return cursor.rowcount


# The region levels above the county: the group-by path from a per-county row to its 市州
# and to the province.
REGION_PATHS = ("county__parent_id", "county__parent__parent_id")


def rollup_month(*, month):
    """Rebuild everything derived from one month's daily rows, set-based: the 市州 and
    province daily rows (`RegionDailyStat`, from the per-county rows), then the monthly rows
    of every level (`MonthlyStat`, `RegionMonthlyStat`) from the daily flow rows.

    Idempotent; returns the number of `MonthlyStat` rows written. `rollup_day` calls it; call
    it directly after writing daily rows some other way (the data generator, tests)."""
    month = month_start(month)
    after = next_month(month)
    daily = DailyStat.objects.filter(date__gte=month, date__lt=after)
    region_columns = ("date", "division_id", "trade_id", "metric", "dimension", "value")
    monthly_columns = ("month", "county_id", "market_id", "trade_id", "metric", "dimension", "value")
    with transaction.atomic():
        _lock_month(month)
        RegionDailyStat.objects.filter(date__gte=month, date__lt=after).delete()
        MonthlyStat.objects.filter(month=month).delete()
        RegionMonthlyStat.objects.filter(month=month).delete()
        with connection.cursor() as cursor:
            county_rows = daily.filter(market__isnull=True).order_by()
            for path in REGION_PATHS:
                regions = (
                    county_rows.filter(**{f"{path.removesuffix('_id')}__isnull": False})
                    .values_list("date", path, "trade_id", "metric", "dimension")
                    .annotate(v=Sum("value"))
                )
                _insert_select(cursor, RegionDailyStat, region_columns, regions)
            flows = daily.filter(metric__in=MONTHLY_METRICS).order_by()
            monthly = flows.values_list("county_id", "market_id", "trade_id", "metric", "dimension").annotate(
                v=Sum("value")
            )
            written = _insert_select(cursor, MonthlyStat, monthly_columns, monthly, month=month)
            region_monthly = (
                RegionDailyStat.objects.filter(date__gte=month, date__lt=after, metric__in=MONTHLY_METRICS)
                .order_by()
                .values_list("division_id", "trade_id", "metric", "dimension")
                .annotate(v=Sum("value"))
            )
            _insert_select(
                cursor,
                RegionMonthlyStat,
                ("month", "division_id", "trade_id", "metric", "dimension", "value"),
                region_monthly,
                month=month,
            )
            return written


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
                market_rows = _registry_rows(day) + _matching_rows(day) + _channel_rows(day, day)
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
