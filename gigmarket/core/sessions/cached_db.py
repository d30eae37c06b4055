"""Django's cached_db session engine with its database read prepared once (see the package)."""

from django.contrib.sessions.backends import cached_db

from . import PreparedReadMixin


class SessionStore(PreparedReadMixin, cached_db.SessionStore):
    pass
