"""Demo registry data in every demo market. Idempotent: keyed on 身份证号 hash, credit code, titles.

Generated 身份证号 and 统一社会信用代码 carry correct check characters.
"""

import datetime
import random

from django.utils import timezone

from gigmarket.core.models import User
from markets.models import Market, Trade

from . import assistance, services, subsidies
from .insurance import enrolment_record
from .models import (
    AssistancePlan,
    Employer,
    EmployerNeed,
    HardshipRecognition,
    PayUnit,
    PolicyNote,
    Posting,
    SubsidyApplication,
    TrainingOffer,
    TrainingSignup,
    WindowVisit,
    Worker,
)
from .need_forms import CONSENT_VERSION
from .recognition import recognition_record
from .validators import build_credit_code, build_id_number, parse_id_number

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林龙潘韦吴杨石"
GIVEN = [
    "国强",
    "秀英",
    "建华",
    "桂兰",
    "志明",
    "丽",
    "勇",
    "敏",
    "德文",
    "玉梅",
    "光荣",
    "小燕",
    "永福",
    "春花",
    "正平",
]
EMPLOYERS = [
    (Employer.Kind.ENTERPRISE, "贵州黔城建筑劳务有限公司", "赵经理"),
    (Employer.Kind.ENTERPRISE, "贵阳筑家装饰工程有限公司", "钱主管"),
    (Employer.Kind.BUSINESS, "老街家常菜馆", "孙老板"),
    (Employer.Kind.PERSON, "周女士(家庭保洁)", "周女士"),
    (Employer.Kind.ENTERPRISE, "黔物流配送有限公司", "吴调度"),
]
POLICIES = [
    (
        "employment",
        "灵活就业人员社会保险补贴怎么申请",
        "就业困难人员以灵活就业方式就业的，可按规定申请社会保险补贴，带身份证到求职(用工)登记窗口咨询。",
    ),
    (
        "insurance",
        "新就业形态灵活就业意外伤害保险",
        "鼓励零工参加新就业形态灵活就业意外伤害保险，按规定享受补贴。窗口可协助参保。",
    ),
    ("rights", "被拖欠工钱怎么办", "保留用工协议、考勤和聊天记录，到劳动维权窗口登记，市场协助调解或移交劳动监察。"),
]
TRAININGS = [
    ("电工(初级)技能培训", "FW-04", "急需紧缺职业", TrainingOffer.Mode.OFFLINE),
    ("育婴员(月嫂)培训", "JF-03", "新职业", TrainingOffer.Mode.BLENDED),
    ("创业培训(SYB)", None, "创业培训", TrainingOffer.Mode.ONLINE),
]
TOPICS = {
    WindowVisit.Window.REGISTER: ["求职登记", "招工登记"],
    WindowVisit.Window.TRAINING: ["咨询电工培训", "咨询培训补贴"],
    WindowVisit.Window.RIGHTS: ["反映欠薪", "咨询工伤"],
    WindowVisit.Window.POLICY: ["咨询社保补贴", "咨询意外伤害保险"],
}


def load():
    today = timezone.localdate()
    trades = list(Trade.objects.filter(is_active=True).order_by("sort_order", "code"))
    if not trades:
        return
    clerk_market = Market.objects.filter(county__code="520102", kind=Market.Kind.GENERAL).first()
    for index, market in enumerate(Market.objects.select_related("county").order_by("pk")):
        rng = random.Random(market.pk)
        workers = _workers(market, index, trades, rng, today)
        employers = _employers(market, index)
        _postings(market, employers, trades, rng, today)
        _visits(market, workers, employers, rng, today)
        _training(market, trades, workers, today)
        _policies(market)
        _recognitions(workers, today)
        _insurance(workers, today)
        _subsidies(market, workers, today)
        if index < 3 or market == clerk_market:
            _needs(market, index, trades, today)
            _startup_intent(workers)
            _assistance(market, workers, today)


