"""整改 pages: opened from a market's standard check, the scoped list and record page, the
photo served only in scope; read-only roles see but cannot write; bad input keeps what was typed."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from markets import access
from markets.models import Rectification, RectificationEvidence
from markets.rectification import rectification_add_evidence
from tests.access_checks import check_access_pair
from tests.factories.core import UserFactory, division
from tests.factories.markets import MarketFactory, open_rectification

DATA = Path(__file__).resolve().parent.parent / "core" / "data"
PNG = (DATA / "chromium_12x7.png").read_bytes()


@pytest.fixture(autouse=True)
def memory_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


def in_days(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def form(**overrides):
    return {
        "deadline": in_days(20),
        "responsible_person": "李建国",
        "responsible_phone": "13800138000",
        "note": "",
        **overrides,
    }


def photo(content=PNG, name="现场.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_the_standard_check_offers_to_open_a_record_for_each_missed_item(client, county_user, market):
    client.force_login(county_user)
    body = client.get(f"/markets/{market.pk}/").content.decode()
    assert f"/markets/{market.pk}/rectifications/new/?item=sign" in body
    assert "发起整改" in body


def test_county_staff_open_a_record_and_the_check_links_to_it(client, county_user, market):
    client.force_login(county_user)
    assert client.get(f"/markets/{market.pk}/rectifications/new/?item=sign").status_code == 200
    response = client.post(f"/markets/{market.pk}/rectifications/new/?item=sign", form(note="入口上方悬挂"))
    record = Rectification.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/markets/rectifications/{record.pk}/"
    assert (record.item, record.responsible_person, record.note) == ("sign", "李建国", "入口上方悬挂")
    body = client.get(f"/markets/{market.pk}/").content.decode()
    assert f"/markets/rectifications/{record.pk}/" in body
    # Asking again for the same item leads to the open record.
    again = client.get(f"/markets/{market.pk}/rectifications/new/?item=sign")
    assert again.status_code == 302 and again["Location"] == f"/markets/rectifications/{record.pk}/"


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, county_user, market):
    client.force_login(county_user)
    response = client.post(
        f"/markets/{market.pk}/rectifications/new/?item=sign",
        form(responsible_phone="12345", note="请尽快订制标识牌", deadline=in_days(-3)),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "责任人电话" in body and "请尽快订制标识牌" in body and "李建国" in body
    assert not Rectification.objects.exists()
    # A past deadline (the service's rule) is refused with the typed data kept too.
    response = client.post(f"/markets/{market.pk}/rectifications/new/?item=sign", form(deadline=in_days(-3)))
    assert response.status_code == 400
    assert "整改期限不能早于今天" in response.content.decode()
    assert not Rectification.objects.exists()


def test_an_item_already_met_cannot_be_opened(client, county_user, market):
    client.force_login(county_user)
    response = client.post(f"/markets/{market.pk}/rectifications/new/?item=address", form())
    assert response.status_code == 400
    assert "已达标，无需整改" in response.content.decode()
    assert not Rectification.objects.exists()
    assert client.get(f"/markets/{market.pk}/rectifications/new/?item=nothing").status_code == 404


def test_update_photo_and_close_from_the_record_page(client, county_user, market):
    record = open_rectification(market, by=county_user)
    client.force_login(county_user)
    url = f"/markets/rectifications/{record.pk}/"
    assert client.post(url + "edit/", form(deadline=in_days(45), responsible_person="王敏")).status_code == 302
    assert client.post(url + "photos/", {"image": photo(), "caption": "标识已订制"}).status_code == 302
    evidence = RectificationEvidence.objects.get()
    body = client.get(url).content.decode()
    assert f"/markets/rectifications/photos/{evidence.pk}/" in body and "标识已订制" in body
    assert "王敏" in body and "办理记录" in body
    image = client.get(f"/markets/rectifications/photos/{evidence.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == PNG
    assert client.post(url + "close/", {"note": "场地改建"}).status_code == 302
    record.refresh_from_db()
    assert record.status == "closed" and record.responsible_person == "王敏"
    assert f'action="{url}close/"' not in client.get(url).content.decode()  # no forms on a closed record


def test_a_file_that_is_not_an_image_is_refused_on_the_page(client, county_user, market):
    record = open_rectification(market, by=county_user)
    client.force_login(county_user)
    response = client.post(
        f"/markets/rectifications/{record.pk}/photos/",
        {"image": photo(b"GIF89a fake", "a.png"), "caption": "整改后照片"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "只能上传 JPG 或 PNG 图片" in body and "整改后照片" in body
    assert not RectificationEvidence.objects.exists()


def test_other_county_gets_404_everywhere(client, county_user, county2_user, market):
    record = open_rectification(market, by=county_user)
    evidence = rectification_add_evidence(rectification=record, upload=photo(), by=county_user)
    client.force_login(county2_user)
    for url in (
        f"/markets/rectifications/{record.pk}/",
        f"/markets/rectifications/photos/{evidence.pk}/",
        f"/markets/{market.pk}/rectifications/new/?item=zones",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/markets/rectifications/{record.pk}/close/", {"note": "越权"}).status_code == 404
    assert "李建国" not in client.get("/markets/rectifications/").content.decode()
    record.refresh_from_db()
    assert record.status == "open"


def test_the_auditor_sees_but_cannot_write(client, county_user, auditor, market):
    record = open_rectification(market, by=county_user)
    client.force_login(auditor)
    body = client.get(f"/markets/rectifications/{record.pk}/").content.decode()
    assert "统一标识" in body and "/close/" not in body
    assert client.post(f"/markets/rectifications/{record.pk}/close/", {"note": "只读"}).status_code == 403
    assert client.post(f"/markets/{market.pk}/rectifications/new/?item=zones", form()).status_code == 403
    assert "发起整改" not in client.get(f"/markets/{market.pk}/").content.decode()
    record.refresh_from_db()
    assert record.status == "open" and Rectification.objects.count() == 1


def test_the_market_clerk_writes_for_their_own_market_only(client, county_user, clerk, market, market2):
    mine = open_rectification(market, by=county_user)
    theirs = open_rectification(market2, by=county_user)
    client.force_login(clerk)
    assert client.post(f"/markets/rectifications/{mine.pk}/photos/", {"image": photo()}).status_code == 302
    assert client.get(f"/markets/rectifications/{theirs.pk}/").status_code == 404


def test_city_staff_open_and_follow_up_in_their_counties(client, city_user, county_user, market, zunyi_market):
    client.force_login(city_user)
    assert client.post(f"/markets/{market.pk}/rectifications/new/?item=zones", form()).status_code == 302
    assert client.get(f"/markets/{zunyi_market.pk}/rectifications/new/?item=zones").status_code == 404


def test_the_list_filters_and_shows_overdue_days_and_masked_phones(client, city_user, county_user, market, market2):
    late = open_rectification(market, "sign", by=county_user)
    Rectification.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=4))
    open_rectification(market2, "zones", by=county_user, responsible_person="王敏")
    client.force_login(city_user)
    body = client.get("/markets/rectifications/").content.decode()
    assert "逾期4天" in body and "138****8000" in body and "13800138000" not in body
    assert "王敏" in body
    overdue = client.get("/markets/rectifications/", {"overdue": "on"}).content.decode()
    assert "李建国" in overdue and "王敏" not in overdue
    by_county = client.get("/markets/rectifications/", {"county": market2.county_id}).content.decode()
    assert "王敏" in by_county and "李建国" not in by_county
    assert "县区" in by_county  # the county filter is offered above the county level


def test_county_staff_have_no_county_filter(client, county_user, market):
    client.force_login(county_user)
    response = client.get("/markets/rectifications/")
    assert "county" not in response.context["form"].fields


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(
    client, province_user, county_user, nanming, django_assert_num_queries
):
    client.force_login(province_user)
    open_rectification(MarketFactory(county=nanming), by=county_user)
    few = queries(client, "/markets/rectifications/")
    for n in range(8):
        record = open_rectification(MarketFactory(county=division("520103"), industry=f"行{n}"), by=county_user)
        rectification_add_evidence(rectification=record, upload=photo(), by=county_user)
    with django_assert_num_queries(few):
        client.get("/markets/rectifications/")


def test_detail_query_count_does_not_grow_with_photos_or_history(
    client, county_user, market, django_assert_num_queries
):
    record = open_rectification(market, by=county_user)
    client.force_login(county_user)
    url = f"/markets/rectifications/{record.pk}/"
    few = queries(client, url)
    other = UserFactory(role="county", division=market.county, username="nm_other")
    for n in range(5):
        rectification_add_evidence(rectification=record, upload=photo(), caption=f"第{n}张", by=other)
    with django_assert_num_queries(few):
        client.get(url)


def test_rectification_helpers_give_404_out_of_scope_and_403_to_read_only_writes(
    market, county_user, county2_user, auditor
):
    record = open_rectification(market, by=county_user)
    check_access_pair(
        access.get_rectification_for_user,
        access.get_rw_rectification_for_user,
        record,
        owner=county_user,
        outsider=county2_user,
        auditor=auditor,
    )


def test_a_write_on_a_closed_record_changes_nothing_and_says_why(client, county_user, market):
    record = open_rectification(market, by=county_user)
    client.force_login(county_user)
    client.post(f"/markets/rectifications/{record.pk}/close/", {"note": "不再需要"})
    for action, data in (("edit/", form(responsible_person="王敏")), ("photos/", {"image": photo()})):
        response = client.post(f"/markets/rectifications/{record.pk}/{action}", data, follow=True)
        assert "该整改记录已关闭，不能再修改" in response.content.decode()
    record.refresh_from_db()
    assert record.responsible_person == "李建国"
    assert not RectificationEvidence.objects.exists()
