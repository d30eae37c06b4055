"""整改 pages: the scoped list, a record's page (history, photos, update / photo / close
forms), opening one from a market's standard check, and the scoped photo view.

Every record is fetched through `access` (out of scope: 404); writes refuse read-only
roles (403). A refused write shows the page again with what was typed (400).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.scoping import Level, counties_in_scope, user_scope

from . import rectification as services
from . import selectors
from .access import (
    get_rectification_evidence_for_user,
    get_rectification_for_user,
    get_rw_market_for_user,
    get_rw_rectification_for_user,
)
from .forms import RectificationCloseForm, RectificationEvidenceForm, RectificationFilterForm, RectificationForm
from .models import Market
from .standards import ITEMS_BY_KEY, check_market


@login_required
def rectification_list(request):
    user = request.user
    form = RectificationFilterForm(request.GET or None, counties=counties_in_scope(user))
    if user_scope(user).level in (Level.COUNTY, Level.MARKET):
        del form.fields["county"]
    filters = form.filters()
    today = timezone.localdate()
    qs = selectors.rectification_list(
        user,
        status=filters.get("status", ""),
        overdue=filters.get("overdue", False),
        county=filters.get("county"),
        today=today,
    )
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "markets/rectification_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(r, r.days_overdue(today)) for r in page],
            "query": params.urlencode(),
        },
    )


def _detail_context(request, rectification, **forms):
    evidence = selectors.rectification_evidence(rectification)
    can_write = request.user.can_write and rectification.is_open
    context = {
        "rectification": rectification,
        "market": rectification.market,
        "days_overdue": rectification.days_overdue(),
        "evidence": evidence,
        "history": selectors.rectification_history(rectification, evidence),
        "can_write": can_write,
    }
    if can_write:
        context["update_form"] = forms.get("update_form") or RectificationForm(
            initial={
                "deadline": rectification.deadline,
                "responsible_person": rectification.responsible_person,
                "responsible_phone": rectification.responsible_phone,
                "note": rectification.note,
            }
        )
        context["evidence_form"] = forms.get("evidence_form") or RectificationEvidenceForm()
        context["close_form"] = forms.get("close_form") or RectificationCloseForm()
    return context


def _render_detail(request, rectification, *, status=200, **forms):
    return render(
        request, "markets/rectification_detail.html", _detail_context(request, rectification, **forms), status=status
    )


@login_required
def rectification_detail(request, pk):
    return _render_detail(request, get_rectification_for_user(request.user, pk))


@login_required
def rectification_create(request, pk):
    """Open a 整改 for one missed item (`?item=<key>`) of market `pk`."""
    user = request.user
    market = get_rw_market_for_user(user, pk)
    item = ITEMS_BY_KEY.get(request.GET.get("item") or request.POST.get("item", ""))
    if item is None:
        raise Http404("整改项目不存在。")
    result = next((r for r in check_market(market).items if r.key == item.key), None)
    existing = selectors.open_rectifications_by_item(market).get(item.key)
    if existing is not None:
        messages.info(request, f"“{item.label}”已有进行中的整改记录。")
        return redirect(existing)
    form = RectificationForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            record = services.rectification_open(market=market, item=item.key, data=form.cleaned_data, by=user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已发起整改：{item.label}。")
            return redirect(record)
    return render(
        request,
        "markets/rectification_form.html",
        {
            "form": form,
            "market": market,
            "item": item,
            "result": result,
            "closed": market.status == Market.Status.CLOSED,
        },
        status=400 if request.method == "POST" else 200,
    )


def _closed(request, rectification):
    """A write on a closed record: back to its page with the reason (its forms are gone)."""
    messages.info(request, "该整改记录已关闭，不能再修改。")
    return redirect(rectification)


@login_required
@require_POST
def rectification_update(request, pk):
    rectification = get_rw_rectification_for_user(request.user, pk)
    if not rectification.is_open:
        return _closed(request, rectification)
    form = RectificationForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_update(rectification=rectification, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存整改信息。")
            return redirect(rectification)
    return _render_detail(request, rectification, status=400, update_form=form)


@login_required
@require_POST
def rectification_add_evidence(request, pk):
    rectification = get_rw_rectification_for_user(request.user, pk)
    if not rectification.is_open:
        return _closed(request, rectification)
    form = RectificationEvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.rectification_add_evidence(
                rectification=rectification,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已上传整改照片。")
            return redirect(rectification)
    return _render_detail(request, rectification, status=400, evidence_form=form)


@login_required
@require_POST
def rectification_close(request, pk):
    rectification = get_rw_rectification_for_user(request.user, pk)
    if not rectification.is_open:
        return _closed(request, rectification)
    form = RectificationCloseForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_close(rectification=rectification, note=form.cleaned_data["note"], by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已关闭整改记录。")
            return redirect(rectification)
    return _render_detail(request, rectification, status=400, close_form=form)


@login_required
def rectification_photo(request, pk):
    """A 整改 photo, for users whose scope covers its market (anyone else: 404)."""
    evidence = get_rectification_evidence_for_user(request.user, pk)
    try:
        handle = default_storage.open(evidence.file, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("照片文件不存在。") from exc
    response = FileResponse(handle, content_type=evidence.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response
