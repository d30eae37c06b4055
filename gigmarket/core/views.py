import io
import json
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit_export_job, services
from .audit_export_job import AUDIT_XLSX, capped_count, filtered_audit_events, write_audit_xlsx
from .dashboard import collect_cards
from .export_jobs import export_job_start, needs_job
from .exports import xlsx_bytes_response
from .forms import PasswordChangeForm, SetPasswordForm, UserForm, form_data
from .models import Division, Role
from .pagination import CappedPaginator
from .security import csp_report_lines, password_change_reason
from .selectors import (
    is_province_writer,
    manageable_users,
    roles_manageable_by,
)


@never_cache
@require_GET
def healthz(request):
    """Load-balancer probe: 200 "ok" when the database answers, 503 otherwise. Public."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


csp_logger = logging.getLogger("gigmarket.csp")


def _csp_reports_over_limit(request):
    """True past CSP_REPORTS_PER_MINUTE reports from one address this minute (one cache key
    per address and minute, expiring by itself)."""
    key = f"csp-report:{request.META.get('REMOTE_ADDR', '')}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        count = 1
    return count > settings.CSP_REPORTS_PER_MINUTE


@csrf_exempt
@require_POST
def csp_report(request):
    """Where browsers send Content-Security-Policy violation reports (CSP_REPORT_URI).

    Public and without CSRF token (browsers send reports on their own). Each report is
    logged as one masked line on `gigmarket.csp`; bodies over CSP_REPORT_MAX_BYTES (413),
    floods from one address (429) and anything that is not a report (400) are dropped.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    limit = settings.CSP_REPORT_MAX_BYTES
    if declared > limit:
        return HttpResponse("report too large", status=413, content_type="text/plain")
    if _csp_reports_over_limit(request):
        return HttpResponse("too many reports", status=429, content_type="text/plain")
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return HttpResponse("report too large", status=413, content_type="text/plain")
    try:
        lines = csp_report_lines(json.loads(raw))
    except (ValueError, RecursionError):  # bad JSON or UTF-8, or nesting deep enough to exhaust the parser
        return HttpResponse("not a CSP report", status=400, content_type="text/plain")
    for line in lines:
        csp_logger.warning("CSP violation %s", line)
    return HttpResponse(status=204)


def home(request):
    if not request.user.is_authenticated:
        return render(request, "public/home.html")
    return render(
        request,
        "gigmarket/dashboard.html",
        {"cards": collect_cards(request.user)},
    )


@sensitive_post_parameters()
@never_cache
@login_required
def password_change(request):
    """The user changes their own password (the only page open while they must)."""
    form = PasswordChangeForm(request.user, form_data(request))
    if request.method == "POST":
        if form.is_valid():
            services.user_change_own_password(user=request.user, password=form.cleaned_data["new_password1"])
            update_session_auth_hash(request, request.user)
            return redirect("password_change_done")
        status = 400
    else:
        status = 200
    context = {"form": form, "reason": password_change_reason(request.user)}
    return render(request, "registration/password_change.html", context, status=status)


def _require_manager(user):
    if not roles_manageable_by(user):
        raise PermissionDenied("您没有管理账号的权限。")


