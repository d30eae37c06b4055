"""The home dashboard collects cards from each app.

An app contributes by defining `dashboard_cards(user)` in `<app>/dashboard.py`,
returning a list of dicts: {"title", "value", "url" (optional), "note" (optional)}.
"""

from importlib import import_module

DASHBOARD_APPS = ["markets", "registry", "matching", "reporting"]


def collect_cards(user):
    cards = []
    for app in DASHBOARD_APPS:
        try:
            module = import_module(f"{app}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.dashboard":
                raise
            continue
        cards.extend(module.dashboard_cards(user))
    return cards
