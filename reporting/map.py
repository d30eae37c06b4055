"""The map of Guizhou (issue 17): every county in the user's scope coloured by one figure,
markets as points, drawn on the server as SVG (docs/reporting-map.md).

`county_figures(user, period, figure)` is the figure per county, read the way the
monitoring pages read it (rollup rows, `reporting.figures`), the report board
(`selectors.period_board`) and the provincial standard check (`markets.standards`).
`map_context(...)` adds the outlines (`reporting.map_geometry`), classes, legend and the
market points. A constant number of queries whatever the number of counties or markets:
the counties, one for the figure and one for the markets.
"""

import math
from dataclasses import dataclass, field

from django.core.cache import cache

from gigmarket.core.scoping import counties_in_scope, scope_queryset
from markets.models import Market
from markets.selectors import with_check_flags
from markets.services import public_cache_generation
from markets.standards import check_market

from .figures import Rows, _flow_parts, _run, _stock_part
from .map_geometry import load_geometry, project
from .models import Submission
from .rollups import M

FIGURES = {
    "compliance": "市场达标率",
    "completeness": "报送完整性",
    "timeliness": "报送及时性",
    "ratio": "求人倍率",
    "registrations": "新增求职登记",
}
DEFINITIONS = {
    "compliance": "县内运营中零工市场中，省级标准各项均达标的市场所占比例（不含无运营中市场的县）。",
    "completeness": "本期是否已报送名录（已退回的按未报送计）。",
    "timeliness": "首次报送是否在本期截止时间之前。",
    "ratio": "本期发布岗位招聘人数 ÷ 期末登记求职人数（无登记求职人员的县不计）。",
    "registrations": "本期新增求职登记人数。",
}
# sequential blues, light to dark; categories get their own colours
SEQUENTIAL = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_DATA = "#f0f0f0"
CATEGORIES = {
    "completeness": [("已报送", "#3182bd"), ("未报送", "#fdae6b")],
    "timeliness": [("按时报送", "#3182bd"), ("逾期报送", "#fdd0a2"), ("未报送", "#e6550d")],
}
MARKET_COLOURS = {
    Market.Status.OPERATING: "#238b45",
    Market.Status.PLANNING: "#fe9929",
    Market.Status.SUSPENDED: "#cb181d",
}


@dataclass
class CountyValue:
    division: object
    value: object = None  # number, category label or None (no data)
    note: str = ""  # e.g. "3/4" behind a rate
    display: str = "—"
    colour: str = NO_DATA
    path: str = ""
    label: tuple = (0, 0)


@dataclass
class MapData:
    figure: str
    counties: list
    markets: list = field(default_factory=list)
    legend: list = field(default_factory=list)
    view_box: str = ""
    font_size: float = 12.0  # county labels and market points scale with the zoom
    point_r: float = 3.0


def scoped_counties(user):
    return list(counties_in_scope(user).filter(is_active=True).select_related("parent").order_by("code"))


def scoped_markets(user):
    """Markets in scope that are not closed, with the standard-check flags: one query."""
    qs = scope_queryset(Market.objects.exclude(status=Market.Status.CLOSED), user)
    return list(with_check_flags(qs.select_related("county")).order_by("county__code", "name"))


POINT_FIELDS = ("pk", "name", "status", "county_id", "longitude", "latitude")


def market_points(user):
    """(pk, name, status, county id, longitude, latitude) of the markets in scope that are
    not closed: one query, no model instances (a province has thousands)."""
    qs = scope_queryset(Market.objects.exclude(status=Market.Status.CLOSED), user)
    return list(qs.order_by("county__code", "name").values_list(*POINT_FIELDS))


def _rollup_sums(user, period, metrics, *, stock=False):
    """{county id: {metric: sum}} over the period from the per-county rollup rows: one query."""
    rows = Rows.scoped(user, ("province", None)).filter(trade__isnull=True, metric__in=metrics)
    parts = _flow_parts(rows, period.start, period.end, "county_id", "c")
    if stock:
        parts.append(
            _stock_part(
                Rows.scoped(user, ("province", None)).filter(trade__isnull=True),
                period.start,
                period.end,
                "county_id",
                "c",
            )
        )
    return {int(k): v for k, v in _run(parts).get("c", {}).items() if k is not None}


COMPLIANCE_CACHE_SECONDS = 300


def province_compliance():
    """{county id: (compliant, operating)} for the whole province, cached until any market
    changes (`markets.services.public_cache_generation`, bumped by every market write) and
    for five minutes at most: checking 2,000 markets against the standard takes a while."""
    key = f"reporting:compliance:{public_cache_generation()}"
    found = cache.get(key)
    if found is None:
        found = compliance_by_county(with_check_flags(Market.objects.filter(status=Market.Status.OPERATING)))
        cache.set(key, found, COMPLIANCE_CACHE_SECONDS)
    return found


def compliance_by_county(markets):
    """{county id: (compliant, operating)} of the operating markets."""
    out = {}
    for market in markets:
        if market.status != Market.Status.OPERATING:
            continue
        met, total = out.get(market.county_id, (0, 0))
        out[market.county_id] = (met + check_market(market).compliant, total + 1)
    return out


