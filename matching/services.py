"""Writes for matching: keyword-only, atomic, validated, audited.

Locking order (always the same, so two clerks never deadlock): the posting row, then the
worker row, then the match row. The posting lock serialises every change that could
change how many of its places are taken; the worker lock serialises confirmations of
one worker, so they cannot be booked into two overlapping jobs.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gigmarket.core.audit import audit_record, audited_update, snapshot
from gigmarket.core.models import AuditEvent, Role
from registry.models import Posting, PreRegistration, Worker, normalise_name
from registry.public import employer_public_name, market_hotline, sms
from registry.recognition import is_recognised
from registry.services import RegisteredElsewhere, need_worker_confirmed, worker_confirmed_match, worker_register
from registry.validators import parse_id_number

from .arrears import require_not_blocked
from .models import (
    APPLICATION_LIVE_STATES,
    HOLDING_STATES,
    LIVE_STATES,
    REASON_REQUIRED,
    STATE_TIMESTAMP,
    Application,
    ApplicationState,
    Match,
    MatchEvent,
    MatchState,
    Placement,
    PlacementEligibilityOverride,
    PlacementFollowUp,
    RightsCase,
    RightsCaseNote,
)

log = logging.getLogger(__name__)

MATCH_AUDIT_FIELDS = ["posting_id", "worker_id", "state", "agreed_pay", "pay_unit", "work_date", "work_date_end"]


def _lock_posting(pk):
    return Posting.objects.select_for_update().get(pk=pk)


def _held(posting, exclude=None):
    qs = Match.objects.filter(posting=posting, state__in=HOLDING_STATES)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.count()


def _times_overlap(a, b):
    """Two matches' hours overlap, or one of them has no hours (a whole day)."""
    if not (a.start_time and a.end_time and b.start_time and b.end_time):
        return True
    return a.start_time < b.end_time and b.start_time < a.end_time


def booked_conflicts(match):
    """The worker's holding matches whose dates and hours overlap `match` (other than itself)."""
    others = (
        Match.objects.filter(
            worker_id=match.worker_id,
            state__in=HOLDING_STATES,
            work_date__lte=match.work_date_end,
            work_date_end__gte=match.work_date,
        )
        .exclude(pk=match.pk)
        .select_related("employer")
    )
    return [other for other in others if _times_overlap(match, other)]


def match_create(*, posting, worker, key, by, agreed_pay=None, note="", confirm=False):
    """Record a worker and a posting brought together on site (洽谈中), optionally confirmed at once.

    `key` is the form's one-time token: submitting the same form twice returns the
    match the first submission made. Returns (match, created).
    """
    with transaction.atomic():
        posting = _lock_posting(posting.pk)
        existing = Match.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing, False
        today = timezone.localdate()
        if posting.status != Posting.Status.OPEN or posting.valid_until < today:
            raise ValidationError("该用工需求已不在招工中，不能再对接。")
        live = Match.objects.filter(posting=posting, worker=worker, state__in=LIVE_STATES).first()
        if live is not None:
            raise ValidationError(f"{worker.name}已在对接此用工需求（{live.get_state_display()}）。")
        match = Match(
            posting=posting,
            worker=worker,
            employer_id=posting.employer_id,
            market_id=posting.market_id,
            agreed_pay=posting.pay if agreed_pay is None else agreed_pay,
            pay_unit=posting.pay_unit,
            work_date=posting.work_date,
            work_date_end=posting.last_work_date,
            start_time=posting.start_time,
            end_time=posting.end_time,
            insured=worker.has_injury_insurance,
            idempotency_key=key,
            note=note,
            created_by=by,
        )
        match.full_clean()
        try:
            with transaction.atomic():
                match.save()
        except IntegrityError:
            existing = Match.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return existing, False
            raise ValidationError(f"{worker.name}已在对接此用工需求。") from None
        MatchEvent.objects.create(match=match, from_state="", to_state=match.state, at=match.created_at, by=by)
        audit_record(
            actor=by, action=AuditEvent.Action.CREATE, target=match, changes=snapshot(match, MATCH_AUDIT_FIELDS)
        )
        if confirm:
            match, _ = _transition(match=match, posting=posting, to=MatchState.CONFIRMED, by=by, reason="")
        return match, True


