"""Pages of the 欠薪 block (its override) and of wage settlement at 完工."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from gigmarket.core.scoping import get_object_in_scope, require_write
from registry.models import Employer

from . import arrears, selectors
from . import settlement as wage_settlement
from .access import get_rw_match_for_user
from .match_page import match_detail_context, settlement_of
from .models import ArrearsOverride
from .wage_forms import ArrearsOverrideForm, WageSettlementForm

PAGE_SIZE = 25


def get_employer_for_user(user, pk):
    return get_object_in_scope(Employer.objects.select_related("county"), user, pk=pk)


def _errors(exc):
    return "；".join(exc.messages)


# The 欠薪 block ------------------------------------------------------------------------


def _arrears_page(request, employer, form, status=200):
    block = arrears.arrears_block(employer.pk)
    return render(
        request,
        "matching/arrears_detail.html",
        {
            "employer": employer,
            "arrears": block,
            "overrides": employer.arrears_overrides.select_related("granted_by", "revoked_by"),
            "form": form,
            "can_override": arrears.can_override(request.user, employer),
        },
        status=status,
    )


@login_required
def arrears_detail(request, employer_pk):
    employer = get_employer_for_user(request.user, employer_pk)
    return _arrears_page(request, employer, ArrearsOverrideForm())


@login_required
@require_POST
def arrears_override(request, employer_pk):
    require_write(request.user)
    employer = get_employer_for_user(request.user, employer_pk)
    if not arrears.can_override(request.user, employer):
        raise PermissionDenied("只有用工主体所在县(市、区)人社部门可以核准放行。")
    form = ArrearsOverrideForm(request.POST)
    if form.is_valid():
        try:
            arrears.arrears_override_grant(employer=employer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"已核准放行“{employer.name}”至{form.cleaned_data['valid_until']:%Y-%m-%d}。")
            return redirect("matching:arrears_detail", employer_pk=employer.pk)
    return _arrears_page(request, employer, form, status=400)


@login_required
@require_POST
def arrears_revoke(request, pk):
    require_write(request.user)
    override = get_object_in_scope(ArrearsOverride.objects.select_related("employer"), request.user, pk=pk)
    if not arrears.can_override(request.user, override.employer):
        raise PermissionDenied("只有用工主体所在县(市、区)人社部门可以撤销放行。")
    _, changed = arrears.arrears_override_revoke(override=override, by=request.user)
    if changed:
        messages.success(request, "已撤销放行：该用工主体的欠薪案件办结前，暂停发布用工需求和确认用工。")
    else:
        messages.info(request, "该放行已撤销。")
    return redirect("matching:arrears_detail", employer_pk=override.employer_id)


# Wage settlement --------------------------------------------------------------------------

FILTERS = {
    "todo": ("待登记/待确认", lambda qs: qs.exclude(wage_settlement__worker_confirmed_at__isnull=False)),
    "short": (
        "少付/未付",
        lambda qs: qs.filter(wage_settlement__worker_confirmed_at__isnull=False).exclude(
            wage_settlement__amount_paid__gte=F("wage_settlement__wage_due")
        ),
    ),
    "case": ("已转欠薪案件", lambda qs: qs.filter(wage_settlement__arrears_case__isnull=False)),
    "all": ("全部", lambda qs: qs),
}


@login_required
def wage_list(request):
    status = request.GET.get("status", "todo")
    if status not in FILTERS:
        status = "todo"
    qs = FILTERS[status][1](wage_settlement.settlements_worklist(selectors.matches_for(request.user)))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    records = wage_settlement.employer_pay_records({m.employer_id for m in rows})
    for m in rows:
        m.settlement = getattr(m, "wage_settlement", None)
        m.due_date = wage_settlement.due_date(m)
        m.pay_record = records.get(m.employer_id)
    return render(
        request,
        "matching/wage_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "filters": [(key, label) for key, (label, _) in FILTERS.items()],
            "query": urlencode({"status": status}),
            "days": wage_settlement.payment_days(),
        },
    )


@login_required
@require_POST
def wage_record(request, pk):
    require_write(request.user)
    match = get_rw_match_for_user(request.user, pk)
    form = WageSettlementForm(request.POST)
    if form.is_valid():
        try:
            wage_settlement.wage_settlement_record(match=match, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "已登记工资结算，请零工核对后在窗口确认。")
            return redirect("matching:match_detail", pk=match.pk)
    context = match_detail_context(request, match)
    context.update(wage_form=form)
    return render(request, "matching/match_detail.html", context, status=400)


@login_required
@require_POST
def wage_confirm(request, pk):
    require_write(request.user)
    match = get_rw_match_for_user(request.user, pk)
    settlement = settlement_of(match)
    if settlement is None:
        messages.error(request, "请先登记工资结算，再请零工确认。")
        return redirect("matching:match_detail", pk=match.pk)
    try:
        settlement, changed = wage_settlement.wage_settlement_confirm(settlement=settlement, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if changed:
            messages.success(request, f"{match.worker.name}已现场确认工资结算。")
        else:
            messages.info(request, "零工已确认过该工资结算。")
    return redirect("matching:match_detail", pk=match.pk)
