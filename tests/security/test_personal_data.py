"""身份证号 and phone numbers: never stored in plaintext, never shown in full on a list or export,
never written to a log line.

Workers, an employer, a match, a rights case and window visits are created through the
real pages (with the 身份证号 typed into every box that takes one), then every table is
dumped and every list and export page is read back by each role.
"""

import datetime
import io
import logging
import uuid
import zipfile

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from registry.models import Posting, Worker
from registry.validators import build_id_number

from .dbstate import business_models
from .matrix import MATRIX, posting_quick_payload
from .world import ROLES

EMPLOYER_PHONE = "13900005555"  # posting_quick_payload's walk-in employer


def id_with_check_x():
    """A valid 南明区 身份证号 ending in X (the case a naive mask or search gets wrong)."""
    for seq in range(1, 999):
        number = build_id_number("520102", datetime.date(1978, 3, 9), seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no check digit X in range")


PEOPLE = [
    ("张晓梅", id_with_check_x(), "13812345671"),
    ("李国强", build_id_number("520102", datetime.date(1969, 11, 30), 37), "15985167702"),
    ("王　芳", build_id_number("520103", datetime.date(2001, 1, 2), 124), "18685100013"),
]


def body_text(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def secrets(full_phones=True):
    """Strings that must not appear: each full 身份证号 (both cases of X, and the 17-digit body),
    and (for lists and exports) each full mobile."""
    found = []
    for _, id_number, mobile in PEOPLE:
        found += [id_number, id_number.lower(), id_number[:17]]
        if full_phones:
            found.append(mobile)
    if full_phones:
        found.append(EMPLOYER_PHONE)
    return found


@pytest.fixture
def seeded(client, world, caplog):
    """Workers, an employer, a match, a case and visits created through the real pages."""
    caplog.set_level(logging.DEBUG)
    clerk = world.users["clerk"]
    client.force_login(clerk)
    trade = world.trade()
    for name, id_number, mobile in PEOPLE[:2]:
        data = {
            "name": name,
            "id_number": id_number,
            "mobile": mobile,
            "pay_unit": "day",
            "trades": [trade.pk],
            "token": str(uuid.uuid4()),
        }
        assert client.post("/registry/workers/new/", data).status_code == 302
    client.force_login(world.users["county2"])
    name, id_number, mobile = PEOPLE[2]
    data = {
        "name": name,
        "id_number": id_number,
        "mobile": mobile,
        "pay_unit": "day",
        "market": world.market("yunyan").pk,
        "token": str(uuid.uuid4()),
    }
    assert client.post("/registry/workers/new/", data).status_code == 302

    client.force_login(clerk)
    assert client.post("/registry/postings/new/", posting_quick_payload(world, "nanming", clerk)).status_code == 302
    worker = Worker.objects.with_mobile(PEOPLE[0][2]).get()
    posting = Posting.objects.filter(market=clerk.market).latest("pk")
    match = {"posting": posting.pk, "worker": worker.pk, "token": world.token(), "confirm": "on"}
    assert client.post("/matching/matches/new/", match).status_code == 302
    visit = {"window": "job", "person": PEOPLE[0][1], "topic": f"咨询 {PEOPLE[1][1]}", "outcome": ""}
    assert client.post("/registry/visits/record/", visit).status_code in (302, 400)
    case = {
        "person": PEOPLE[1][1],
        "kind": "other",
        "summary": "矩阵受理",
        "amount_owed": "0",
        "amount_recovered": "0",
        "received_on": "2026-01-05",
        "employer_query": "",
    }
    assert client.post("/matching/cases/new/", case).status_code == 302
    # Searches by full 身份证号 and mobile (the term must not be kept anywhere either).
    for term in (PEOPLE[0][1], PEOPLE[0][2]):
        assert client.post("/registry/workers/", {"q": term}).status_code == 200
        assert client.get("/registry/workers/", {"q": term}).status_code == 400  # refused in a URL
    return world


def test_no_table_holds_a_plaintext_id_number_or_phone(seeded):
    assert Worker.objects.count() == 3
    leaks = []
    for model in business_models():
        for row in model._base_manager.values_list():
            text = repr(row)
            for secret in secrets():
                if secret in text:
                    leaks.append(f"{model._meta.db_table}: {secret} in {text[:200]}")
    assert not leaks, "\n".join(leaks)


# Every page without an object in the URL that some role may GET: lists, searches, exports.
LIST_AND_EXPORT_PAGES = sorted(
    name
    for name, entry in MATRIX.items()
    if not entry.kwargs and any(200 in statuses for statuses in entry.get.values())
)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_list_and_export_pages_never_show_a_full_id_or_phone(seeded, client, role, caplog):
    world = seeded
    client.force_login(world.users[role])
    pages = [reverse(name) for name in LIST_AND_EXPORT_PAGES]
    pages += [
        reverse("registry:worker_list") + "?" + urlencode({"q": PEOPLE[0][1]}),  # refused (400), nothing shown
        reverse("registry:worker_list") + "?" + urlencode({"q": "张晓梅"}),
        reverse("registry:worker_export") + "?" + urlencode({"q": "张晓梅"}),
        reverse("registry:board", args=[world.market("nanming").pk]),
        reverse("registry:public_postings", args=[world.market("nanming").pk]),
    ]
    leaks = []
    shown = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302, 400, 403), f"{url}: {response.status_code}"
        text = body_text(response)
        shown += text.count(PEOPLE[0][0])
        leaks += [f"{url}: {secret}" for secret in secrets() if secret in text]
    assert not leaks, "\n".join(leaks)
    if role in ("province", "auditor", "city", "county", "clerk"):
        assert shown, "the lists should show the registered worker (masked), or this test proves nothing"


def test_worker_detail_and_match_pages_show_the_id_masked(seeded, client):
    world = seeded
    client.force_login(world.users["county"])
    worker = Worker.objects.with_mobile(PEOPLE[0][2]).get()
    from matching.models import Match, RightsCase

    pages = [
        reverse("registry:worker_detail", args=[worker.pk]),
        reverse("matching:match_detail", args=[Match.objects.get().pk]),
        reverse("matching:case_detail", args=[RightsCase.objects.get().pk]),
        reverse("matching:worker_postings", args=[worker.pk]),
    ]
    for url in pages:
        text = body_text(client.get(url))
        assert not [s for s in secrets(full_phones=False) if s in text], url
        assert worker.masked_id_number in text or "matching" in url


def test_no_log_line_holds_a_full_id_or_phone(seeded, client, caplog):
    world = seeded
    client.force_login(world.users["county"])
    for name in LIST_AND_EXPORT_PAGES:
        client.get(reverse(name))
    lines = [record.getMessage() for record in caplog.records]
    lines += [logging.Formatter().format(record) for record in caplog.records]
    assert lines, "the requests above should log something (logins, audit), or this proves nothing"
    leaks = [(secret, line[:200]) for line in lines for secret in secrets() if secret in line]
    assert not leaks
