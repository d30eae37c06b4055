"""Pages for 即时快招: the clerk's board, candidates, matches and their agreements, the numbers.

Rights cases are in `rights_views`, 公益性岗位 placements in `placement_views`.
"""

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

from gigmarket.core.forms import add_service_error
from gigmarket.core.pagination import CappedPaginator
from gigmarket.core.scoping import require_write, scope_queryset, user_scope
from markets.access import get_market_for_user
from markets.models import Market
from registry.access import get_posting_for_user, get_rw_posting_for_user, get_rw_worker_for_user, get_worker_for_user

from . import numbers, ranking, selectors, services
from .access import get_match_for_user, get_rw_match_for_user
from .board import market_board
from .forms import MatchCreateForm, TermsForm, TransitionForm
from .match_page import match_detail_context
from .models import HOLDING_STATES, Match, MatchState, Placement
from .rows import MatchRows
from .wages import annotate_wage_flag

PAGE_SIZE = 25


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
    market_pk = request.GET.get("market") or user_scope(user).market_id
    if not market_pk:
        markets = scope_queryset(Market.objects.select_related("county"), user).filter(status=Market.Status.OPERATING)
        page = Paginator(markets.order_by("county__code", "name"), 50).get_page(request.GET.get("page"))
        return render(request, "matching/board_pick.html", {"page": page})
    market = get_market_for_user(user, market_pk)
    today = timezone.localdate()
    data = market_board(market, today)
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
    candidates = ranking.candidates_for_posting(posting, request.user)
    held = Match.objects.filter(posting=posting, state__in=HOLDING_STATES).count()
    return render(
        request,
        "matching/candidates.html",
        {
            "posting": posting,
            "candidates": candidates,
            "held": held,
            "can_write": request.user.can_write,
            "limit": ranking.CANDIDATE_LIMIT,
        },
    )


@login_required
def worker_postings(request, pk):
    worker = get_worker_for_user(request.user, pk)
    postings = ranking.postings_for_worker(worker, request.user)
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
        return render(request, "400.html", {"reason": "提交的对接信息不完整，请刷新页面后重试。"}, status=400)
    data = form.cleaned_data
    posting = get_rw_posting_for_user(request.user, data["posting"])
    worker = get_rw_worker_for_user(request.user, data["worker"])
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
    qs = selectors.match_list_rows(annotate_wage_flag(qs))
    # Province-wide this list has millions of rows: count at most 10,000 of them.
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/match_list.html",
        {
            "page": page,
            "table_rows": MatchRows().render(page),
            "state": state,
            "day": day,
            "states": MatchState.choices,
            "query": urlencode({k: v for k, v in (("state", state), ("day", day)) if v}),
        },
    )


@login_required
def match_detail(request, pk):
    return _match_page(request, get_match_for_user(request.user, pk))


def _match_page(request, match, *, terms_form=None, status=200):
    """The match page; a refused terms form is shown again with what was typed (400)."""
    return render(
        request,
        "matching/match_detail.html",
        match_detail_context(request, match, terms_form=terms_form),
        status=status,
    )


@login_required
@require_POST
def match_transition(request, pk):
    match = get_rw_match_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    target = _safe_next(request, reverse("matching:match_detail", args=[match.pk]))
    if not form.is_valid():
        messages.error(request, "无效的操作，请刷新页面后重试。")
        return _match_page(request, match, status=400)
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
    match = get_rw_match_for_user(request.user, pk)
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
            add_service_error(form, exc)
        else:
            messages.success(request, "已更新约定报酬。")
            return redirect("matching:match_detail", pk=match.pk)
    return _match_page(request, match, terms_form=form, status=400)


def agreement_phones(market):
    """The numbers printed under 咨询投诉电话, each once: the market's complaint line, its
    hotline, its contact phone, then the 12333 人社服务热线 (left out if a market number is it)."""
    phones, seen = [], set()
    for label, number in (
        ("投诉电话", market.valid_complaint_phone),
        ("服务热线", market.valid_hotline),
        ("市场联系电话", market.valid_contact_phone),
        ("人社服务热线", "12333"),
    ):
        if number and number not in seen:
            phones.append((label, number))
            seen.add(number)
    return phones


@login_required
def match_agreement(request, pk):
    """用工协议 guidance: a one-page agreement both sides sign on the spot, and the market seals.

    How the parties are identified on paper (a decision): the page prints only what every
    staff role may see, the same way for both parties — the worker's 身份证号 and phone and
    the employer's phone masked as registered, an organisation's 统一社会信用代码 (public) in
    full — and gives each party a blank line to write its own 身份证号 and phone when
    signing. The 经办人 checks the written numbers against the ID cards shown and signs in
    the market's seal block. So the signed paper identifies both parties fully, the number
    on it comes from its holder, and the portal never prints a full personal number (an
    unaudited copy on every reprint). The masked numbers tie the paper to the records.
    """
    match = get_match_for_user(request.user, pk)
    if match.state not in (MatchState.CONFIRMED, MatchState.ONBOARD, MatchState.COMPLETED):
        messages.error(request, "确认用工后才能打印用工协议。")
        return redirect("matching:match_detail", pk=match.pk)
    return render(request, "matching/agreement.html", {"match": match, "phones": agreement_phones(match.market)})


# Numbers across scope ---------------------------------------------------------------------


@login_required
def overview(request):
    day = _parse_day(request.GET.get("day"))
    local = user_scope(request.user).county_id is not None  # a county or a window clerk: one county's markets
    group = request.GET.get("group") or ("market" if local else "county")
    if group not in numbers.GROUPS:
        group = "county"
    rows, total = numbers.day_numbers(request.user, day, group)
    return render(
        request,
        "matching/overview.html",
        {
            "day": day,
            "group": group,
            "rows": rows,
            "total": total,
            "insurance": numbers.insurance_numbers(request.user, day),
            "cases": numbers.case_numbers(request.user),
            "due_follow_ups": selectors.placements_for(request.user)
            .filter(status=Placement.Status.ACTIVE, next_follow_up__lte=timezone.localdate())
            .count(),
        },
    )
