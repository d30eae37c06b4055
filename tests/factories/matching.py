import uuid

import factory
from django.utils import timezone

from matching.models import Placement, RightsCase
from matching.services import match_create, match_transition

from .registry import EmployerFactory, PostingFactory, WorkerFactory


def make_match(*, posting=None, worker=None, by=None, state="negotiating", reason="有事", **posting_kwargs):
    """A match created and moved to `state` through the services (so events and audit exist)."""
    posting = posting or PostingFactory(**posting_kwargs)
    worker = worker or WorkerFactory(trades=[posting.trade], registered_market=posting.market)
    match, _ = match_create(posting=posting, worker=worker, key=uuid.uuid4(), by=by)
    path = {
        "negotiating": [],
        "confirmed": ["confirmed"],
        "onboard": ["confirmed", "onboard"],
        "completed": ["confirmed", "onboard", "completed"],
        "no_show": ["confirmed", "no_show"],
        "cancelled": ["cancelled"],
    }[state]
    for step in path:
        match, _ = match_transition(match=match, to=step, by=by, reason=reason)
    return match


class RightsCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RightsCase

    kind = RightsCase.Kind.WAGES
    worker = factory.SubFactory(WorkerFactory)
    employer = factory.SubFactory(EmployerFactory)
    market = factory.LazyAttribute(lambda o: o.worker.registered_market)
    summary = "工地干了10天，老板拖欠工钱未结。"
    amount_owed = 2000


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    worker = factory.SubFactory(WorkerFactory)
    county = factory.LazyAttribute(lambda o: o.worker.county)
    post = "社区保洁"
    unit = "南明区花果园街道办事处"
    start_date = factory.LazyFunction(timezone.localdate)
