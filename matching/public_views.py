"""The worker's public side (no login): 今日零工岗位, 我要报名, 我的报名; and the counter's online queue.

Public pages answer every input without a 5xx: filters that do not parse are ignored,
forms re-render with what was typed (400). The phone is proved by SMS code; 我的报名
keeps it for a short time in a signed cookie (`registry.public`). The counter pages
(`queue`, `application_accept`) are scoped like the board: a clerk sees their market,
other staff the markets in their region; out of scope is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigmarket.core.forms import add_service_error
from gigmarket.core.models import Role
from gigmarket.core.scoping import get_object_in_scope, require_write, scope_queryset
from markets.models import Market, hours_text
from markets.selectors import active_trades, cities_with_public_markets, counties_with_public_markets
from registry.models import Posting, PreRegistration
from registry.public import (
    CONSENT_VERSION,
    LARGE_COOKIE,
    MY,
    employer_public_name,
    forget_phone,
    market_hotline,
    prove_phone,
    proven_phone,
)
from registry.public_pages import code_ok, own_submission, public_context, send_code_step

from . import selectors, services
from .models import Application
from .public_forms import ApplyForm, JobSearchForm, MyLoginForm, QueueFindForm

PAGE_SIZE = 20


def ago(moment, now):
    """发布于 3分钟前 / 2小时前 / 昨天 / 3天前."""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{seconds // 60}分钟前"
    if seconds < 86400:
        return f"{seconds // 3600}小时前"
    days = seconds // 86400
    return "昨天" if days == 1 else f"{days}天前"


def job_card(posting, now):
    """What one card shows: public facts only (an individual employer's name masked)."""
    market = posting.market
    return {
        "posting": posting,
        "remaining": max(0, posting.headcount - posting.held),
        "employer": employer_public_name(posting.employer),
        "hours": hours_text(market.opening_periods.all()),
        "hotline": market_hotline(market),
        "ago": ago(posting.created_at, now),
    }


def _market_choices(params):
    """The markets the 零工市场 filter offers: those of the chosen county, or of the chosen
    market's county (the link from a market's page), else none until a county is chosen.

    The province has about 2,000 markets: one <select> of all of them is unusable on a
    phone and took most of the page's time (600 ms at medium scale, docs/performance.md).
    """
    qs = Market.objects.filter(status=Market.Status.OPERATING).only("id", "name", "county_id").order_by("name")
    county, market = params.get("county", ""), params.get("market", "")
    if county.isdigit():
        return qs.filter(county_id=int(county))
    if market.isdigit():
        return qs.filter(county_id=Subquery(Market.objects.filter(pk=int(market)).values("county_id")[:1]))
    return qs.none()


def _search_form(params):
    return JobSearchForm(
        params or None,
        cities=cities_with_public_markets().order_by("code"),
        counties=counties_with_public_markets(),
        markets=_market_choices(params),
        trades=active_trades().order_by("sort_order", "code"),
    )


@require_GET
def job_search(request):
    """今日零工岗位: one search over every operating market's open postings, as cards."""
    params = request.GET.copy()
    params.pop("page", None)
    form = _search_form(params)
    today = timezone.localdate()
    qs = selectors.public_job_postings(today=today, **form.filters(today))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    cards = [job_card(p, now) for p in page]
    return render(
        request,
        "public/jobs/search.html",
        public_context(request, form=form, page=page, cards=cards, query=urlencode(params, doseq=True)),
    )


@require_GET
def large_type(request):
    """The 大字 switch: remembered for a year in a cookie; back to the page it was pressed on."""
    target = request.GET.get("next") or reverse("jobs:search")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("jobs:search")
    response = redirect(target)
    if request.GET.get("on") == "1":
        response.set_cookie(LARGE_COOKIE, "1", max_age=365 * 86400, samesite="Lax")
    else:
        response.delete_cookie(LARGE_COOKIE, samesite="Lax")
    return response


def _public_posting(pk):
    return get_object_or_404(
        Posting.objects.select_related("employer", "trade", "market__county__parent").filter(
            market__status=Market.Status.OPERATING
        ),
        pk=pk,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request, pk):
    """我要报名 on one posting: name, mobile + SMS code, optional 身份证号, consent."""
    posting = _public_posting(pk)
    now = timezone.now()
    posting.held = services._held(posting)
    context = {"card": job_card(posting, now), "consent_version": CONSENT_VERSION}
    template = "public/jobs/apply.html"
    if request.method == "POST" and request.POST.get("action") == "send_code":
        return send_code_step(request, ApplyForm, "apply", template, context)
    form = ApplyForm(request.POST or None)
    if request.method == "POST":
        if form.is_spam():
            form.add_error(None, "提交未成功，请刷新页面后重新填写。")
        elif form.is_valid():
            refusal = services.application_refusal(posting, mobile=form.cleaned_data["mobile"])
            if refusal:
                form.add_error(None, refusal)
            elif code_ok(form, purpose="apply"):
                d = form.cleaned_data
                try:
                    services.application_submit(
                        posting=posting,
                        name=d["name"],
                        mobile=d["mobile"],
                        id_number=d["id_number"],
                        consent_version=CONSENT_VERSION,
                    )
                except ValidationError as exc:
                    add_service_error(form, exc)
                else:
                    messages.success(
                        request,
                        f"报名成功！{posting.market.name}的工作人员会尽快与您联系，结果将以短信通知。",
                    )
                    prove_phone(request, d["mobile"], purpose=MY)
                    return redirect("jobs:my")
    return render(request, template, public_context(request, form=form, **context), status=400 if form.errors else 200)


# 我的报名 ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def my(request):
    """我的报名: prove the phone by SMS code, then see (and withdraw) applications and pre-registrations."""
    phone = proven_phone(request, purpose=MY)
    template = "public/my/login.html"
    if not phone:
        if request.method == "POST" and request.POST.get("action") == "send_code":
            return send_code_step(request, MyLoginForm, MY, template, {})
        form = MyLoginForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and code_ok(form, purpose=MY):
            prove_phone(request, form.cleaned_data["mobile"], purpose=MY)
            return redirect("jobs:my")
        return render(request, template, public_context(request, form=form), status=400 if form.errors else 200)
    applications = (
        Application.objects.filter(Application.mobile.matches(phone))
        .select_related("posting__trade", "posting__employer", "market")
        .order_by("-created_at", "-id")[:50]
    )
    preregs = (
        PreRegistration.objects.filter(PreRegistration.mobile.matches(phone))
        .select_related("market")
        .prefetch_related("trades")
        .order_by("-created_at", "-id")[:20]
    )
    return render(
        request,
        "public/my/list.html",
        public_context(
            request,
            masked_phone=f"{phone[:3]}****{phone[-4:]}",
            applications=[(a, employer_public_name(a.posting.employer)) for a in applications],
            preregs=preregs,
        ),
    )


@require_POST
def my_logout(request):
    forget_phone(request, purpose=MY)
    return redirect("jobs:search")


@require_POST
def my_withdraw(request, pk):
    application = own_submission(Application, request, pk)
    try:
        _, changed = services.application_withdraw(application=application)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if changed:
            messages.success(request, "已撤回报名。")
    return redirect("jobs:my")


# The counter: the market's online queue -----------------------------------------------------


def get_application_for_user(user, pk):
    return get_object_in_scope(
        Application.objects.select_related("posting__trade", "posting__employer", "market__county", "worker"),
        user,
        pk=pk,
    )


def get_rw_application_for_user(user, pk):
    application = get_application_for_user(user, pk)
    require_write(user)
    return application


def _queue_market(request):
    user = request.user
    market_pk = request.GET.get("market") or (user.market_id if user.role == Role.CLERK else None)
    if not market_pk:
        return None
    return get_object_in_scope(Market.objects.select_related("county"), user, pk=market_pk)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def queue(request):
    """新报名 and 预登记 waiting at one market; POST a phone to find one applicant (personal search)."""
    market = _queue_market(request)
    if market is None:
        markets = scope_queryset(Market.objects.select_related("county"), request.user).filter(
            status=Market.Status.OPERATING
        )
        page = Paginator(markets.order_by("county__code", "name"), 50).get_page(request.GET.get("page"))
        return render(request, "matching/online_queue_pick.html", {"page": page})
    applications = selectors.queue_applications(market)
    preregs = (
        PreRegistration.objects.filter(market=market, state=PreRegistration.State.PENDING)
        .prefetch_related("trades")
        .order_by("created_at", "id")
    )
    find = QueueFindForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if find.is_valid():
            mobile = find.cleaned_data["mobile"]
            applications = applications.filter(Application.mobile.matches(mobile))
            preregs = preregs.filter(PreRegistration.mobile.matches(mobile))
        else:
            status = 400
    return render(
        request,
        "matching/online_queue.html",
        {
            "market": market,
            "applications": list(applications[:100]),
            "preregs": list(preregs[:100]),
            "counts": selectors.market_queue_counts(market),
            "find": find,
            "found": request.method == "POST" and find.is_valid(),
            "can_write": request.user.can_write,
        },
        status=status,
    )


@login_required
@require_POST
def application_accept(request, pk):
    """转为洽谈 (or 转为洽谈并确认用工): the application becomes a match through the state machine."""
    application = get_rw_application_for_user(request.user, pk)
    back = reverse("jobs:queue") + f"?market={application.market_id}"
    try:
        match = services.application_accept(
            application=application, by=request.user, confirm=request.POST.get("confirm") == "1"
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    label = "已确认用工" if match.state == "confirmed" else "已转为洽谈"
    messages.success(request, f"{application.name}的报名{label}。")
    return redirect("matching:match_detail", pk=match.pk)


@login_required
@require_POST
def application_close(request, pk):
    """The clerk declines an application (e.g. could not be reached); the applicant is told."""
    application = get_rw_application_for_user(request.user, pk)
    try:
        services.application_decline(application=application, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已关闭{application.name}的报名。")
    return redirect(reverse("jobs:queue") + f"?market={application.market_id}")
