"""Wage settlement at 完工 and the 欠薪 case it opens when the wage is not paid (八).

- `wage_settlement_record`: the clerk records the wage due, the amount paid, when and how
  (现金 / 转账 / 社保卡) for a completed match. It can be corrected until the worker confirms.
- `wage_settlement_confirm`: the worker confirms it at the counter (an SMS link will be a
  second channel once the SMS outbox exists). Only a confirmed amount counts as paid.
- `wage_arrears_sweep`: every completed match whose wage is unpaid or short-paid
  `WAGE_PAYMENT_DAYS` days after 完工 gets one 欠薪 case with the amount owed, linked to
  the match. Exactly once: the settlement row (one per match, unique) is locked and
  its `arrears_case` set in the same transaction as the case. Run by beat
  (`matching.tasks.open_wage_cases`) and by `manage.py open_wage_cases`.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from gigmarket.core.audit import audit_record, diff, snapshot
from gigmarket.core.models import AuditEvent

from .models import Match, MatchState, RightsCase, RightsCaseNote, WageSettlement

SETTLEMENT_FIELDS = ["wage_due", "amount_paid", "paid_on", "method", "note"]


def payment_days():
    return settings.WAGE_PAYMENT_DAYS


def default_wage_due(match):
    """The agreed pay for the whole job: per day × days for a day rate, else the agreed amount."""
    if match.pay_unit == "day":
        days = (match.work_date_end - match.work_date).days + 1
        return match.agreed_pay * days
    return match.agreed_pay


def due_date(match):
    """The last day the wage may be paid without a 欠薪 case."""
    completed = timezone.localdate(match.completed_at) if match.completed_at else match.work_date_end
    return completed + datetime.timedelta(days=payment_days())


def _settlement_for(match):
    """The locked settlement of `match`, created (with the agreed wage due) if there is none."""
    try:
        with transaction.atomic():
            WageSettlement.objects.get_or_create(match=match, defaults={"wage_due": default_wage_due(match)})
    except IntegrityError:
        pass  # made by a concurrent call: lock that one below
    return WageSettlement.objects.select_for_update().select_related("match").get(match=match)


def wage_settlement_record(*, match, data, by):
    """Record (or correct, until the worker confirms) the wage of a completed match."""
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.state != MatchState.COMPLETED:
            raise ValidationError("登记完工后才能登记工资结算。")
        settlement = _settlement_for(match)
        if settlement.is_confirmed:
            raise ValidationError("零工已确认工资结算，不能再修改；如有争议请登记欠薪维权案件。")
        before = snapshot(settlement, SETTLEMENT_FIELDS)
        first = settlement.recorded_at is None
        for name in SETTLEMENT_FIELDS:
            if name in data:
                setattr(settlement, name, data[name] if data[name] is not None else "")
        if not settlement.amount_paid:
            settlement.amount_paid = Decimal("0")
            settlement.paid_on = None
            settlement.method = ""
        settlement.recorded_at = timezone.now()
        settlement.recorded_by = by
        settlement.full_clean()
        settlement.save()
        after = snapshot(settlement, SETTLEMENT_FIELDS)
        changes = after if first else diff(before, after)
        if changes:
            audit_record(
                actor=by,
                action=AuditEvent.Action.CREATE if first else AuditEvent.Action.UPDATE,
                target=settlement,
                changes=changes,
            )
        return settlement


def wage_settlement_confirm(*, settlement, by):
    """The worker confirms the recorded wage at the counter. Returns (settlement, changed)."""
    with transaction.atomic():
        settlement = WageSettlement.objects.select_for_update().select_related("match").get(pk=settlement.pk)
        if settlement.recorded_at is None:
            raise ValidationError("请先登记工资结算，再请零工确认。")
        if settlement.is_confirmed:
            return settlement, False
        settlement.worker_confirmed_at = timezone.now()
        settlement.confirmed_via = WageSettlement.Confirmation.COUNTER
        settlement.confirmed_by = by
        settlement.save(update_fields=["worker_confirmed_at", "confirmed_via", "confirmed_by"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=settlement,
            changes={
                "confirmed_via": WageSettlement.Confirmation.COUNTER,
                "amount_paid": str(settlement.amount_paid),
                "owed": str(settlement.owed),
            },
        )
        return settlement, True


def _unsettled_matches(now):
    """Completed matches past the deadline whose wage is not known to be fully paid, without a case."""
    cutoff = now - datetime.timedelta(days=payment_days())
    fully_paid = Q(
        wage_settlement__worker_confirmed_at__isnull=False,
        wage_settlement__amount_paid__gte=F("wage_settlement__wage_due"),
    )
    return (
        Match.objects.filter(state=MatchState.COMPLETED, completed_at__lte=cutoff)
        .exclude(wage_settlement__arrears_case__isnull=False)
        .exclude(fully_paid)
        .order_by("pk")
    )


def wage_arrears_sweep(*, now=None):
    """Open one 欠薪 case for each completed match unpaid or short-paid past the deadline.

    Idempotent: a match whose settlement already has a case is skipped, and the
    settlement row is locked while its case is made. Returns the cases opened.
    """
    now = now or timezone.now()
    opened = []
    for pk in list(_unsettled_matches(now).values_list("pk", flat=True).iterator(chunk_size=500)):
        with transaction.atomic():
            match = Match.objects.select_related("worker", "employer", "market").get(pk=pk)
            settlement = _settlement_for(match)
            owed = settlement.owed
            if settlement.arrears_case_id is not None or owed <= 0:
                continue
            paid = settlement.amount_paid if settlement.is_confirmed else Decimal("0")
            kind = "少付" if paid > 0 else "未支付"
            summary = (
                f"对接记录完工后{payment_days()}日内工资{kind}：应付{settlement.wage_due:.2f}元，"
                f"零工确认实付{paid:.2f}元，欠付{owed:.2f}元（系统按工资结算登记自动立案）。"
            )
            case = RightsCase(
                market=match.market,
                kind=RightsCase.Kind.WAGES,
                worker=match.worker,
                employer=match.employer,
                match=match,
                summary=summary,
                amount_owed=owed,
                received_on=timezone.localdate(now),
                created_at=now,
            )
            case.full_clean()
            case.save()
            RightsCaseNote.objects.create(case=case, on=case.received_on, text="工资逾期未足额支付，系统自动立案。")
            settlement.arrears_case = case
            settlement.save(update_fields=["arrears_case"])
            audit_record(
                actor=None,
                action=AuditEvent.Action.CREATE,
                target=case,
                changes={
                    **snapshot(case, ["kind", "worker", "employer", "match", "amount_owed"]),
                    "by": "工资逾期自动立案",
                },
            )
            opened.append(case)
    return opened


# Reads ------------------------------------------------------------------------------------


def employer_pay_records(employer_ids):
    """{employer_id: {"settled", "avg_days", "max_days", "short", "cases"}} from confirmed settlements.

    Days to pay: from 完工 to the confirmed 支付日期. One query.
    """
    records = {}
    rows = WageSettlement.objects.filter(match__employer_id__in=list(employer_ids)).values_list(
        "match__employer_id",
        "match__completed_at",
        "paid_on",
        "worker_confirmed_at",
        "amount_paid",
        "wage_due",
        "arrears_case_id",
    )
    for employer_id, completed_at, paid_on, confirmed_at, paid, due, case_id in rows:
        record = records.setdefault(employer_id, {"settled": 0, "days": [], "short": 0, "cases": 0})
        if case_id:
            record["cases"] += 1
        if confirmed_at is None:
            continue
        if paid < due:
            record["short"] += 1
        if paid_on and completed_at:
            record["settled"] += 1
            record["days"].append(max((paid_on - timezone.localdate(completed_at)).days, 0))
    for record in records.values():
        days = record.pop("days")
        record["avg_days"] = round(sum(days) / len(days), 1) if days else None
        record["max_days"] = max(days) if days else None
    return records


def settlements_worklist(qs):
    """Completed matches of `qs` with their settlement (one join) for the clerk's worklist."""
    return qs.filter(state=MatchState.COMPLETED).select_related("wage_settlement").order_by("-completed_at", "-id")
