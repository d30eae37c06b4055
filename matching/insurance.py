"""Accident insurance for one match (按单次用工投保): an enrolment covering the match's work dates.

The enrolment itself is a registry row (`registry.insurance.enrolment_record`, for_match);
the match points at it. An enrolment of the worker for a period that already covers the
work dates is shown on the match page instead (`covering_enrolments`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from gigmarket.core.audit import audit_record
from gigmarket.core.models import AuditEvent
from registry.insurance import covering, enrolment_record

from .models import Match, MatchState


def covering_enrolments(match):
    """The worker's enrolments in force on some day of the match's work dates."""
    return covering(match.worker_id, match.work_date, match.work_date_end)


def match_insurance_record(*, match, data, by):
    """Record the accident insurance bought for this match and link it to the match."""
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.state in (MatchState.CANCELLED, MatchState.NO_SHOW):
            raise ValidationError("已取消或未到岗的对接不再登记保险。")
        if match.insurance_id:
            raise ValidationError("本次用工已登记意外伤害保险。")
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and (starts_on > match.work_date or ends_on < match.work_date_end):
            raise ValidationError(
                {"starts_on": f"保险期间须覆盖用工日期（{match.work_date:%Y-%m-%d}至{match.work_date_end:%Y-%m-%d}）。"}
            )
        enrolment = enrolment_record(worker=match.worker, data=data, by=by, for_match=True)
        match.insurance = enrolment
        match.save(update_fields=["insurance"])
        audit_record(
            actor=by, action=AuditEvent.Action.UPDATE, target=match, changes={"insurance": [None, enrolment.pk]}
        )
        return match
