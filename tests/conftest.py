"""Shared fixtures: a small fixed cast of users per role, and fast test settings."""

from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.conf import settings

from tests.factories.core import UserFactory, division
from tests.factories.markets import MarketFactory


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Reference data loaded by data migrations. A transactional test (transaction=True,
# live_server) flushes every table afterwards; this list puts the rows back.
REFERENCE_DATA_MIGRATIONS = [
    ("gigmarket.migrations.0003_load_divisions", "forwards"),
    ("markets.migrations.0003_seed_trades", "seed"),
    ("reporting.migrations.0002_default_calendar", "install"),
    ("registry.migrations.0003_worker_stored_tier", "fill"),  # derived columns of existing rows: a no-op after a flush
    ("registry.migrations.0009_encrypt_personal_data", "encrypt_columns"),  # existing rows too: a no-op after a flush
    (
        "reporting.migrations.0005_monthlystat",
        "fill_from_daily_rows",
    ),  # monthly sums of daily rows: a no-op after a flush
]


def reload_reference_data():
    for module, function in REFERENCE_DATA_MIGRATIONS:
        getattr(import_module(module), function)(global_apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with empty caches (public pages, dashboard cards, and content-type
    ids, which change when a transactional test flushes and recreates them)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    cache.clear()
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """Restore reference data if an earlier transactional test flushed it."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        ensure_reference_data()


def ensure_reference_data():
    """Reload the migrations' reference data if a transactional test flushed it. Module-scoped
    fixtures that write to the database call this themselves: they run before `_reference_data`."""
    from gigmarket.models import Division

    if not Division.objects.exists():
        reload_reference_data()


@pytest.fixture
def nanming(db):
    return division("520102")


@pytest.fixture
def yunyan(db):
    return division("520103")


@pytest.fixture
def honghuagang(db):
    """A county in another 市州 (遵义市)."""
    return division("520302")


@pytest.fixture
def market(nanming):
    return MarketFactory(county=nanming)


@pytest.fixture
def market2(yunyan):
    return MarketFactory(county=yunyan)


@pytest.fixture
def zunyi_market(honghuagang):
    return MarketFactory(county=honghuagang)


@pytest.fixture
def province_user(db):
    return UserFactory(role="province", division=division("520000"), username="prov")


@pytest.fixture
def auditor(db):
    return UserFactory(role="auditor", division=division("520000"), username="auditor")


@pytest.fixture
def city_user(db):
    return UserFactory(role="city", division=division("520100"), username="gy_city")


@pytest.fixture
def county_user(nanming):
    return UserFactory(role="county", division=nanming, username="nm_county")


@pytest.fixture
def county2_user(yunyan):
    return UserFactory(role="county", division=yunyan, username="yy_county")


@pytest.fixture
def clerk(market):
    return UserFactory(role="clerk", division=market.county, market=market, username="nm_clerk")


@pytest.fixture
def clerk2(market2):
    return UserFactory(role="clerk", division=market2.county, market=market2, username="yy_clerk")
