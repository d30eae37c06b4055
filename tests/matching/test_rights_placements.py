"""劳动维权 cases, the 欠薪 flag, 公益性岗位 placements: scoped, audited, Chinese errors."""

import datetime

import pytest
import time_machine

from gigmarket.core.models import AuditEvent
from matching.models import Placement, RightsCase
from matching.wages import employers_with_open_wage_cases, open_wage_case_counts
from registry.recognition import recognition_record
from tests.factories.matching import PlacementFactory, RightsCaseFactory, make_match
from tests.factories.registry import EmployerFactory, PostingFactory, WorkerFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 9, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def case_data(**overrides):
    data = {
        "kind": "wages",
        "summary": "做了8天小工，工钱未结。",
        "amount_owed": "1600",
        "amount_recovered": "0",
        "received_on": "2026-03-09",
    }
    data.update(overrides)
    return data


def test_clerk_receives_a_wage_case_by_looking_up_worker_and_employer(client, clerk, market):
    worker = WorkerFactory(registered_market=market, name="张三")
    employer = EmployerFactory()
    client.force_login(clerk)
    response = client.post(
        "/matching/cases/new/",
        case_data(person=f"张三 {worker.full_id_number()[-4:]}", employer_query=employer.credit_code),
    )
    case = RightsCase.objects.get()
    assert response["Location"] == f"/matching/cases/{case.pk}/"
    assert (case.worker, case.employer, case.market, case.state) == (worker, employer, market, "received")
    assert AuditEvent.objects.filter(action="create", target_type="matching.rightscase", actor=clerk).exists()


