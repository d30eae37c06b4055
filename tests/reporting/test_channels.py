"""Monitoring by channel: 线上 / 现场 per county (registrations, postings, applications), SMS per county.

Registrations, postings and applications are read from the rollup rows, like every monitoring
figure: the tests roll the days up (`rollup_days`, what the hourly task runs) before reading."""

import datetime

import pytest
import time_machine

from gigmarket.core.models import Division, SmsMessage
from matching.services import application_accept, application_submit
from registry.models import Channel
from registry.public import CONSENT_VERSION
from reporting.channels import CountyChannels, Split, channel_figures, channel_table_rows, channel_total_row
from reporting.rollups import rollup_channels, rollup_days
from tests.factories.core import division
from tests.factories.markets import MarketFactory
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory, WorkerFactory, id_number_for
from tests.factories.reporting import beijing, period

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def activity(db):
    """Q1 2023: 南明 2 online + 1 counter registrations, 1 online + 2 counter postings;
    云岩 1 counter registration, 1 online posting; 遵义 1 online registration;
    南明 1 online posting on 2023-04-01 00:10 (next quarter)."""
    nanming, yunyan, zunyi = (MarketFactory(county=division(code)) for code in ("520102", "520103", "520302"))
    birth = iter(D(1980, 1, 1) + datetime.timedelta(days=n) for n in range(20))

    def worker(market, channel, at):
        return WorkerFactory(
            registered_market=market,
            channel=channel,
            registered_at=beijing(at),
            id_number=id_number_for(1, region=market.county.code, birth=next(birth)),
        )

    worker(nanming, Channel.ONLINE, "2023-01-05 09:00")
    worker(nanming, Channel.ONLINE, "2023-03-31 23:50")
    worker(nanming, Channel.COUNTER, "2023-02-01 10:00")
    worker(yunyan, Channel.COUNTER, "2023-02-02 10:00")
    worker(zunyi, Channel.ONLINE, "2023-02-03 10:00")
    for market, channel, at in [
        (nanming, Channel.ONLINE, "2023-01-15 08:00"),
        (nanming, Channel.COUNTER, "2023-01-16 08:00"),
        (nanming, Channel.COUNTER, "2023-03-01 08:00"),
        (yunyan, Channel.ONLINE, "2023-02-20 08:00"),
        (nanming, Channel.ONLINE, "2023-04-01 00:10"),
    ]:
        created = beijing(at)
        PostingFactory(market=market, channel=channel, created_at=created, work_date=created.date())
    roll_up()
    return nanming, yunyan, zunyi


# the days with records in `activity`, and one without
ACTIVE_DAYS = [D(2023, 1, 5), D(2023, 1, 6), D(2023, 1, 15), D(2023, 1, 16), D(2023, 2, 1), D(2023, 2, 2)]
ACTIVE_DAYS += [D(2023, 2, 3), D(2023, 2, 20), D(2023, 3, 1), D(2023, 3, 31), D(2023, 4, 1)]


def roll_up():
    """The channel rows of 2022-12 .. 2023-04 in one pass (`rollup_channels`, as the generator
    and `backfill_rollups` write them; `rollup_days`, the hourly task, writes the same rows:
    test_the_range_rollup_writes_what_the_day_rollup_writes)."""
    rollup_channels(start=D(2022, 12, 1), end=D(2023, 4, 30))


def by_code(rows):
    return {row.county.code: row for row in rows}


def test_the_province_sees_each_county_split_by_channel(activity, province_user):
    q1 = period("2023-01-01")
    rows, total = channel_figures(province_user, ("province", None), q1.start, q1.end)
    counties = by_code(rows)
    assert set(counties) == {"520102", "520103", "520302"}
    nanming = counties["520102"]
    assert (nanming.registrations.online, nanming.registrations.counter) == (2, 1)
    assert (nanming.postings.online, nanming.postings.counter) == (1, 2)
    assert (counties["520103"].postings.online, counties["520103"].registrations.counter) == (1, 1)
    assert (total.registrations.online, total.registrations.counter) == (3, 2)
    assert (total.postings.online, total.postings.counter) == (2, 2)
    assert nanming.online_share == 50


def test_a_county_sees_only_itself_and_a_city_its_counties(activity, county_user, city_user):
    q1 = period("2023-01-01")
    rows, *_ = channel_figures(county_user, ("county", division("520102")), q1.start, q1.end)
    assert set(by_code(rows)) == {"520102"}
    rows, *_ = channel_figures(city_user, ("city", division("520100")), q1.start, q1.end)
    assert set(by_code(rows)) == {"520102", "520103"}


def test_the_monitoring_page_shows_the_channel_table(client, activity, province_user):
    q1 = period("2023-01-01")
    client.force_login(province_user)
    body = client.get(f"/reporting/monitoring/?period={q1.pk}").content.decode()
    assert "渠道（线上 / 现场）" in body
    row = body[body.index('data-county="520102"') :]
    assert "<td data-reg-online>2</td><td data-reg-counter>1</td>" in row
    assert "<td data-post-online>1</td><td data-post-counter>2</td>" in row


