"""Registry pages lead into matching and warn about employers with open 欠薪 cases."""

from django.urls import reverse

from tests.factories.matching import RightsCaseFactory
from tests.factories.registry import EmployerFactory, PostingFactory, WorkerFactory

FLAG = "欠薪案件未结"


def test_clerk_posting_for_an_employer_with_an_open_wage_case_sees_the_flag(client, clerk):
    employer = EmployerFactory(county=clerk.division)
    client.force_login(clerk)
    url = reverse("registry:posting_create", args=[employer.pk])
    assert FLAG not in client.get(url).content.decode()
    RightsCaseFactory(employer=employer, worker=WorkerFactory(registered_market=clerk.market))
    assert FLAG in client.get(url).content.decode()
    assert FLAG in client.get(reverse("registry:employer_detail", args=[employer.pk])).content.decode()


def test_posting_detail_flags_the_employer_and_links_to_candidates(client, clerk):
    posting = PostingFactory(market=clerk.market, employer=EmployerFactory(county=clerk.division))
    RightsCaseFactory(employer=posting.employer, worker=WorkerFactory(registered_market=clerk.market))
    client.force_login(clerk)
    body = client.get(reverse("registry:posting_detail", args=[posting.pk])).content.decode()
    assert FLAG in body
    assert reverse("matching:posting_candidates", args=[posting.pk]) in body


def test_resolved_wage_case_no_longer_flags(client, clerk):
    employer = EmployerFactory(county=clerk.division)
    RightsCaseFactory(employer=employer, worker=WorkerFactory(registered_market=clerk.market), state="resolved")
    client.force_login(clerk)
    assert FLAG not in client.get(reverse("registry:employer_detail", args=[employer.pk])).content.decode()


def test_worker_detail_links_to_fitting_postings(client, clerk):
    worker = WorkerFactory(registered_market=clerk.market, county=clerk.division)
    client.force_login(clerk)
    body = client.get(reverse("registry:worker_detail", args=[worker.pk])).content.decode()
    assert reverse("matching:worker_postings", args=[worker.pk]) in body
