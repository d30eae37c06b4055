"""Session engines: Django's `db` and `cached_db`, their one read per request prepared once.

`SESSION_ENGINE = "gigmarket.core.sessions.db"` (or `.cached_db`): the same table, cookie,
serializer and cache keys as Django's engines, so switching between them keeps every session.
The read that runs on each signed-in request (cached_db: on a cache miss) is compiled once per
process (`gigmarket.core.prepared.PreparedQuery`) instead of once per request.
"""

from django.contrib.sessions.models import Session
from django.utils import timezone

from gigmarket.core.prepared import PreparedQuery


def _live_session(shape, v):
    return Session.objects.filter(session_key=v["key"], expire_date__gt=v["now"])


LIVE_SESSION = PreparedQuery(Session, _live_session)


class PreparedReadMixin:
    """`_get_session_from_db` of Django's db SessionStore, through LIVE_SESSION."""

    def _get_session_from_db(self):
        key = self.session_key  # None when the cookie's key failed `_validate_session_key`
        rows = LIVE_SESSION.run("by key", {"key": key, "now": timezone.now()}) if key else []
        if not rows:
            self._session_key = None
            return None
        return rows[0]
