"""The clerk's board of one market: today's open postings and matches by state."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from registry.models import Posting

from .models import HOLDING_STATES, Match, MatchState
from .selectors import day_bounds
from .wages import annotate_wage_flag


def market_board(market, today=None):
    """Today's board for one market: open postings with places taken, and matches by state."""
    today = today or timezone.localdate()
    held = (
        Match.objects.filter(posting_id=OuterRef("pk"), state__in=HOLDING_STATES)
        .order_by()
        .values("posting_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    postings = annotate_wage_flag(
        Posting.objects.filter(market=market, status=Posting.Status.OPEN, valid_until__gte=today)
        .select_related("employer", "trade")
        .annotate(held=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)))
    ).order_by("work_date", "-created_at", "pk")
    start, end = day_bounds(today)
    matches = annotate_wage_flag(
        Match.objects.filter(market=market)
        .filter(
            Q(state=MatchState.NEGOTIATING)
            | Q(state__in=HOLDING_STATES, work_date__lte=today, work_date_end__gte=today)
            | Q(created_at__gte=start, created_at__lt=end)
        )
        .select_related("worker", "employer", "posting", "posting__trade")
    ).order_by("-created_at", "-pk")
    by_state = {state: [] for state in MatchState}
    for match in matches[:300]:
        by_state[MatchState(match.state)].append(match)
    return {"postings": list(postings[:100]), "by_state": by_state}
