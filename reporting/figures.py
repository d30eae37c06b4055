"""Monitoring figures (notice 九): the numbers the pages and the workbook show, read from
the rollup rows (`reporting.rollups`), never from registry records.

Flows over whole months are read from the monthly rows, the days of a partial month from
the daily rows (`_flow_parts`), so the figures are exactly the sums of the daily rows.
求人倍率 = headcount posted in the period ÷ registered job seekers at its end.
"""

import bisect
import datetime
import itertools
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import CharField, F, Q, Subquery, Sum, Value
from django.db.models.functions import Cast
from django.utils.safestring import mark_safe

from gigmarket.core.models import Division, Role
from gigmarket.core.scoping import scope_queryset, user_scope
from markets.models import Market, Trade

from .models import DailyStat, MonthlyStat, RegionDailyStat, RegionMonthlyStat
from .rollups import FLOW_METRICS, SHOWN_METRICS, STOCK_METRICS, M, month_start, next_month

# What each figure means: written once, shown on the monitoring page, the same at every grain.
DEFINITIONS = [
    (M.SEEKERS.label, "时段末（所选时段内最后一个已汇总日）累计登记的求职人员数，为时点数，不随时段累加。"),
    (M.NEW_SEEKERS.label, "时段内新登记的求职人员数，按登记时间（北京时间）计。"),
    (M.VISITS.label, "时段内各服务窗口接待的人次，按服务日期计。"),
    (M.POSTINGS.label, "时段内发布的岗位数，按发布时间计。"),
    (M.HEADCOUNT.label, "时段内发布岗位的招聘人数合计。"),
    (M.MATCHES.label, "时段内确认的对接成功数，按确认日期计。"),
    (M.ONBOARDED.label, "时段内到岗人数，按到岗日期计。"),
    (M.RIGHTS_CASES.label, "时段内受理的维权案件数，按受理日期计。"),
    ("求人倍率", "时段内招聘人数 ÷ 时段末登记求职人数。"),
]

LEVELS = {
    # the level we are looking at → (group-by field of its children, child level name)
    "province": ("county__parent_id", "city"),
    "city": ("county_id", "county"),
    "county": ("market_id", "market"),
}


@dataclass
class Figures:
    label: str = ""
    key: object = None
    values: dict = field(default_factory=dict)

    def get(self, metric):
        return self.values.get(metric, 0)

    @property
    def ratio(self):
        seekers = self.get(M.SEEKERS)
        return round(self.get(M.HEADCOUNT) / seekers, 2) if seekers else None


def _scoped(user, region, model=DailyStat, *, by_market=True):
    """Rollup rows for the region. Province and 市州 views read the per-county rows
    (market empty: about 20 times fewer); county views read per-market rows where they
    list markets (`by_market`) and the county's own rows otherwise. Window clerks are
    scoped by market, so they always read per-market rows."""
    qs = scope_queryset(model.objects.all(), user)
    level, obj = region
    county_levels = ("province", "city") if by_market else ("province", "city", "county")
    county_rows = level in county_levels and user.role != Role.CLERK
    qs = qs.filter(market__isnull=county_rows)
    if level == "city":
        qs = qs.filter(county__parent=obj)
    elif level == "county":
        qs = qs.filter(county=obj)
    elif level == "market":
        qs = qs.filter(market=obj)
    return qs


@dataclass
class Rows:
    """The same selection of daily and monthly rollup rows (filters apply to both)."""

    daily: object
    monthly: object

    @classmethod
    def scoped(cls, user, region, *, by_market=True):
        return cls(_scoped(user, region, by_market=by_market), _scoped(user, region, MonthlyStat, by_market=by_market))

    @classmethod
    def regions(cls, **filters):
        return cls(RegionDailyStat.objects.filter(**filters), RegionMonthlyStat.objects.filter(**filters))

    def filter(self, **filters):
        return Rows(self.daily.filter(**filters), self.monthly.filter(**filters))

    def exclude(self, **filters):
        return Rows(self.daily.exclude(**filters), self.monthly.exclude(**filters))


def covers(user, region):
    """Whether the user sees the whole of a province or 市州 region: then its own rows (the
    市州 and province level) hold exactly what the per-county rows in scope add up to."""
    level, obj = region
    scope = user_scope(user)
    if level == "province":
        return scope.is_province
    return level == "city" and (scope.is_province or scope.city_id == getattr(obj, "pk", obj))  # a 市州 or its id


def region_totals(user, region):
    """The rows of the region as a whole, for totals, trades, windows and trends: the 市州 or
    province rows where the user sees all of it (one row per metric and day instead of one
    per county), otherwise the per-county (or, for a county, per-market) rows in scope."""
    level, obj = region
    if covers(user, region):
        if level == "province":
            return Rows.regions(division__level=Division.Level.PROVINCE)
        return Rows.regions(division=obj)
    return Rows.scoped(user, region, by_market=False)


