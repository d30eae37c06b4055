"""Pages above the county: the 市州 approval of a period, the 名录 as it stood on a date."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gigmarket.core.audit import audit_record
from gigmarket.core.exports import XLSX_CONTENT_TYPE, download_disposition
from gigmarket.core.forms import form_data
from gigmarket.core.models import AuditEvent
from gigmarket.core.scoping import Level, cities_in_scope, counties_in_scope, require_write, user_scope
from markets.attachment1 import as_of_export

from . import approval, selectors
from .forms import AsOfForm, ReasonForm
from .models import ReportingPeriod

# ---------------------------------------------------------------- 市州 approval


def _require_reviewer(user):
    if user_scope(user).level not in (Level.PROVINCE, Level.CITY):
        raise PermissionDenied("只有市州和省级工作人员可以查看审批。")


def _approval_page(request, period, *, failed=None, form=None, status=200):
    user = request.user
    states = approval.approval_states(period, cities_in_scope(user))
    for item in states:
        province = approval.is_province_reviewer(user)
        mine = approval.is_city_reviewer(user, item.city)
        item.can_approve = user.can_write and mine and item.state == approval.READY
        item.can_accept = user.can_write and province and item.state == approval.APPROVED
        item.can_unapprove = user.can_write and (
            (item.state == approval.APPROVED and (mine or province)) or (item.state == approval.ACCEPTED and province)
        )
        item.form = form if failed == item.city.pk else ReasonForm()
    return render(
        request,
        "reporting/approval_list.html",
        {"period": period, "states": states, "labels": approval.STATE_LABELS},
        status=status,
    )


@login_required
def approval_list(request, pk):
    _require_reviewer(request.user)
    return _approval_page(request, get_object_or_404(ReportingPeriod, pk=pk))


@login_required
@require_POST
def approval_action(request, pk, city, action):
    period = get_object_or_404(ReportingPeriod, pk=pk)
    city = get_object_or_404(cities_in_scope(request.user), code=city)
    _require_reviewer(request.user)
    require_write(request.user)
    if action not in {"approve", "accept", "unapprove"}:
        raise Http404
    try:
        if action == "approve":
            approval.city_approve(period=period, city=city, by=request.user)
            messages.success(request, f"已审批{city.name}{period.name}名录。")
        elif action == "accept":
            approval.city_accept(period=period, city=city, by=request.user)
            messages.success(request, f"已确认{city.name}的审批。")
        else:
            form = ReasonForm(form_data(request))
            if not form.is_valid():
                return _approval_page(request, period, failed=city.pk, form=form, status=400)
            approval.city_unapprove(period=period, city=city, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"已取消{city.name}的审批。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("reporting:approvals", pk=period.pk)


# ---------------------------------------------------------------- 名录 on a date


def _as_of_region(user, form):
    """The county or 市州 the user chose (in scope), else the user's own region (None: province)."""
    code = form.cleaned_data.get("region") or ""
    if code:
        county = counties_in_scope(user).select_related("parent").filter(code=code).first()
        if county is not None:
            return county
        return get_object_or_404(cities_in_scope(user), code=code)
    scope = user_scope(user)
    if scope.county_id is not None:
        return counties_in_scope(user).select_related("parent").get(pk=scope.county_id)
    if scope.city_id is not None:
        return cities_in_scope(user).get(pk=scope.city_id)
    return None


def _counties_of(user, region):
    qs = counties_in_scope(user)
    if region is not None and region.is_county:
        return qs.filter(pk=region.pk)
    if region is not None:
        return qs.filter(parent=region)
    return qs


@login_required
def registry_as_of(request):
    """The registry as it stood at the end of a past day, for any region in the user's scope."""
    user = request.user
    if user_scope(user).level == Level.MARKET:
        raise PermissionDenied("窗口工作人员不能查看历史名录。")
    form = AsOfForm(request.GET or None)
    rows, region = None, None
    if form.is_valid():
        region = _as_of_region(user, form)
        rows = selectors.registry_rows_as_of(_counties_of(user, region), form.cleaned_data["date"])
        if request.GET.get("format") == "xlsx":
            day = form.cleaned_data["date"]
            content, filename = as_of_export(rows, user=user, division=region, day=day)
            audit_record(
                actor=user,
                action=AuditEvent.Action.EXPORT,
                county=region,
                target_repr=filename,
                changes={"source": "as_of", "period": day.isoformat(), "rows": len(rows)},
            )
            response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = download_disposition(filename)
            return response
    return render(
        request,
        "reporting/registry_as_of.html",
        {
            "form": form,
            "rows": rows,
            "region": region,
            "cities": cities_in_scope(user).order_by("code"),
            "counties": counties_in_scope(user).select_related("parent").order_by("code"),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
