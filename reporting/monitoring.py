"""Monitoring (notice 九): daily rollups of registry activity, and the numbers read from them.

`rollup_day(day=…)` recomputes one Beijing calendar day into `DailyStat` rows (delete and
re-insert in one transaction, so running it again gives the same rows). Pages never count
registry records: they sum rollup rows, which stay small at provincial scale.

Flow metrics (new registrations, visits, postings, headcount, confirmed matches,
onboarded, rights cases received) are summed over a period's
days. The stock metric (registered job seekers) is read on the period's last rolled-up
day. 求人倍率 = headcount posted in the period ÷ registered job seekers at its end.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Sum

from gigmarket.models import Division, Role
from gigmarket.scoping import scope_queryset

from .models import BEIJING, DailyStat

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
    from registry.models import Posting, WindowVisit, Worker

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
    from matching.models import Match, RightsCase

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


def rollup_day(*, day):
    """Recompute the rollups of one day. Idempotent; returns the number of rows written.

    Writes one row per market (and per trade / window) plus the same numbers summed per
    county with the market left empty, which province and 市州 pages read."""
    market_rows = _registry_rows(day) + _matching_rows(day)
    rows = market_rows + _county_totals(market_rows)
    with transaction.atomic():
        DailyStat.objects.filter(date=day).delete()
        DailyStat.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# ---------------------------------------------------------------- reading


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


def _scoped(user, region):
    """Rollup rows for the region. Province and 市州 views read the per-county rows
    (market empty: about 20 times fewer); county and market views read per-market rows.
    Window clerks are scoped by market, so they always read per-market rows."""
    qs = scope_queryset(DailyStat.objects.all(), user)
    level, obj = region
    county_rows = level in ("province", "city") and user.role != Role.CLERK
    qs = qs.filter(market__isnull=county_rows)
    if level == "city":
        qs = qs.filter(county__parent=obj)
    elif level == "county":
        qs = qs.filter(county=obj)
    elif level == "market":
        qs = qs.filter(market=obj)
    return qs


def stock_date(qs, end):
    """The last rolled-up day on or before `end` (stocks are read there)."""
    return qs.filter(date__lte=end, metric__in=STOCK_METRICS).aggregate(d=Max("date"))["d"]


def _collect(qs, start, end, group):
    """{group value: {metric: value}} — flows summed over [start, end], stocks on the last day."""
    out = {}
    flows = qs.filter(date__gte=start, date__lte=end, metric__in=FLOW_METRICS)
    for r in flows.values(group, "metric").annotate(v=Sum("value")):
        out.setdefault(r[group], {})[r["metric"]] = r["v"]
    last = stock_date(qs, end)
    if last is not None and last >= start:
        for r in qs.filter(date=last, metric__in=STOCK_METRICS).values(group, "metric").annotate(v=Sum("value")):
            out.setdefault(r[group], {})[r["metric"]] = r["v"]
    return out


def region_figures(user, region, start, end):
    """Totals for the region, one line per child region (or per trade for a market), and by window.

    A constant number of queries whatever the number of counties or markets.
    """
    from markets.models import Market, Trade

    level, obj = region
    base = _scoped(user, region)
    by_metric = _collect(base.filter(trade__isnull=True), start, end, "metric")
    total = Figures(label="合计", values={m: by_metric.get(m, {}).get(m, 0) for m in SHOWN_METRICS})

    if level == "market":
        group = "trade_id"
        children_qs = base.filter(trade__isnull=False)
    else:
        group = LEVELS[level][0]
        children_qs = base.filter(trade__isnull=True)
    by_child = _collect(children_qs, start, end, group)
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

    trades_qs = base.filter(trade__isnull=False)
    by_trade = _collect(trades_qs, start, end, "trade_id") if level != "market" else by_child
    trade_names = {t.pk: t.name for t in Trade.objects.filter(pk__in=list(by_trade))}
    trades = sorted(
        (Figures(label=trade_names[k], key=k, values=v) for k, v in by_trade.items() if k in trade_names),
        key=lambda f: -f.get(M.HEADCOUNT),
    )

    windows = {
        r["dimension"]: r["v"]
        for r in base.filter(date__gte=start, date__lte=end, metric=M.VISITS, trade__isnull=True)
        .values("dimension")
        .annotate(v=Sum("value"))
    }
    return {"total": total, "children": children, "trades": trades, "windows": windows}


def trend(user, region, periods):
    """[(period, Figures)] for the given periods, oldest first, in two queries."""
    periods = sorted(periods, key=lambda p: p.start)
    if not periods:
        return []
    base = _scoped(user, region).filter(trade__isnull=True)
    flows = {}
    qs = base.filter(date__gte=periods[0].start, date__lte=periods[-1].end, metric__in=FLOW_METRICS)
    for r in qs.values("date", "metric").annotate(v=Sum("value")):
        flows.setdefault(r["date"], {})[r["metric"]] = r["v"]
    stock_days = {}
    for r in (
        base.filter(date__gte=periods[0].start, date__lte=periods[-1].end, metric__in=STOCK_METRICS)
        .values("date", "metric")
        .annotate(v=Sum("value"))
    ):
        stock_days.setdefault(r["date"], {})[r["metric"]] = r["v"]
    out = []
    for period in periods:
        fig = Figures(label=period.name, key=period)
        for day, values in flows.items():
            if period.start <= day <= period.end:
                for metric, v in values.items():
                    fig.values[metric] = fig.values.get(metric, 0) + v
        days = [d for d in stock_days if period.start <= d <= period.end]
        if days:
            fig.values.update(stock_days[max(days)])
        out.append(fig)
    return out


def svg_line_chart(series, *, labels=(), width=640, height=220, pad=36):
    """Points for a server-rendered SVG line chart (no script, CSP-friendly).

    `series` is [(name, colour, [values…])]; all lists have the same length as `labels`.
    """
    lengths = {len(values) for _, _, values in series}
    count = max(lengths) if lengths else 0
    top = max([v for _, _, values in series for v in values] + [1])
    step = (width - 2 * pad) / max(count - 1, 1)

    def xy(i, v):
        return round(pad + i * step, 1), round(height - pad - (height - 2 * pad) * v / top, 1)

    lines = []
    for name, colour, values in series:
        pts = [xy(i, v) for i, v in enumerate(values)]
        lines.append(
            {
                "name": name,
                "colour": colour,
                "points": " ".join(f"{x},{y}" for x, y in pts),
                "dots": [(x, y, v) for (x, y), v in zip(pts, values, strict=True)],
            }
        )
    xlabels = [(xy(i, 0)[0], label) for i, label in enumerate(labels)]
    return {
        "width": width,
        "height": height,
        "pad": pad,
        "top": top,
        "lines": lines,
        "base": height - pad,
        "label_y": height - pad + 16,
        "xlabels": xlabels,
    }


def table_rows(figures_list, link_param=None):
    """Rows for templates: (label, query string for drill-down or None, [values], ratio)."""
    rows = []
    for f in figures_list:
        link = None
        if link_param and f.key is not None:
            link = f"{link_param}={getattr(f.key, 'code', None) or f.key.pk}"
        rows.append((f.label, link, [f.get(m) for m in SHOWN_METRICS], f.ratio))
    return rows


def figures_workbook(*, title, figures, child_header):
    """An XLSX of the drill-down table, the by-trade table and visits by window."""
    import io

    from openpyxl import Workbook

    from registry.models import WindowVisit

    headers = [str(m.label) for m in SHOWN_METRICS] + ["求人倍率"]

    def line(f):
        return [f.label] + [f.get(m) for m in SHOWN_METRICS] + [f.ratio if f.ratio is not None else ""]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("分地区")
    ws.append([title])
    ws.append([child_header, *headers])
    for f in figures["children"]:
        ws.append(line(f))
    ws.append(line(figures["total"]))
    ws = wb.create_sheet("分工种")
    ws.append([title])
    ws.append(["工种", *headers])
    for f in figures["trades"]:
        ws.append(line(f))
    ws = wb.create_sheet("分窗口")
    ws.append([title])
    ws.append(["窗口", "服务人次"])
    for value, label in WindowVisit.Window.choices:
        ws.append([str(label), figures["windows"].get(value, 0)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
