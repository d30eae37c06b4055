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


def test_every_signed_in_page_is_kept_out_of_caches_and_public_pages_are_not(client, county_user, market):
    """Staff pages hold names, masked IDs and phones: no browser or proxy may keep them."""
    client.force_login(county_user)
    for path in ["/", "/matching/matches/", "/matching/overview/", "/markets/", "/reporting/monitoring/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    client.logout()
    public = client.get("/")
    assert "no-store" not in public.get("Cache-Control", ""), "the anonymous home page may be cached"


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

    monkeypatch.setattr("gigmarket.core.views.connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"ok" not in response.content


def test_healthz_is_not_redirected_to_https_for_the_load_balancer(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_healthz_accepts_only_get(client, db):
    assert client.post("/healthz").status_code == 405


# Report-only mode and violation reports ---------------------------------------------------


def test_by_default_the_policy_is_enforced_and_sends_no_reports(client, db):
    response = client.get("/")
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    assert "Content-Security-Policy-Report-Only" not in response
    assert "Reporting-Endpoints" not in response


def test_report_only_mode_sends_the_same_policy_without_enforcing_it(client, db, settings):
    settings.CSP_REPORT_ONLY = True
    for path in ["/", "/accounts/login/", "/no-such-page/"]:
        response = client.get(path)
        assert "Content-Security-Policy" not in response
        assert response["Content-Security-Policy-Report-Only"] == EXPECTED_CSP
        assert response["X-Frame-Options"] == "DENY"


def test_a_report_uri_is_named_for_both_kinds_of_browser(client, db, settings):
    settings.CSP_REPORT_ONLY = True
    settings.CSP_REPORT_URI = "/csp-report"
    response = client.get("/")
    assert response["Content-Security-Policy-Report-Only"] == EXPECTED_CSP + "; report-uri /csp-report; report-to csp"
    assert response["Reporting-Endpoints"] == 'csp="/csp-report"'


def test_an_enforced_policy_can_report_too(client, db, settings):
    settings.CSP_REPORT_URI = "https://csp.example.gov.cn/report"
    response = client.get("/")
    assert response["Content-Security-Policy"].endswith("; report-uri https://csp.example.gov.cn/report; report-to csp")


ID_NUMBER = "520102199001011234"


def post_report(client, body, content_type="application/csp-report"):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post("/csp-report", data=data, content_type=content_type)


def csp_log(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "gigmarket.csp"]


def test_a_report_uri_report_is_logged_as_one_masked_line(client, db, caplog):
    report = {
        "csp-report": {
            "document-uri": f"https://lingong.example.gov.cn/registry/workers/{ID_NUMBER}/?q=13985012345",
            "violated-directive": "script-src-elem",
            "effective-directive": "script-src-elem",
            "blocked-uri": "inline",
            "source-file": "https://lingong.example.gov.cn/static/js/portal.js?v=3",
            "line-number": 12,
            "disposition": "report",
        }
    }
    response = post_report(client, report)
    assert response.status_code == 204
    (line,) = csp_log(caplog)
    assert "directive=script-src-elem" in line
    assert "blocked=inline" in line
    assert "disposition=report" in line
    assert "source=https://lingong.example.gov.cn/static/js/portal.js" in line
    assert "line=12" in line
    assert ID_NUMBER not in line
    assert "5201**********1234" in line
    assert "13985012345" not in line and "?q=" not in line and "?v=" not in line


def test_reporting_api_reports_are_logged_one_line_each(client, db, caplog):
    body = [
        {"type": "csp-violation", "body": {"documentURL": "https://a/", "effectiveDirective": "img-src"}},
        {"type": "csp-violation", "body": {"documentURL": "https://a/b", "effectiveDirective": "style-src-attr"}},
        {"type": "deprecation", "body": {"message": "not ours"}},
    ]
    response = post_report(client, body, content_type="application/reports+json")
    assert response.status_code == 204
    lines = csp_log(caplog)
    assert len(lines) == 2
    assert "directive=img-src" in lines[0] and "document=https://a/" in lines[0]
    assert "directive=style-src-attr" in lines[1]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00",
        b'"a string"',
        b'{"csp-report": 5}',
        b"[" * 5000,
        json.dumps({"csp-report": {"document-uri": {"nested": ["x"] * 50}, "line-number": [1]}}).encode(),
    ],
    ids=["empty", "text", "bad-utf8", "string", "wrong-shape", "deep-nesting", "odd-values"],
)
def test_junk_is_refused_or_ignored_never_a_500(client, db, body, caplog):
    response = post_report(client, body)
    assert response.status_code in (204, 400)
    for line in csp_log(caplog):
        assert "nested" not in line


def test_an_oversized_report_is_refused_and_not_logged(client, db, caplog):
    report = {"csp-report": {"document-uri": "https://a/" + "x" * 9000, "effective-directive": "img-src"}}
    response = post_report(client, report)
    assert response.status_code == 413
    assert csp_log(caplog) == []


def test_long_values_are_cut_short(client, db, caplog):
    report = {"csp-report": {"blocked-uri": "https://evil.example/" + "a" * 5000, "effective-directive": "img-src"}}
    assert post_report(client, report).status_code == 204
    (line,) = csp_log(caplog)
    assert len(line) < 600


def test_a_flood_from_one_address_is_cut_off(client, db, settings, caplog):
    settings.CSP_REPORTS_PER_MINUTE = 3
    report = {"csp-report": {"effective-directive": "img-src", "blocked-uri": "data"}}
    statuses = [post_report(client, report).status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    assert len(csp_log(caplog)) == 3


def test_reports_need_no_csrf_token_and_only_post_is_accepted(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    report = {"csp-report": {"effective-directive": "img-src"}}
    assert post_report(client, report).status_code == 204
    assert client.get("/csp-report").status_code == 405


def test_a_user_who_must_change_the_password_can_still_send_reports(client, county_user):
    county_user.must_change_password = True
    county_user.save()
    client.force_login(county_user)
    assert post_report(client, {"csp-report": {"effective-directive": "img-src"}}).status_code == 204
    assert client.get("/").status_code == 302
