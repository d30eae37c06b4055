"""Access helpers for matching objects: the one way a view fetches a scoped object.

`get_<thing>_for_user(user, pk)` answers 404 for an object outside the user's scope (the
same answer as for one that does not exist); `get_rw_<thing>_for_user(user, pk)` is for
views that change the object and also refuses read-only roles (403). Postings and
workers come from `registry.access`.
"""

from gigmarket.core.scoping import get_object_in_scope, require_write

from .models import Match, Placement, RightsCase


def get_match_for_user(user, pk):
    """A match with everything its page shows (market up to its 市州, posting and trade)."""
    qs = Match.objects.select_related(
        "worker",
        "employer",
        "market",
        "market__county",
        "market__county__parent",
        "posting",
        "posting__trade",
        "created_by",
    )
    return get_object_in_scope(qs, user, pk=pk)


def get_rw_match_for_user(user, pk):
    match = get_match_for_user(user, pk)
    require_write(user)
    return match


def get_case_for_user(user, pk):
    return get_object_in_scope(
        RightsCase.objects.select_related("worker", "employer", "market", "match", "match__posting__trade"),
        user,
        pk=pk,
    )


def get_rw_case_for_user(user, pk):
    case = get_case_for_user(user, pk)
    require_write(user)
    return case


def get_placement_for_user(user, pk):
    return get_object_in_scope(
        Placement.objects.select_related("worker", "county", "eligibility_override__by"), user, pk=pk
    )


def get_rw_placement_for_user(user, pk):
    placement = get_placement_for_user(user, pk)
    require_write(user)
    return placement
