import datetime
import uuid

import pytest
from django.urls import reverse

from gigmarket.core.models import AuditEvent
from registry.models import WindowVisit, Worker
from tests.factories.markets import TradeFactory
from tests.factories.registry import WorkerFactory, id_number_for

URL = reverse("registry:worker_register")


def form_data(**overrides):
    data = {
        "name": "张三",
        "id_number": id_number_for(3, birth=datetime.date(1980, 2, 3)),
        "mobile": "+86 138-1234-5678",
        "available_from": "",
        "available_until": "",
        "expected_pay": "200",
        "pay_unit": "day",
        "notes": "会砌砖",
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_clerk_registers_a_walk_in_and_a_visit_is_counted(client, clerk):
    trade = TradeFactory()
    client.force_login(clerk)
    response = client.post(URL, form_data(trades=[trade.pk]))
    worker = Worker.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:worker_edit", args=[worker.pk])
    assert worker.name == "张三"
    assert worker.mobile == "13812345678"
    assert (worker.birth_year, worker.gender) == (1980, "M")
    assert worker.county == clerk.market.county
    assert worker.registered_market == clerk.market
    assert list(worker.trades.all()) == [trade]
    visit = WindowVisit.objects.get()
    assert (visit.window, visit.worker, visit.market) == (WindowVisit.Window.REGISTER, worker, clerk.market)
    assert AuditEvent.objects.filter(action="create", target_id=str(worker.pk)).exists()


def test_the_form_focuses_the_first_field(client, clerk):
    client.force_login(clerk)
    body = client.get(URL).content.decode()
    assert 'name="name"' in body and "autofocus" in body.split('name="name"')[1].split(">")[0]


def test_a_known_id_at_another_market_of_the_county_records_a_visit_instead_of_a_duplicate(client, clerk, nanming):
    from tests.factories.markets import MarketFactory

    id_number = id_number_for(5)
    first_market = MarketFactory(county=nanming)
    existing = WorkerFactory(registered_market=first_market, id_number=id_number, name="李四")
    client.force_login(clerk)
    response = client.post(URL, form_data(name="李四", id_number=id_number.lower(), mobile="13900001111"), follow=True)
    assert Worker.objects.count() == 1
    existing.refresh_from_db()
    assert existing.county == nanming
    assert existing.registered_market == first_market
    assert existing.mobile == "13900001111"  # same county: the details are refreshed as before
    visit = WindowVisit.objects.get(market=clerk.market)
    assert visit.worker == existing and visit.window == WindowVisit.Window.REGISTER
    body = response.content.decode()
    assert "已登记过" in body and "未重复建档" in body
    assert response.redirect_chain[-1][0] == reverse("registry:worker_detail", args=[existing.pk])


def test_a_different_name_for_a_known_id_in_the_county_is_refused(client, clerk):
    id_number = id_number_for(6)
    existing = WorkerFactory(registered_market=clerk.market, id_number=id_number, name="王五", mobile="13700000006")
    client.force_login(clerk)
    response = client.post(URL, form_data(name="王六", id_number=id_number, mobile="13900000006"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "所填姓名与档案不一致" in body
    assert 'value="王六"' in body  # what the clerk typed is kept
    existing.refresh_from_db()
    assert (existing.name, existing.mobile) == ("王五", "13700000006")
    assert WindowVisit.objects.count() == 0


def test_the_name_check_ignores_spaces_and_full_width_forms(client, clerk):
    id_number = id_number_for(7)
    existing = WorkerFactory(registered_market=clerk.market, id_number=id_number, name="王芳")
    client.force_login(clerk)
    assert client.post(URL, form_data(name="王 芳", id_number=id_number)).status_code == 302
    assert WindowVisit.objects.get().worker == existing


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "110105194912310021", "校验位"),
        ("id_number", "110105491231002", "15位"),
        ("mobile", "12345", "手机号码"),
    ],
)
def test_a_bad_form_keeps_everything_typed_and_saves_nothing(client, clerk, field, value, message):
    client.force_login(clerk)
    data = form_data(**{field: value})
    response = client.post(URL, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert 'value="张三"' in body
    assert f'value="{data["id_number"]}"' in body
    assert "会砌砖" in body
    assert Worker.objects.count() == 0
    assert WindowVisit.objects.count() == 0


def test_auditor_gets_403_and_nothing_is_saved(client, auditor):
    client.force_login(auditor)
    assert client.post(URL, form_data()).status_code == 403
    assert Worker.objects.count() == 0


def test_county_staff_choose_a_market_in_their_county(client, county_user, market, market2):
    client.force_login(county_user)
    response = client.post(URL, form_data(market=market2.pk))
    assert response.status_code == 400  # 云岩 market is not in 南明's scope
    assert Worker.objects.count() == 0
    response = client.post(URL, form_data(market=market.pk))
    assert response.status_code == 302
    assert Worker.objects.get().registered_market == market


def test_registration_query_count_is_pinned(client, clerk, django_assert_num_queries):
    """Session, user (with the market, the county and its 市州: issue 19), trades; lookup, the
    form's one-time token, worker, trades, audit, visit. No existence checks for rows the request
    has just loaded, no session write. (One SELECT for the token keeps a double submission to
    one visit.)"""
    trades = [TradeFactory(), TradeFactory()]
    client.force_login(clerk)
    with django_assert_num_queries(11):
        response = client.post(URL, form_data(trades=[t.pk for t in trades]))
    assert response.status_code == 302
    worker = Worker.objects.get()
    assert sorted(t.pk for t in worker.trades.all()) == sorted(t.pk for t in trades)
    event = AuditEvent.objects.get(action="create", target_id=str(worker.pk))
    assert event.changes["trades"] == sorted(t.name for t in trades)
    assert event.county_id == clerk.market.county_id and event.city_id == clerk.market.county.parent_id


def test_a_concurrent_registration_of_the_same_id_becomes_a_visit(client, clerk, monkeypatch):
    """Another clerk saved the same 身份证号 after our lookup: the unique index stops the
    duplicate, and the clerk is told the person is already registered."""
    from registry import services

    data = form_data()
    other = WorkerFactory(id_number=data["id_number"], name="张三")
    real_find = services._find_worker
    calls = []

    def find_missing_the_first_time(id_number):
        calls.append(id_number)
        return None if len(calls) == 1 else real_find(id_number)

    monkeypatch.setattr(services, "_find_worker", find_missing_the_first_time)
    client.force_login(clerk)
    response = client.post(URL, data, follow=True)
    assert len(calls) == 2
    assert list(Worker.objects.all()) == [other]
    assert WindowVisit.objects.get().worker == other
    assert "此身份证号已登记过" in response.content.decode()
