"""Counting in the Django cache (Redis in production) for the code limits.

`hit(...)` fails closed: if the cache cannot be reached it raises `CacheDown`, and code
sending refuses with a clear message. Reads elsewhere use `cache_get`, which fails open.
"""

import contextlib
import logging
import time

from django.core.cache import cache

log = logging.getLogger("gigmarket.sms")


class CacheDown(Exception):
    pass


class Limited(Exception):
    def __init__(self, wait_seconds):
        super().__init__(wait_seconds)
        self.wait_seconds = max(1, int(wait_seconds))


def cooldown(key, seconds, *, now=None):
    """Allow one event per `seconds` for `key`; raises Limited with the wait left."""
    now = now if now is not None else time.time()
    try:
        if cache.add(key, now, timeout=seconds):
            return
        started = cache.get(key)
    except Exception as exc:
        log.warning("sms: cache unavailable for rate limits: %s", exc)
        raise CacheDown from exc
    if started is None:  # expired between add() and get(): allow, and start a new period
        try:
            cache.set(key, now, timeout=seconds)
        except Exception as exc:
            raise CacheDown from exc
        return
    raise Limited(seconds - (now - float(started)))


def window(key, limit, seconds, *, now=None):
    """Allow `limit` events per fixed window of `seconds`; raises Limited with the wait
    until the window ends. Counts with the cache's atomic incr (Redis INCR)."""
    now = now if now is not None else time.time()
    bucket = int(now // seconds)
    full_key = f"{key}:{seconds}:{bucket}"
    try:
        cache.add(full_key, 0, timeout=seconds + 60)
        count = cache.incr(full_key)
    except ValueError:  # evicted between add and incr
        try:
            cache.set(full_key, 1, timeout=seconds + 60)
        except Exception as exc:
            raise CacheDown from exc
        count = 1
    except Exception as exc:
        log.warning("sms: cache unavailable for rate limits: %s", exc)
        raise CacheDown from exc
    if count > limit:
        raise Limited((bucket + 1) * seconds - now)


def release(key):
    """Forget a cooldown (a send that was refused by a later check)."""
    with contextlib.suppress(Exception):
        cache.delete(key)


def cache_get(key, default=None):
    """A cache read that fails open: `default` when the cache is down."""
    try:
        return cache.get(key, default)
    except Exception as exc:
        log.warning("cache unavailable (read served without it): %s", exc)
        return default


def wait_text(seconds):
    """秒 / 分钟 / 小时, rounded up, for the Chinese message."""
    seconds = max(1, int(seconds + 0.999))
    if seconds < 60:
        return f"{seconds}秒"
    minutes = (seconds + 59) // 60
    if minutes < 60:
        return f"{minutes}分钟"
    hours = (minutes + 59) // 60
    return f"{hours}小时"
