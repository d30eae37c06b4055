from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from gigmarket.core.audit import audit_record
from gigmarket.core.exports import XLSX_CONTENT_TYPE as XLSX
from gigmarket.core.exports import Filing, download_disposition, issuing_unit, region_name, works_for
from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.models import AuditEvent, Role
from gigmarket.core.params import int_param
from gigmarket.core.scoping import (
    Level,
    cities_in_scope,
    counties_in_scope,
    get_object_in_scope,
    require_write,
    user_scope,
)
from markets.access import get_market_for_user
from markets.models import Market
from markets.services import public_cache_generation
from registry.models import WindowVisit

from . import channels, exports, selectors, services
from .access import get_rw_submission_for_user, get_submission_for_user
from .calendar import period_name
from .figures import DEFINITIONS, region_figures, table_rows
from .figures import trend as monitoring_trend
from .forms import MonitoringForm, ReasonForm, RuleForm
from .grains import BY_VALUE, GRAINS, buckets
from .models import ReportingPeriod, ReportingRule, Submission
from .monitoring_workbook import CHILD_HEADERS, monitoring_workbook
from .reality import reality_check
from .rollups import SHOWN_METRICS, M


def _error_text(exc):
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _attachment(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = download_disposition(filename)
    return response


# ---------------------------------------------------------------- periods


@login_required
def period_list(request):
    periods = list(selectors.periods_for_listing())
    current = selectors.current_period()
    mine = {}
    if request.user.role == Role.COUNTY and request.user.division_id:
        mine = {s.period_id: s for s in Submission.objects.filter(county_id=request.user.division_id)}
    rows = [(p, mine.get(p.pk)) for p in periods]
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/period_list.html",
        {"page": page, "current": current, "is_county": bool(mine) or request.user.role == Role.COUNTY},
    )


@login_required
def period_detail(request, pk):
    period = get_object_or_404(ReportingPeriod, pk=pk)
    board = selectors.period_board(period, request.user)
    mine = None
    if request.user.role == Role.COUNTY:
        mine = board["submissions"].get(request.user.division_id)
    return render(
        request,
        "reporting/period_detail.html",
        {"period": period, "board": board, "mine": mine, "reality": reality_check(request.user, period)},
    )


def _county_user_division(user):
    if user.role != Role.COUNTY or user.division_id is None:
        raise PermissionDenied("只有县级工作人员可以报送名录。")
    return user.division


@login_required
def period_review(request, pk):
    period = get_object_or_404(ReportingPeriod, pk=pk)
    county = _county_user_division(request.user)
    markets = list(services.county_markets(county))
    live = services.freeze_rows(markets)
    changes = selectors.registry_changes(county, period, live)
    submission = Submission.objects.filter(period=period, county=county).first()
    can_submit = request.user.can_write and (submission is None or submission.status == Submission.Status.RETURNED)
    return render(
        request,
        "reporting/period_review.html",
        {
            "period": period,
            "county": county,
            "live": live,
            "changes": changes,
            "problems": selectors.standard_problems(markets),
            "submission": submission,
            "can_submit": can_submit,
        },
    )


@login_required
@require_POST
def period_submit(request, pk):
    period = get_object_or_404(ReportingPeriod, pk=pk)
    require_write(request.user)
    county = _county_user_division(request.user)
    try:
        submission = services.submission_submit(period=period, county=county, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("reporting:period_review", pk=period.pk)
    messages.success(request, f"{period.name}名录已报送（{submission.market_count}个市场），等待市州审核。")
    return redirect("reporting:submission_detail", pk=submission.pk)


# ---------------------------------------------------------------- submissions


@login_required
def submission_list(request):
    qs = selectors.submissions_for_user(request.user)
    period_id = int_param(request.GET.get("period"))
    status = request.GET.get("status") or ""
    if period_id:
        qs = qs.filter(period_id=period_id)
    if status == "todo":
        qs = selectors.awaiting_action(request.user, qs)
    elif status in Submission.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("period", period_id), ("status", status)) if v})
    return render(
        request,
        "reporting/submission_list.html",
        {
            "page": page,
            "query": query,
            "periods": selectors.periods_for_listing(),
            "statuses": Submission.Status.choices,
            "period_id": period_id,
            "status": status,
        },
    )


@login_required
def submission_detail(request, pk):
    return _submission_page(request, get_submission_for_user(request.user, pk))