def _workers(market, index, trades, rng, today):
    region = market.county.code
    workers = []
    for n in range(12):
        birth = datetime.date(1962 + (n * 3) % 40, 1 + n % 12, 1 + (n * 7) % 28)
        seq = 100 + index * 20 + n
        id_number = build_id_number(region, birth, seq)
        worker = Worker.objects.with_id_number(id_number).first()
        if worker is None:
            worker = Worker(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                mobile=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                registered_market=market,
                county=market.county,
                registered_at=timezone.now() - datetime.timedelta(days=(n * 9) % 70),
                available_from=today,
                available_until=None if n % 3 else today + datetime.timedelta(days=14),
                expected_pay=rng.choice([150, 180, 200, 250, 300]),
                pay_unit=PayUnit.DAY,
                low_income=n % 5 == 0,
                disabled=n == 7,
                employment_difficulty=n % 6 == 1,
                has_injury_insurance=n % 2 == 0,
                household_type=rng.choice(["urban", "rural", "relocated"]),
            )
            worker.set_id_number(parse_id_number(id_number))
            worker.full_clean()
            worker.save()
            worker.set_trades(rng.sample(trades, k=2))
        workers.append(worker)
    return workers


def _employers(market, index):
    employers = []
    for n, (kind, name, contact) in enumerate(EMPLOYERS):
        full_name = f"{name}" if index == 0 else f"{name}{market.county.short_name}分部"
        phone = f"1860{market.pk:03d}{n:04d}"
        if kind == Employer.Kind.PERSON:
            employer = Employer.objects.with_phone(phone).filter(kind=kind).first()
            if employer is None:
                employer = Employer.objects.create(
                    kind=kind,
                    phone=phone,
                    name=full_name,
                    contact_name=contact,
                    county=market.county,
                    registered_market=market,
                )
        else:
            code = build_credit_code(market.county.code, 30000 + market.pk * 10 + n)
            employer, _ = Employer.objects.get_or_create(
                credit_code=code,
                defaults={
                    "kind": kind,
                    "name": full_name,
                    "contact_name": contact,
                    "phone": phone,
                    "county": market.county,
                    "registered_market": market,
                },
            )
        employers.append(employer)
    return employers


def _postings(market, employers, trades, rng, today):
    for n in range(6):
        employer = employers[n % len(employers)]
        trade = trades[(market.pk * 3 + n) % len(trades)]
        work_date = today + datetime.timedelta(days=n % 3)
        status = Posting.Status.OPEN if n < 5 else Posting.Status.FILLED
        key = {"employer": employer, "market": market, "trade": trade, "work_date": work_date}
        # The matching demo adds postings of its own; an existing one with this key is enough.
        if Posting.objects.filter(**key).exists():
            continue
        Posting.objects.create(
            **key,
            headcount=1 + n % 4,
            pay=rng.choice([160, 200, 240, 280]),
            pay_unit=PayUnit.DAY,
            start_time=datetime.time(8, 0),
            end_time=datetime.time(17, 30),
            place=market.address or market.county.name,
            requirements="身体健康，能吃苦耐劳" if n % 2 else "",
            valid_until=work_date,
            status=status,
        )


def _visits(market, workers, employers, rng, today):
    if WindowVisit.objects.filter(market=market).exists():
        return
    now = timezone.now()
    windows = list(WindowVisit.Window)
    for n in range(30):
        window = windows[n % 4] if n % 3 else WindowVisit.Window.REGISTER
        when = now - datetime.timedelta(days=n % 7, hours=n % 5)
        WindowVisit.objects.create(
            market=market,
            window=window,
            worker=workers[n % len(workers)] if n % 2 == 0 else None,
            employer=employers[n % len(employers)] if n % 5 == 1 else None,
            topic=rng.choice(TOPICS[window]),
            outcome="已办结",
            created_at=when,
        )


def _training(market, trades, workers, today):
    by_code = {t.code: t for t in trades}
    for n, (course, trade_code, kind, mode) in enumerate(TRAININGS):
        offer, _ = TrainingOffer.objects.get_or_create(
            county=market.county,
            course=course,
            defaults={
                "market": market,
                "trade": by_code.get(trade_code),
                "kind": kind,
                "provider": f"{market.county.short_name}职业技能培训中心",
                "start_date": today + datetime.timedelta(days=5 + n * 7),
                "end_date": today + datetime.timedelta(days=15 + n * 7),
                "mode": mode,
                "location": market.address,
                "capacity": 30,
                "subsidy_eligible": n != 2,
                "subsidy_note": "符合条件的按规定享受职业培训补贴" if n != 2 else "",
            },
        )
        for worker in workers[n : n + 3]:
            TrainingSignup.objects.get_or_create(offer=offer, worker=worker)


