"""The match list filtered by 用工日期: which matches a day shows, in which order, and (on
PostgreSQL) that the filter is the expression of the GiST index built for it."""

import datetime

import pytest
import time_machine
from django.db import connection

from matching.models import Match
from matching.selectors import on_day
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def before_the_days():
    """Matches are made while their postings are still open."""
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def match_on(market, start, end=None, name=""):
    posting = PostingFactory(market=market, work_date=start, work_date_end=end, valid_until=end or start)
    match = make_match(posting=posting)
    if name:
        match.worker.name = name
        match.worker.save(update_fields=["name"])
    return match


@pytest.fixture
def days(market):
    return {
        "that day": match_on(market, DAY, name="当天"),
        "spanning it": match_on(market, DAY - datetime.timedelta(days=2), DAY + datetime.timedelta(days=1), "跨天"),
        "ending on it": match_on(market, DAY - datetime.timedelta(days=3), DAY, "当天结束"),
        "ended before": match_on(market, DAY - datetime.timedelta(days=3), DAY - datetime.timedelta(days=1), "已结束"),
        "the day after": match_on(market, DAY + datetime.timedelta(days=1), name="次日"),
    }


def test_a_day_shows_the_matches_working_on_it_latest_start_first(days):
    found = list(on_day(Match.objects.all(), DAY))
    assert found == [days["that day"], days["spanning it"], days["ending on it"]]


def test_the_list_page_filters_by_day(client, clerk, days):
    client.force_login(clerk)
    body = client.get("/matching/matches/", {"day": DAY.isoformat()}).content.decode()
    assert all(name in body for name in ("当天", "跨天", "当天结束"))
    assert "已结束" not in body and "次日" not in body


def test_a_malformed_day_is_a_message_not_a_500(client, clerk, days):
    client.force_login(clerk)
    response = client.get("/matching/matches/", {"day": "2026-02-30"})
    assert response.status_code == 200
    assert "日期格式应为" in response.content.decode()


# The GiST index exists on PostgreSQL only (CI runs these; elsewhere they show as skipped).


@pytest.mark.postgres
def test_on_postgresql_the_filter_is_answered_by_the_days_index(days):
    sql, params = on_day(Match.objects.all(), DAY).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "matching_match_days" in plan


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_days_index_migration_goes_both_ways():
    from django.db.migrations.executor import MigrationExecutor

    def has_index():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'matching_match_days'")
            return cursor.fetchone() is not None

    assert has_index()
    MigrationExecutor(connection).migrate([("matching", "0002_match_list_indexes")])
    assert not has_index()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert has_index()
