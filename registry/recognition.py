"""就业困难人员认定 (notice 七): recording and ending a worker's recognition.

A recognition sets `Worker.employment_difficulty` (the flag the tier rule reads); ending
the worker's last active recognition clears it. Both writes are audited on the worker's
recognition row and on the worker.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gigmarket.core.audit import audit_record, snapshot
from gigmarket.core.models import AuditEvent

from .models import HardshipRecognition, Worker

RECOGNITION_FIELDS = ["worker", "basis", "basis_note", "document_no", "recognised_on", "valid_until"]


def is_recognised(worker, day=None):
    """Whether `worker` holds an active 就业困难人员 recognition on `day` (one query)."""
    return HardshipRecognition.objects.filter(HardshipRecognition.active_q(day), worker=worker).exists()


def _set_flag(worker, value, by):
    if worker.employment_difficulty == value:
        return
    worker.employment_difficulty = value
    worker.save(update_fields=["employment_difficulty"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=worker,
        changes={"employment_difficulty": [not value, value]},
    )


def recognition_record(*, worker, data, by):
    """Record a recognition of `worker` as 就业困难人员 (basis, date, document)."""
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        recognition = HardshipRecognition(worker=worker, created_by=by, **data)
        recognition.full_clean()
        recognition.save()
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=recognition,
            changes=snapshot(recognition, RECOGNITION_FIELDS),
        )
        if recognition.is_active:
            _set_flag(worker, True, by)
        return recognition


def recognition_end(*, recognition, on, reason, by):
    """End a recognition (就业、迁出、复核不符等); the flag goes with the last active one."""
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=recognition.worker_id)
        recognition = HardshipRecognition.objects.select_for_update().get(pk=recognition.pk)
        if recognition.ended_on is not None:
            raise ValidationError("该认定已终止。")
        if on < recognition.recognised_on:
            raise ValidationError("终止日期不能早于认定日期。")
        recognition.ended_on = on
        recognition.end_reason = (reason or "").strip()
        recognition.full_clean()
        recognition.save(update_fields=["ended_on", "end_reason"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=recognition,
            changes={"ended_on": [None, on.isoformat()], "end_reason": recognition.end_reason},
        )
        if not is_recognised(worker, timezone.localdate()):
            _set_flag(worker, False, by)
        return recognition
