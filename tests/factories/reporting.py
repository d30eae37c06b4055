import datetime

import factory

from reporting.models import Notification, ReportingPeriod

from .core import UserFactory


def period(start):
    """A period installed by the calendar migration, by its start date ('2023-01-01')."""
    return ReportingPeriod.objects.get(start=datetime.date.fromisoformat(start))


def beijing(text):
    """An aware datetime from Beijing wall-clock text: beijing('2023-04-05 23:59')."""
    from reporting.models import BEIJING

    return datetime.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = Notification.Kind.REMINDER
    title = factory.Sequence(lambda n: f"测试通知{n}")
    body = "请按时报送。"
    link = "/reporting/"
