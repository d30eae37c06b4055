"""Search boxes, filters and `next` links never cause a server error, and never echo a full phone.

Query parameters are forms too: each list page's parameters get hostile values (letters
where an id is expected, NUL, full-width digits, emoji, huge numbers) and must answer
with a page, a redirect or a 404 — never a 500. PostgreSQL refuses NUL in text, so a
raw `?q=` that reaches a query unfiltered fails there.
"""

import unicodedata

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from .test_fuzz_forms import FUZZ_EXAMPLES, hostile_text

VALUES = ["abc", "\x00", "1\x00", "１２", "9" * 30, "-1", "😀", "0x10", " ", "%", "'"]

PAGE_PARAMS = {
    "user_list": ["q", "page"],
    "audit_list": ["action", "actor", "target_type", "target", "date_from", "page"],
    "audit_export": ["action", "actor", "target_type", "target", "date_to"],
    "markets:list": ["q", "city", "county", "status", "kind", "trade", "page"],
    "markets:export": ["q", "county", "trade"],
    "markets:compliance": ["county", "city", "item"],
    "markets:directory": ["q", "city", "county", "trade", "page"],
    "registry:visit_list": ["window", "page"],
    "registry:worker_list": ["q", "page"],
    "registry:worker_export": ["q"],
    "registry:employer_list": ["q", "page"],
    "registry:posting_list": ["status", "page"],
    "matching:board": ["market", "page"],
    "matching:overview": ["day", "group"],
    "matching:match_list": ["state", "day", "page"],
    "matching:case_list": ["state", "kind", "page"],
    "matching:case_create": ["worker", "match"],
    "matching:placement_list": ["status", "due", "page"],
    "matching:placement_create": ["worker"],
    "reporting:submission_list": ["period", "status", "page"],
    "reporting:export": ["period", "county", "city"],
    "reporting:notifications": ["unread", "page"],
    "reporting:monitoring": ["period", "market", "county", "city"],
    "reporting:monitoring_export": ["period", "market", "county", "city"],
}


@pytest.mark.parametrize("name", sorted(PAGE_PARAMS))
def test_hostile_query_values_never_cause_a_server_error(world, name):
    client = Client(raise_request_exception=False)
    client.force_login(world.users["province"])
    url = reverse(name)
    failures = []
    for param in PAGE_PARAMS[name]:
        for value in VALUES:
            status = client.get(url, {param: value}).status_code
            if status >= 500:
                failures.append(f"GET {url}?{param}={value!r} → {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=hostile_text)
def test_fuzzed_worker_search_never_causes_a_server_error(world, q):
    client = Client(raise_request_exception=False)
    client.force_login(world.users["clerk"])
    posted = client.post("/registry/workers/", {"q": q})  # the search box posts
    by_url = client.get("/registry/workers/", {"q": q})
    if "\x00" in q:
        # NUL can't reach PostgreSQL: the request is refused with a Chinese message.
        assert posted.status_code == by_url.status_code == 400
        assert "无效的控制字符" in posted.content.decode()
    else:
        assert posted.status_code == 200
        # In a URL, a term with digits (ID numbers, mobiles) is refused with a message.
        has_digit = any(ch.isdigit() for ch in unicodedata.normalize("NFKC", q))
        assert by_url.status_code == (400 if has_digit else 200)


@pytest.mark.parametrize("next_value", ["abc", "logout", "\x00", ":x", "https://evil.example/"])
def test_a_bad_next_after_a_match_step_redirects_safely(world, client, next_value):
    client.force_login(world.users["clerk"])
    bad_form = {"posting": "x", "worker": "y", "token": "z", "next": next_value}
    response = client.post("/matching/matches/new/", bad_form)
    if "\x00" in next_value:
        assert response.status_code == 400  # refused before the view, in Chinese
        return
    assert response.status_code == 400 and "Location" not in response  # an invalid form goes nowhere
    match = world.match("nanming")
    response = client.post(f"/matching/matches/{match.pk}/transition/", {"to": "nonsense", "next": next_value})
    assert response.status_code == 400 and "Location" not in response
    # A step the service refuses (洽谈中 cannot become 已完工) goes back to `next`, if it is a local path.
    response = client.post(f"/matching/matches/{match.pk}/transition/", {"to": "completed", "next": next_value})
    assert response.status_code == 302
    assert response["Location"].startswith("/") and not response["Location"].startswith("//")


def test_search_by_mobile_does_not_echo_the_full_mobile(world, client):
    worker = world.worker("nanming")
    client.force_login(world.users["clerk"])
    response = client.post("/registry/workers/", {"q": worker.mobile})
    body = response.content.decode()
    assert response.status_code == 200 and worker.name in body
    assert worker.mobile not in body, "the full mobile is echoed into the page and its export link"
