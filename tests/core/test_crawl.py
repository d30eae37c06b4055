"""Every page reachable by clicking, for every demo role, answers without a server error.

A breadth-first crawl from the home page over the demo data (loaded once for all of these
tests, `demo_data` in tests/conftest.py): each same-site link a user
can follow (GET, no logout, no downloads) is requested once. This catches what unit tests
of single views miss: a link built for one role that breaks for another, a template that
fails on real demo rows, English left on a page.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.test import Client

from gigmarket.models import User

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


@pytest.mark.parametrize(
    "username", ["demo_province", "demo_auditor", "demo_city", "demo_county", "demo_county2", "demo_clerk"]
)
def test_every_linked_page_works_for_each_demo_role(demo_data, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    visited = crawl(client)
    assert len(visited) > 20, visited
    assert sum(1 for _, status in visited if status == 200) > 15


def test_every_public_page_works_anonymously(demo_data):
    visited = crawl(Client())
    assert any(url.startswith("/markets/directory/") for url, _ in visited)
