"""Pages for 即时快招: the clerk's board, candidates, matches, agreements, numbers, rights cases, placements."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from gigmarket.models import Role
from gigmarket.pagination import CappedPaginator
from gigmarket.scoping import get_object_in_scope, require_write, scope_queryset
from markets.models import Market
from registry.models import Posting, Worker

from . import selectors, services
from .forms import (
    CaseNoteForm,
    CaseTransitionForm,
    FollowUpForm,
    MatchCreateForm,
    PlacementForm,
    RightsCaseForm,
    TermsForm,
    TransitionForm,
)
from .models import HOLDING_STATES, Match, MatchState, Placement, RightsCase

PAGE_SIZE = 25


# Access helpers ----------------------------------------------------------------------


def get_posting_for_user(user, pk):
    return get_object_in_scope(
        Posting.objects.select_related("employer", "market", "market__county", "trade"), user, pk=pk
    )


def get_worker_for_user(user, pk):
    return get_object_in_scope(Worker.objects.select_related("registered_market", "county"), user, pk=pk)


def get_match_for_user(user, pk):
    return selectors.match_detail(user, pk)


def get_case_for_user(user, pk):
    return get_object_in_scope(
        RightsCase.objects.select_related("worker", "employer", "market", "match", "match__posting__trade"),
        user,
        pk=pk,
    )


def get_placement_for_user(user, pk):
    return get_object_in_scope(
        Placement.objects.select_related("worker", "county", "eligibility_override__by"), user, pk=pk
    )


def _safe_next(request, fallback):
    """A local path from the form's `next`, else `fallback` (a path)."""
    target = request.POST.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return fallback


def _errors(exc):
    return "；".join(exc.messages)


def _parse_day(value):
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


# The clerk's board -------------------------------------------------------------------


@login_required
def board(request):
    """Today's board for one market: open postings, matches by state, one-click steps."""
    user = request.user
    market_pk = request.GET.get("market") or (user.market_id if user.role == Role.CLERK else None)
    if not market_pk:
        markets = scope_queryset(Market.objects.select_related("county"), user).filter(status=Market.Status.OPERATING)
        page = Paginator(markets.order_by("county__code", "name"), 50).get_page(request.GET.get("page"))
        return render(request, "matching/board_pick.html", {"page": page})
    market = get_object_in_scope(Market.objects.select_related("county"), user, pk=market_pk)
    today = timezone.localdate()
    data = selectors.board(market, today)
    return render(
        request,
        "matching/board.html",
        {
            "market": market,
            "today": today,
            "postings": data["postings"],
            "by_state": [(MatchState(s), rows) for s, rows in data["by_state"].items()],
            "can_write": user.can_write,
        },
    )


@login_required
def posting_candidates(request, pk):
    posting = get_posting_for_user(request.user, pk)
    candidates = selectors.candidates_for_posting(posting, request.user)
    held = Match.objects.filter(posting=posting, state__in=HOLDING_STATES).count()
    return render(
        request,
        "matching/candidates.html",
        {
            "posting": posting,
            "candidates": candidates,
            "held": held,
            "can_write": request.user.can_write,
            "limit": selectors.CANDIDATE_LIMIT,
        },
    )


@login_required
def worker_postings(request, pk):
    worker = get_worker_for_user(request.user, pk)
    postings = selectors.postings_for_worker(worker, request.user)
    return render(
        request,
        "matching/worker_postings.html",
        {"worker": worker, "postings": postings, "can_write": request.user.can_write},
    )


# Matches -------------------------------------------------------------------------------


