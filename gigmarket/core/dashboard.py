"""The home dashboard collects cards from each app.

An app contributes by registering `dashboard_cards(user)` (in `<app>/dashboard.py`) from
its AppConfig.ready() with `gigmarket.core.plugins.register(..., dashboard=...)`; the
function returns a list of dicts: {"title", "value", "url" (optional), "note" (optional)}.

Cards count across the user's whole scope (for province staff, millions of rows), so
the assembled list is cached for a minute per scope: everyone with the same role,
division and market sees the same cards.
"""

from django.core.cache import cache

from . import plugins

CACHE_SECONDS = 60


def _scope_key(user):
    return f"dashboard:v1:{user.role}:{int(user.is_superuser)}:{user.division_id}:{user.market_id}"


def _build_cards(user):
    cards = []
    for dashboard_cards in plugins.dashboards():
        cards.extend(dashboard_cards(user))
    return cards


def collect_cards(user):
    key = _scope_key(user)
    cards = cache.get(key)
    if cards is None:
        cards = [{k: str(v) if k in ("title", "note") else v for k, v in card.items()} for card in _build_cards(user)]
        cache.set(key, cards, CACHE_SECONDS)
    return cards
