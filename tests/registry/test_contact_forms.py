"""Workers' and employers' names and phones: clean names, valid numbers, Chinese messages."""

import pytest
from django.urls import reverse

from registry.forms import EmployerForm, EmployerQuickForm, WorkerDetailsForm
from registry.models import Employer, Posting, Worker
from registry.validators import normalize_mobile, normalize_phone
from tests.factories.markets import TradeFactory
from tests.registry.test_postings import QUICK, quick_data
from tests.registry.test_worker_register import URL as REGISTER
from tests.registry.test_worker_register import form_data as register_data


def errors(form):
    assert not form.is_valid()
    return {field: " ".join(messages) for field, messages in form.errors.items()}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("张三😀", "姓名不能包含表情符号或特殊符号"),
        ("张\u200b三", "姓名含有看不见的控制字符或零宽字符"),
        ("张三3", "姓名不能包含数字"),
        ("·张三", "间隔号“·”只能写在名字中间"),
    ],
)
def test_a_worker_name_with_garbage_is_refused_and_nothing_saved(client, clerk, name, message):
    client.force_login(clerk)
    response = client.post(REGISTER, register_data(name=name))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Worker.objects.exists()


def test_a_minority_name_and_a_full_width_mobile_are_registered_tidied(client, clerk):
    client.force_login(clerk)
    data = register_data(name="阿卜杜拉 • 买买提", mobile="１３８ １２３４ ５６７８")
    assert client.post(REGISTER, data).status_code == 302
    worker = Worker.objects.get()
    assert worker.name == "阿卜杜拉·买买提"
    assert worker.mobile == "13812345678"


@pytest.mark.parametrize(
    ("mobile", "message"),
    [
        ("0851-85550101", "手机号码不能填写固定电话"),
        ("１２３", "手机号码无效"),
        ("abc", "手机号码只能包含数字"),
        ("12345678901", "以13至19开头"),
    ],
)
def test_a_worker_mobile_must_be_a_mobile(client, clerk, mobile, message):
    client.force_login(clerk)
    response = client.post(REGISTER, register_data(mobile=mobile))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Worker.objects.exists()


def details(**overrides):
    data = {"mobile": "13812345678", "pay_unit": "day", "emergency_contact": "", "emergency_phone": ""}
    data.update(overrides)
    return data


def test_emergency_contact_and_phone_are_checked(db):
    form = WorkerDetailsForm(details(emergency_contact="李四😀", emergency_phone="abc"))
    found = errors(form)
    assert "紧急联系人不能包含表情符号" in found["emergency_contact"]
    assert "紧急联系人电话只能包含数字" in found["emergency_phone"]
    form = WorkerDetailsForm(details(emergency_contact="李 四", emergency_phone="(0851)85550101"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["emergency_contact"] == "李四"
    assert form.cleaned_data["emergency_phone"] == "085185550101"
    refused = WorkerDetailsForm(details(emergency_phone="12333")).errors["emergency_phone"]
    assert refused == [
        "紧急联系人电话不能填写服务号码(如 12333)，"
        "请填写11位手机号码、带区号的固定电话(如 0851-85550101)、400/800 电话。"
    ]


def employer(**overrides):
    data = {"kind": "person", "name": "王敏", "credit_code": "", "contact_name": "", "phone": "13812340000"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("form_class", [EmployerForm, EmployerQuickForm])
def test_employer_name_contact_and_phone_are_checked(db, form_class):
    found = errors(form_class(employer(name="黔城劳务😀", contact_name="赵经理★", phone="１２３")))
    assert "名称/姓名不能包含表情符号" in found["name"]
    assert "联系人不能包含表情符号" in found["contact_name"]
    assert "联系电话无效" in found["phone"]
    assert "不能带分机号" in errors(form_class(employer(phone="0851-85550101-123")))["phone"]
    form = form_class(employer(name="黔城 劳务（南明分公司）", contact_name="赵 经理", phone="400 123 4567"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "黔城劳务（南明分公司）"
    assert form.cleaned_data["contact_name"] == "赵经理"
    assert form.cleaned_data["phone"] == "4001234567"


def test_a_posting_for_an_employer_with_a_garbage_phone_saves_nothing(client, clerk):
    client.force_login(clerk)
    response = client.post(QUICK, quick_data(TradeFactory(), **{"e-phone": "abc", "e-name": "黔城😀"}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "联系电话只能包含数字" in body and "名称/姓名不能包含表情符号" in body
    assert not Employer.objects.exists() and not Posting.objects.exists()


def test_registry_phones_are_stored_as_the_digits_one_dials():
    # Registry phone columns hold 12 characters and are looked up by digits.
    assert normalize_mobile("+86 138-1234-5678") == "13812345678"
    assert normalize_phone("（０８５１）８５５５－０１０１") == "085185550101"
    assert normalize_phone("400-123-4567") == "4001234567"
    assert all(len(normalize_phone(p)) <= 12 for p in ("010-12345678", "0851-85550101", "13812345678"))


def test_the_employer_edit_page_shows_the_message(client, county_user, nanming):
    from tests.factories.registry import EmployerFactory

    emp = EmployerFactory(county=nanming)
    client.force_login(county_user)
    data = {f: getattr(emp, f) for f in ("kind", "name", "credit_code", "address")}
    response = client.post(
        reverse("registry:employer_edit", args=[emp.pk]), {**data, "contact_name": "赵😀", "phone": "abc"}
    )
    body = response.content.decode()
    assert "联系人不能包含表情符号" in body and "联系电话只能包含数字" in body
    emp.refresh_from_db()
    assert emp.phone != "abc"
