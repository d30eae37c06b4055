"""A small fixed world for the security tests: one object of each kind in 南明区 and in 遵义.

`World(users, ...)` builds objects lazily and caches them, so a test only creates what
its URLs need. `where` is "nanming" (南明区, the in-scope side for the 南明 users) or
"zunyi" (红花岗区 in 遵义市, out of scope for every user below the province).
"""

import datetime
import uuid

from django import forms
from django.utils import timezone

from markets.models import Trade
from markets.rectification import rectification_add_evidence
from reporting.models import ReportingRule, Submission
from reporting.selectors import periods_for_listing
from tests.factories.core import UserFactory
from tests.factories.markets import TradeFactory, open_rectification, png_upload
from tests.factories.matching import PlacementFactory, RightsCaseFactory, make_match
from tests.factories.registry import (
    EmployerFactory,
    EmployerNeedFactory,
    InsuranceEnrolmentFactory,
    PolicyNoteFactory,
    PostingFactory,
    TrainingOfferFactory,
    TrainingSignupFactory,
    WorkerFactory,
    id_number_for,
)
from tests.factories.reporting import NotificationFactory

ROLES = ["anonymous", "province", "auditor", "city", "county", "county2", "clerk"]
WHERES = ["nanming", "zunyi"]


def initial_data(form):
    """POST data a browser would send for `form` unchanged (its initial values)."""
    data = {}
    for bf in form:
        value = bf.value()
        if isinstance(bf.field, forms.BooleanField):
            if value:
                data[bf.html_name] = "on"
            continue
        if value is None:
            data[bf.html_name] = ""
        elif isinstance(value, list | tuple):
            data[bf.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, datetime.date | datetime.time):
            data[bf.html_name] = value.isoformat()[:10] if isinstance(value, datetime.date) else f"{value:%H:%M}"
        elif callable(value):
            data[bf.html_name] = str(value())
        else:
            data[bf.html_name] = str(getattr(value, "pk", value))
    return data


