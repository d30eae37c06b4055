"""Sessions read through the cache (SESSION_ENGINE cached_db, the default with Redis)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.sessions.db import SessionStore

CACHED_DB = "gigmarket.core.sessions.cached_db"
DB = "gigmarket.core.sessions.db"
DJANGO_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def queries_for_page(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("registry:worker_list"))
    assert response.status_code == 200  # signed in: the page, not a redirect to the login
    return [q["sql"] for q in ctx.captured_queries]


def session_reads(queries):
    return [sql for sql in queries if sql.startswith("SELECT") and '"django_session"' in sql]


@pytest.fixture
def sign_in(county_user, settings):
    def sign_in(engine):
        settings.SESSION_ENGINE = engine  # read when a client's handler loads the middleware
        client = Client()
        client.force_login(county_user)
        queries_for_page(client)  # the first page records the session start
        return client

    return sign_in


def test_a_signed_in_page_reads_the_session_from_the_cache(sign_in):
    from_db = queries_for_page(sign_in(DB))
    cached = queries_for_page(sign_in(CACHED_DB))

    assert len(session_reads(from_db)) == 1
    assert session_reads(cached) == []
    assert len(cached) == len(from_db) - 1


def test_an_emptied_cache_signs_nobody_out(sign_in):
    client = sign_in(CACHED_DB)
    cache.clear()  # a Redis restart or flush
    assert len(session_reads(queries_for_page(client))) == 1  # read back from the database
    assert session_reads(queries_for_page(client)) == []  # and cached again


@pytest.mark.parametrize("django_engine", DJANGO_ENGINES)
def test_a_session_made_by_djangos_engine_is_kept_by_the_portals(sign_in, settings, django_engine):
    client = sign_in(django_engine)
    settings.SESSION_ENGINE = django_engine.replace("django.contrib.sessions.backends", "gigmarket.core.sessions")
    assert len(queries_for_page(client)) > 0  # still signed in (the page, not the login)


def test_an_expired_or_unknown_session_reads_as_empty(county_user):
    stored = DjangoStore()
    stored["x"] = 1
    stored.create()
    stored.save()
    assert SessionStore(stored.session_key).load() == {"x": 1}
    Session.objects.filter(session_key=stored.session_key).update(expire_date=timezone.now())
    expired = SessionStore(stored.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("no-such-session-key").load() == {}
