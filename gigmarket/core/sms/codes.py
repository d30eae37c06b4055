"""Verification codes sent by SMS: 6 digits, 5 minutes, one use, void after 5 wrong tries.

    code_send(phone=..., purpose="apply", ip=request_ip)     # raises CodeError
    code_verify(phone=..., purpose="apply", code=typed_code)  # raises CodeError

Sending is limited per phone and per IP in the cache; when the cache is down sending
refuses (fails closed) with a Chinese message, never a 500. The phone is kept as its
keyed hash and the code as a salted HMAC; the text sent sits encrypted in the outbox.

Call `code_verify` outside a transaction that may roll back afterwards, or a wrong try
would be uncounted (the view verifies, then calls its service).
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..models import SmsCode
from ..pii_fields import hash_filter, hash_value
from . import ratelimit
from .services import normalize_mobile, sms_enqueue
from .templates import CODE_TEMPLATE

PURPOSES = tuple(SmsCode.Purpose.values)
UNAVAILABLE = "短信验证码服务暂时不可用，请稍后再试或到窗口办理。"


class CodeError(Exception):
    """A Chinese message for the person at the phone (the view shows it on the form)."""

    def __init__(self, message, *, wait_seconds=None):
        super().__init__(message)
        self.message = message
        self.wait_seconds = wait_seconds

    def __str__(self):
        return self.message


def _phone(phone):
    try:
        return normalize_mobile(phone)
    except ValidationError as exc:
        raise CodeError(exc.messages[0]) from exc


def _purpose(purpose):
    if purpose not in PURPOSES:
        raise ValueError(f"unknown code purpose {purpose!r}")
    return purpose


def _digest(salt, code):
    return salted_hmac("gigmarket.sms.code", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _check_limits(phone_key, ip):
    """Raise CodeError when a limit is reached (or the cache is down)."""
    s = settings
    ip_key = hashlib.sha256(f"{settings.SECRET_KEY}:{ip or '-'}".encode()).hexdigest()[:32]
    try:
        ratelimit.window(f"sms:ip:{ip_key}", s.SMS_CODE_IP_PER_HOUR, 3600)
        ratelimit.window(f"sms:ip:{ip_key}", s.SMS_CODE_IP_PER_DAY, 86400)
        ratelimit.cooldown(f"sms:phone:{phone_key}:gap", s.SMS_CODE_PHONE_INTERVAL_SECONDS)
        try:
            ratelimit.window(f"sms:phone:{phone_key}", s.SMS_CODE_PHONE_PER_HOUR, 3600)
            ratelimit.window(f"sms:phone:{phone_key}", s.SMS_CODE_PHONE_PER_DAY, 86400)
        except ratelimit.Limited:
            ratelimit.release(f"sms:phone:{phone_key}:gap")
            raise
    except ratelimit.CacheDown as exc:
        raise CodeError(UNAVAILABLE) from exc
    except ratelimit.Limited as exc:
        raise CodeError(
            f"获取验证码过于频繁，请{ratelimit.wait_text(exc.wait_seconds)}后再试。", wait_seconds=exc.wait_seconds
        ) from exc


def code_send(*, phone, purpose, ip):
    """Send a new code to `phone` for `purpose` (an earlier unused one is void).

    Returns the SmsCode row (its SmsMessage is `.message`). Raises CodeError with a Chinese
    message: a bad number, a limit reached (with the wait), the cache down."""
    phone = _phone(phone)
    purpose = _purpose(purpose)
    phone_hash = hash_value(phone)
    _check_limits(phone_hash[:32], ip)
    now = timezone.now()
    code = "".join(secrets.choice("0123456789") for _ in range(settings.SMS_CODE_DIGITS))
    salt = secrets.token_hex(16)
    minutes = max(1, settings.SMS_CODE_TTL_SECONDS // 60)
    with transaction.atomic():
        SmsCode.objects.filter(
            hash_filter("phone_hash", phone), purpose=purpose, used_at__isnull=True, voided_at__isnull=True
        ).update(voided_at=now)
        message = sms_enqueue(
            to=phone,
            template=CODE_TEMPLATE,
            params={"code": code, "minutes": minutes, "purpose": SmsCode.Purpose(purpose).label},
        )
        row = SmsCode(
            phone_hash=phone_hash,
            purpose=purpose,
            salt=salt,
            code_hash=_digest(salt, code),
            expires_at=now + timezone.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
            message=message,
        )
        row.save()
    return row


def code_verify(*, phone, purpose, code):
    """Use the code sent to `phone` for `purpose`. Returns the SmsCode; raises CodeError."""
    phone = _phone(phone)
    purpose = _purpose(purpose)
    typed = "".join(str(code or "").split())
    if not (typed.isascii() and typed.isdigit() and len(typed) == settings.SMS_CODE_DIGITS):
        raise CodeError(f"请填写收到的{settings.SMS_CODE_DIGITS}位数字验证码。")
    now = timezone.now()
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(hash_filter("phone_hash", phone), purpose=purpose)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            raise CodeError("请先获取短信验证码。")
        if row.used_at is not None:
            raise CodeError("验证码已使用，请重新获取。")
        if row.voided_at is not None:
            if row.wrong_tries >= settings.SMS_CODE_MAX_TRIES:
                raise CodeError("验证码输错次数过多，已失效，请重新获取。")
            raise CodeError("验证码已失效，请重新获取。")
        if row.expires_at <= now:
            raise CodeError("验证码已过期，请重新获取。")
        if not hmac.compare_digest(row.code_hash, _digest(row.salt, typed)):
            tries = row.wrong_tries + 1
            fields = {"wrong_tries": F("wrong_tries") + 1}
            if tries >= settings.SMS_CODE_MAX_TRIES:
                fields["voided_at"] = now
            SmsCode.objects.filter(pk=row.pk).update(**fields)
            left = settings.SMS_CODE_MAX_TRIES - tries
            if left <= 0:
                error = CodeError("验证码输错次数过多，已失效，请重新获取。")
            else:
                error = CodeError(f"验证码不正确，还可再试{left}次。")
        else:
            SmsCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
            row.used_at = now
            return row
    raise error
