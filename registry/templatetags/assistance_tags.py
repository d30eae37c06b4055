"""Template helpers of employment assistance: a worker's 就业困难人员 recognition."""

from django import template
from django.utils import timezone

from ..assistance import HARDSHIP_TIERS, owner_candidates
from ..assistance_forms import PlanForm
from ..insurance_forms import EnrolmentForm
from ..recognition_forms import RecognitionEndForm, RecognitionForm

register = template.Library()


def _recognitions(worker):
    return list(worker.hardship_recognitions.select_related("created_by"))


@register.inclusion_tag("registry/_recognition_status.html")
def recognition_status(worker):
    """Whether the worker is recognised as 就业困难人员 today, and on what basis (one query)."""
    if worker is None:
        return {"active": None}
    active = next((r for r in _recognitions(worker) if r.is_active), None)
    return {"active": active, "worker": worker}


@register.inclusion_tag("registry/_recognition_panel.html", takes_context=True)
def recognition_panel(context, worker):
    """The worker page's 就业困难人员认定 section: history and, for writers, the form."""
    user = context["request"].user
    return {
        "worker": worker,
        "recognitions": _recognitions(worker),
        "form": context.get("recognition_form") or RecognitionForm(),
        "end_form": RecognitionEndForm(),
        # A refused 终止认定 comes back on its own recognition, open, with what was typed.
        "failed_end_form": context.get("recognition_end_form"),
        "failed_end_pk": context.get("recognition_end_pk"),
        "can_write": user.can_write,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("registry/_assistance_panel.html", takes_context=True)
def assistance_panel(context, worker):
    """The worker page's 个性化就业援助 section: the plans (open and closed) and, for writers, a new one."""
    user = context["request"].user
    plans = list(worker.assistance_plans.select_related("owner"))
    can_open = user.can_write and worker.priority_tier in HARDSHIP_TIERS and not any(plan.is_open for plan in plans)
    form = context.get("plan_form")
    if form is None and can_open:
        form = PlanForm(owners=owner_candidates(worker), initial={"owner": user.pk})
    return {
        "worker": worker,
        "plans": plans,
        "form": form,
        "can_open": can_open or form is not None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("registry/_insurance_panel.html", takes_context=True)
def insurance_panel(context, worker):
    """The worker page's 意外伤害保险 section: the enrolments and, for writers, a new one."""
    today = timezone.localdate()
    enrolments = list(worker.insurance_enrolments.all())
    for enrolment in enrolments:
        enrolment.in_force = enrolment.covers(today)
    return {
        "worker": worker,
        "enrolments": enrolments,
        "form": context.get("insurance_form") or EnrolmentForm(),
        "can_write": context["request"].user.can_write,
        "csrf_token": context.get("csrf_token"),
    }
