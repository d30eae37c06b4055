"""Writes for matching: keyword-only, atomic, validated, audited.

Locking order (always the same, so two clerks never deadlock): the posting row, then the
worker row, then the match row. The posting lock serialises every change that could
change how many of its places are taken; the worker lock serialises confirmations of
one worker, so they cannot be booked into two overlapping jobs.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gigmarket.core.audit import audit_record, diff, snapshot
from gigmarket.core.models import AuditEvent
from registry.models import Posting, Worker
from registry.services import need_worker_confirmed, worker_confirmed_match

from .models import (
    HOLDING_STATES,
    LIVE_STATES,
    REASON_REQUIRED,
    STATE_TIMESTAMP,
    Match,
    MatchEvent,
    MatchState,
    Placement,
    PlacementFollowUp,
    RightsCase,
    RightsCaseNote,
)

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
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.state not in (MatchState.NEGOTIATING, MatchState.CONFIRMED):
            raise ValidationError("只有洽谈中或已确认的对接可以修改约定报酬。")
        before = snapshot(match, ["agreed_pay", "note"])
        match.agreed_pay = agreed_pay
        match.note = note
        match.full_clean()
        match.save(update_fields=["agreed_pay", "note"])
        changes = diff(before, snapshot(match, ["agreed_pay", "note"]))
        if changes:
            audit_record(actor=by, action=AuditEvent.Action.UPDATE, target=match, changes=changes)
        return match


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
    with transaction.atomic():
        case = RightsCase.objects.select_for_update().get(pk=case.pk)
        before = snapshot(case, CASE_FIELDS)
        for field, value in data.items():
            setattr(case, field, value)
        case.full_clean()
        case.save()
        changes = diff(before, snapshot(case, CASE_FIELDS))
        if changes:
            audit_record(actor=by, action=AuditEvent.Action.UPDATE, target=case, changes=changes)
        return case


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


def placement_create(*, worker, county, data, by):
    with transaction.atomic():
        placement = Placement(worker=worker, county=county, created_by=by, **data)
        placement.full_clean()
        placement.save()
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=placement,
            changes=snapshot(placement, PLACEMENT_FIELDS),
        )
        return placement


def placement_update(*, placement, data, by):
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        before = snapshot(placement, PLACEMENT_FIELDS)
        for field, value in data.items():
            setattr(placement, field, value)
        placement.full_clean()
        placement.save()
        changes = diff(before, snapshot(placement, PLACEMENT_FIELDS))
        if changes:
            audit_record(actor=by, action=AuditEvent.Action.UPDATE, target=placement, changes=changes)
        return placement


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
