"""Fuzz every main form with Hypothesis: never a 500, never a partial write.

Each example starts from a valid POST for the page and replaces some fields with
hostile text (full-width characters, emoji, very long strings, control characters,
NUL). The page must answer without a server error, and either the whole object is
saved with valid data (it passes `full_clean()` and holds no NUL) or no row of the
related tables changes. Each example runs in a savepoint that is rolled back.
"""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gigmarket.core.models import AuditEvent, User
from markets.models import Market, MarketVersion, OpeningPeriod
from matching.models import Match, MatchEvent, RightsCase
from registry.models import Employer, Posting, WindowVisit, Worker
from reporting.models import Submission

from .matrix import (
    case_payload,
    market_create_payload,
    market_edit_payload,
    posting_quick_payload,
    user_payload,
    worker_register_payload,
)

# 30 examples a test in `make test`; `make fuzz` runs the long campaign behind the figure in
# docs/security.md (FUZZ_EXAMPLES a test, over 10,000 in all).
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 30)
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "\x00",
    "\x01\x02\x1b",
    "\u3000",
    "\ufeff",
    "\u202e",
    "\r\n",
    "\t",
    "ＡＢＣ１２３",
    "（全角）",
    "😀👷\u200d♀️",
    "𠀀𪚥",
    "'\"<>&",
    "=1+1",
    "-0",
    "１３８００１３８０００",
]

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E), max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), max_size=20),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
    st.builds(lambda piece, n: piece * n, st.sampled_from(NASTY), st.integers(1, 400)),
    st.builds(lambda a, b: a + b, st.text(max_size=10), st.sampled_from(NASTY)),
    st.text(min_size=300, max_size=2000),
)


def fuzzed(base, fields):
    """Strategy: `base` with some of `fields` replaced by hostile text."""
    return st.dictionaries(st.sampled_from(sorted(fields)), hostile_text, min_size=1, max_size=len(fields)).map(
        lambda changes: {**base, **changes}
    )


def counts(models):
    return {m._meta.label: m._base_manager.count() for m in models}


def no_nul(obj):
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        assert not (isinstance(value, str) and "\x00" in value), f"NUL saved in {obj._meta.label}.{f.name}"


def post_and_check(client, url, data, models, saved=None, files=None, saved_always=False):
    """POST in a rolled-back savepoint; a 500 raises. Either nothing changed, or the request
    succeeded (302) and the saved object `saved()` is valid. Edits change no row count, so
    `saved_always` checks the object after every successful POST."""
    with transaction.atomic():
        before = counts(models)
        response = client.post(url, {**data, **(files or {})})
        after = counts(models)
        assert response.status_code in (200, 302, 400, 404), response.status_code
        if after != before or (saved_always and response.status_code == 302):
            assert response.status_code == 302, f"partial write with status {response.status_code}: {before} -> {after}"
            assert saved is not None, f"unexpected write: {before} -> {after}"
            obj = saved()
            obj.full_clean()
            no_nul(obj)
        transaction.set_rollback(True)
    return response


def login(client, world, role):
    user = world.users[role]
    client.force_login(user)
    return user


MARKET_TEXT = [
    "industry",
    "township",
    "operator",
    "contact_person",
    "contact_phone",
    "hotline",
    "address",
    "remarks",
    "transport_notes",
    "longitude",
    "opened_on",
    "hours-0-opens",
    "kind",
]
MARKET_TABLES = [Market, MarketVersion, OpeningPeriod, AuditEvent]


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_fuzz_market_create(client, world, data):
    user = login(client, world, "county")
    payload = data.draw(fuzzed(market_create_payload(world, "nanming", user), MARKET_TEXT))
    post_and_check(client, "/markets/new/", payload, MARKET_TABLES, saved=lambda: Market.objects.latest("pk"))


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_fuzz_market_edit(client, world, data):
    user = login(client, world, "county")
    market = world.market("nanming")
    payload = data.draw(fuzzed(market_edit_payload(world, "nanming", user), MARKET_TEXT))
    post_and_check(
        client,
        f"/markets/{market.pk}/edit/",
        payload,
        MARKET_TABLES,
        saved=lambda: Market.objects.get(pk=market.pk),
        saved_always=True,
    )


