import datetime

import factory
from django.utils import timezone

from registry.models import (
    Employer,
    EmployerNeed,
    InsuranceEnrolment,
    PayUnit,
    PolicyNote,
    Posting,
    TrainingOffer,
    TrainingSignup,
    WindowVisit,
    Worker,
)
from registry.validators import build_credit_code, build_id_number, parse_id_number

from .core import division
from .markets import MarketFactory, TradeFactory


def id_number_for(n, *, region="520102", birth=datetime.date(1985, 6, 15), gender="M"):
    """A valid 身份证号; the sequence's parity gives the gender (odd = male)."""
    seq = (n * 2) % 998 + (1 if gender == "M" else 2)
    return build_id_number(region, birth, seq)


def factory_id_number(n):
    """The factory's: born from 1985-06-16 on, 499 numbers a day, so it never repeats in a
    session nor meets a test's own `id_number_for(n)` (born 1985-06-15)."""
    return id_number_for(n % 499, birth=datetime.date(1985, 6, 16) + datetime.timedelta(days=n // 499))


CHINESE_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")


class WorkerFactory(factory.django.DjangoModelFactory):
    """Pass `id_number="..."` for a specific 身份证号; birth date and gender come from it."""

    class Meta:
        model = Worker
        skip_postgeneration_save = True

    id_number = factory.Sequence(factory_id_number)
    # Digits written as Chinese numerals: a person's name holds no digits (gigmarket.core.contact).
    name = factory.Sequence(lambda n: "零工" + str(n).translate(CHINESE_DIGITS))
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    registered_market = factory.SubFactory(MarketFactory)
    county = factory.LazyAttribute(lambda o: o.registered_market.county)
    available_from = factory.LazyFunction(timezone.localdate)
    expected_pay = 200
    pay_unit = PayUnit.DAY

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        id_number = kwargs.pop("id_number")
        worker = model_class(**kwargs)
        worker.set_id_number(parse_id_number(id_number))
        return worker

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        worker = cls._build(model_class, *args, **kwargs)
        worker.save()
        return worker

    @factory.post_generation
    def trades(self, create, extracted, **kwargs):
        if create and extracted:
            self.set_trades(extracted)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    kind = Employer.Kind.ENTERPRISE
    name = factory.Sequence(lambda n: f"测试用工单位{n}")
    credit_code = factory.Sequence(lambda n: build_credit_code("520102", 10000 + n))
    contact_name = "王经理"
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    county = factory.LazyFunction(lambda: division("520102"))


class PostingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Posting

    employer = factory.SubFactory(EmployerFactory)
    market = factory.SubFactory(MarketFactory)
    trade = factory.SubFactory(TradeFactory)
    headcount = 2
    pay = 220
    pay_unit = PayUnit.DAY
    work_date = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(lambda o: o.work_date)
    place = "花果园工地"
    status = Posting.Status.OPEN


class WindowVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WindowVisit

    market = factory.SubFactory(MarketFactory)
    window = WindowVisit.Window.POLICY
    topic = "咨询社保补贴"


class TrainingOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingOffer

    county = factory.LazyFunction(lambda: division("520102"))
    course = factory.Sequence(lambda n: f"电工培训第{n}期")
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=10))
    subsidy_eligible = True


class TrainingSignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSignup

    offer = factory.SubFactory(TrainingOfferFactory)
    worker = factory.SubFactory(WorkerFactory)


class PolicyNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyNote

    county = factory.LazyFunction(lambda: division("520102"))
    title = factory.Sequence(lambda n: f"灵活就业社会保险补贴政策解读{n}")
    body = "符合条件的灵活就业人员可申请社会保险补贴。"


class EmployerNeedFactory(factory.django.DjangoModelFactory):
    """A pending online need (我要招工) whose mobile was proven by SMS code."""

    class Meta:
        model = EmployerNeed

    market = factory.SubFactory(MarketFactory)
    kind = EmployerNeed.Kind.ENTERPRISE
    name = factory.Sequence(lambda n: f"网上招工单位{n}")
    credit_code = factory.Sequence(lambda n: build_credit_code("520102", 60000 + n))
    contact_name = "李经理"
    phone = factory.Sequence(lambda n: f"136{n:08d}")
    trade = factory.SubFactory(TradeFactory)
    headcount = 2
    pay = 230
    pay_unit = PayUnit.DAY
    work_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1))
    place = "观山湖区仓库"
    consent_version = "employer-2026-12"
    consent_at = factory.LazyFunction(timezone.now)


class InsuranceEnrolmentFactory(factory.django.DjangoModelFactory):
    """An accident-insurance enrolment covering last year and this year (the subsidy years tests use)."""

    class Meta:
        model = InsuranceEnrolment

    worker = factory.SubFactory(WorkerFactory)
    insurer = "中国人寿财产保险贵州分公司"
    policy_no = factory.Sequence(lambda n: f"PICC-YW-{n:06d}")
    starts_on = factory.LazyFunction(lambda: datetime.date(timezone.localdate().year - 1, 1, 1))
    ends_on = factory.LazyFunction(lambda: datetime.date(timezone.localdate().year, 12, 31))
    premium = 120
