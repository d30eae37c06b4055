"""Matching's part in registry's writes and reads (see registry/signals.py)."""

from django.db.models import Count, Exists, OuterRef
from django.dispatch import receiver

from registry import signals

from .arrears import require_not_blocked
from .models import Application, Match, RightsCase
from .services import applications_close_for_posting


@receiver(signals.posting_publishing, dispatch_uid="matching.arrears_block")
def refuse_blocked_employer(sender, *, employer, action, **kwargs):
    """An employer with an open 欠薪 case gets nothing published until county staff override (八)."""
    require_not_blocked(employer.pk, action=action)


@receiver(signals.posting_closed, dispatch_uid="matching.close_applications")
def close_applications(sender, *, posting, status, by, **kwargs):
    applications_close_for_posting(posting=posting, status=status, by=by)


@receiver(signals.worker_identified, dispatch_uid="matching.link_applications")
def link_applications(sender, *, worker, mobile, **kwargs):
    """Online applications made with the same mobile before the worker had a record now name them."""
    Application.objects.filter(worker__isnull=True, state=Application.State.NEW).filter(
        Application.mobile.matches(mobile)
    ).update(worker=worker)


@receiver(signals.need_flags, dispatch_uid="matching.need_wage_flag")
def open_wage_case(sender, **kwargs):
    """The employer named in the need has an open 欠薪 case.

    A need has no employer row until it is published; the employer is recognised as at
    the window: the same 统一社会信用代码, or a 个人 employer with the same mobile, or the
    employer the need was published as.
    """
    open_cases = RightsCase.objects.filter(kind=RightsCase.Kind.WAGES, state__in=RightsCase.OPEN_STATES)
    by_code = open_cases.filter(employer__credit_code=OuterRef("credit_code")).exclude(employer__credit_code="")
    by_phone = open_cases.filter(
        employer__kind="person", employer__phone_hash=OuterRef("phone_hash"), employer__phone_hash__gt=""
    )
    by_employer = open_cases.filter(employer_id=OuterRef("employer_id"))
    return Exists(by_code) | Exists(by_phone) | Exists(by_employer)


@receiver(signals.applicant_counts, dispatch_uid="matching.applicant_counts")
def applicants(sender, *, posting_ids, **kwargs):
    """Every 洽谈 opened on the posting (accepted online applications among them) plus the
    online applications still waiting in the queue; withdrawn and closed ones no longer count."""
    counts = {}
    waiting = Application.objects.filter(posting_id__in=posting_ids, state=Application.State.NEW, match__isnull=True)
    for queryset in (Match.objects.filter(posting_id__in=posting_ids), waiting):
        for row in queryset.values("posting_id").annotate(n=Count("id")).order_by():
            counts[row["posting_id"]] = counts.get(row["posting_id"], 0) + row["n"]
    return counts


def connected():
    """The signals this module connects to (called from MatchingConfig.ready(); importing connects them)."""
    return [
        signals.posting_publishing,
        signals.posting_closed,
        signals.worker_identified,
        signals.need_flags,
        signals.applicant_counts,
    ]
