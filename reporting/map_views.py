"""The map of Guizhou, the 省级通报 and the 名录 reality check (issue 17)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from gigmarket.core.exports import Filing, audit_export, issuing_unit, works_for, xlsx_bytes_response
from gigmarket.core.scoping import Level, user_scope

from . import map_html, selectors
from .bulletin import ACTIVITY, bulletin_lines, bulletin_title, bulletin_workbook, ranking_sentence
from .map import DEFINITIONS, FIGURES, map_context
from .models import ReportingPeriod
from .reality import reality_check


def _chosen_period(request):
    periods = list(selectors.periods_for_listing())
    if not periods:
        raise Http404
    chosen = request.GET.get("period", "")
    return next((p for p in periods if str(p.pk) == chosen), periods[0]), periods


@login_required
def guizhou_map(request):
    if user_scope(request.user).level == Level.NONE:
        raise Http404
    period, periods = _chosen_period(request)
    figure = request.GET.get("figure", "")
    if figure not in FIGURES:
        figure = "compliance"
    data = map_context(request.user, period, figure)
    return render(
        request,
        "reporting/map.html",
        {
            "period": period,
            "periods": periods,
            "figure": figure,
            "figure_label": FIGURES[figure],
            "definition": DEFINITIONS[figure],
            "figures": FIGURES,
            "map": data,
            "county_shapes": map_html.county_shapes(data, period),
            "market_circles": map_html.market_circles(data),
            "county_rows": map_html.county_table_rows(data, period),
        },
    )


def _province_only(user):
    if not user.is_province_level:
        raise PermissionDenied("省级通报由省级工作人员查看和下发。")


@login_required
def bulletin(request, pk):
    _province_only(request.user)
    period = get_object_or_404(ReportingPeriod, pk=pk)
    lines, total = bulletin_lines(request.user, period)
    return render(
        request,
        "reporting/bulletin.html",
        {
            "period": period,
            "title": bulletin_title(period),
            "lines": lines,
            "total": total,
            "ranking": ranking_sentence(lines),
            "activity_headers": [m.label for m in ACTIVITY],
            "reality": reality_check(request.user, period),
            "issued_on": timezone.localdate(),
        },
    )


@login_required
def bulletin_export(request, pk):
    _province_only(request.user)
    period = get_object_or_404(ReportingPeriod, pk=pk)
    lines, total = bulletin_lines(request.user, period)
    mine = works_for(request.user, None)
    filing = Filing(
        unit=issuing_unit(None),
        person=request.user.display_name if mine else "",
        phone=request.user.phone if mine else "",
        date=timezone.localdate() if mine else None,
        source=f"统计期：{period.start:%Y年%m月%d日}至{period.end:%Y年%m月%d日}",
    )
    content = bulletin_workbook(period=period, lines=lines, total=total, filing=filing)
    audit_export(by=request.user, what="bulletin", row_count=len(lines), filters={"period": period.pk})
    return xlsx_bytes_response(content, f"{bulletin_title(period)}.xlsx")


@login_required
def reality(request, pk):
    """The reality check of one period in the user's scope (the reviewer's section)."""
    if user_scope(request.user).level == Level.NONE:
        raise Http404
    period = get_object_or_404(ReportingPeriod, pk=pk)
    return render(
        request,
        "reporting/bulletin_reality_page.html",
        {"period": period, "reality": reality_check(request.user, period)},
    )
