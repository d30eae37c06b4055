"""The weekly 市州 digest: each 市州's staff get one e-mail a week about their counties.

For one 市州 and ISO week (Monday to Sunday, Beijing dates) it shows, per county:

- the completeness of the last reporting period whose due date has passed and of the
  current one (`selectors.completeness_history`, the rules of the period board);
- 整改 open, due within 7 days and overdue on the day it is sent
  (`markets.selectors.rectification_counts_by_county`);
- the week's activity: new registrations, postings and confirmed matches, the same
  figures the monitoring page shows for those days (`figures.region_figures`).

Exactly once per 市州 and week: `city_digest_send` inserts a `CityDigest` row (unique per
市州, ISO year and week) and commits it before any mail is sent; a second run, or a second
worker, hits the constraint and sends nothing. A 市州 without active staff with an e-mail
address gets no digest and no row. Beat runs `city_digests_send` on Monday morning for the
week that just ended (`reporting/schedule.py`).
"""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import Division, Role, User
from markets.selectors import rectification_counts_by_county

from .calendar import beijing_today
from .figures import Figures, region_figures
from .models import CityDigest, ReportingPeriod
from .rollups import M
from .selectors import completeness_history, current_period

log = logging.getLogger(__name__)

ACTIVITY_METRICS = [M.NEW_SEEKERS, M.POSTINGS, M.MATCHES]
DUE_SOON_DAYS = 7


@dataclasses.dataclass
class DigestCounty:
    county: Division
    states: list  # [(period, state, label)] per digest period
    activity: Figures
    rectifications: dict  # {"open", "due_soon", "overdue"}

    @property
    def activity_values(self):
        return [self.activity.get(m) for m in ACTIVITY_METRICS]

    @property
    def activity_rows(self):
        return [(str(m.label), self.activity.get(m)) for m in ACTIVITY_METRICS]


@dataclasses.dataclass
class CityDigestContent:
    city: Division
    iso_year: int
    iso_week: int
    start: datetime.date  # Monday
    end: datetime.date  # Sunday
    today: datetime.date
    periods: list  # [ReportingPeriod], the last one due first
    completeness: list  # [BoardLine] of the 市州 per period
    counties: list  # [DigestCounty]
    activity: Figures  # the 市州's total for the week
    rectifications: dict  # the 市州's totals

    @property
    def activity_labels(self):
        return [str(m.label) for m in ACTIVITY_METRICS]

    @property
    def activity_rows(self):
        """[(label, the 市州's number for the week)]."""
        return [(str(m.label), self.activity.get(m)) for m in ACTIVITY_METRICS]

    @property
    def period_rows(self):
        """[(period, the 市州's BoardLine)]: completeness and timeliness per period."""
        return list(zip(self.periods, self.completeness, strict=True))

    @property
    def title(self):
        return f"{self.city.name}零工市场周报（{self.iso_year}年第{self.iso_week}周）"


def previous_week(today):
    """(ISO year, ISO week) of the week before the one `today` is in."""
    year, week, _ = (today - datetime.timedelta(days=7)).isocalendar()
    return year, week


def week_days(iso_year, iso_week):
    """(Monday, Sunday) of an ISO week."""
    monday = datetime.date.fromisocalendar(iso_year, iso_week, 1)
    return monday, monday + datetime.timedelta(days=6)


def digest_periods(today):
    """The last period whose due date has passed, then the current one (next due), if different."""
    periods = []
    for period in (
        ReportingPeriod.objects.filter(due_date__lt=today).order_by("-due_date").first(),
        current_period(today),
    ):
        if period is not None and period not in periods:
            periods.append(period)
    return periods


def city_viewer(city):
    """An unsaved 市州 account of `city`: the digest reads what that 市州's staff may see,
    through the same scoping as their pages."""
    return User(username=f"digest-{city.code}", role=Role.CITY, division=city, is_active=True)


