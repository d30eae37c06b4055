"""意外伤害保险 enrolments (notice 八): recorded per period or per match, audited.

Recording an enrolment in force today also sets `Worker.has_injury_insurance` (the flag
the monitoring counts), audited on the worker. The subsidy rule reads the enrolments
themselves (`covering`), never the flag.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gigmarket.core.audit import audit_record, snapshot
from gigmarket.core.models import AuditEvent

from .models import InsuranceEnrolment, Worker

ENROLMENT_FIELDS = ["worker", "insurer", "policy_no", "starts_on", "ends_on", "premium", "for_match"]


def covering(worker, start, end):
    """The worker's enrolments in force on some day between `start` and `end`."""
    return InsuranceEnrolment.objects.filter(InsuranceEnrolment.overlapping_q(start, end), worker=worker)


def covering_year(worker, year):
    return covering(worker, datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def enrolment_record(*, worker, data, by, for_match=False):
    """Record an enrolment of `worker` (insurer, policy number, dates, premium)."""
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        enrolment = InsuranceEnrolment(worker=worker, created_by=by, for_match=for_match, **data)
        enrolment.full_clean(validate_constraints=False)
        if enrolment.ends_on < enrolment.starts_on:
            raise ValidationError({"ends_on": "保险止期不能早于起期。"})
        try:
            with transaction.atomic():
                enrolment.save()
        except IntegrityError:
            raise ValidationError({"policy_no": "该零工已登记过此保单号。"}) from None
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=enrolment,
            changes=snapshot(enrolment, ENROLMENT_FIELDS),
        )
        if enrolment.covers(timezone.localdate()) and not worker.has_injury_insurance:
            worker.has_injury_insurance = True
            worker.save(update_fields=["has_injury_insurance"])
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                target=worker,
                changes={"has_injury_insurance": [False, True]},
            )
        return enrolment