@login_required
@require_POST
def match_create(request):
    require_write(request.user)
    form = MatchCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的对接信息不完整，请刷新页面后重试。")
        return redirect(_safe_next(request, reverse("matching:board")))
    data = form.cleaned_data
    posting = get_posting_for_user(request.user, data["posting"])
    worker = get_worker_for_user(request.user, data["worker"])
    try:
        match, created = services.match_create(
            posting=posting, worker=worker, key=data["token"], by=request.user, confirm=data["confirm"]
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(_safe_next(request, reverse("matching:board")))
    if not created:
        messages.info(request, "该对接已提交过，未重复登记。")
    elif match.state == MatchState.CONFIRMED:
        messages.success(request, f"已确认：{worker.name} → {posting.employer.name}（{posting.trade.name}）。")
    else:
        messages.success(request, f"已登记对接洽谈：{worker.name} → {posting.employer.name}。")
    return redirect("matching:match_detail", pk=match.pk)


@login_required
def match_list(request):
    qs = selectors.matches_for(request.user)
    state = request.GET.get("state", "")
    if state in MatchState.values:
        qs = qs.filter(state=state)
    day = request.GET.get("day", "")
    if day:
        try:
            on = datetime.date.fromisoformat(day)
        except ValueError:
            messages.error(request, "日期格式应为 年-月-日。")
            day = ""
        else:
            qs = selectors.on_day(qs, on)
    qs = selectors.annotate_wage_flag(qs)
    # Province-wide this list has millions of rows: count at most 10,000 of them.
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/match_list.html",
        {
            "page": page,
            "state": state,
            "day": day,
            "states": MatchState.choices,
            "query": urlencode({k: v for k, v in (("state", state), ("day", day)) if v}),
        },
    )


def match_detail_context(request, match):
    from .wage_views import wage_panel_context

    return {
        "match": match,
        "events": match.events.select_related("by"),
        "terms_form": TermsForm(initial={"agreed_pay": match.agreed_pay, "note": match.note}),
        "cases": match.rights_cases.all(),
        "can_write": request.user.can_write,
        **wage_panel_context(match),
    }


@login_required
def match_detail(request, pk):
    match = get_match_for_user(request.user, pk)
    return render(request, "matching/match_detail.html", match_detail_context(request, match))