def city_digest(city, iso_year, iso_week, *, today=None):
    """The digest's content for `city` and the ISO week (`today`: the day it is sent)."""
    today = today or beijing_today()
    start, end = week_days(iso_year, iso_week)
    viewer = city_viewer(city)
    periods = digest_periods(today)
    history = completeness_history(viewer, periods, city=city)
    states = {county.pk: county_states for county, county_states in history["counties"]}
    completeness = history["cities"][0][1] if history["cities"] else []
    figures = region_figures(viewer, ("city", city), start, end)
    activity = {f.key.pk: f for f in figures["children"] if f.key is not None}
    counties = [county for county, _ in history["counties"]]
    rect = rectification_counts_by_county([c.pk for c in counties], today, soon_days=DUE_SOON_DAYS)
    empty = {"open": 0, "due_soon": 0, "overdue": 0}
    lines = [
        DigestCounty(
            county=county,
            states=[(period, *state) for period, state in zip(periods, states[county.pk], strict=True)],
            activity=activity.get(county.pk, Figures(label=county.name, key=county)),
            rectifications=rect.get(county.pk, empty),
        )
        for county in counties
    ]
    totals = {key: sum(line.rectifications[key] for line in lines) for key in empty}
    return CityDigestContent(
        city=city,
        iso_year=iso_year,
        iso_week=iso_week,
        start=start,
        end=end,
        today=today,
        periods=periods,
        completeness=completeness,
        counties=lines,
        activity=figures["total"],
        rectifications=totals,
    )


def city_digest_recipients(city):
    """Active 市州 staff of `city` with an e-mail address."""
    return list(User.objects.filter(is_active=True, role=Role.CITY, division=city).exclude(email="").order_by("pk"))


def _messages(content, recipients):
    links = {
        "monitoring": settings.SITE_URL
        + reverse("reporting:monitoring")
        + f"?grain=day&start={content.start:%Y-%m-%d}&end={content.end:%Y-%m-%d}",
        "rectifications": settings.SITE_URL + reverse("markets:rectification_list"),
    }
    messages = []
    for user in recipients:
        context = {"digest": content, "recipient": user, "links": links}
        message = EmailMultiAlternatives(
            subject=render_to_string("reporting/email/city_digest_subject.txt", context).strip(),
            body=render_to_string("reporting/email/city_digest_body.txt", context),
            to=[user.email],
        )
        message.attach_alternative(render_to_string("reporting/email/city_digest_body.html", context), "text/html")
        messages.append(message)
    return messages


def city_digest_send(*, city, iso_year, iso_week, now=None):
    """Send `city`'s digest for the ISO week once. Returns the `CityDigest` if this call sent
    it, None if it had been sent (or claimed) before or the 市州 has no one to send it to."""
    now = now or timezone.now()
    recipients = city_digest_recipients(city)
    if not recipients:
        return None
    try:
        with transaction.atomic():
            digest = CityDigest.objects.create(
                city=city, iso_year=iso_year, iso_week=iso_week, recipient_count=len(recipients)
            )
    except IntegrityError:
        return None
    content = city_digest(city, iso_year, iso_week, today=beijing_today(now))
    get_connection().send_messages(_messages(content, recipients))
    digest.sent_at = timezone.now()
    CityDigest.objects.filter(pk=digest.pk).update(sent_at=digest.sent_at)
    return digest


def city_digests_send(*, now=None):
    """Send every active 市州's digest for the week before `now`'s week (Beijing dates).

    Safe to run any number of times. Returns the number of 市州 sent to by this call."""
    now = now or timezone.now()
    iso_year, iso_week = previous_week(beijing_today(now))
    sent = 0
    for city in Division.objects.filter(level=Division.Level.CITY, is_active=True).order_by("code"):
        try:
            if city_digest_send(city=city, iso_year=iso_year, iso_week=iso_week, now=now):
                sent += 1
        except Exception:
            # One 市州's failure (its mail server refused) must not stop the others; its claim
            # stays without sent_at (see CityDigest).
            log.exception("city digest for %s (%s-W%s) failed", city.code, iso_year, iso_week)
    return sent
