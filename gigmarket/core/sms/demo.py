"""Demo outbox entries (`manage.py load_demo`): sent, failed, held for the morning, withheld."""

import datetime

from django.utils import timezone

from ..models import Division, SmsMessage
from .services import sms_enqueue

DEMO_MARK = "demo"


def load():
    if SmsMessage.objects.filter(related_type=DEMO_MARK).exists():
        return
    nanming = Division.objects.get(code="520102")
    yunyan = Division.objects.get(code="520103")
    now = timezone.now()
    S = SmsMessage.State
    entries = [
        (
            "13908510001",
            "application_received",
            {"market": "南明区零工市场", "date": "今天", "trade": "搬运工", "hotline": "0851-85550101"},
            nanming,
            {"state": S.SENT, "attempts": 1, "sent_at": now, "backend": "console"},
        ),
        (
            "13908510002",
            "match_confirmed",
            {
                "trade": "保洁",
                "date": "明天",
                "time": "08:00",
                "place": "南明区花果园",
                "contact": "13908519999",
                "market": "南明区零工市场",
                "hotline": "0851-85550101",
            },
            nanming,
            {
                "state": S.FAILED,
                "attempts": 5,
                "backend": "aliyun",
                "last_error": "阿里云 isv.BUSINESS_LIMIT_CONTROL: 触发小时级流控",
            },
        ),
        (
            "13908510003",
            "need_published",
            {"trade": "水电工", "market": "云岩区零工市场"},
            yunyan,
            {"state": S.PENDING, "not_before": now + datetime.timedelta(hours=8)},
        ),
        (
            "13908510004",
            "application_closed",
            {"market": "南明区零工市场", "date": "今天", "trade": "装卸工", "reason": "招满"},
            nanming,
            {"state": S.OPTED_OUT},
        ),
    ]
    for phone, template, params, county, fields in entries:
        message = sms_enqueue(to=phone, template=template, params=params, county=county)
        SmsMessage.objects.filter(pk=message.pk).update(related_type=DEMO_MARK, **fields)
