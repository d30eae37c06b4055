"""Reads for the registry. Every list goes through `scope_queryset`."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from gigmarket.core.scoping import counties_in_scope, scope_queryset

from .models import (
    Employer,
    PolicyNote,
    Posting,
    TrainingOffer,
    WindowVisit,
    Worker,
    WorkerTransfer,
)
from .tiers import flag, long_wait_condition, senior_condition
from .validators import normalize_credit_code, normalize_mobile, parse_id_number


def annotate_hardship_flags(qs, today=None):
    """Annotate workers with `senior_flag` and `long_wait_flag` (0/1) on `today`, for labels and exports.

    The tier itself is the stored `priority_tier` column (see `services.refresh_worker_tiers`).
    """
    today = today or timezone.localdate()
    return qs.annotate(senior_flag=flag(senior_condition(today)), long_wait_flag=flag(long_wait_condition(today)))


# Hardship first, then who has waited longest: the order of the stored-tier indexes.
PRIORITY_ORDER = ("priority_tier", "waiting_since", "id")


def available_on(qs, day):
    """Workers whose availability covers `day`."""
    return qs.filter(Q(available_from__isnull=True) | Q(available_from__lte=day)).filter(
        Q(available_until__isnull=True) | Q(available_until__gte=day)
    )


def worker_by_id_number(id_number):
    """The worker with this (normalised) 身份证号, anywhere in the province, or None. Not scoped."""
    return Worker.objects.select_related("county", "registered_market").with_id_number(id_number).first()


def workers_for(user, today=None):
    """The user's workers for lists: related rows joined, trades prefetched, hardship flags annotated."""
    qs = Worker.objects.select_related("registered_market", "county").prefetch_related("trades")
    return annotate_hardship_flags(scope_queryset(qs, user), today)


def without_registered_market(qs):
    """For the worker list, which shows no registered market: the join read a 53-column
    market row for every worker on the page and built a Market from it."""
    return qs.select_related(None).select_related("county")


# What a worker list row shows (`registry.rows.WorkerRows`) and its tier badge reads
# (`Worker.tier`, `Worker.hardship_labels`). The other ~25 columns were read and
# turned into Python values for every row and never shown.
LIST_ROW_COLUMNS = (
    *("name", "id_encrypted", "gender", "mobile_encrypted", "available_from", "available_until", "county"),
    *("registered_at", "birth_year", "last_confirmed_match_at", "employment_difficulty", "disabled", "low_income"),
)


def worker_list_rows(qs):
    """The worker list's page query: the county joined, only `LIST_ROW_COLUMNS` read."""
    return without_registered_market(qs).only(*LIST_ROW_COLUMNS)


_LAST4 = re.compile(r"^\d{3}[\dX]$")


BY_ID_NUMBER = "按身份证号查询"
BY_MOBILE = "按手机号码查询"
# Searches whose term is personal data: never echoed into links or URLs.
PERSONAL_SEARCHES = {BY_ID_NUMBER, BY_MOBILE}


class SearchError(Exception):
    """A search term we cannot use; the message is shown to the user."""


def worker_search(user, q, today=None):
    """Find workers by full 身份证号, name + last 4 characters, mobile, or name. Scoped.

    Returns (queryset, how) where `how` is a Chinese description of the search made.
    """
    qs = workers_for(user, today)
    term = unicodedata.normalize("NFKC", q or "").strip()
    if not term:
        return qs.order_by(*PRIORITY_ORDER), ""
    compact = re.sub(r"[\s\-]", "", term).upper()
    if len(compact) in (15, 18) and compact[:15].isdigit():
        try:
            parsed = parse_id_number(compact)
        except ValidationError as exc:
            raise SearchError(exc.messages[0]) from None
        return qs.with_id_number(parsed), BY_ID_NUMBER
    if compact.lstrip("+").isdigit() and len(compact.lstrip("+")) >= 11:
        try:
            mobile = normalize_mobile(compact)
        except ValidationError as exc:
            raise SearchError(exc.messages[0]) from None
        return qs.with_mobile(mobile).order_by("-registered_at", "-id"), BY_MOBILE
    parts = term.upper().split()
    last4 = [p for p in parts if _LAST4.match(p)]
    names = [p for p in term.split() if not _LAST4.match(p.upper())]
    if last4 and names:
        return (
            qs.with_name_last4(names[0], last4[0]).order_by("-registered_at", "-id"),
            "按姓名和身份证号后4位查询",
        )
    if last4:
        raise SearchError("按身份证号后4位查询时请同时输入姓名，例如“张三 123X”。")
    return qs.filter(name__contains=term).order_by(*PRIORITY_ORDER), "按姓名查询"


