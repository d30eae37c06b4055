import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gigmarket.core.export_jobs import export_job_start, needs_job
from gigmarket.core.forms import add_service_error, form_data
from gigmarket.core.models import Role
from gigmarket.core.pagination import CappedPaginator
from gigmarket.core.pii import mask_id_number, mask_phone
from gigmarket.core.scoping import counties_in_scope, require_write, user_scope
from markets.models import Market

from . import export_jobs, exports, need_selectors, selectors, services
from .access import (
    get_employer_for_user,
    get_posting_for_user,
    get_rw_employer_for_user,
    get_rw_policy_for_user,
    get_rw_posting_for_user,
    get_rw_training_for_user,
    get_rw_worker_for_user,
    get_training_for_user,
    get_worker_for_user,
)
from .forms import (
    EmployerForm,
    EmployerQuickForm,
    PolicyNoteForm,
    PostingForm,
    TrainingOfferForm,
    VisitForm,
    WorkerDetailsForm,
    WorkerLookupForm,
    WorkerQuickForm,
)
from .models import PolicyNote, Posting, TrainingOffer, TrainingSignup, WindowVisit, Worker
from .rows import WorkerRows
from .validators import parse_id_number

PAGE_SIZE = 25
REVEAL_ROLES = (Role.COUNTY, Role.CLERK)

# Every staff page here shows personal data (names, masked or revealed numbers, typed
# 身份证号 in a form kept after an error): each is `never_cache` (Cache-Control: no-store,
# private), so neither the browser nor a proxy keeps a copy.


def require_clerk_market(user):
    """Window actions happen at a market: only a clerk bound to one can record them."""
    require_write(user)
    if user.role != Role.CLERK or not user.market_id:
        raise PermissionDenied("只有零工市场窗口工作人员可以办理窗口业务。")
    return user.market


def can_reveal(user):
    return user.is_active and user.role in REVEAL_ROLES and user.can_write


def _own_county(user):
    """The county a county user or clerk works for (training offers and policy notes)."""
    return user.division if user_scope(user).county_id is not None else None


# Clerk's desk and window visits ------------------------------------------------------


@login_required
@never_cache
def desk(request):
    """The clerk's home: one button per window, links to the fast flows, today's counts."""
    today = timezone.localdate()
    visits = selectors.visits_for(request.user).filter(visit_date=today)
    return render(
        request,
        "registry/desk.html",
        {
            "form": VisitForm(),
            "windows": WindowVisit.Window.choices,
            "counts": selectors.visit_counts(visits),
            "recent": visits[:10],
            "is_clerk": request.user.role == Role.CLERK and bool(request.user.market_id),
            "pending_needs": need_selectors.pending_count(request.user),
        },
    )


@login_required
@never_cache
@require_POST
def visit_record(request):
    market = require_clerk_market(request.user)
    form = VisitForm(request.POST)
    worker = None
    if form.is_valid() and form.cleaned_data["person"]:
        try:
            found = list(selectors.worker_search(request.user, form.cleaned_data["person"])[0][:2])
        except selectors.SearchError as exc:
            form.add_error("person", str(exc))
        else:
            if len(found) != 1:
                form.add_error("person", "未在本辖区找到此人，可不填身份证号或手机号直接登记来访。")
            else:
                worker = found[0]
    if not form.is_valid():
        today = timezone.localdate()
        visits = selectors.visits_for(request.user).filter(visit_date=today)
        return render(
            request,
            "registry/desk.html",
            {
                "form": form,
                "windows": WindowVisit.Window.choices,
                "counts": selectors.visit_counts(visits),
                "recent": visits[:10],
                "is_clerk": True,
            },
            status=400,
        )
    data = form.cleaned_data
    visit = services.visit_record(
        market=market,
        window=data["window"],
        worker=worker,
        topic=data["topic"],
        outcome=data["outcome"],
        by=request.user,
    )
    who = f"({worker.name})" if worker else ""
    messages.success(request, f"已登记{visit.get_window_display()}窗口来访{who}。")
    return redirect("registry:desk")


