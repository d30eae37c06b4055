"""Markets' reactions to changes elsewhere.

The public 名录 pages show each market's 市州 and 县 names, so a change to a division
(a rename, a county closed) drops every cached public page once the change commits.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from gigmarket.core.models import Division

from .services import invalidate_public_cache


@receiver(post_save, sender=Division, dispatch_uid="markets_division_saved")
def division_saved(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures
        return
    transaction.on_commit(invalidate_public_cache)
