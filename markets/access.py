"""Access helpers for markets: the one way a view fetches a market in scope.

`get_market_for_user(user, pk)` answers 404 for a market outside the user's scope (the
same answer as for one that does not exist); `get_rw_market_for_user(user, pk)` is for
views that change it and also refuses read-only roles (403).
"""

from gigmarket.core.scoping import get_object_in_scope, require_write

from .models import Market, RectificationEvidence
from .selectors import markets_for_rows, rectification_for_detail


def get_market_for_user(user, pk):
    """A market with its 市州, trades and opening hours loaded (what its pages and the standard check read)."""
    return get_object_in_scope(markets_for_rows(Market.objects.all()), user, pk=pk)


def get_rw_market_for_user(user, pk):
    market = get_market_for_user(user, pk)
    require_write(user)
    return market


def get_rectification_for_user(user, pk):
    """A 整改 record in scope (its market, county and 市州 loaded)."""
    return get_object_in_scope(rectification_for_detail(), user, pk=pk)


def get_rw_rectification_for_user(user, pk):
    rectification = get_rectification_for_user(user, pk)
    require_write(user)
    return rectification


def get_rectification_evidence_for_user(user, pk):
    """A 整改 photo in scope: the only way its file is served."""
    return get_object_in_scope(RectificationEvidence.objects.select_related("rectification"), user, pk=pk)
