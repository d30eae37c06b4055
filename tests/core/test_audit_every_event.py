"""The audit log shows one event of every kind the portal writes, in Chinese, for every staff role.

The scenario below runs every service, signal, admin hook and export that writes an audit
row. `audit_call_sites()` reads the project's source for every call of `audit_record`,
`audit_export` and `audit_reveal`; a spy records which of those lines ran. A new call
site that the scenario does not reach fails `test_the_scenario_reaches_every_audit_call_site`,
so the page is proved against every shape of `changes` the services record.
"""

import ast
import datetime
import io
import re
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

import gigmarket.core.audit as audit_module
from gigmarket.core import services as core_services
from gigmarket.core.audit_display import change_rows
from gigmarket.core.models import AuditEvent, Division, SmsMessage
from gigmarket.core.rekey import rekey
from gigmarket.core.sms import sms_enqueue
from gigmarket.core.sms.services import sms_opt_out_record, sms_resend
from markets import rectification
from markets import services as market_services
from markets.attachment1 import write_attachment1
from markets.models import Trade
from matching import services as matching_services
from matching.arrears import arrears_override_grant, arrears_override_revoke
from matching.insurance import match_insurance_record
from matching.settlement import wage_arrears_sweep, wage_settlement_confirm, wage_settlement_record
from registry import assistance, insurance
from registry import services as registry_services
from registry.models import EmployerNeed, Posting, WindowVisit
from registry.recognition import recognition_end, recognition_record
from registry.subsidies import subsidy_apply, subsidy_approve, subsidy_pay, subsidy_return
from registry.validators import parse_id_number
from reporting import approval
from reporting import services as reporting_services
from reporting.models import ReportingRule
from tests.factories.core import TEST_PASSWORD, UserFactory, division
from tests.factories.markets import MarketFactory
from tests.factories.matching import PlacementFactory, make_match
from tests.factories.registry import EmployerFactory, PostingFactory, WorkerFactory, id_number_for
from tests.factories.reporting import beijing, period

BASE_DIR = Path(settings.BASE_DIR)
AUDIT_WRITERS = {"audit_record", "audit_export", "audit_reveal"}
STAFF = ["province_user", "auditor", "city_user", "county_user", "clerk"]
# A label that is still a code: lower-case letters and underscores only (note, follow_up, ...).
RAW_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def audit_call_sites():
    """{(path, line): function} of every audit call in the portal's own code."""
    sites = {}
    # Every module of the portal's packages, at any depth (gigmarket/core/sms/services.py).
    packages = [entry for entry in BASE_DIR.iterdir() if (entry / "__init__.py").exists()]
    for path in sorted(path for package in packages for path in package.rglob("*.py")):
        relative = str(path.relative_to(BASE_DIR))
        if relative.startswith(("tests/", "bench/", ".")) or "/migrations/" in relative:
            continue
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in AUDIT_WRITERS:
                        sites[(relative, node.lineno)] = function.name
    return sites


@pytest.fixture
def reached(monkeypatch):
    """The (path, line) of every project frame on the stack whenever an audit row is written."""
    lines = set()
    original = audit_module._resolve_divisions
    root = str(BASE_DIR) + "/"

    def spy(*args, **kwargs):
        frame = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(root):
                lines.add((filename[len(root) :], frame.f_lineno))
            frame = frame.f_back
        return original(*args, **kwargs)

    monkeypatch.setattr(audit_module, "_resolve_divisions", spy)
    return lines


def login_as(user):
    client = Client()
    client.force_login(user)
    return client


