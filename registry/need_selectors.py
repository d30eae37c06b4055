"""Reads for online employer needs (我要招工): the clerk's review queue and the employer's own list."""

import operator
from functools import reduce

from django.db.models import BooleanField, ExpressionWrapper, Value

from gigmarket.core.scoping import scope_queryset

from . import signals
from .models import EmployerNeed


def needs_for(user):
    """Needs of the markets in the user's scope (a clerk: their market)."""
    return scope_queryset(
        EmployerNeed.objects.select_related("market__county", "trade", "posting", "reviewed_by"), user
    )


def annotate_wage_flag(qs):
    """`wage_flag`: the employer named in the need has an open 欠薪 case (八).

    The cases are matching's: it contributes the expression through `signals.need_flags`
    (matching/receivers.py). Without a receiver nothing is flagged.
    """
    flags = [expression for _receiver, expression in signals.need_flags.send(sender=EmployerNeed)]
    flag = reduce(operator.or_, flags) if flags else Value(False)
    return qs.annotate(wage_flag=ExpressionWrapper(flag, output_field=BooleanField()))


def review_queue(user, status=EmployerNeed.Status.PENDING):
    """The 待审核招工 queue (or the reviewed needs of `status`), oldest pending first."""
    qs = annotate_wage_flag(needs_for(user).filter(status=status))
    return qs.order_by("submitted_at", "id") if status == EmployerNeed.Status.PENDING else qs


def pending_count(user):
    return needs_for(user).filter(status=EmployerNeed.Status.PENDING).count()


def applied_counts(posting_ids):
    """{posting_id: number of applicants}, as the apps that take applications count them
    (`signals.applicant_counts`; matching: 洽谈 plus waiting online applications)."""
    ids = [pk for pk in posting_ids if pk]
    counts = {}
    if not ids:
        return counts
    for _receiver, answer in signals.applicant_counts.send(sender=EmployerNeed, posting_ids=ids):
        for pk, n in answer.items():
            counts[pk] = counts.get(pk, 0) + n
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
