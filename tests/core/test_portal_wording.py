"""Django's own messages read as written for the portal: 请选择, 账号, no translated-English.

Django writes the empty select choice "---------" as a literal (reworded by
`gigmarket.core.wording`); every other message comes from Django's zh_Hans catalogue,
reworded in `locale/zh_Hans/LC_MESSAGES/django.po` (compiled .mo committed).
"""

import ast
import decimal
import gettext
import pathlib

import django
import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxLengthValidator
from django.urls import reverse

from registry.models import Worker
from tests.factories.core import UserFactory, division
from tests.factories.registry import EmployerFactory, WorkerFactory
from tests.registry.test_worker_register import form_data as register_data

PO = pathlib.Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Django's wording that a portal page must never show.
AWKWARD = (
    "---------",
    "帐号",
    "确认总共",
    "确认小数",
    "确保该变量",
    "确保该值",
    "这个字段是必填项",
    "请输入一个正确的",
    "输入一个有效的",
    "选择一个有效的选项",
)


def assert_portal_wording(body, where):
    for phrase in AWKWARD:
        assert phrase not in body, f"{where} shows Django's wording {phrase!r}"


@pytest.fixture
def world(county_user, clerk, market):
    return {
        "worker": WorkerFactory(registered_market=market),
        "employer": EmployerFactory(county=market.county),
        "county": county_user,
        "clerk": clerk,
        "market": market,
    }


def form_pages(w):
    market, worker, employer = w["market"], w["worker"], w["employer"]
    return [
        ("county", reverse("markets:create")),
        ("county", reverse("markets:edit", args=[market.pk])),
        ("county", reverse("markets:close", args=[market.pk])),
        ("county", reverse("markets:list")),
        ("county", reverse("markets:import")),
        ("county", reverse("user_create")),
        ("county", reverse("user_edit", args=[w["clerk"].pk])),
        ("county", reverse("registry:worker_register")),
        ("clerk", reverse("registry:worker_register")),
        ("county", reverse("registry:worker_edit", args=[worker.pk])),
        ("county", reverse("registry:employer_edit", args=[employer.pk])),
        ("clerk", reverse("registry:posting_create", args=[employer.pk])),
        ("clerk", reverse("registry:posting_quick")),
        ("county", reverse("registry:training_create")),
        ("county", reverse("registry:policy_create")),
        ("county", reverse("matching:case_create")),
        ("county", reverse("matching:placement_create")),
        ("county", reverse("audit_list")),
        ("county", reverse("password_change")),
    ]


def test_no_form_shows_dashes_as_the_empty_choice(client, world):
    for role, url in form_pages(world):
        client.force_login(world[role])
        response = client.get(url)
        assert response.status_code == 200, url
        assert_portal_wording(response.content.decode(), url)


def test_empty_choices_say_please_choose(client, world):
    client.force_login(world["county"])
    market_form = client.get(reverse("markets:create")).content.decode()
    assert '<option value="" selected>请选择</option>' in market_form  # 县(市、区)
    details = client.get(reverse("registry:worker_edit", args=[world["worker"].pk])).content.decode()
    assert (
        details.count('<option value="">请选择</option>') + details.count('<option value="" selected>请选择</option>')
        >= 2
    )  # 文化程度, 户籍类型


def test_submitting_empty_forms_shows_portal_messages(client, world):
    for role, url in form_pages(world):
        if url.endswith("/password/") or "audit" in url or url == reverse("markets:list"):
            continue
        client.force_login(world[role])
        response = client.post(url, {})
        assert response.status_code < 500, url
        assert_portal_wording(response.content.decode(), url)


def test_a_wrong_password_says_account_or_password_is_wrong(client, db):
    UserFactory(username="nm_clerk_x", division=division("520102"), role="county")
    response = client.post(reverse("login"), {"username": "nm_clerk_x", "password": "wrong-Pass-1"})
    body = response.content.decode()
    assert "登录账号或密码不正确，请重新输入（字母区分大小写）。" in body
    assert "登录账号" in body.split("<form")[1]  # the field label
    assert_portal_wording(body, "login")


