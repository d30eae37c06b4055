"""The counter's side of online applications: the market queue, 转为洽谈, closing when postings stop, purge."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import AuditEvent
from gigmarket.core.plugins import BEAT_SCHEDULE
from matching import services
from matching.models import Application, Match, MatchState
from registry import services as registry_services
from registry.models import Posting, PreRegistration, Worker
from registry.public import CONSENT_VERSION
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory, WorkerFactory, id_number_for
from tests.factories.sms import messages_to

QUEUE = "/jobs/desk/"


@pytest.fixture(autouse=True)
def _sms_file(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")


def apply(posting, name="张小明", phone="13812345678", id_number=""):
    return services.application_submit(
        posting=posting, name=name, mobile=phone, id_number=id_number, consent_version=CONSENT_VERSION
    )


def test_clerk_sees_own_market_queue_with_counts(client, clerk, market, market2):
    apply(PostingFactory(market=market), name="本市场甲")
    apply(PostingFactory(market=market2), name="别市场乙")
    registry_services.preregistration_submit(
        market=market, name="预登记丙", mobile="13700000003", consent_version=CONSENT_VERSION
    )
    client.force_login(clerk)
    body = client.get(QUEUE).content.decode()
    assert "本市场甲" in body and "预登记丙" in body and "别市场乙" not in body
    assert "新报名 1" in body and "预登记 1" in body
    assert "138****5678" in body and "13812345678" not in body


def test_clerk_gets_404_for_another_markets_queue_and_application(client, clerk, market2):
    other = apply(PostingFactory(market=market2))
    client.force_login(clerk)
    assert client.get(QUEUE, {"market": market2.pk}).status_code == 404
    response = client.post(reverse("jobs:application_accept", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == Application.State.NEW


def test_queue_finds_by_phone(client, clerk, market):
    posting = PostingFactory(market=market)
    apply(posting, name="要找的人", phone="13811110000")
    apply(posting, name="其他人", phone="13822220000")
    client.force_login(clerk)
    body = client.post(QUEUE, {"mobile": "138 1111 0000"}).content.decode()
    assert "要找的人" in body and "其他人" not in body
    assert client.post(QUEUE, {"mobile": "abc"}).status_code == 400


def test_board_and_dashboard_show_the_queue_counts(client, clerk, market):
    apply(PostingFactory(market=market))
    client.force_login(clerk)
    board = client.get(reverse("matching:board")).content.decode()
    assert "新报名 1" in board and reverse("jobs:queue") in board
    home = client.get("/").content.decode()
    assert "线上报名待处理" in home


def test_accept_turns_application_into_negotiating_match(client, clerk, market):
    worker = WorkerFactory(name="张小明", mobile="13812345678", registered_market=market)
    application = apply(PostingFactory(market=market))
    client.force_login(clerk)
    response = client.post(reverse("jobs:application_accept", args=[application.pk]))
    application.refresh_from_db()
    match = Match.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("matching:match_detail", args=[match.pk])
    assert application.state == Application.State.MATCHED and application.match == match
    assert match.worker == worker and match.state == MatchState.NEGOTIATING
    assert AuditEvent.objects.filter(target_type="matching.match", action="create").exists()


def test_accept_registers_applicant_with_id_number_through_registration(clerk, market):
    id_number = id_number_for(3, birth=datetime.date(1990, 2, 2))
    application = apply(PostingFactory(market=market), id_number=id_number)
    match = services.application_accept(application=application, by=clerk)
    worker = Worker.objects.with_id_number(id_number).get()
    assert match.worker == worker and worker.mobile == "13812345678"


def test_accept_without_worker_or_id_asks_for_registration(clerk, market):
    application = apply(PostingFactory(market=market))
    with pytest.raises(ValidationError, match="请核验身份证后先办理求职登记"):
        services.application_accept(application=application, by=clerk)
    application.refresh_from_db()
    assert application.state == Application.State.NEW and not Match.objects.exists()


def test_confirm_tells_worker_by_sms_with_date_place_and_hotline(clerk, market):
    WorkerFactory(name="张小明", mobile="13812345678", registered_market=market)
    posting = PostingFactory(market=market, place="观山湖工地", headcount=2)
    application = apply(posting)
    match = services.application_accept(application=application, by=clerk)
    services.match_transition(match=match, to="confirmed", by=clerk)
    (confirmed,) = messages_to("13812345678", "match_confirmed")
    assert confirmed.params["place"] == "观山湖工地"
    assert confirmed.params["date"] == f"{posting.work_date:%m月%d日}"
    assert confirmed.params["hotline"] and confirmed.params["contact"] == posting.employer.phone


def test_filling_a_posting_closes_open_applications_and_tells_applicants(clerk, market):
    WorkerFactory(name="张小明", mobile="13812345678", registered_market=market)
    posting = PostingFactory(market=market, headcount=1)
    winner = apply(posting)
    loser = apply(posting, name="李四", phone="13900001111")
    services.application_accept(application=winner, by=clerk, confirm=True)
    loser.refresh_from_db()
    posting.refresh_from_db()
    assert posting.status == Posting.Status.FILLED
    assert loser.state == Application.State.CLOSED and loser.close_reason == "岗位已招满"
    (told,) = messages_to("13900001111", "application_closed")
    assert told.params["reason"] == "招满"


def test_closing_or_expiring_a_posting_closes_its_applications(clerk, market):
    closed = PostingFactory(market=market)
    a = apply(closed)
    registry_services.posting_close(posting=closed, status=Posting.Status.CLOSED, by=clerk)
    today = timezone.localdate()
    expiring = PostingFactory(
        market=market, work_date=today - datetime.timedelta(days=1), valid_until=today - datetime.timedelta(days=1)
    )
    b = Application.objects.create(
        posting=expiring,
        market=market,
        name="过期报名",
        mobile="13900002222",
        consent_version=CONSENT_VERSION,
        consented_at=timezone.now(),
    )
    assert registry_services.posting_expire_due() == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, a.close_reason) == (Application.State.CLOSED, "岗位已停止招工")
    assert (b.state, b.close_reason) == (Application.State.CLOSED, "岗位已过期")
    assert messages_to("13900002222", "application_closed")


def test_decline_closes_and_tells(client, clerk, market):
    application = apply(PostingFactory(market=market))
    client.force_login(clerk)
    client.post(reverse("jobs:application_close", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == Application.State.CLOSED
    assert messages_to("13812345678", "application_closed")


def test_auditor_cannot_accept(client, auditor, market):
    application = apply(PostingFactory(market=market))
    client.force_login(auditor)
    assert client.post(reverse("jobs:application_accept", args=[application.pk])).status_code == 403
    application.refresh_from_db()
    assert application.state == Application.State.NEW


def test_withdraw_only_while_new(clerk, market):
    WorkerFactory(name="张小明", mobile="13812345678", registered_market=market)
    application = apply(PostingFactory(market=market))
    services.application_accept(application=application, by=clerk)
    with pytest.raises(ValidationError, match="不能在线撤回"):
        services.application_withdraw(application=application)


def test_double_booking_rules_still_apply_through_the_queue(clerk, market):
    worker = WorkerFactory(name="张小明", mobile="13812345678", registered_market=market)
    today = timezone.localdate()
    make_match(
        posting=PostingFactory(market=market, work_date=today, valid_until=today), worker=worker, state="confirmed"
    )
    application = apply(PostingFactory(market=market, work_date=today, valid_until=today))
    with pytest.raises(ValidationError, match="不能重复确认"):
        services.application_accept(application=application, by=clerk, confirm=True)
    application.refresh_from_db()
    assert application.state == Application.State.NEW


# Purge ----------------------------------------------------------------------------------------


def test_purge_deletes_old_unconverted_submissions_and_counts_them(clerk, market, settings):
    settings.PUBLIC_SUBMISSION_RETENTION_DAYS = 10
    WorkerFactory(name="转化者", mobile="13800000009", registered_market=market)
    posting = PostingFactory(market=market, headcount=3)
    old = timezone.now() - datetime.timedelta(days=11)
    stale = apply(posting, name="旧报名", phone="13800000001")
    converted = apply(posting, name="转化者", phone="13800000009")
    services.application_accept(application=converted, by=clerk)
    fresh = apply(posting, name="新报名", phone="13800000002")
    prereg = registry_services.preregistration_submit(
        market=market, name="旧预登记", mobile="13800000003", consent_version=CONSENT_VERSION
    )
    Application.objects.filter(pk__in=[stale.pk, converted.pk]).update(created_at=old)
    PreRegistration.objects.filter(pk=prereg.pk).update(created_at=old)
    call_command("purge_public_submissions")
    assert set(Application.objects.values_list("name", flat=True)) == {"转化者", "新报名"}
    assert not PreRegistration.objects.exists()
    event = AuditEvent.objects.filter(action="delete", target_type="").latest("id")
    assert event.changes == {"applications": 1, "preregistrations": 1, "days": 10}
    assert services.public_submissions_purge() == {"applications": 0, "preregistrations": 0}
    assert fresh.pk in Application.objects.values_list("pk", flat=True)


def test_purge_task_is_scheduled():
    assert BEAT_SCHEDULE["matching-purge-public-submissions"]["task"] == "matching.tasks.purge_public_submissions"


def test_an_application_turns_into_one_match_only(clerk, market):
    WorkerFactory(name="张小明", mobile="13812345678", registered_market=market)
    application = apply(PostingFactory(market=market))
    services.application_accept(application=application, by=clerk)
    with pytest.raises(ValidationError, match="已转洽谈"):
        services.application_accept(application=application, by=clerk)
    assert Match.objects.count() == 1
