"""Every form of the portal, posted with one bad field: 400, a Chinese message, what was typed kept, nothing saved.

The form views come from the permission matrix (every URL whose POST is meant to change
something), so a new form view without a case in INVALID fails
`test_every_form_view_has_an_invalid_post_case`. Each case starts from the matrix's valid
payload for the first role allowed to post it, on the 南明 side, and changes a few fields:
`bad` (the field that makes the form invalid) and usually a text field typed by the
user, which must come back in the page (`kept`).
"""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from .dbstate import changed_tables, fingerprint
from .matrix import DONE, MATRIX

# Matrix entries whose POST changes something but carries nothing typed: a button.
BUTTONS = {
    "sms:resend": "a button: queues a failed notice again",
    "sms:opt_out": "a button on an outbox row: records that phone's TD opt-out",
    "user_toggle_active": "a button: toggles the account",
    "division_toggle_active": "a button: toggles the county",
    "county_two_factor_policy": "a checkbox: any value is on or off",
    "markets:trade_toggle": "a button: toggles the trade",
    "registry:worker_reveal": "a button: shows the full 身份证号",
    "registry:worker_reveal_phones": "a button: shows the full phones",
    "registry:employer_reveal": "a button: shows the full phone",
    "reporting:period_submit": "a button: submits the county's list as it stands",
    "hire:publish": "a button: publishes the reviewed need",
    "jobs:application_accept": "a button (and a 确认 checkbox): turns the application into a 洽谈",
    "jobs:application_close": "a button: declines the application",
    "jobs:my_withdraw": "a button in 我的报名: withdraws the application",
    "prereg:withdraw": "a button in 我的报名: withdraws the pre-registration",
    "matching:arrears_revoke": "a button: revokes the override",
    "matching:wage_confirm": "a button: the worker confirms the recorded wage",
}

NOT_A_DATE = "不是日期"


def today_iso():
    return timezone.localdate().isoformat()


@dataclass
class Invalid:
    """A bad POST for one form view: `data` overrides the valid payload (None drops a field)."""

    data: dict
    message: str
    kept: str | None = None
    role: str | None = None
    kwargs: object = None
    replace_payload: bool = False
    note: str = ""


