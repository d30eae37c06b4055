"""Pages of two-factor login: enrolment, the code step, recovery codes, a manager's reset."""

from urllib.parse import urlencode

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import services, twofactor
from .forms import add_service_error, form_data
from .models import Role
from .selectors import manageable_users
from .views import _require_manager


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=20,
        strip=True,
        error_messages={"required": "请输入验证码。"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "class": "code-input", "spellcheck": "false"}
        ),
    )


class ResetForm(forms.Form):
    reason = forms.CharField(
        label="重置原因",
        max_length=200,
        error_messages={"required": "请填写重置原因。"},
        help_text="例如：手机丢失、更换手机。原因记入审计日志。",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _locked(request, until):
    return render(request, "registration/two_factor_locked.html", {"until": until}, status=429)


def _wrong_code(form, result):
    if result.remaining:
        form.add_error(
            "code", f"验证码不正确或已使用过，请输入验证器上当前显示的验证码。还可尝试{result.remaining}次。"
        )
    else:
        form.add_error("code", "验证码不正确或已使用过。")


def _codes_page(request, codes):
    """Keep new recovery codes in the session until the user says they saved them."""
    request.session[twofactor.RECOVERY_SESSION_KEY] = codes
    target = redirect("two_factor_recovery_codes")
    if request.POST.get("next") or request.GET.get("next"):
        target["Location"] += "?" + urlencode({"next": twofactor.next_url(request)})
    return target


@sensitive_post_parameters()
@never_cache
@login_required
def two_factor_setup(request):
    """Enrol an authenticator app (QR code and key shown once), or, once enrolled, its status."""
    user = request.user
    if twofactor.has_authenticator(user):
        if not user.is_verified():
            return redirect("two_factor_verify")
        context = {
            "recovery_left": twofactor.recovery_codes_left(user),
            "required": twofactor.two_factor_required(user),
        }
        return render(request, "registration/two_factor_status.html", context)

    form = CodeForm(form_data(request))
    status = 200
    if request.method == "POST":
        device = twofactor.totp_device(user, confirmed=False)
        if device is None:
            return redirect("two_factor_setup")
        if form.is_valid():
            result = services.two_factor_check(user=user, code=form.cleaned_data["code"], enrolling=True)
            if not result.ok and result.locked_until:
                return _locked(request, result.locked_until)
            if result.ok:
                django_otp.login(request, result.device)
                messages.success(request, "两步验证已启用。以后登录时，输入密码后还需输入验证器上的验证码。")
                return _codes_page(request, result.device.new_codes)
            _wrong_code(form, result)
        status = 400
    else:
        until = twofactor.locked_until(user)
        if until is not None:
            return _locked(request, until)
        device = services.two_factor_enrol_start(user=user)
    context = {
        "form": form,
        "qr": twofactor.qr_data_uri(device),
        "secret": twofactor.secret_text(device),
        "required": twofactor.two_factor_required(user),
        "next": twofactor.next_url(request),
    }
    return render(request, "registration/two_factor_setup.html", context, status=status)


@sensitive_post_parameters()
@never_cache
@login_required
def two_factor_verify(request):
    """The second step of the login: a code from the authenticator, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(twofactor.next_url(request))
    if not twofactor.has_authenticator(user):
        if twofactor.two_factor_required(user):
            return redirect("two_factor_setup")
        request.session[twofactor.SESSION_KEY] = twofactor.NONE
        return redirect(twofactor.next_url(request))

    form = CodeForm(form_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = services.two_factor_check(user=user, code=form.cleaned_data["code"])
            if result.ok:
                django_otp.login(request, result.device)
                if result.recovery_left is not None:
                    messages.warning(
                        request,
                        f"您使用了一个恢复码，还剩{result.recovery_left}个。恢复码用完前，请在“两步验证”页面重新生成。",
                    )
                return redirect(twofactor.next_url(request))
            if result.locked_until:
                return _locked(request, result.locked_until)
            _wrong_code(form, result)
        status = 400
    else:
        until = twofactor.locked_until(user)
        if until is not None:
            return _locked(request, until)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": twofactor.next_url(request)},
        status=status,
    )


@never_cache
@login_required
def two_factor_recovery_codes(request):
    """New recovery codes, shown once: GET shows them, POST (已保存) forgets them."""
    codes = request.session.get(twofactor.RECOVERY_SESSION_KEY)
    if request.method == "POST":
        request.session.pop(twofactor.RECOVERY_SESSION_KEY, None)
        return redirect(twofactor.next_url(request))
    if not codes:
        messages.info(request, "恢复码只在生成时显示一次。如已遗失，可重新生成一组（原恢复码随即作废）。")
        return redirect("two_factor_setup")
    return render(
        request, "registration/two_factor_recovery_codes.html", {"codes": codes, "next": twofactor.next_url(request)}
    )


@never_cache
@login_required
def two_factor_recovery_download(request):
    """The recovery codes being shown, as a text file to keep."""
    codes = request.session.get(twofactor.RECOVERY_SESSION_KEY)
    if not codes:
        return redirect("two_factor_setup")
    lines = [
        "贵州省零工市场管理平台 两步验证恢复码",
        f"账号：{request.user.username}",
        "每个恢复码只能使用一次。请妥善保管，不要与他人共享。",
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\r\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recovery-codes-{request.user.pk}.txt"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def two_factor_recovery_regenerate(request):
    """Replace the recovery codes (after the second factor has been given in this session)."""
    user = request.user
    if not twofactor.has_authenticator(user):
        return redirect("two_factor_setup")
    if not user.is_verified():
        return redirect("two_factor_verify")
    codes = services.two_factor_recovery_regenerate(user=user)
    messages.success(request, "已生成新的恢复码，原恢复码已作废。")
    return _codes_page(request, codes)


@login_required
def user_two_factor_reset(request, pk):
    """A manager removes a user's authenticator (lost phone), with a reason."""
    _require_manager(request.user)
    target = get_object_or_404(manageable_users(request.user), pk=pk)
    if target == request.user:
        raise PermissionDenied("不能重置自己的两步验证，请联系上级管理员。")
    form = ResetForm(form_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.two_factor_reset(user=target, reason=form.cleaned_data["reason"], by=request.user)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"已重置账号 {target.username} 的两步验证，该用户下次登录时需重新绑定验证器。"
                )
                return redirect("user_list")
        status = 400
    context = {
        "form": form,
        "target": target,
        "enrolled": twofactor.has_authenticator(target),
        "required": twofactor.two_factor_required(target),
    }
    return render(request, "gigmarket/user_two_factor_reset.html", context, status=status)


@login_required
@require_POST
def county_two_factor_policy(request):
    """A county's staff switch two-factor login on or off for the county's window clerks."""
    user = request.user
    if user.role != Role.COUNTY or not user.can_write or user.division_id is None:
        raise PermissionDenied("只有县级工作人员可以设置本县窗口工作人员的两步验证。")
    required = request.POST.get("clerks_need_two_factor") == "on"
    services.county_set_clerk_two_factor(county=user.division, required=required, by=user)
    if required:
        messages.success(request, "已要求本县窗口工作人员使用两步验证，他们下次登录时需绑定验证器。")
    else:
        messages.success(request, "本县窗口工作人员不再强制使用两步验证。")
    return redirect("user_list")
