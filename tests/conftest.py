"""Shared fixtures: a small fixed cast of users per role, the demo data loaded once, and
fast test settings. Hooks: `postgres` tests skip visibly elsewhere; tests that share one
database state (the demo data, a module-scoped fixture) run together on one xdist worker."""

import io
from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from gigmarket.models import User
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


def on_postgres():
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_itemcollected(item):
    """Group what must run in one process under `--dist loadgroup` (the `make test` default):
    the demo-data tests share one load, and a module with a module-scoped fixture (the
    benchmark data, the backup source database) builds it once instead of once per worker.
    Everything else is distributed test by test."""
    if any(item.iter_markers("xdist_group")):
        return
    if "demo_data" in item.fixturenames:
        item.add_marker(pytest.mark.xdist_group("demo_data"))
        return
    definitions = getattr(item, "_fixtureinfo", None)
    scopes = {d[-1].scope for d in definitions.name2fixturedefs.values() if d} if definitions else set()
    if scopes & {"module", "package", "class"}:
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if not on_postgres():
        skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")
        for item in items:
            if item.get_closest_marker("postgres"):
                item.add_marker(skip)
    # The demo-data tests first and together (after pytest-django's own ordering), so a
    # serial run loads the demo data once.
    items[:] = [i for i in items if "demo_data" in i.fixturenames] + [
        i for i in items if "demo_data" not in i.fixturenames
    ]


# Reference data loaded by data migrations. A transactional test (transaction=True,
# live_server) flushes every table afterwards; this list puts the rows back.
REFERENCE_DATA_MIGRATIONS = [
    ("gigmarket.migrations.0003_load_divisions", "forwards"),
    ("markets.migrations.0003_seed_trades", "seed"),
    ("reporting.migrations.0002_default_calendar", "install"),
    ("registry.migrations.0003_worker_stored_tier", "fill"),  # derived columns of existing rows: a no-op after a flush
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


class SharedDemoData:
    """The demo data (`load_demo`), loaded once into the test database inside a transaction
    that stays open while the tests using it run; each of them runs in a savepoint rolled
    back after it. The transaction is rolled back before the first test that does not use
    the demo data, so every other test still starts from the migrated, empty database."""

    def __init__(self):
        self.blocker = None
        self.atomic = None
        self.loads = 0

    def enter(self, blocker):
        if self.atomic is not None:
            return
        self.blocker = blocker
        with blocker.unblock():
            ensure_reference_data()  # a transactional test may have flushed it
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                call_command("load_demo", stdout=io.StringIO())
            except BaseException:
                self.leave()
                raise
        self.loads += 1

    def leave(self):
        if self.atomic is None:
            return
        atomic, self.atomic = self.atomic, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            # The tests after this one expect the empty database: make a leak loud.
            assert not User.objects.filter(username__startswith="demo_").exists(), "demo data outlived its tests"


SHARED_DEMO = SharedDemoData()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if "demo_data" not in item.fixturenames:
        SHARED_DEMO.leave()


@pytest.fixture(scope="session")
def _shared_demo_data(django_db_setup, django_db_blocker):
    yield SHARED_DEMO
    SHARED_DEMO.leave()  # before the test database goes


@pytest.fixture
def demo_data(request, _shared_demo_data, django_db_blocker):
    """The demo data, shared: use it instead of `db` (not with it, which would open the
    test's savepoint below the demo data's transaction)."""
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    ):
        raise pytest.UsageError(f"{request.node.nodeid}: `demo_data` brings its own database access; drop `db`")
    _shared_demo_data.enter(django_db_blocker)
    request.getfixturevalue("db")


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
