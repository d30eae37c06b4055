"""Access helpers for reporting: the one way a view fetches a submission in scope.

`get_submission_for_user(user, pk)` answers 404 for a submission outside the user's
scope; `get_rw_submission_for_user(user, pk)` is for views that act on it and also
refuses read-only roles (403).
"""

from gigmarket.core.scoping import get_object_in_scope, require_write

from .models import Submission


def get_submission_for_user(user, pk):
    return get_object_in_scope(
        Submission.objects.select_related("period", "county__parent", "submitted_by", "reviewed_by"), user, pk=pk
    )


def get_rw_submission_for_user(user, pk):
    submission = get_submission_for_user(user, pk)
    require_write(user)
    return submission
