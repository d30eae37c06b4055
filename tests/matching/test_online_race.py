"""Two online applicants for a posting's last place, confirmed by two clerks at the same moment.

Real concurrency needs separate connections to a server database: PostgreSQL only (CI runs
the suite there); elsewhere the test shows as skipped. The sequential case is in
test_online_queue.py (test_filling_a_posting_closes_open_applications_and_tells_applicants).
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from matching import services
from matching.models import Application, Match, MatchState
from registry.models import Posting
from registry.public import CONSENT_VERSION
from tests.factories.core import UserFactory
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory, WorkerFactory
from tests.factories.sms import messages_to

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONES = ("13811110001", "13811110002")


@pytest.fixture(autouse=True)
def _sms_file(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")


def _accept_concurrently(pairs):
    """Each (application, clerk) presses 确认用工 from its own thread and connection, released at once."""
    barrier = threading.Barrier(len(pairs))
    confirmed, refused = [], []

    def run(application, clerk):
        try:
            barrier.wait(timeout=10)
            match = services.application_accept(application=application, by=clerk, confirm=True)
            confirmed.append((application.pk, match.state))
        except ValidationError as exc:
            refused.append((application.pk, exc.messages[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return confirmed, refused


def test_two_applicants_for_the_last_place_one_is_confirmed_the_other_told(clerk, market):
    posting = PostingFactory(market=market, headcount=2)
    make_match(posting=posting, by=clerk, state="confirmed")  # one place already taken at the counter
    other_clerk = UserFactory(role="clerk", division=market.county, market=market, username="nm_clerk_b")
    applications = []
    for n, phone in enumerate(PHONES):
        WorkerFactory(name=f"报名人{n}", mobile=phone, registered_market=market)
        applications.append(
            services.application_submit(
                posting=posting, name=f"报名人{n}", mobile=phone, id_number="", consent_version=CONSENT_VERSION
            )
        )

    confirmed, refused = _accept_concurrently(list(zip(applications, (clerk, other_clerk), strict=True)))

    assert len(confirmed) == 1 and confirmed[0][1] == MatchState.CONFIRMED
    assert len(refused) == 1
    (loser_pk, message) = refused[0]
    assert "已招满" in message, message
    assert Match.objects.filter(posting=posting, state=MatchState.CONFIRMED).count() == 2
    posting.refresh_from_db()
    assert posting.status == Posting.Status.FILLED

    winner = Application.objects.get(pk=confirmed[0][0])
    loser = Application.objects.get(pk=loser_pk)
    assert winner.state == Application.State.MATCHED and winner.match.state == MatchState.CONFIRMED
    assert loser.state == Application.State.CLOSED and loser.close_reason == "岗位已招满" and loser.match is None
    (told,) = messages_to(loser.mobile, "application_closed")
    assert told.params["reason"] == "招满"
    assert not messages_to(loser.mobile, "match_confirmed")
    assert len(messages_to(winner.mobile, "match_confirmed")) == 1
