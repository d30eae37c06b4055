"""Writes of the SMS component: enqueue, dispatch (exactly once), opt-out, purge."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..audit import audit_record
from ..contact import MOBILE, normalize_phone
from ..models import AuditEvent, SmsCode, SmsMessage, SmsOptOut
from ..pii_fields import hash_filter
from .backends import ConsoleBackend, Outgoing, SmsSendError
from .providers import AliyunBackend, TencentBackend
from .quiet import quiet_until
from .templates import TEMPLATES

log = logging.getLogger("gigmarket.core.sms")

# A message left 发送中 longer than this (a worker died mid-send) is marked 发送失败 with
# "结果未知" instead of being sent again: the provider may already have delivered it.
STALE_SENDING = datetime.timedelta(minutes=10)
ERROR_LENGTH = 300


def normalize_mobile(phone):
    """The 11-digit mobile, or ValidationError with a Chinese message."""
    return normalize_phone(phone, kinds={MOBILE}, label="手机号码")


def is_opted_out(phone):
    return SmsOptOut.objects.filter(hash_filter("phone_hash", phone)).exists()


def sms_enqueue(*, to, template, params, county=None, related=None):
    """Write one outbox row in the caller's transaction; Celery sends it after the commit.

    `to`: a mainland mobile (ValidationError otherwise); `template`: a key of TEMPLATES;
    `params`: its parameters (values turned to text); `county`: the Division counted for
    (monitoring, staff scope); `related`: the model instance the message is about.
    A message other than a code is held until SMS_QUIET_END o'clock when enqueued in the
    quiet hours, and not sent at all (state 已退订未发送) to a phone that replied TD.
    """
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ValueError(f"unknown SMS template {template!r}")
    missing = [name for name in spec.params if params.get(name) in (None, "")]
    if missing:
        raise ValueError(f"SMS template {template!r} needs {', '.join(missing)}")
    phone = normalize_mobile(to)
    now = timezone.now()
    message = SmsMessage(to=phone, template=template, county=county, not_before=now)
    message.params = {name: str(params[name]) for name in spec.params}
    if related is not None:
        message.related_type = related._meta.label_lower
        message.related_id = str(related.pk)
    if not spec.is_code:
        if is_opted_out(phone):
            message.state = SmsMessage.State.OPTED_OUT
        else:
            message.not_before = quiet_until(now) or now
    with transaction.atomic():
        message.full_clean()
        message.save()
        if message.state == SmsMessage.State.PENDING:
            pk, eta = message.pk, message.not_before
            transaction.on_commit(lambda: _schedule(pk, eta))
    return message


def _schedule(pk, eta):
    """Hand the message to Celery; if the broker is down, the sweep (every minute) sends it."""
    from .tasks import send_sms  # noqa: PLC0415 - cycle: tasks.py imports these services

    try:
        if eta > timezone.now():
            # Quiet hours or a retry: the beat sweep picks it up when due (no long ETAs in
            # the broker, whose visibility timeout would redeliver them).
            return
        send_sms.delay(pk)
    except Exception:
        log.exception("sms: could not enqueue message %s; the sweep will send it", pk)


BACKENDS = {backend.name: backend for backend in (ConsoleBackend, AliyunBackend, TencentBackend)}


def get_backend(name=None):
    """A backend instance: `name`, or the one `settings.SMS_BACKEND` names."""
    name = name or settings.SMS_BACKEND
    if name not in BACKENDS:
        raise ValueError(f"unknown SMS backend {name!r}")
    return BACKENDS[name]()


def _claim(pk, now):
    """Take the message for sending: one conditional UPDATE, so of two dispatchers that
    both see it pending exactly one gets it. Returns True for the winner."""
    return bool(
        SmsMessage.objects.filter(pk=pk, state=SmsMessage.State.PENDING, not_before__lte=now).update(
            state=SmsMessage.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def retry_delay(attempts):
    """The wait before try `attempts + 1`: SMS_RETRY_BASE_SECONDS × 2^(attempts − 1)."""
    return datetime.timedelta(seconds=settings.SMS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def sms_dispatch(*, pk, now=None, backend=None):
    """Send one message if it is due and nobody else has claimed it.

    Returns the message's new state, or None when this call did not send it (not due,
    already claimed, sent, failed). Safe to run any number of times, concurrently.
    """
    now = now or timezone.now()
    try:
        message = SmsMessage.objects.get(pk=pk)
    except SmsMessage.DoesNotExist:
        return None
    spec = TEMPLATES.get(message.template)
    if message.state != SmsMessage.State.PENDING or message.not_before > now:
        return None
    if spec is not None and not spec.is_code:
        # Still in the quiet hours (a retry that fell due at night): wait for the morning.
        morning = quiet_until(now)
        if morning is not None:
            SmsMessage.objects.filter(pk=pk, state=SmsMessage.State.PENDING).update(not_before=morning)
            return None
    if not _claim(pk, now):
        return None
    message.refresh_from_db()
    backend = backend or get_backend()
    try:
        if spec is None:
            raise SmsSendError(f"未知短信模板 {message.template}", retryable=False)
        if not spec.is_code and is_opted_out(message.to):
            _finish(message, state=SmsMessage.State.OPTED_OUT, backend=backend.name)
            return SmsMessage.State.OPTED_OUT
        params = message.params
        provider_id = backend.send(Outgoing(phone=message.to, template=spec, params=params, text=spec.render(params)))
    except SmsSendError as exc:
        return _failed(message, error=str(exc), retryable=exc.retryable, now=now, backend=backend.name)
    except Exception as exc:  # a bug or an unexpected SDK error: keep it and retry
        log.exception("sms: message %s raised while sending", pk)
        return _failed(message, error=f"{type(exc).__name__}: {exc}", retryable=True, now=now, backend=backend.name)
    _finish(
        message,
        state=SmsMessage.State.SENT,
        backend=backend.name,
        sent_at=timezone.now(),
        provider_message_id=str(provider_id or "")[:100],
        last_error="",
    )
    return SmsMessage.State.SENT


def _finish(message, *, state, **fields):
    SmsMessage.objects.filter(pk=message.pk, state=SmsMessage.State.SENDING).update(state=state, **fields)


def _failed(message, *, error, retryable, now, backend):
    error = error[:ERROR_LENGTH]
    if retryable and message.attempts < settings.SMS_MAX_ATTEMPTS:
        log.warning("sms: message %s try %s failed (%s); retrying", message.pk, message.attempts, error)
        _finish(
            message,
            state=SmsMessage.State.PENDING,
            backend=backend,
            last_error=error,
            not_before=now + retry_delay(message.attempts),
        )
        return SmsMessage.State.PENDING
    log.error("sms: message %s failed after %s tries: %s", message.pk, message.attempts, error)
    _finish(message, state=SmsMessage.State.FAILED, backend=backend, last_error=error)
    return SmsMessage.State.FAILED


def sms_dispatch_due(*, now=None, limit=500):
    """Send every due pending message (the beat sweep); mark stale 发送中 rows failed.

    Returns {state: count} of what this call did."""
    now = now or timezone.now()
    stale = SmsMessage.objects.filter(state=SmsMessage.State.SENDING, claimed_at__lt=now - STALE_SENDING).update(
        state=SmsMessage.State.FAILED, last_error="发送过程中断，结果未知，未重发"
    )
    done = {"stale": stale} if stale else {}
    due = SmsMessage.objects.filter(state=SmsMessage.State.PENDING, not_before__lte=now).order_by("not_before", "pk")
    backend = get_backend()
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        state = sms_dispatch(pk=pk, now=now, backend=backend)
        if state:
            done[state] = done.get(state, 0) + 1
    return done


def sms_opt_out_record(*, phone, source, by=None):
    """Record that `phone` replied TD (or asked staff): its pending notices are not sent.

    Returns the SmsOptOut (the existing one if already recorded)."""
    phone = normalize_mobile(phone)
    existing = SmsOptOut.objects.filter(hash_filter("phone_hash", phone)).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            optout = SmsOptOut(phone=phone, source=source, recorded_by=by if getattr(by, "pk", None) else None)
            optout.full_clean(validate_constraints=False)
            optout.save()
            withheld = (
                SmsMessage.objects.filter(hash_filter("to_hash", phone), state=SmsMessage.State.PENDING)
                .exclude(template__in=[key for key, spec in TEMPLATES.items() if spec.is_code])
                .update(state=SmsMessage.State.OPTED_OUT)
            )
            audit_record(
                actor=by,
                action=AuditEvent.Action.CREATE,
                target=optout,
                target_repr="短信退订",
                changes={"source": optout.source, "sms_withheld": withheld},
            )
    except IntegrityError:  # recorded meanwhile by another request
        return SmsOptOut.objects.get(hash_filter("phone_hash", phone))
    return optout


def sms_resend(*, message, by):
    """Staff put a failed notice back in the outbox: sent again by the sweep (tries counted
    anew; the quiet hours still apply). A code is never resent: its owner asks for a new one."""
    spec = TEMPLATES.get(message.template)
    if spec is None or spec.is_code:
        raise ValidationError("验证码短信不重发，请本人重新获取验证码。")
    now = timezone.now()
    with transaction.atomic():
        done = SmsMessage.objects.filter(pk=message.pk, state=SmsMessage.State.FAILED).update(
            state=SmsMessage.State.PENDING, attempts=0, not_before=quiet_until(now) or now, claimed_at=None
        )
        if not done:
            raise ValidationError("只有发送失败的短信可以重发。")
        message.refresh_from_db()
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=message,
            changes={"state": [SmsMessage.State.FAILED, SmsMessage.State.PENDING]},
        )
        if message.not_before <= now:
            pk = message.pk
            transaction.on_commit(lambda: _schedule(pk, now))
    return message


def sms_purge(*, now=None, days=None):
    """Delete outbox rows and codes older than SMS_RETENTION_DAYS (`days`). Returns the counts."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days or settings.SMS_RETENTION_DAYS)
    with transaction.atomic():
        codes, _ = SmsCode.objects.filter(created_at__lt=cutoff).delete()
        # Whatever its state but 发送中 (a send in flight): a message that old is no news.
        messages, _ = SmsMessage.objects.filter(created_at__lt=cutoff).exclude(state=SmsMessage.State.SENDING).delete()
    return {"messages": messages, "codes": codes}