def split_months(start, end):
    """[start, end] as ((first month, month after the last) of the whole months inside it, or
    None, [(first day, last day)] of the days outside them)."""
    first = start if start.day == 1 else next_month(start)
    after = month_start(end + datetime.timedelta(days=1))
    if first >= after:
        return None, [(start, end)] if start <= end else []
    days = []
    if start < first:
        days.append((start, first - datetime.timedelta(days=1)))
    if after <= end:
        days.append((after, end))
    return (first, after), days


def _in_days(spans):
    return reduce(operator.or_, (Q(date__gte=a, date__lte=b) for a, b in spans))


def _tagged(qs, tag, group, *, as_text=True):
    """(tag, group value, metric, sum) rows: parts of different shapes in one UNION ALL. The
    group value is cast to text when parts group by columns of different types."""
    key = Cast(group, output_field=CharField()) if as_text else F(group)
    return (
        qs.order_by()
        .annotate(tag=Value(tag, output_field=CharField()), key=key)
        .values_list("tag", "key", "metric")
        .annotate(v=Sum("value"))
    )


def _flow_parts(rows, start, end, group, tag, metrics=FLOW_METRICS):
    """The flow metrics over [start, end]: whole months from the monthly rows, the other
    days from the daily rows, one part per run of days (a date range each, so the index's
    date column bounds the scan; an OR of two ranges would be a filter over every date)."""
    months, days = split_months(start, end)
    parts = []
    if months:
        monthly = rows.monthly.filter(month__gte=months[0], month__lt=months[1], metric__in=metrics)
        parts.append(_tagged(monthly, tag, group))
    for first, last in days:
        daily = rows.daily.filter(date__gte=first, date__lte=last, metric__in=metrics)
        parts.append(_tagged(daily, tag, group))
    return parts


def _stock_part(rows, start, end, group, tag):
    """The stock metrics on the last rolled-up day on or before `end`, if it is after `start`.

    The day is a subquery ordered by date DESC LIMIT 1: PostgreSQL walks the (metric, date)
    index backwards and stops at the first row in scope."""
    stocks = rows.daily.filter(metric__in=STOCK_METRICS)
    last = stocks.filter(date__lte=end).order_by("-date").values("date")[:1]
    return _tagged(stocks.filter(date=Subquery(last), date__gte=start), tag, group)


def _run(parts):
    """One query for all parts: {tag: {group value (text): {metric: sum}}}."""
    out = {}
    if not parts:
        return out
    for tag, key, metric, v in parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]:
        values = out.setdefault(tag, {}).setdefault(key, {})
        values[metric] = values.get(metric, 0) + v
    return out


def _by_id(sums):
    """Group values that are ids, back from text."""
    return {int(key): values for key, values in sums.items() if key is not None}


def stock_date(qs, end):
    """The last rolled-up day on or before `end` (stocks are read there)."""
    return qs.filter(date__lte=end, metric__in=STOCK_METRICS).order_by("-date").values_list("date", flat=True).first()


def region_figures(user, region, start, end):
    """Totals for the region, one line per child region (or per trade for a market), and by window.

    Three queries whatever the number of counties or markets: every flow and stock sum in one
    UNION ALL, then the names of child regions and of trades.
    """
    level, obj = region
    base = region_totals(user, region)
    totals = base.filter(trade__isnull=True)
    by_trade = base.filter(trade__isnull=False)
    group = "trade_id" if level == "market" else LEVELS[level][0]
    if level == "market":
        children_rows = by_trade
    elif level == "province" and covers(user, region):
        children_rows, group = Rows.regions(division__level=Division.Level.CITY, trade__isnull=True), "division_id"
    else:
        children_rows = Rows.scoped(user, region).filter(trade__isnull=True)
    flows = [
        *_flow_parts(totals, start, end, "metric", "total"),
        *_flow_parts(children_rows, start, end, group, "child"),
        *_flow_parts(totals.filter(metric=M.VISITS), start, end, "dimension", "window"),
    ]
    stocks = [
        _stock_part(totals, start, end, "metric", "total"),
        _stock_part(children_rows, start, end, group, "child"),
    ]
    if level != "market":
        flows += _flow_parts(by_trade, start, end, "trade_id", "trade")
        stocks.append(_stock_part(by_trade, start, end, "trade_id", "trade"))
    sums = _run(flows + stocks)  # flows and stocks are different metrics: nothing is added twice

    by_metric = sums.get("total", {})
    total = Figures(label="合计", values={m: by_metric.get(m, {}).get(m, 0) for m in SHOWN_METRICS})
    by_child = _by_id(sums.get("child", {}))
    # every child region is listed, with zeros where nothing happened
    if level == "province":
        names = {d.pk: d for d in Division.objects.filter(level=Division.Level.CITY)}
    elif level == "city":
        names = {d.pk: d for d in Division.objects.filter(parent=obj, is_active=True)}
    elif level == "county":
        names = {m.pk: m for m in scope_queryset(Market.objects.filter(county=obj), user)}
    else:
        names = {t.pk: t for t in Trade.objects.filter(pk__in=list(by_child))}
    children = [Figures(label=str(item), key=item, values=by_child.get(key, {})) for key, item in names.items()]
    for key in set(by_child) - set(names):  # e.g. a county made inactive that still has activity
        children.append(Figures(label="其他", key=None, values=by_child[key]))
    children.sort(key=lambda f: (f.key is None, getattr(f.key, "code", None) or getattr(f.key, "name", "")))

    if level == "market":
        by_trade_sums, trade_names = by_child, {pk: t.name for pk, t in names.items()}
    else:
        by_trade_sums = _by_id(sums.get("trade", {}))
        trade_names = {t.pk: t.name for t in Trade.objects.filter(pk__in=list(by_trade_sums))}
    trades = sorted(
        (Figures(label=trade_names[k], key=k, values=v) for k, v in by_trade_sums.items() if k in trade_names),
        key=lambda f: -f.get(M.HEADCOUNT),
    )
    windows = {dimension: values[M.VISITS] for dimension, values in sums.get("window", {}).items()}
    return {"total": total, "children": children, "trades": trades, "windows": windows}


