"""Writes for 名录 reporting: the calendar, the submission workflow, notifications, reminders.

Every function is keyword-only, runs in a transaction, validates and writes its audit
row with the change. Workflow transitions lock the submission row
(`select_for_update`) and re-check its state, so a double click cannot transition twice.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.audit import audit_record, audited_update, diff, snapshot
from gigmarket.core.models import AuditEvent, Division, Role, User
from gigmarket.core.scoping import require_write
from markets.attachment1 import market_row
from markets.models import Market
from markets.rectification import rectification_claim_overdue_notice
from markets.selectors import rectifications_due_overdue_notice

from .calendar import beijing_today, rule_periods
from .models import CityApproval, Notification, ReminderDispatch, ReportingPeriod, ReportingRule, Submission
from .selectors import missing_counties, rows_queryset

log = logging.getLogger(__name__)

RULE_FIELDS = ["name", "cadence", "effective_from", "effective_until", "due_offset_days", "fixed_due_date", "is_active"]
GENERATE_AHEAD_DAYS = 400


class ReportingError(ValidationError):
    """A workflow step that is not allowed now; the message is shown to the user."""


HELD = (CityApproval.Status.APPROVED, CityApproval.Status.ACCEPTED)


def city_level_held(period, city_id):
    """True while the 市州 has approved its level for `period` (see reporting.approval):
    its counties' accepted reports stay locked until the approval is withdrawn."""
    return CityApproval.objects.filter(period=period, city_id=city_id, status__in=HELD).exists()


# ---------------------------------------------------------------- calendar


def periods_generate(*, today=None, ahead_days=GENERATE_AHEAD_DAYS):
    """Create the periods every active rule defines up to `ahead_days` from today.

    Idempotent. A period whose due date has not passed follows its rule's current due
    date; periods already due keep theirs, so history never moves.
    Returns the number of periods created.
    """
    today = today or beijing_today()
    until = today + datetime.timedelta(days=ahead_days)
    created = 0
    with transaction.atomic():
        existing = {(p.start, p.end): p for p in ReportingPeriod.objects.select_for_update()}
        for rule in ReportingRule.objects.filter(is_active=True):
            for spec in rule_periods(rule, until=until):
                period = existing.get((spec.start, spec.end))
                if period is None:
                    period = ReportingPeriod(
                        name=spec.name, start=spec.start, end=spec.end, due_date=spec.due_date, rule=rule
                    )
                    period.full_clean()
                    period.save()
                    existing[(spec.start, spec.end)] = period
                    created += 1
                elif period.due_date >= today and (period.due_date, period.name) != (spec.due_date, spec.name):
                    before = snapshot(period, ["name", "due_date"])
                    period.name, period.due_date, period.rule = spec.name, spec.due_date, rule
                    period.save(update_fields=["name", "due_date", "rule"])
                    audit_record(
                        actor=None,
                        action=AuditEvent.Action.UPDATE,
                        target=period,
                        changes=diff(before, snapshot(period, ["name", "due_date"])),
                    )
    return created


def rule_save(*, rule, data, by):
    """Create or change a reporting rule (省级 only) and regenerate the calendar."""
    require_write(by)
    if not by.is_province_level:
        raise PermissionDenied("只有省级工作人员可以修改报送规则。")
    with transaction.atomic():
        audited_update(rule, data=data, by=by, fields=RULE_FIELDS)
        periods_generate()
    return rule


# ---------------------------------------------------------------- submissions


def county_markets(county):
    return rows_queryset(Market.objects.filter(county=county)).order_by("name")


def freeze_rows(markets):
    """The 附件1 rows of `markets` as plain JSON: [{"market_id": .., "row": {...}}]."""
    return [{"market_id": market.pk, "row": market_row(market)} for market in markets]


def _transition(submission, *, by, old, reason=""):
    changes = {"status": [old, submission.status]}
    if reason:
        changes["reason"] = reason
    audit_record(actor=by, action=AuditEvent.Action.TRANSITION, target=submission, changes=changes)


def submission_submit(*, period, county, by, now=None):
    """County staff report their 名录 for `period`: the rows are frozen now."""
    require_write(by)
    if not (by.is_superuser or (by.role == Role.COUNTY and by.division_id == county.pk)):
        raise PermissionDenied("只有本县(市、区)工作人员可以报送名录。")
    now = now or timezone.now()
    if beijing_today(now) < period.start:
        raise ReportingError("该报送期尚未开始，不能报送。")
    with transaction.atomic():
        Division.objects.select_for_update().get(pk=county.pk)
        submission = Submission.objects.select_for_update().filter(period=period, county=county).first()
        if submission is not None and submission.status != Submission.Status.RETURNED:
            raise ReportingError("本期名录已报送，正在审核或已确认，不能重复报送。")
        rows = freeze_rows(county_markets(county))
        if submission is None:
            submission = Submission(period=period, county=county, first_submitted_at=now, version=1)
            old = ""
        else:
            old = submission.status
            submission.version += 1
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = now
        submission.submitted_by = by
        submission.return_reason = ""
        submission.rows = rows
        submission.market_count = len(rows)
        submission.full_clean()
        submission.save()
        _transition(submission, by=by, old=old)
        _notify_reviewers(
            submission,
            recipients=_city_staff(county.parent_id),
            title=f"{county.name}{period.name}名录待审核",
            body=f"{county.name}已报送{period.name}零工市场名录（第{submission.version}版，"
            f"{submission.market_count}个市场），请审核。",
        )
    return submission


