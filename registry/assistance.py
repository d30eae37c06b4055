"""个性化就业援助 (notice 七): plans for workers of the hardship tiers, their steps, notes and close.

A plan belongs to a worker of the 一级 or 二级 tier and is owned by a named staff member
whose scope covers the worker's county (`owner_candidates`). Its steps are service items
with due dates; on the day a step falls due it shows on the owner's dashboard and the
owner gets one reminder e-mail (`assistance_reminders_send`, daily from Celery), again each
day while it stays overdue, never twice for the same step and day (an `AssistanceReminder`
row claimed in the transaction). Closing needs an outcome, and 退出 a reason; a closed
plan takes no more writes. Every write is audited.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.audit import audit_record, snapshot
from gigmarket.core.models import AuditEvent, Role

from .models import AssistanceNote, AssistancePlan, AssistanceReminder, AssistanceStep, Tier, Worker

log = logging.getLogger(__name__)

HARDSHIP_TIERS = (Tier.FIRST, Tier.SECOND)


def owner_candidates(worker):
    """Active staff who may own the worker's plan: writers whose scope covers the worker's county."""
    county = worker.county
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(role=Role.PROVINCE)
            | Q(role=Role.CITY, division_id=county.parent_id)
            | Q(role__in=(Role.COUNTY, Role.CLERK), division_id=county.pk)
        )
        .order_by("role", "full_name", "username")
    )


def _locked_open(plan):
    plan = AssistancePlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_open:
        raise ValidationError("该援助计划已结案，不能再修改。")
    return plan


def plan_open(*, worker, owner, goal, by, today=None):
    """Open a plan for a worker of the hardship tiers, owned by `owner`."""
    today = today or timezone.localdate()
    with transaction.atomic():
        worker = Worker.objects.select_for_update().select_related("county").get(pk=worker.pk)
        if worker.tier(today) not in HARDSHIP_TIERS:
            raise ValidationError("只有一级、二级帮扶对象可以建立个性化就业援助计划。")
        if owner is None or not owner_candidates(worker).filter(pk=owner.pk).exists():
            raise ValidationError({"owner": "责任人须为该零工所在县(市、区)的在岗工作人员。"})
        plan = AssistancePlan(worker=worker, owner=owner, goal=(goal or "").strip(), opened_on=today, opened_by=by)
        plan.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError:
            raise ValidationError("该零工已有进行中的就业援助计划，请在原计划中继续服务。") from None
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=plan,
            changes=snapshot(plan, ["worker", "owner", "goal", "opened_on"]),
        )
        return plan


def plan_reassign(*, plan, owner, by):
    """Hand the plan to another staff member of the worker's county."""
    with transaction.atomic():
        plan = _locked_open(plan)
        worker = Worker.objects.select_related("county").get(pk=plan.worker_id)
        if owner is None or not owner_candidates(worker).filter(pk=owner.pk).exists():
            raise ValidationError({"owner": "责任人须为该零工所在县(市、区)的在岗工作人员。"})
        before = plan.owner_id
        plan.owner = owner
        plan.save(update_fields=["owner"])
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, target=plan, changes={"owner": [before, owner.pk]})
        return plan


def _add_to_open_plan(plan, make, *, check, fields, by):
    """Lock `plan` (open only), build the row with `make(plan)`, run `check(row, plan)`
    (raises ValidationError), validate, save and audit the new row with `fields`."""
    with transaction.atomic():
        plan = _locked_open(plan)
        row = make(plan)
        check(row, plan)
        row.full_clean()
        row.save()
        audit_record(actor=by, action=AuditEvent.Action.CREATE, target=row, changes=snapshot(row, fields))
        return row


def _step_dates(step, plan):
    if step.due_on and step.due_on < plan.opened_on:
        raise ValidationError({"due_on": "计划完成日期不能早于建档日期。"})


def step_add(*, plan, data, by):
    """Add a service item with its due date to an open plan."""
    return _add_to_open_plan(
        plan,
        lambda plan: AssistanceStep(plan=plan, created_by=by, **data),
        check=_step_dates,
        fields=["plan", "service", "detail", "due_on"],
        by=by,
    )


