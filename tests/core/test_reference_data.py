"""Reference data survives transactional tests, and every data migration is known to conftest."""

import pytest
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython

from gigmarket.core.models import Division
from markets.models import Trade
from tests.conftest import REFERENCE_DATA_MIGRATIONS

OUR_APPS = {"gigmarket", "markets", "registry", "matching", "reporting"}


def test_every_data_migration_is_reloaded_after_a_flush(db):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = set()
    for (app, _name), migration in loader.disk_migrations.items():
        if app in OUR_APPS and any(isinstance(op, RunPython) for op in migration.operations):
            found.add(type(migration).__module__)
    assert found == {module for module, _ in REFERENCE_DATA_MIGRATIONS}


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_reference_data():
    assert Division.objects.filter(level="county").count() == 88
    assert Trade.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_next_transactional_test_sees_it_too():
    assert Division.objects.filter(level="county").count() == 88
    assert Trade.objects.exists()


def test_and_an_ordinary_test_after_them(db):
    assert Division.objects.count() == 98