def _policies(market):
    for category, title, body in POLICIES:
        PolicyNote.objects.get_or_create(
            county=market.county, title=title, defaults={"category": category, "body": body}
        )


def _recognitions(workers, today):
    """就业困难人员 and disabled workers carry a recognition (basis, date, document)."""
    for worker in workers:
        if not (worker.employment_difficulty or worker.disabled) or worker.hardship_recognitions.exists():
            continue
        basis = HardshipRecognition.Basis.DISABLED if worker.disabled else HardshipRecognition.Basis.LONG_UNEMPLOYED
        recognition_record(
            worker=worker,
            data={
                "basis": basis,
                "document_no": f"JK{today:%Y}{worker.pk:05d}",
                "recognised_on": today - datetime.timedelta(days=60),
            },
            by=None,
        )


def _insurance(workers, today):
    """Insured workers carry their enrolment: insurer, policy number, this year's dates, premium."""
    for worker in workers:
        if not worker.has_injury_insurance or worker.insurance_enrolments.exists():
            continue
        enrolment_record(
            worker=worker,
            data={
                "insurer": "中国人民财产保险股份有限公司贵州省分公司",
                "policy_no": f"PICC-YW-{today:%Y}-{worker.pk:06d}",
                "starts_on": datetime.date(today.year, 1, 1),
                "ends_on": datetime.date(today.year, 12, 31),
                "premium": 120,
            },
            by=None,
        )


STARTUP_NOTES = [
    (Worker.StartupIntent.PLANNED, "想在小区门口开早餐店，需要创业担保贷款"),
    (Worker.StartupIntent.CONSIDERING, "考虑做家政小工作室"),
]


def _startup_intent(workers):
    """Two workers per demo market with 创业意愿 (the 创业培训 offer is listed on their page)."""
    if any(worker.has_startup_intent for worker in workers):
        return
    for worker, (intent, note) in zip(workers[-2:], STARTUP_NOTES, strict=False):
        services.worker_update(worker=worker, data={"startup_intent": intent, "startup_note": note}, by=None)


def _assistance(market, workers, today):
    """个性化就业援助: an open plan with a step done, one overdue, one due today and one ahead,
    notes and a follow-up; and a closed plan (就业). Owned by the market's clerk."""
    owner = market.clerks.filter(role="clerk", is_active=True).order_by("pk").first()
    if owner is None or AssistancePlan.objects.filter(worker__registered_market=market).exists():
        return
    needy = [w for w in workers if w.priority_tier in assistance.HARDSHIP_TIERS and w.county_id == market.county_id]
    opened = today - datetime.timedelta(days=20)
    day = datetime.timedelta(days=1)
    for n, worker in enumerate(needy[:2]):
        plan = assistance.plan_open(worker=worker, owner=owner, goal="三个月内实现稳定就业", by=owner, today=opened)
        guidance = assistance.step_add(
            plan=plan,
            data={"service": "guidance", "detail": "职业指导面谈，梳理求职意向", "due_on": opened + day},
            by=owner,
        )
        assistance.step_done(step=guidance, on=opened + day, note="已面谈，意向保洁、搬运", by=owner)
        assistance.note_add(
            plan=plan, data={"kind": "note", "on": opened + day, "text": "家庭收入低，需就近上工。"}, by=owner
        )
        if n == 0:
            for service, detail, due in (
                ("job_referral", "推荐两个保洁岗位", today - 2 * day),
                ("training", "报名家政服务培训", today),
                ("counselling", "心理疏导回访", today + 7 * day),
            ):
                assistance.step_add(plan=plan, data={"service": service, "detail": detail, "due_on": due}, by=owner)
            assistance.note_add(
                plan=plan, data={"kind": "follow_up", "on": today - day, "text": "电话回访，已去面试一次。"}, by=owner
            )
        else:
            referral = assistance.step_add(
                plan=plan,
                data={"service": "job_referral", "detail": "推荐物业保洁岗位", "due_on": opened + 5 * day},
                by=owner,
            )
            assistance.step_done(step=referral, on=opened + 6 * day, note="已录用", by=owner)
            assistance.plan_close(
                plan=plan, outcome="employed", note="在物业公司从事保洁", on=opened + 10 * day, by=owner
            )


