"""Staff pages of the SMS outbox, the provider's reply webhook, and the demo's message page."""

import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..models import SmsMessage, SmsOptOut
from ..pagination import CappedPaginator
from ..pii import mask_phone
from ..scoping import get_object_in_scope, require_write
from .forms import OptOutForm, OutboxFilterForm
from .selectors import outbox_for_user
from .services import sms_opt_out_record, sms_resend
from .templates import TEMPLATES

log = logging.getLogger("gigmarket.core.sms")
INBOUND_MAX_BYTES = 64 * 1024
OPT_OUT_WORDS = {"TD", "T", "N", "退订", "取消", "0000"}


def _outbox_context(request, opt_out_form=None):
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = outbox_for_user(request.user, state=filters.get("state", ""), template=filters.get("template", ""))
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "message": message,
            "phone": mask_phone(message.to),
            "template": TEMPLATES[message.template].label if message.template in TEMPLATES else message.template,
            "resendable": message.state == SmsMessage.State.FAILED
            and message.template in TEMPLATES
            and not TEMPLATES[message.template].is_code,
        }
        for message in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "opt_out_form": opt_out_form or OptOutForm(),
        "can_write": request.user.can_write,
    }


@login_required
@require_GET
@never_cache
def outbox(request):
    return render(request, "gigmarket/sms_outbox.html", _outbox_context(request))


@login_required
@require_POST
def opt_out(request):
    """Staff record a phone that asked (by phone, at the window) to receive no more notices."""
    require_write(request.user)
    form = OptOutForm(request.POST)
    if not form.is_valid():
        return render(request, "gigmarket/sms_outbox.html", _outbox_context(request, form), status=400)
    sms_opt_out_record(phone=form.cleaned_data["phone"], source=SmsOptOut.Source.STAFF, by=request.user)
    messages.success(request, f"已登记 {mask_phone(form.cleaned_data['phone'])} 退订短信通知。")
    return redirect("sms:outbox")


@login_required
@require_POST
def resend(request, pk):
    """Staff send a failed notice again (after fixing the cause: the template code, the keys)."""
    message = get_object_in_scope(SmsMessage, request.user, pk=pk)
    require_write(request.user)
    try:
        sms_resend(message=message, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已重新排队发送 {mask_phone(message.to)} 的短信。")
    return redirect("sms:outbox")


def _inbound_replies(request):
    """(phone, text) pairs from a provider's 上行短信 push.

    Alibaba Cloud (SmsUp, HTTP batch push): a JSON list of {"phone_number", "content", ...}.
    Tencent Cloud (回复回调): one JSON object {"mobile", "nationcode", "text", ...}."""
    data = json.loads(request.body.decode("utf-8"))
    items = data if isinstance(data, list) else [data]
    for item in items:
        if not isinstance(item, dict):
            continue
        phone = item.get("phone_number") or item.get("mobile") or ""
        text = item.get("content") if "content" in item else item.get("text", "")
        yield str(phone), str(text or "")


@csrf_exempt
@require_POST
def inbound(request, token):
    """Replies posted by the provider. A TD (退订) reply records the opt-out."""
    expected = settings.SMS_INBOUND_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404("页面不存在。")
    if len(request.body) > INBOUND_MAX_BYTES:
        return JsonResponse({"code": 1, "msg": "too large"}, status=400)
    try:
        replies = list(_inbound_replies(request))
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"code": 1, "msg": "bad json"}, status=400)
    recorded = 0
    for phone, text in replies:
        if text.strip().upper() not in OPT_OUT_WORDS:
            continue
        phone = phone.removeprefix("+86").removeprefix("86") if len(phone) > 11 else phone
        try:
            sms_opt_out_record(phone=phone, source=SmsOptOut.Source.REPLY)
        except Exception as exc:  # a malformed number in one reply must not lose the others
            log.warning("sms: inbound opt-out for %s not recorded: %s", mask_phone(phone), type(exc).__name__)
            continue
        recorded += 1
    # Both providers take a JSON answer with code 0 as "received".
    return JsonResponse({"code": 0, "msg": "成功", "recorded": recorded})


@require_GET
@never_cache
def demo(request):
    """DEBUG only (`make run`): the latest messages as the phones would show them, so the
    demo can read a verification code without a phone. 404 in production."""
    if not settings.DEBUG:
        raise Http404("页面不存在。")
    latest = list(SmsMessage.objects.order_by("-created_at", "-pk")[:30])
    rows = []
    for message in latest:
        spec = TEMPLATES.get(message.template)
        try:
            text = spec.render(message.params) if spec else ""
        except KeyError:
            text = ""
        rows.append({"message": message, "phone": mask_phone(message.to), "text": text})
    response = render(request, "gigmarket/sms_demo.html", {"rows": rows})
    response["X-Robots-Tag"] = "noindex"
    return response
