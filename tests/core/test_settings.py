import pytest
from django.core.exceptions import ImproperlyConfigured

from gigmarket.settings import database_from_url, env_bool


def test_database_url_is_parsed():
    db = database_from_url("postgres://gm:s%40cret@db.example:5433/gigmarket?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "gigmarket",
        "gm",
        "s@cret",
        "db.example",
        "5433",
    )
    assert db["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off"}


def test_postgres_jit_is_off_unless_the_url_sets_options():
    assert database_from_url("postgres://gm@db/gigmarket")["OPTIONS"] == {"options": "-c jit=off"}
    own = database_from_url("postgres://gm@db/gigmarket?options=-c%20jit%3Don%20-c%20work_mem%3D64MB")
    assert own["OPTIONS"] == {"options": "-c jit=on -c work_mem=64MB"}


def test_bad_database_url_fails_loudly():
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://x@y/z")


def test_bad_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG", False)


def test_password_needs_three_character_classes():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("lowercaseonly123")
    validate_password("Lower-case-77")