def test_applications_count_online_against_counter_talks_and_sms_per_county(activity, province_user, clerk):
    """南明, Q1 2023: two online applications (one accepted into a 洽谈), one 洽谈 opened at the
    counter; SMS: the notices those steps sent, two more to 南明, one to 遵义, one outside the quarter."""
    nanming, _yunyan, zunyi = activity
    posting = PostingFactory(market=nanming, headcount=3, work_date=D(2023, 2, 10))
    WorkerFactory(registered_market=nanming, name="线上甲", mobile="13512340001", trades=[posting.trade])
    with time_machine.travel(beijing("2023-02-01 10:00"), tick=False):
        first = application_submit(
            posting=posting, name="线上甲", mobile="13512340001", consent_version=CONSENT_VERSION
        )
        application_submit(posting=posting, name="线上乙", mobile="13512340002", consent_version=CONSENT_VERSION)
        application_accept(application=first, by=clerk)
        make_match(posting=posting, by=clerk)
    notices = SmsMessage.objects.filter(county=nanming.county).count()  # what the counter's steps sent
    assert notices >= 1
    for county, at in [
        (nanming.county, "2023-01-10 09:00"),
        (nanming.county, "2023-03-10 09:00"),
        (zunyi.county, "2023-02-10 09:00"),
        (nanming.county, "2023-04-02 09:00"),
    ]:
        message = SmsMessage.objects.create(to="13512340009", template="code", county=county)
        SmsMessage.objects.filter(pk=message.pk).update(created_at=beijing(at))

    roll_up()
    q1 = period("2023-01-01")
    rows, total = channel_figures(province_user, ("province", None), q1.start, q1.end)
    counties = by_code(rows)
    assert (counties["520102"].applications.online, counties["520102"].applications.counter) == (2, 1)
    assert (counties["520102"].sms, counties["520302"].sms, total.sms) == (notices + 2, 1, notices + 3)
    # A 市州's page counts only its own counties' messages.
    rows, total = channel_figures(province_user, ("city", division("520100")), q1.start, q1.end)
    assert total.sms == notices + 2 and "520302" not in by_code(rows)


def test_records_not_rolled_up_yet_do_not_show_until_the_rollup_runs(activity, province_user):
    nanming = activity[0]
    PostingFactory(market=nanming, channel=Channel.ONLINE, created_at=beijing("2023-02-10 08:00"))
    q1 = period("2023-01-01")
    rows, _total = channel_figures(province_user, ("province", None), q1.start, q1.end)
    assert by_code(rows)["520102"].postings.online == 1
    rollup_days(days=[D(2023, 2, 10)])  # the hourly task's rollup of that day
    rows, _total = channel_figures(province_user, ("province", None), q1.start, q1.end)
    assert by_code(rows)["520102"].postings.online == 2


def test_the_range_rollup_writes_what_the_day_rollup_writes(activity):
    """`rollup_days` (the hourly task) writes day by day the rows `rollup_channels` (the
    generator, `backfill_rollups`) wrote over the range, and running either again changes nothing."""
    from reporting.models import DailyStat, MonthlyStat, RegionMonthlyStat
    from reporting.rollups import CHANNEL_METRICS

    def rows():
        key = ("date", "county_id", "market_id", "metric", "dimension", "value")
        daily = sorted(DailyStat.objects.filter(metric__in=CHANNEL_METRICS).values_list(*key), key=repr)
        monthly = sorted(
            MonthlyStat.objects.filter(metric__in=CHANNEL_METRICS).values_list("month", *key[1:]), key=repr
        )
        regions = RegionMonthlyStat.objects.filter(metric__in=CHANNEL_METRICS)
        return daily, monthly, sorted(regions.values_list("month", "division_id", "metric", "dimension", "value"))

    by_range = rows()
    assert all(by_range) and len(by_range[0]) > len(ACTIVE_DAYS)
    DailyStat.objects.all().delete()
    rollup_days(days=ACTIVE_DAYS)
    assert rows() == by_range
    rollup_days(days=ACTIVE_DAYS)
    assert rows() == by_range
    roll_up()
    assert rows() == by_range


def test_the_channel_rows_are_the_templates_cells_escaped():
    county = Division(code="520102", name="南明<区>", level="county")
    row = CountyChannels(county=county, registrations=Split(2, 1), postings=Split(0, 0), sms=7)
    html = str(channel_table_rows([row]))
    assert html.startswith('<tr data-county="520102"><th>南明&lt;区&gt;</th><td data-reg-online>2</td>')
    assert "<td data-app-counter>0</td><td>67%</td><td data-sms>7</td></tr>" in html
    empty = CountyChannels(county=county)
    assert "<td>—</td>" in str(channel_table_rows([empty]))
    assert str(channel_total_row(row)).startswith("<tr data-total><th>合计</th><td>2</td><td>1</td>")
