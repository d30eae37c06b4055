"""Pages for rights cases (八): the list, intake and edit, the case page, its steps and notes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.scoping import require_write
from registry.access import get_rw_worker_for_user

from . import selectors, services
from .access import get_case_for_user, get_rw_case_for_user, get_rw_match_for_user
from .forms import CaseNoteForm, CaseTransitionForm, RightsCaseForm
from .models import RightsCase

PAGE_SIZE = 25


@login_required
def case_list(request):
    qs = selectors.rights_cases_for(request.user)
    state = request.GET.get("state", "open")
    if state == "open":
        qs = qs.filter(state__in=RightsCase.OPEN_STATES)
    elif state in RightsCase.State.values:
        qs = qs.filter(state=state)
    else:
        state = "all"
    kind = request.GET.get("kind", "")
    if kind in RightsCase.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/case_list.html",
        {
            "page": page,
            "state": state,
            "kind": kind,
            "states": RightsCase.State.choices,
            "kinds": RightsCase.Kind.choices,
            "query": urlencode({k: v for k, v in (("state", state), ("kind", kind)) if v}),
        },
    )


@login_required
def case_create(request):
    require_write(request.user)
    source = request.POST if request.method == "POST" else request.GET
    match = worker = employer = None
    if source.get("match"):
        match = get_rw_match_for_user(request.user, source["match"])
        worker, employer = match.worker, match.employer
    elif source.get("worker"):
        worker = get_rw_worker_for_user(request.user, source["worker"])
    form = RightsCaseForm(form_data(request), user=request.user, worker=worker, employer=employer, match=match)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(market=form.chosen_market(), data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已受理{case.get_kind_display()}案件。")
            return redirect("matching:case_detail", pk=case.pk)
    return render(
        request,
        "matching/case_form.html",
        {"form": form, "worker": worker, "match": match},
        status=400 if form.errors else 200,
    )


@login_required
def case_detail(request, pk):
    return _case_page(request, get_case_for_user(request.user, pk))


def _case_page(request, case, *, note_form=None, status=200):
    """The case page; a refused note form is shown again with what was typed (400)."""
    return render(
        request,
        "matching/case_detail.html",
        {
            "case": case,
            "notes": case.notes.select_related("by"),
            "note_form": note_form or CaseNoteForm(),
            "targets": [RightsCase.State(t) for t in case.allowed_targets],
            "can_write": request.user.can_write,
        },
        status=status,
    )


@login_required
def case_edit(request, pk):
    case = get_rw_case_for_user(request.user, pk)
    form = RightsCaseForm(form_data(request), instance=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("matching:case_detail", pk=case.pk)
    return render(
        request,
        "matching/case_form.html",
        {"form": form, "case": case, "worker": case.worker},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def case_transition(request, pk):
    case = get_rw_case_for_user(request.user, pk)
    form = CaseTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "无效的操作，请刷新页面后重试。")
        return _case_page(request, case, status=400)
    try:
        case, changed = services.case_transition(
            case=case, to=form.cleaned_data["to"], by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if changed:
            messages.success(request, f"案件已变更为“{case.get_state_display()}”。")
    return redirect("matching:case_detail", pk=case.pk)


@login_required
@require_POST
def case_note(request, pk):
    case = get_rw_case_for_user(request.user, pk)
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        try:
            services.case_add_note(
                case=case, on=form.cleaned_data["on"], text=form.cleaned_data["text"], by=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已添加记录。")
            return redirect("matching:case_detail", pk=case.pk)
    return _case_page(request, case, note_form=form, status=400)
