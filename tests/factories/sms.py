"""Reading the SMS outbox in tests (the console backend's rows; codes are in their parameters)."""

from gigmarket.core.models import SmsMessage


def messages_to(phone, template=None):
    qs = SmsMessage.objects.filter(SmsMessage.to.matches(phone))
    if template:
        qs = qs.filter(template=template)
    return list(qs.order_by("created_at", "id"))


def last_code(phone):
    """The verification code last sent to `phone` (as the worker reads it on the phone)."""
    return messages_to(phone, "code")[-1].params["code"]