@login_required
@require_POST
def match_transition(request, pk):
    require_write(request.user)
    match = get_match_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    target = _safe_next(request, reverse("matching:match_detail", args=[match.pk]))
    if not form.is_valid():
        messages.error(request, "无效的操作，请刷新页面后重试。")
        return redirect(target)
    to = MatchState(form.cleaned_data["to"])
    try:
        match, changed = services.match_transition(
            match=match, to=to, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if changed:
            messages.success(request, f"{match.worker.name}：已变更为“{to.label}”。")
        else:
            messages.info(request, f"该对接已是“{to.label}”，未重复操作。")
    return redirect(target)


@login_required
@require_POST
def match_terms(request, pk):
    require_write(request.user)
    match = get_match_for_user(request.user, pk)
    form = TermsForm(request.POST)
    if form.is_valid():
        try:
            services.match_update_terms(
                match=match,
                agreed_pay=form.cleaned_data["agreed_pay"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, "已更新约定报酬。")
            return redirect("matching:match_detail", pk=match.pk)
    else:
        messages.error(request, "约定报酬应为不小于0的金额。")
    return redirect("matching:match_detail", pk=match.pk)


@login_required
def match_agreement(request, pk):
    """用工协议 guidance: a one-page agreement both sides sign on the spot."""
    match = get_match_for_user(request.user, pk)
    if match.state not in (MatchState.CONFIRMED, MatchState.ONBOARD, MatchState.COMPLETED):
        messages.error(request, "确认用工后才能打印用工协议。")
        return redirect("matching:match_detail", pk=match.pk)
    return render(request, "matching/agreement.html", {"match": match, "today": timezone.localdate()})


# Numbers across scope ---------------------------------------------------------------------


@login_required
def overview(request):
    day = _parse_day(request.GET.get("day"))
    group = request.GET.get("group") or ("market" if request.user.role in (Role.CLERK, Role.COUNTY) else "county")
    if group not in selectors.GROUPS:
        group = "county"
    rows, total = selectors.day_numbers(request.user, day, group)
    return render(
        request,
        "matching/overview.html",
        {
            "day": day,
            "group": group,
            "rows": rows,
            "total": total,
            "insurance": selectors.insurance_numbers(request.user, day),
            "cases": selectors.case_numbers(request.user),
            "due_follow_ups": selectors.placements_for(request.user)
            .filter(status=Placement.Status.ACTIVE, next_follow_up__lte=timezone.localdate())
            .count(),
        },
    )


# Rights cases (八) -------------------------------------------------------------------------


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
        match = get_match_for_user(request.user, source["match"])
        worker, employer = match.worker, match.employer
    elif source.get("worker"):
        worker = get_worker_for_user(request.user, source["worker"])
    form = RightsCaseForm(request.POST or None, user=request.user, worker=worker, employer=employer, match=match)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(market=form.chosen_market(), data=form.service_data(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
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
    case = get_case_for_user(request.user, pk)
    return render(
        request,
        "matching/case_detail.html",
        {
            "case": case,
            "notes": case.notes.select_related("by"),
            "note_form": CaseNoteForm(),
            "targets": [RightsCase.State(t) for t in case.allowed_targets],
            "can_write": request.user.can_write,
        },
    )


@login_required
def case_edit(request, pk):
    require_write(request.user)
    case = get_case_for_user(request.user, pk)
    form = RightsCaseForm(request.POST or None, instance=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
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
    require_write(request.user)
    case = get_case_for_user(request.user, pk)
    form = CaseTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "无效的操作，请刷新页面后重试。")
        return redirect("matching:case_detail", pk=case.pk)
    try:
        case, changed = services.case_transition(
            case=case, to=form.cleaned_data["to"], by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if changed:
            messages.success(request, f"案件已变更为“{case.get_state_display()}”。")
    return redirect("matching:case_detail", pk=case.pk)


@login_required
@require_POST
def case_note(request, pk):
    require_write(request.user)
    case = get_case_for_user(request.user, pk)
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        services.case_add_note(case=case, on=form.cleaned_data["on"], text=form.cleaned_data["text"], by=request.user)
        messages.success(request, "已添加记录。")
        return redirect("matching:case_detail", pk=case.pk)
    return render(
        request,
        "matching/case_detail.html",
        {
            "case": case,
            "notes": case.notes.select_related("by"),
            "note_form": form,
            "targets": [RightsCase.State(t) for t in case.allowed_targets],
            "can_write": True,
        },
        status=400,
    )


# 公益性岗位 placements (七) -----------------------------------------------------------------


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
    worker = get_worker_for_user(request.user, source["worker"]) if source.get("worker") else None
    form = PlacementForm(request.POST or None, user=request.user, worker=worker)
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
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"已登记{chosen.name}的公益性岗位安置。")
            return redirect("matching:placement_detail", pk=placement.pk)
    return render(
        request, "matching/placement_form.html", {"form": form, "worker": worker}, status=400 if form.errors else 200
    )


@login_required
def placement_detail(request, pk):
    placement = get_placement_for_user(request.user, pk)
    return render(
        request,
        "matching/placement_detail.html",
        {
            "placement": placement,
            "follow_ups": placement.follow_ups.select_related("by"),
            "form": FollowUpForm(),
            "can_write": request.user.can_write,
        },
    )


@login_required
def placement_edit(request, pk):
    require_write(request.user)
    placement = get_placement_for_user(request.user, pk)
    form = PlacementForm(request.POST or None, instance=placement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_update(placement=placement, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
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
    require_write(request.user)
    placement = get_placement_for_user(request.user, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        services.placement_follow_up(placement=placement, by=request.user, **form.cleaned_data)
        messages.success(request, "已记录跟踪回访。")
        return redirect("matching:placement_detail", pk=placement.pk)
    return render(
        request,
        "matching/placement_detail.html",
        {
            "placement": placement,
            "follow_ups": placement.follow_ups.select_related("by"),
            "form": form,
            "can_write": True,
        },
        status=400,
    )
