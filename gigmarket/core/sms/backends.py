"""SMS backends: one class per way of sending, chosen by `settings.SMS_BACKEND`
(`services.get_backend`; the two provider backends are in `providers.py`, which builds on
the message and error defined here).

A backend's `send(message)` sends one `Outgoing` and returns the provider's message id,
or raises `SmsSendError` (`retryable=False` when trying again cannot help: a refused
number, a template the provider does not know, wrong keys).
"""

import datetime
import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from ..pii import mask_phone

log = logging.getLogger("gigmarket.core.sms")


@dataclass(frozen=True)
class Outgoing:
    phone: str  # 11-digit mainland mobile
    template: object  # templates.SmsTemplate
    params: dict  # name -> str
    text: str  # the rendered message with its 【签名】

    @property
    def key(self):
        return self.template.key


class SmsSendError(Exception):
    def __init__(self, message, *, retryable=True):
        super().__init__(message)
        self.retryable = retryable


class ConsoleBackend:
    """Writes each message to `settings.SMS_LOG_FILE` (one line, phone masked) and the log.

    Nothing leaves the machine: the default, so `make run` shows codes in var/sms.log."""

    name = "console"

    def send(self, message):
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        line = f"{stamp} {mask_phone(message.phone)} {message.text}"
        log.info("sms (console): %s", line)
        path = settings.SMS_LOG_FILE
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        return f"console-{datetime.datetime.now().timestamp():.6f}"


def template_code(key):
    """The provider's template code for a portal template key (SMS_TEMPLATE_CODES)."""
    code = settings.SMS_TEMPLATE_CODES.get(key)
    if not code:
        raise SmsSendError(f"SMS_TEMPLATE_CODES 未配置模板 {key}", retryable=False)
    return code
