"""Heavy reads on a streaming replica, everything else on the primary.

Switched on by DATABASE_REPLICA_URL (docs/deployment.md, "Scale-out"). Then:

- Writes, migrations and every read outside the listed views go to the primary.
- GET/HEAD requests to the views named in REPLICA_READ_VIEWS (monitoring, exports, the
  public 名录) read the product apps' tables (REPLICA_READ_APPS) from the replica. Sessions,
  users, lockouts and two-factor devices are always read from the primary.
- Read-your-writes: a request that wrote (any unsafe method) pins its browser to the
  primary for REPLICA_PIN_SECONDS with a cookie, so the page it is sent to next never
  shows data older than its own write, whatever the replica's lag.
- A replica that cannot be reached is skipped for REPLICA_RETRY_SECONDS (per process), and
  a view whose replica connection fails midway is run again on the primary: the portal
  keeps serving reads when the replica stops.
"""

import contextlib
import contextvars
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "gm_primary_until"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

logger = logging.getLogger(__name__)

# The alias this request's eligible reads go to; None outside the listed views.
_read_alias = contextvars.ContextVar("gm_read_alias", default=None)
# Process-wide: when the replica last failed (monotonic seconds).
_replica_failed_at = None


def replica_configured():
    return REPLICA in settings.DATABASES


def mark_replica_down():
    global _replica_failed_at
    _replica_failed_at = time.monotonic()
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


def replica_usable():
    """True unless the replica failed within the last REPLICA_RETRY_SECONDS (then probe again)."""
    global _replica_failed_at
    if not replica_configured():
        return False
    if _replica_failed_at is not None:
        if time.monotonic() - _replica_failed_at < settings.REPLICA_RETRY_SECONDS:
            return False
        _replica_failed_at = None
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        logger.warning("replica unreachable; reads stay on the primary for %ss", settings.REPLICA_RETRY_SECONDS)
        mark_replica_down()
        return False
    return True


class ReplicaRouter:
    """Route eligible reads to the replica while a listed view runs; all else to the primary."""

    def db_for_read(self, model, **hints):
        if _read_alias.get() != REPLICA:
            return PRIMARY
        if model._meta.app_label not in settings.REPLICA_READ_APPS:
            return PRIMARY
        # Inside a transaction on the primary (a write in progress) reads stay with it.
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: a row read from the replica may refer to one
        # from the primary.
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


def _reading_from(alias, chunks):
    token = _read_alias.set(alias)
    try:
        yield from chunks
    finally:
        _read_alias.reset(token)


def pinned_to_primary(request):
    try:
        return float(request.COOKIES.get(PIN_COOKIE, 0)) > time.time()
    except ValueError:
        return False


class ReplicaReadsMiddleware:
    """Decide per request whether the listed heavy reads may use the replica (see module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._replica_view = None
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _read_alias.reset(token)
        if token is not None and response.streaming:
            # A streamed export runs its queries while the body is sent, after this returns.
            response.streaming_content = _reading_from(REPLICA, response.streaming_content)
        if request.method not in SAFE_METHODS and replica_configured():
            pin_until = time.time() + settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{pin_until:.0f}",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method in SAFE_METHODS
            and match is not None
            and match.view_name in settings.REPLICA_READ_VIEWS
            and not pinned_to_primary(request)
            and replica_usable()
        ):
            request._replica_token = _read_alias.set(REPLICA)
            request._replica_view = (view_func, view_args, view_kwargs)
        return None

    def process_exception(self, request, exception):
        """The replica failed while the view ran: mark it down and run the view again on the primary."""
        if request._replica_view is None or not isinstance(exception, DatabaseError):
            return None
        if connections[REPLICA].is_usable():
            return None  # the error was not the replica's
        logger.warning("replica failed during %s; serving it from the primary", request.path)
        mark_replica_down()
        view_func, view_args, view_kwargs = request._replica_view
        request._replica_view = None
        token = _read_alias.set(PRIMARY)
        try:
            response = view_func(request, *view_args, **view_kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            return response
        finally:
            _read_alias.reset(token)
