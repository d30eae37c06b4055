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
from reporting.models import ReportingRule, Submission
from reporting.selectors import periods_for_listing
from tests.factories.core import UserFactory
from tests.factories.markets import TradeFactory
from tests.factories.matching import PlacementFactory, RightsCaseFactory, make_match
from tests.factories.registry import (
    EmployerFactory,
    EmployerNeedFactory,
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

    def employer(self, where):
        return self._once(("employer", where), lambda: EmployerFactory(county=self.county(where)))

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
                worker=self.worker(where), employer=self.employer(where), market=self.market(where)
            ),
        )

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

    @staticmethod
    def token():
        return str(uuid.uuid4())
