"""Every URL × every role × an in-scope and an out-of-scope object → the expected status.

The URL list comes from the URL configuration, so a new URL without an entry in
`tests/security/matrix.py` fails here. Each request runs in a savepoint that is rolled
back, so every role meets the same data; refused POSTs must leave every table of the
portal exactly as it was, and allowed POSTs must change something (the payload works).
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode

from .dbstate import changed_tables, fingerprint
from .matrix import DENY, FORBIDDEN, LOGIN, MATRIX, NOT_ALLOWED, NOT_FOUND
from .world import ROLES


def iter_url_names(patterns, prefix="", namespace=None):
    """(route, name) of every URL pattern, Django admin excluded."""
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue
            yield from iter_url_names(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}:{p.name}" if namespace else p.name)


ROUTES = dict(sorted((name, route) for route, name in iter_url_names(get_resolver().url_patterns)))
CASES = [(name, "GET") for name in ROUTES] + [
    (name, "POST") for name in ROUTES if name in MATRIX and MATRIX[name].post is not None
]
# Anonymous 302 here is a redirect of the page itself, not the login wall: logout, the 大字
# switch, leaving 我的报名, a submitted 我要招工 form and 我的招工 without a proven phone.
PUBLIC_ANONYMOUS_OK = {"logout", "jobs:large_type", "jobs:my_logout", "hire:form", "hire:mine"}


def test_every_url_pattern_is_named_and_every_matrix_entry_is_a_real_url():
    assert None not in ROUTES, "a URL pattern without a name cannot be listed in the permission matrix"
    stale = sorted(set(MATRIX) - set(ROUTES))
    assert not stale, f"matrix entries for URL names that no longer exist: {stale}"


@pytest.fixture
def clients(world):
    out = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(world.users[role])
        out[role] = client
    return out


def _expected_ok(status, expected):
    return status in expected if isinstance(expected, frozenset) else status == expected


def _refusal(role, expected, name):
    """A cell whose request must not change anything."""
    if isinstance(expected, frozenset):
        return True
    if expected in (FORBIDDEN, NOT_FOUND, NOT_ALLOWED):
        return True
    return role == "anonymous" and expected == LOGIN and name not in PUBLIC_ANONYMOUS_OK


def _show(expected):
    return "403/404" if expected == DENY else str(expected)


@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_url_role_scope_matrix(name, method, world, clients):
    entry = MATRIX.get(name)
    assert entry is not None, (
        f"URL {name!r} (/{ROUTES[name]}) has no entry in tests/security/matrix.py MATRIX: "
        "add one with the expected status for every role before adding the URL"
    )
    cells = entry.get if method == "GET" else entry.post
    assert set(cells) == set(ROLES), f"{name}: cells for {sorted(cells)} instead of every role"

    # Build every object and URL first: the requests below run in rolled-back savepoints.
    plan = []
    for role in ROLES:
        user = world.users.get(role) or AnonymousUser()
        assert len(cells[role]) == len(entry.sides), f"{name}: {role} needs one status per side"
        for side, expected in zip(entry.sides, cells[role], strict=True):
            url = reverse(name, kwargs=entry.kwargs(world, side, user) if entry.kwargs else None)
            query = entry.query(world, side, user) if entry.query else {}
            if method == "GET":
                data = query
            else:
                data = entry.payload(world, side, user)
                url += f"?{urlencode(query)}" if query else ""
            plan.append((role, side, url, data, expected))
    before = fingerprint()

    errors = []

    def note_exception(sender, request=None, **kwargs):
        import sys

        errors.append(repr(sys.exc_info()[1]))

    got_request_exception.connect(note_exception)
    failures = []
    try:
        for role, side, url, data, expected in plan:
            errors.clear()
            with transaction.atomic():
                client = clients[role]
                response = client.get(url, data) if method == "GET" else client.post(url, data)
                status = response.status_code
                changed = changed_tables(before) if method == "POST" else []
                transaction.set_rollback(True)
            where = f"{role:9} {side:7} {method} {url}"
            if not _expected_ok(status, expected):
                detail = f" ({errors[0]})" if errors else ""
                failures.append(f"{where} → {status}, expected {_show(expected)}{detail}")
                continue
            if role == "anonymous" and expected == LOGIN and name not in PUBLIC_ANONYMOUS_OK:
                location = response.get("Location", "")
                if not location.startswith(reverse("login")):
                    failures.append(f"{where} → 302 to {location!r}, expected the login page")
            if method == "POST" and _refusal(role, expected, name) and changed:
                failures.append(f"{where} → {status} as expected, but changed {changed}")
            if method == "POST" and not _refusal(role, expected, name) and entry.post_changes and not changed:
                failures.append(f"{where} → {status} as expected, but changed nothing (payload refused?)")
    finally:
        got_request_exception.disconnect(note_exception)
    assert not failures, f"{name} {method}: {len(failures)} cell(s) wrong\n" + "\n".join(failures)
