import csv
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.http import urlencode

from gigmarket.core.models import AuditEvent
from registry.models import Worker
from tests.factories.markets import TradeFactory
from tests.factories.registry import WorkerFactory, id_number_for

LIST = reverse("registry:worker_list")
EXPORT = reverse("registry:worker_export")


def detail(worker):
    return reverse("registry:worker_detail", args=[worker.pk])


def reveal(worker):
    return reverse("registry:worker_reveal", args=[worker.pk])


@pytest.fixture
def worker(market):
    return WorkerFactory(registered_market=market, name="张三", id_number=id_number_for(11), mobile="13812345678")


def test_list_shows_masked_id_and_phone_only(client, county_user, worker):
    client.force_login(county_user)
    body = client.get(LIST).content.decode()
    full = worker.full_id_number()
    assert full not in body
    assert "13812345678" not in body
    assert full[:4] + "**********" + full[-4:] in body
    assert "138****5678" in body


@pytest.mark.parametrize(
    "query",
    [
        lambda w: w.full_id_number(),
        lambda w: w.full_id_number().lower().replace("X", "x"),
        lambda w: f"张三 {w.full_id_number()[-4:]}",
        lambda w: f"张三 {w.full_id_number()[-4:].lower()}",
        lambda w: "+86 138 1234 5678",
        lambda w: "张",
    ],
)
def test_search_finds_the_worker(client, county_user, worker, query):
    WorkerFactory(registered_market=worker.registered_market, name="李四")
    client.force_login(county_user)
    response = client.post(LIST, {"q": query(worker)})
    assert list(response.context["page"]) == [worker]
    assert worker.full_id_number() not in response.content.decode()


def test_last4_alone_asks_for_the_name(client, county_user, worker):
    client.force_login(county_user)
    response = client.post(LIST, {"q": worker.full_id_number()[-4:]})
    assert list(response.context["page"]) == []
    assert "同时输入姓名" in response.content.decode()


def test_search_is_scoped(client, county2_user, worker):
    client.force_login(county2_user)
    response = client.post(LIST, {"q": worker.full_id_number()})
    assert list(response.context["page"]) == []


def test_other_county_gets_404_and_nothing_changes(client, county2_user, worker):
    client.force_login(county2_user)
    assert client.get(detail(worker)).status_code == 404
    url = reverse("registry:worker_edit", args=[worker.pk])
    assert client.post(url, {"mobile": "13900000000", "pay_unit": "day"}).status_code == 404
    assert client.post(reveal(worker)).status_code == 404
    worker.refresh_from_db()
    assert worker.mobile == "13812345678"
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_clerk_of_another_market_in_the_county_sees_the_worker(client, clerk, nanming):
    from tests.factories.markets import MarketFactory

    other = WorkerFactory(registered_market=MarketFactory(county=nanming))
    client.force_login(clerk)
    assert client.get(detail(other)).status_code == 200


def test_detail_shows_masked_id_until_revealed(client, county_user, worker):
    client.force_login(county_user)
    body = client.get(detail(worker)).content.decode()
    assert worker.full_id_number() not in body
    assert "查看完整号码" in body