def _locked(submission):
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period", "county__parent")
        .get(pk=submission.pk)
    )


def _require_city_of(by, submission):
    if not (by.is_superuser or (by.role == Role.CITY and by.division_id == submission.county.parent_id)):
        raise PermissionDenied("只有所属市州工作人员可以审核。")


def _require_province(by):
    if not (by.is_superuser or by.role == Role.PROVINCE):
        raise PermissionDenied("只有省级工作人员可以进行此操作。")


RESUBMIT = "请修改后重新报送。"
_END_PUNCTUATION = "。.！!；;，, "


def reason_notice(label, reason):
    """`退回原因：<reason>。请修改后重新报送。` with one full stop, and without a second request
    to resubmit when the reviewer already wrote one (…请补充后重新报送。)."""
    text = reason.strip().rstrip(_END_PUNCTUATION)
    if text.endswith("重新报送"):
        return f"{label}：{text}。"
    return f"{label}：{text}。{RESUBMIT}"


def reason_required(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError("请填写原因。")
    return reason


def submission_forward(*, submission, by):
    """市州 staff pass a county's report on to the province."""
    require_write(by)
    with transaction.atomic():
        submission = _locked(submission)
        _require_city_of(by, submission)
        if submission.status != Submission.Status.SUBMITTED:
            raise ReportingError("该报送当前不是待市州审核状态，无法上报。")
        old = submission.status
        submission.status = Submission.Status.FORWARDED
        submission.reviewed_at, submission.reviewed_by = timezone.now(), by
        submission.save()
        _transition(submission, by=by, old=old)
        county = submission.county
        _notify_reviewers(
            submission,
            recipients=_province_staff(),
            title=f"{county.name}{submission.period.name}名录待省级确认",
            body=f"{county.parent.name}已审核{county.name}{submission.period.name}零工市场名录并上报，请确认。",
        )
    return submission


def submission_return(*, submission, by, reason):
    """市州 (while waiting for them) or 省级 (after forwarding) send a report back to the county."""
    require_write(by)
    reason = reason_required(reason)
    with transaction.atomic():
        submission = _locked(submission)
        if submission.status == Submission.Status.SUBMITTED:
            _require_city_of(by, submission)
        elif submission.status == Submission.Status.FORWARDED:
            _require_province(by)
        else:
            raise ReportingError("该报送当前状态不能退回。")
        old = submission.status
        submission.status = Submission.Status.RETURNED
        submission.return_reason = reason
        submission.reviewed_at, submission.reviewed_by = timezone.now(), by
        submission.save()
        _transition(submission, by=by, old=old, reason=reason)
        _notify_county(
            submission,
            kind=Notification.Kind.REVIEW,
            title=f"{submission.period.name}名录报送被退回",
            body=reason_notice("退回原因", reason),
        )
    return submission


def submission_accept(*, submission, by):
    """省级 staff accept a forwarded report; it is locked from then on."""
    require_write(by)
    _require_province(by)
    with transaction.atomic():
        submission = _locked(submission)
        if submission.status != Submission.Status.FORWARDED:
            raise ReportingError("该报送尚未经市州审核上报，不能确认。")
        old = submission.status
        submission.status = Submission.Status.ACCEPTED
        submission.reviewed_at, submission.reviewed_by = timezone.now(), by
        submission.save()
        _transition(submission, by=by, old=old)
    return submission


def submission_unlock(*, submission, by, reason):
    """省级 staff reopen an accepted report so the county can correct and resubmit it."""
    require_write(by)
    _require_province(by)
    reason = reason_required(reason)
    with transaction.atomic():
        submission = _locked(submission)
        if submission.status != Submission.Status.ACCEPTED:
            raise ReportingError("只有已确认（已锁定）的报送可以解锁。")
        if city_level_held(submission.period, submission.county.parent_id):
            raise ReportingError("所属市州已审批本期名录，请先取消市州审批再解锁。")
        old = submission.status
        submission.status = Submission.Status.RETURNED
        submission.unlock_reason = reason
        submission.return_reason = f"省级解锁：{reason}"
        submission.reviewed_at, submission.reviewed_by = timezone.now(), by
        submission.save()
        _transition(submission, by=by, old=old, reason=f"解锁：{reason}")
        _notify_county(
            submission,
            kind=Notification.Kind.REVIEW,
            title=f"{submission.period.name}名录已被省级解锁",
            body=reason_notice("解锁原因", reason),
        )
    return submission


# ---------------------------------------------------------------- notifications


def _county_staff(county_ids):
    return User.objects.filter(is_active=True, role=Role.COUNTY, division_id__in=county_ids)


def _city_staff(city_id):
    return list(User.objects.filter(is_active=True, role=Role.CITY, division_id=city_id).order_by("pk"))


def _province_staff():
    return list(User.objects.filter(is_active=True, role=Role.PROVINCE).order_by("pk"))


def _notify_reviewers(submission, *, recipients, title, body):
    """Tell the next level a submission waits for them (in-app, and e-mail through the outbox).

    Called inside the transition's transaction, after its state check: one transition,
    one notification per reviewer."""
    link = reverse("reporting:submission_detail", args=[submission.pk])
    notify(recipients=recipients, kind=Notification.Kind.TO_REVIEW, title=title, body=body, link=link)


def _notify_county(submission, *, kind, title, body):
    link = reverse("reporting:submission_detail", args=[submission.pk])
    notify(recipients=list(_county_staff([submission.county_id])), kind=kind, title=title, body=body, link=link)


def notify(*, recipients, kind, title, body, link=""):
    """Create in-app notifications; e-mail goes out after commit (and by the outbox sweep)."""
    items = [
        Notification(
            recipient=user,
            kind=kind,
            title=title,
            body=body,
            link=link,
            email_status=Notification.EmailStatus.PENDING if user.email else Notification.EmailStatus.NONE,
        )
        for user in recipients
    ]
    created = Notification.objects.bulk_create(items)
    pending = [n.pk for n in created if n.email_status == Notification.EmailStatus.PENDING]
    if pending:
        transaction.on_commit(lambda: _enqueue_emails(pending))
    return created


def _enqueue_emails(ids):
    from .tasks import send_notification_emails  # noqa: PLC0415 - cycle: tasks.py imports these services

    try:
        send_notification_emails.delay(ids)
    except Exception:
        # The outbox sweep (send_pending_emails on the beat schedule) will send them.
        log.exception("could not enqueue notification e-mails; the outbox sweep will retry")


def notification_emails_send(*, ids=None):
    """Send pending notification e-mails. Each one is claimed by a conditional update first,
    so two workers never send the same e-mail. Returns the number sent."""
    qs = Notification.objects.filter(email_status=Notification.EmailStatus.PENDING)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    sent = 0
    for note in qs.select_related("recipient").order_by("pk")[:500]:
        claimed = Notification.objects.filter(pk=note.pk, email_status=Notification.EmailStatus.PENDING).update(
            email_status=Notification.EmailStatus.SENT, email_sent_at=timezone.now()
        )
        if not claimed:
            continue
        url = f"{settings.SITE_URL}{note.link}" if note.link else settings.SITE_URL
        context = {"note": note, "url": url}
        message = EmailMultiAlternatives(
            subject=render_to_string("reporting/email/notification_subject.txt", context).strip(),
            body=render_to_string("reporting/email/notification_body.txt", context),
            to=[note.recipient.email],
        )
        message.attach_alternative(render_to_string("reporting/email/notification_body.html", context), "text/html")
        message.send()
        sent += 1
    return sent


def notifications_mark_read(*, user, ids=None):
    """Mark the user's notifications (all, or the given ones) as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# ---------------------------------------------------------------- reminders


def reminder_kind_for(days_left, offsets):
    """The reminder due when `days_left` days remain: the smallest configured offset ≥ days_left."""
    candidates = [o for o in offsets if o >= days_left]
    return f"due_{min(candidates)}" if candidates else None


OVERDUE_CATCH_UP_DAYS = 3


def _claim_and_notify(*, period, county, kind, recipients, title, body, link):
    """Claim (period, county, kind) and create its notifications in one transaction.

    Returns True if this call sent it, False if it had already been sent."""
    try:
        with transaction.atomic():
            dispatch = ReminderDispatch.objects.create(period=period, county=county, kind=kind)
            created = notify(recipients=recipients, kind=_notification_kind(kind), title=title, body=body, link=link)
            dispatch.notification_count = len(created)
            dispatch.save(update_fields=["notification_count"])
    except IntegrityError:
        return False
    return True


def _notification_kind(kind):
    if kind == "overdue":
        return Notification.Kind.OVERDUE
    if kind == "summary":
        return Notification.Kind.SUMMARY
    return Notification.Kind.REMINDER


def reminders_send(*, now=None):
    """Send due-date reminders, overdue notices, the province summary and overdue 整改 notices
    that are due now.

    Safe to run any number of times: each (period, county, kind) is claimed once, each overdue
    整改 record once (per deadline). Returns {kind: number of counties, summaries or 整改
    records notified by this call}.
    """
    now = now or timezone.now()
    today = beijing_today(now)
    offsets = sorted(set(settings.REPORTING_REMINDER_DAYS))
    sent = {}

    horizon = today + datetime.timedelta(days=max(offsets))
    upcoming = ReportingPeriod.objects.filter(due_date__gte=today, due_date__lte=horizon)
    for period in upcoming:
        days_left = (period.due_date - today).days
        kind = reminder_kind_for(days_left, offsets)
        missing = missing_counties(period)
        staff = _staff_by_division([c.pk for c in missing])
        link = reverse("reporting:period_detail", args=[period.pk])
        for county in missing:
            when = "今天" if days_left == 0 else f"{days_left}天后"
            if _claim_and_notify(
                period=period,
                county=county,
                kind=kind,
                recipients=staff.get(county.pk, []),
                title=f"请按时报送{period.name}零工市场名录",
                body=f"{county.name}尚未报送{period.name}零工市场名录，截止日期为{period.due_date:%Y年%m月%d日}（{when}）。",
                link=link,
            ):
                sent[kind] = sent.get(kind, 0) + 1

    overdue = ReportingPeriod.objects.filter(
        due_date__lt=today, due_date__gte=today - datetime.timedelta(days=OVERDUE_CATCH_UP_DAYS)
    )
    province = Division.objects.get(level=Division.Level.PROVINCE)
    for period in overdue:
        missing = missing_counties(period)
        staff = _staff_by_division([c.pk for c in missing] + list({c.parent_id for c in missing}))
        link = reverse("reporting:period_detail", args=[period.pk])
        for county in missing:
            recipients = staff.get(county.pk, []) + staff.get(county.parent_id, [])
            if _claim_and_notify(
                period=period,
                county=county,
                kind="overdue",
                recipients=recipients,
                title=f"{county.name}{period.name}零工市场名录已逾期未报送",
                body=f"{period.name}零工市场名录报送截止日期为{period.due_date:%Y年%m月%d日}，"
                f"{county.parent.name}{county.name}至今未报送，请尽快报送。",
                link=link,
            ):
                sent["overdue"] = sent.get("overdue", 0) + 1
        names = "、".join(f"{c.parent.short_name}{c.short_name}" for c in missing) or "无"
        if _claim_and_notify(
            period=period,
            county=province,
            kind="summary",
            recipients=list(User.objects.filter(is_active=True, role=Role.PROVINCE)),
            title=f"{period.name}零工市场名录未报送汇总（{len(missing)}个县区）",
            body=f"截至{period.due_date:%Y年%m月%d日}，未报送的县(市、区)共{len(missing)}个：{names}。",
            link=link,
        ):
            sent["summary"] = sent.get("summary", 0) + 1

    notified = rectification_overdue_notices_send(now=now)
    if notified:
        sent["rectification_overdue"] = notified
    return sent


def rectification_overdue_notices_send(*, now=None):
    """Tell the county's and the 市州's staff once about each open 整改 past its deadline.

    Each record is claimed by a conditional UPDATE (`overdue_notified_at`, set once) in the
    transaction that creates its notifications; a second run, or a concurrent worker, finds
    it claimed and sends nothing. Returns the number of records notified by this call."""
    now = now or timezone.now()
    today = beijing_today(now)
    records = list(rectifications_due_overdue_notice(today))
    divisions = {r.market.county_id for r in records} | {r.market.county.parent_id for r in records}
    staff = _staff_by_division(divisions)
    notified = 0
    for record in records:
        market, county = record.market, record.market.county
        days = (today - record.deadline).days
        with transaction.atomic():
            if not rectification_claim_overdue_notice(rectification=record, now=now):
                continue
            notify(
                recipients=staff.get(county.pk, []) + staff.get(county.parent_id, []),
                kind=Notification.Kind.RECTIFICATION,
                title=f"{market.name}“{record.get_item_display()}”整改已逾期",
                body=f"{market.name}“{record.get_item_display()}”整改期限为{record.deadline:%Y年%m月%d日}，"
                f"已逾期{days}天，尚未整改到位（责任人：{record.responsible_person}）。请督促整改并上传整改照片。",
                link=record.get_absolute_url(),
            )
        notified += 1
    return notified


def _staff_by_division(division_ids):
    """Active county and 市州 staff of the given divisions, grouped by division, in one query."""
    grouped = {}
    users = User.objects.filter(is_active=True, role__in=[Role.COUNTY, Role.CITY], division_id__in=division_ids)
    for user in users.order_by("pk"):
        grouped.setdefault(user.division_id, []).append(user)
    return grouped
