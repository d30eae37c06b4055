"""An account's 姓名 and 联系电话 are checked like every other name and phone."""

from gigmarket.core.models import User
from tests.core.test_users import create_payload


def test_a_full_name_with_emoji_or_a_garbage_phone_is_refused(client, county_user, market):
    client.force_login(county_user)
    response = client.post("/users/new/", create_payload(market=market.pk, full_name="新窗口员😀", phone="abc"))
    body = response.content.decode()
    assert "姓名不能包含表情符号或特殊符号" in body
    assert "联系电话只能包含数字" in body
    assert not User.objects.filter(username="new_clerk").exists()


def test_a_service_number_is_not_a_persons_phone(client, county_user, market):
    client.force_login(county_user)
    body = client.post("/users/new/", create_payload(market=market.pk, phone="12333")).content.decode()
    assert "联系电话不能填写服务号码" in body
    assert not User.objects.filter(username="new_clerk").exists()


def test_name_and_phone_are_stored_tidied(client, county_user, market):
    client.force_login(county_user)
    data = create_payload(market=market.pk, full_name="阿卜杜拉 · 买买提", phone="（０８５１）８５５５０１０１-８")
    assert client.post("/users/new/", data).status_code == 302
    user = User.objects.get(username="new_clerk")
    assert (user.full_name, user.phone) == ("阿卜杜拉·买买提", "0851-85550101-8")