def _subsidies(market, workers, today):
    """Applications at every market: 意外伤害保险补贴 paid, 社会保险补贴 approved, one returned,
    创业补贴 waiting. The county reviews in 南明区 (the demo county account); elsewhere they wait."""
    if SubsidyApplication.objects.filter(worker__registered_market=market).exists():
        return
    reviewer = User.objects.filter(username="demo_county", division_id=market.county_id).first()
    insured = [w for w in workers if w.has_injury_insurance and 16 <= w.age(today) <= 55]
    recognised = [w for w in workers if w.employment_difficulty and 16 <= w.age(today) <= 55]
    accident = {"kind": "accident_insurance", "period": str(today.year), "evidence": ["意外伤害保险保单"]}
    made = []
    for worker, amount in zip(insured[:2], (100, 80), strict=False):
        made.append(subsidies.subsidy_apply(worker=worker, data={**accident, "amount_requested": amount}, by=None))
    for worker in recognised[:1]:
        made.append(
            subsidies.subsidy_apply(
                worker=worker,
                data={
                    "kind": "social_insurance",
                    "period": f"{today:%Y-%m}",
                    "amount_requested": 450,
                    "evidence": ["灵活就业社会保险缴费凭证"],
                },
                by=None,
            )
        )
    if insured[2:3]:
        subsidies.subsidy_apply(
            worker=insured[2],
            data={
                "kind": "startup",
                "period": "once",
                "amount_requested": 5000,
                "evidence": ["营业执照", "经营场所证明"],
            },
            by=None,
        )
    if reviewer is None:
        return
    for n, app in enumerate(made):
        if n == 1:
            subsidies.subsidy_return(application=app, reason="保单缴费凭证不清晰，请补交", by=reviewer)
            continue
        subsidies.subsidy_approve(application=app, amount=app.amount_requested, by=reviewer)
        if n == 0:
            subsidies.subsidy_pay(
                application=app,
                amount=app.amount_requested,
                paid_on=today,
                voucher_no=f"BT{today:%Y%m%d}{app.pk:04d}",
                by=reviewer,
            )


# Online employer needs (我要招工): one waiting for review, one published, one rejected.
NEEDS = [
    (EmployerNeed.Kind.ENTERPRISE, "黔南云仓物流有限公司", "搬运装卸", None),
    (EmployerNeed.Kind.PERSON, "刘女士", "家里老人陪护", "publish"),
    (EmployerNeed.Kind.BUSINESS, "花溪牛肉粉店", "洗碗帮厨", "reject"),
]


def _needs(market, index, trades, today):
    clerk = market.clerks.filter(role="clerk").first()
    for n, (kind, name, requirements, outcome) in enumerate(NEEDS):
        full_name = name if index == 0 else f"{name}{market.county.short_name}店" if kind != "person" else name
        if EmployerNeed.objects.filter(market=market, name=full_name).exists():
            continue
        code = build_credit_code(market.county.code, 50000 + market.pk * 10 + n) if kind == "enterprise" else ""
        need = services.need_submit(
            data={
                "kind": kind,
                "name": full_name,
                "credit_code": code,
                "contact_name": "刘女士" if kind == "person" else "王经理",
                "trade": trades[(market.pk + n) % len(trades)],
                "headcount": 1 + n,
                "pay": 180 + 20 * n,
                "pay_unit": PayUnit.DAY,
                "work_date": today + datetime.timedelta(days=1 + n % 2),
                "work_date_end": None,
                "start_time": datetime.time(8, 30),
                "end_time": datetime.time(17, 0),
                "place": market.address or market.county.name,
                "requirements": requirements,
            },
            market=market,
            consent_version=CONSENT_VERSION,
            phone_verified=f"1870{market.pk:03d}{n:04d}",
        )
        if outcome == "publish":
            services.need_publish(need=need, by=clerk)
        elif outcome == "reject":
            services.need_reject(need=need, reason="报酬低于本地最低工资标准，请调整后重新提交", by=clerk)
