"""Pages of subsidies: applications at the window, county review and payment, totals, the finance export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gigmarket.core.exports import Filing, audit_export, issuing_unit, works_for, xlsx_response
from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.scoping import get_object_in_scope, require_write, scope_queryset, user_scope

from . import subsidies
from .models import SubsidyApplication, SubsidyKind, Worker
from .subsidy_forms import ApproveForm, PayForm, ReturnForm, SubsidyApplicationForm

PAGE_SIZE = 25


def get_application_for_user(user, pk):
    return get_object_in_scope(
        SubsidyApplication.objects.select_related(
            "worker", "county", "training_signup__offer", "submitted_by", "reviewed_by", "paid_by"
        ),
        user,
        pk=pk,
    )


def applications_for(user):
    return scope_queryset(SubsidyApplication.objects.select_related("worker", "county"), user)


@login_required
def subsidy_list(request):
    qs = applications_for(request.user)
    status = request.GET.get("status", "")
    if status in SubsidyApplication.Status.values:
        qs = qs.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in SubsidyKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/subsidy_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": SubsidyApplication.Status.choices,
            "kinds": SubsidyKind.choices,
            "rules": subsidies.RULES.values(),
            "query": urlencode({k: v for k, v in (("status", status), ("kind", kind)) if v}),
        },
    )


@login_required
@never_cache
def subsidy_create(request, worker_pk):
    require_write(request.user)
    worker = get_object_in_scope(Worker.objects.select_related("county"), request.user, pk=worker_pk)
    form = SubsidyApplicationForm(form_data(request), worker=worker)
    if request.method == "POST" and form.is_valid():
        try:
            app = subsidies.subsidy_apply(worker=worker, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已受理{worker.name}的{app.get_kind_display()}申请，待县级审核。")
            return redirect("registry:subsidy_detail", pk=app.pk)
    return render(
        request,
        "registry/subsidy_form.html",
        {"form": form, "worker": worker, "rules": subsidies.RULES.values()},
        status=400 if form.errors else 200,
    )


def _detail(request, app, forms=None, status=200):
    forms = forms or {}
    return render(
        request,
        "registry/subsidy_detail.html",
        {
            "app": app,
            "rule": subsidies.RULES[SubsidyKind(app.kind)],
            "failures": subsidies.check_application(app) if app.status == "submitted" else [],
            "can_review": subsidies.can_review(request.user, app.county_id),
            "approve_form": forms.get("approve") or ApproveForm(initial={"amount": app.amount_requested}),
            "pay_form": forms.get("pay") or PayForm(initial={"amount": app.amount_approved}),
            "return_form": forms.get("return") or ReturnForm(),
        },
        status=status,
    )


@login_required
@never_cache
def subsidy_detail(request, pk):
    return _detail(request, get_application_for_user(request.user, pk))


ACTIONS = {
    "approve": (ApproveForm, subsidies.subsidy_approve, "已核准。"),
    "pay": (PayForm, subsidies.subsidy_pay, "已登记发放。"),
    "return": (ReturnForm, subsidies.subsidy_return, "已退回。"),
}


@login_required
@require_POST
def subsidy_action(request, pk, action):
    require_write(request.user)
    app = get_application_for_user(request.user, pk)
    if action not in ACTIONS:
        return redirect("registry:subsidy_detail", pk=app.pk)
    if not subsidies.can_review(request.user, app.county_id):
        raise PermissionDenied("只有申请人所在县(市、区)人社部门可以审核和发放补贴。")
    form_class, run, done = ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(application=app, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("registry:subsidy_detail", pk=app.pk)
    return _detail(request, app, forms={action: form}, status=400)


def _year(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
def subsidy_totals(request):
    year = _year(request)
    rows = subsidies.totals(scope_queryset(SubsidyApplication.objects.all(), request.user), year=year)
    return render(
        request,
        "registry/subsidy_totals.html",
        {
            "year": year,
            "rows": rows,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "total_approved": sum(r["approved"] for r in rows),
            "total_paid": sum(r["paid"] for r in rows),
        },
    )


@login_required
def subsidy_export(request):
    year = _year(request)
    scoped = scope_queryset(SubsidyApplication.objects.all(), request.user)
    summary = subsidies.totals(scoped, year=year)
    paid = list(
        scoped.filter(status=SubsidyApplication.Status.PAID, paid_on__year=year)
        .select_related("worker", "county")
        .order_by("county__code", "paid_on", "pk")
    )
    title = f"{year}年就业补贴核准发放汇总"
    division = request.user.division if user_scope(request.user).division_id else None  # None: the province
    mine = works_for(request.user, division)
    filing = Filing(
        unit=issuing_unit(division),
        person=request.user.display_name if mine else "",
        phone=request.user.phone if mine else "",
        date=timezone.localdate() if mine else None,
        source=f"统计年度：{year}年（按核准、发放日期）",
    )
    workbook = subsidies.finance_workbook(title=title, summary=summary, paid=paid, filing=filing)
    county = division
    audit_export(by=request.user, what=title, row_count=len(paid), county=county, filters={"year": year})
    return xlsx_response(workbook, f"{title}.xlsx")
