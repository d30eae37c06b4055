"""Reads for 名录 reporting. Each function decides its queries once; none loops over counties."""

from dataclasses import dataclass, field

from gigmarket.core.models import AuditEvent, Division
from gigmarket.core.scoping import counties_in_scope, scope_queryset
from markets.attachment1 import COLUMNS
from markets.models import Market
from markets.selectors import market_row_values, markets_as_of, markets_for_rows
from markets.standards import check_market

from .calendar import beijing_today
from .models import Notification, ReportingPeriod, Submission

HEADER_BY_KEY = {c.key: c.header for c in COLUMNS}
CLOSED_LABEL = str(Market.Status.CLOSED.label)

STANDING = [Submission.Status.SUBMITTED, Submission.Status.FORWARDED, Submission.Status.ACCEPTED]


def rows_queryset(qs):
    """Markets with what `market_row` and the standard check read: a constant number of queries."""
    return markets_for_rows(qs)


def standard_problems(markets):
    """[(market, [missed standard items])] for markets the standard check flags (notice 三)."""
    problems = []
    for market in markets:
        if market.status == market.Status.CLOSED:
            continue
        check = check_market(market)
        if check.missed:
            problems.append((market, check.missed))
    return problems


def current_period(today=None):
    """The period whose due date is next (or today); else the latest one."""
    today = today or beijing_today()
    upcoming = ReportingPeriod.objects.filter(due_date__gte=today).order_by("due_date").first()
    return upcoming or ReportingPeriod.objects.order_by("-due_date").first()


def periods_for_listing(today=None):
    """Periods that have started (the future ones are kept but not shown)."""
    today = today or beijing_today()
    return ReportingPeriod.objects.filter(start__lte=today).order_by("-start")


def missing_counties(period):
    """Active counties with no standing submission for `period` (returned ones count as missing)."""
    done = Submission.objects.filter(period=period, status__in=STANDING).values("county_id")
    return list(
        Division.objects.filter(level=Division.Level.COUNTY, is_active=True)
        .exclude(pk__in=done)
        .select_related("parent")
        .order_by("code")
    )


@dataclass
class BoardLine:
    division: Division
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late: int = 0
    accepted: int = 0
    returned: int = 0
    laggards: list = field(default_factory=list)

    @property
    def missing(self):
        return self.expected - self.submitted

    @property
    def rate(self):
        """Completeness: % of expected counties with a standing report."""
        return round(100 * self.submitted / self.expected) if self.expected else 0

    @property
    def timely_rate(self):
        """Timeliness: % of expected counties that first reported before the deadline."""
        return round(100 * self.on_time / self.expected) if self.expected else 0


def period_board(period, user):
    """Per-市州 and total counts for `period` within the user's scope, in two queries.

    Expected = active counties; submitted = a standing (not returned) report; on time
    when first reported before the deadline; laggards are the counties still missing.
    """
    counties = list(counties_in_scope(user).filter(is_active=True).select_related("parent").order_by("code"))
    submissions = {
        s.county_id: s
        for s in scope_queryset(Submission.objects.filter(period=period), user).only(
            "county_id", "status", "first_submitted_at", "submitted_at"
        )
    }
    deadline = period.deadline
    cities = {}
    total = BoardLine(division=None)
    for county in counties:
        line = cities.get(county.parent_id)
        if line is None:
            line = cities[county.parent_id] = BoardLine(division=county.parent)
        _tally((line, total), county, submissions.get(county.pk), deadline)
    return {"cities": list(cities.values()), "total": total, "submissions": submissions, "counties": counties}


def county_state(sub, deadline):
    """missing / returned / on_time / late: where one county stands for one period."""
    if sub is None:
        return "missing"
    if sub.status == Submission.Status.RETURNED:
        return "returned"
    return "on_time" if sub.first_submitted_at < deadline else "late"


def _tally(targets, county, sub, deadline):
    """Count one county's report for a period into each BoardLine of `targets`: expected;
    submitted (a standing, not returned, report), on time when first reported before the
    deadline; the laggards are the counties still missing. The one definition of
    completeness and timeliness, for a period's board and for the history."""
    state = county_state(sub, deadline)
    for target in targets:
        target.expected += 1
        if state in ("missing", "returned"):
            target.laggards.append((county, sub))
            if state == "returned":
                target.returned += 1
            continue
        target.submitted += 1
        if state == "on_time":
            target.on_time += 1
        else:
            target.late += 1
        if sub.status == Submission.Status.ACCEPTED:
            target.accepted += 1
    return state


