"""Pages for 公益性岗位 placements (七): the list, placing and editing, the placement page and its follow-ups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.scoping import require_write
from registry.access import get_rw_worker_for_user

from . import selectors, services
from .access import get_placement_for_user, get_rw_placement_for_user
from .forms import FollowUpForm, PlacementForm
from .models import Placement

PAGE_SIZE = 25


@login_required
def placement_list(request):
    qs = selectors.placements_for(request.user)
    status = request.GET.get("status", "active")
    if status in Placement.Status.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    if request.GET.get("due"):
        qs = qs.filter(status=Placement.Status.ACTIVE, next_follow_up__lte=timezone.localdate())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/placement_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Placement.Status.choices,
            "due": bool(request.GET.get("due")),
            "query": urlencode({"status": status}),
        },
    )


@login_required
def placement_create(request):
    require_write(request.user)
    source = request.POST if request.method == "POST" else request.GET
    worker = get_rw_worker_for_user(request.user, source["worker"]) if source.get("worker") else None
    form = PlacementForm(form_data(request), user=request.user, worker=worker)
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen_worker()
        try:
            placement = services.placement_create(
                worker=chosen,
                county=chosen.county,
                data=form.service_data(),
                by=request.user,
                override_reason=form.cleaned_data.get("eligibility_override", ""),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已登记{chosen.name}的公益性岗位安置。")
            return redirect("matching:placement_detail", pk=placement.pk)
    return render(
        request, "matching/placement_form.html", {"form": form, "worker": worker}, status=400 if form.errors else 200
    )


@login_required
def placement_detail(request, pk):
    return _placement_page(request, get_placement_for_user(request.user, pk))


def _placement_page(request, placement, *, form=None, status=200):
    """The placement page; a refused follow-up is shown again with what was typed (400)."""
    return render(
        request,
        "matching/placement_detail.html",
        {
            "placement": placement,
            "follow_ups": placement.follow_ups.select_related("by"),
            "form": form or FollowUpForm(),
            "can_write": request.user.can_write,
        },
        status=status,
    )


@login_required
def placement_edit(request, pk):
    placement = get_rw_placement_for_user(request.user, pk)
    form = PlacementForm(form_data(request), instance=placement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_update(placement=placement, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("matching:placement_detail", pk=placement.pk)
    return render(
        request,
        "matching/placement_form.html",
        {"form": form, "placement": placement, "worker": placement.worker},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def placement_follow_up(request, pk):
    placement = get_rw_placement_for_user(request.user, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.placement_follow_up(placement=placement, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已记录跟踪回访。")
            return redirect("matching:placement_detail", pk=placement.pk)
    return _placement_page(request, placement, form=form, status=400)