# Above this many bucket edges or stock days, one range is read and split in Python
# instead of OR-ing one condition per bucket into the query.
_MANY = 12


def trend(user, region, periods):
    """[Figures] for the given buckets (objects with name, start, end, not overlapping; a
    reporting period or a `reporting.grains.Bucket`), oldest first, in one query.

    Flows: whole months of each bucket from the monthly rows, its other days from the daily
    rows. Stocks: the rows of each bucket's last rolled-up day. All in one UNION ALL."""
    periods = sorted(periods, key=lambda p: p.start)
    if not periods:
        return []
    base = region_totals(user, region).filter(trade__isnull=True)
    spans = [split_months(p.start, p.end) for p in periods]
    month_ranges = [months for months, _days in spans if months]
    day_spans = [span for _months, days in spans for span in days]
    parts = []
    if month_ranges:
        first, after = min(a for a, _ in month_ranges), max(b for _, b in month_ranges)
        monthly = base.monthly.filter(month__gte=first, month__lt=after, metric__in=FLOW_METRICS)
        parts.append(_tagged(monthly, "month", "month", as_text=False))
    if day_spans:
        if len(day_spans) > _MANY:
            in_days = Q(date__gte=min(a for a, _ in day_spans), date__lte=max(b for _, b in day_spans))
        else:
            in_days = _in_days(day_spans)
        parts.append(_tagged(base.daily.filter(in_days, metric__in=FLOW_METRICS), "day", "date", as_text=False))
    stocks = base.daily.filter(metric__in=STOCK_METRICS)
    if len(periods) > _MANY:
        # every stock day of the range; each bucket keeps its last one below
        stock_days = stocks.filter(date__gte=periods[0].start, date__lte=max(p.end for p in periods))
    else:
        last_days = [
            Q(date=Subquery(stocks.filter(date__gte=p.start, date__lte=p.end).order_by("-date").values("date")[:1]))
            for p in periods
        ]
        stock_days = stocks.filter(reduce(operator.or_, last_days))
    parts.append(_tagged(stock_days, "stock", "date", as_text=False))
    sums = _run(parts)  # keyed by date: months and days are both date columns, no cast

    starts = [p.start for p in periods]
    out = [Figures(label=p.name, key=p) for p in periods]

    disjoint = all(a.end < b.start for a, b in itertools.pairwise(periods))

    def owners(day):
        """The buckets holding `day`: found by bisection when they do not overlap."""
        if not disjoint:
            return [i for i, p in enumerate(periods) if p.start <= day <= p.end]
        i = bisect.bisect_right(starts, day) - 1
        return [i] if i >= 0 and day <= periods[i].end else []

    def add(i, values):
        for metric, v in values.items():
            out[i].values[metric] = out[i].values.get(metric, 0) + v

    for month, values in sums.get("month", {}).items():
        for i in owners(month):
            if spans[i][0] and spans[i][0][0] <= month < spans[i][0][1]:
                add(i, values)
    for day, values in sums.get("day", {}).items():
        for i in owners(day):
            if any(a <= day <= b for a, b in spans[i][1]):
                add(i, values)
    last = {}
    for day in sums.get("stock", {}):
        for i in owners(day):
            if i not in last or day > last[i]:
                last[i] = day
    for i, day in last.items():
        out[i].values.update(sums["stock"][day])
    return out


def table_rows(figures_list, link_param=None):
    """Rows for templates: (label, query string for drill-down or None, the value cells, ratio).

    The cells are one `<td>` per shown metric, joined here: a day grain over a year is
    365 rows × 8 numbers, and rendering each through the template engine cost more than
    reading them (the same text: integers, no thousands separator)."""
    rows = []
    for f in figures_list:
        link = None
        if link_param and f.key is not None:
            link = f"{link_param}={getattr(f.key, 'code', None) or f.key.pk}"
        # integers (sums of counts) need no escaping: int() makes sure of it
        cells = mark_safe("".join(f"<td>{int(f.get(m))}</td>" for m in SHOWN_METRICS))
        rows.append((f.label, link, cells, f.ratio))
    return rows
