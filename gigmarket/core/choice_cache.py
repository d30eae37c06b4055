"""The options of the filter forms' 市州 / 县区 / 工种 selects, cached per queryset.

A filter bar rebuilt its choices on every request: three queries, ~130 model instances
and their labels (14 % of the market list's time, issue 19). The options only change
when a division or a trade does, so `cache_choices(field)` keeps the rendered
(value, label) pairs in the cache under the field's SQL and a generation token, and
`invalidate_cached_choices()` replaces the token when a `Division` is saved or deleted
(connected below from the core's `ready()`) or a `Trade` is (markets/receivers.py).

Only for querysets that read divisions or trades alone: any other table would change
without the token moving. The field keeps its queryset, so a submitted value is still
checked against the database.

The cache is a speed-up only: with Redis down the options are read from the database and a
division or trade is saved all the same (the token is replaced once Redis answers again;
until then entries written before the outage may be served for at most `TIMEOUT`).
"""

import hashlib
import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)

GENERATION_KEY = "core:choices:generation"
# The token makes old entries unreachable; the lifetime only bounds the memory they hold.
TIMEOUT = 3600


def _generation():
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        token = cache.get(GENERATION_KEY)
    return token


def invalidate_cached_choices():
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception as exc:  # redis-py raises its own ConnectionError / TimeoutError
        log.warning("cache unavailable (filter options not invalidated): %s", exc)


def cache_choices(field, name):
    """Give ModelChoiceField `field` its options from the cache (`name`: form and field, for the key)."""
    queryset = field.queryset
    if queryset.query.is_empty():
        return
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.sha256(repr((name, sql, params)).encode()).hexdigest()[:32]
    try:
        key = f"core:choices:{_generation()}:{digest}"
        options = cache.get(key)
    except Exception as exc:  # redis-py raises its own ConnectionError / TimeoutError
        log.warning("cache unavailable (filter options read from the database): %s", exc)
        key = options = None
    if options is None:
        options = [(obj.pk, field.label_from_instance(obj)) for obj in queryset]
        if key is not None:
            cache.set(key, options, TIMEOUT)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.widget.choices = empty + options


def _changed(sender, **kwargs):
    # Now, for this transaction's own later reads, and again at the commit: another request
    # may have cached the old rows in between.
    invalidate_cached_choices()
    transaction.on_commit(invalidate_cached_choices)


def connect(model, uid):
    """Drop the cached options whenever a `model` row is saved or deleted (after the commit)."""
    post_save.connect(_changed, sender=model, dispatch_uid=f"choice_cache_save_{uid}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"choice_cache_delete_{uid}")