STATE_LABELS = {"missing": "未报", "returned": "退回", "on_time": "按时", "late": "逾期"}


def completeness_history(user, periods, *, city=None):
    """Completeness and timeliness of `periods` (oldest first) per 市州 and per county in the
    user's scope (narrowed to a 市州), by the same rules as `period_board`. Two queries.

    {"total": [BoardLine per period], "cities": [(市州, [BoardLine…])],
    "counties": [(county, [(state, label)…])]}. Expected counties are those active today."""
    counties = counties_in_scope(user).filter(is_active=True).select_related("parent").order_by("code")
    if city is not None:
        counties = counties.filter(parent=city)
    counties = list(counties)
    subs = {
        (s.period_id, s.county_id): s
        for s in scope_queryset(Submission.objects.filter(period__in=[p.pk for p in periods]), user).only(
            "period_id", "county_id", "status", "first_submitted_at"
        )
    }
    total = [BoardLine(division=None) for _ in periods]
    cities, by_county = {}, []
    for county in counties:
        lines = cities.get(county.parent_id)
        if lines is None:
            lines = cities[county.parent_id] = (county.parent, [BoardLine(division=county.parent) for _ in periods])
        states = []
        for i, period in enumerate(periods):
            state = _tally((lines[1][i], total[i]), county, subs.get((period.pk, county.pk)), period.deadline)
            states.append((state, STATE_LABELS[state]))
        by_county.append((county, states))
    return {"total": total, "cities": list(cities.values()), "counties": by_county}


def submissions_for_user(user, period=None):
    qs = Submission.objects.select_related("period", "county__parent", "submitted_by")
    if period is not None:
        qs = qs.filter(period=period)
    return scope_queryset(qs, user).order_by("-period__start", "county__code")


def awaiting_action(user, qs):
    """The submissions among `qs` that wait for this user's decision."""
    if user.is_superuser or user.role == "province":
        return qs.filter(status=Submission.Status.FORWARDED)
    if user.role == "city":
        return qs.filter(status=Submission.Status.SUBMITTED)
    return qs.none()


def last_submission(county, before_period=None):
    """The county's latest submitted rows (its previous report), or None."""
    qs = Submission.objects.filter(county=county).select_related("period")
    if before_period is not None:
        qs = qs.filter(period__start__lt=before_period.start)
    return qs.order_by("-period__start").first()


@dataclass
class RegistryChanges:
    new: list
    changed: list
    closed: list
    unchanged: int
    compared_with: object

    @property
    def has_changes(self):
        return bool(self.new or self.changed or self.closed)


def rows_diff(before_items, after_items, *, compared_with=None, closed_ids=None):
    """The one 名录 diff: frozen or live 附件1 items (`[{"market_id", "row"}]`) before and after.

    New markets, changed ones (with `fields`: [(column header, old, new)]), closed or
    removed ones, and the number unchanged. A market counts as closed when its id is in
    `closed_ids`, or (when that is not given) when its new row says 已撤销.
    """
    before = {item["market_id"]: item["row"] for item in before_items}
    after_ids = {item["market_id"] for item in after_items}
    if closed_ids is None:
        closed_ids = {i["market_id"] for i in after_items if i["row"].get("status") == CLOSED_LABEL}
    new, changed, closed = [], [], []
    unchanged = 0
    for item in after_items:
        old = before.get(item["market_id"])
        if old is None:
            new.append(item)
        elif old != item["row"]:
            fields = [
                (HEADER_BY_KEY.get(key, key), old.get(key, ""), value)
                for key, value in item["row"].items()
                if old.get(key, "") != value
            ]
            (closed if item["market_id"] in closed_ids else changed).append({**item, "fields": fields})
        else:
            unchanged += 1
    for market_id, row in before.items():
        if market_id not in after_ids:
            closed.append({"market_id": market_id, "row": row, "fields": [], "removed": True})
    return RegistryChanges(new=new, changed=changed, closed=closed, unchanged=unchanged, compared_with=compared_with)