@pytest.mark.parametrize("user_fixture", ["county_user", "clerk"])
def test_reveal_shows_the_full_id_and_is_audited(client, request, worker, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    response = client.post(reveal(worker))
    assert response.status_code == 200
    assert worker.full_id_number() in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert (event.actor, event.target_id, event.county) == (user, str(worker.pk), worker.county)


@pytest.mark.parametrize("user_fixture", ["auditor", "province_user", "city_user"])
def test_roles_that_do_not_need_the_id_cannot_reveal(client, request, worker, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(detail(worker)).status_code == 200
    assert "查看完整号码" not in client.get(detail(worker)).content.decode()
    assert client.post(reveal(worker)).status_code == 403
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_reveal_needs_post(client, county_user, worker):
    client.force_login(county_user)
    assert client.get(reveal(worker)).status_code == 405


def test_auditor_gets_403_on_edit_and_nothing_changes(client, auditor, worker):
    client.force_login(auditor)
    url = reverse("registry:worker_edit", args=[worker.pk])
    assert client.post(url, {"mobile": "13900000000", "pay_unit": "day"}).status_code == 403
    worker.refresh_from_db()
    assert worker.mobile == "13812345678"


def test_second_step_saves_details_and_hardship_flags(client, clerk, worker):
    client.force_login(clerk)
    url = reverse("registry:worker_edit", args=[worker.pk])
    data = {
        "mobile": "13812345678",
        "pay_unit": "day",
        "education": "junior",
        "household_type": "rural",
        "emergency_contact": "张妻",
        "emergency_phone": "13700001111",
        "disabled": "on",
        "has_injury_insurance": "on",
    }
    assert client.post(url, data).status_code == 302
    worker.refresh_from_db()
    assert worker.disabled and worker.has_injury_insurance and worker.education == "junior"
    event = AuditEvent.objects.get(action="update", target_id=str(worker.pk))
    assert "13700001111" not in str(event.changes)


def test_second_step_bad_input_keeps_what_was_typed(client, clerk, worker):
    client.force_login(clerk)
    url = reverse("registry:worker_edit", args=[worker.pk])
    response = client.post(
        url, {"mobile": "13812345678", "pay_unit": "day", "emergency_phone": "123", "certificates": "电工证"}
    )
    assert response.status_code == 400
    assert "电工证" in response.content.decode()
    worker.refresh_from_db()
    assert worker.certificates == ""


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_is_masked_streamed_and_audited(client, county_user, worker):
    client.force_login(county_user)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response.streaming
    rows = read_csv(response)
    assert rows[0][:2] == ["姓名", "身份证号"]
    full = worker.full_id_number()
    assert rows[1][1] == full[:4] + "**********" + full[-4:]
    assert "138****5678" in rows[1]
    flat = " ".join(" ".join(r) for r in rows)
    assert full not in flat and "13812345678" not in flat
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == county_user


def test_export_writes_formula_like_text_as_text(client, county_user, market):
    WorkerFactory(registered_market=market, name="=HYPERLINK(1)")
    client.force_login(county_user)
    rows = read_csv(client.get(EXPORT))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_export_is_scoped(client, county2_user, worker):
    client.force_login(county2_user)
    assert len(read_csv(client.get(EXPORT))) == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_export_queries_do_not_grow_with_rows(client, county_user, market, rows, django_assert_num_queries):
    trade = TradeFactory()
    for _ in range(rows):
        WorkerFactory(registered_market=market, trades=[trade])
    client.force_login(county_user)
    # session, user, division, count, audit (savepoint, division, insert, release), rows, trades
    with django_assert_num_queries(8):  # issue 19: the user menu's division and market come with the session's user
        assert len(read_csv(client.get(EXPORT))) == rows + 1


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_pinned(client, county_user, market, rows, django_assert_num_queries):
    trades = [TradeFactory(), TradeFactory()]
    for _ in range(rows):
        WorkerFactory(registered_market=market, trades=trades)
    client.force_login(county_user)
    client.get(LIST)  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_search_query_count_is_pinned(client, county_user, market, rows, django_assert_num_queries):
    for _ in range(rows):
        WorkerFactory(registered_market=market, name="张大")
    client.force_login(county_user)
    client.get(LIST)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST, {"q": "张大"}).status_code == 200


# session read + user, count, rows, trades prefetch; base.html: notifications, user division.
# No session write: SessionLifetimeMiddleware touches it at most once a minute.
LIST_QUERIES = 6  # issue 19: the user menu's division comes with the session's user


def test_no_plaintext_id_anywhere_in_registry_tables(market):
    id_number = id_number_for(42)
    worker = WorkerFactory(registered_market=market, id_number=id_number)
    from registry.services import visit_record

    visit_record(market=market, window="policy", worker=worker, by=None, topic="咨询")
    tables = [
        t for t in connection.introspection.table_names() if t.startswith("registry_") or t == "gigmarket_auditevent"
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dumped = " ".join(str(v) for row in cursor.fetchall() for v in row)
            assert id_number not in dumped, table
    assert Worker.objects.with_name_last4(worker.name, id_number[-4:]).exists()


def test_search_form_posts_so_personal_data_stays_out_of_urls(client, clerk):
    worker = WorkerFactory(registered_market=clerk.market, county=clerk.division)
    client.force_login(clerk)
    body = client.get(LIST).content.decode()
    assert 'method="post" class="row g-2 mb-2" role="search"' in body
    response = client.post(LIST, {"q": worker.full_id_number()})
    page = response.content.decode()
    assert response.status_code == 200
    assert worker.name in page
    assert worker.full_id_number() not in page
    response = client.post(LIST, {"q": worker.mobile})
    page = response.content.decode()
    assert worker.name in page
    assert f"q={worker.mobile}" not in page


def test_long_worker_lists_show_a_capped_count(client, clerk, monkeypatch):
    monkeypatch.setattr("gigmarket.core.pagination.CAP", 2)
    monkeypatch.setattr("registry.views.PAGE_SIZE", 1)
    for _ in range(3):
        WorkerFactory(registered_market=clerk.market, county=clerk.division)
    client.force_login(clerk)
    body = client.get(LIST).content.decode()
    assert "共 2+ 条" in body


@pytest.mark.parametrize(
    "term",
    [
        lambda w: w.full_id_number(),
        lambda w: f"{w.name} {w.full_id_number()[-4:]}",
        lambda w: w.full_id_number()[-4:],
        lambda w: w.mobile,
        lambda w: "１３８１２３４５６７８",  # full-width digits
    ],
    ids=["id number", "name and last 4", "last 4", "mobile", "full-width mobile"],
)
def test_a_search_by_personal_data_in_the_url_is_refused_and_must_be_posted(client, county_user, worker, term):
    client.force_login(county_user)
    response = client.get(LIST, {"q": term(worker)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "请在页面上方的查询框中输入后点“查询”" in body
    assert list(response.context["page"]) == []
    assert worker.full_id_number() not in body and worker.mobile not in body
    # The same term posted from the search box finds the worker.
    if term(worker) != worker.full_id_number()[-4:]:
        assert list(client.post(LIST, {"q": term(worker)}).context["page"]) == [worker]


def test_a_name_search_by_get_still_works_and_keeps_its_paging_link(client, county_user, worker):
    client.force_login(county_user)
    response = client.get(LIST, {"q": worker.name})
    assert response.status_code == 200
    assert list(response.context["page"]) == [worker]
    assert response.context["query"] == urlencode({"q": worker.name})


def test_export_refuses_an_id_number_in_the_url_and_accepts_it_posted(client, county_user, worker):
    WorkerFactory(registered_market=worker.registered_market, name="李四")
    client.force_login(county_user)
    response = client.get(EXPORT, {"q": worker.full_id_number()})
    assert response.status_code == 302 and response["Location"] == LIST
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    rows = read_csv(client.post(EXPORT, {"q": worker.full_id_number()}))
    assert len(rows) == 2  # the header and the one worker
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).changes["filters"] == {"q": "***"}


def test_a_posted_personal_search_offers_only_the_whole_list_export(client, county_user, worker):
    client.force_login(county_user)
    body = client.post(LIST, {"q": worker.mobile}).content.decode()
    assert "导出全部（CSV）" in body
    assert f'href="{EXPORT}"' in body and f"{EXPORT}?q=" not in body
