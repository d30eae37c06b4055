"""Shared fixtures: a small fixed cast of users per role, the demo data loaded once, and
fast test settings. Hooks: `postgres` tests skip visibly elsewhere; under xdist the tests
using the demo data run together on one worker."""

import io
from importlib import import_module

import pytest
import time_machine
from django.apps import apps as global_apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from gigmarket.core.models import User
from tests.factories.core import UserFactory, division
from tests.factories.markets import MarketFactory


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Most tests sign in with force_login (no second factor); the two-factor tests switch
    # the policy on themselves with the `settings` fixture.
    settings.OTP_REQUIRED_ROLES = []
    settings.CELERY_BROKER_URL = "memory://"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    let_test_flush_truncate_the_audit_table()


AUDIT_TABLE = "gigmarket_auditevent"
AUDIT_TRUNCATE_TRIGGER = "gigmarket_auditevent_no_truncate"


def let_test_flush_truncate_the_audit_table():
    """A transactional test (transaction=True, live_server) ends with Django's flush, a
    TRUNCATE of every table, which the audit table's trigger refuses on PostgreSQL
    (gigmarket/core/migrations/0006). Here, in the test process only and for test databases
    only, the flush switches that one statement trigger off around its TRUNCATE, in the
    same transaction. The UPDATE/DELETE trigger is never touched, and during every test
    both triggers are on: tests/core/test_audit_immutable.py tries them."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if AUDIT_TABLE in tables and self.connection.settings_dict["NAME"].startswith("test_"):
            trigger = f"TRIGGER {AUDIT_TRUNCATE_TRIGGER}"
            statements = [
                f"ALTER TABLE {AUDIT_TABLE} DISABLE {trigger};",
                *statements,
                f"ALTER TABLE {AUDIT_TABLE} ENABLE {trigger};",
            ]
        return statements

    DatabaseOperations.sql_flush = sql_flush


def on_postgres():
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# The demo-data tests carry this in their test id (`demo_data` is parametrized with it), the
# one thing xdist's controller sees of a test: it sends them all to one worker.
DEMO_DATA_ID = "demo_data"


def is_demo_data_test(nodeid):
    params = nodeid.rpartition("::")[2].partition("[")[2].removesuffix("]")
    return DEMO_DATA_ID in params.split("-")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (the `make test` default), with the demo-data tests of every file as
    one unit, so each run loads the demo data once. Each file stays on one worker: a
    module-scoped fixture (the benchmark data, the backup source database) is built once."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class DemoDataTogether(LoadFileScheduling):
        def _split_scope(self, nodeid):
            return DEMO_DATA_ID if is_demo_data_test(nodeid) else super()._split_scope(nodeid)

    return DemoDataTogether(config, log)


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
    ("gigmarket.core.migrations.0003_load_divisions", "forwards"),
    ("markets.migrations.0003_seed_trades", "seed"),
    ("reporting.migrations.0002_default_calendar", "install"),
    ("registry.migrations.0003_worker_stored_tier", "fill"),  # derived columns of existing rows: a no-op after a flush
    ("registry.migrations.0009_encrypt_personal_data", "encrypt_columns"),  # existing rows too: a no-op after a flush
    (
        "reporting.migrations.0005_monthlystat",
        "fill_from_daily_rows",
    ),  # monthly sums of daily rows: a no-op after a flush
    ("reporting.migrations.0011_fill_region_rollups", "fill"),  # 市州/province sums of county rows: no-op too
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
    from gigmarket.core.models import Division

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
        self.loaded_at = None

    @property
    def active(self):
        return self.atomic is not None

    def enter(self):
        if self.active:
            return
        with self.blocker.unblock():
            ensure_reference_data()  # a transactional test may have flushed it
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.loaded_at = timezone.now()
            try:
                call_command("load_demo", stdout=io.StringIO())
            except BaseException:
                self.leave()
                raise

    def leave(self):
        if not self.active:
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
    SHARED_DEMO.blocker = django_db_blocker
    yield SHARED_DEMO
    SHARED_DEMO.leave()  # before the test database goes


@pytest.fixture(scope="module")
def _demo_data_transaction(_shared_demo_data):
    """Module-scoped so that it runs before any test's own database fixture: the demo data's
    transaction must be opened below the test's savepoint, not inside it."""
    _shared_demo_data.enter()


@pytest.fixture(params=[pytest.param(None, id=DEMO_DATA_ID)])
def demo_data(request, _demo_data_transaction, db):
    """The demo data, loaded once per session (per xdist worker) and rolled back after each
    test. Tests that use it come first in a run (`pytest_collection_modifyitems`)."""
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        raise pytest.UsageError(f"{request.node.nodeid}: the shared demo data cannot be committed")
    if not SHARED_DEMO.active:
        # A test of this module that does not use the demo data ran since the module's first
        # one and rolled it back: load it for this test alone.
        SHARED_DEMO.loaded_at = timezone.now()
        call_command("load_demo", stdout=io.StringIO())
    # The demo is dated by the day it was loaded on (today's postings, a step due today). A
    # run that crosses midnight (Beijing) would see yesterday's demo: each test runs with the
    # clock back at the moment of the load, still ticking.
    with time_machine.travel(SHARED_DEMO.loaded_at, tick=True):
        yield


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
