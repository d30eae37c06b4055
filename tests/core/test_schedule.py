"""Scheduled housekeeping: one beat schedule, named in docs/celery.md, of real, idempotent tasks."""

import datetime
import re
from pathlib import Path

import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from gigmarket.celery import app
from gigmarket.core import schedule as core_schedule
from gigmarket.core.models import AuditEvent
from gigmarket.core.plugins import BEAT_SCHEDULE
from matching import schedule as matching_schedule
from registry import schedule as registry_schedule
from registry.models import Posting
from reporting import schedule as reporting_schedule
from tests.factories.registry import PostingFactory

BASE_DIR = Path(settings.BASE_DIR)
DOC = (BASE_DIR / "docs" / "celery.md").read_text()


def documented_entries():
    """{entry: task} from the schedule table of docs/celery.md."""
    rows = re.findall(r"^\| ([a-z0-9-]+) \| `([\w.]+)` \|", DOC, flags=re.MULTILINE)
    return dict(rows)


def documented_commands():
    return re.findall(r"^\s+python manage.py (\w+)", DOC, flags=re.MULTILINE)


def task(name):
    app.loader.import_default_modules()
    return app.tasks[name]


def _plain(name):
    return name.replace("_", "")


def test_the_docs_table_and_the_beat_schedule_name_the_same_jobs():
    assert app.conf.beat_schedule is BEAT_SCHEDULE
    assert documented_entries() == {name: entry["task"] for name, entry in BEAT_SCHEDULE.items()}
    assert "registry-expire-postings" in BEAT_SCHEDULE and "gigmarket-clear-sessions" in BEAT_SCHEDULE


def test_each_app_brings_its_own_beat_entries():
    """The entries come from the apps' own schedule modules, registered from their AppConfig.ready()."""
    merged = {
        **core_schedule.BEAT_SCHEDULE,
        **registry_schedule.BEAT_SCHEDULE,
        **matching_schedule.BEAT_SCHEDULE,
        **reporting_schedule.BEAT_SCHEDULE,
    }
    assert merged == BEAT_SCHEDULE
    assert {name.split("-", 1)[0] for name in BEAT_SCHEDULE} == {
        "gigmarket",
        "sms",
        "registry",
        "matching",
        "reporting",
    }


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    missing = [entry["task"] for entry in BEAT_SCHEDULE.values() if entry["task"] not in app.tasks]
    assert not missing


def test_every_command_the_docs_say_beat_runs_has_a_scheduled_task():
    scheduled = {_plain(entry["task"].rsplit(".", 1)[1]) for entry in BEAT_SCHEDULE.values()}
    commands = documented_commands()
    assert {"expire_postings", "clearsessions", "refresh_tiers"} <= set(commands)
    assert [c for c in commands if _plain(c) not in scheduled] == []


def test_every_management_command_that_mentions_beat_is_scheduled():
    scheduled = {_plain(entry["task"].rsplit(".", 1)[1]) for entry in BEAT_SCHEDULE.values()}
    claims = []
    for path in BASE_DIR.glob("*/management/commands/*.py"):
        text = path.read_text()
        if re.search(r"\bbeat\b", text, flags=re.IGNORECASE):
            claims.append(path.stem)
    assert "expire_postings" in claims
    assert [c for c in claims if _plain(c) not in scheduled] == []


def test_expire_postings_task_expires_each_due_posting_once(db, market):
    today = timezone.localdate()
    due = PostingFactory(market=market, work_date=today - datetime.timedelta(days=2))
    current = PostingFactory(market=market, work_date=today)
    expire = task("registry.tasks.expire_postings")
    assert expire.apply().get() == 1
    assert expire.apply().get() == 0  # a second run (or a second beat) changes nothing
    due.refresh_from_db()
    current.refresh_from_db()
    assert (due.status, current.status) == (Posting.Status.EXPIRED, Posting.Status.OPEN)
    assert AuditEvent.objects.filter(target_type="registry.posting", target_id=str(due.pk)).count() == 1


def test_clear_sessions_task_deletes_only_expired_sessions(db):
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2)):
        old = SessionStore()
        old["x"] = 1
        old.create()
    fresh = SessionStore()
    fresh["x"] = 2
    fresh.create()
    clear = task("gigmarket.core.tasks.clear_sessions")
    assert clear.apply().get() == 1
    assert clear.apply().get() == 0
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]