def run_every_audited_action(*, province_user, city_user, county_user, clerk, market):
    """Write one audit row of every kind, through the services, signals, admin and exports."""
    nanming = market.county
    superuser = UserFactory(username="root", role="province", division=division("520000"), is_superuser=True)
    superuser.is_staff = True
    superuser.save()

    # Accounts and divisions (gigmarket.core.services).
    made = core_services.user_create(
        data={"username": "new_clerk", "full_name": "新窗口", "role": "clerk", "division": nanming, "market": market},
        password="Gz-Xinzhang-2026",
        by=county_user,
    )
    core_services.user_update(user=made, data={"phone": "13800001111", "is_active": False}, by=county_user)
    core_services.user_set_password(user=made, password="Gz-Chongzhi-2026", by=county_user)
    core_services.division_set_active(division=division("520103"), active=False, by=province_user)

    # Logins: success, logout, a failure, and a lockout (signals).
    anonymous = Client()
    assert anonymous.post("/accounts/login/", {"username": "nm_county", "password": TEST_PASSWORD}).status_code == 302
    anonymous.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/accounts/login/", {"username": "nobody", "password": "Wrong-pass-1"}, REMOTE_ADDR="10.9.9.9")

    # Django admin (AuditedAdminMixin): an addition and a change.
    request = RequestFactory().post("/admin/")
    request.user = superuser
    admin.site._registry[Division].log_addition(request, division("520102"), [{"added": {}}])
    root = login_as(superuser)
    response = root.post(
        f"/admin/gigmarket/user/{made.pk}/change/",
        {
            "username": made.username,
            "full_name": "新窗口改名",
            "phone": "",
            "email": "",
            "role": "clerk",
            "division": nanming.pk,
            "market": market.pk,
            "is_active": "on",
            "must_change_password": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    # Markets and trades.
    trade = market_services.trade_create(
        data={"code": "ZZ-99", "name": "审计工种", "category": "测试", "sort_order": 99, "is_active": True},
        by=province_user,
    )
    market_services.trade_update(trade=trade, data={"name": "审计工种（改）"}, by=province_user)
    created = market_services.market_create(
        county=nanming,
        data={"kind": "industry", "industry": "审计", "status": "planning", "address": "测试路1号"},
        trades=[trade],
        periods=[("12345", datetime.time(7, 0), datetime.time(12, 0))],
        by=county_user,
    )
    market_services.market_update(
        market=created, data={"status": "operating", "contact_person": "王敏"}, trades=[], by=county_user
    )
    # 整改: opened for missed items, followed up, closed by hand and by the market meeting the item.
    sign = rectification.rectification_open(
        market=created,
        item="sign",
        data={
            "deadline": timezone.localdate() + datetime.timedelta(days=30),
            "responsible_person": "李建国",
            "responsible_phone": "13800138000",
            "note": "入口上方悬挂统一标识",
        },
        by=county_user,
    )
    rectification.rectification_update(
        rectification=sign, data={"deadline": timezone.localdate() + datetime.timedelta(days=40)}, by=city_user
    )
    zones = rectification.rectification_open(
        market=created,
        item="zones",
        data={"deadline": timezone.localdate(), "responsible_person": "王敏", "responsible_phone": "", "note": ""},
        by=city_user,
    )
    rectification.rectification_close(rectification=zones, note="场地另行规划", by=city_user)
    market_services.market_update(market=created, data={"sign_hung": True}, by=county_user)
    market_services.market_close(market=created, closed_on=timezone.localdate(), reason="场地拆迁", by=county_user)
    workbook = write_attachment1(
        [
            {
                "city": "贵阳市",
                "county": "南明区",
                "kind": "综合",
                "nature": "公益性",
                "basis": "公共人力资源市场",
                "address": "贵阳市南明区花果园大街1号",
                "hours": "周一至周五 06:00-12:00",
                "trades": "木工",
                "features": "综合服务区、零工待工区",
                "status": "运营中",
                "operator": "南明区就业局",
                "contact_person": "王敏",
                "contact_phone": "0851-85550101",
            }
        ],
        title="贵州省零工市场名录",
    )
    upload = SimpleUploadedFile(
        "名录.xlsx", workbook, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert login_as(county_user).post(reverse("markets:import"), {"file": upload}).status_code == 302

    # Registry: registration (new and known), details, reveal, employers, postings, visits,
    # training and policy notes.
    counter = login_as(clerk)
    form = {
        "name": "审计张三",
        "id_number": id_number_for(901, birth=datetime.date(1977, 1, 1)),  # outside the factory's 1985 sequence
        "mobile": "13812345678",
        "expected_pay": "200",
        "pay_unit": "day",
        "notes": "会砌砖",
        "trades": [Trade.objects.get(code="JZ-01").pk],
    }
    register = reverse("registry:worker_register")
    assert counter.post(register, {**form, "token": str(uuid.uuid4())}).status_code == 302
    assert counter.post(register, {**form, "notes": "再次登记", "token": str(uuid.uuid4())}).status_code == 302
    # A worker of another county, transferred in with a matching name (both counties' rows).
    moved = WorkerFactory(
        registered_market=MarketFactory(county=division("520103")),
        name="审计李四",
        id_number=id_number_for(902, birth=datetime.date(1977, 1, 1)),
    )
    transfer = {**form, "name": "审计李四", "id_number": moved.full_id_number(), "confirm_transfer": "1"}
    assert counter.post(register, {**transfer, "token": str(uuid.uuid4())}).status_code == 302
    worker = WorkerFactory(registered_market=market, trades=[Trade.objects.get(code="JZ-01")])
    worker.emergency_phone = "13600006666"
    worker.save()
    registry_services.worker_reveal_phones(worker=worker, by=clerk)
    registry_services.worker_update(worker=worker, data={"notes": "夜班也可以"}, by=clerk)
    registry_services.worker_reveal_id(worker=worker, by=clerk)
    employer, _ = registry_services.employer_register(
        data={"kind": "person", "name": "王家", "contact_name": "王先生", "phone": "13700007777"},
        market=market,
        by=clerk,
    )
    registry_services.employer_update(employer=employer, data={"address": "花果园1号"}, by=clerk)
    registry_services.employer_reveal_phone(employer=employer, by=clerk)
    today = timezone.localdate()
    posting = registry_services.posting_create(
        employer=employer,
        market=market,
        data={
            "trade": Trade.objects.get(code="JZ-01"),
            "headcount": 1,
            "pay": 250,
            "pay_unit": "day",
            "work_date": today,
            "valid_until": today,
            "place": "花果园",
        },
        by=clerk,
    )
    registry_services.posting_close(posting=PostingFactory(market=market), status=Posting.Status.CLOSED, by=clerk)
    PostingFactory(market=market, work_date=today - datetime.timedelta(days=3))
    assert registry_services.posting_expire_due() == 1
    registry_services.visit_record(market=market, window=WindowVisit.Window.POLICY, topic="咨询社保补贴", by=clerk)
    offer = registry_services.training_offer_save(
        county=nanming,
        data={
            "course": "电工培训",
            "start_date": today + datetime.timedelta(days=7),
            "end_date": today + datetime.timedelta(days=17),
            "capacity": 5,
        },
        by=county_user,
    )
    registry_services.training_offer_save(offer=offer, county=nanming, data={"capacity": 10}, by=county_user)
    signup, _ = registry_services.training_signup(offer=offer, worker=worker, by=clerk, market=market)
    registry_services.training_signup_transition(signup=signup, to="attending", by=clerk)
    note = registry_services.policy_note_save(
        county=nanming, data={"category": "insurance", "title": "社保补贴", "body": "可申请。"}, by=county_user
    )
    registry_services.policy_note_save(note=note, county=nanming, data={"is_public": False}, by=county_user)
    # Online employer needs (我要招工): one submitted and published, one rejected.
    for name in ("网上招工甲", "网上招工乙"):
        registry_services.need_submit(
            data={
                "kind": "person",
                "name": name,
                "credit_code": "",
                "contact_name": "",
                "trade": Trade.objects.get(code="JZ-01"),
                "headcount": 1,
                "pay": 200,
                "pay_unit": "day",
                "work_date": today,
                "place": "观山湖",
            },
            market=market,
            consent_version="employer-2026-12",
            phone_verified="13500005555" if name.endswith("甲") else "13500005556",
        )
    published, rejected = EmployerNeed.objects.order_by("pk")
    registry_services.need_publish(need=published, by=clerk)
    registry_services.need_reject(need=rejected, reason="报酬过低", by=clerk)

    # Matching: a match confirmed (the posting fills), terms, a rights case and a placement.
    match, _ = matching_services.match_create(posting=posting, worker=worker, key=uuid.uuid4(), by=clerk)
    matching_services.match_update_terms(match=match, agreed_pay=260, note="含午饭", by=clerk)
    matching_services.match_transition(match=match, to="confirmed", by=clerk)
    match_insurance_record(
        match=match,
        data={
            "insurer": "人保财险",
            "policy_no": "YW-M-001",
            "starts_on": match.work_date,
            "ends_on": match.work_date_end,
            "premium": 3,
        },
        by=clerk,
    )
    make_match(by=clerk, state="cancelled", market=market, employer=EmployerFactory())
    case = matching_services.case_create(
        market=market,
        data={"kind": "wages", "worker": worker, "employer": employer, "summary": "拖欠工钱", "amount_owed": 800},
        by=clerk,
    )
    matching_services.case_update(case=case, data={"amount_recovered": 300}, by=clerk)
    matching_services.case_add_note(case=case, on=today, text="电话联系雇主", by=clerk)
    matching_services.case_transition(case=case, to="mediating", by=clerk, note="约双方调解")
    recognition = recognition_record(
        worker=worker, data={"basis": "long_unemployed", "recognised_on": today, "document_no": "JK001"}, by=clerk
    )
    placement = matching_services.placement_create(
        worker=worker, county=nanming, data={"post": "社区保洁", "unit": "街道办", "start_date": today}, by=county_user
    )
    matching_services.placement_create(
        worker=WorkerFactory(registered_market=market, id_number=id_number_for(903, birth=datetime.date(1977, 1, 1))),
        county=nanming,
        data={"post": "护林员", "unit": "林业站", "start_date": today},
        by=county_user,
        override_reason="家庭突发困难，认定材料补办中",
    )
    matching_services.placement_update(placement=placement, data={"monthly_pay": 1800}, by=county_user)
    matching_services.placement_follow_up(
        placement=PlacementFactory(worker=worker),
        on=today,
        text="在岗正常",
        next_follow_up=today + datetime.timedelta(days=30),
        by=county_user,
    )

    # Subsidies: one applied, approved and paid; one returned.
    insured = WorkerFactory(
        registered_market=market,
        id_number=id_number_for(904, birth=datetime.date(1977, 1, 1)),
    )
    insurance.enrolment_record(
        worker=insured,
        data={
            "insurer": "人保财险",
            "policy_no": "YW-001",
            "starts_on": datetime.date(today.year - 1, 1, 1),
            "ends_on": datetime.date(today.year, 12, 31),
            "premium": 120,
        },
        by=clerk,
    )
    accident = {"kind": "accident_insurance", "period": str(today.year), "amount_requested": 100}
    application = subsidy_apply(worker=insured, data={**accident, "evidence": ["意外伤害保险保单"]}, by=clerk)
    subsidy_approve(application=application, amount=100, by=county_user)
    subsidy_pay(application=application, amount=100, paid_on=today, voucher_no="PZ-001", by=county_user)
    returned = subsidy_apply(
        worker=insured, data={**accident, "period": str(today.year - 1), "evidence": ["意外伤害保险保单"]}, by=clerk
    )
    subsidy_return(application=returned, reason="保单不在补贴年度内", by=county_user)
    recognition_end(recognition=recognition, on=today, reason="已稳定就业", by=clerk)

    # 个性化就业援助: a plan opened, handed over, a step added and done, a follow-up, closed.
    needy = WorkerFactory(
        registered_market=market, id_number=id_number_for(905, birth=datetime.date(1980, 1, 1)), low_income=True
    )
    plan = assistance.plan_open(worker=needy, owner=clerk, goal="三个月内就业", by=clerk)
    assistance.plan_reassign(plan=plan, owner=county_user, by=clerk)
    step = assistance.step_add(plan=plan, data={"service": "guidance", "due_on": today}, by=clerk)
    assistance.step_done(step=step, on=today, note="已面谈", by=clerk)
    assistance.note_add(plan=plan, data={"kind": "follow_up", "on": today, "text": "电话回访"}, by=clerk)
    assistance.plan_close(plan=plan, outcome="exited", note="迁往外省", on=today, by=clerk)

    # The 欠薪 block lifted and revoked; a wage recorded, confirmed short, and the sweep's case.
    override = arrears_override_grant(employer=employer, reason="已签还款计划", valid_until=today, by=county_user)
    arrears_override_revoke(override=override, by=county_user)
    finished = make_match(by=clerk, state="completed", market=market, employer=EmployerFactory())
    settlement = wage_settlement_record(
        match=finished,
        data={"wage_due": 220, "amount_paid": 100, "paid_on": today, "method": "social_card"},
        by=clerk,
    )
    wage_settlement_record(match=finished, data={"note": "余款月底付"}, by=clerk)
    wage_settlement_confirm(settlement=settlement, by=clerk)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.WAGE_PAYMENT_DAYS + 1)):
        assert len(wage_arrears_sweep()) == 1

    # The people's side: online applications (received, withdrawn, declined, turned into a match,
    # closed when the posting fills, closes or expires), 扫码登记 and the purge of old ones.
    from registry.public import CONSENT_VERSION

    def online(posting, name, phone):
        return matching_services.application_submit(
            posting=posting, name=name, mobile=phone, consent_version=CONSENT_VERSION
        )

    open_posting = PostingFactory(market=market, headcount=1, trade=Trade.objects.get(code="JZ-01"))
    matching_services.application_withdraw(application=online(open_posting, "线上甲", "13512340001"))
    matching_services.application_decline(application=online(open_posting, "线上乙", "13512340002"), by=clerk)
    online(open_posting, "线上丙", "13512340003")
    known = WorkerFactory(registered_market=market, name="线上丁", mobile="13512340004")
    matching_services.application_accept(
        application=online(open_posting, "线上丁", "13512340004"), by=clerk, confirm=True
    )
    assert known.applications.get().state == "matched"
    online(PostingFactory(market=market), "线上戊", "13512340005")
    registry_services.posting_close(posting=PostingFactory(market=market), status=Posting.Status.CLOSED, by=clerk)
    prereg = registry_services.preregistration_submit(
        market=market, name="预登记甲", mobile="13512340011", consent_version=CONSENT_VERSION
    )
    registry_services.preregistration_withdraw(prereg=prereg)
    prereg = registry_services.preregistration_submit(
        market=market, name="预登记乙", mobile="13512340012", consent_version=CONSENT_VERSION
    )
    registry_services.preregistration_complete(
        prereg=prereg, id_number=parse_id_number(id_number_for(905, birth=datetime.date(1977, 1, 1))), by=clerk
    )
    matching_services.public_submissions_purge(days=0, now=timezone.now() + datetime.timedelta(seconds=1))

    # Reporting: a rule change that moves future deadlines, and a submission's transitions.
    with time_machine.travel(beijing("2025-03-01 09:00"), tick=False):
        rule = ReportingRule.objects.get(cadence=ReportingRule.Cadence.HALF_YEARLY)
        reporting_services.rule_save(rule=rule, data={"due_offset_days": 10}, by=province_user)
    with time_machine.travel(beijing("2023-04-03 10:00"), tick=False):
        submission = reporting_services.submission_submit(period=period("2023-01-01"), county=nanming, by=county_user)
        reporting_services.submission_return(submission=submission, by=city_user, reason="联系电话缺区号")
    # ...and a 市州 approval of a period whose only active county (南明) is accepted, taken back once.
    guiyang = nanming.parent
    others = list(
        Division.objects.filter(parent=guiyang, is_active=True).exclude(pk=nanming.pk).values_list("pk", flat=True)
    )
    Division.objects.filter(pk__in=others).update(is_active=False)
    q3 = period("2023-07-01")
    with time_machine.travel(beijing("2023-10-09 10:00"), tick=False):
        accepted = reporting_services.submission_submit(period=q3, county=nanming, by=county_user)
    reporting_services.submission_forward(submission=accepted, by=city_user)
    reporting_services.submission_accept(submission=accepted, by=province_user)
    approval.city_approve(period=q3, city=guiyang, by=city_user)
    approval.city_accept(period=q3, city=guiyang, by=province_user)
    approval.city_unapprove(period=q3, city=guiyang, by=province_user, reason="复核一处地址")
    Division.objects.filter(pk__in=others).update(is_active=True)

    # Every export, with filters (the market list with 状态 = 运营中, as the issue found).
    for user in (province_user, county_user, clerk):
        browser = login_as(user)
        assert browser.get(reverse("markets:export"), {"status": "operating"}).status_code == 200
        assert browser.get(reverse("registry:worker_export"), {"q": "审计"}).status_code == 200
        assert browser.get(reverse("registry:subsidy_export")).status_code == 200
        assert browser.get(reverse("reporting:export"), {"period": period("2023-01-01").pk}).status_code == 200
        assert browser.get(reverse("reporting:monitoring_export")).status_code == 200
        assert browser.get(reverse("audit_export"), {"target_type": "市场"}).status_code == 200
    as_of = {"date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(), "format": "xlsx"}
    assert login_as(county_user).get(reverse("reporting:registry_as_of"), as_of).status_code == 200
    bulletin = reverse("reporting:bulletin_export", args=[period("2023-01-01").pk])
    assert login_as(province_user).get(bulletin).status_code == 200

    # Two-factor login: enrolment confirmed, a code and a recovery code at login, wrong codes up
    # to the lock, new recovery codes, a reset by the manager, and a county's clerk switch.
    second = UserFactory(username="nm_county_2fa", role="county", division=nanming)
    device = core_services.two_factor_enrol_start(user=second)
    code = str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(device.digits)
    enrolled = core_services.two_factor_check(user=second, code=code, enrolling=True)
    assert enrolled.ok
    recovery = core_services.two_factor_recovery_regenerate(user=second)
    assert core_services.two_factor_check(user=second, code=recovery[0]).ok
    confirmed = TOTPDevice.objects.get(user=second, confirmed=True)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        code = str(totp(confirmed.bin_key, confirmed.step, confirmed.t0, confirmed.digits, confirmed.drift))
        assert core_services.two_factor_check(user=second, code=code.zfill(confirmed.digits)).ok
        for _ in range(settings.OTP_FAILURE_LIMIT):
            core_services.two_factor_check(user=second, code="000000")
    core_services.two_factor_reset(user=second, reason="手机丢失", by=city_user)
    core_services.county_set_clerk_two_factor(county=nanming, required=True, by=county_user)
    core_services.county_set_clerk_two_factor(county=nanming, required=False, by=county_user)  # the clerk browses on

    # SMS: a clerk records an opt-out for someone who asked at the window.
    sms_opt_out_record(phone="13900001234", source="staff", by=clerk)
    # ...and county staff resend a notice that failed.
    failed = sms_enqueue(
        to="13900005678", template="need_published", params={"trade": "保洁", "market": "南明市场"}, county=nanming
    )
    SmsMessage.objects.filter(pk=failed.pk).update(state=SmsMessage.State.FAILED, attempts=5)
    sms_resend(message=failed, by=county_user)

    # Personal data re-keyed (manage.py pii_rekey), and the audit archive of rows past the
    # retention (one made long ago for it).
    rekey(dry_run=True)
    with time_machine.travel(beijing("2020-01-02 09:00"), tick=False):
        core_services.division_set_active(division=division("520103"), active=True, by=province_user)
    with tempfile.TemporaryDirectory() as out_dir:
        summary, _ = core_services.audit_archive(
            before=datetime.date(2021, 1, 1), out_dir=out_dir, by=province_user, operator="test"
        )
    assert summary.count >= 1


@pytest.fixture
def every_event(reached, province_user, auditor, city_user, county_user, clerk, market):
    run_every_audited_action(
        province_user=province_user, city_user=city_user, county_user=county_user, clerk=clerk, market=market
    )
    return reached


def test_the_scenario_reaches_every_audit_call_site(every_event):
    sites = audit_call_sites()
    assert len(sites) > 40
    missing = sorted(
        f"{path}:{line} in {function}()" for (path, line), function in sites.items() if (path, line) not in every_event
    )
    assert not missing, "audit rows the scenario never writes:\n" + "\n".join(missing)


def _audit_pages(client):
    bodies, page = [], 1
    while True:
        response = client.get("/audit/", {"page": page})
        assert response.status_code == 200, f"/audit/?page={page} answered {response.status_code}"
        bodies.append(response.content.decode())
        if not response.context["page"].has_next():
            return bodies
        page += 1


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_opens_the_audit_log_after_every_kind_of_event(every_event, request, role):
    client = login_as(request.getfixturevalue(role))
    bodies = _audit_pages(client)
    assert any("<tbody>" in body for body in bodies)
    assert "没有审计记录" not in bodies[0]


def test_every_recorded_change_is_labelled_in_chinese(every_event):
    events = list(AuditEvent.objects.all())
    kinds = {(e.action, e.target_type) for e in events}
    assert len(kinds) > 30
    raw = sorted(
        {
            f"{e.action} {e.target_type or '-'}: {label}"
            for e in events
            for label, _, _ in change_rows(e)
            if RAW_KEY.match(label)
        }
    )
    assert not raw, "changes shown with their code instead of a label:\n" + "\n".join(raw)


def test_the_province_page_shows_dicts_dates_and_entries_readably(every_event, province_user):
    body = "".join(_audit_pages(login_as(province_user)))
    assert "筛选条件</span>：状态：运营中" in body  # the market-list export's filters dict
    assert "锁定</span>：锁定分钟数：30；连续失败次数：5" in body  # a lockout's dict
    assert "办理记录</span>：" in body and "：电话联系雇主" in body  # a case note [date, text]
    assert "跟踪回访</span>：" in body and "：在岗正常" in body
    assert "修改字段</span>：姓名、联系电话、有效" in body  # an admin change's field names, Django's translated
    assert "操作途径</span>：系统管理后台" in body
    assert "登录账号</span>：（空） → new_clerk" in body or "用户名</span>：（空） → new_clerk" in body  # a create diff
    assert "求职工种</span>：泥工(瓦工)" in body  # a create snapshot's list is a value, not old → new
    assert "报送截止日</span>：2025-07-05 → 2025-07-10" in body  # dates
    assert "{'" not in body and "['" not in body  # no Python reprs of dicts or lists


def test_the_audit_export_has_every_event_the_list_shows(every_event, auditor):
    response = login_as(auditor).get(reverse("audit_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == AuditEvent.objects.count() - 1  # all but the export's own row, written after
    assert all(isinstance(cell, str) or cell is None for row in rows for cell in row)
    # It prints as filed: A4 landscape, one page wide, the header on every page, frozen on screen.
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)  # 9: A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.freeze_panes == "A3"
    assert "&P" in sheet.oddFooter.center.text
    # Wrapped rows carry their height, so a printed row never overlaps the next.
    longest = max(range(3, sheet.max_row + 1), key=lambda r: len(str(sheet.cell(r, 7).value or "")))
    assert sheet.row_dimensions[longest].height > sheet.row_dimensions[3].height or longest == 3
    assert all(sheet.row_dimensions[r].height for r in range(3, sheet.max_row + 1))