INVALID = {
    "password_change": Invalid(
        {"old_password": "Wrong-old-pass-1", "new_password1": "New-pass-2026!", "new_password2": "New-pass-2026!"},
        message="当前密码不正确",
        role="county",
        replace_payload=True,
        note="passwords are never sent back into a page",
    ),
    "user_create": Invalid({"full_name": "保留的姓名", "role": "bogus"}, message="不是可选项", kept="保留的姓名"),
    "user_edit": Invalid({"full_name": "保留的姓名", "role": "bogus"}, message="不是可选项", kept="保留的姓名"),
    "user_password": Invalid(
        {"password1": "Matrix-Pass-2026!", "password2": "Other-Pass-2026!"},
        message="两次",
        note="passwords are never sent back into a page",
    ),
    "user_two_factor_reset": Invalid({"reason": ""}, message="请填写重置原因"),
    "markets:create": Invalid(
        {"address": "保留的地址一号", "status": "bogus"}, message="不是可选项", kept="保留的地址一号"
    ),
    "markets:edit": Invalid(
        {"address": "保留的地址一号", "status": "bogus"}, message="不是可选项", kept="保留的地址一号"
    ),
    "markets:close": Invalid(
        {"closed_on": NOT_A_DATE, "reason": "保留的撤销原因"}, message="日期", kept="保留的撤销原因"
    ),
    "markets:import": Invalid({}, message="此项必填", role="county"),
    "markets:rectification_create": Invalid(
        {"deadline": NOT_A_DATE, "responsible_person": "保留的责任人"}, message="日期", kept="保留的责任人"
    ),
    "markets:rectification_update": Invalid(
        {"deadline": NOT_A_DATE, "note": "保留的整改要求"}, message="日期", kept="保留的整改要求"
    ),
    "markets:photo_add": Invalid(
        {"image": SimpleUploadedFile("photo.png", b"not a picture", "image/png"), "caption": "保留的照片说明"},
        message="只能上传 JPG 或 PNG 图片",
        kept="保留的照片说明",
    ),
    "markets:rectification_close": Invalid({"note": "   "}, message="此项必填"),
    "markets:trade_create": Invalid(
        {"code": "ZZ-98", "name": "保留的工种", "sort_order": "abc"}, message="请输入整数", kept="保留的工种"
    ),
    "markets:trade_edit": Invalid(
        {"code": "ZZ-01", "name": "保留的工种", "sort_order": "abc"}, message="请输入整数", kept="保留的工种"
    ),
    "registry:visit_record": Invalid(
        {"window": "bogus", "topic": "保留的事项"}, message="不是可选项", kept="保留的事项"
    ),
    "registry:worker_register": Invalid(
        {"name": "保留姓名", "pay_unit": "bogus"}, message="不是可选项", kept="保留姓名"
    ),
    "registry:worker_edit": Invalid(
        {"notes": "保留的备注", "pay_unit": "bogus"}, message="不是可选项", kept="保留的备注"
    ),
    "registry:employer_edit": Invalid(
        {"address": "保留的地址", "kind": "bogus"}, message="不是可选项", kept="保留的地址"
    ),
    "registry:posting_create": Invalid(
        {"place": "保留的工地", "work_date": NOT_A_DATE}, message="日期", kept="保留的工地"
    ),
    "registry:posting_quick": Invalid(
        {"p-place": "保留的工地", "p-work_date": NOT_A_DATE}, message="日期", kept="保留的工地"
    ),
    "registry:posting_close": Invalid({"status": "bogus"}, message="请选择“已招满”或“关闭”"),
    "registry:training_create": Invalid(
        {"course": "保留的课程", "start_date": NOT_A_DATE}, message="日期", kept="保留的课程"
    ),
    "registry:training_edit": Invalid(
        {"course": "保留的课程", "end_date": NOT_A_DATE}, message="日期", kept="保留的课程"
    ),
    "registry:training_detail": Invalid({"person": "查无此人"}, message="未在本辖区找到此人", kept="查无此人"),
    "registry:training_signup_status": Invalid({"to": "bogus"}, message="无效的操作"),
    "registry:policy_create": Invalid(
        {"title": "保留的标题", "category": "bogus"}, message="不是可选项", kept="保留的标题"
    ),
    "registry:policy_edit": Invalid(
        {"title": "保留的标题", "category": "bogus"}, message="不是可选项", kept="保留的标题"
    ),
    "matching:match_create": Invalid({"posting": "abc"}, message="提交的对接信息不完整"),
    "matching:match_transition": Invalid({"to": "bogus"}, message="无效的操作"),
    "matching:match_terms": Invalid({"agreed_pay": "-5", "note": "保留的约定"}, message="不能小于", kept="保留的约定"),
    "matching:match_insurance": Invalid(
        {"insurer": "保留的保险公司", "ends_on": NOT_A_DATE}, message="日期", kept="保留的保险公司"
    ),
    "matching:case_create": Invalid(
        {"summary": "保留的案情", "received_on": NOT_A_DATE}, message="日期", kept="保留的案情"
    ),
    "matching:case_edit": Invalid(
        {"summary": "保留的案情", "received_on": NOT_A_DATE}, message="日期", kept="保留的案情"
    ),
    "matching:case_transition": Invalid({"to": "bogus"}, message="无效的操作"),
    "matching:case_note": Invalid({"on": NOT_A_DATE, "text": "保留的记录"}, message="日期", kept="保留的记录"),
    "matching:placement_create": Invalid(
        {"post": "保留的岗位", "start_date": NOT_A_DATE}, message="日期", kept="保留的岗位"
    ),
    "matching:placement_edit": Invalid(
        {"post": "保留的岗位", "start_date": NOT_A_DATE}, message="日期", kept="保留的岗位"
    ),
    "matching:placement_follow_up": Invalid(
        {"on": NOT_A_DATE, "text": "保留的回访"}, message="日期", kept="保留的回访"
    ),
    "hire:form": Invalid(
        {"place": "保留的工地", "work_date": NOT_A_DATE}, message="日期", kept="保留的工地", role="county"
    ),
    "hire:reject": Invalid({"reason": "长" * 61}, message="60"),
    "matching:arrears_override": Invalid(
        {"reason": "保留的放行理由", "valid_until": NOT_A_DATE}, message="日期", kept="保留的放行理由"
    ),
    "matching:wage_record": Invalid(
        {"note": "保留的结算备注", "amount_paid": "-1"}, message="不能小于", kept="保留的结算备注"
    ),
    "prereg:complete": Invalid({"id_number": "520102197001019999"}, message="身份证号"),
    "registry:recognition_create": Invalid(
        {"document_no": "保留的文书号", "recognised_on": NOT_A_DATE}, message="日期", kept="保留的文书号"
    ),
    "registry:recognition_end": Invalid(
        {"reason": "保留的终止原因", "on": NOT_A_DATE}, message="日期", kept="保留的终止原因"
    ),
    "registry:assistance_create": Invalid(
        {"goal": "保留的援助目标", "owner": "999999"}, message="请选择责任人", kept="保留的援助目标"
    ),
    "registry:assistance_step_create": Invalid(
        {"detail": "保留的服务内容", "due_on": NOT_A_DATE}, message="日期", kept="保留的服务内容"
    ),
    "registry:assistance_note_create": Invalid(
        {"text": "保留的回访", "on": NOT_A_DATE}, message="日期", kept="保留的回访"
    ),
    "registry:assistance_close": Invalid(
        {"outcome": "exited", "note": "", "on": today_iso()}, message="退出援助须填写原因"
    ),
    "registry:assistance_step_done": Invalid(
        {"note": "保留的完成情况", "on": NOT_A_DATE}, message="日期", kept="保留的完成情况"
    ),
    "registry:insurance_create": Invalid(
        {"insurer": "保留的保险公司", "starts_on": NOT_A_DATE}, message="日期", kept="保留的保险公司"
    ),
    "registry:subsidy_create": Invalid({"amount_requested": "abc"}, message="请输入数字"),
    "registry:subsidy_action": Invalid({"amount": "-5"}, message="不能小于"),
    "reporting:submission_action": Invalid(
        {"reason": "保留的退回原因" + "长" * 500},
        message="500",
        kept="保留的退回原因",
        kwargs=lambda w, s, u: {"pk": w.submission(s).pk, "action": "return"},
        note="a reason over 500 characters",
    ),
    "reporting:approval_action": Invalid(
        {"reason": "保留的取消原因" + "长" * 500},
        message="500",
        kept="保留的取消原因",
        kwargs=lambda w, s, u: {"pk": w.periods()[1].pk, "city": w.county(s).parent.code, "action": "unapprove"},
        note="a reason over 500 characters",
    ),
    "reporting:rule_create": Invalid(
        {"name": "保留的规则", "effective_from": NOT_A_DATE}, message="日期", kept="保留的规则"
    ),
    "reporting:rule_edit": Invalid(
        {"name": "保留的规则", "effective_from": NOT_A_DATE}, message="日期", kept="保留的规则"
    ),
}
CASES = sorted(INVALID)


