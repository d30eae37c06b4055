"""Demo matching data: a morning of 即时快招 in every demo market, rights cases and placements.

Runs after `registry.demo` and uses its workers and employers. Idempotent: a market that
already has matches is left alone; cases and placements are keyed on their summary / post.
Every write goes through the services, so events and audit rows exist as in real use.
"""

import contextlib
import datetime
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone

from gigmarket.core.models import User
from markets.models import Market
from registry.models import Employer, PayUnit, Posting, PreRegistration, Worker
from registry.public import CONSENT_VERSION
from registry.services import preregistration_submit

from . import arrears, services
from . import settlement as wage_settlement
from .insurance import match_insurance_record
from .models import Application, Match, MatchState, Placement, RightsCase, WageSettlement

# The six states, each reached through the allowed steps.
PATHS = [
    ("negotiating", []),
    ("confirmed", ["confirmed"]),
    ("onboard", ["confirmed", "onboard"]),
    ("completed", ["confirmed", "onboard", "completed"]),
    ("no_show", ["confirmed", "no_show"]),
    ("cancelled", ["cancelled"]),
]
REASONS = {"no_show": "电话联系不上，未到岗", "cancelled": "双方报酬未谈拢"}


def load():
    today = timezone.localdate()
    for market in Market.objects.select_related("county").order_by("pk"):
        workers = list(Worker.objects.filter(registered_market=market).order_by("pk"))
        employers = list(Employer.objects.filter(registered_market=market).order_by("pk"))
        if len(workers) < 10 or not employers:
            continue
        _matches(market, workers, employers, today)
        _cases(market, workers, employers, today)
        _placement(market, workers, today)
        _wages(market, workers, employers, today)
        _override(market, employers, today)
        _online(market, workers, today)
        _match_insurance(market)
    wage_settlement.wage_arrears_sweep()


def _morning(today, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time(hour, minute)))


def _matches(market, workers, employers, today):
    if Match.objects.filter(market=market).exists():
        return
    trade = workers[0].trades.first() or market.trades.first()
    if trade is None:
        return
    posting = Posting.objects.create(
        employer=employers[0],
        market=market,
        trade=trade,
        headcount=5,
        pay=230,
        pay_unit=PayUnit.DAY,
        work_date=today,
        valid_until=today,
        start_time=datetime.time(8, 30),
        end_time=datetime.time(17, 30),
        place=market.address or market.county.name,
        requirements="即时快招：当日到岗，当日结算",
        created_at=_morning(today, 7, 0),
    )
    for n, (_state, steps) in enumerate(PATHS):
        worker = workers[n]
        match, _ = services.match_create(posting=posting, worker=worker, key=uuid.uuid4(), by=None)
        for step in steps:
            match, _ = services.match_transition(match=match, to=step, by=None, reason=REASONS.get(step, ""))
        # Spread the morning out so the same-day numbers show realistic durations.
        created = _morning(today, 7, 10 + n * 7)
        stamps = {"created_at": created}
        if match.confirmed_at:
            stamps["confirmed_at"] = created + datetime.timedelta(minutes=6 + n)
        if match.onboarded_at:
            stamps["onboarded_at"] = created + datetime.timedelta(minutes=80)
        if match.completed_at:
            stamps["completed_at"] = _morning(today, 17, 40)
        Match.objects.filter(pk=match.pk).update(**stamps)


def _match_insurance(market):
    """The day's onboard match carries a one-day accident insurance policy bought for it."""
    if Match.objects.filter(market=market, insurance__isnull=False).exists():
        return
    match = Match.objects.filter(market=market, state="onboard").first()
    if match is None:
        return
    match_insurance_record(
        match=match,
        data={
            "insurer": "中国平安财产保险股份有限公司贵州分公司",
            "policy_no": f"PA-DR-{match.work_date:%Y%m%d}-{match.pk:05d}",
            "starts_on": match.work_date,
            "ends_on": match.work_date_end,
            "premium": 3,
        },
        by=None,
    )


def _cases(market, workers, employers, today):
    specs = [
        (
            RightsCase.Kind.WAGES,
            workers[6],
            employers[0],
            "在该单位做小工12天，约定日结，拖欠工钱未付。",
            2760,
            0,
            "mediating",
        ),
        (
            RightsCase.Kind.INJURY,
            workers[7],
            employers[min(1, len(employers) - 1)],
            "搬运时扭伤脚踝，协商医药费。",
            1500,
            1500,
            "resolved",
        ),
        (RightsCase.Kind.DISCRIMINATION, workers[8], None, "招工时以户籍为由拒绝录用。", 0, 0, "received"),
    ]
    for kind, worker, employer, summary, owed, recovered, state in specs:
        if RightsCase.objects.filter(market=market, summary=summary).exists():
            continue
        case = services.case_create(
            market=market,
            data={
                "kind": kind,
                "worker": worker,
                "employer": employer,
                "summary": summary,
                "amount_owed": owed,
                "amount_recovered": recovered,
                "received_on": today - datetime.timedelta(days=5),
            },
            by=None,
        )
        services.case_add_note(
            case=case, on=today - datetime.timedelta(days=5), text="窗口受理，登记基本情况。", by=None
        )
        if state != "received":
            services.case_transition(case=case, to="mediating", by=None, note="约双方到市场调解。")
        if state == "resolved":
            services.case_transition(case=case, to="resolved", by=None, note="调解成功，医药费已付清。")


