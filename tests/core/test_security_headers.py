"""HTTP hardening: CSP without inline code, framing, sniffing, the production profile."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
BASE_DIR = Path(django_settings.BASE_DIR)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz", "/no-such-page/"])
def test_every_response_carries_the_security_headers(client, db, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_signed_in_pages_carry_the_headers_too(client, province_user):
    client.force_login(province_user)
    for path in ["/", "/users/", "/audit/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Security-Policy"] == EXPECTED_CSP
        assert response["X-Frame-Options"] == "DENY"


# Markup the policy would block: inline <script> bodies, style attributes, <style>
# blocks, inline event handlers, javascript: URLs.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_CODE = [
    ("inline <script>", INLINE_SCRIPT),
    ("style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("<style> block", re.compile(r"<style\b", re.I)),
    ("inline event handler", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
]


def test_no_template_needs_unsafe_inline():
    offenders = []
    for template in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for label, pattern in INLINE_CODE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{template.relative_to(BASE_DIR)}:{line}: {label}")
    assert offenders == [], "CSP forbids these; use a class and static/js instead:\n" + "\n".join(offenders)


def test_inline_code_detector_catches_what_it_should():
    bad = [
        "<script>alert(1)</script>",
        '<div style="width: 40%">',
        "<style>p{}</style>",
        '<button onclick="go()">',
        '<a href="javascript:go()">',
    ]
    good = ['<script src="/static/js/portal.js"></script>', '<div class="w-50" data-width="40">']
    assert all(any(p.search(s) for _, p in INLINE_CODE) for s in bad)
    assert not any(p.search(s) for _, p in INLINE_CODE for s in good)


# Production profile ---------------------------------------------------------------------

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "PII_KEY": "x",
    "ALLOWED_HOSTS": "a.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(*args, extra_env=None):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(PRODUCTION_ENV)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_profile_passes_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_turns_on_hsts_and_secure_cookies():
    names = [
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "X_FRAME_OPTIONS",
    ]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = run_manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", extra_env={"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_hsts_header_is_sent_over_https(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


# Health check ------------------------------------------------------------------------------


def test_healthz_is_public_plain_ok_and_uncached(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    class DownDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("gigmarket.views.connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"ok" not in response.content


def test_healthz_is_not_redirected_to_https_for_the_load_balancer(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_healthz_accepts_only_get(client, db):
    assert client.post("/healthz").status_code == 405