def _submission_page(request, submission, *, reason_form=None, status=200):
    """The submission page; a refused reason is shown again with what was typed (400)."""
    history = selectors.submission_history(submission)
    user = request.user
    can = {
        "forward": user.can_write
        and submission.status == Submission.Status.SUBMITTED
        and (user.is_superuser or (user.role == Role.CITY and user.division_id == submission.county.parent_id)),
        "accept": user.can_write
        and submission.status == Submission.Status.FORWARDED
        and (user.is_superuser or user.role == Role.PROVINCE),
        "unlock": user.can_write
        and submission.status == Submission.Status.ACCEPTED
        and (user.is_superuser or user.role == Role.PROVINCE),
    }
    can["return"] = can["forward"] or can["accept"]
    return render(
        request,
        "reporting/submission_detail.html",
        {
            "submission": submission,
            "rows": [item["row"] for item in submission.rows],
            "history": history,
            "changes": selectors.submission_changes(submission),
            # the county's 名录 against what its markets did in the period (issue 17)
            "reality": reality_check(user, submission.period, county=submission.county),
            "period": submission.period,
            "can": can,
            "reason_form": reason_form or ReasonForm(),
        },
        status=status,
    )


@login_required
@require_POST
def submission_action(request, pk, action):
    submission = get_rw_submission_for_user(request.user, pk)
    if action not in {"forward", "return", "accept", "unlock"}:
        raise Http404
    try:
        if action == "forward":
            services.submission_forward(submission=submission, by=request.user)
            messages.success(request, "已审核通过并上报省级。")
        elif action == "accept":
            services.submission_accept(submission=submission, by=request.user)
            messages.success(request, "已确认，该报送已锁定。")
        else:
            form = ReasonForm(request.POST)
            if not form.is_valid():
                messages.error(request, "；".join(form.errors["reason"]))
                return _submission_page(request, submission, reason_form=form, status=400)
            if action == "return":
                services.submission_return(submission=submission, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, "已退回县区重新报送。")
            else:
                services.submission_unlock(submission=submission, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, "已解锁，县区可重新报送。")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("reporting:submission_detail", pk=submission.pk)


# ---------------------------------------------------------------- 附件1 export


@login_required
def export_attachment1(request):
    user = request.user
    period = None
    if request.GET.get("period"):
        period = get_object_or_404(ReportingPeriod, pk=int_param(request.GET["period"]) or 0)
    county = city = None
    if request.GET.get("county"):
        county = get_object_or_404(counties_in_scope(user).select_related("parent"), code=request.GET["county"])
    elif request.GET.get("city"):
        city = get_object_or_404(cities_in_scope(user), code=request.GET["city"])
    elif user_scope(user).county_id is not None:
        county = get_object_or_404(counties_in_scope(user).select_related("parent"), pk=user_scope(user).county_id)
    elif user_scope(user).city_id is not None:
        city = get_object_or_404(cities_in_scope(user), pk=user_scope(user).city_id)
    content, filename, count = exports.attachment1_workbook(user=user, period=period, county=county, city=city)
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target=period,
        county=county or city,
        target_repr=filename,
        changes={"source": "snapshot" if period else "live", "rows": count},
    )
    return _attachment(content, filename, XLSX)


# ---------------------------------------------------------------- rules (省级)


@login_required
def rule_list(request):
    if not request.user.is_province_level:
        raise PermissionDenied("只有省级工作人员可以查看报送规则。")
    return render(request, "reporting/rule_list.html", {"rules": ReportingRule.objects.all()})


@login_required
def rule_edit(request, pk=None):
    if not request.user.is_province_level:
        raise PermissionDenied("只有省级工作人员可以修改报送规则。")
    require_write(request.user)
    rule = get_object_or_404(ReportingRule, pk=pk) if pk else ReportingRule()
    form = RuleForm(form_data(request), instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_save(rule=rule, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "报送规则已保存，报送期已按新规则更新。")
            return redirect("reporting:rule_list")
    return render(request, "reporting/rule_form.html", {"form": form, "rule": rule}, status=400 if form.errors else 200)


# ---------------------------------------------------------------- notifications


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.notifications_for(request.user, unread_only=unread_only)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/notification_list.html",
        {"page": page, "unread_only": unread_only, "query": "unread=1" if unread_only else ""},
    )


@login_required
@require_POST
def notification_mark_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    count = services.notifications_mark_read(user=request.user, ids=ids)
    messages.success(request, f"已将 {count} 条通知标记为已读。")
    return redirect("reporting:notifications")


@login_required
def notification_open(request, pk):
    note = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[note.pk])
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()}):
        return redirect(note.link)
    return redirect("reporting:notifications")


# ---------------------------------------------------------------- open data (public)


OPEN_DATA_CACHE_SECONDS = 10 * 60


