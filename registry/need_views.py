"""我要招工: employers submit a need online; the market's clerk publishes or rejects it.

Public pages (no login): the need form, and the employer's own needs after an SMS code
(purpose `EMPLOYER`). The proven mobile is kept as `registry.public` keeps every proof
(`prove_phone`: in the session, encrypted, for 30 minutes). Staff pages: the market's 待审核招工 queue and one need with
its publish / reject actions (the market's window clerk only).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gigmarket.core.forms import add_service_error
from gigmarket.core.middleware import client_ip
from gigmarket.core.pagination import CappedPaginator
from gigmarket.core.pii import mask_phone
from gigmarket.core.scoping import get_object_in_scope, require_write
from gigmarket.core.sms.codes import CodeError, code_send, code_verify

from . import need_selectors, services
from .models import EmployerNeed
from .need_forms import CONSENT_TEXT, CONSENT_VERSION, CodeForm, NeedForm, PhoneForm, RejectForm
from .public import EMPLOYER, EMPLOYER_PROOF_SECONDS, forget_phone, prove_phone, proven_phone
from .views import require_clerk_market

PAGE_SIZE = 25


def _send_code(request, phone_form):
    """Send a code to the mobile of a bound PhoneForm; returns (sent, error message)."""
    if not phone_form.is_valid():
        return False, " ".join(phone_form.errors.get("phone", ["请填写正确的手机号码。"]))
    try:
        code_send(phone=phone_form.cleaned_data["phone"], purpose=EMPLOYER, ip=client_ip(request))
    except CodeError as exc:
        return False, str(exc)
    return True, ""


# Public: 我要招工 ------------------------------------------------------------------------


def _typed(request):
    """What was typed, as initial values (kept when only a code was asked for)."""
    return {key: request.POST.get(key) for key in request.POST if key not in ("csrfmiddlewaretoken", "action")}


@never_cache
def need_form(request):
    """The public need form. "获取验证码" sends a code and keeps everything typed; "提交" saves."""
    code_sent, code_error = False, ""
    status = 200
    if request.method == "POST" and request.POST.get("action") == "code":
        code_sent, code_error = _send_code(request, PhoneForm(request.POST))
        form = NeedForm(initial=_typed(request))
        status = 200 if code_sent else 400
    elif request.method == "POST":
        form = NeedForm(request.POST)
        if request.POST.get("website"):
            # The hidden field is filled only by robots: answer as if saved, save nothing.
            messages.success(request, "招工信息已提交，请等待零工市场审核。")
            return redirect("hire:form")
        if form.is_valid() and form.require_code():
            phone = form.cleaned_data["phone"]
            try:
                code_verify(phone=phone, purpose=EMPLOYER, code=form.cleaned_data["code"])
            except CodeError as exc:
                form.add_error("code", str(exc))
            else:
                try:
                    need = services.need_submit(
                        data=form.service_data(),
                        market=form.cleaned_data["market"],
                        consent_version=CONSENT_VERSION,
                        phone_verified=phone,
                    )
                except ValidationError as exc:
                    add_service_error(form, exc)
                else:
                    prove_phone(request, phone, purpose=EMPLOYER)
                    messages.success(
                        request,
                        f"招工信息已提交到{need.market.name}，审核结果将以短信通知您。审核通过后即在公众网站发布。",
                    )
                    return redirect("hire:mine")
        status = 400
    else:
        initial = {}
        if request.GET.get("market", "").isdigit():
            initial["market"] = request.GET["market"]
        form = NeedForm(initial=initial)
    return render(
        request,
        "registry/need_form.html",
        {
            "form": form,
            "consent_text": CONSENT_TEXT,
            "consent_version": CONSENT_VERSION,
            "code_sent": code_sent,
            "code_error": code_error,
        },
        status=status,
    )


@never_cache
def need_mine(request):
    """The employer's needs, after proving the mobile with an SMS code."""
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "logout":
        forget_phone(request, purpose=EMPLOYER)
        return redirect("hire:mine")
    phone = proven_phone(request, purpose=EMPLOYER)
    form, status, code_sent, code_error = CodeForm(), 200, False, ""
    if action == "code":
        code_sent, code_error = _send_code(request, PhoneForm(request.POST))
        form = CodeForm(initial={"phone": request.POST.get("phone", "")})
        status = 200 if code_sent else 400
    elif action == "verify":
        form = CodeForm(request.POST)
        if form.is_valid() and form.cleaned_data["code"]:
            try:
                code_verify(phone=form.cleaned_data["phone"], purpose=EMPLOYER, code=form.cleaned_data["code"])
            except CodeError as exc:
                form.add_error("code", str(exc))
            else:
                prove_phone(request, form.cleaned_data["phone"], purpose=EMPLOYER)
                return redirect("hire:mine")
        elif form.is_valid():
            form.add_error("code", "请填写短信验证码。")
        status = 400
    if phone and not action:
        return render(
            request,
            "registry/need_mine.html",
            {
                "needs": need_selectors.needs_of_phone(phone),
                "phone": mask_phone(phone),
                "minutes": EMPLOYER_PROOF_SECONDS // 60,
            },
        )
    return render(
        request,
        "registry/need_login.html",
        {"form": form, "code_sent": code_sent, "code_error": code_error},
        status=status,
    )


# Staff: the review queue ----------------------------------------------------------------


def get_need_for_user(user, pk):
    return get_object_in_scope(need_selectors.annotate_wage_flag(need_selectors.needs_for(user)), user, pk=pk)


def _require_reviewer(user, need):
    """Only the window clerk of the need's market publishes or rejects it."""
    market = require_clerk_market(user)
    if market.pk != need.market_id:
        raise PermissionDenied("只有所选零工市场的工作人员可以审核该招工申请。")
    return market


@login_required
@never_cache
def need_queue(request):
    status = request.GET.get("status", EmployerNeed.Status.PENDING)
    if status not in EmployerNeed.Status.values:
        status = EmployerNeed.Status.PENDING
    page = CappedPaginator(need_selectors.review_queue(request.user, status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/need_queue.html",
        {
            "page": page,
            "status": status,
            "statuses": EmployerNeed.Status.choices,
            "pending": need_selectors.pending_count(request.user),
            "query": f"status={status}",
        },
    )


def _render_review(request, need, reject_form=None, status=200):
    return render(
        request,
        "registry/need_review.html",
        {
            "need": need,
            "reject_form": reject_form or RejectForm(),
            "can_review": need.status == EmployerNeed.Status.PENDING
            and request.user.can_write
            and request.user.market_id == need.market_id,
        },
        status=status,
    )


@login_required
@never_cache
def need_review(request, pk):
    return _render_review(request, get_need_for_user(request.user, pk))


@login_required
@never_cache
@require_POST
def need_publish(request, pk):
    need = get_need_for_user(request.user, pk)
    require_write(request.user)
    _require_reviewer(request.user, need)
    try:
        need = services.need_publish(need=need, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("hire:review", pk=need.pk)
    messages.success(request, f"已发布：{need.trade.name} {need.headcount}人，已上大屏和公众网站，并短信告知用工方。")
    return redirect("hire:queue")


@login_required
@never_cache
@require_POST
def need_reject(request, pk):
    need = get_need_for_user(request.user, pk)
    require_write(request.user)
    _require_reviewer(request.user, need)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.need_reject(need=need, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已驳回该招工申请，并短信告知用工方原因。")
            return redirect("hire:queue")
    return _render_review(request, need, reject_form=form, status=400)
