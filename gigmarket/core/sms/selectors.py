"""Reads of the SMS component: the staff outbox list and the counts for monitoring."""

from django.db.models import Count, Q

from ..models import Division, SmsMessage, User
from ..scoping import scope_queryset
from .templates import TEMPLATES

CODE_TEMPLATES = tuple(key for key, spec in TEMPLATES.items() if spec.is_code)


def outbox_for_user(user, *, state="", template=""):
    """The outbox rows the user's scope covers, newest first, filtered."""
    qs = scope_queryset(SmsMessage.objects.select_related("county"), user)
    if state:
        qs = qs.filter(state=state)
    if template:
        qs = qs.filter(template=template)
    return qs.order_by("-created_at", "-pk")


def _scoped(qs, scope):
    if scope is None:
        return qs
    if isinstance(scope, User):
        return scope_queryset(qs, scope)
    if isinstance(scope, Division):
        if scope.is_province:
            return qs
        if scope.is_city:
            return qs.filter(county__parent_id=scope.pk)
        return qs.filter(county_id=scope.pk)
    # Anything else: county ids.
    return qs.filter(county_id__in=list(scope))


def sms_counts(scope, start, end):
    """SMS per county for messages created in [start, end): {county_id: counts}.

    `scope`: a User (their scope), a Division (province, 市州 or county), county ids, or
    None (the province). Each county's counts: total, sent, failed, pending (待发送 and
    发送中), opted_out, codes (verification codes). Messages without a county (codes sent
    before anything is tied to a market) are under the key None. One query.
    """
    qs = _scoped(SmsMessage.objects.filter(created_at__gte=start, created_at__lt=end), scope)
    S = SmsMessage.State
    rows = (
        qs.order_by()
        .values("county_id")
        .annotate(
            total=Count("pk"),
            sent=Count("pk", filter=Q(state=S.SENT)),
            failed=Count("pk", filter=Q(state=S.FAILED)),
            pending=Count("pk", filter=Q(state__in=[S.PENDING, S.SENDING])),
            opted_out=Count("pk", filter=Q(state=S.OPTED_OUT)),
            codes=Count("pk", filter=Q(template__in=CODE_TEMPLATES)),
        )
    )
    return {row.pop("county_id"): row for row in rows}
