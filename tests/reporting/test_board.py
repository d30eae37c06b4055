"""The per-period board: expected (active) counties, submitted, on time, late, missing."""

import time_machine
from django.core.management import call_command

from gigmarket.core.models import Division
from reporting.services import submission_forward, submission_return, submission_submit
from tests.factories.core import UserFactory, division
from tests.factories.reporting import beijing, period


def guiyang_counties():
    return Division.objects.filter(parent__code="520100", is_active=True).count()


def setup_q1(county_user, county2_user, city_user):
    q1 = period("2023-01-01")
    with time_machine.travel(beijing("2023-04-05 20:00"), tick=False):
        submission_submit(period=q1, county=county_user.division, by=county_user)
    with time_machine.travel(beijing("2023-04-07 09:00"), tick=False):
        submission_submit(period=q1, county=county2_user.division, by=county2_user)
    return q1


def test_board_counts_against_the_active_counties(db, county_user, county2_user, city_user, province_user):
    q1 = setup_q1(county_user, county2_user, city_user)
    from reporting.selectors import period_board

    board = period_board(q1, province_user)
    total = board["total"]
    all_active = Division.objects.filter(level="county", is_active=True).count()
    assert total.expected == all_active
    assert (total.submitted, total.on_time, total.late) == (2, 1, 1)
    assert total.missing == all_active - 2
    guiyang = next(line for line in board["cities"] if line.division.code == "520100")
    assert guiyang.expected == guiyang_counties()
    assert (guiyang.submitted, guiyang.on_time, guiyang.late) == (2, 1, 1)
    assert division("520102") not in [c for c, _ in total.laggards]
    assert division("520111") in [c for c, _ in total.laggards]  # 花溪区 did not report


def test_returned_reports_count_as_missing_and_inactive_counties_are_not_expected(
    db, county_user, county2_user, city_user, province_user
):
    q1 = setup_q1(county_user, county2_user, city_user)
    from reporting.models import Submission
    from reporting.selectors import period_board

    submission_return(submission=Submission.objects.get(county=county2_user.division), by=city_user, reason="补充")
    Division.objects.filter(code="520111").update(is_active=False)
    guiyang = next(line for line in period_board(q1, province_user)["cities"] if line.division.code == "520100")
    assert guiyang.expected == guiyang_counties()
    assert (guiyang.submitted, guiyang.returned, guiyang.missing) == (1, 1, guiyang_counties() - 1)


def test_city_sees_only_its_counties(db, county_user, county2_user, city_user):
    q1 = setup_q1(county_user, county2_user, city_user)
    from reporting.selectors import period_board

    board = period_board(q1, city_user)
    assert [line.division.code for line in board["cities"]] == ["520100"]
    assert board["total"].expected == guiyang_counties()


def test_board_page_query_count_is_fixed(client, django_assert_num_queries, county_user, county2_user, city_user):
    q1 = setup_q1(county_user, county2_user, city_user)
    province = UserFactory(role="province", division=division("520000"), username="prov2")
    client.force_login(province)
    client.get(f"/reporting/periods/{q1.pk}/")
    # 7 for the board, 2 for the 名录 reality check (activity per market, markets; one more
    # for the flagged markets when there are any)
    with django_assert_num_queries(8):  # issue 19: the user menu's division and market come with the session's user
        body = client.get(f"/reporting/periods/{q1.pk}/").content.decode()
    assert f"2/{Division.objects.filter(level='county', is_active=True).count()}" in body
    # more reports do not add queries
    zunyi = UserFactory(role="county", division=division("520302"), username="hhg")
    with time_machine.travel(beijing("2023-04-01 09:00"), tick=False):
        submission_submit(period=q1, county=zunyi.division, by=zunyi)
    with django_assert_num_queries(8):
        body = client.get(f"/reporting/periods/{q1.pk}/").content.decode()
    assert "红花岗区" not in body.split("未报送县区")[1]


def test_forwarded_count_and_dashboard_cards(db, county_user, county2_user, city_user, client):
    q1 = setup_q1(county_user, county2_user, city_user)
    from reporting.models import Submission

    submission_forward(submission=Submission.objects.get(county=county_user.division), by=city_user)
    client.force_login(city_user)
    body = client.get("/").content.decode()
    assert "当前名录报送期" in body
    client.force_login(county_user)
    assert "本县区报送状态" in client.get("/").content.decode()
    assert q1.name in client.get("/reporting/").content.decode()


def test_demo_loads_submissions_in_several_states_and_is_idempotent(demo_data):
    from reporting.models import Submission
    from reporting.selectors import periods_for_listing

    call_command("load_demo")  # again, on top of the shared load
    latest = periods_for_listing().first()
    states = dict(Submission.objects.filter(period=latest).values_list("county__name", "status"))
    assert states == {"南明区": "submitted", "云岩区": "returned"}
    assert Submission.objects.filter(status="accepted").count() == 2
