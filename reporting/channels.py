"""Monitoring by channel (issue 15): 线上 / 现场 per county, and SMS sent per county.

For a period and a region, per county: worker registrations (`Worker.channel`), postings
(`Posting.channel`), applications (`matching.Application.channel`, once that model
exists) split into online and counter, and the SMS messages of the county
(`gigmarket.core.sms.selectors.sms_counts`). Counted from the records with one grouped
query per kind (a handful of rows per county), scoped like every list: a clerk sees
their market, a county itself, a 市州 its counties.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count

from gigmarket.core.models import Division
from gigmarket.core.scoping import scope_queryset

from .models import BEIJING

ONLINE, COUNTER = "online", "counter"
TIME_FIELDS = ("created_at", "applied_at", "submitted_at")


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


def application_model():
    """matching.Application when it exists with a channel, else None (no column shown)."""
    try:
        model = apps.get_model("matching", "Application")
    except LookupError:
        return None
    try:
        model._meta.get_field("channel")
    except FieldDoesNotExist:
        return None
    return model


def _time_field(model):
    names = {f.name for f in model._meta.get_fields()}
    return next(name for name in TIME_FIELDS if name in names)


def _region_filter(qs, region, county_path, market_path):
    level, obj = region
    if level == "city":
        return qs.filter(**{f"{county_path}__parent": obj})
    if level == "county":
        return qs.filter(**{county_path: obj})
    if level == "market":
        return qs.filter(**{market_path: obj}) if market_path else qs.filter(**{county_path: obj.county_id})
    return qs


def _split_by_county(model, user, region, bounds, *, county_path, market_path, time_field):
    qs = scope_queryset(model.objects.all(), user)
    qs = _region_filter(qs, region, county_path, market_path)
    qs = qs.filter(**{f"{time_field}__gte": bounds[0], f"{time_field}__lt": bounds[1]})
    splits = {}
    for row in qs.values(county_path, "channel").annotate(n=Count("pk")).order_by():
        split = splits.setdefault(row[county_path], Split())
        if row["channel"] == ONLINE:
            split.online += row["n"]
        else:
            split.counter += row["n"]
    return splits


def _sms_by_county(user, region, bounds):
    try:
        from gigmarket.core.sms.selectors import sms_counts  # noqa: PLC0415
    except ImportError:
        return None
    return sms_counts(user, bounds[0], bounds[1])


def channel_figures(user, region, start, end):
    """(rows per county, total row, shows_applications, shows_sms) for the monitoring page."""
    from registry.models import Posting, Worker  # noqa: PLC0415

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
    }
    application = application_model()
    if application is not None:
        kinds["applications"] = _split_by_county(
            application,
            user,
            region,
            bounds,
            county_path=application.scope_county_path,
            market_path=getattr(application, "scope_market_path", None),
            time_field=_time_field(application),
        )
    sms = _sms_by_county(user, region, bounds)
    county_ids = set().union(*(splits.keys() for splits in kinds.values()), (sms or {}).keys())
    counties = Division.objects.in_bulk([pk for pk in county_ids if pk])
    rows = {}
    for pk in county_ids:
        rows[pk] = CountyChannels(county=counties.get(pk))
    for kind, splits in kinds.items():
        for pk, split in splits.items():
            setattr(rows[pk], kind, split)
    for pk, n in (sms or {}).items():
        rows[pk].sms = n
    ordered = sorted(rows.values(), key=lambda r: r.county.code if r.county else "")
    total = CountyChannels(county=None)
    for row in ordered:
        total.registrations.add(row.registrations)
        total.postings.add(row.postings)
        total.applications.add(row.applications)
        total.sms += row.sms
    return ordered, total, application is not None, sms is not None
