"""Market pages: staff list/detail/create/edit/close, import/export, compliance, trades, public 名录."""

import hashlib
import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from gigmarket.core.exports import gc_paused, xlsx_bytes_response
from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.scoping import Level, cities_in_scope, counties_in_scope, require_write, user_scope

from . import selectors, services
from .access import get_market_for_user, get_rw_market_for_user
from .attachment1 import COLUMNS, live_export, market_rows, read_attachment1
from .attachment1 import import_template as attachment1_import_template
from .forms import (
    CloseForm,
    ImportForm,
    MarketFilterForm,
    MarketForm,
    OpeningPeriodFormSet,
    PublicSearchForm,
    TradeForm,
    periods_initial,
)
from .models import Market, MarketVersion, Trade, hours_text
from .rows import MarketRows
from .standards import ITEMS, ITEMS_BY_KEY, check_market, summarise

log = logging.getLogger(__name__)

EXPORT_MAX_ROWS = 20000


def _require_market_writer(user):
    require_write(user)
    if not selectors.can_edit_markets(user):
        raise PermissionDenied("您没有维护零工市场信息的权限。")


def _query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _filtered_markets(request):
    user = request.user
    form = MarketFilterForm(request.GET or None, counties=counties_in_scope(user), cities=cities_in_scope(user))
    filters = form.filters()
    qs = selectors.market_list(
        user,
        county=filters.get("county"),
        city=filters.get("city"),
        status=filters.get("status", ""),
        kind=filters.get("kind", ""),
        nature=filters.get("nature", ""),
        trade=filters.get("trade"),
        q=filters.get("q", ""),
    )
    return form, filters, qs


@login_required
def market_list(request):
    form, _filters, qs = _filtered_markets(request)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "markets/market_list.html",
        {
            "form": form,
            "page": page,
            "table_rows": MarketRows().render(page),
            "query": _query_without_page(request),
            "can_edit": selectors.can_edit_markets(request.user),
        },
    )


@login_required
def market_detail(request, pk):
    market = get_market_for_user(request.user, pk)
    versions = list(selectors.market_history(market)[:50])
    check = check_market(market)
    open_records = selectors.open_rectifications_by_item(market)
    return render(
        request,
        "markets/market_detail.html",
        {
            "market": market,
            "check": check,
            "check_rows": [(item, open_records.get(item.key)) for item in check.items],
            "can_rectify": request.user.can_write and market.status != Market.Status.CLOSED,
            "hours": hours_text(market.opening_periods.all()),
            "versions": versions,
            "field_labels": _field_labels(),
            "can_edit": selectors.can_edit_markets(request.user),
            "public_url": _public_url(market),
        },
    )


def _field_labels():
    labels = {f.name: str(f.verbose_name) for f in Market._meta.get_fields() if hasattr(f, "verbose_name")}
    labels.update({"trades": "服务工种", "hours": "运行时间", "reason": "撤销原因"})
    return labels


def _save_market_form(request, *, market=None):
    form = MarketForm(form_data(request), instance=market, user=request.user)
    initial = periods_initial(market) if market else []
    periods = OpeningPeriodFormSet(form_data(request), initial=initial or None, prefix="hours")
    if request.method == "POST" and form.is_valid() and periods.is_valid():
        try:
            if market is None:
                market = services.market_create(
                    county=form.cleaned_data["county"],
                    data=form.record_data(),
                    trades=form.cleaned_data["trades"],
                    periods=periods.periods(),
                    by=request.user,
                )
                messages.success(request, f"已新增 {market.name}。")
            else:
                market = services.market_update(
                    market=market,
                    data=form.record_data(),
                    trades=form.cleaned_data["trades"],
                    periods=periods.periods(),
                    by=request.user,
                )
                messages.success(request, f"已保存 {market.name}。")
            return redirect("markets:detail", market.pk), None
        except ValidationError as exc:
            add_service_error(form, exc)
    return None, {"form": form, "periods": periods, "market": market}


def _render_market_form(request, context):
    # A POST that gets here saved nothing: the form, its hours or the service refused it.
    return render(request, "markets/market_form.html", context, status=400 if request.method == "POST" else 200)


@login_required
def market_create(request):
    _require_market_writer(request.user)
    response, context = _save_market_form(request)
    return response or _render_market_form(request, context)


@login_required
def market_edit(request, pk):
    _require_market_writer(request.user)
    market = get_rw_market_for_user(request.user, pk)
    response, context = _save_market_form(request, market=market)
    return response or _render_market_form(request, context)


