"""Markets' reactions to changes elsewhere.

The public 名录 pages show each market's 市州 and 县 names, so a change to a division
(a rename, a county closed) drops every cached public page once the change commits. A
trade change drops the filter forms' cached 工种 options.
"""

from django.db import transaction
from django.db.models.signals import post_save

from gigmarket.core import choice_cache
from gigmarket.core.models import Division

from .models import Trade
from .services import invalidate_public_cache


def division_saved(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures
        return
    transaction.on_commit(invalidate_public_cache)


def connect():
    """Called from MarketsConfig.ready()."""
    post_save.connect(division_saved, sender=Division, dispatch_uid="markets_division_saved")
    # The filter forms' cached 工种 options (gigmarket/core/choice_cache.py).
    choice_cache.connect(Trade, "trade")