class World:
    def __init__(self, *, users, markets, counties):
        self.users = users  # role -> User (no "anonymous")
        self.markets = markets  # "nanming" / "zunyi" / "yunyan" -> Market
        self.counties = counties  # same keys -> Division
        self._cache = {}
        self._seq = 0

    def _once(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def next(self):
        self._seq += 1
        return self._seq

    # Where a user works -------------------------------------------------------------

    def home(self, user):
        """The side a user's own creations go to: 云岩 for the 云岩 county user, else 南明."""
        if getattr(user, "division_id", None) == self.counties["yunyan"].pk:
            return "yunyan"
        return "nanming"

    def home_market(self, user):
        return self.markets[self.home(user)]

    def home_county(self, user):
        return self.counties[self.home(user)]

    # Objects ---------------------------------------------------------------------------

    def market(self, where):
        return self.markets[where]

    def county(self, where):
        return self.counties[where]

    def trade(self):
        return self._once("trade", lambda: Trade.objects.filter(is_active=True).order_by("pk").first())

    def own_trade(self):
        """A trade only the trade pages touch (so toggling it breaks nothing else)."""
        return self._once("own_trade", lambda: TradeFactory(code="ZZ-01", name="矩阵测试工种"))

    def version(self, where):
        def build():
            from markets import services

            market = self.market(where)
            services.market_update(market=market, data={"address": market.address + "（核实）"}, by=None)
            return market.versions.order_by("number").first()

        return self._once(("version", where), build)

    def rectification(self, where):
        """An open 整改 (统一标识, which the factory market misses) opened by province staff."""
        return self._once(
            ("rectification", where), lambda: open_rectification(self.market(where), "sign", by=self.users["province"])
        )

    def rectification_photo(self, where):
        def build():
            return rectification_add_evidence(
                rectification=self.rectification(where), upload=png_upload(), by=self.users["province"]
            )

        return self._once(("rectification_photo", where), build)

    def worker(self, where, tag="main"):
        def build():
            n = 700 + self.next()
            return WorkerFactory(
                id_number=id_number_for(n, region=self.county(where).code),
                mobile=f"1860000{n:04d}",
                registered_market=self.market(where),
                trades=[self.trade()],
            )

        return self._once(("worker", where, tag), build)

    def employer(self, where, tag="main"):
        return self._once(("employer", where, tag), lambda: EmployerFactory(county=self.county(where)))

    def posting(self, where, tag="main"):
        return self._once(
            ("posting", where, tag),
            lambda: PostingFactory(
                market=self.market(where), employer=self.employer(where), trade=self.trade(), headcount=5
            ),
        )

    def need(self, where):
        """A pending online need (我要招工) at the side's market."""
        return self._once(("need", where), lambda: EmployerNeedFactory(market=self.market(where), trade=self.trade()))

    def match(self, where, state="negotiating"):
        return self._once(
            ("match", where, state),
            lambda: make_match(
                posting=self.posting(where, f"match-{state}"),
                worker=self.worker(where, f"match-{state}"),
                by=self.users["province"],
                state=state,
            ),
        )

    def case(self, where):
        return self._once(
            ("case", where),
            lambda: RightsCaseFactory(
                worker=self.worker(where), employer=self.employer(where, "case"), market=self.market(where)
            ),
        )

    def recognised(self, where):
        """A worker recognised as 就业困难人员 (may be placed in a 公益性岗位)."""

        def build():
            from registry.recognition import recognition_record

            worker = self.worker(where, "recognised")
            recognition_record(
                worker=worker,
                data={"basis": "long_unemployed", "recognised_on": timezone.localdate()},
                by=self.users["province"],
            )
            return worker

        return self._once(("recognised", where), build)

    def recognition(self, where):
        return self._once(("recognition", where), lambda: self.recognised(where).hardship_recognitions.get())

    def insured(self, where):
        """A worker with accident insurance (may apply for 意外伤害保险补贴)."""

        def build():
            n = 760 + self.next()
            worker = WorkerFactory(
                id_number=id_number_for(n, region=self.county(where).code),
                mobile=f"1860000{n:04d}",
                registered_market=self.market(where),
            )
            InsuranceEnrolmentFactory(worker=worker)
            return worker

        return self._once(("insured", where), build)

    def hardship(self, where, tag="hardship"):
        """A worker of the 二级 tier (低收入家庭) without a 就业援助 plan."""

        def build():
            n = 800 + self.next()
            return WorkerFactory(
                id_number=id_number_for(n, region=self.county(where).code),
                mobile=f"1860000{n:04d}",
                registered_market=self.market(where),
                low_income=True,
            )

        return self._once(("hardship", where, tag), build)

    def assistance_plan(self, where):
        """An open 个性化就业援助 plan owned by the province user, with one step due today."""

        def build():
            from registry.assistance import plan_open, step_add

            plan = plan_open(
                worker=self.hardship(where, "plan"),
                owner=self.users["province"],
                goal="矩阵援助",
                by=self.users["province"],
            )
            step_add(plan=plan, data={"service": "guidance", "due_on": timezone.localdate()}, by=self.users["province"])
            return plan

        return self._once(("assistance_plan", where), build)

    def assistance_step(self, where):
        return self._once(("assistance_step", where), lambda: self.assistance_plan(where).steps.get())

    def subsidy(self, where):
        """A 待审核 意外伤害保险补贴 application of this year."""

        def build():
            from registry.subsidies import subsidy_apply

            return subsidy_apply(
                worker=self.insured(where),
                data={
                    "kind": "accident_insurance",
                    "period": str(timezone.localdate().year),
                    "amount_requested": 100,
                    "evidence": ["意外伤害保险保单"],
                },
                by=self.users["province"],
            )

        return self._once(("subsidy", where), build)

    def override(self, where):
        """An active 欠薪 block override of the case's employer."""

        def build():
            from matching.arrears import arrears_override_grant

            case = self.case(where)
            return arrears_override_grant(
                employer=case.employer,
                reason="矩阵放行",
                valid_until=timezone.localdate(),
                by=self.users["province"],
            )

        return self._once(("override", where), build)

    def settled_match(self, where):
        """A completed match with its wage recorded, waiting for the worker's confirmation."""

        def build():
            from matching.settlement import wage_settlement_record

            match = make_match(
                posting=self.posting(where, "settled"),
                worker=self.worker(where, "settled"),
                by=self.users["province"],
                state="completed",
            )
            wage_settlement_record(match=match, data={"wage_due": 200, "amount_paid": 0}, by=self.users["province"])
            return match

        return self._once(("settled", where), build)

    def placement(self, where):
        return self._once(("placement", where), lambda: PlacementFactory(worker=self.worker(where)))

    def training(self, where):
        return self._once(("training", where), lambda: TrainingOfferFactory(county=self.county(where)))

    def signup(self, where):
        """A 已报名 sign-up of the offer (its own worker, so signing `worker(where)` up still works)."""
        return self._once(
            ("signup", where),
            lambda: TrainingSignupFactory(offer=self.training(where), worker=self.worker(where, "signup")),
        )

    def policy(self, where):
        return self._once(("policy", where), lambda: PolicyNoteFactory(county=self.county(where)))

    def periods(self):
        return self._once("periods", lambda: list(periods_for_listing()[:2]))

    def submission(self, where):
        """A 南明 / 遵义 submission waiting for its 市州 (in the period before the current one)."""

        def build():
            now = timezone.now()
            return Submission.objects.create(
                period=self.periods()[1],
                county=self.county(where),
                status=Submission.Status.SUBMITTED,
                first_submitted_at=now,
                submitted_at=now,
                submitted_by=self.users["county"],
            )

        return self._once(("submission", where), build)

    def rule(self):
        return self._once("rule", lambda: ReportingRule.objects.order_by("pk").first())

    def staff(self, where):
        """A window clerk account in `where` (the object of the account pages)."""
        market = self.market(where)
        return self._once(
            ("staff", where),
            lambda: UserFactory(username=f"target_{where}", role="clerk", division=market.county, market=market),
        )

    def notification(self, where, user):
        """Own side: a notification for `user`; other side: one for somebody else."""
        if where == "nanming" and getattr(user, "pk", None):
            return self._once(("note", user.username), lambda: NotificationFactory(recipient=user))
        return self._once(("note", "other"), lambda: NotificationFactory(recipient=self.staff("zunyi")))

    def application(self, where):
        """A new online application on the side's posting, from the side's worker (so 转为洽谈 works)."""

        def build():
            from matching.services import application_submit
            from registry.public import CONSENT_VERSION

            worker = self.worker(where)
            return application_submit(
                posting=self.posting(where, "online"),
                name=worker.name,
                mobile=worker.mobile,
                consent_version=CONSENT_VERSION,
            )

        return self._once(("application", where), build)

    def prereg(self, where):
        def build():
            from registry.public import CONSENT_VERSION
            from registry.services import preregistration_submit

            return preregistration_submit(
                market=self.market(where),
                name="矩阵预登记",
                mobile=f"1350000{self.next():04d}",
                consent_version=CONSENT_VERSION,
            )

        return self._once(("prereg", where), build)

    @staticmethod
    def token():
        return str(uuid.uuid4())