def match_transition(*, match, to, by, reason=""):
    """Move a match to state `to`. Returns (match, changed); a repeat of the last step changes nothing."""
    with transaction.atomic():
        posting = _lock_posting(match.posting_id)
        return _transition(match=match, posting=posting, to=to, by=by, reason=reason)


def _transition(*, match, posting, to, by, reason):
    to = MatchState(to)
    reason = (reason or "").strip()
    if to == MatchState.CONFIRMED:
        worker = Worker.objects.select_for_update().get(pk=match.worker_id)
    match = Match.objects.select_for_update().get(pk=match.pk)
    current = MatchState(match.state)
    if current == to:
        return match, False
    if to not in match.allowed_targets:
        raise ValidationError(f"“{current.label}”的对接不能变更为“{to.label}”。")
    if to in REASON_REQUIRED and not reason:
        raise ValidationError(f"请填写{to.label}的原因。")
    now = timezone.now()
    today = timezone.localdate(now)
    if to == MatchState.CONFIRMED:
        _check_confirmable(match=match, posting=posting, worker=worker, today=today)
    if to == MatchState.ONBOARD and today < match.work_date:
        raise ValidationError(f"用工日期为{match.work_date:%Y-%m-%d}，尚未到用工日期，不能登记到岗。")

    was_holding = match.is_holding
    match.state = to
    setattr(match, STATE_TIMESTAMP[to], now)
    if reason:
        match.reason = reason[:200]
    match.save(update_fields=["state", STATE_TIMESTAMP[to], "reason"])
    MatchEvent.objects.create(match=match, from_state=current, to_state=to, at=now, by=by, reason=reason[:200])
    audit_record(
        actor=by,
        action=AuditEvent.Action.TRANSITION,
        target=match,
        changes={"state": [current.value, to.value], **({"reason": reason[:200]} if reason else {})},
    )

    if to == MatchState.CONFIRMED:
        worker_confirmed_match(worker_id=match.worker_id, at=now)
        need_worker_confirmed(match=match, worker=worker)
        if posting.status == Posting.Status.OPEN and _held(posting) >= posting.headcount:
            _set_posting_status(posting, Posting.Status.FILLED, by=by, now=now)
            applications_close_for_posting(posting=posting, status=Posting.Status.FILLED, by=by)
        _tell_confirmed(match, posting)
    elif (
        was_holding
        and not match.is_holding
        and posting.status == Posting.Status.FILLED
        and posting.valid_until >= today
        and _held(posting) < posting.headcount
    ):
        _set_posting_status(posting, Posting.Status.OPEN, by=by, now=now)
    return match, True


def _check_confirmable(*, match, posting, worker, today):
    require_not_blocked(match.employer_id, action="确认用工")
    if posting.status not in (Posting.Status.OPEN, Posting.Status.FILLED):
        raise ValidationError(f"该用工需求{posting.get_status_display()}，不能确认用工。")
    if posting.last_work_date < today:
        raise ValidationError("该用工需求的用工日期已过，不能确认用工。")
    held = _held(posting, exclude=match)
    if held >= posting.headcount:
        raise ValidationError(f"该用工需求招用{posting.headcount}人，已确认{held}人，已招满，不能再确认。")
    conflicts = booked_conflicts(match)
    if conflicts:
        other = conflicts[0]
        when = f"{other.work_date:%Y-%m-%d}"
        if other.start_time and other.end_time:
            when += f" {other.start_time:%H:%M}-{other.end_time:%H:%M}"
        raise ValidationError(
            f"{worker.name}已确认在{when}为“{other.employer.name}”上工，与本次用工时间重叠，不能重复确认。"
        )


