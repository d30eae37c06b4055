import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from gigmarket.settings import DEV_PII_KEY, DEV_SECRET_KEY, database_from_url, env_bool


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
    assert db["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off -c enable_memoize=off"}


def test_postgres_jit_and_memoize_are_off_unless_the_url_sets_options():
    defaults = {"options": "-c jit=off -c enable_memoize=off"}
    assert database_from_url("postgres://gm@db/gigmarket")["OPTIONS"] == defaults
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


# Safe by default: the real settings module started as production starts it -----------------

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG_SECRET = "s" + secrets.token_urlsafe(60)
STRONG_PII = "pii-" + secrets.token_urlsafe(32)
SETTINGS_SHOWN = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "PII_KEY",
    "SESSION_ENGINE",
]


def start_portal(**env_vars):
    """`manage.py shell` with only these variables (and the machine's PATH): the settings
    a freshly installed server would run with. Returns (returncode, settings or None, stderr)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "PII_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"ALLOWED_HOSTS": "a.example", **env_vars})
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SETTINGS_SHOWN!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    shown = json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else None
    return result.returncode, shown, result.stderr


def test_with_keys_set_and_debug_unset_the_portal_runs_as_production():
    code, shown, err = start_portal(SECRET_KEY=STRONG_SECRET, PII_KEY=STRONG_PII)
    assert code == 0, err
    assert shown["DEBUG"] is False
    assert shown["SESSION_COOKIE_SECURE"] is True and shown["CSRF_COOKIE_SECURE"] is True
    assert shown["SECURE_SSL_REDIRECT"] is True
    assert shown["PII_KEY"] == STRONG_PII
    assert shown["SESSION_ENGINE"] == "gigmarket.core.sessions.db"


def test_with_redis_sessions_are_read_through_the_cache():
    code, shown, err = start_portal(SECRET_KEY=STRONG_SECRET, PII_KEY=STRONG_PII, REDIS_URL="redis://127.0.0.1:1/0")
    assert code == 0, err
    assert shown["SESSION_ENGINE"] == "gigmarket.core.sessions.cached_db"


def test_without_any_variable_the_portal_refuses_to_start():
    code, _, err = start_portal()
    assert code != 0
    assert "SECRET_KEY must be set" in err and "PII_KEY must be set" in err
    assert "DEBUG=1" in err  # says how to run the local demo instead


def test_without_pii_key_outside_debug_the_portal_refuses_to_start():
    code, _, err = start_portal(SECRET_KEY=STRONG_SECRET)
    assert code != 0
    assert "PII_KEY must be set" in err


def test_the_published_development_pii_key_is_refused_outside_debug():
    code, _, err = start_portal(SECRET_KEY=STRONG_SECRET, PII_KEY=DEV_PII_KEY)
    assert code != 0
    assert "PII_KEY is the development key" in err


@pytest.mark.parametrize(
    "weak",
    [DEV_SECRET_KEY, "django-insecure-" + "x1y2z3" * 10, "short-but-random-9f8e7d", "ab" * 40],
    ids=["development key", "django-insecure", "shorter than 50", "fewer than 5 distinct characters"],
)
def test_a_development_or_weak_secret_key_is_refused_outside_debug(weak):
    code, _, err = start_portal(SECRET_KEY=weak, PII_KEY=STRONG_PII)
    assert code != 0
    assert "SECRET_KEY is a development or weak key" in err


def test_debug_must_be_switched_on_explicitly_for_the_development_keys():
    code, shown, err = start_portal(DEBUG="1")
    assert code == 0, err
    assert shown["DEBUG"] is True
    assert shown["PII_KEY"] == DEV_PII_KEY
    assert shown["SESSION_COOKIE_SECURE"] is False


def test_make_run_switches_debug_on_for_the_demo_and_nothing_else_does():
    makefile = (BASE_DIR / "Makefile").read_text()
    switched = [line for line in makefile.splitlines() if re.match(r"^[\w .-]+:\s*export DEBUG\s*:?=\s*1\s*$", line)]
    assert len(switched) == 1
    targets = switched[0].split(":")[0].split()
    assert "run" in targets and "test" not in targets
    # CI checks the production profile as a server gets it: with DEBUG unset.
    ci = (BASE_DIR / ".ci" / "run").read_text().replace("\\\n", " ")
    deploy_check = next(line for line in ci.splitlines() if "manage.py check --deploy" in line)
    assert "env -u DEBUG" in deploy_check and "DEBUG=" not in deploy_check


@pytest.mark.postgres
def test_on_postgresql_the_connection_runs_without_jit_and_memoize(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW enable_memoize")
        assert (jit, cursor.fetchone()[0]) == ("off", "off")