def _placement(market, workers, today):
    worker = next((w for w in workers if w.employment_difficulty or w.disabled), None)
    post = f"{market.county.short_name}公益性岗位(保洁)"
    if worker is None or Placement.objects.filter(worker=worker, post=post).exists():
        return
    placement = services.placement_create(
        worker=worker,
        county=worker.county,
        data={
            "post": post,
            "unit": f"{market.county.short_name}城市管理局",
            "start_date": today - datetime.timedelta(days=40),
            "monthly_pay": 1790,
            "next_follow_up": today,
            "notes": "就业困难人员，市场渠道多次对接未成。",
        },
        by=None,
    )
    services.placement_follow_up(
        placement=placement,
        on=today - datetime.timedelta(days=10),
        text="在岗正常，工作表现良好。",
        next_follow_up=today,
        by=None,
    )


def _wages(market, workers, employers, today):
    """The day's completed match paid in full by 转账 and confirmed at the counter; one older job
    paid short, which the sweep turns into a 欠薪 case (for the last employer of the market)."""
    if WageSettlement.objects.filter(match__market=market).exists():
        return
    done = Match.objects.filter(market=market, state=MatchState.COMPLETED).order_by("pk").first()
    if done is not None:
        settlement = wage_settlement.wage_settlement_record(
            match=done,
            data={
                "wage_due": wage_settlement.default_wage_due(done),
                "amount_paid": wage_settlement.default_wage_due(done),
                "paid_on": today,
                "method": "transfer",
            },
            by=None,
        )
        wage_settlement.wage_settlement_confirm(settlement=settlement, by=None)
    employer = employers[-1]
    trade = workers[9].trades.first() or market.trades.first()
    if trade is None or employer == employers[0]:
        return
    posting = Posting.objects.create(
        employer=employer,
        market=market,
        trade=trade,
        headcount=1,
        pay=180,
        pay_unit=PayUnit.DAY,
        work_date=today,
        valid_until=today,
        place=market.address or market.county.name,
        requirements="搬运小工",
    )
    match, _ = services.match_create(posting=posting, worker=workers[9], key=uuid.uuid4(), by=None)
    for step in ("confirmed", "onboard", "completed"):
        match, _ = services.match_transition(match=match, to=step, by=None)
    settlement = wage_settlement.wage_settlement_record(
        match=match,
        data={"wage_due": 180 * 2, "amount_paid": 100, "paid_on": today, "method": "cash", "note": "两天工，先付100元"},
        by=None,
    )
    wage_settlement.wage_settlement_confirm(settlement=settlement, by=None)
    # The job was two weeks ago: past the payment deadline, so the sweep opens its case.
    past = today - datetime.timedelta(days=14)
    Posting.objects.filter(pk=posting.pk).update(work_date=past, valid_until=past, status=Posting.Status.FILLED)
    Match.objects.filter(pk=match.pk).update(
        work_date=past,
        work_date_end=past,
        created_at=_morning(past, 7, 30),
        confirmed_at=_morning(past, 7, 40),
        onboarded_at=_morning(past, 8, 0),
        completed_at=_morning(past, 17, 30),
    )
    WageSettlement.objects.filter(pk=settlement.pk).update(paid_on=past)


def _override(market, employers, today):
    """In 南明区 the county lifted the block of the employer with the open 欠薪 case."""
    county_user = User.objects.filter(username="demo_county", division_id=market.county_id).first()
    employer = employers[0]
    if county_user is None or employer.arrears_overrides.exists() or not arrears.arrears_block(employer.pk).blocked:
        return
    arrears.arrears_override_grant(
        employer=employer,
        reason="已与零工签订还款计划并由街道担保，先行恢复招工",
        valid_until=today + datetime.timedelta(days=30),
        by=county_user,
    )


# Online applicants of the demo: people not registered yet (names and phones of their own).
APPLICANTS = [("周晓梅", "13985100001"), ("吴国强", "13985100002"), ("郑红", "13985100003")]
PRE_REGISTRANT = ("冯志远", "13985100009")


def _online(market, workers, today):
    """我要报名 on the market's open postings and one 扫码登记, through the services (SMS outbox rows too)."""
    if Application.objects.filter(market=market).exists():
        return
    postings = list(
        Posting.objects.filter(market=market, status=Posting.Status.OPEN, valid_until__gte=today).order_by(
            "work_date", "pk"
        )[:2]
    )
    suffix = f"{market.pk % 1000:03d}"
    for n, posting in enumerate(postings):
        name, phone = APPLICANTS[n]
        services.application_submit(
            posting=posting, name=name, mobile=f"{phone[:7]}{n}{suffix}", consent_version=CONSENT_VERSION
        )
    # A registered worker applying from the phone: linked to their record by the phone.
    if postings and workers:
        with contextlib.suppress(ValidationError):  # already matched to that posting at the counter
            services.application_submit(
                posting=postings[0], name=workers[-1].name, mobile=workers[-1].mobile, consent_version=CONSENT_VERSION
            )
    name, phone = PRE_REGISTRANT
    if not PreRegistration.objects.filter(market=market).exists():
        preregistration_submit(
            market=market,
            name=name,
            mobile=f"{phone[:7]}9{suffix}",
            trades=list(market.trades.all()[:2]),
            data={"available_from": today},
            consent_version=CONSENT_VERSION,
        )