def _set_posting_status(posting, status, *, by, now):
    """Mark the (locked) posting filled when its places are taken, or open again when one is freed."""
    before = posting.status
    posting.status = status
    posting.closed_at = now if status == Posting.Status.FILLED else None
    Posting.objects.filter(pk=posting.pk).update(status=status, closed_at=posting.closed_at)
    audit_record(
        actor=by,
        action=AuditEvent.Action.TRANSITION,
        target=posting,
        changes={"status": [before, status], "by": "对接确认自动更新"},
    )


def match_update_terms(*, match, agreed_pay, note, by):
    """Correct the agreed pay or note of a match still being negotiated or confirmed."""
    return audited_update(match, data={"agreed_pay": agreed_pay, "note": note}, by=by, check=_terms_editable)


def _terms_editable(match):
    if match.state not in (MatchState.NEGOTIATING, MatchState.CONFIRMED):
        raise ValidationError("只有洽谈中或已确认的对接可以修改约定报酬。")


# Rights cases (八) ------------------------------------------------------------------

CASE_FIELDS = ["kind", "worker", "employer", "match", "summary", "amount_owed", "amount_recovered", "received_on"]


def case_create(*, market, data, by):
    """Receive a case at `market`'s 劳动维权 window."""
    with transaction.atomic():
        case = RightsCase(market=market, created_by=by, state=RightsCase.State.RECEIVED, **data)
        case.full_clean()
        case.save()
        audit_record(actor=by, action=AuditEvent.Action.CREATE, target=case, changes=snapshot(case, CASE_FIELDS))
        return case


def case_update(*, case, data, by):
    return audited_update(case, data=data, by=by, fields=CASE_FIELDS)


def case_transition(*, case, to, by, note=""):
    """受理 → 调解中 → 已解决 / 已移交劳动监察; a dated note records why."""
    with transaction.atomic():
        case = RightsCase.objects.select_for_update().get(pk=case.pk)
        to = RightsCase.State(to)
        current = RightsCase.State(case.state)
        if current == to:
            return case, False
        if to not in case.allowed_targets:
            raise ValidationError(f"“{current.label}”的案件不能变更为“{to.label}”。")
        today = timezone.localdate()
        case.state = to
        case.closed_on = None if to in RightsCase.OPEN_STATES else today
        case.save(update_fields=["state", "closed_on"])
        text = note.strip() or f"状态变更为“{to.label}”。"
        RightsCaseNote.objects.create(case=case, on=today, text=text, by=by)
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=case,
            changes={"state": [current.value, to.value], "note": text[:200]},
        )
        return case, True


def case_add_note(*, case, on, text, by):
    with transaction.atomic():
        note = RightsCaseNote(case=case, on=on, text=text, by=by)
        note.full_clean()
        note.save()
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            target=case,
            changes={"note": [str(on), text[:200]]},
        )
        return note


# 公益性岗位 placements (七) -------------------------------------------------------------

PLACEMENT_FIELDS = ["worker", "post", "unit", "start_date", "end_date", "status", "monthly_pay", "next_follow_up"]


def placement_create(*, worker, county, data, by, override_reason=""):
    """Place a worker in a 公益性岗位: only a recognised 就业困难人员, others by an audited override."""
    with transaction.atomic():
        placement = Placement(worker=worker, county=county, created_by=by, **data)
        placement.full_clean()
        override_reason = (override_reason or "").strip()
        recognised = is_recognised(worker, placement.start_date)
        if not recognised:
            if not override_reason:
                raise ValidationError(
                    f"{worker.name}未认定为就业困难人员（或认定不在上岗日期有效），不能安置到公益性岗位；"
                    "确需安置的，由县级以上人社部门填写特批理由。"
                )
            if by is None or by.role not in (Role.COUNTY, Role.PROVINCE):
                raise ValidationError("未认定为就业困难人员的零工，须由县级以上人社部门特批安置。")
        placement.save()
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=placement,
            changes=snapshot(placement, PLACEMENT_FIELDS),
        )
        if not recognised:
            PlacementEligibilityOverride.objects.create(placement=placement, reason=override_reason[:200], by=by)
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                target=placement,
                changes={"eligibility_override": override_reason[:200]},
            )
        return placement


