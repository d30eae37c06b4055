"""Writes for 整改 (rectification) records: open, update, evidence, close, auto-close.

A record is opened only for an item of the provincial standard (`standards.check_market`)
that the market misses now, at most one open record per market and item. Each write is
one transaction with its audit row (`audited_update`). `rectifications_close_met` runs
inside every market write (`services.market_update`): an item that passes now closes its
open record (整改项已达标) in the same transaction. Evidence photos are checked by
`gigmarket.core.uploads.check_image_upload` and kept on the default storage under a name
the portal makes (never the uploader's), served only by the scoped view.
"""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from gigmarket.core.audit import audited_update
from gigmarket.core.models import AuditEvent
from gigmarket.core.uploads import check_image_upload

from .models import Market, Rectification, RectificationEvidence
from .standards import ITEMS_BY_KEY, check_market

log = logging.getLogger(__name__)

# What a user types on the open and update forms, and what each audit row records.
EDITABLE_FIELDS = ("deadline", "responsible_person", "responsible_phone", "note")
CLOSE_FIELDS = ("status", "close_reason", "close_note", "closed_at", "closed_by")
MET_NOTE = "整改项已达标"


def _fresh_check(market):
    """The standard check of `market` as it is in the database now (its hours and trades re-read)."""
    fresh = Market.objects.select_related("county__parent").prefetch_related("trades", "opening_periods")
    return check_market(fresh.get(pk=market.pk))


def _check_deadline(deadline, *, today=None):
    if deadline < (today or timezone.localdate()):
        raise ValidationError({"deadline": "整改期限不能早于今天。"})


def _require_open(rectification):
    if not rectification.is_open:
        raise ValidationError("该整改记录已关闭，不能再修改。")


@transaction.atomic
def rectification_open(*, market, item, data, by):
    """Open a 整改 for `item` (a standard item key) that `market` misses now.

    `data` holds EDITABLE_FIELDS. Refused in Chinese (nothing written) for an item the market
    meets or that does not apply to it, an item with an open record, a past deadline.
    """
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    market = Market.objects.select_for_update(of=("self",)).get(pk=market.pk)
    if market.status == Market.Status.CLOSED:
        raise ValidationError("该零工市场已撤销，不能发起整改。")
    results = {result.key: result for result in _fresh_check(market).items}
    if item not in results:
        label = ITEMS_BY_KEY[item].label if item in ITEMS_BY_KEY else item
        raise ValidationError({"item": f"“{label}”不适用于该零工市场，无需整改。"})
    if results[item].met:
        raise ValidationError({"item": f"“{results[item].label}”已达标，无需整改。"})
    _check_deadline(data["deadline"])
    record = Rectification(market=market, item=item, opened_by=by if getattr(by, "pk", None) else None)
    try:
        with transaction.atomic():
            audited_update(record, data=dict(data), by=by, fields=("item", *EDITABLE_FIELDS, "status"))
    except IntegrityError as exc:
        # Two people opening the same item at once: the constraint refuses the second.
        raise ValidationError("该项目已有进行中的整改记录，请在原记录中跟进。") from exc
    return record


@transaction.atomic
def rectification_update(*, rectification, data, by):
    """Change an open record's deadline, responsible person, phone or note (EDITABLE_FIELDS)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    data = dict(data)
    old_deadline, status = Rectification.objects.values_list("deadline", "status").get(pk=rectification.pk)
    if status != Rectification.Status.OPEN:
        raise ValidationError("该整改记录已关闭，不能再修改。")
    if "deadline" in data and data["deadline"] != old_deadline:
        _check_deadline(data["deadline"])
        data["overdue_notified_at"] = None  # a new deadline: overdue again later is notified again
    return audited_update(rectification, data=data, by=by, fields=EDITABLE_FIELDS, check=_require_open)


def _close(rectification, *, reason, note, by, now=None):
    data = {
        "status": Rectification.Status.CLOSED,
        "close_reason": reason,
        "close_note": note,
        "closed_at": now or timezone.now(),
        "closed_by": by if getattr(by, "pk", None) else None,
    }
    return audited_update(
        rectification, data=data, by=by, action=AuditEvent.Action.TRANSITION, fields=CLOSE_FIELDS, check=_require_open
    )


@transaction.atomic
def rectification_close(*, rectification, note, by):
    """Close an open record by hand, with the reason typed by the user."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写关闭原因。"})
    return _close(rectification, reason=Rectification.CloseReason.MANUAL, note=note, by=by)


def rectifications_close_met(*, market, by):
    """Close every open record of `market` whose item the market meets now (整改项已达标).

    Called inside the market write's transaction, after the market is saved. Returns the
    records closed."""
    open_records = list(Rectification.objects.filter(market=market, status=Rectification.Status.OPEN))
    if not open_records:
        return []
    met = {result.key for result in _fresh_check(market).items if result.met}
    return [
        _close(record, reason=Rectification.CloseReason.MET, note=MET_NOTE, by=by)
        for record in open_records
        if record.item in met
    ]


def rectifications_close_for_market_closed(*, market, by):
    """A market closed (撤销): its open records end with it (called in market_close's transaction)."""
    records = Rectification.objects.filter(market=market, status=Rectification.Status.OPEN)
    return [
        _close(record, reason=Rectification.CloseReason.MARKET_CLOSED, note="零工市场已撤销", by=by)
        for record in records
    ]


def _storage_name(rectification, kind):
    extension = "png" if kind == "png" else "jpg"
    return f"rectification/{rectification.market_id}/{rectification.pk}/{uuid.uuid4().hex}.{extension}"


def rectification_add_evidence(*, rectification, upload, caption="", by):
    """Add a photo to an open record: a real JPEG or PNG within the size caps, else a Chinese
    ValidationError and nothing stored. The file is written first and removed again if the
    row cannot be written."""
    info = check_image_upload(upload)
    _require_open(rectification)
    upload.seek(0)
    name = default_storage.save(_storage_name(rectification, info.kind), upload)
    evidence = RectificationEvidence(rectification=rectification)
    try:
        with transaction.atomic():
            _require_open(Rectification.objects.select_for_update().get(pk=rectification.pk))
            audited_update(
                evidence,
                data={
                    "file": name,
                    "filename": (getattr(upload, "name", "") or "")[-100:],
                    "kind": info.kind,
                    "size": upload.size,
                    "width": info.width,
                    "height": info.height,
                    "caption": (caption or "").strip(),
                    "uploaded_by": by if getattr(by, "pk", None) else None,
                },
                by=by,
                fields=("caption", "filename", "size"),
            )
    except BaseException:
        default_storage.delete(name)
        raise
    return evidence


def rectification_claim_overdue_notice(*, rectification, now=None):
    """Claim the one overdue notice of an open record past its deadline (a conditional
    UPDATE). True if this call claimed it; run it in the transaction that sends the notice."""
    return bool(
        Rectification.objects.filter(
            pk=rectification.pk, status=Rectification.Status.OPEN, overdue_notified_at__isnull=True
        ).update(overdue_notified_at=now or timezone.now())
    )