WORKER_TABLES = [Worker, Worker.trades.through, WindowVisit, AuditEvent]


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_fuzz_worker_register(client, world, data):
    user = login(client, world, "clerk")
    base = {**worker_register_payload(world, "nanming", user), "notes": "", "expected_pay": "200"}
    base.pop("market")
    fields = ["name", "id_number", "mobile", "notes", "expected_pay", "available_from", "available_until", "pay_unit"]
    payload = data.draw(fuzzed(base, fields))
    post_and_check(client, "/registry/workers/new/", payload, WORKER_TABLES, saved=lambda: Worker.objects.latest("pk"))


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_fuzz_employer_and_posting_quick_form(client, world, data):
    user = login(client, world, "clerk")
    base = {
        **posting_quick_payload(world, "nanming", user),
        "e-address": "",
        "e-contact_name": "",
        "p-requirements": "",
    }
    fields = ["e-name", "e-kind", "e-phone", "e-credit_code", "e-address", "e-contact_name", "p-headcount", "p-pay"]
    fields += ["p-work_date", "p-place", "p-requirements", "p-start_time", "p-trade"]
    payload = data.draw(fuzzed(base, fields))
    post_and_check(
        client,
        "/registry/postings/new/",
        payload,
        [Employer, Posting, AuditEvent],
        saved=lambda: Posting.objects.latest("pk"),
    )


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_fuzz_window_visit(client, world, data):
    login(client, world, "clerk")
    world.worker("nanming")
    base = {"window": WindowVisit.Window.values[0], "person": "", "topic": "", "outcome": ""}
    payload = data.draw(fuzzed(base, ["window", "person", "topic", "outcome"]))
    post_and_check(
        client,
        "/registry/visits/record/",
        payload,
        [WindowVisit, AuditEvent],
        saved=lambda: WindowVisit.objects.latest("pk"),
    )


MATCH_FIELDS = ["posting", "worker", "token", "confirm"]


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_fuzz_match_create(client, world, data):
    login(client, world, "clerk")
    base = {
        "posting": str(world.posting("nanming").pk),
        "worker": str(world.worker("nanming").pk),
        "token": world.token(),
        "confirm": "",
        "next": "",
    }
    payload = data.draw(fuzzed(base, MATCH_FIELDS))
    post_and_check(
        client,
        "/matching/matches/new/",
        payload,
        [Match, MatchEvent, AuditEvent],
        saved=lambda: Match.objects.latest("pk"),
    )


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_fuzz_rights_case_create(client, world, data):
    user = login(client, world, "county")
    base = case_payload(world, "nanming", user)
    fields = ["kind", "summary", "amount_owed", "amount_recovered", "received_on", "employer_query", "market", "person"]
    payload = data.draw(fuzzed({k: v for k, v in base.items() if k != "worker"}, fields))
    post_and_check(
        client, "/matching/cases/new/", payload, [RightsCase, AuditEvent], saved=lambda: RightsCase.objects.latest("pk")
    )


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_fuzz_user_create(client, world, data):
    user = login(client, world, "county")
    base = user_payload(world, "nanming", user)
    fields = ["username", "full_name", "phone", "email", "role", "division", "market", "password1", "password2"]
    payload = data.draw(fuzzed(base, fields))
    post_and_check(client, "/users/new/", payload, [User, AuditEvent], saved=lambda: User.objects.latest("pk"))


@pytest.mark.django_db
@FUZZ
@given(action=st.one_of(st.sampled_from(["return", "forward", "accept", "unlock"]), hostile_text), reason=hostile_text)
def test_fuzz_submission_actions(client, world, action, reason):
    from urllib.parse import quote

    login(client, world, "city")
    submission = world.submission("nanming")
    url = f"/reporting/submissions/{submission.pk}/{quote(action, safe='')}/"
    with transaction.atomic():
        before = Submission.objects.filter(pk=submission.pk).values().get()
        response = client.post(url, {"reason": reason})
        # 400: a NUL refused before the view, or a reason the form refuses (empty, too long).
        expected = (400,) if "\x00" in reason + action else (302, 400, 403, 404)
        assert response.status_code in expected, response.status_code
        after = Submission.objects.filter(pk=submission.pk).values().get()
        if after != before:
            fresh = Submission.objects.get(pk=submission.pk)
            fresh.full_clean()
            no_nul(fresh)
        transaction.set_rollback(True)


@pytest.mark.django_db
@FUZZ
@given(
    content=st.one_of(st.binary(max_size=4000), st.binary(max_size=4000).map(lambda b: b"PK\x03\x04" + b)),
    name=st.sampled_from(["名录.xlsx", "a.XLSX", "x.csv", "..xlsx", "名录\x00.xlsx"]),
)
def test_fuzz_market_import_with_random_bytes(client, world, content, name):
    login(client, world, "county")
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = post_and_check(client, "/markets/import/", {}, MARKET_TABLES, files={"file": upload})
    assert response.status_code == 400