@login_required
def market_close(request, pk):
    _require_market_writer(request.user)
    market = get_rw_market_for_user(request.user, pk)
    if market.status == Market.Status.CLOSED:
        messages.info(request, "该零工市场已撤销。")
        return redirect("markets:detail", market.pk)
    form = CloseForm(form_data(request), initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.market_close(
                market=market,
                closed_on=form.cleaned_data["closed_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已撤销 {market.name}。记录保留，可在列表中按状态“已撤销”查看。")
            return redirect("markets:detail", market.pk)
    return render(
        request, "markets/market_close.html", {"form": form, "market": market}, status=400 if form.errors else 200
    )


@login_required
def market_version(request, pk, number):
    market = get_market_for_user(request.user, pk)
    version = get_object_or_404(MarketVersion.objects.select_related("actor"), market=market, number=number)
    row = version.snapshot.get("row", {})
    cells = [(c.header, row.get(c.key, "")) for c in COLUMNS if c.key != "seq"]
    return render(request, "markets/market_version.html", {"market": market, "version": version, "cells": cells})


# ------------------------------------------------------------------ export / import


def _export_division(user, filters):
    """The region a filtered market list covers: the county or 市州 filtered on, else the user's own."""
    if filters.get("county") is not None:
        return filters["county"]
    if filters.get("city") is not None:
        return filters["city"]
    division = user.division if user.division_id else None
    if division is not None and not (division.is_county or division.is_city):
        return None
    return division


@login_required
def market_export(request):
    form, filters, qs = _filtered_markets(request)
    user = request.user
    with gc_paused():  # thousands of markets held until the file is written
        rows = market_rows(selectors.market_row_values(qs[:EXPORT_MAX_ROWS]))
        content, filename = live_export(rows, user=user, division=_export_division(user, filters))
    services.markets_export_record(by=user, count=len(rows), filters=form.filter_labels())
    return xlsx_bytes_response(content, filename)


@login_required
def market_import(request):
    _require_market_writer(request.user)
    form = ImportForm(form_data(request), request.FILES if request.method == "POST" else None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        sheet = read_attachment1(upload)
        errors = sheet.errors
        if not errors:
            allowed = set(counties_in_scope(request.user).values_list("id", flat=True))
            try:
                created, updated = services.markets_import(
                    rows=sheet.rows, allowed_county_ids=allowed, by=request.user, filename=upload.name
                )
            except services.ImportRejected as exc:
                errors = exc.errors
            else:
                messages.success(request, f"导入成功：新增 {created} 个，更新 {updated} 个零工市场。")
                return redirect("markets:list")
    status = 400 if request.method == "POST" else 200  # a POST that gets here imported nothing
    return render(request, "markets/market_import.html", {"form": form, "errors": errors}, status=status)


@login_required
def import_template(request):
    counties = counties_in_scope(request.user).filter(is_active=True).select_related("parent").order_by("code")
    content, filename = attachment1_import_template(list(counties))
    return xlsx_bytes_response(content, filename)


# ------------------------------------------------------------------ compliance


@login_required
def compliance(request):
    user = request.user
    markets = selectors.markets_in_scope_for_check(user)
    city = county = None
    if request.GET.get("county"):
        county = get_object_or_404(counties_in_scope(user), pk=_int(request.GET["county"]))
        markets = markets.filter(county=county)
    elif request.GET.get("city"):
        city = get_object_or_404(cities_in_scope(user), pk=_int(request.GET["city"]))
        markets = markets.filter(county__parent=city)
    item = ITEMS_BY_KEY.get(request.GET.get("item", ""))
    markets = list(markets)
    level = user_scope(user).level
    if county is not None or item is not None or level in (Level.COUNTY, Level.MARKET):
        checks = [check_market(m) for m in markets]
        if item is not None:
            checks = [c for c in checks if any(i.key == item.key for i in c.missed)]
        _rows, total = summarise(markets, key=lambda m: (None, ""))
        context = {"level": "markets", "checks": checks}
    elif city is not None or level == Level.CITY:
        rows, total = summarise(markets, key=lambda m: (m.county_id, m.county.name))
        context = {"level": "county", "rows": rows}
    else:
        rows, total = summarise(markets, key=lambda m: (m.county.parent_id, m.county.parent.name))
        context = {"level": "city", "rows": rows}
    context.update({"items": ITEMS, "total": total, "city": city, "county": county, "item": item})
    return render(request, "markets/compliance.html", context)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404("参数无效") from exc


# ------------------------------------------------------------------ trades


@login_required
def trade_list(request):
    trades = Trade.objects.all()
    return render(
        request, "markets/trade_list.html", {"trades": trades, "can_manage": selectors.can_manage_trades(request.user)}
    )


def _require_trade_manager(user):
    require_write(user)
    if not selectors.can_manage_trades(user):
        raise PermissionDenied("只有省级工作人员可以维护工种目录。")


@login_required
def trade_create(request):
    _require_trade_manager(request.user)
    form = TradeForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            trade = services.trade_create(data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已新增工种 {trade.name}。")
            return redirect("markets:trade_list")
    return render(request, "markets/trade_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def trade_edit(request, pk):
    _require_trade_manager(request.user)
    trade = get_object_or_404(Trade, pk=pk)
    form = TradeForm(form_data(request), instance=trade)
    if request.method == "POST" and form.is_valid():
        try:
            services.trade_update(trade=Trade.objects.get(pk=pk), data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已保存工种 {form.cleaned_data['name']}。")
            return redirect("markets:trade_list")
    return render(
        request, "markets/trade_form.html", {"form": form, "trade": trade}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def trade_toggle(request, pk):
    _require_trade_manager(request.user)
    trade = get_object_or_404(Trade, pk=pk)
    services.trade_update(trade=trade, data={"is_active": not trade.is_active}, by=request.user)
    messages.success(request, f"已{'启用' if trade.is_active else '停用'}工种 {trade.name}。")
    return redirect("markets:trade_list")


# ------------------------------------------------------------------ public 名录 (no login)


def _public_url(market):
    return settings.SITE_URL + reverse("markets:directory_detail", args=[market.pk])


# The query parameters the directory uses; anything else (utm_…, junk) is ignored, so it
# neither changes the page nor adds a cache entry.
DIRECTORY_PARAMS = ("q", "city", "county", "trade", "page")


def _directory_params(request):
    """The directory's parameters as the page uses them: known names only, stripped, empty
    ones dropped, ids and the page number as digits (a non-number is no filter / page 1)."""
    params = {}
    for name in DIRECTORY_PARAMS:
        value = request.GET.get(name, "").strip()
        if name in ("city", "county", "trade", "page") and not value.isdigit():
            continue
        if name == "page" and int(value) <= 1:
            continue
        if value:
            params[name] = value
    return params


def _cached_public(request, render_page, *, key):
    """Serve anonymous visitors from the cache under `key()` (built from the generation tokens
    and the parameters the page uses, never the raw query string)."""
    if request.user.is_authenticated:
        return render_page()
    # The cache is a speed-up only: with Redis down the page is served from the database.
    try:
        key = "markets:public:" + hashlib.sha256(key().encode()).hexdigest()
        hit = cache.get(key)
    except Exception as exc:  # redis-py raises its own ConnectionError / TimeoutError
        log.warning("cache unavailable (public page served without it): %s", exc)
        return render_page()
    if hit is not None:
        status, content_type, body = hit
        return HttpResponse(body, status=status, content_type=content_type)
    response = render_page()
    if response.status_code in (200, 404):
        try:
            cache.set(
                key, (response.status_code, response["Content-Type"], response.content), settings.PUBLIC_CACHE_SECONDS
            )
        except Exception as exc:
            log.warning("cache unavailable (public page not stored): %s", exc)
    return response


def directory(request):
    params = _directory_params(request)

    def render_page():
        cities = selectors.cities_with_public_markets().order_by("code")
        form = PublicSearchForm(
            QueryDict(urlencode({k: v for k, v in params.items() if k != "page"})) or None,
            cities=cities,
            counties=selectors.counties_with_public_markets().select_related("parent"),
            trades=selectors.active_trades(),
        )
        filters = form.cleaned_data if form.is_valid() else {}
        qs = selectors.public_markets(
            city=filters.get("city"), county=filters.get("county"), trade=filters.get("trade"), q=filters.get("q", "")
        )
        page = Paginator(qs, 20).get_page(params.get("page"))
        entries = [(m, hours_text(m.opening_periods.all())) for m in page]
        query = urlencode({k: v for k, v in params.items() if k != "page"})
        return render(
            request,
            "public/directory.html",
            {"form": form, "page": page, "entries": entries, "query": query},
        )

    def key():
        return f"directory:{services.public_cache_generation()}:{urlencode(sorted(params.items()))}"

    return _cached_public(request, render_page, key=key)


def _public_market(pk):
    qs = selectors.public_markets()
    return get_object_or_404(qs, pk=pk)


def directory_detail(request, pk):
    def render_page():
        try:
            market = _public_market(pk)
        except Http404:
            return render(request, "404.html", status=404)
        url = _public_url(market)
        qr = segno.make(url, error="m").svg_inline(scale=5, title=f"{market.name} 二维码")
        return render(
            request,
            "public/directory_detail.html",
            {"market": market, "hours": hours_text(market.opening_periods.all()), "qr_svg": qr, "public_url": url},
        )

    # The page uses no query parameter: one entry per market, whatever the query string.
    return _cached_public(request, render_page, key=lambda: f"detail:{pk}:{services.public_market_generation(pk)}")


def directory_qr(request, pk):
    market = get_object_or_404(Market.objects.filter(status=Market.Status.OPERATING).only("pk", "name"), pk=pk)
    svg = segno.make(_public_url(market), error="m").svg_inline(scale=10, border=2)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="market-{market.pk}-qr.svg"'
    return response


@login_required
def market_qr(request, pk):
    """Staff download of the sign QR code (works for markets not yet public, e.g. before opening)."""
    market = get_market_for_user(request.user, pk)
    svg = segno.make(_public_url(market), error="m").svg_inline(scale=10, border=2)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="market-{market.pk}-qr.svg"'
    return response