def form_views():
    """Matrix entries whose POST is meant to change something, buttons aside."""
    names = {name for name, entry in MATRIX.items() if entry.post is not None and entry.post_changes}
    return names - set(BUTTONS)


def test_every_form_view_has_an_invalid_post_case():
    missing = sorted(form_views() - set(INVALID))
    assert not missing, f"form views without a case in INVALID (tests/security/test_invalid_forms.py): {missing}"
    stale = sorted(set(INVALID) - set(MATRIX))
    assert not stale, f"cases for URL names that are not in the matrix: {stale}"


def _poster(name, case):
    """The role that posts: the case's own, else the first role the matrix lets post on the 南明 side."""
    if case.role:
        return case.role
    cells = MATRIX[name].post
    for role in ("county", "clerk", "city", "province"):
        if cells.get(role, (None,))[0] == DONE:
            return role
    raise AssertionError(f"{name}: no role may post it")


@pytest.mark.parametrize("name", CASES)
def test_an_invalid_post_answers_400_in_chinese_keeps_what_was_typed_and_saves_nothing(name, world):
    case = INVALID[name]
    entry = MATRIX.get(name)
    role = _poster(name, case)
    user = world.users[role]
    make_kwargs = case.kwargs or (entry.kwargs if entry else None)
    url = reverse(name, kwargs=make_kwargs(world, "nanming", user) if make_kwargs else None)
    if entry and entry.query:
        url += f"?{urlencode(entry.query(world, 'nanming', user))}"
    data = (
        {} if case.replace_payload or entry is None or entry.payload is None else entry.payload(world, "nanming", user)
    )
    data = {k: v for k, v in {**data, **case.data}.items() if v is not None}
    client = Client(raise_request_exception=False)
    client.force_login(user)
    errors = []

    def note_exception(sender, request=None, **kwargs):
        import sys

        errors.append(repr(sys.exc_info()[1]))

    before = fingerprint()
    got_request_exception.connect(note_exception)
    try:
        response = client.post(url, data)
    finally:
        got_request_exception.disconnect(note_exception)
    body = response.content.decode()
    assert response.status_code == 400, f"{name} as {role}: {response.status_code} {errors}"
    assert case.message in body, f"{name}: no {case.message!r} in the page"
    if case.kept:
        assert case.kept in body, f"{name}: what was typed ({case.kept!r}) is not in the page"
    assert changed_tables(before) == [], f"{name}: an invalid post changed the database"


# What an empty POST's page says, whichever the form: a required field, or the button's own message.
EMPTY_POST_MESSAGES = ("此项必填", "无效的操作", "请选择", "请填写", "不完整", "至少")


@pytest.mark.parametrize("name", CASES)
def test_an_empty_post_is_an_invalid_form_not_a_first_visit(name, world):
    """An empty POST binds the form (400 with its errors), never shows the blank form as if it were a GET."""
    case = INVALID[name]
    entry = MATRIX.get(name)
    user = world.users[_poster(name, case)]
    make_kwargs = case.kwargs or (entry.kwargs if entry else None)
    url = reverse(name, kwargs=make_kwargs(world, "nanming", user) if make_kwargs else None)
    if entry and entry.query:
        url += f"?{urlencode(entry.query(world, 'nanming', user))}"
    client = Client(raise_request_exception=False)
    client.force_login(user)
    before = fingerprint()
    response = client.post(url, {})
    body = response.content.decode()
    assert response.status_code == 400, f"{name}: {response.status_code}"
    assert any(message in body for message in EMPTY_POST_MESSAGES), f"{name}: no error message in the page"
    assert changed_tables(before) == []