@login_required
@never_cache
def visit_list(request):
    qs = selectors.visits_for(request.user)
    window = request.GET.get("window", "")
    if window in WindowVisit.Window.values:
        qs = qs.filter(window=window)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/visit_list.html",
        {"page": page, "window": window, "windows": WindowVisit.Window.choices, "query": f"window={window}"},
    )


# Workers -----------------------------------------------------------------------------


GET_SEARCH_REFUSED = (
    "按身份证号、身份证号后4位或手机号码查询时，请在页面上方的查询框中输入后点“查询”；"
    "这类号码不能写在网址里（网址会留在浏览器历史和访问日志中）。"
)


def personal_search_term(q):
    """Whether a search term carries personal data: an ID number, its last 4, or a mobile.

    Names never contain digits; every personal search term does (full-width digits too).
    """
    return any(ch.isdigit() for ch in unicodedata.normalize("NFKC", q or ""))


@login_required
@never_cache
def worker_list(request):
    """Worker search. The search form posts, so an ID number or mobile never lands in a URL,
    browser history or an access log. By GET only name searches and paging are accepted:
    a term with digits is refused (400) with a message, and nothing is searched."""
    source = request.POST if request.method == "POST" else request.GET
    q = source.get("q", "").strip()
    if request.method != "POST" and personal_search_term(q):
        messages.error(request, GET_SEARCH_REFUSED)
        page = CappedPaginator(selectors.workers_for(request.user).none(), PAGE_SIZE).get_page(1)
        context = {
            "page": page,
            "table_rows": "",
            "q": "",
            "how": "",
            "query": "",
            "export_query": "",
            "personal": False,
        }
        return render(request, "registry/worker_list.html", context, status=400)
    how = ""
    try:
        qs, how = selectors.worker_search(request.user, q)
    except selectors.SearchError as exc:
        messages.error(request, str(exc))
        qs = selectors.workers_for(request.user).none()
    personal = how in selectors.PERSONAL_SEARCHES or personal_search_term(q)
    shown = q
    moved = None
    if how == selectors.BY_ID_NUMBER:
        if not qs.exists():
            # A worker who left for another county: say where, not just "not found".
            moved = selectors.transfer_out_of_scope(request.user, id_number=parse_id_number(q).value)
        # Never echo a full 身份证号 or mobile back into the page (or into a link).
        shown = mask_id_number(q.upper())
    elif how == selectors.BY_MOBILE:
        shown = mask_phone("".join(ch for ch in q if ch.isdigit())[-11:])
    startup = source.get("startup", "")
    if startup in selectors.STARTUP_FILTERS:
        qs = qs.filter(selectors.STARTUP_FILTERS[startup])
    else:
        startup = ""
    qs = selectors.worker_list_rows(qs)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(source.get("page"))
    params = {key: value for key, value in (("q", q), ("startup", startup)) if value}
    return render(
        request,
        "registry/worker_list.html",
        {
            "page": page,
            "table_rows": WorkerRows().render(page),
            "q": shown,
            "how": how,
            "moved": moved,
            "startup": startup,
            "startup_choices": [("any", "有创业意愿(全部)"), *Worker.StartupIntent.choices[1:]],
            "query": urlencode(params) if params and not personal else "",
            "export_query": urlencode({"q": q}) if q and not personal else "",
            "personal": bool(q) and personal,
        },
    )


@login_required
@never_cache
def worker_register(request):
    """The one-screen registration; a 身份证号 of another county's worker asks for an explicit transfer."""
    require_write(request.user)
    if request.user.role not in (Role.CLERK, Role.COUNTY):
        raise PermissionDenied("只有县级工作人员和窗口工作人员可以登记零工。")
    form = WorkerQuickForm(form_data(request), user=request.user)
    transfer_offer = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        args = {
            "id_number": data["id_number"],
            "name": data["name"],
            "data": form.worker_data(),
            "trades": data["trades"],
            "market": form.chosen_market(),
            "by": request.user,
            "key": data["token"],
        }
        try:
            if "confirm_transfer" in request.POST:
                choices = services.TransferChoices(
                    replace_mobile=data["replace_mobile"], replace_details=data["replace_details"]
                )
                result = services.worker_transfer(**args, choices=choices)
            else:
                result = services.worker_register(**args)
        except services.RegisteredElsewhere:
            transfer_offer = True
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _registered(request, result)
    return render(
        request,
        "registry/worker_register.html",
        {
            "form": form,
            "transfer_offer": transfer_offer,
            "typed_mobile": mask_phone(form.cleaned_data.get("mobile", "")) if transfer_offer else "",
        },
        status=400 if form.errors else 200,
    )