@login_required
def user_list(request):
    _require_manager(request.user)
    qs = manageable_users(request.user).order_by("division__code", "role", "username")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(full_name__icontains=q)
    qs = qs.annotate(has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # A county decides whether its window clerks must use two-factor login.
    county = request.user.division if request.user.role == Role.COUNTY else None
    return render(request, "gigmarket/user_list.html", {"page": page, "q": q, "county": county})


@login_required
def user_create(request):
    _require_manager(request.user)
    form = UserForm(form_data(request), manager=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(data=form.account_data(), password=form.cleaned_data["password1"], by=request.user)
        messages.success(request, f"已创建账号 {user.username}。")
        return redirect("user_list")
    return render(
        request, "gigmarket/user_form.html", {"form": form, "creating": True}, status=400 if form.errors else 200
    )


@login_required
def user_edit(request, pk):
    _require_manager(request.user)
    target = get_object_or_404(manageable_users(request.user), pk=pk)
    form = UserForm(form_data(request), instance=target, manager=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.account_data()
        target.refresh_from_db()
        if target == request.user and not data["is_active"]:
            form.add_error("is_active", "不能停用自己的账号。")
        else:
            services.user_update(user=target, data=data, by=request.user)
            messages.success(request, f"已保存账号 {target.username}。")
            return redirect("user_list")
    return render(
        request, "gigmarket/user_form.html", {"form": form, "target": target}, status=400 if form.errors else 200
    )


@login_required
def user_password(request, pk):
    _require_manager(request.user)
    target = get_object_or_404(manageable_users(request.user), pk=pk)
    form = SetPasswordForm(form_data(request), user=target)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(user=target, password=form.cleaned_data["password1"], by=request.user)
        messages.success(request, f"已重置账号 {target.username} 的密码。")
        return redirect("user_list")
    return render(
        request, "gigmarket/user_password.html", {"form": form, "target": target}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def user_toggle_active(request, pk):
    _require_manager(request.user)
    with transaction.atomic():
        target = get_object_or_404(manageable_users(request.user).select_for_update(of=("self",)), pk=pk)
        if target == request.user:
            messages.error(request, "不能停用自己的账号。")
            return redirect("user_list")
        services.user_update(user=target, data={"is_active": not target.is_active}, by=request.user)
    messages.success(request, f"账号 {target.username} 已{'启用' if target.is_active else '停用'}。")
    return redirect("user_list")


@login_required
def division_list(request):
    """Guizhou's divisions; province staff mark counties inactive when divisions change."""
    counties = Division.objects.filter(level=Division.Level.COUNTY).select_related("parent").order_by("code")
    return render(
        request,
        "gigmarket/division_list.html",
        {"counties": counties, "can_edit": is_province_writer(request.user)},
    )


@login_required
@require_POST
def division_toggle_active(request, pk):
    if not is_province_writer(request.user):
        raise PermissionDenied("只有省级工作人员可以调整行政区划状态。")
    with transaction.atomic():
        county = get_object_or_404(Division.objects.select_for_update().filter(level=Division.Level.COUNTY), pk=pk)
        services.division_set_active(division=county, active=not county.is_active, by=request.user)
    messages.success(request, f"{county.name}已{'恢复为有效' if county.is_active else '标记为停用'}。")
    return redirect("division_list")


def _filtered_audit_events(request):
    """The viewer's audit rows with the page's filters: (form, queryset). Shared by the list and its export."""
    return filtered_audit_events(request.user, request.GET)


@login_required
def audit_list(request):
    form, qs = _filtered_audit_events(request)
    # The province's log grows by millions of rows: count at most 10,000 (narrow the filters).
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "gigmarket/audit_list.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


@require_GET
@login_required
def audit_export(request):
    """The audit rows the list shows, with its filters, as XLSX (newest first, at most
    AUDIT_EXPORT_MAX_ROWS). The download is audited itself, after the rows are read. More
    than EXPORT_SYNC_MAX_ROWS rows are written by a background job (我的导出)."""
    form, qs = _filtered_audit_events(request)
    user = request.user
    cap = audit_export_job.AUDIT_EXPORT_MAX_ROWS
    total = min(capped_count(qs, cap), cap)
    if needs_job(total):
        params = {key: request.GET.get(key) for key in request.GET if key != "page"}
        export_job_start(kind=AUDIT_XLSX, params=params, by=user, total=total)
        messages.info(request, f"导出共 {total} 行，已转为后台生成；完成后可在“我的导出”下载。")
        return redirect("export_job_list")
    buffer = io.BytesIO()
    filename, count, filters, more = write_audit_xlsx(form, qs, buffer)
    services.audit_log_export_record(by=user, row_count=count, filters=filters, truncated=more)
    response = xlsx_bytes_response(buffer.getvalue(), filename)
    response["Cache-Control"] = "no-store"
    return response
