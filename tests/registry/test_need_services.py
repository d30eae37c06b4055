"""我要招工 services: submit, publish (employer + online posting), reject, and the employer's SMS."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from gigmarket.core.models import AuditEvent, SmsMessage
from matching import services as matching_services
from registry import services
from registry.models import Channel, Employer, EmployerNeed, Posting, WindowVisit
from registry.validators import build_credit_code
from tests.factories.markets import TradeFactory
from tests.factories.matching import RightsCaseFactory
from tests.factories.registry import EmployerFactory, EmployerNeedFactory, PostingFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_file(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")


def messages_to(phone, template):
    return list(SmsMessage.objects.filter(SmsMessage.to.matches(phone), template=template))


def need_data(trade, **overrides):
    data = {
        "kind": EmployerNeed.Kind.ENTERPRISE,
        "name": "贵州云仓物流有限公司",
        "credit_code": build_credit_code("520102", 4321),
        "contact_name": "李经理",
        "trade": trade,
        "headcount": 3,
        "pay": 220,
        "pay_unit": "day",
        "work_date": timezone.localdate() + datetime.timedelta(days=1),
        "place": "观山湖区仓库",
    }
    data.update(overrides)
    return data


def test_a_submitted_need_waits_with_its_phone_encrypted_and_the_consent_recorded(market):
    need = services.need_submit(
        data=need_data(TradeFactory()), market=market, consent_version="employer-2026-12", phone_verified="13512345678"
    )
    need.refresh_from_db()
    assert need.status == EmployerNeed.Status.PENDING
    assert need.phone == "13512345678" and need.consent_version == "employer-2026-12" and need.consent_at
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_employerneed WHERE id = %s", [need.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert "13512345678" not in row
    event = AuditEvent.objects.get(target_type="registry.employerneed", action="create")
    assert event.changes["phone"] == "***" and event.actor is None
    assert not Posting.objects.exists()


def test_publishing_registers_the_employer_and_posts_online_without_a_window_visit(market, clerk):
    need = EmployerNeedFactory(market=market, headcount=3)
    need = services.need_publish(need=need, by=clerk)
    posting = need.posting
    assert need.status == EmployerNeed.Status.PUBLISHED and need.reviewed_by == clerk
    assert posting.status == Posting.Status.OPEN and posting.channel == Channel.ONLINE
    assert (posting.trade, posting.headcount, posting.place) == (need.trade, 3, need.place)
    assert posting.valid_until == need.work_date
    assert need.employer.credit_code == need.credit_code and need.employer.phone == need.phone
    assert not WindowVisit.objects.exists()
    [sms] = messages_to(need.phone, "need_published")
    assert sms.params == {"trade": need.trade.name, "market": market.name}
    assert sms.county == market.county


def test_publishing_reuses_the_employer_with_the_same_credit_code(market, clerk):
    known = EmployerFactory(credit_code=build_credit_code("520102", 999), name="已登记单位")
    need = EmployerNeedFactory(market=market, credit_code=known.credit_code)
    assert services.need_publish(need=need, by=clerk).employer == known
    assert Employer.objects.count() == 1


def test_a_person_whose_phone_is_on_file_under_another_name_is_not_published(market, clerk):
    EmployerFactory(kind="person", credit_code="", name="周女士", phone="13600001111")
    need = EmployerNeedFactory(market=market, kind="person", credit_code="", name="吴先生", phone="13600001111")
    with pytest.raises(ValidationError):
        services.need_publish(need=need, by=clerk)
    need.refresh_from_db()
    assert need.status == EmployerNeed.Status.PENDING and not Posting.objects.exists()
    assert not messages_to("13600001111", "need_published")


def test_a_need_is_reviewed_once(market, clerk):
    need = services.need_publish(need=EmployerNeedFactory(market=market), by=clerk)
    with pytest.raises(ValidationError, match="已发布"):
        services.need_publish(need=need, by=clerk)
    with pytest.raises(ValidationError, match="已发布"):
        services.need_reject(need=need, reason="重复", by=clerk)
    assert Posting.objects.count() == 1


def test_a_need_whose_date_has_passed_is_not_published(market, clerk):
    need = EmployerNeedFactory(market=market, work_date=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="已过"):
        services.need_publish(need=need, by=clerk)
    assert not Posting.objects.exists() and not Employer.objects.exists()


def test_rejecting_needs_a_reason_and_tells_the_employer(market, clerk):
    need = EmployerNeedFactory(market=market)
    with pytest.raises(ValidationError):
        services.need_reject(need=need, reason="  ", by=clerk)
    need = services.need_reject(need=need, reason="报酬低于最低工资标准", by=clerk)
    assert need.status == EmployerNeed.Status.REJECTED and need.reject_reason == "报酬低于最低工资标准"
    [sms] = messages_to(need.phone, "need_rejected")
    assert sms.params["reason"] == "报酬低于最低工资标准"
    assert sms.params["hotline"] == (market.hotline or "12333")
    assert not Posting.objects.exists()


def test_the_employer_is_told_when_a_worker_is_confirmed_for_an_online_posting(market, clerk):
    need = services.need_publish(need=EmployerNeedFactory(market=market), by=clerk)
    worker = WorkerFactory(registered_market=market, name="张国强")
    match, _ = matching_services.match_create(
        posting=need.posting, worker=worker, key=uuid.uuid4(), by=clerk, confirm=True
    )
    [sms] = messages_to(need.phone, "worker_confirmed")
    assert sms.params["worker"] == "张师傅" and sms.params["trade"] == need.trade.name


def test_a_worker_confirmed_for_a_counter_posting_sends_the_employer_nothing(market, clerk):
    posting = PostingFactory(market=market)
    worker = WorkerFactory(registered_market=market)
    matching_services.match_create(posting=posting, worker=worker, key=uuid.uuid4(), by=clerk, confirm=True)
    assert not SmsMessage.objects.filter(template="worker_confirmed").exists()


def test_the_queue_flags_an_employer_with_an_open_wage_case(market, clerk):
    from registry.need_selectors import review_queue

    flagged = EmployerFactory(credit_code=build_credit_code("520102", 555))
    RightsCaseFactory(market=market, employer=flagged, kind="wages")
    bad = EmployerNeedFactory(market=market, credit_code=flagged.credit_code)
    good = EmployerNeedFactory(market=market)
    flags = {need.pk: need.wage_flag for need in review_queue(clerk)}
    assert flags == {bad.pk: True, good.pk: False}