def _registered(request, result):
    """Where a registration lands, and what the clerk is told."""
    worker = result.worker
    if result.replayed:
        messages.info(request, "这份登记表已提交过，未重复登记或重复计入来访。")
        return redirect("registry:worker_detail", pk=worker.pk)
    if result.created:
        messages.success(request, f"已登记零工 {worker.name}（{worker.masked_id_number}）。")
        return redirect("registry:worker_edit", pk=worker.pk)
    if result.transfer is not None:
        moved = result.transfer
        messages.success(
            request,
            f"已将 {worker.name} 的档案由{moved.from_county.name}转入{moved.to_county.name}，并记录本次来访；"
            "原县(市、区)可查到转出记录。",
        )
        if not moved.mobile_replaced:
            messages.info(
                request, f"已保留原登记的手机号（{worker.masked_mobile}）；如有变化，请点“补充/修改信息”修改。"
            )
        return redirect("registry:worker_detail", pk=worker.pk)
    messages.warning(
        request,
        f"此身份证号已登记过（首次登记于{worker.registered_market}），未重复建档；已记录本次来访并更新求职信息。",
    )
    return redirect("registry:worker_detail", pk=worker.pk)


@login_required
@never_cache
def worker_detail(request, pk):
    try:
        worker = get_worker_for_user(request.user, pk)
    except Http404:
        # The county a worker left sees where they went (not a bare "not found").
        moved = selectors.transfer_out_of_scope(request.user, worker_id=pk)
        if moved is None:
            raise
        return render(request, "registry/worker_moved.html", {"transfer": moved})
    return _render_worker(request, worker)


def _render_worker(request, worker, revealed_id=None, revealed_phones=None):
    today = timezone.localdate()
    return render(
        request,
        "registry/worker_detail.html",
        {
            "worker": worker,
            "trades": worker.trades.all(),
            "tier": worker.tier(today),
            "hardship": worker.hardship_labels(today),
            "age": worker.age(today),
            "visits": worker.visits.select_related("market", "clerk")[:10],
            "signups": worker.training_signups.select_related("offer")[:10],
            "transfers": worker.transfers.select_related("from_county", "to_county")[:10],
            "startup_offers": selectors.startup_training_offers(request.user, today)[:10]
            if worker.has_startup_intent
            else [],
            "can_reveal": can_reveal(request.user),
            "revealed_id": revealed_id,
            "revealed_phones": revealed_phones or {},
            "can_write": request.user.can_write,
        },
    )


@login_required
@never_cache
@require_POST
def worker_reveal(request, pk):
    worker = get_worker_for_user(request.user, pk)
    if not can_reveal(request.user):
        raise PermissionDenied("您的角色不能查看完整身份证号。")
    full = services.worker_reveal_id(worker=worker, by=request.user)
    return _render_worker(request, worker, revealed_id=full)


@login_required
@never_cache
@require_POST
def worker_reveal_phones(request, pk):
    worker = get_worker_for_user(request.user, pk)
    if not can_reveal(request.user):
        raise PermissionDenied("您的角色不能查看完整电话号码。")
    phones = services.worker_reveal_phones(worker=worker, by=request.user)
    return _render_worker(request, worker, revealed_phones=phones)


