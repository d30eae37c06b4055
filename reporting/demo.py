"""Demo reporting data. Idempotent: each step runs only if its submission is not there yet.

The reporting calendar is generated; for the latest finished period 南明区 and 云岩区
are accepted; for the current period 南明区 has submitted (waiting for 贵阳市) and
云岩区 was returned by 贵阳市 with a reason. Monitoring rollups cover the last 60 days,
counted from the demo's records; before them, about three years of daily rollup rows are
made up (`_history`), so every chart has a shape.
"""

import datetime
import math
import random

from django.db.models import Sum

from gigmarket.core.models import Division, User
from markets.models import Market
from matching.models import RightsCase
from registry.models import WindowVisit

from .calendar import beijing_today
from .models import DailyStat, ReportingPeriod, Submission
from .rollups import M, _county_totals, month_start, next_month, rollup_day, rollup_month
from .services import (
    periods_generate,
    submission_accept,
    submission_forward,
    submission_return,
    submission_submit,
)

RECORDED_DAYS = 60
HISTORY_DAYS = 3 * 365
# Made-up activity follows the recorded days' mean per market and day (these means when
# nothing is recorded), half that three years before; by the season (the weeks after the
# Spring Festival are busiest) and weekday (weekends quieter).
FALLBACK_MEANS = {
    M.NEW_SEEKERS: 1.2,
    M.VISITS: 3.0,
    M.POSTINGS: 0.8,
    M.HEADCOUNT: 4.0,
    M.MATCHES: 0.9,
    M.ONBOARDED: 0.7,
    M.RIGHTS_CASES: 0.05,
}
SEASON = [1.0, 1.5, 1.4, 1.1, 1.0, 0.9, 0.8, 0.8, 1.0, 1.1, 1.0, 0.7]  # January … December


def _poisson(rng, mean):
    """A Poisson draw (Knuth), small means only; a normal approximation above 30."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _history(today):
    """Daily rollup rows for HISTORY_DAYS before the recorded days, written in bulk (and their
    months), once: skipped when rows that old exist. Returns the number of daily rows.

    Flows per market are drawn around the recorded days' mean (so the history joins the
    recorded days without a jump), growing over the three years and by season; the job-seeker
    stock grows towards the market's stock on the first recorded day."""
    first_recorded = today - datetime.timedelta(days=RECORDED_DAYS - 1)
    if DailyStat.objects.filter(date__lt=first_recorded).exists():
        return 0
    start = first_recorded - datetime.timedelta(days=HISTORY_DAYS)
    markets = list(Market.objects.filter(status=Market.Status.OPERATING).values_list("pk", "county_id"))
    stock = dict(
        DailyStat.objects.filter(date=first_recorded, metric=M.SEEKERS, market__isnull=False, trade__isnull=True)
        .values_list("market_id")
        .annotate(v=Sum("value"))
    )
    recorded = dict(
        DailyStat.objects.filter(date__gte=first_recorded, market__isnull=False, trade__isnull=True)
        .exclude(metric=M.SEEKERS)
        .values_list("metric")
        .annotate(v=Sum("value"))
    )
    per_market_day = max(len(markets), 1) * RECORDED_DAYS
    means = {m: recorded[m] / per_market_day if recorded.get(m) else mean for m, mean in FALLBACK_MEANS.items()}
    windows = [w.value for w in WindowVisit.Window]
    kinds = [k.value for k in RightsCase.Kind]
    rng = random.Random(20230701)
    rows = []
    for market_id, county_id in markets:
        size = rng.uniform(0.5, 1.5)  # markets differ in size
        end_stock = max(stock.get(market_id, 0), 1)
        for offset in range(HISTORY_DAYS):
            day = start + datetime.timedelta(days=offset)
            growth = (0.5 + 0.5 * offset / HISTORY_DAYS) / 0.9  # 0.9: about the mean of season × weekday
            weekday = 0.6 if day.weekday() >= 5 else 1.0
            factor = size * growth * SEASON[day.month - 1] * weekday
            values = {m: _poisson(rng, mean * factor) for m, mean in means.items()}
            values[M.HEADCOUNT] = max(values[M.HEADCOUNT], values[M.POSTINGS])
            values[M.ONBOARDED] = min(values[M.ONBOARDED], values[M.MATCHES])
            here = {"date": day, "county_id": county_id, "market_id": market_id}

            for metric, value in values.items():
                if not value:
                    continue
                if metric == M.VISITS:
                    for _ in range(value):  # each visit at one window
                        rows.append(DailyStat(**here, metric=metric, dimension=rng.choice(windows), value=1))
                elif metric == M.RIGHTS_CASES:
                    rows.append(DailyStat(**here, metric=metric, dimension=rng.choice(kinds), value=value))
                else:
                    rows.append(DailyStat(**here, metric=metric, value=value))
            seekers = round(end_stock * (0.2 + 0.8 * offset / HISTORY_DAYS))
            rows.append(DailyStat(**here, metric=M.SEEKERS, value=seekers))
    rows = _merge(rows)
    rows += _county_totals(rows)
    DailyStat.objects.bulk_create(rows, batch_size=5000)
    month = month_start(start)
    while month < first_recorded:
        rollup_month(month=month)
        month = next_month(month)
    return len(rows)


def _merge(rows):
    """One row per (day, market, metric, dimension): visits were drawn one window at a time."""
    merged = {}
    for r in rows:
        key = (r.date, r.market_id, r.metric, r.dimension)
        if key in merged:
            merged[key].value += r.value
        else:
            merged[key] = r
    return list(merged.values())


def _user(username):
    return User.objects.get(username=username)


def load():
    periods_generate()
    today = beijing_today()
    started = ReportingPeriod.objects.filter(start__lte=today).order_by("-start")
    current, previous = started[0], started[1]
    nanming = Division.objects.get(code="520102")
    yunyan = Division.objects.get(code="520103")
    county, county2 = _user("demo_county"), _user("demo_county2")
    city, province = _user("demo_city"), _user("demo_province")

    for who, division, offset in ((county, nanming, -2), (county2, yunyan, 1)):
        if not Submission.objects.filter(period=previous, county=division).exists():
            when = datetime.datetime.combine(
                previous.due_date + datetime.timedelta(days=offset), datetime.time(10), tzinfo=datetime.UTC
            )
            sub = submission_submit(period=previous, county=division, by=who, now=when)
            submission_forward(submission=sub, by=city)
            submission_accept(submission=sub, by=province)

    if not Submission.objects.filter(period=current, county=nanming).exists():
        submission_submit(period=current, county=nanming, by=county)
    if not Submission.objects.filter(period=current, county=yunyan).exists():
        sub = submission_submit(period=current, county=yunyan, by=county2)
        submission_return(submission=sub, by=city, reason="云岩区零工市场运行时间未填写，请补充后重新报送。")

    # monitoring rollups for the recorded days (recomputed, so running again changes nothing)
    for offset in range(RECORDED_DAYS):
        rollup_day(day=today - datetime.timedelta(days=offset))
    _history(today)
