"""Access helpers for markets: the one way a view fetches a market in scope.

`get_market_for_user(user, pk)` answers 404 for a market outside the user's scope (the
same answer as for one that does not exist); `get_rw_market_for_user(user, pk)` is for
views that change it and also refuses read-only roles (403).
"""

from gigmarket.core.scoping import get_object_in_scope, require_write

from .models import Market
from .selectors import markets_for_rows


def get_market_for_user(user, pk):
    """A market with its 市州, trades and opening hours loaded (what its pages and the standard check read)."""
    return get_object_in_scope(markets_for_rows(Market.objects.all()), user, pk=pk)


def get_rw_market_for_user(user, pk):
    market = get_market_for_user(user, pk)
    require_write(user)
    return market
