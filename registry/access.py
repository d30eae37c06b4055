"""Access helpers for registry objects: the one way a view fetches a scoped object.

`get_<thing>_for_user(user, pk)` answers 404 for an object outside the user's scope (the
same answer as for one that does not exist); `get_rw_<thing>_for_user(user, pk)` is for
views that change the object and also refuses read-only roles (403).
"""

from gigmarket.core.scoping import get_object_in_scope, require_write

from .models import Employer, PolicyNote, Posting, TrainingOffer, Worker


def get_worker_for_user(user, pk):
    return get_object_in_scope(Worker.objects.select_related("registered_market", "county"), user, pk=pk)


def get_rw_worker_for_user(user, pk):
    worker = get_worker_for_user(user, pk)
    require_write(user)
    return worker


def get_employer_for_user(user, pk):
    return get_object_in_scope(Employer.objects.select_related("county"), user, pk=pk)


def get_rw_employer_for_user(user, pk):
    employer = get_employer_for_user(user, pk)
    require_write(user)
    return employer


def get_posting_for_user(user, pk):
    """A posting with what its pages show: employer, market and its county, trade, author."""
    return get_object_in_scope(
        Posting.objects.select_related("employer", "market", "market__county", "trade", "created_by"), user, pk=pk
    )


def get_rw_posting_for_user(user, pk):
    posting = get_posting_for_user(user, pk)
    require_write(user)
    return posting


def get_training_for_user(user, pk):
    return get_object_in_scope(TrainingOffer.objects.select_related("county", "market", "trade"), user, pk=pk)


def get_rw_training_for_user(user, pk):
    offer = get_training_for_user(user, pk)
    require_write(user)
    return offer


def get_policy_for_user(user, pk):
    return get_object_in_scope(PolicyNote.objects.select_related("county"), user, pk=pk)


def get_rw_policy_for_user(user, pk):
    note = get_policy_for_user(user, pk)
    require_write(user)
    return note