def registry_changes(county, period, live_rows):
    """Compare live 附件1 rows with the county's last report: new, changed, closed markets.

    `live_rows` is what `services.freeze_rows` returns for the county's markets now.
    The previous report is this period's own (if any, e.g. a returned one), else the
    latest earlier period's.
    """
    previous = Submission.objects.filter(county=county, period=period).first() or last_submission(county, period)
    live_ids = {item["market_id"] for item in live_rows}
    closed_ids = set(Market.objects.filter(pk__in=live_ids, status=Market.Status.CLOSED).values_list("pk", flat=True))
    return rows_diff(previous.rows if previous else [], live_rows, compared_with=previous, closed_ids=closed_ids)


def last_accepted(submission):
    """The same county's latest accepted submission of an earlier period, or None."""
    return (
        Submission.objects.filter(
            county_id=submission.county_id,
            status=Submission.Status.ACCEPTED,
            period__start__lt=submission.period.start,
        )
        .select_related("period")
        .order_by("-period__start")
        .first()
    )


def submission_changes(submission):
    """What a reviewer checks: the submission's frozen rows against the county's last
    accepted report (everything is new when there is none)."""
    previous = last_accepted(submission)
    return rows_diff(previous.rows if previous else [], submission.rows, compared_with=previous)


@dataclass
class HistoryLine:
    at: object
    who: str
    text: str


_STEP_TEXT = {
    Submission.Status.SUBMITTED: "报送",
    Submission.Status.FORWARDED: "市州审核通过，上报省级",
    Submission.Status.ACCEPTED: "省级确认（已锁定）",
    Submission.Status.RETURNED: "退回",
}


def person_name(user, fallback=""):
    """A person as the pages name them: full name (the account name only if none is set)."""
    if user is None:
        return fallback
    return user.full_name or user.get_full_name() or user.username


def submission_history(submission):
    """The 办理记录 of a submission: when, who (by full name) and what, oldest first. One query."""
    events = (
        AuditEvent.objects.filter(
            target_type="reporting.submission",
            target_id=str(submission.pk),
            action=AuditEvent.Action.TRANSITION,
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    lines = []
    for event in events:
        old, new = (event.changes.get("status") or ["", ""])[:2]
        text = _STEP_TEXT.get(new, new)
        if new == Submission.Status.SUBMITTED and old == Submission.Status.RETURNED:
            text = "重新报送"
        reason = (event.changes.get("reason") or "").strip()
        if reason.startswith("解锁："):
            text, reason = "省级解锁", reason.removeprefix("解锁：")
        if reason:
            text = f"{text}，原因：{reason}"
        lines.append(HistoryLine(at=event.created_at, who=person_name(event.actor, event.actor_username), text=text))
    return lines


def snapshot_submissions(period, user, *, county=None, city=None):
    """The standing submissions of `period` in the user's scope, narrowed to a county or
    市州, by county code, with their submitter: their `rows` are the frozen 附件1 rows. One query."""
    qs = scope_queryset(Submission.objects.filter(period=period), user).filter(status__in=STANDING)
    if county is not None:
        qs = qs.filter(county=county)
    if city is not None:
        qs = qs.filter(county__parent=city)
    return qs.select_related("county", "submitted_by").order_by("county__code")


def live_markets(user, *, county=None, city=None):
    qs = scope_queryset(rows_queryset(Market.objects.all()), user)
    if county is not None:
        qs = qs.filter(county=county)
    if city is not None:
        qs = qs.filter(county__parent=city)
    return qs.order_by("county__code", "name")


def live_market_values(user, *, county=None, city=None):
    """`live_markets` as plain row values (`markets.selectors.market_row_values`): the live 附件1."""
    return market_row_values(live_markets(user, county=county, city=city))


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user, *, unread_only=False):
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def public_markets():
    """Markets published in the open 名录 (notice 九): those in operation."""
    return rows_queryset(Market.objects.filter(status=Market.Status.OPERATING)).order_by("county__code", "name")


def public_market_values():
    """`public_markets` as plain row values (`markets.selectors.market_row_values`): the open 名录."""
    return market_row_values(public_markets())


def registry_rows_as_of(counties, day):
    """The 附件1 rows of the registry as it stood at the end of `day` in `counties`, in the
    order of a live export (county code, market name), from the market history. One query.
    Markets already closed by then are listed with that status, as a live export lists them;
    sorted by the name the market had then (`markets_as_of` orders by today's name)."""
    versions = sorted(
        markets_as_of(day, counties), key=lambda v: (v.county.code, v.snapshot["row"]["name"], v.market_id)
    )
    return [version.snapshot["row"] for version in versions]
