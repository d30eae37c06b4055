"""A 身份证号 registered in another county: refused without the holder's name, moved only by
an explicit, audited transfer, and the county left still sees where the worker went.

The probe's scenario: a 云岩区 clerk types a 南明区 worker's 身份证号 with another name and
phone. Before, the worker moved to 云岩区 with the new phone and 南明区 lost them.
"""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from gigmarket.core.models import AuditEvent
from registry.models import WindowVisit, Worker, WorkerTransfer
from tests.factories.markets import TradeFactory
from tests.factories.registry import WorkerFactory, id_number_for

URL = reverse("registry:worker_register")
ID_NUMBER = id_number_for(41, birth=datetime.date(1978, 3, 9))


def form_data(**overrides):
    data = {
        "name": "张晓梅",
        "id_number": ID_NUMBER,
        "mobile": "13999990000",
        "available_from": "",
        "available_until": "",
        "expected_pay": "260",
        "pay_unit": "day",
        "notes": "会开叉车",
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.fixture
def nanming_worker(market):
    """A worker of 南明区, with contact data only 南明区 holds."""
    return WorkerFactory(
        registered_market=market,
        id_number=ID_NUMBER,
        name="张晓梅",
        mobile="13812345671",
        emergency_phone="13700007777",
        notes="南明区的备注",
        expected_pay=180,
        trades=[TradeFactory(name="保洁")],
    )


def stored(worker):
    row = Worker.objects.get(pk=worker.pk)
    return (row.county_id, row.mobile, row.emergency_phone, row.notes, row.expected_pay, row.updated_at)


def test_another_countys_id_with_another_name_is_refused_nothing_changes_nothing_shows(
    client, clerk2, nanming_worker, market
):
    before = stored(nanming_worker)
    client.force_login(clerk2)
    audit_rows = AuditEvent.objects.count()
    response = client.post(URL, form_data(name="李四", mobile="13900001111"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "所填姓名与档案不一致" in body
    assert 'value="李四"' in body  # the clerk's typing is kept
    for disclosed in ("张晓梅", "南明", market.name, "138****5671", "13812345671", "南明区的备注", "转入"):
        assert disclosed not in body, disclosed
    assert stored(nanming_worker) == before
    assert AuditEvent.objects.count() == audit_rows
    assert not WindowVisit.objects.exists() and not WorkerTransfer.objects.exists()
    # 云岩区 still cannot open or reveal the worker; 南明区 still can.
    assert client.get(reverse("registry:worker_detail", args=[nanming_worker.pk])).status_code == 404
    assert client.post(reverse("registry:worker_reveal", args=[nanming_worker.pk])).status_code == 404


def test_the_refusal_reads_the_same_whichever_county_holds_the_id(client, clerk, clerk2, nanming_worker):
    client.force_login(clerk)
    own = client.post(URL, form_data(name="李四")).content.decode()
    client.force_login(clerk2)
    other = client.post(URL, form_data(name="李四")).content.decode()
    message = "此身份证号已有登记档案，但所填姓名与档案不一致，未作任何修改。"
    assert message in own and message in other
    assert "此人已在省内其他县" not in other


def test_the_holders_name_from_another_county_offers_a_transfer_and_changes_nothing(
    client, clerk2, nanming_worker, market
):
    before = stored(nanming_worker)
    client.force_login(clerk2)
    response = client.post(URL, form_data(name="张 晓梅"))  # spaces do not matter
    body = response.content.decode()
    assert response.status_code == 200
    assert "此人已在省内其他县(市、区)登记，尚未作任何修改" in body
    assert 'name="confirm_transfer"' in body
    assert "139****0000" in body  # the number typed, masked
    for disclosed in ("南明", market.name, "138****5671", "南明区的备注"):
        assert disclosed not in body, disclosed
    assert "no-store" in response["Cache-Control"]
    assert stored(nanming_worker) == before
    assert not WindowVisit.objects.exists() and not WorkerTransfer.objects.exists()


def confirm(client, **overrides):
    return client.post(URL, form_data(confirm_transfer="1", **overrides), follow=True)


def test_a_confirmed_transfer_moves_the_record_and_keeps_the_stored_mobile(
    client, clerk2, nanming_worker, nanming, yunyan, market2
):
    trade = TradeFactory(name="叉车司机")
    client.force_login(clerk2)
    response = confirm(client, replace_details="on", trades=[trade.pk])
    worker = Worker.objects.get(pk=nanming_worker.pk)
    assert response.redirect_chain[-1][0] == reverse("registry:worker_detail", args=[worker.pk])
    body = response.content.decode()
    assert "已将 张晓梅 的档案由南明区转入云岩区" in body
    assert "已保留原登记的手机号（138****5671）" in body
    assert worker.county == yunyan
    assert (worker.mobile, worker.emergency_phone) == ("13812345671", "13700007777")  # contact data kept
    assert worker.expected_pay == 260 and [t.name for t in worker.trades.all()] == ["叉车司机"]  # chosen
    assert worker.notes == "南明区的备注\n会开叉车"  # appended, never replaced
    moved = WorkerTransfer.objects.get()
    assert (moved.worker, moved.from_county, moved.to_county, moved.market, moved.by) == (
        worker,
        nanming,
        yunyan,
        market2,
        clerk2,
    )
    assert not moved.mobile_replaced and moved.details_replaced
    visit = WindowVisit.objects.get()
    assert (visit.market, visit.worker, visit.topic) == (market2, worker, "转入登记")
    # The worker's history on their page in the new county.
    assert "由南明区转入云岩区" in client.get(reverse("registry:worker_detail", args=[worker.pk])).content.decode()


def test_the_transfer_is_in_the_audit_of_both_counties(client, clerk2, nanming_worker, nanming, yunyan):
    client.force_login(clerk2)
    confirm(client)
    rows = AuditEvent.objects.filter(target_type="registry.worker", target_id=str(nanming_worker.pk))
    by_county = {row.county_id: row for row in rows}
    assert set(by_county) == {nanming.pk, yunyan.pk} and rows.count() == 2
    assert by_county[nanming.pk].changes["transfer"] == "转出至云岩区"
    assert by_county[yunyan.pk].changes["transfer"] == "由南明区转入"
    for row in rows:
        assert row.actor == clerk2 and row.action == AuditEvent.Action.UPDATE
        assert row.changes["county"] == ["南明区", "云岩区"]
        assert "mobile" not in row.changes  # kept, so not changed


def test_choosing_the_new_mobile_replaces_it_and_the_audit_masks_it(client, clerk2, nanming_worker):
    client.force_login(clerk2)
    body = confirm(client, replace_mobile="on").content.decode()
    worker = Worker.objects.get(pk=nanming_worker.pk)
    assert worker.mobile == "13999990000"
    assert worker.expected_pay == 180  # details not chosen: kept
    assert WorkerTransfer.objects.get().mobile_replaced
    assert "已保留原登记的手机号" not in body
    row = AuditEvent.objects.filter(target_id=str(worker.pk)).first()
    assert row.changes["mobile"] == ["***", "***"]


def test_the_county_left_sees_where_the_worker_went(client, clerk2, county_user, clerk, nanming_worker):
    client.force_login(clerk2)
    confirm(client, replace_mobile="on")
    detail = reverse("registry:worker_detail", args=[nanming_worker.pk])
    for user in (county_user, clerk):
        client.force_login(user)
        response = client.get(detail)
        body = response.content.decode()
        assert response.status_code == 200
        assert "该零工（张晓梅" in body and "转至云岩区" in body
        assert nanming_worker.masked_id_number in body
        for new_data in ("13999990000", "139****0000", "会开叉车"):
            assert new_data not in body
        assert "no-store" in response["Cache-Control"]
        # Out of scope for everything else.
        assert client.get(reverse("registry:worker_edit", args=[nanming_worker.pk])).status_code == 404
        assert client.post(reverse("registry:worker_reveal", args=[nanming_worker.pk])).status_code == 404
        search = client.post(reverse("registry:worker_list"), {"q": ID_NUMBER}).content.decode()
        assert "转至云岩区" in search and ID_NUMBER not in search
        listing = client.get(reverse("registry:transfer_list")).content.decode()
        assert "已转出" in listing and "张晓梅" in listing
    client.force_login(clerk2)
    listing = client.get(reverse("registry:transfer_list")).content.decode()
    assert "转入" in listing and "已转出" not in listing


def test_an_unrelated_county_still_gets_a_plain_404(client, zunyi_market, clerk2, nanming_worker):
    from tests.factories.core import UserFactory

    client.force_login(clerk2)
    confirm(client)
    client.force_login(UserFactory(role="county", division=zunyi_market.county))
    assert client.get(reverse("registry:worker_detail", args=[nanming_worker.pk])).status_code == 404


def test_a_double_submitted_confirmation_transfers_once(client, clerk2, nanming_worker):
    client.force_login(clerk2)
    data = form_data(confirm_transfer="1")
    client.post(URL, data)
    body = client.post(URL, data, follow=True).content.decode()
    assert "这份登记表已提交过" in body
    assert WorkerTransfer.objects.count() == 1 and WindowVisit.objects.count() == 1


def test_transfer_list_query_count_is_pinned(
    client, clerk2, county_user, nanming_worker, market, django_assert_num_queries
):
    """Session, user, the counties in scope, the capped count, the page (transfers with their
    worker, counties, market and clerk joined), and the two of every page (the notification
    badge, the user's division): 7 however many rows."""
    client.force_login(clerk2)
    confirm(client)
    for n, name in enumerate(("转移甲", "转移乙", "转移丙")):  # names hold no digits (gigmarket.core.contact)
        id_number = id_number_for(60 + n)
        WorkerFactory(registered_market=market, id_number=id_number, name=name)
        client.post(URL, form_data(name=name, id_number=id_number, confirm_transfer="1"))
    assert WorkerTransfer.objects.count() == 4
    client.force_login(county_user)
    with django_assert_num_queries(6):  # issue 19: the user menu's division and market come with the session's user
        response = client.get(reverse("registry:transfer_list"))
    assert response.content.decode().count("已转出") == 4


# Real concurrency needs separate connections to a server database.
postgres_only = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _post_concurrently(user, payloads):
    """POST each payload from its own thread, client and database connection, all released at once."""
    barrier = threading.Barrier(len(payloads))
    statuses = []

    def run(data):
        try:
            c = Client()
            c.force_login(user)
            barrier.wait(timeout=20)
            statuses.append(c.post(URL, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(data,)) for data in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def _with_marks(test):
    for mark in postgres_only:
        test = mark(test)
    return test


@_with_marks
def test_ten_concurrent_submissions_of_one_registration_count_one_visit(clerk):
    data = form_data()
    statuses = _post_concurrently(clerk, [data] * 10)
    assert statuses == [302] * 10
    assert Worker.objects.count() == 1
    assert WindowVisit.objects.count() == 1


@_with_marks
def test_ten_concurrent_submissions_of_a_known_workers_registration_count_one_visit(clerk, nanming_worker):
    data = form_data(mobile="13812345671")
    statuses = _post_concurrently(clerk, [data] * 10)
    assert statuses == [302] * 10
    assert WindowVisit.objects.filter(worker=nanming_worker).count() == 1


@_with_marks
def test_ten_concurrent_transfer_confirmations_transfer_once(clerk2, nanming_worker):
    data = form_data(confirm_transfer="1")
    statuses = _post_concurrently(clerk2, [data] * 10)
    assert statuses == [302] * 10
    assert WorkerTransfer.objects.count() == 1
    assert WindowVisit.objects.count() == 1
    assert AuditEvent.objects.filter(target_id=str(nanming_worker.pk), action="update").count() == 2
