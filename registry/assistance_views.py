"""Pages of 个性化就业援助: open a plan on a worker, its page (steps, notes, close), the owner's list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.scoping import get_object_in_scope, require_write, scope_queryset

from . import assistance
from .assistance_forms import CloseForm, NoteForm, PlanForm, StepDoneForm, StepForm
from .models import AssistancePlan, AssistanceStep, Worker

PLAN_FORMS = {"step_form": StepForm, "note_form": NoteForm, "close_form": CloseForm}


def _plan(user, pk):
    qs = AssistancePlan.objects.select_related("worker__county", "owner", "opened_by", "closed_by")
    return get_object_in_scope(qs, user, pk=pk)


def _render_plan(request, plan, status=200, **bound):
    today = timezone.localdate()
    steps = list(plan.steps.select_related("created_by"))
    for step in steps:
        step.state = step.state_on(today)
    context = {
        "plan": plan,
        "worker": plan.worker,
        "steps": steps,
        "notes": plan.notes.select_related("by"),
        "can_write": request.user.can_write and plan.is_open,
        "done_form": StepDoneForm(),
        "failed_done_pk": bound.pop("failed_done_pk", None),
        "failed_done_form": bound.pop("failed_done_form", None),
        "form_errors": status == 400,
    }
    for name, form_class in PLAN_FORMS.items():
        context[name] = bound.get(name) or form_class()
    return render(request, "registry/assistance_detail.html", context, status=status)


@login_required
def assistance_list(request):
    """Plans in scope; by default the user's own open plans, with their due steps."""
    today = timezone.localdate()
    qs = scope_queryset(AssistancePlan.objects.select_related("worker", "owner"), request.user)
    show = request.GET.get("show", "mine")
    if show == "mine":
        qs = qs.filter(owner=request.user, status=AssistancePlan.Status.OPEN)
    elif show == "open":
        qs = qs.filter(status=AssistancePlan.Status.OPEN)
    elif show == "closed":
        qs = qs.filter(status=AssistancePlan.Status.CLOSED)
    plans = list(qs[:200])
    due = {}
    for step in assistance.open_steps_due(today).filter(plan__in=[p.pk for p in plans]):
        due.setdefault(step.plan_id, []).append(step)
    for plan in plans:
        plan.due_steps = due.get(plan.pk, [])
    context = {
        "plans": plans,
        "show": show,
        "today": today,
        "my_due": assistance.steps_due_for_owner(request.user, today),
    }
    return render(request, "registry/assistance_list.html", context)


@login_required
@require_POST
def assistance_create(request, pk):
    require_write(request.user)
    worker = get_object_in_scope(Worker.objects.select_related("county"), request.user, pk=pk)
    form = PlanForm(form_data(request), owners=assistance.owner_candidates(worker))
    if form.is_valid():
        try:
            plan = assistance.plan_open(worker=worker, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已为{worker.name}建立个性化就业援助计划。")
            return redirect("registry:assistance_detail", pk=plan.pk)
    return render(request, "registry/assistance_form.html", {"worker": worker, "plan_form": form}, status=400)


@login_required
def assistance_detail(request, pk):
    return _render_plan(request, _plan(request.user, pk))


def _plan_write(request, pk, form_name, action, success):
    require_write(request.user)
    plan = _plan(request.user, pk)
    form = PLAN_FORMS[form_name](form_data(request))
    if form.is_valid():
        try:
            action(plan, form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("registry:assistance_detail", pk=plan.pk)
    return _render_plan(request, plan, status=400, **{form_name: form})


@login_required
@require_POST
def assistance_step_create(request, pk):
    return _plan_write(
        request,
        pk,
        "step_form",
        lambda plan, data: assistance.step_add(plan=plan, data=data, by=request.user),
        "已添加服务项目。",
    )


@login_required
@require_POST
def assistance_note_create(request, pk):
    return _plan_write(
        request,
        pk,
        "note_form",
        lambda plan, data: assistance.note_add(plan=plan, data=data, by=request.user),
        "已记录。",
    )


@login_required
@require_POST
def assistance_close(request, pk):
    return _plan_write(
        request,
        pk,
        "close_form",
        lambda plan, data: assistance.plan_close(plan=plan, by=request.user, **data),
        "援助计划已结案。",
    )


@login_required
@require_POST
def assistance_step_done(request, pk):
    require_write(request.user)
    step = get_object_in_scope(AssistanceStep.objects.select_related("plan"), request.user, pk=pk)
    form = StepDoneForm(form_data(request))
    if form.is_valid():
        try:
            assistance.step_done(step=step, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已记录完成。")
            return redirect("registry:assistance_detail", pk=step.plan_id)
    plan = _plan(request.user, step.plan_id)
    return _render_plan(request, plan, status=400, failed_done_pk=step.pk, failed_done_form=form)