def _open_data(fmt, build):
    """Public files are cached until any market changes (markets' cache generation), at most 10 minutes."""
    key = f"reporting:open:{fmt}:{public_cache_generation()}"
    content = cache.get(key)
    if content is None:
        content = build()
        cache.set(key, content, OPEN_DATA_CACHE_SECONDS)
    return content


def open_data_csv(request):
    content = _open_data("csv", exports.open_data_csv)
    return _attachment(content, "贵州省零工市场名录.csv", "text/csv; charset=utf-8")


def open_data_json(request):
    response = HttpResponse(_open_data("json", exports.open_data_json), content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


HISTORY_PERIODS = 12


@login_required
def completeness_history(request):
    """报送完整率、及时率 across the last reporting periods: per 市州, and per county of a 市州."""
    periods = list(selectors.periods_for_listing()[:HISTORY_PERIODS])[::-1]
    city = None
    if request.GET.get("city"):
        city = get_object_or_404(cities_in_scope(request.user), code=request.GET["city"])
    elif user_scope(request.user).level in (Level.CITY, Level.COUNTY, Level.MARKET):
        city = get_object_or_404(cities_in_scope(request.user))
    history = selectors.completeness_history(request.user, periods, city=city)
    chart = {
        "title": "",
        "labels": [p.name for p in periods],
        "y_max": 100,
        "y_title": "%",
        "series": [
            {"name": "完整率（%）", "colour": "#0d6efd", "values": [line.rate for line in history["total"]]},
            {"name": "及时率（%）", "colour": "#198754", "values": [line.timely_rate for line in history["total"]]},
        ],
    }
    return render(
        request,
        "reporting/completeness_history.html",
        {
            "periods": periods,
            "city": city,
            "history": history,
            "total_rows": list(zip(periods, history["total"], strict=True)),
            "chart": chart,
        },
    )


# ---------------------------------------------------------------- monitoring (notice 九)


def _monitoring_region(request):
    """(level, object) from ?city= / ?county= / ?market=, within the user's scope (404 outside)."""
    user = request.user
    if request.GET.get("market", "").isdigit():
        return "market", get_market_for_user(user, request.GET["market"])
    if request.GET.get("county"):
        return "county", get_object_or_404(counties_in_scope(user).select_related("parent"), code=request.GET["county"])
    if request.GET.get("city"):
        return "city", get_object_or_404(cities_in_scope(user), code=request.GET["city"])
    if user.role == Role.CLERK and user.market_id:
        return "market", get_market_for_user(user, user.market_id)
    if user.role == Role.COUNTY:
        return "county", get_object_or_404(counties_in_scope(user).select_related("parent"), pk=user.division_id)
    if user.role == Role.CITY:
        return "city", get_object_or_404(cities_in_scope(user), pk=user.division_id)
    scope = user_scope(user)
    if scope.level == Level.MARKET and scope.market_id:
        return "market", get_object_in_scope(Market.objects.select_related("county__parent"), user, pk=scope.market_id)
    if scope.level == Level.COUNTY:
        return "county", get_object_or_404(counties_in_scope(user).select_related("parent"), pk=scope.county_id)
    if scope.level == Level.CITY:
        return "city", get_object_or_404(cities_in_scope(user), pk=scope.city_id)
    if scope.level == Level.NONE:
        raise Http404
    return "province", None


def monitoring_title(region, period_label):
    """贵州省零工市场运行监测（…） / 贵阳市南明区零工市场运行监测（…） / <market name>运行监测（…）."""
    level, obj = region
    if level == "market":
        return f"{obj.name}运行监测（{period_label}）"
    return f"{region_name(obj) or '贵州省'}零工市场运行监测（{period_label}）"


class _BadFrame(Exception):
    def __init__(self, form):
        self.form = form


def _monitoring_context(request):
    """(frame, region, figures, title): frame is the form's cleaned data (grain, start, end,
    period). A bad date or range raises _BadFrame with the form and its Chinese message."""
    periods = list(selectors.periods_for_listing())
    if not periods:
        raise Http404
    form = MonitoringForm(request.GET, periods=periods)
    if not form.is_valid():
        raise _BadFrame(form)
    frame = form.cleaned_data
    frame["periods"] = periods
    start, end, period = frame["start"], frame["end"], frame["period"]
    label = period.name if period and (period.start, period.end) == (start, end) else period_name(start, end)
    frame["label"] = label
    region = _monitoring_region(request)
    figures = region_figures(request.user, region, start, end)
    return frame, region, figures, monitoring_title(region, label)


def _bad_frame(request, form):
    return render(
        request,
        "reporting/monitoring.html",
        {"title": "零工市场运行监测", "form": form, "grains": GRAINS, "definitions": DEFINITIONS},
        status=400,
    )


TREND_SERIES = [(M.HEADCOUNT, "#0d6efd"), (M.NEW_SEEKERS, "#198754"), (M.VISITS, "#fd7e14"), (M.MATCHES, "#6f42c1")]


def chart_data(figures_list, series=TREND_SERIES, *, title=""):
    """The data a chart draws (static/js/charts.js reads it from a json_script element)."""
    return {
        "title": title,
        "labels": [f.label for f in figures_list],
        "series": [{"name": str(m.label), "colour": c, "values": [f.get(m) for f in figures_list]} for m, c in series],
    }


@login_required
def monitoring_dashboard(request):
    try:
        frame, region, figures, title = _monitoring_context(request)
    except _BadFrame as bad:
        return _bad_frame(request, bad.form)
    level, obj = region
    start, end, grain = frame["start"], frame["end"], frame["grain"]
    trend = monitoring_trend(request.user, region, buckets(grain, start, end, frame["periods"]))
    child_param = {"province": "city", "city": "county", "county": "market"}.get(level)

    windows = [(label, figures["windows"].get(value, 0)) for value, label in WindowVisit.Window.choices]
    crumbs = []
    if level in ("city", "county", "market"):
        crumbs.append(("贵州省", "") if request.user.is_province_level else None)
    if level == "county":
        crumbs.append((obj.parent.name, f"city={obj.parent.code}"))
    if level == "market":
        crumbs.append((obj.county.parent.name, f"city={obj.county.parent.code}"))
        crumbs.append((obj.county.name, f"county={obj.county.code}"))
    query = request.GET.urlencode()
    # the time frame, kept by every drill-down link
    keep = urlencode({"grain": grain, "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"})
    # the county divisions already loaded: a 市州's counties (its children), or the county itself
    known = [obj] if level == "county" else [f.key for f in figures["children"] if level == "city" and f.key]
    channel_rows, channel_total = channels.channel_figures(request.user, region, start, end, known=known)
    grain_label = BY_VALUE[grain].label
    return render(
        request,
        "reporting/monitoring.html",
        {
            "title": title,
            "form": MonitoringForm(
                {"grain": grain, "start": start, "end": end, "period": frame["period"].pk if frame["period"] else ""},
                periods=frame["periods"],
            ),
            "frame": frame,
            "on_period": frame["period"] is not None and (frame["period"].start, frame["period"].end) == (start, end),
            "grain_label": grain_label,
            "keep": keep,
            "level": level,
            "region": obj,
            "figures": figures,
            "definitions": DEFINITIONS,
            "headers": [m.label for m in SHOWN_METRICS],
            "totals": [(m, figures["total"].get(m)) for m in SHOWN_METRICS],
            "trend_rows": table_rows(trend),
            "chart": chart_data(trend, title=f"趋势（按{grain_label}）"),
            "child_rows": table_rows(figures["children"], child_param),
            "child_header": CHILD_HEADERS[level],
            "trade_rows": table_rows(figures["trades"]),
            "windows": windows,
            "crumbs": [c for c in crumbs if c],
            "query": query,
            "channel_rows": channel_rows,
            "channel_body": channels.channel_table_rows(channel_rows),
            "channel_foot": channels.channel_total_row(channel_total),
        },
    )


@login_required
def monitoring_export(request):
    try:
        frame, region, figures, title = _monitoring_context(request)
    except _BadFrame as bad:
        return _bad_frame(request, bad.form)
    period = frame["period"]
    level, obj = region
    division = obj.county if level == "market" else obj
    user = request.user
    mine = works_for(user, division)
    today = timezone.localdate()
    filing = Filing(
        unit=issuing_unit(division),
        person=user.display_name if mine else "",
        phone=user.phone if mine else "",
        date=today if mine else None,
        source=f"统计期：{frame['start']:%Y年%m月%d日}至{frame['end']:%Y年%m月%d日}",
    )
    grain = frame["grain"]
    trend = monitoring_trend(user, region, buckets(grain, frame["start"], frame["end"], frame["periods"]))
    content = monitoring_workbook(
        title=title, figures=figures, level=level, filing=filing, trend=trend, grain_label=BY_VALUE[grain].label
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target=period,
        county=division,
        target_repr=title,
        changes={"kind": "monitoring", "region": level, "range": f"{frame['start']}至{frame['end']}"},
    )
    return _attachment(content, f"{title}.xlsx", XLSX)