def step_done(*, step, on, note, by):
    """Record that a step was done (on a day not in the future)."""
    with transaction.atomic():
        _locked_open(step.plan)
        step = AssistanceStep.objects.select_for_update().get(pk=step.pk)
        if step.done_on:
            raise ValidationError("该服务项目已完成。")
        if on is None or on > timezone.localdate():
            raise ValidationError({"on": "完成日期不能晚于今天。"})
        if on < step.plan.opened_on:
            raise ValidationError({"on": "完成日期不能早于建档日期。"})
        step.done_on, step.done_note = on, (note or "").strip()
        step.full_clean()
        step.save(update_fields=["done_on", "done_note"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=step,
            changes={"done_on": [None, on.isoformat()], "done_note": step.done_note},
        )
        return step


def _note_date(note, plan):
    if note.on and note.on > timezone.localdate():
        raise ValidationError({"on": "日期不能晚于今天。"})


def note_add(*, plan, data, by):
    """A case note or a follow-up on an open plan."""
    return _add_to_open_plan(
        plan,
        lambda plan: AssistanceNote(plan=plan, by=by, **data),
        check=_note_date,
        fields=["plan", "kind", "on", "text"],
        by=by,
    )


def plan_close(*, plan, outcome, note, on, by):
    """Close with an outcome (退出 needs a reason); the plan is read-only afterwards."""
    with transaction.atomic():
        plan = _locked_open(plan)
        note = (note or "").strip()
        if outcome not in AssistancePlan.Outcome.values:
            raise ValidationError({"outcome": "请选择结案结果。"})
        if outcome == AssistancePlan.Outcome.EXITED and not note:
            raise ValidationError({"note": "退出援助须填写原因。"})
        if on is None or on > timezone.localdate() or on < plan.opened_on:
            raise ValidationError({"on": "结案日期须在建档日期和今天之间。"})
        plan.status = AssistancePlan.Status.CLOSED
        plan.outcome, plan.outcome_note, plan.closed_on, plan.closed_by = outcome, note[:200], on, by
        plan.full_clean(validate_constraints=False)
        plan.save(update_fields=["status", "outcome", "outcome_note", "closed_on", "closed_by"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=plan,
            changes={
                "status": [AssistancePlan.Status.OPEN.value, plan.status],
                "outcome": outcome,
                "outcome_note": plan.outcome_note,
                "closed_on": on.isoformat(),
            },
        )
        return plan


# Reads ------------------------------------------------------------------------------------------


def open_steps_due(day):
    """Steps of open plans not done and due on or before `day`."""
    return AssistanceStep.objects.filter(plan__status=AssistancePlan.Status.OPEN, done_on__isnull=True, due_on__lte=day)


def steps_due_for_owner(user, day):
    """The owner's due and overdue steps on `day`, earliest first, with plan and worker."""
    return open_steps_due(day).filter(plan__owner=user).select_related("plan__worker").order_by("due_on", "id")


# Reminders ----------------------------------------------------------------------------------------


def assistance_reminders_send(*, today=None):
    """E-mail each owner their steps that are due or overdue today: once per step and day.

    Each (step, day) is claimed by inserting an `AssistanceReminder` row; a second run on
    the same day finds every step claimed and sends nothing. Owners without an e-mail
    address still see the steps on their home page. Returns the number of steps reminded.
    """
    today = today or timezone.localdate()
    steps = list(
        open_steps_due(today).select_related("plan__owner", "plan__worker").order_by("plan__owner_id", "due_on")
    )
    claimed = []
    for step in steps:
        try:
            with transaction.atomic():
                AssistanceReminder.objects.create(step=step, day=today)
        except IntegrityError:
            continue
        claimed.append(step)
    by_owner = {}
    for step in claimed:
        by_owner.setdefault(step.plan.owner, []).append(step)
    for owner, items in by_owner.items():
        if owner.email:
            _send_reminder(owner, items, today)
    return len(claimed)


def _send_reminder(owner, steps, today):
    context = {
        "owner": owner,
        "today": today,
        "steps": [
            {
                "worker": step.plan.worker.name,
                "service": step.get_service_display(),
                "detail": step.detail,
                "due_on": step.due_on,
                "overdue_days": (today - step.due_on).days,
                "url": f"{settings.SITE_URL}{reverse('registry:assistance_detail', args=[step.plan_id])}",
            }
            for step in steps
        ],
    }
    try:
        send_mail(
            subject=render_to_string("registry/email/assistance_reminder_subject.txt", context).strip(),
            message=render_to_string("registry/email/assistance_reminder_body.txt", context),
            from_email=None,
            recipient_list=[owner.email],
        )
    except Exception:
        # The steps stay on the owner's home page; the claim keeps the day's reminder to one try.
        log.exception("could not send the assistance reminder to user %s", owner.pk)