@login_required
@never_cache
def transfer_list(request):
    """Workers transferred out of and into the user's counties: where each went, when, by whom."""
    counties = set(counties_in_scope(request.user).values_list("pk", flat=True))
    page = CappedPaginator(selectors.transfers_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for transfer in page:
        left, came = transfer.from_county_id in counties, transfer.to_county_id in counties
        # The county left no longer sees the worker: no link for it.
        transfer.outgoing = left and not came
        transfer.direction = "已转出" if transfer.outgoing else "转入" if came and not left else "辖区内转移"
    return render(request, "registry/transfer_list.html", {"page": page, "query": ""})


@login_required
@never_cache
def worker_edit(request, pk):
    worker = get_rw_worker_for_user(request.user, pk)
    form = WorkerDetailsForm(form_data(request), instance=worker)
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_update(
                worker=worker, data=form.service_data(), trades=form.cleaned_data["trades"], by=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已保存 {worker.name} 的信息。")
            return redirect("registry:worker_detail", pk=worker.pk)
    if request.method == "POST":
        form.instance = Worker.objects.get(pk=worker.pk)
    return render(
        request,
        "registry/worker_edit.html",
        {"form": form, "worker": worker},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def worker_export(request):
    """The worker list as CSV (masked). A search by ID number, last 4 or mobile is exported by
    POST (the page's export button does so); by GET such a term is refused like on the list."""
    source = request.POST if request.method == "POST" else request.GET
    q = source.get("q", "").strip()
    if request.method != "POST" and personal_search_term(q):
        messages.error(request, GET_SEARCH_REFUSED)
        return redirect("registry:worker_list")
    try:
        qs, _how = selectors.worker_search(request.user, q)
    except selectors.SearchError as exc:
        messages.error(request, str(exc))
        return redirect("registry:worker_list")
    total = qs.count()
    if needs_job(total) and not personal_search_term(q):
        export_job_start(kind=export_jobs.WORKERS_CSV, params={"q": q}, by=request.user, total=total)
        messages.info(request, f"导出共 {total} 行，已转为后台生成；完成后可在“我的导出”下载。")
        return redirect("export_job_list")
    services.worker_export_audit(
        by=request.user,
        row_count=total,
        filters={"q": "***" if q else ""},
        county=export_jobs.export_county(request.user),
    )
    response = StreamingHttpResponse(exports.stream_workers_csv(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_jobs.workers_csv_filename()}"'
    response["Cache-Control"] = "no-store"
    return response


# Employers ---------------------------------------------------------------------------


@login_required
@never_cache
def employer_list(request):
    q = request.GET.get("q", "").strip()
    try:
        qs = selectors.employer_search(request.user, q)
    except selectors.SearchError as exc:
        messages.error(request, str(exc))
        qs = selectors.employers_for(request.user).none()
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "registry/employer_list.html", {"page": page, "q": q, "query": urlencode({"q": q}) if q else ""}
    )


@login_required
@never_cache
def employer_detail(request, pk):
    employer = get_employer_for_user(request.user, pk)
    return _render_employer(request, employer)


def _render_employer(request, employer, revealed_phone=""):
    postings = selectors.postings_for(request.user).filter(employer=employer)[:20]
    return render(
        request,
        "registry/employer_detail.html",
        {"employer": employer, "postings": postings, "revealed_phone": revealed_phone},
    )


@login_required
@never_cache
@require_POST
def employer_reveal(request, pk):
    """The employer's full phone for staff who may write, audited."""
    employer = get_rw_employer_for_user(request.user, pk)
    phone = services.employer_reveal_phone(employer=employer, by=request.user)
    return _render_employer(request, employer, revealed_phone=phone)


@login_required
@never_cache
def employer_edit(request, pk):
    employer = get_rw_employer_for_user(request.user, pk)
    form = EmployerForm(form_data(request), instance=employer)
    if request.method == "POST" and form.is_valid():
        try:
            services.employer_update(employer=employer, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已保存用工主体 {employer.name}。")
            return redirect("registry:employer_detail", pk=employer.pk)
    return render(
        request,
        "registry/employer_form.html",
        {"form": form, "employer": employer},
        status=400 if form.errors else 200,
    )


# Postings ----------------------------------------------------------------------------


@login_required
@never_cache
def posting_list(request):
    qs = selectors.postings_for(request.user)
    status = request.GET.get("status", "open")
    if status in Posting.Status.values:
        qs = qs.filter(status=status)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/posting_list.html",
        {"page": page, "status": status, "statuses": Posting.Status.choices, "query": f"status={status}"},
    )


@login_required
@never_cache
def posting_quick(request):
    """A walk-in employer and its need on one screen, one submit (发布用工)."""
    market = require_clerk_market(request.user)
    employer_form = EmployerQuickForm(form_data(request), prefix="e")
    posting_form = PostingForm(form_data(request), prefix="p")
    if request.method == "POST" and employer_form.is_valid() and posting_form.is_valid():
        try:
            employer, created = services.employer_register(
                data=employer_form.service_data(), market=market, by=request.user
            )
        except ValidationError as exc:
            add_service_error(employer_form, exc)
        else:
            try:
                posting = services.posting_create(
                    employer=employer, market=market, data=posting_form.service_data(), by=request.user
                )
            except ValidationError as exc:
                add_service_error(posting_form, exc)
        if not employer_form.errors and not posting_form.errors:
            # The name shown is the one the clerk typed (a 家庭/个人 employer is reused only
            # when it matches) or a company's, public with its credit code.
            known = "" if created else f"（用工主体已登记过，已使用已有档案“{employer.name}”）"
            messages.success(
                request, f"已发布用工需求：{posting.trade} {posting.headcount}人{known}。已上大屏和公众网站。"
            )
            return redirect("registry:posting_detail", pk=posting.pk)
    status = 400 if (employer_form.errors or posting_form.errors) else 200
    return render(
        request,
        "registry/posting_quick.html",
        {"employer_form": employer_form, "posting_form": posting_form, "market": market},
        status=status,
    )


@login_required
@never_cache
def posting_create(request, employer_pk):
    """Post again for a known employer."""
    market = require_clerk_market(request.user)
    employer = get_rw_employer_for_user(request.user, employer_pk)
    form = PostingForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            posting = services.posting_create(
                employer=employer, market=market, data=form.service_data(), by=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已发布用工需求：{posting.trade} {posting.headcount}人。")
            return redirect("registry:posting_detail", pk=posting.pk)
    return render(
        request,
        "registry/posting_form.html",
        {"form": form, "employer": employer, "market": market},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
def posting_detail(request, pk):
    posting = get_posting_for_user(request.user, pk)
    return render(request, "registry/posting_detail.html", {"posting": posting})


@login_required
@never_cache
@require_POST
def posting_close(request, pk):
    posting = get_rw_posting_for_user(request.user, pk)
    status = request.POST.get("status")
    if status not in (Posting.Status.FILLED, Posting.Status.CLOSED):
        messages.error(request, "请选择“已招满”或“关闭”。")
        return render(request, "registry/posting_detail.html", {"posting": posting}, status=400)
    posting, changed = services.posting_close(posting=posting, status=status, by=request.user)
    if changed:
        messages.success(request, f"用工需求已标记为“{posting.get_status_display()}”，已从大屏撤下。")
    else:
        messages.info(request, f"该用工需求已是“{posting.get_status_display()}”状态。")
    return redirect("registry:posting_detail", pk=posting.pk)


# Public pages and the hall screen ----------------------------------------------------


def _public_market(pk):
    """A market of the public 名录: operating ones only, the same answer (404) as its 名录 page
    gives for a market being planned, suspended or closed."""
    return get_object_or_404(
        Market.objects.select_related("county__parent").filter(status=Market.Status.OPERATING), pk=pk
    )


def board(request, market_pk):
    """Full-screen board for the screen in the market hall. Public: it shows only public facts."""
    market = _public_market(market_pk)
    return render(
        request,
        "registry/board.html",
        {"market": market, "postings": selectors.board_postings(market)[:60], "now": timezone.localtime()},
    )


def public_postings(request, market_pk):
    market = _public_market(market_pk)
    page = Paginator(selectors.board_postings(market), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/public_postings.html", {"market": market, "page": page})


def public_policies(request):
    qs = PolicyNote.objects.filter(is_public=True).select_related("county")
    trainings = (
        TrainingOffer.objects.filter(is_published=True, end_date__gte=timezone.localdate())
        .select_related("county", "trade")
        .order_by("start_date")[:20]
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/public_policies.html", {"page": page, "trainings": trainings})


# Training ----------------------------------------------------------------------------


@login_required
@never_cache
def training_list(request):
    page = Paginator(selectors.training_offers_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/training_list.html", {"page": page, "can_create": _own_county(request.user)})


@login_required
@never_cache
def training_create(request):
    require_write(request.user)
    county = _own_county(request.user)
    if county is None:
        raise PermissionDenied("培训信息由县级工作人员或窗口工作人员发布。")
    form = TrainingOfferForm(form_data(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.training_offer_save(county=county, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已发布培训信息：{offer.course}。")
            return redirect("registry:training_detail", pk=offer.pk)
    return render(request, "registry/training_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@never_cache
def training_edit(request, pk):
    offer = get_rw_training_for_user(request.user, pk)
    form = TrainingOfferForm(form_data(request), instance=offer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_offer_save(offer=offer, county=offer.county, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存培训信息。")
            return redirect("registry:training_detail", pk=offer.pk)
    return render(
        request, "registry/training_form.html", {"form": form, "offer": offer}, status=400 if form.errors else 200
    )


@login_required
@never_cache
def training_detail(request, pk):
    get_offer = get_rw_training_for_user if request.method == "POST" else get_training_for_user
    offer = get_offer(request.user, pk)
    form = WorkerLookupForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            found = list(selectors.worker_search(request.user, form.cleaned_data["person"])[0][:2])
        except selectors.SearchError as exc:
            form.add_error("person", str(exc))
        else:
            if len(found) != 1:
                form.add_error("person", "未在本辖区找到此人，请先登记零工。")
            else:
                try:
                    signup, created = services.training_signup(
                        offer=offer,
                        worker=found[0],
                        by=request.user,
                        market=request.user.market if request.user.market_id else None,
                    )
                except services.TrainingFull as exc:
                    add_service_error(form, exc)
                else:
                    if created:
                        messages.success(request, f"{found[0].name} 已报名。")
                    elif signup.status == signup.Status.WITHDRAWN:
                        messages.info(request, f"{found[0].name} 已退出本培训，如需恢复请在报名名单中点“恢复报名”。")
                    else:
                        messages.info(request, f"{found[0].name} 已报过名。")
                    return redirect("registry:training_detail", pk=offer.pk)
    return _training_page(request, offer, form, status=400 if form.errors else 200)


def _training_page(request, offer, form, *, status=200):
    signups = offer.signups.select_related("worker").order_by("-signed_up_at")
    return render(
        request, "registry/training_detail.html", {"offer": offer, "signups": signups, "form": form}, status=status
    )


@login_required
@never_cache
@require_POST
def training_signup_status(request, pk, signup_pk):
    """One click on a sign-up row of the offer page: 参训, 结业, 退出 or 恢复报名."""
    offer = get_rw_training_for_user(request.user, pk)
    signup = get_object_or_404(offer.signups, pk=signup_pk)
    to = request.POST.get("to")
    if to not in TrainingSignup.Status.values:
        messages.error(request, "无效的操作，请刷新页面后重试。")
        return _training_page(request, offer, WorkerLookupForm(), status=400)
    try:
        signup, changed = services.training_signup_transition(signup=signup, to=to, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except services.TrainingFull as exc:
        messages.error(request, str(exc))
    else:
        name, status = signup.worker.name, signup.get_status_display()
        if changed:
            messages.success(request, f"{name} 的报名已变更为“{status}”。")
        else:
            messages.info(request, f"{name} 的报名已是“{status}”，未重复操作。")
    return redirect("registry:training_detail", pk=offer.pk)


# Policy notes ------------------------------------------------------------------------


@login_required
@never_cache
def policy_list(request):
    page = Paginator(selectors.policy_notes_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/policy_list.html", {"page": page, "can_create": _own_county(request.user)})


@login_required
@never_cache
def policy_create(request):
    require_write(request.user)
    county = _own_county(request.user)
    if county is None:
        raise PermissionDenied("政策解读由县级工作人员或窗口工作人员发布。")
    form = PolicyNoteForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_note_save(county=county, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已发布政策解读。")
            return redirect("registry:policy_list")
    return render(request, "registry/policy_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@never_cache
def policy_edit(request, pk):
    note = get_rw_policy_for_user(request.user, pk)
    form = PolicyNoteForm(form_data(request), instance=note)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_note_save(note=note, county=note.county, data=form.service_data(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存政策解读。")
            return redirect("registry:policy_list")
    return render(
        request, "registry/policy_form.html", {"form": form, "note": note}, status=400 if form.errors else 200
    )
