"""名录 reality check (issue 17): does the registry's status agree with what happened?

Two lists for a period, in the user's scope:
- markets listed as 运营中 with no window visits, postings or matches in the period;
- markets not listed as 运营中 (筹建中, 暂停, 已撤销) at which activity was recorded.

Activity is read from the per-market rollup rows (`reporting.rollups`), as the monitoring
pages read it. Three queries whatever the number of markets.
"""

from dataclasses import dataclass

from gigmarket.core.scoping import scope_queryset
from markets.models import Market

from .figures import Rows, _flow_parts, _run
from .models import DailyStat, MonthlyStat
from .rollups import M

ACTIVITY = [M.VISITS, M.POSTINGS, M.MATCHES]


@dataclass
class RealityCheck:
    idle: list  # [market] 运营中 but nothing recorded
    unlisted: list  # [(market, {metric: n})] recorded but not 运营中

    @property
    def clean(self):
        return not self.idle and not self.unlisted


def market_activity(user, start, end):
    """{market id: {metric: n}} of visits, postings and matches per market: one query."""
    rows = Rows(
        scope_queryset(DailyStat.objects.filter(market__isnull=False, trade__isnull=True), user),
        scope_queryset(MonthlyStat.objects.filter(market__isnull=False, trade__isnull=True), user),
    ).filter(metric__in=ACTIVITY)
    sums = _run(_flow_parts(rows, start, end, "market_id", "m")).get("m", {})
    return {int(k): v for k, v in sums.items() if k is not None and any(v.values())}


def reality_check(user, period, *, county=None, city=None):
    """Three queries: the activity per market, (pk, status) of every market in scope, and
    the few flagged markets themselves."""
    activity = market_activity(user, period.start, period.end)
    markets = scope_queryset(Market.objects.all(), user)
    if county is not None:
        markets = markets.filter(county=county)
    elif city is not None:
        markets = markets.filter(county__parent=city)
    flagged = [
        pk
        for pk, status in markets.values_list("pk", "status")
        if (status == Market.Status.OPERATING) != (pk in activity)
    ]
    idle, unlisted = [], []
    if flagged:
        for market in (
            Market.objects.filter(pk__in=flagged).select_related("county__parent").order_by("county__code", "name")
        ):
            if market.status == Market.Status.OPERATING:
                idle.append(market)
            else:
                unlisted.append((market, activity[market.pk]))
    return RealityCheck(idle=idle, unlisted=unlisted)