def placement_update(*, placement, data, by):
    return audited_update(placement, data=data, by=by, fields=PLACEMENT_FIELDS)


def placement_follow_up(*, placement, on, text, next_follow_up, by):
    """Record a follow-up visit and when the next one is due."""
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        follow_up = PlacementFollowUp(placement=placement, on=on, text=text, by=by)
        follow_up.full_clean()
        follow_up.save()
        before = placement.next_follow_up
        placement.next_follow_up = next_follow_up
        placement.save(update_fields=["next_follow_up"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            target=placement,
            changes={
                "follow_up": [str(on), text[:200]],
                "next_follow_up": [str(before) if before else None, str(next_follow_up) if next_follow_up else None],
            },
        )
        return follow_up


# Online applications (我要报名) ------------------------------------------------------------


def posting_remaining(posting):
    """Places still free on `posting` (headcount − confirmed)."""
    return max(0, posting.headcount - _held(posting))


def application_refusal(posting, *, mobile, today=None):
    """The Chinese reason `mobile` cannot apply to `posting` now, or "" (read-only; re-checked under lock)."""
    today = today or timezone.localdate()
    if posting.status == Posting.Status.FILLED:
        return "该岗位已招满，不能再报名。请看看其他岗位。"
    if posting.status != Posting.Status.OPEN or posting.valid_until < today:
        return "该岗位已停止招工，不能再报名。请看看其他岗位。"
    if (
        Application.objects.filter(posting=posting, state__in=APPLICATION_LIVE_STATES)
        .filter(Application.mobile.matches(mobile))
        .exists()
    ):
        return "您已用该手机号报名此岗位，请勿重复报名。可在“我的报名”查看进度。"
    if _held(posting) >= posting.headcount:
        return "该岗位已招满，不能再报名。请看看其他岗位。"
    return ""


def _known_worker(*, name, mobile, id_number):
    """The registered worker this applicant is: by 身份证号 hash, else by phone; the name must match."""
    candidates = []
    if id_number:
        candidates = list(Worker.objects.with_id_number(id_number)[:1])
    if not candidates:
        candidates = list(Worker.objects.with_mobile(mobile)[:5])
    for worker in candidates:
        if normalise_name(worker.name) == normalise_name(name):
            return worker
    return None


def _application_params(application, posting):
    market = posting.market
    return {
        "name": application.name,
        "trade": posting.trade.name,
        "date": f"{posting.work_date:%m月%d日}",
        "market": market.name,
        "hotline": market_hotline(market),
    }


def application_submit(*, posting, name, mobile, id_number="", consent_version):
    """我要报名: a worker applies online to `posting`; the application waits in its market's queue.

    `mobile` is verified by SMS code by the caller; `id_number` a validated value or "".
    Linked to the registered worker by 身份证号 hash or phone (names matching). Raises
    ValidationError (Chinese) when the posting is full or closed or the phone applied already.
    """
    with transaction.atomic():
        posting = Posting.objects.select_for_update().select_related("market__county", "trade").get(pk=posting.pk)
        refusal = application_refusal(posting, mobile=mobile)
        if refusal:
            raise ValidationError(refusal)
        worker = _known_worker(name=name, mobile=mobile, id_number=id_number)
        if worker is not None and Match.objects.filter(posting=posting, worker=worker, state__in=LIVE_STATES).exists():
            raise ValidationError("您已在窗口对接此岗位，无需再报名。")
        now = timezone.now()
        application = Application(
            posting=posting,
            market=posting.market,
            worker=worker,
            name=name,
            mobile=mobile,
            id_number=id_number or "",
            consent_version=consent_version,
            consented_at=now,
            created_at=now,
        )
        application.full_clean(exclude=["posting", "market", "worker"])
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:
            raise ValidationError("您已用该手机号报名此岗位，请勿重复报名。") from None
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            target=application,
            changes={
                "posting": posting.pk,
                "channel": "online",
                "worker": worker.pk if worker else None,
                "consent_version": consent_version,
            },
        )
        sms(
            to=mobile,
            template="application_received",
            params=_application_params(application, posting),
            county=posting.market.county,
            related=application,
        )
        return application


