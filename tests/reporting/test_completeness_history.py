"""Completeness and timeliness history per 市州 and county across reporting periods, by the
same rules as the period board (tests/reporting/test_board.py)."""

import time_machine

from gigmarket.core.models import Division
from reporting.selectors import completeness_history, period_board
from reporting.services import submission_return, submission_submit
from tests.factories.reporting import beijing, period


def _history_setup(county_user, county2_user, city_user):
    """Q1 2023: 南明 on time, 云岩 late. Q2 2023: 南明 on time then returned, 云岩 missing."""
    q1, q2 = period("2023-01-01"), period("2023-04-01")
    with time_machine.travel(beijing("2023-04-05 20:00"), tick=False):
        submission_submit(period=q1, county=county_user.division, by=county_user)
    with time_machine.travel(beijing("2023-04-07 09:00"), tick=False):
        submission_submit(period=q1, county=county2_user.division, by=county2_user)
    with time_machine.travel(beijing("2023-07-03 09:00"), tick=False):
        sub = submission_submit(period=q2, county=county_user.division, by=county_user)
        submission_return(submission=sub, by=city_user, reason="补充")
    return q1, q2


def test_history_agrees_with_each_periods_board(db, county_user, county2_user, city_user, province_user):
    q1, q2 = _history_setup(county_user, county2_user, city_user)
    history = completeness_history(province_user, [q1, q2])
    for i, p in enumerate((q1, q2)):
        board = period_board(p, province_user)
        line = history["total"][i]
        assert (line.expected, line.submitted, line.on_time, line.late, line.returned) == (
            board["total"].expected,
            board["total"].submitted,
            board["total"].on_time,
            board["total"].late,
            board["total"].returned,
        )
    guiyang = {d.code: lines for d, lines in history["cities"]}["520100"]
    active = Division.objects.filter(parent__code="520100", is_active=True).count()
    assert [(x.submitted, x.on_time, x.late) for x in guiyang] == [(2, 1, 1), (0, 0, 0)]
    assert guiyang[0].rate == round(200 / active) and guiyang[0].timely_rate == round(100 / active)
    states = {c.code: [s for s, _ in row] for c, row in history["counties"]}
    assert states["520102"] == ["on_time", "returned"]
    assert states["520103"] == ["late", "missing"]
    assert len(history["cities"]) == 9


def test_page_shows_chart_tables_and_drills_down(client, db, county_user, county2_user, city_user, province_user):
    _history_setup(county_user, county2_user, city_user)
    client.force_login(province_user)
    body = client.get("/reporting/periods/history/").content.decode()
    assert 'data-chart="history-chart"' in body and 'id="history-chart"' in body
    assert 'data-table="cities"' in body and '?city=520100"' in body
    assert "2023年第一季度" in body and "按时" in body and "逾期" in body
    body = client.get("/reporting/periods/history/?city=520100").content.decode()
    assert "贵阳市名录报送完整率与及时率" in body and 'data-table="cities"' not in body
    assert "遵义" not in body.split('data-table="counties"')[1]


def test_city_sees_only_its_counties_and_other_city_is_404(client, db, county_user, county2_user, city_user):
    _history_setup(county_user, county2_user, city_user)
    client.force_login(city_user)
    response = client.get("/reporting/periods/history/")
    assert response.status_code == 200
    assert "贵阳市名录报送完整率与及时率" in response.content.decode()
    assert client.get("/reporting/periods/history/?city=520300").status_code == 404


def test_query_count_does_not_grow_with_periods_or_submissions(
    client, db, county_user, county2_user, city_user, province_user, django_assert_num_queries
):
    client.force_login(province_user)
    url = "/reporting/periods/history/"
    client.get(url)
    # periods, counties and submissions, plus what every logged-in page reads (session, user, nav)
    with django_assert_num_queries(6):  # issue 19: the user menu's division and market come with the session's user
        client.get(url)
    _history_setup(county_user, county2_user, city_user)
    with django_assert_num_queries(6):
        client.get(url)
