"""Monitoring by channel (issue 15): 线上 / 现场 per county, and SMS per county.

For a period and a region, per county:
- worker registrations, by `Worker.channel`;
- postings, by `Posting.channel`;
- 报名 / 洽谈: online applications (`matching.Application`, online by definition) against
  the 洽谈 the counter opened directly (a `Match` that no application turned into);
- SMS messages to the county's people (`gigmarket.core.sms.selectors.sms_counts`).

One grouped query per kind (a handful of rows per county), scoped like every list: a clerk
sees their market, a county itself, a 市州 its counties.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef

from gigmarket.core.models import Division
from gigmarket.core.scoping import scope_queryset
from gigmarket.core.sms.selectors import sms_counts
from matching.models import Application, Match
from registry.models import Posting, Worker

from .models import BEIJING

ONLINE, COUNTER = "online", "counter"


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


def period_bounds(start, end):
    """[start, end] as Beijing calendar days -> aware [from, to)."""
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=BEIJING)
    return first, datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=BEIJING)


def _region_filter(qs, region, county_path, market_path):
    level, obj = region
    if level == "city":
        return qs.filter(**{f"{county_path}__parent": obj})
    if level == "county":
        return qs.filter(**{county_path: obj})
    if level == "market":
        return qs.filter(**{market_path: obj}) if market_path else qs.filter(**{county_path: obj.county_id})
    return qs


def _in_region(qs, user, region, bounds, *, county_path, market_path, time_field):
    qs = _region_filter(scope_queryset(qs, user), region, county_path, market_path)
    return qs.filter(**{f"{time_field}__gte": bounds[0], f"{time_field}__lt": bounds[1]})


def _split_by_county(model, user, region, bounds, *, county_path, market_path, time_field):
    qs = _in_region(
        model.objects.all(),
        user,
        region,
        bounds,
        county_path=county_path,
        market_path=market_path,
        time_field=time_field,
    )
    splits = {}
    for row in qs.values(county_path, "channel").annotate(n=Count("pk")).order_by():
        split = splits.setdefault(row[county_path], Split())
        if row["channel"] == ONLINE:
            split.online += row["n"]
        else:
            split.counter += row["n"]
    return splits


def _applications_by_county(user, region, bounds):
    """Online applications submitted, and 洽谈 opened at the counter without one."""
    paths = {"county_path": "market__county", "market_path": "market"}
    splits = {}
    online = _in_region(Application.objects.all(), user, region, bounds, time_field="created_at", **paths)
    for row in online.values("market__county").annotate(n=Count("pk")).order_by():
        splits.setdefault(row["market__county"], Split()).online = row["n"]
    counter = _in_region(
        Match.objects.filter(~Exists(Application.objects.filter(match=OuterRef("pk")))),
        user,
        region,
        bounds,
        time_field="created_at",
        **paths,
    )
    for row in counter.values("market__county").annotate(n=Count("pk")).order_by():
        splits.setdefault(row["market__county"], Split()).counter = row["n"]
    return splits


def _sms_by_county(user, region, bounds):
    """{county_id: messages created in the period}. A market's page shows its county's."""
    level, obj = region
    scope = {"city": obj, "county": obj, "market": getattr(obj, "county", None)}.get(level, user)
    counts = sms_counts(scope, bounds[0], bounds[1])
    return {pk: n["total"] for pk, n in counts.items() if pk is not None}


def channel_figures(user, region, start, end):
    """(rows per county, total row) for the monitoring page."""
    bounds = period_bounds(start, end)
    kinds = {
        "registrations": _split_by_county(
            Worker,
            user,
            region,
            bounds,
            county_path="county",
            market_path="registered_market",
            time_field="registered_at",
        ),
        "postings": _split_by_county(
            Posting, user, region, bounds, county_path="market__county", market_path="market", time_field="created_at"
        ),
        "applications": _applications_by_county(user, region, bounds),
    }
    sms = _sms_by_county(user, region, bounds)
    county_ids = set().union(*(splits.keys() for splits in kinds.values()), sms.keys())
    counties = Division.objects.in_bulk([pk for pk in county_ids if pk])
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
