"""The reporting calendar of notice 十三, generated from editable rules."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from reporting.calendar import period_name
from reporting.models import ReportingPeriod, ReportingRule
from reporting.services import periods_generate, rule_save
from tests.factories.reporting import beijing, period

D = datetime.date


def dues():
    return {p.name: p.due_date for p in ReportingPeriod.objects.all()}


def test_migration_installs_the_notice_calendar(db):
    due = dues()
    assert due["2022年第四季度"] == D(2022, 12, 25)
    assert due["2023年第一季度"] == D(2023, 4, 5)
    assert due["2023年第二季度"] == D(2023, 7, 5)
    assert due["2023年下半年"] == D(2024, 1, 5)
    assert due["2024年上半年"] == D(2024, 7, 5)
    assert due["2024年下半年"] == D(2025, 1, 5)


def test_reporting_switches_to_half_yearly_from_july_2023(db):
    names = set(dues())
    assert "2023年第三季度" not in names
    assert "2023年第四季度" not in names
    spans = sorted((p.start, p.end) for p in ReportingPeriod.objects.filter(start__gte=D(2023, 7, 1)))
    assert spans[0] == (D(2023, 7, 1), D(2023, 12, 31))
    assert all((end - start).days in (180, 181, 182, 183, 184) for start, end in spans)
    # consecutive, no gaps or overlaps
    assert all(a[1] + datetime.timedelta(days=1) == b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_periods_keep_generating_into_the_future_and_generation_is_idempotent(db):
    with time_machine.travel(beijing("2031-03-01 09:00"), tick=False):
        created = periods_generate()
        assert created > 0
        assert ReportingPeriod.objects.filter(name="2031年下半年", due_date=D(2032, 1, 5)).exists()
        assert periods_generate() == 0
    assert ReportingPeriod.objects.filter(name="2031年上半年").count() == 1


def test_deadline_is_the_end_of_the_due_day_in_beijing(db):
    q1 = period("2023-01-01")
    assert q1.deadline == beijing("2023-04-06 00:00")
    assert beijing("2023-04-05 23:59:59") < q1.deadline
    # 16:00 UTC on the due day is already the next day in Beijing
    assert datetime.datetime(2023, 4, 5, 16, 0, tzinfo=datetime.UTC) >= q1.deadline


def test_province_changes_the_offset_and_only_future_periods_move(db, province_user):
    rule = ReportingRule.objects.get(cadence=ReportingRule.Cadence.HALF_YEARLY)
    with time_machine.travel(beijing("2025-03-01 09:00"), tick=False):
        rule_save(rule=rule, data={"due_offset_days": 10}, by=province_user)
    assert period("2024-07-01").due_date == D(2025, 1, 5)  # already due: history does not move
    assert period("2025-01-01").due_date == D(2025, 7, 10)
    assert period("2025-07-01").due_date == D(2026, 1, 10)


@pytest.mark.parametrize("who", ["auditor", "county_user", "city_user"])
def test_only_province_staff_may_change_rules(db, request, who):
    user = request.getfixturevalue(who)
    rule = ReportingRule.objects.get(cadence=ReportingRule.Cadence.HALF_YEARLY)
    with pytest.raises(PermissionDenied):
        rule_save(rule=rule, data={"due_offset_days": 10}, by=user)
    rule.refresh_from_db()
    assert rule.due_offset_days == 5


def test_period_names():
    assert period_name(D(2023, 1, 1), D(2023, 3, 31)) == "2023年第一季度"
    assert period_name(D(2023, 10, 1), D(2023, 12, 31)) == "2023年第四季度"
    assert period_name(D(2024, 1, 1), D(2024, 6, 30)) == "2024年上半年"
    assert period_name(D(2023, 7, 1), D(2023, 12, 31)) == "2023年下半年"
    assert period_name(D(2023, 2, 1), D(2023, 3, 15)) == "2023年02月01日至2023年03月15日"


def test_rule_page_edits_and_regenerates(client, province_user):
    rule = ReportingRule.objects.get(cadence=ReportingRule.Cadence.HALF_YEARLY)
    client.force_login(province_user)
    assert "2023年7月起每半年报送" in client.get("/reporting/rules/").content.decode()
    with time_machine.travel(beijing("2025-03-01 09:00"), tick=False):
        response = client.post(
            f"/reporting/rules/{rule.pk}/",
            {
                "name": rule.name,
                "cadence": rule.cadence,
                "effective_from": "2023-07-01",
                "effective_until": "",
                "due_offset_days": "7",
                "fixed_due_date": "",
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    assert period("2025-01-01").due_date == D(2025, 7, 7)


def test_bad_rule_input_is_refused_in_chinese(client, province_user):
    client.force_login(province_user)
    response = client.post(
        "/reporting/rules/new/",
        {"name": "一次性", "cadence": "once", "effective_from": "2030-01-01", "due_offset_days": "5"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "一次性报送必须填写指定截止日" in body
    assert not ReportingRule.objects.filter(name="一次性").exists()


def test_county_cannot_open_rules(client, county_user):
    client.force_login(county_user)
    assert client.get("/reporting/rules/").status_code == 403


def test_current_period_moves_on_at_midnight_beijing_not_utc(db):
    from reporting.selectors import current_period

    # 2023-04-05 23:30 Beijing is still the due day of 2023年第一季度 (15:30 UTC)
    with time_machine.travel(datetime.datetime(2023, 4, 5, 15, 30, tzinfo=datetime.UTC), tick=False):
        assert current_period().name == "2023年第一季度"
    # 00:30 Beijing on 04-06 is still 04-05 in UTC, but the period has moved on
    with time_machine.travel(datetime.datetime(2023, 4, 5, 16, 30, tzinfo=datetime.UTC), tick=False):
        assert current_period().name == "2023年第二季度"