def county_figures(user, period, figure, *, counties, markets):
    """[CountyValue] for every county in `counties`, with value and display text."""
    values = [CountyValue(division=c) for c in counties]
    if figure == "compliance":
        by_county = province_compliance() if markets is None else compliance_by_county(markets)
        for cv in values:
            met, total = by_county.get(cv.division.pk, (0, 0))
            if total:
                cv.value = round(100 * met / total)
                cv.note = f"{met}/{total}"
                cv.display = f"{cv.value}%（{cv.note}）"
    elif figure in ("completeness", "timeliness"):
        subs = {
            s.county_id: s
            for s in scope_queryset(Submission.objects.filter(period=period), user).only(
                "county_id", "status", "first_submitted_at"
            )
        }
        for cv in values:
            sub = subs.get(cv.division.pk)
            standing = sub is not None and sub.status != Submission.Status.RETURNED
            if figure == "completeness":
                cv.value = "已报送" if standing else "未报送"
            elif not standing:
                cv.value = "未报送"
            else:
                cv.value = "按时报送" if sub.first_submitted_at < period.deadline else "逾期报送"
            cv.display = cv.value
    elif figure == "ratio":
        sums = _rollup_sums(user, period, [M.HEADCOUNT], stock=True)
        for cv in values:
            got = sums.get(cv.division.pk, {})
            seekers = got.get(M.SEEKERS, 0)
            if seekers:
                cv.value = round(got.get(M.HEADCOUNT, 0) / seekers, 2)
                cv.display = f"{cv.value:.2f}"
    elif figure == "registrations":
        sums = _rollup_sums(user, period, [M.NEW_SEEKERS])
        for cv in values:
            cv.value = sums.get(cv.division.pk, {}).get(M.NEW_SEEKERS, 0)
            cv.display = str(cv.value)
    else:
        raise ValueError(figure)
    return values


def _nice_breaks(top, classes):
    """`classes` upper bounds from 0 to at least `top`, on round numbers."""
    if top <= 0:
        return [1] * classes
    raw = top / classes
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * magnitude >= raw)
    return [round(step * (i + 1), 2) for i in range(classes)]


def _colour(values, figure):
    """Set each county's colour; return the legend [(label, colour)]."""
    if figure in CATEGORIES:
        colours = dict(CATEGORIES[figure])
        for cv in values:
            cv.colour = colours.get(cv.value, NO_DATA)
        return list(CATEGORIES[figure])
    if figure == "compliance":
        breaks = [20, 40, 60, 80, 100]
    else:
        top = max((cv.value for cv in values if cv.value is not None), default=0)
        breaks = _nice_breaks(top, len(SEQUENTIAL))
    legend = []
    low = 0
    fmt = "{:.2f}" if figure == "ratio" else "{:g}"
    for i, (high, colour) in enumerate(zip(breaks, SEQUENTIAL, strict=True)):
        last = i == len(breaks) - 1
        legend.append((f"{fmt.format(low)}–{fmt.format(high)}{'%' if figure == 'compliance' else ''}", colour))
        low = high
        for cv in values:
            if cv.value is None or cv.colour != NO_DATA:
                continue
            if cv.value < high or last:
                cv.colour = colour
    legend.append(("无数据", NO_DATA))
    return legend


def map_context(user, period, figure):
    """Everything the map template draws: a constant number of queries."""
    counties = scoped_counties(user)
    points = market_points(user)
    # compliance per county is read province-wide from the cache; counties out of scope are not shown
    values = county_figures(user, period, figure, counties=counties, markets=None)
    legend = _colour(values, figure)
    geometry = load_geometry()
    shapes = geometry["counties"]
    boxes = []
    for cv in values:
        shape = shapes.get(cv.division.code)
        if shape:
            cv.path = shape["path"]
            cv.label = tuple(shape["label"])
            boxes.append(shape["box"])
    if boxes:
        pad = 12
        x0, y0 = min(b[0] for b in boxes) - pad, min(b[1] for b in boxes) - pad
        x1, y1 = max(b[2] for b in boxes) + pad, max(b[3] for b in boxes) + pad
        view_box = f"{x0:.0f} {y0:.0f} {x1 - x0:.0f} {y1 - y0:.0f}"
        span = max(x1 - x0, y1 - y0)
    else:
        view_box = f"0 0 {geometry['width']:.0f} {geometry['height']:.0f}"
        span = geometry["width"]
    statuses = dict(Market.Status.choices)
    drawn = []
    for pk, name, status, _county_id, longitude, latitude in points:
        if longitude is None or latitude is None:
            continue
        x, y = project(longitude, latitude)
        drawn.append(
            {
                "pk": pk,
                "name": name,
                "status": statuses.get(status, status),
                "x": round(x, 1),
                "y": round(y, 1),
                "colour": MARKET_COLOURS.get(status, "#555"),
            }
        )
    return MapData(
        figure=figure,
        counties=values,
        markets=drawn,
        legend=legend,
        view_box=view_box,
        font_size=round(span / 85, 1),
        point_r=round(span / 300, 1),
    )
