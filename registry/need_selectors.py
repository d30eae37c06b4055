"""Reads for online employer needs (我要招工): the clerk's review queue and the employer's own list."""

from django.apps import apps
from django.db.models import Count, Exists, OuterRef

from gigmarket.core.scoping import scope_queryset

from .models import EmployerNeed


def needs_for(user):
    """Needs of the markets in the user's scope (a clerk: their market)."""
    return scope_queryset(
        EmployerNeed.objects.select_related("market__county", "trade", "posting", "reviewed_by"), user
    )


def annotate_wage_flag(qs):
    """`wage_flag`: the employer named in the need has an open 欠薪 case (八).

    A need has no employer row until it is published; the employer is recognised as at
    the window: the same 统一社会信用代码, or a 个人 employer with the same mobile, or the
    employer the need was published as.
    """
    from matching.models import RightsCase  # noqa: PLC0415

    open_cases = RightsCase.objects.filter(kind=RightsCase.Kind.WAGES, state__in=RightsCase.OPEN_STATES)
    by_code = open_cases.filter(employer__credit_code=OuterRef("credit_code")).exclude(employer__credit_code="")
    by_phone = open_cases.filter(
        employer__kind="person", employer__phone_hash=OuterRef("phone_hash"), employer__phone_hash__gt=""
    )
    by_employer = open_cases.filter(employer_id=OuterRef("employer_id"))
    return qs.annotate(wage_flag=Exists(by_code) | Exists(by_phone) | Exists(by_employer))


def review_queue(user, status=EmployerNeed.Status.PENDING):
    """The 待审核招工 queue (or the reviewed needs of `status`), oldest pending first."""
    qs = annotate_wage_flag(needs_for(user).filter(status=status))
    return qs.order_by("submitted_at", "id") if status == EmployerNeed.Status.PENDING else qs


def pending_count(user):
    return needs_for(user).filter(status=EmployerNeed.Status.PENDING).count()


def applied_counts(posting_ids):
    """{posting_id: number of applicants}: every 洽谈 the counter opened on the posting (an
    online application it accepted among them) plus the online applications still waiting
    in the queue. Withdrawn and closed applications no longer count. Two queries.

    Matching sits above registry, so its models are looked up by name, not imported."""
    ids = [pk for pk in posting_ids if pk]
    if not ids:
        return {}
    match_model = apps.get_model("matching", "Match")
    application_model = apps.get_model("matching", "Application")
    counts = {}
    waiting = application_model.objects.filter(
        posting_id__in=ids, state=application_model.State.NEW, match__isnull=True
    )
    for queryset in (match_model.objects.filter(posting_id__in=ids), waiting):
        for row in queryset.values("posting_id").annotate(n=Count("id")).order_by():
            counts[row["posting_id"]] = counts.get(row["posting_id"], 0) + row["n"]
    return counts


def needs_of_phone(phone):
    """The needs an employer submitted with this (proven) mobile, newest first, with `applied`."""
    needs = list(
        EmployerNeed.objects.with_phone(phone)
        .select_related("market", "trade", "posting")
        .order_by("-submitted_at")[:50]
    )
    counts = applied_counts(n.posting_id for n in needs)
    for need in needs:
        need.applied = counts.get(need.posting_id, 0)
    return needs