def application_withdraw(*, application):
    """The applicant withdraws (我的报名). Only a new application; returns (application, changed)."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state == ApplicationState.WITHDRAWN:
            return application, False
        if application.state != ApplicationState.NEW:
            raise ValidationError(f"该报名{application.get_state_display()}，不能在线撤回；如需取消请联系市场窗口。")
        application.state = ApplicationState.WITHDRAWN
        application.closed_at = timezone.now()
        application.close_reason = "本人撤回"
        application.save(update_fields=["state", "closed_at", "close_reason"])
        audit_record(
            actor=None,
            action=AuditEvent.Action.TRANSITION,
            target=application,
            changes={"state": [ApplicationState.NEW.value, ApplicationState.WITHDRAWN.value]},
        )
        return application, True


# Why the open applications of a posting close, by the posting's new status.
# The SMS reads "您报名的…岗位已{reason}，本次报名已关闭"; the application keeps "岗位已{reason}".
CLOSE_REASONS = {
    Posting.Status.FILLED: "招满",
    Posting.Status.CLOSED: "停止招工",
    Posting.Status.EXPIRED: "过期",
}
DECLINE_REASON = "安排其他人员"


def applications_close_for_posting(*, posting, status, by=None):
    """The posting filled, closed or expired: close its new applications and tell each applicant by SMS.

    Call inside the transaction that changed the posting (its row locked). Returns how many closed.
    """
    reason = CLOSE_REASONS[Posting.Status(status)]
    now = timezone.now()
    closed = 0
    open_ones = (
        Application.objects.select_for_update(of=("self",))
        .filter(posting_id=posting.pk, state=ApplicationState.NEW)
        .select_related("posting__trade", "posting__market__county")
    )
    for application in open_ones:
        application.state = ApplicationState.CLOSED
        application.closed_at = now
        application.close_reason = f"岗位已{reason}"
        application.save(update_fields=["state", "closed_at", "close_reason"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=application,
            changes={"state": [ApplicationState.NEW.value, ApplicationState.CLOSED.value], "reason": reason},
        )
        sms(
            to=application.mobile,
            template="application_closed",
            params={**_application_params(application, application.posting), "reason": reason},
            county=application.posting.market.county,
            related=application,
        )
        closed += 1
    return closed


def _worker_for_application(application, posting, by):
    """The registered worker of an application: linked, found now, or registered from its 身份证号."""
    worker = application.worker or _known_worker(
        name=application.name, mobile=application.mobile, id_number=application.id_number
    )
    if worker is not None:
        return worker
    if not application.id_number:
        raise ValidationError(
            "报名人尚未登记为零工，报名时未填身份证号：请核验身份证后先办理求职登记"
            "（登记时填写相同手机号即可自动关联本报名）。"
        )
    try:
        registration = worker_register(
            id_number=parse_id_number(application.id_number),
            name=application.name,
            data={
                "mobile": application.mobile,
                "available_from": timezone.localdate(),
                "available_until": None,
                "expected_pay": None,
                "pay_unit": posting.pay_unit,
                "notes": "线上报名转入",
            },
            trades=[posting.trade],
            market=application.market,
            by=by,
        )
    except RegisteredElsewhere:
        raise ValidationError("报名人的身份证号登记在其他县(市、区)，请在登记窗口办理转入后再对接。") from None
    return registration.worker


def application_accept(*, application, by, confirm=False):
    """The clerk turns a new application into a 洽谈 match (optionally confirmed at once).

    Through `match_create` / the state machine: headcount lock, double booking and audit
    as at the counter. Returns the match.
    """
    with transaction.atomic():
        posting = _lock_posting(application.posting_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state != ApplicationState.NEW:
            why = f"（{application.close_reason}）" if application.close_reason else ""
            raise ValidationError(f"该报名{application.get_state_display()}{why}，不能再转为洽谈。")
        worker = _worker_for_application(application, posting, by)
        match, _ = match_create(posting=posting, worker=worker, key=uuid.uuid4(), by=by, confirm=False)
        application.state = ApplicationState.MATCHED
        application.worker = worker
        application.match = match
        application.save(update_fields=["state", "worker", "match"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=application,
            changes={
                "state": [ApplicationState.NEW.value, ApplicationState.MATCHED.value],
                "match": match.pk,
            },
        )
        if confirm:
            match, _ = _transition(match=match, posting=posting, to=MatchState.CONFIRMED, by=by, reason="")
        return match


def _tell_confirmed(match, posting):
    """The worker of an online application hears of the confirmed match (date, time, place, contacts)."""
    application = (
        Application.objects.filter(match=match).select_related("market__county").order_by("-created_at").first()
    )
    if application is None:
        return
    employer = posting.employer
    hours = f"{match.start_time:%H:%M}-{match.end_time:%H:%M}" if match.start_time and match.end_time else "按约定"
    sms(
        to=application.mobile,
        template="match_confirmed",
        params={
            "name": application.name,
            "trade": posting.trade.name,
            "date": f"{match.work_date:%m月%d日}",
            "time": hours,
            "place": posting.place,
            "employer": employer_public_name(employer),
            "contact": employer.phone,
            "market": application.market.name,
            "hotline": market_hotline(application.market),
        },
        county=application.market.county,
        related=application,
    )


# Purge of unconverted online submissions (PIPL: kept no longer than needed) ---------------


def public_submissions_purge(*, days=None, now=None):
    """Delete applications never turned into a match and pre-registrations never completed, older than `days`.

    `days` defaults to settings.PUBLIC_SUBMISSION_RETENTION_DAYS. Idempotent; the counts are
    returned, logged and written to the audit log. Returns {"applications": n, "preregistrations": m}.
    """
    days = settings.PUBLIC_SUBMISSION_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    with transaction.atomic():
        applications, _ = Application.objects.filter(match__isnull=True, created_at__lt=cutoff).delete()
        preregs = PreRegistration.objects.filter(
            created_at__lt=cutoff, state__in=[PreRegistration.State.PENDING, PreRegistration.State.WITHDRAWN]
        )
        preregistrations = preregs.count()
        preregs.delete()
        counts = {"applications": applications, "preregistrations": preregistrations}
        audit_record(
            actor=None,
            action=AuditEvent.Action.DELETE,
            target=None,
            target_repr="未转化的线上报名和扫码预登记",
            changes={**counts, "days": days},
        )
    log.info("public submissions purged (older than %s days): %s", days, counts)
    return counts


def application_decline(*, application, by):
    """The clerk closes a new application without a match (unreachable, not suitable); the applicant is told."""
    with transaction.atomic():
        _lock_posting(application.posting_id)
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("posting__trade", "posting__market__county")
            .get(pk=application.pk)
        )
        if application.state != ApplicationState.NEW:
            raise ValidationError(f"该报名{application.get_state_display()}，不能关闭。")
        reason = DECLINE_REASON
        application.state = ApplicationState.CLOSED
        application.closed_at = timezone.now()
        application.close_reason = f"岗位已{reason}"
        application.save(update_fields=["state", "closed_at", "close_reason"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=application,
            changes={"state": [ApplicationState.NEW.value, ApplicationState.CLOSED.value], "reason": reason},
        )
        sms(
            to=application.mobile,
            template="application_closed",
            params={**_application_params(application, application.posting), "reason": reason},
            county=application.posting.market.county,
            related=application,
        )
        return application
