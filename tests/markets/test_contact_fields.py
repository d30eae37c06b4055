"""A market's published contacts: only valid numbers and clean names are saved, counted and shown."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from markets import services
from markets.models import Market, MarketVersion
from markets.selectors import with_check_flags
from markets.standards import check_market
from tests.factories.markets import complete_market
from tests.markets.test_import_export import good_row, sheet, upload
from tests.markets.test_market_pages import form_data

GARBAGE = {"contact_phone": "１２３", "hotline": "abc", "contact_person": "王敏😀"}


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def contact_item(market):
    fresh = with_check_flags(Market.objects.filter(pk=market.pk)).get()
    return next(i for i in check_market(fresh).items if i.key == "contact")


def saved_with_garbage(county):
    """A market whose contacts were stored before the checks existed."""
    market = complete_market(county=county)
    Market.objects.filter(pk=market.pk).update(**GARBAGE, complaint_phone="12")
    return Market.objects.get(pk=market.pk)


def test_garbage_contacts_are_refused_on_the_form_with_the_typed_text_kept(client, county_user, nanming):
    client.force_login(county_user)
    response = client.post("/markets/new/", form_data(county=nanming.pk, **GARBAGE))
    body = response.content.decode()
    assert response.status_code in (200, 400)
    assert "联系电话无效，请填写11位手机号码、带区号的固定电话" in body
    assert "服务热线只能包含数字、空格、连字符(-)和括号" in body
    assert "联系人不能包含表情符号或特殊符号" in body
    assert 'value="１２３"' in body and 'value="abc"' in body and 'value="王敏😀"' in body
    assert not Market.objects.exists()


def test_a_service_number_belongs_in_the_hotline_not_the_contact_phone(client, county_user, nanming):
    client.force_login(county_user)
    body = client.post("/markets/new/", form_data(county=nanming.pk, contact_phone="12333")).content.decode()
    assert "联系电话不能填写服务号码(如 12333)" in body
    assert not Market.objects.exists()


def test_numbers_typed_any_way_are_stored_in_one_display_form(client, county_user, nanming):
    client.force_login(county_user)
    data = form_data(
        county=nanming.pk,
        contact_phone="（０８５１）８５５５０１０１转８",
        hotline="４００１２３４５６７",
        complaint_phone=" 12345 ",
        contact_person="阿卜杜拉 • 买买提",
        operator="南明区 就业局",
    )
    assert client.post("/markets/new/", data).status_code == 302
    market = Market.objects.get(county=nanming)
    assert market.contact_phone == "0851-85550101-8"
    assert market.hotline == "400-123-4567"
    assert market.complaint_phone == "12345"
    assert market.contact_person == "阿卜杜拉·买买提"
    assert market.operator == "南明区就业局"
    assert market.versions.get().snapshot["row"]["contact_phone"] == "0851-85550101-8"


def test_the_service_refuses_garbage_too(county_user, nanming):
    market = complete_market(county=nanming)
    with pytest.raises(ValidationError) as exc:
        services.market_update(market=market, data={"hotline": "abc"}, by=county_user)
    assert "服务热线" in exc.value.message_dict["hotline"][0]
    market.refresh_from_db()
    assert market.hotline == "12333"
    assert not MarketVersion.objects.filter(market=market, action="update").exists()


def test_a_valid_phone_or_hotline_meets_the_contact_item(nanming, yunyan, honghuagang):
    assert contact_item(complete_market(county=nanming, hotline="")).met
    assert contact_item(complete_market(county=yunyan, contact_phone="")).met
    hotline_only_valid = complete_market(county=honghuagang)
    Market.objects.filter(pk=hotline_only_valid.pk).update(contact_phone="１２３")
    assert contact_item(hotline_only_valid).met


def test_stored_garbage_does_not_meet_the_contact_item(nanming):
    item = contact_item(saved_with_garbage(nanming))
    assert not item.met
    assert item.note == "联系电话“１２３”无效、服务热线“abc”无效，请改为有效号码"


def test_stored_garbage_is_not_published_on_the_public_pages(client, nanming):
    market = saved_with_garbage(nanming)
    listing = client.get("/markets/directory/").content.decode()
    page = client.get(f"/markets/directory/{market.pk}/").content.decode()
    assert market.name in listing
    assert "待公布" in listing
    for shown in (listing, page):
        assert "１２３" not in shown and "abc" not in shown and "😀" not in shown
    assert "服务热线" not in page and "投诉电话" not in page


def test_valid_stored_numbers_are_published_in_display_form(client, nanming):
    market = complete_market(county=nanming)
    Market.objects.filter(pk=market.pk).update(contact_phone="085185550101", complaint_phone="０８５１８５５５０１９９")
    page = client.get(f"/markets/directory/{market.pk}/").content.decode()
    assert "0851-85550101" in page and "0851-85550199" in page


def test_staff_see_stored_garbage_marked_and_the_edit_form_says_what_to_fix(client, county_user, nanming):
    market = saved_with_garbage(nanming)
    client.force_login(county_user)
    detail = client.get(f"/markets/{market.pk}/").content.decode()
    assert detail.count("无效，未公布") == 3
    page = client.get(f"/markets/{market.pk}/edit/").content.decode()
    assert "已保存的以下信息不符合要求，不会公布，请修改后保存" in page
    assert "<li>联系电话无效" in page
    assert "<li>服务热线只能包含数字" in page
    assert "<li>投诉电话无效" in page
    assert "<li>联系人不能包含表情符号" in page
    assert page.count("is-invalid") >= 4


def test_saving_the_edit_form_without_fixing_the_garbage_shows_the_errors(client, county_user, nanming):
    market = saved_with_garbage(nanming)
    client.force_login(county_user)
    data = form_data(address="新地址8号", **GARBAGE, complaint_phone="12")
    body = client.post(f"/markets/{market.pk}/edit/", data).content.decode()
    assert "未保存，请修改下面标红的内容" in body
    assert "联系电话无效" in body and "服务热线只能包含数字" in body and "联系人不能包含表情符号" in body
    assert "<li>地址：" not in body
    market.refresh_from_db()
    assert market.address != "新地址8号"
    fixed = form_data(address="新地址8号", contact_phone="0851-85550101", hotline="12333", contact_person="王敏")
    assert client.post(f"/markets/{market.pk}/edit/", fixed).status_code == 302
    market.refresh_from_db()
    assert (market.contact_phone, market.hotline, market.contact_person, market.complaint_phone) == (
        "0851-85550101",
        "12333",
        "王敏",
        "",
    )
    assert contact_item(market).met


def test_a_market_with_stored_garbage_can_still_be_closed(county_user, nanming):
    market = saved_with_garbage(nanming)
    services.market_close(market=market, closed_on=datetime.date(2024, 3, 1), reason="场地拆迁", by=county_user)
    market.refresh_from_db()
    assert market.status == Market.Status.CLOSED
    assert market.contact_phone == "１２３"  # left as it was, for staff to see in the history


def test_import_checks_contacts_row_by_row_and_imports_nothing(client, county_user, nanming):
    client.force_login(county_user)
    rows = [
        good_row(),
        good_row(kind="行业（建筑）", contact_phone="１２３", contact_person="王敏😀"),
        good_row(kind="行业（木工）", contact_phone="abc"),
        good_row(kind="行业（保洁）", operator="某某公司\u200b"),
    ]
    body = client.post("/markets/import/", {"file": upload(sheet(rows))}).content.decode()
    assert "文件未导入" in body
    assert "第5行" not in body
    assert "第6行：联系人不能包含表情符号或特殊符号(如 😀、★)；联系电话无效，请填写" in body
    assert "第7行：联系电话只能包含数字" in body
    assert "第8行：运营单位含有看不见的控制字符或零宽字符" in body
    assert not Market.objects.exists()


def test_import_stores_contacts_in_display_form(client, county_user, nanming):
    client.force_login(county_user)
    row = good_row(contact_phone="０８５１ ８５５５ ０１０１", contact_person="王 敏")
    assert client.post("/markets/import/", {"file": upload(sheet([row]))}).status_code == 302
    market = Market.objects.get(county=nanming)
    assert (market.contact_phone, market.contact_person) == ("0851-85550101", "王敏")
