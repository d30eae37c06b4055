"""Django's database session engine with its per-request read prepared once (see the package)."""

from django.contrib.sessions.backends import db

from . import PreparedReadMixin


class SessionStore(PreparedReadMixin, db.SessionStore):
    pass