def test_a_too_large_number_says_so_in_portal_words(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("registry:worker_register"), register_data(expected_pay="1234567890"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "数字太长：最多 8 位数字（含小数位）。" in body
    assert_portal_wording(body, "worker register")
    response = client.post(reverse("registry:worker_register"), register_data(expected_pay="1234567"))
    assert "数字太大：整数部分最多 6 位。" in response.content.decode()
    response = client.post(reverse("registry:worker_register"), register_data(expected_pay="12.345"))
    assert "小数点后最多 2 位。" in response.content.decode()
    assert not Worker.objects.exists()


def test_market_form_messages_read_as_the_portals(client, county_user, nanming):
    from tests.markets.test_market_pages import form_data

    client.force_login(county_user)
    data = form_data(county=nanming.pk, longitude="1234.5", latitude="26.5", contact_person="王" * 41, status="")
    body = client.post(reverse("markets:create"), data).content.decode()
    assert "数字太大：整数部分最多 3 位。" in body
    assert "最多填写 40 个字符（现在是 41 个）。" in body
    assert "此项必填。" in body
    assert_portal_wording(body, "market form")
    data = form_data(county=nanming.pk, opened_on="2024-02-30")
    body = client.post(reverse("markets:create"), data).content.decode()
    assert "请输入有效的日期，如 2024-03-01。" in body


def test_the_change_password_form_says_current_password(client, county_user):
    client.force_login(county_user)
    data = {"old_password": "not-it", "new_password1": "Another-pass-77", "new_password2": "Another-pass-77"}
    body = client.post(reverse("password_change"), data).content.decode()
    assert "当前密码不正确，请重新输入。" in body
    assert_portal_wording(body, "password change")


# ------------------------------------------------------------------ the catalogue itself


def read_po(path):
    """{msgid or (msgid, msgid_plural): msgstr or msgstr[0]} from a .po file (the subset gettext writes)."""
    entries, entry, key = {}, None, None

    def flush():
        if entry and entry.get("msgid"):
            if "msgid_plural" in entry:
                entries[(entry["msgid"], entry["msgid_plural"])] = entry.get("msgstr[0]", "")
            else:
                entries[entry["msgid"]] = entry.get("msgstr", "")

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        key, _, text = line.partition(" ")
        if key in ("msgid", "msgctxt") and not (key == "msgid" and entry and list(entry) == ["msgctxt"]):
            flush()
            entry = {}
        entry[key] = ast.literal_eval(text)
    flush()
    return entries


def test_the_compiled_catalogue_matches_the_po_file():
    compiled = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))._catalog
    for key, msgstr in read_po(PO).items():
        found = compiled.get((key[0], 0)) if isinstance(key, tuple) else compiled.get(key)
        assert found == msgstr, f"django.mo is stale for {key!r}: run msgfmt (see the .po header)"


def test_every_reworded_message_is_one_django_really_uses():
    """A msgid with a typo would silently change nothing."""
    django_root = pathlib.Path(django.__file__).parent
    known = {}
    for catalogue in ("conf", "contrib/auth", "contrib/admin"):
        known.update(read_po(django_root / catalogue / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    for key, msgstr in read_po(PO).items():
        assert key in known, f"{key!r} is not a Django message"
        assert msgstr and "帐" not in msgstr


def test_django_messages_come_out_in_portal_words(db):
    def message(check, value):
        with pytest.raises(ValidationError) as exc:
            check(value)
        return exc.value.messages[0]

    assert message(DecimalValidator(8, 2), decimal.Decimal("1234567890")) == "数字太长：最多 8 位数字（含小数位）。"
    assert message(MaxLengthValidator(12), "x" * 14) == "最多填写 12 个字符（现在是 14 个）。"
    assert message(forms.DateField().clean, "2024-13-01") == "请输入有效的日期，如 2024-03-01。"
    assert message(forms.DateField().clean, "") == "此项必填。"
    assert message(forms.ChoiceField(choices=[("a", "甲")]).clean, "b") == "“b”不是可选项，请重新选择。"
