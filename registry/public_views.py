"""扫码登记: a worker pre-registers from a market's QR code; the clerk completes it at the counter.

Public: `preregister` (no login, SMS-verified phone, consent) and `prereg_withdraw` (the
phone proved in 我的报名). Counter: `prereg_complete` (the 身份证号 confirmed from the card,
one step through the walk-in registration), scoped by the pre-registration's market.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.scoping import get_object_in_scope, require_write
from markets.models import Market, hours_text
from markets.selectors import active_trades, public_markets

from . import services
from .models import PreRegistration
from .public import CONSENT_VERSION, MY, market_hotline, prove_phone
from .public_forms import PreRegistrationCompleteForm, PreRegistrationForm
from .public_pages import code_ok, own_submission, public_context, send_code_step


def _trades():
    return active_trades().order_by("sort_order", "code")


@never_cache
@require_http_methods(["GET", "POST"])
def preregister(request, market_pk):
    """扫码登记 at one market: name, mobile + SMS code, trades, availability, optional 身份证号."""
    market = get_object_or_404(public_markets(), pk=market_pk)
    context = {
        "market": market,
        "hours": hours_text(market.opening_periods.all()),
        "hotline": market_hotline(market),
        "consent_version": CONSENT_VERSION,
    }
    template = "public/prereg/form.html"
    if request.method == "POST" and request.POST.get("action") == "send_code":
        return send_code_step(request, PreRegistrationForm, "preregister", template, context, trades=_trades())
    form = PreRegistrationForm(request.POST or None, trades=_trades())
    if request.method == "POST":
        if form.is_spam():
            form.add_error(None, "提交未成功，请刷新页面后重新填写。")
        elif form.is_valid() and code_ok(form, purpose="preregister"):
            d = form.cleaned_data
            try:
                services.preregistration_submit(
                    market=market,
                    name=d["name"],
                    mobile=d["mobile"],
                    id_number=d["id_number"],
                    trades=d["trades"],
                    data={"available_from": d["available_from"], "available_until": d["available_until"]},
                    consent_version=CONSENT_VERSION,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"预登记成功！请到{market.name}“求职(用工)登记”窗口，报手机号并出示身份证即可完成登记。"
                )
                prove_phone(request, d["mobile"], purpose=MY)
                return redirect("jobs:my")
    return render(request, template, public_context(request, form=form, **context), status=400 if form.errors else 200)


@require_POST
def prereg_withdraw(request, pk):
    prereg = own_submission(PreRegistration, request, pk)
    try:
        _, changed = services.preregistration_withdraw(prereg=prereg)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if changed:
            messages.success(request, "已撤回预登记。")
    return redirect("jobs:my")


# The counter -------------------------------------------------------------------------------


def get_prereg_for_user(user, pk):
    return get_object_in_scope(
        PreRegistration.objects.select_related("market__county").prefetch_related("trades"), user, pk=pk
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def prereg_complete(request, pk):
    """One step at the counter: confirm the 身份证号 from the card; the worker is created or found."""
    prereg = get_prereg_for_user(request.user, pk)
    if request.method == "POST":
        require_write(request.user)
    form = PreRegistrationCompleteForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.preregistration_complete(
                prereg=prereg, id_number=form.cleaned_data["id_number"], by=request.user, key=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            verb = "已新建零工档案" if registration.created else "已关联已有零工档案"
            messages.success(request, f"{prereg.name}的预登记已完成：{verb}。")
            return redirect("registry:worker_detail", pk=registration.worker.pk)
    market = Market.objects.only("pk", "name").get(pk=prereg.market_id)
    return render(
        request,
        "registry/prereg_complete.html",
        {
            "prereg": prereg,
            "form": form,
            "market": market,
            "back": reverse("jobs:queue") + f"?market={prereg.market_id}",
            "token": form.next_token(),
            "can_write": request.user.can_write,
        },
        status=400 if form.errors else 200,
    )
