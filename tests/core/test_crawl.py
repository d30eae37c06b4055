"""Every page reachable by clicking, for every demo role, answers without a server error.

Each staff role first downloads every export (every URL that answers with a file, with
filters), so the audit log holds their rows; then a breadth-first crawl from the home
page over the demo data requests each same-site link a user can follow (GET, no logout,
no downloads) once, the audit log included. This catches what unit tests
of single views miss: a link built for one role that breaks for another, a template that
fails on real demo rows, English left on a page.
"""

import datetime
import inspect
import re
from collections import deque
from urllib.parse import urldefrag, urlparse

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from gigmarket.core.models import AuditEvent, User
from markets.models import Market
from registry.models import Worker
from reporting.models import Submission

LINK = re.compile(r'href="([^"#][^"]*)"')
SKIP = ("/accounts/logout/", "/admin/", "/static/", "/media/")
DOWNLOADS = ("export", ".csv", ".json", ".xlsx", ".svg", "template")
ENGLISH_ERRORS = ("This field is required", "Enter a valid", "Page not found", "Server Error", "Traceback")
MAX_PAGES = 150


def crawl(client):
    seen, queue, visited = {"/"}, deque(["/"]), []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        visited.append((url, response.status_code))
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        for phrase in ENGLISH_ERRORS:
            assert phrase not in body, f"{url} shows English text: {phrase!r}"
        for href in LINK.findall(body):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or not href.startswith("/"):
                continue
            if href.startswith(SKIP) or any(part in parsed.path for part in DOWNLOADS):
                continue
            if href not in seen:
                seen.add(href)
                queue.append(href)
    return visited


def test_every_public_page_works_anonymously(demo_data):
    visited = crawl(Client())
    assert any(url.startswith("/markets/directory/") for url, _ in visited)


# Every export first, then every page (the audit log after it has recorded them) -------------


# Views that answer with a file (a download, or a file for other programs).
FILE_URL_NAMES = {
    "audit_export",
    "export_job_download",
    "two_factor_recovery_download",
    "markets:export",
    "markets:import_template",
    "markets:qr",
    "markets:directory_qr",
    "markets:rectification_photo",
    "registry:worker_export",
    "registry:subsidy_export",
    "reporting:export",
    "reporting:monitoring_export",
    "reporting:open_csv",
    "reporting:open_json",
    "reporting:registry_as_of",
    "reporting:bulletin_export",
}
FILE_MARKERS = (
    "Content-Disposition",
    "_attachment(",
    "xlsx_response(",
    "xlsx_bytes_response(",
    "csv_response(",
    "StreamingHttpResponse(",
    "application/json",
    "image/svg",
)
STAFF_DEMO_USERS = ["demo_province", "demo_auditor", "demo_city", "demo_county", "demo_county2", "demo_clerk"]


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry.callback


def test_every_view_that_returns_a_file_is_downloaded_by_the_crawl():
    """A new export is added to FILE_URL_NAMES (and so to the crawl below), or this fails."""
    found = set()
    for name, view in _patterns(get_resolver()):
        if name.startswith("admin:"):
            continue
        source = inspect.getsource(inspect.unwrap(view))
        if any(marker in source for marker in FILE_MARKERS):
            found.add(name)
    assert found == FILE_URL_NAMES


def export_urls():
    """Every file URL, with the filters a user picks (the market list with 状态 = 运营中)."""
    market = Market.objects.filter(status=Market.Status.OPERATING).order_by("pk").first()
    submission = Submission.objects.order_by("pk").first()
    worker = Worker.objects.order_by("pk").first()
    period = submission.period_id if submission else ""
    urls = [
        reverse("markets:export") + "?status=operating",
        reverse("markets:export") + f"?county={market.county_id}&kind=general&trade=1&q=市场",
        reverse("markets:import_template"),
        reverse("markets:qr", args=[market.pk]),
        reverse("markets:directory_qr", args=[market.pk]) + "?download=1",
        reverse("registry:worker_export"),
        reverse("registry:worker_export") + "?q=" + worker.name[:1],
        reverse("registry:subsidy_export") + f"?year={timezone.localdate().year}",
        reverse("reporting:export"),
        reverse("reporting:export") + f"?period={period}",
        reverse("reporting:monitoring_export"),
        reverse("reporting:monitoring_export") + f"?county={market.county_id}",
        reverse("reporting:open_csv"),
        reverse("reporting:open_json"),
        reverse("reporting:registry_as_of") + f"?date={timezone.localdate() - datetime.timedelta(days=1)}&format=xlsx",
        reverse("reporting:bulletin_export", args=[period]),
        reverse("audit_export") + "?target_type=市场",
        reverse("audit_export") + "?action=export",
        reverse("two_factor_recovery_download"),  # without codes being shown: back to the 2FA page
        reverse("export_job_download", args=[0]),  # no such job: 404 (tests/core/test_export_jobs.py downloads one)
        reverse("markets:rectification_photo", args=[0]),  # no such photo: 404 (test_rectification_pages serves one)
    ]
    names = {resolve_name(url) for url in urls}
    assert names == FILE_URL_NAMES, names ^ FILE_URL_NAMES
    return urls


def resolve_name(url):
    match = resolve(urlparse(url).path)
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def test_each_staff_role_downloads_every_export_then_every_page_and_the_audit_log_works(demo_data):
    for username in STAFF_DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        downloaded = 0
        for url in export_urls():
            response = client.get(url)
            assert response.status_code < 500, f"{username}: {url} answered {response.status_code}"
            if response.status_code == 200:
                assert "text/html" not in response["Content-Type"], f"{username}: {url} is not a file"
                downloaded += 1
        assert downloaded >= 10, f"{username} downloaded only {downloaded} files"
        assert AuditEvent.objects.filter(action="export", actor_username=username).exists()
        for params in ({}, {"action": "export"}, {"target_type": "市场"}, {"target": "名录"}, {"page": 2}):
            response = client.get(reverse("audit_list"), params)
            assert response.status_code == 200, f"{username}: /audit/?{params} answered {response.status_code}"
        visited = crawl(client)
        assert len(visited) > 20, visited
        assert sum(1 for _, status in visited if status == 200) > 15
        if username != "demo_clerk":  # clerks have no menu entry (they see only their own rows)
            assert ("/audit/", 200) in visited