def transfers_for(user):
    """Transfers out of and into the counties in the user's scope, newest first."""
    counties = counties_in_scope(user)
    return (
        WorkerTransfer.objects.filter(Q(from_county__in=counties) | Q(to_county__in=counties))
        .select_related("worker", "from_county", "to_county", "market", "by")
        .order_by("-at", "-id")
    )


def transfer_out_of_scope(user, *, worker_id=None, id_number=None):
    """The latest transfer of a worker the user can no longer see, out of a county in their scope, or None.

    What the county a worker left may still know: that the worker went, when and where.
    """
    qs = WorkerTransfer.objects.filter(from_county__in=counties_in_scope(user))
    if worker_id is not None:
        qs = qs.filter(worker_id=worker_id)
    else:
        qs = qs.filter(worker__in=Worker.objects.with_id_number(id_number))
    transfer = qs.select_related("worker", "to_county").order_by("-at", "-id").first()
    if transfer is None or scope_queryset(Worker.objects.filter(pk=transfer.worker_id), user).exists():
        return None
    return transfer


def employers_for(user):
    return scope_queryset(Employer.objects.select_related("county"), user)


def employer_search(user, q):
    qs = employers_for(user)
    term = unicodedata.normalize("NFKC", q or "").strip()
    if not term:
        return qs
    compact = re.sub(r"[\s\-]", "", term).upper()
    if len(compact) == 18 and compact.isalnum():
        try:
            return qs.filter(credit_code=normalize_credit_code(compact))
        except ValidationError as exc:
            raise SearchError(exc.messages[0]) from None
    return qs.filter(name__contains=term)


def postings_for(user):
    return scope_queryset(
        Posting.objects.select_related("employer", "market", "trade", "market__county"),
        user,
    )


def open_postings(qs, today=None):
    today = today or timezone.localdate()
    return qs.filter(status=Posting.Status.OPEN, valid_until__gte=today)


def board_postings(market, today=None):
    """What the hall screen and the public page show for one market: open, valid postings."""
    qs = Posting.objects.filter(market=market).select_related("employer", "trade")
    return open_postings(qs, today).order_by("work_date", "-created_at", "-id")


def visits_for(user):
    return scope_queryset(
        WindowVisit.objects.select_related("market", "worker", "employer", "clerk"),
        user,
    )


def visit_counts(qs):
    """{window: count} for a queryset of visits, every window present."""
    counts = dict.fromkeys(WindowVisit.Window.values, 0)
    for row in qs.order_by().values("window").annotate(n=Count("id")):
        counts[row["window"]] = row["n"]
    return counts


def training_offers_for(user):
    return scope_queryset(
        TrainingOffer.objects.select_related("county", "market", "trade")
        .annotate(signup_count=Count("signups"))
        .order_by("-start_date", "-id"),
        user,
    )


def startup_training_offers(user, today=None):
    """Published 创业培训 offers in the user's scope that have not ended, soonest first."""
    today = today or timezone.localdate()
    qs = TrainingOffer.objects.filter(kind=TrainingOffer.Kind.STARTUP, is_published=True, end_date__gte=today)
    return scope_queryset(qs.select_related("county").order_by("start_date", "id"), user)


STARTUP_FILTERS = {
    "any": Q(startup_intent__in=[Worker.StartupIntent.CONSIDERING, Worker.StartupIntent.PLANNED]),
    Worker.StartupIntent.CONSIDERING.value: Q(startup_intent=Worker.StartupIntent.CONSIDERING),
    Worker.StartupIntent.PLANNED.value: Q(startup_intent=Worker.StartupIntent.PLANNED),
}


def policy_notes_for(user):
    return scope_queryset(PolicyNote.objects.select_related("county"), user)
