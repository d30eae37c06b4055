"""What the public pages share: the 大字 switch in their context, the 获取验证码 step, the
code check, and rows reached through the phone proven in 我的报名.

Used by registry's public pages (扫码登记, 我要招工) and matching's (报名, 我的报名).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from gigmarket.core.middleware import client_ip
from gigmarket.core.sms import CodeError, code_send, code_verify

from .public import LARGE_COOKIE, MY, proven_phone
from .public_forms import retyped


def public_context(request, **context):
    """Context every public worker page shares: the 大字 switch."""
    return {"large_type": request.COOKIES.get(LARGE_COOKIE) == "1", **context}


def send_code_step(request, form_class, purpose, template, context, **form_kwargs):
    """获取验证码: check the mobile only, send the code, show the form again with what was typed."""
    form = retyped(form_class, request.POST, **form_kwargs)
    status = 200
    try:
        mobile = form.fields["mobile"].clean(request.POST.get("mobile", ""))
        mobile = form_class.clean_mobile(_Cleaned(mobile=mobile))
        code_send(phone=mobile, purpose=purpose, ip=client_ip(request))
    except (ValidationError, CodeError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
        status = 400
    else:
        messages.success(request, f"验证码已发送至{mobile[:3]}****{mobile[-4:]}，5分钟内有效。")
    return render(request, template, public_context(request, form=form, **context), status=status)


class _Cleaned:
    """Lets a form's `clean_mobile` run on one value outside a full validation."""

    def __init__(self, **data):
        self.cleaned_data = data


def code_ok(form, *, purpose):
    """Verify the form's SMS code; a wrong or used code is an error on the code field."""
    try:
        code_verify(phone=form.cleaned_data["mobile"], purpose=purpose, code=form.cleaned_data["code"])
    except CodeError as exc:
        form.add_error("code", str(exc))
        return False
    return True


def own_submission(model, request, pk):
    """The row `pk` of `model` submitted with this browser's verified phone, or 404 (also without a session)."""
    phone = proven_phone(request, purpose=MY)
    if not phone:
        raise Http404("记录不存在。")
    return get_object_or_404(model.objects.filter(model.mobile.matches(phone)), pk=pk)
