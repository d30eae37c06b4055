"""Monitoring by channel (issue 15): 线上 / 现场 per county, and SMS per county.

For a period and a region, per county:
- worker registrations, by `Worker.channel`;
- postings, by `Posting.channel`;
- 报名 / 洽谈: online applications (`matching.Application`, online by definition) against
  the 洽谈 the counter opened directly (a `Match` that no application turned into);
- SMS messages to the county's people (`gigmarket.core.sms.selectors.sms_counts`).

The first three are read from the rollup rows (`reporting.rollups`, the channel metrics,
dimension = channel), like every other monitoring figure: one query whatever the number of
records or days. SMS is counted live (one grouped query). Scoped like every list: a clerk
sees their market, a county itself, a 市州 its counties.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from gigmarket.core.models import Division
from gigmarket.core.sms.selectors import sms_counts

from .figures import Rows, _flow_parts, _run
from .models import BEIJING
from .rollups import M

ONLINE, COUNTER = "online", "counter"
# rollup metrics split by channel (the dimension); applications and counter 洽谈 are one each
BY_CHANNEL = [M.CHANNEL_SEEKERS, M.CHANNEL_POSTINGS]


@dataclass
class Split:
    online: int = 0
    counter: int = 0

    @property
    def total(self):
        return self.online + self.counter

    @property
    def online_share(self):
        """Per cent online, or None without records."""
        return round(100 * self.online / self.total) if self.total else None

    def add(self, other):
        self.online += other.online
        self.counter += other.counter


@dataclass
class CountyChannels:
    county: Division | None
    registrations: Split = field(default_factory=Split)
    postings: Split = field(default_factory=Split)
    applications: Split = field(default_factory=Split)
    sms: int = 0

    @property
    def online_share(self):
        """Per cent of the county's registrations, postings and applications made online."""
        both = Split()
        for split in (self.registrations, self.postings, self.applications):
            both.add(split)
        return both.online_share

    def cells(self, *, marked=True):
        """The row's eight `<td>`s (online / counter of each kind, the share, SMS): integers,
        formatted as the template would (no thousands separator); the county's row carries
        the data attributes the page's scripts and tests read."""
        share = self.online_share
        values = [
            (name, int(value))
            for name, value in (
                ("reg-online", self.registrations.online),
                ("reg-counter", self.registrations.counter),
                ("post-online", self.postings.online),
                ("post-counter", self.postings.counter),
                ("app-online", self.applications.online),
                ("app-counter", self.applications.counter),
            )
        ]
        counts = "".join(f"<td data-{name}>{value}</td>" if marked else f"<td>{value}</td>" for name, value in values)
        sms = f"<td data-sms>{int(self.sms)}</td>" if marked else f"<td>{int(self.sms)}</td>"
        # integers and a rounded per cent only: nothing here needs escaping
        return mark_safe(f"{counts}<td>{'—' if share is None else f'{int(share)}%'}</td>{sms}")


def channel_table_rows(rows):
    """The channel table's body rows, one per county: 88 rows × 9 cells at province level,
    built here rather than cell by cell in the template engine."""
    return format_html_join(
        "\n",
        '<tr data-county="{}"><th>{}</th>{}</tr>',
        ((row.county.code if row.county else "", row.county.name if row.county else "", row.cells()) for row in rows),
    )


def channel_total_row(total):
    return format_html("<tr data-total><th>合计</th>{}</tr>", total.cells(marked=False))


def period_bounds(start, end):
    """[start, end] as Beijing calendar days -> aware [from, to)."""
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=BEIJING)
    return first, datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=BEIJING)


def _rollup_by_county(user, region, start, end):
    """{kind: {county id: Split}} from the channel rollup rows: one query."""
    rows = Rows.scoped(user, region, by_market=False).filter(trade__isnull=True)
    by_channel = rows.filter(metric__in=BY_CHANNEL)
    talks = [M.APPLICATIONS, M.COUNTER_TALKS]
    sums = _run(
        [
            *_flow_parts(by_channel.filter(dimension=ONLINE), start, end, "county_id", ONLINE, metrics=BY_CHANNEL),
            *_flow_parts(by_channel.exclude(dimension=ONLINE), start, end, "county_id", COUNTER, metrics=BY_CHANNEL),
            *_flow_parts(rows.filter(metric__in=talks), start, end, "county_id", "talks", metrics=talks),
        ]
    )
    kinds = {"registrations": {}, "postings": {}, "applications": {}}
    for tag in (ONLINE, COUNTER):
        for county, values in sums.get(tag, {}).items():
            for kind, metric in (("registrations", M.CHANNEL_SEEKERS), ("postings", M.CHANNEL_POSTINGS)):
                if values.get(metric):
                    setattr(kinds[kind].setdefault(int(county), Split()), tag, values[metric])
    for county, values in sums.get("talks", {}).items():
        split = Split(online=values.get(M.APPLICATIONS, 0), counter=values.get(M.COUNTER_TALKS, 0))
        if split.total:
            kinds["applications"][int(county)] = split
    return kinds


def _sms_by_county(user, region, bounds):
    """{county_id: messages created in the period}. A market's page shows its county's."""
    level, obj = region
    scope = {"city": obj, "county": obj, "market": getattr(obj, "county", None)}.get(level, user)
    counts = sms_counts(scope, bounds[0], bounds[1])
    return {pk: n["total"] for pk, n in counts.items() if pk is not None}


def channel_figures(user, region, start, end, *, known=()):
    """(rows per county, total row) for the monitoring page. `known`: county divisions the
    caller has loaded already (a 市州's counties, the county itself); only others are read."""
    kinds = _rollup_by_county(user, region, start, end)
    sms = _sms_by_county(user, region, period_bounds(start, end))
    county_ids = set().union(*(splits.keys() for splits in kinds.values()), sms.keys())
    counties = {d.pk: d for d in known}
    missing = [pk for pk in county_ids if pk and pk not in counties]
    if missing:
        counties.update(Division.objects.in_bulk(missing))
    rows = {pk: CountyChannels(county=counties.get(pk)) for pk in county_ids}
    for kind, splits in kinds.items():
        for pk, split in splits.items():
            setattr(rows[pk], kind, split)
    for pk, n in sms.items():
        rows[pk].sms = n
    ordered = sorted(rows.values(), key=lambda r: r.county.code if r.county else "")
    total = CountyChannels(county=None)
    for row in ordered:
        total.registrations.add(row.registrations)
        total.postings.add(row.postings)
        total.applications.add(row.applications)
        total.sms += row.sms
    return ordered, total
