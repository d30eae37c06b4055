"""整改 records: opened only for a missed item, one open per item, closed when the item is met,
photo evidence checked, every write audited with the phone masked."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gigmarket.core.models import AuditEvent
from markets import rectification as services
from markets import services as market_services
from markets.dashboard import rectification_card
from markets.models import Rectification, RectificationEvidence
from tests.factories.markets import MarketFactory, complete_market, open_rectification

DATA = Path(__file__).resolve().parent.parent / "core" / "data"


@pytest.fixture(autouse=True)
def memory_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


def png_upload(name="现场.png"):
    return SimpleUploadedFile(name, (DATA / "chromium_12x7.png").read_bytes(), content_type="image/png")


def stored_files():
    try:
        return default_storage.listdir("rectification")
    except FileNotFoundError:
        return ([], [])


def refusal(call):
    with pytest.raises(ValidationError) as info:
        call()
    return " ".join(info.value.messages)


def test_it_opens_a_record_for_a_missed_item(market, county_user):
    record = open_rectification(market, "sign", by=county_user, note="入口上方悬挂统一标识")
    record.refresh_from_db()
    assert record.status == Rectification.Status.OPEN
    assert record.get_item_display() == "统一标识"
    assert record.responsible_phone == "13800138000"
    assert record.opened_by == county_user


def test_an_item_already_met_is_refused(county_user, nanming):
    market = complete_market(county=nanming)
    message = refusal(lambda: open_rectification(market, "sign", by=county_user))
    assert "“统一标识”已达标，无需整改" in message
    assert not Rectification.objects.exists()


def test_an_item_that_does_not_apply_is_refused(market, county_user):
    # 便民设施 is an item for township stations only; this is an industry market.
    message = refusal(lambda: open_rectification(market, "station_facilities", by=county_user))
    assert "不适用于该零工市场" in message
    assert not Rectification.objects.exists()


def test_one_open_record_per_market_and_item(market, county_user):
    first = open_rectification(market, "sign", by=county_user)
    message = refusal(lambda: open_rectification(market, "sign", by=county_user))
    assert "已有进行中的整改记录" in message
    assert Rectification.objects.count() == 1
    # Another item, or the same item once the first record is closed, may be opened.
    open_rectification(market, "zones", by=county_user)
    services.rectification_close(rectification=first, note="改为整体搬迁", by=county_user)
    open_rectification(market, "sign", by=county_user)
    assert Rectification.objects.filter(item="sign").count() == 2


def test_a_past_deadline_is_refused(market, county_user):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    message = refusal(lambda: open_rectification(market, "sign", by=county_user, deadline=yesterday))
    assert "整改期限不能早于今天" in message
    assert not Rectification.objects.exists()


def test_a_bad_phone_or_name_is_refused(market, county_user):
    assert "责任人电话" in refusal(lambda: open_rectification(market, by=county_user, responsible_phone="12345"))
    assert "整改责任人" in refusal(lambda: open_rectification(market, by=county_user, responsible_person="李1"))
    assert not Rectification.objects.exists()


def test_a_market_update_that_meets_the_item_closes_its_record(market, county_user):
    sign = open_rectification(market, "sign", by=county_user)
    zones = open_rectification(market, "zones", by=county_user)
    market_services.market_update(market=market, data={"sign_hung": True}, by=county_user)
    sign.refresh_from_db()
    zones.refresh_from_db()
    assert sign.status == Rectification.Status.CLOSED
    assert sign.close_reason == Rectification.CloseReason.MET
    assert sign.close_note == "整改项已达标"
    assert sign.closed_by == county_user and sign.closed_at is not None
    assert zones.status == Rectification.Status.OPEN  # still missed
    event = AuditEvent.objects.get(target_type="markets.rectification", target_id=str(sign.pk), action="transition")
    assert event.changes["status"] == ["open", "closed"]
    assert event.changes["close_reason"] == ["", "met"]


def test_a_refused_market_update_closes_nothing(market, county_user):
    sign = open_rectification(market, "sign", by=county_user)
    with pytest.raises(ValidationError):
        market_services.market_update(
            market=market, data={"sign_hung": True, "kind": "industry", "industry": ""}, by=county_user
        )
    sign.refresh_from_db()
    assert sign.status == Rectification.Status.OPEN


def test_closing_the_market_closes_its_open_records(market, county_user):
    sign = open_rectification(market, "sign", by=county_user)
    market_services.market_close(market=market, closed_on=timezone.localdate(), reason="场地拆迁", by=county_user)
    sign.refresh_from_db()
    assert (sign.status, sign.close_reason) == ("closed", "market_closed")


def test_a_manual_close_needs_a_reason(market, county_user):
    record = open_rectification(market, by=county_user)
    assert "请填写关闭原因" in refusal(
        lambda: services.rectification_close(rectification=record, note=" ", by=county_user)
    )
    services.rectification_close(rectification=record, note="场地改建，另行规划", by=county_user)
    record.refresh_from_db()
    assert (record.status, record.close_reason, record.close_note) == ("closed", "manual", "场地改建，另行规划")
    assert "已关闭" in refusal(lambda: services.rectification_close(rectification=record, note="再关", by=county_user))


def test_update_is_audited_with_the_phone_masked(market, county_user):
    record = open_rectification(market, by=county_user)
    later = timezone.localdate() + datetime.timedelta(days=60)
    services.rectification_update(
        rectification=record,
        data={"deadline": later, "responsible_person": "王敏", "responsible_phone": "13900139000", "note": "加急"},
        by=county_user,
    )
    record.refresh_from_db()
    assert (record.deadline, record.responsible_person, record.responsible_phone) == (later, "王敏", "13900139000")
    events = AuditEvent.objects.filter(target_type="markets.rectification", target_id=str(record.pk)).order_by("pk")
    assert [e.action for e in events] == ["create", "update"]
    dumped = json.dumps([e.changes for e in events], ensure_ascii=False)
    assert "13800138000" not in dumped and "13900139000" not in dumped
    assert events[1].changes["responsible_phone"] == ["***", "***"]
    assert events[1].changes["responsible_person"] == ["李建国", "王敏"]
    assert events[0].county == market.county


def test_a_new_deadline_rearms_the_overdue_notice(market, county_user):
    record = open_rectification(market, by=county_user)
    Rectification.objects.filter(pk=record.pk).update(overdue_notified_at=timezone.now())
    services.rectification_update(
        rectification=record, data={"deadline": timezone.localdate() + datetime.timedelta(days=90)}, by=county_user
    )
    record.refresh_from_db()
    assert record.overdue_notified_at is None


def test_evidence_photo_is_stored_and_audited(market, county_user):
    record = open_rectification(market, by=county_user)
    evidence = services.rectification_add_evidence(
        rectification=record, upload=png_upload(), caption="标识已订制", by=county_user
    )
    evidence.refresh_from_db()
    assert (evidence.kind, evidence.width, evidence.height) == ("png", 12, 7)
    assert evidence.file.startswith(f"rectification/{market.pk}/{record.pk}/") and evidence.file.endswith(".png")
    assert "现场" not in evidence.file  # the stored name is the portal's, not the uploader's
    with default_storage.open(evidence.file, "rb") as handle:
        assert handle.read() == (DATA / "chromium_12x7.png").read_bytes()
    event = AuditEvent.objects.get(target_type="markets.rectificationevidence", target_id=str(evidence.pk))
    assert event.changes["caption"] == [None, "标识已订制"]
    assert stored_files() == ([str(market.pk)], [])


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not an image", "证明.png", "只能上传 JPG 或 PNG 图片"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "半截.png", "只能上传 JPG 或 PNG 图片"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(market, county_user, content, name, message):
    record = open_rectification(market, by=county_user)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    assert message in refusal(
        lambda: services.rectification_add_evidence(rectification=record, upload=upload, by=county_user)
    )
    assert not RectificationEvidence.objects.exists()
    assert stored_files() == ([], [])


def test_a_photo_over_the_size_cap_is_refused(market, county_user, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 100
    record = open_rectification(market, by=county_user)
    message = refusal(
        lambda: services.rectification_add_evidence(rectification=record, upload=png_upload(), by=county_user)
    )
    assert "图片不能超过" in message
    assert not RectificationEvidence.objects.exists()
    assert stored_files() == ([], [])


def test_no_photo_on_a_closed_record(market, county_user):
    record = open_rectification(market, by=county_user)
    services.rectification_close(rectification=record, note="不再需要", by=county_user)
    record.refresh_from_db()
    message = refusal(
        lambda: services.rectification_add_evidence(rectification=record, upload=png_upload(), by=county_user)
    )
    assert "已关闭" in message
    assert not RectificationEvidence.objects.exists()
    assert stored_files() == ([], [])


def test_two_markets_keep_separate_records(county_user, nanming):
    one, two = MarketFactory(county=nanming), MarketFactory(county=nanming)
    open_rectification(one, by=county_user)
    open_rectification(two, by=county_user)
    assert Rectification.objects.filter(item="sign").count() == 2


def test_the_home_card_counts_open_and_overdue_records_in_scope(market, market2, county_user, county2_user, client):
    soon = timezone.localdate() + datetime.timedelta(days=3)
    open_rectification(market, "sign", by=county_user, deadline=soon)
    open_rectification(market, "zones", by=county_user)
    closed = open_rectification(market, "windows", by=county_user, deadline=soon)
    Rectification.objects.filter(pk=closed.pk).update(status=Rectification.Status.CLOSED)
    open_rectification(market2, "sign", by=county2_user, deadline=soon)  # another county's
    card = rectification_card(county_user)
    assert (card["value"], card["note"]) == (2, "没有逾期的整改")
    later = rectification_card(county_user, today=soon + datetime.timedelta(days=1))
    assert (later["value"], later["note"]) == (2, "已逾期 1 项")
    assert later["url"].endswith("?status=open&overdue=on")
    client.force_login(county_user)
    body = client.get("/").content.decode()
    assert "整改中" in body and "没有逾期的整改" in body
