"""Which reads go to the replica (gigmarket.core.replicas); the real replica is in tests/ops/test_scaleout.py."""

import time

import pytest
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve

from gigmarket.core import replicas
from gigmarket.core.models import User
from markets.models import Market


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replicas, "replica_configured", lambda: True)
    monkeypatch.setattr(replicas, "replica_usable", lambda: True)


def run_view(path, *, method="get", cookies=None, response=None):
    """Run the middleware around a view that records where Market and User reads would go."""
    seen = {}
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(path)
    router = replicas.ReplicaRouter()

    def view(request):
        seen["market"] = router.db_for_read(Market)
        seen["user"] = router.db_for_read(User)
        return response or HttpResponse("ok")

    def get_response(request):
        replicas_mw.process_view(request, view, (), {})
        return view(request)

    replicas_mw = replicas.ReplicaReadsMiddleware(get_response)
    return replicas_mw(request), seen


def test_outside_a_listed_view_every_read_goes_to_the_primary():
    assert replicas.ReplicaRouter().db_for_read(Market) == "default"
    assert replicas.ReplicaRouter().db_for_write(Market) == "default"


def test_a_listed_heavy_view_reads_product_tables_from_the_replica_and_users_from_the_primary(with_replica):
    _response, seen = run_view("/markets/directory/")
    assert seen == {"market": "replica", "user": "default"}
    # And the choice does not outlive the request.
    assert replicas.ReplicaRouter().db_for_read(Market) == "default"


def test_a_page_not_listed_reads_from_the_primary(with_replica):
    _response, seen = run_view("/markets/")
    assert seen == {"market": "default", "user": "default"}


@override_settings(REPLICA_PIN_SECONDS=30)
def test_a_write_pins_the_browser_to_the_primary_and_the_pin_routes_reads_there(with_replica):
    response, _seen = run_view("/markets/directory/", method="post")
    pin = response.cookies[replicas.PIN_COOKIE]
    assert float(pin.value) > time.time() + 25
    assert pin["httponly"]
    _response, seen = run_view("/markets/directory/", cookies={replicas.PIN_COOKIE: pin.value})
    assert seen["market"] == "default"


def test_an_expired_or_junk_pin_does_not_pin(with_replica):
    for value in (f"{time.time() - 1:.0f}", "junk"):
        _response, seen = run_view("/markets/directory/", cookies={replicas.PIN_COOKIE: value})
        assert seen["market"] == "replica"


def test_reads_inside_a_transaction_on_the_primary_stay_there(with_replica, transactional_db):
    token = replicas._read_alias.set(replicas.REPLICA)
    try:
        assert replicas.ReplicaRouter().db_for_read(Market) == "replica"
        with transaction.atomic():
            assert replicas.ReplicaRouter().db_for_read(Market) == "default"
    finally:
        replicas._read_alias.reset(token)


def test_a_streamed_export_runs_its_queries_against_the_replica(with_replica):
    router = replicas.ReplicaRouter()

    def rows():
        yield router.db_for_read(Market).encode()

    response, _seen = run_view("/markets/directory/", response=StreamingHttpResponse(rows()))
    assert b"".join(response.streaming_content) == b"replica"


def test_without_a_replica_nothing_changes():
    assert not replicas.replica_configured()
    response, seen = run_view("/markets/directory/", method="post")
    assert replicas.PIN_COOKIE not in response.cookies
    assert seen["market"] == "default"