def test_wage_case_without_employer_is_refused_and_typed_data_kept(client, clerk, market):
    worker = WorkerFactory(registered_market=market)
    client.force_login(clerk)
    response = client.post("/matching/cases/new/", case_data(person=worker.mobile, summary="老板跑了"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "欠薪和工伤/意外案件须填写用工主体" in body and "老板跑了" in body
    assert not RightsCase.objects.exists()


def test_recovered_more_than_owed_is_refused(client, clerk, market):
    worker = WorkerFactory(registered_market=market)
    client.force_login(clerk)
    response = client.post(
        "/matching/cases/new/", case_data(kind="other", person=worker.mobile, amount_recovered="2000")
    )
    assert response.status_code == 400
    assert "已追回金额不能大于涉及金额" in response.content.decode()


def test_case_from_a_match_takes_its_worker_and_employer(client, clerk, market):
    match = make_match(market=market, by=clerk, state="completed")
    client.force_login(clerk)
    client.post("/matching/cases/new/", case_data(match=match.pk, employer_query=match.employer.credit_code))
    case = RightsCase.objects.get()
    assert (case.match, case.worker, case.employer) == (match, match.worker, match.employer)


def test_case_moves_through_mediation_with_dated_notes(client, clerk, market):
    case = RightsCaseFactory(market=market)
    client.force_login(clerk)
    client.post(f"/matching/cases/{case.pk}/transition/", {"to": "mediating", "note": "约双方周三调解"})
    client.post(f"/matching/cases/{case.pk}/notes/", {"on": "2026-03-10", "text": "老板承诺周五前付清"})
    client.post(f"/matching/cases/{case.pk}/transition/", {"to": "transferred"})
    case.refresh_from_db()
    assert case.state == "transferred" and case.closed_on == datetime.date(2026, 3, 9)
    assert [n.text for n in case.notes.all()] == [
        "约双方周三调解",
        "状态变更为“已移交劳动监察”。",
        "老板承诺周五前付清",
    ]
    body = client.post(f"/matching/cases/{case.pk}/transition/", {"to": "mediating"}, follow=True).content.decode()
    assert "“已移交劳动监察”的案件不能变更为“调解中”" in body
    case.refresh_from_db()
    assert case.state == "transferred"


def test_open_wage_case_flags_the_employer_until_resolved(client, clerk, market):
    employer = EmployerFactory()
    posting = PostingFactory(market=market, employer=employer)
    WorkerFactory(trades=[posting.trade], registered_market=market)
    make_match(posting=posting, by=clerk)
    case = RightsCaseFactory(employer=employer, market=market)
    RightsCaseFactory(kind="injury", employer=EmployerFactory(), market=market)  # not a wage case
    assert list(employers_with_open_wage_cases().values_list("employer_id", flat=True)) == [employer.pk]
    assert open_wage_case_counts([employer.pk]) == {employer.pk: 1}
    client.force_login(clerk)
    for url in ["/matching/", f"/matching/postings/{posting.pk}/candidates/", "/matching/matches/"]:
        assert "欠薪案件未结" in client.get(url).content.decode(), url
    client.post(f"/matching/cases/{case.pk}/transition/", {"to": "resolved", "note": "工钱已结清"})
    assert not employers_with_open_wage_cases().exists()
    assert "欠薪案件未结" not in client.get("/matching/").content.decode()


def test_cases_of_another_county_are_404_and_unchanged(client, clerk2, market):
    case = RightsCaseFactory(market=market)
    client.force_login(clerk2)
    assert client.get(f"/matching/cases/{case.pk}/").status_code == 404
    assert client.post(f"/matching/cases/{case.pk}/transition/", {"to": "resolved"}).status_code == 404
    assert client.post(f"/matching/cases/{case.pk}/edit/", case_data()).status_code == 404
    assert case.pk not in [c.pk for c in client.get("/matching/cases/").context["page"]]
    case.refresh_from_db()
    assert case.state == "received"


def test_auditor_cannot_change_cases(client, auditor, market):
    case = RightsCaseFactory(market=market)
    client.force_login(auditor)
    assert client.get(f"/matching/cases/{case.pk}/").status_code == 200
    assert client.post(f"/matching/cases/{case.pk}/transition/", {"to": "resolved"}).status_code == 403
    assert client.get("/matching/cases/new/").status_code == 403
    case.refresh_from_db()
    assert case.state == "received"


def test_case_list_query_count_is_flat(client, county_user, market, django_assert_max_num_queries):
    first = RightsCaseFactory(market=market)
    client.force_login(county_user)
    with django_assert_max_num_queries(12) as few:
        client.get("/matching/cases/")
    for _ in range(5):
        RightsCaseFactory(market=market)
    with django_assert_max_num_queries(12) as many:
        body = client.get("/matching/cases/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert first.worker.masked_mobile in body and first.worker.mobile not in body


def test_county_places_a_worker_and_records_follow_ups(client, county_user, market):
    worker = WorkerFactory(registered_market=market, employment_difficulty=True)
    recognition_record(worker=worker, data={"basis": "long_unemployed", "recognised_on": "2026-01-05"}, by=county_user)
    client.force_login(county_user)
    response = client.post(
        "/matching/placements/new/",
        {
            "person": worker.mobile,
            "post": "社区保洁",
            "unit": "花果园街道办事处",
            "start_date": "2026-03-01",
            "status": "active",
            "monthly_pay": "1790",
            "next_follow_up": "2026-03-09",
        },
    )
    placement = Placement.objects.get()
    assert response["Location"] == f"/matching/placements/{placement.pk}/"
    assert placement.county == worker.county and placement.follow_up_due
    assert "待回访" in client.get("/matching/placements/?due=1").content.decode()
    client.post(
        f"/matching/placements/{placement.pk}/follow-up/",
        {"on": "2026-03-09", "text": "在岗正常", "next_follow_up": "2026-04-09"},
    )
    placement.refresh_from_db()
    assert placement.next_follow_up == datetime.date(2026, 4, 9) and not placement.follow_up_due
    assert placement.follow_ups.get().text == "在岗正常"
    assert AuditEvent.objects.filter(target_type="matching.placement", target_id=str(placement.pk)).count() == 2


def test_ended_placement_needs_an_end_date(client, county_user, market):
    placement = PlacementFactory(worker=WorkerFactory(registered_market=market))
    client.force_login(county_user)
    response = client.post(
        f"/matching/placements/{placement.pk}/edit/",
        {"post": placement.post, "unit": placement.unit, "start_date": "2026-03-01", "status": "ended"},
    )
    assert response.status_code == 400
    assert "已退出的安置须填写退出日期" in response.content.decode()
    placement.refresh_from_db()
    assert placement.status == "active"


def test_placements_of_another_county_are_404(client, county2_user, market):
    placement = PlacementFactory(worker=WorkerFactory(registered_market=market))
    client.force_login(county2_user)
    assert client.get(f"/matching/placements/{placement.pk}/").status_code == 404
    response = client.post(f"/matching/placements/{placement.pk}/follow-up/", {"on": "2026-03-09", "text": "x"})
    assert response.status_code == 404
    assert not placement.follow_ups.exists()
