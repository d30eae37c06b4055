"""Demo reporting data. Idempotent: each step runs only if its submission is not there yet.

The reporting calendar is generated; for the latest finished period 南明区 and 云岩区
are accepted; for the current period 南明区 has submitted (waiting for 贵阳市) and
云岩区 was returned by 贵阳市 with a reason. Monitoring rollups cover the last 60 days.
"""

import datetime

from gigmarket.core.models import Division, User

from .calendar import beijing_today
from .models import ReportingPeriod, Submission
from .rollups import rollup_day
from .services import (
    periods_generate,
    submission_accept,
    submission_forward,
    submission_return,
    submission_submit,
)


def _user(username):
    return User.objects.get(username=username)


def load():
    periods_generate()
    today = beijing_today()
    started = ReportingPeriod.objects.filter(start__lte=today).order_by("-start")
    current, previous = started[0], started[1]
    nanming = Division.objects.get(code="520102")
    yunyan = Division.objects.get(code="520103")
    county, county2 = _user("demo_county"), _user("demo_county2")
    city, province = _user("demo_city"), _user("demo_province")

    for who, division, offset in ((county, nanming, -2), (county2, yunyan, 1)):
        if not Submission.objects.filter(period=previous, county=division).exists():
            when = datetime.datetime.combine(
                previous.due_date + datetime.timedelta(days=offset), datetime.time(10), tzinfo=datetime.UTC
            )
            sub = submission_submit(period=previous, county=division, by=who, now=when)
            submission_forward(submission=sub, by=city)
            submission_accept(submission=sub, by=province)

    if not Submission.objects.filter(period=current, county=nanming).exists():
        submission_submit(period=current, county=nanming, by=county)
    if not Submission.objects.filter(period=current, county=yunyan).exists():
        sub = submission_submit(period=current, county=yunyan, by=county2)
        submission_return(submission=sub, by=city, reason="云岩区零工市场运行时间未填写，请补充后重新报送。")

    # monitoring rollups for the last 60 days (recomputed, so running again changes nothing)
    for offset in range(60):
        rollup_day(day=today - datetime.timedelta(days=offset))
