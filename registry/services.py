"""Writes for the registry: keyword-only, atomic, validated, audited."""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.utils import timezone

from gigmarket.core.audit import audit_record, audited_update, diff, snapshot
from gigmarket.core.exports import audit_export
from gigmarket.core.models import AuditEvent
from gigmarket.core.pii import lookup_hashes
from gigmarket.core.prepared import PreparedQuery
from gigmarket.core.security import audit_reveal
from gigmarket.core.sms import sms_enqueue

from . import signals
from .models import (
    Channel,
    Employer,
    EmployerNeed,
    PolicyNote,
    Posting,
    PreRegistration,
    TrainingOffer,
    TrainingSignup,
    WindowVisit,
    Worker,
    WorkerTransfer,
    normalise_name,
)
from .ranking_key import ranking_keys_synced
from .tiers import tier_expression, waiting_since_expression

log = logging.getLogger(__name__)

# The fields each write accepts in `data`, declared once: the forms list theirs from these
# (`registry.forms`, `registry.need_forms`), so a field added here reaches form and service.
WORKER_QUICK_FIELDS = ("mobile", "available_from", "available_until", "expected_pay", "pay_unit", "notes")
WORKER_DETAIL_FIELDS = (
    "education",
    "certificates",
    "household_type",
    "emergency_contact",
    "emergency_phone",
    "low_income",
    "disabled",
    "employment_difficulty",
    "has_injury_insurance",
    "startup_intent",
    "startup_note",
)
# `worker_update` (besides the trades): the quick fields and the details.
WORKER_EDIT_FIELDS = (*WORKER_QUICK_FIELDS, *WORKER_DETAIL_FIELDS)
WORKER_AUDIT_FIELDS = ["name", "county", *WORKER_EDIT_FIELDS]
# `employer_register` and `employer_update`.
EMPLOYER_FIELDS = ("kind", "name", "credit_code", "contact_name", "phone", "address")
# `posting_create`: what the window's form gives (a need's posting takes all but the validity).
NEED_POSTING_FIELDS = (
    "trade",
    "headcount",
    "pay",
    "pay_unit",
    "work_date",
    "work_date_end",
    "start_time",
    "end_time",
    "place",
    "requirements",
)
POSTING_DATA_FIELDS = (*NEED_POSTING_FIELDS, "valid_until")
# `need_submit`: the employer as typed online, and its posting.
NEED_EMPLOYER_FIELDS = ("kind", "name", "credit_code", "contact_name")
NEED_SUBMIT_FIELDS = (*NEED_EMPLOYER_FIELDS, *NEED_POSTING_FIELDS)
# `training_offer_save` and `policy_note_save`.
TRAINING_FIELDS = (
    "course",
    "trade",
    "kind",
    "provider",
    "start_date",
    "end_date",
    "mode",
    "location",
    "capacity",
    "subsidy_eligible",
    "subsidy_note",
    "description",
    "is_published",
    "market",
)
POLICY_FIELDS = ("category", "title", "body", "source", "is_public")


@dataclass
class Registration:
    worker: Worker
    created: bool
    visit: WindowVisit
    replayed: bool = False  # the same form was submitted before: nothing new was recorded
    transfer: WorkerTransfer | None = None  # the record was transferred into this county


class RegisteredElsewhere(Exception):
    """The 身份证号 is registered in another county under the name typed.

    Nothing was changed. Only an explicit transfer (`worker_transfer`) moves the record.
    """


# The same answer whichever county holds the record: it says nothing about that record.
NAME_MISMATCH = "此身份证号已有登记档案，但所填姓名与档案不一致，未作任何修改。请核对身份证原件后重新输入。"


@dataclass(frozen=True)
class TransferChoices:
    """What the clerk chose on the transfer confirmation. Stored values are kept unless chosen."""

    replace_mobile: bool = False
    replace_details: bool = False  # 工种, 可上工日期, 期望报酬; 备注 typed is appended


def _trade_names(worker):
    return sorted(t.name for t in worker.trades.all())


def worker_register(*, id_number, name, data, trades, market, by, key=None):
    """Register a walk-in at `market`'s 求职(用工)登记 window.

    `id_number` is a validated `validators.IdNumber`; `key` the form's one-time token
    (a second submission of the same form records nothing and returns the first's
    result). A known 身份证号 is not duplicated:

    - in this market's county, with the name typed (normalised) matching: the
      job-seeking details are refreshed and the visit recorded;
    - with another name, wherever it is: ValidationError (`NAME_MISMATCH`), nothing
      changed or disclosed;
    - in another county, with the name matching: `RegisteredElsewhere`, nothing
      changed; the clerk may then confirm a transfer (`worker_transfer`).
    """
    return _with_retry(
        id_number=id_number, name=name, data=data, trades=trades, market=market, by=by, key=key, transfer=None
    )


def worker_transfer(*, id_number, name, data, trades, market, by, key=None, choices=TransferChoices()):
    """Transfer the worker with this 身份证号 into `market`'s county, as the clerk confirmed.

    The name must match the record's. The stored mobile, job-seeking details and notes
    are kept unless `choices` says otherwise (notes typed are appended). Recorded as a
    `WorkerTransfer` (the worker's history, and what the county left sees) and in the
    audit of both counties. A worker already served by this county (another clerk
    transferred them meanwhile) is re-registered as usual.
    """
    return _with_retry(
        id_number=id_number, name=name, data=data, trades=trades, market=market, by=by, key=key, transfer=choices
    )


def _with_retry(**kwargs):
    try:
        with transaction.atomic():
            return _worker_register(**kwargs)
    except IntegrityError:
        # Another clerk registered the same person (or the same form was submitted
        # twice) at the same moment: the unique indexes stopped the duplicate; the
        # second try finds the first's rows.
        with transaction.atomic():
            return _worker_register(**kwargs)


# Foreign keys `_worker_register` sets from rows it has just loaded: `full_clean` need not
# check that they exist (one SELECT each). `id_hash` is looked up under a row lock first;
# a concurrent registration of the same 身份证号 is stopped by the unique index, and
# `_with_retry` then retries and finds the existing worker.
REGISTER_CLEAN_EXCLUDE = ["registered_market", "county", "registered_by", "id_hash"]
DETAIL_FIELDS = ("available_from", "available_until", "expected_pay", "pay_unit")


def _worker_by_hashes(shape, v):
    return Worker.objects.select_for_update().filter(id_hash__in=v["hashes"]).order_by("pk")[:1]


def _visit_by_key(shape, v):
    return WindowVisit.objects.select_related("worker").filter(idempotency_key=v["key"]).order_by("pk")[:1]


# The two reads of every registration, compiled once per process (gigmarket.core.prepared).
WORKER_BY_ID_HASHES = PreparedQuery(Worker, _worker_by_hashes)
VISIT_BY_KEY = PreparedQuery(WindowVisit, _visit_by_key)


def _find_worker(id_number):
    """The worker with this 身份证号 (`Worker.objects.with_id_number`), locked, or None."""
    value = getattr(id_number, "value", id_number)
    if not value:
        return Worker.objects.select_for_update().with_id_number(value).first()
    found = WORKER_BY_ID_HASHES.run("by id hash", {"hashes": lookup_hashes(value)})
    return found[0] if found else None


def _replayed(key):
    """The registration visit an earlier submission of the same form recorded, or None."""
    if key is None:
        return None
    found = VISIT_BY_KEY.run("by key", {"key": key})
    visit = found[0] if found else None
    if visit is None or visit.worker is None:
        return None
    return Registration(worker=visit.worker, created=False, visit=visit, replayed=True)


def _worker_register(*, id_number, name, data, trades, market, by, key, transfer):
    trades = list(trades)
    existing = _find_worker(id_number)
    # After the row lock: a second submission of the same form waits for the first and
    # then sees its visit.
    replay = _replayed(key)
    if replay is not None:
        return replay
    if existing is None:
        worker = Worker(name=name, registered_market=market, county=market.county, registered_by=by, **data)
        worker.set_id_number(id_number)
        worker.full_clean(exclude=REGISTER_CLEAN_EXCLUDE)
        worker.save()
        worker.add_trades(trades)
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=worker,
            changes={**snapshot(worker, WORKER_AUDIT_FIELDS), "trades": sorted(t.name for t in trades)},
        )
        visit = _visit(market=market, window=WindowVisit.Window.REGISTER, worker=worker, topic="新登记", by=by, key=key)
        return Registration(worker=worker, created=True, visit=visit)

    worker = existing
    if normalise_name(worker.name) != normalise_name(name):
        raise ValidationError({"name": NAME_MISMATCH})
    if worker.county_id != market.county_id:
        if transfer is None:
            raise RegisteredElsewhere()
        return _transfer(worker=worker, data=data, trades=trades, market=market, by=by, key=key, choices=transfer)

    before = {**snapshot(worker, WORKER_AUDIT_FIELDS), "trades": _trade_names(worker)}
    for field, value in data.items():
        if value not in (None, "") or field in ("available_until",):
            setattr(worker, field, value)
    worker.full_clean(exclude=REGISTER_CLEAN_EXCLUDE)
    worker.save()
    if trades:
        worker.set_trades(trades)
    after = {
        **snapshot(worker, WORKER_AUDIT_FIELDS),
        "trades": sorted(t.name for t in trades) if trades else before["trades"],
    }
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=worker,
        changes=diff(before, after),
    )
    visit = _visit(market=market, window=WindowVisit.Window.REGISTER, worker=worker, topic="再次登记", by=by, key=key)
    return Registration(worker=worker, created=False, visit=visit)


def _transfer(*, worker, data, trades, market, by, key, choices):
    old_county, new_county = worker.county, market.county
    before = {**snapshot(worker, WORKER_AUDIT_FIELDS), "trades": _trade_names(worker)}
    if choices.replace_mobile and data.get("mobile"):
        worker.mobile = data["mobile"]
    if choices.replace_details:
        for field in DETAIL_FIELDS:
            if field in data and (data[field] not in (None, "") or field == "available_until"):
                setattr(worker, field, data[field])
    typed_notes = (data.get("notes") or "").strip()
    if typed_notes and typed_notes not in worker.notes:
        worker.notes = f"{worker.notes}\n{typed_notes}".strip()
    worker.county = new_county
    worker.full_clean(exclude=REGISTER_CLEAN_EXCLUDE)
    worker.save()
    if choices.replace_details and trades:
        worker.set_trades(trades)
    after = {**snapshot(worker, WORKER_AUDIT_FIELDS), "trades": _trade_names(worker)}
    moved = WorkerTransfer(
        worker=worker,
        from_county=old_county,
        to_county=new_county,
        market=market,
        by=by if getattr(by, "pk", None) else None,
        mobile_replaced=choices.replace_mobile and bool(data.get("mobile")),
        details_replaced=choices.replace_details,
    )
    moved.full_clean(exclude=["worker", "from_county", "to_county", "market", "by"])
    moved.save()
    changes = diff(before, after)
    # One row for each county's audit: the county left sees where the worker went.
    for county, label in ((old_county, f"转出至{new_county.name}"), (new_county, f"由{old_county.name}转入")):
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            target=worker,
            county=county,
            changes={**changes, "transfer": label},
        )
    visit = _visit(market=market, window=WindowVisit.Window.REGISTER, worker=worker, topic="转入登记", by=by, key=key)
    return Registration(worker=worker, created=False, visit=visit, transfer=moved)


def worker_update(*, worker, data, trades=None, by):
    """Edit a worker's details (second step, or later corrections)."""
    return audited_update(
        worker,
        data=data,
        by=by,
        fields=[*WORKER_AUDIT_FIELDS, "trades"],
        after_save=None if trades is None else lambda worker: worker.set_trades(trades),
    )


# Stored tier (分级服务) -------------------------------------------------------------------


def workers_refresh_tiers(qs, today=None):
    """Set `waiting_since` and `priority_tier` of the workers in `qs` in SQL, set-based.

    One UPDATE that writes only the rows whose values change (大龄 and 待工时间长 follow
    the date, so most rows keep theirs: few dead rows, few index updates). `qs` may be a
    migration's historical model queryset. With `Worker.objects` it runs inside
    `ranking_keys_synced`, which re-syncs the trade rows' copies (the queryset refuses
    otherwise). Returns the number of rows changed.
    """
    today = today or timezone.localdate()
    waiting = waiting_since_expression()
    tier = tier_expression(today, waiting_since=waiting)
    return qs.filter(~Q(waiting_since=waiting) | ~Q(priority_tier=tier)).update(
        waiting_since=waiting, priority_tier=tier
    )


def refresh_worker_tiers(today=None):
    """Nightly: bring every worker's stored tier up to `today` (idempotent, a few seconds at 2 M rows).

    Then every trade row's copy of the key (which also repairs any that drifted).
    Not audited: the tier is derived from audited facts and the date, and no person changes it.
    """
    today = today or timezone.localdate()
    with ranking_keys_synced() as synced:
        changed = workers_refresh_tiers(Worker.objects.all(), today)
    log.info("registry: tiers refreshed for %s, %s workers changed, %s trade rows synced", today, changed, synced.rows)
    return changed


def worker_confirmed_match(*, worker_id, at):
    """A match of the worker was confirmed at `at`: their wait restarts, their tier follows (one UPDATE).

    Then the copies on their trade rows (one more). Called by `matching.services` inside its transaction.
    """
    with ranking_keys_synced([worker_id]):
        Worker.objects.filter(pk=worker_id).update(
            last_confirmed_match_at=at,
            waiting_since=at,
            priority_tier=tier_expression(timezone.localdate(at), waiting_since=Value(at)),
        )


def worker_reveal_id(*, worker, by):
    """Return the full 身份证号 and record who saw it."""
    with transaction.atomic():
        audit_reveal(by=by, target=worker, field="身份证号")
        return worker.full_id_number()


PHONE_LABELS = {"mobile": "手机号码", "emergency_phone": "紧急联系人电话"}


def worker_reveal_phones(*, worker, by):
    """Return the full phones ({"mobile": ..., "emergency_phone": ...}, those the worker has), one reveal row each."""
    shown = {field: getattr(worker, field) for field in PHONE_LABELS}
    shown = {field: number for field, number in shown.items() if number}
    with transaction.atomic():
        for field in shown:
            audit_reveal(by=by, target=worker, field=PHONE_LABELS[field])
    return shown


def worker_export_audit(*, by, row_count, filters, county=None):
    """Record a worker-list export (masked; the rows are written by `exports.stream_workers_csv`)."""
    with transaction.atomic():
        return audit_export(by=by, what="零工名单(CSV)", row_count=row_count, county=county, filters=filters)


# Employers ---------------------------------------------------------------------------


def employer_find(*, kind, credit_code, phone):
    """The existing employer with this credit code (or, for 家庭/个人, this phone), or None."""
    if credit_code:
        return Employer.objects.filter(credit_code=credit_code).first()
    if kind == Employer.Kind.PERSON and phone:
        return Employer.objects.with_phone(phone).filter(kind=Employer.Kind.PERSON).first()
    return None


# A 家庭/个人 employer is found by phone alone: a phone typed with another name is refused
# in words that say nothing about the employer on file.
PERSON_NAME_MISMATCH = "该电话已登记为其他家庭/个人用工主体，与所填姓名不一致。请核对电话和姓名。"


def employer_register(*, data, market, by):
    """Register an employer, or return the existing one with the same code/phone. Returns (employer, created).

    A 家庭/个人 employer found by phone is reused only when the name typed matches it
    (normalised); otherwise ValidationError on `phone`, nothing changed.
    """
    with transaction.atomic():
        existing = employer_find(kind=data.get("kind"), credit_code=data.get("credit_code"), phone=data.get("phone"))
        if existing is not None:
            if existing.kind == Employer.Kind.PERSON and normalise_name(existing.name) != normalise_name(
                data.get("name")
            ):
                raise ValidationError({"phone": PERSON_NAME_MISMATCH})
            return existing, False
        employer = Employer(county=market.county, registered_market=market, created_by=by, **data)
        employer.full_clean()
        employer.save()
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=employer,
            changes=snapshot(employer, ["kind", "name", "credit_code", "contact_name", "phone"]),
        )
        return employer, True


def employer_reveal_phone(*, employer, by):
    """Return the employer's full phone and record who saw it."""
    with transaction.atomic():
        audit_reveal(by=by, target=employer, field="联系电话")
        return employer.phone


def employer_update(*, employer, data, by):
    return audited_update(employer, data=data, by=by, fields=EMPLOYER_FIELDS)


# Postings ----------------------------------------------------------------------------

# What a posting's audit row records.
POSTING_FIELDS = ["employer", *POSTING_DATA_FIELDS, "status"]


def posting_create(*, employer, market, data, by, channel=Channel.COUNTER):
    """Publish a 用工需求 at `market`: it is on the board and the public page at once.

    A posting typed at the window (现场) counts as a visit to the 求职(用工)登记 window; one
    published from an employer's online need (线上, `need_publish`) does not.
    """
    with transaction.atomic():
        signals.posting_publishing.send(sender=Posting, employer=employer, action="发布用工需求")
        posting = Posting(
            employer=employer, market=market, created_by=by, status=Posting.Status.OPEN, channel=channel, **data
        )
        posting.full_clean()
        posting.save()
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=posting,
            changes=snapshot(posting, [*POSTING_FIELDS, "channel"]),
        )
        if channel == Channel.ONLINE:
            return posting
        _visit(
            market=market,
            window=WindowVisit.Window.REGISTER,
            employer=employer,
            topic="发布用工需求",
            outcome=f"{posting.trade} {posting.headcount}人",
            by=by,
        )
        return posting


def posting_close(*, posting, status, by):
    """Close an open posting as filled or closed."""
    if status not in (Posting.Status.FILLED, Posting.Status.CLOSED):
        raise ValueError(status)
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting.pk)
        if posting.status != Posting.Status.OPEN:
            return posting, False
        posting.status = status
        posting.closed_at = timezone.now()
        posting.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=posting,
            changes={"status": [Posting.Status.OPEN, status]},
        )
        _close_applications(posting, status, by)
        return posting, True


def posting_expire_due(*, today=None):
    """Mark open postings whose validity has ended as expired. Idempotent; returns how many changed.

    Each row is claimed with a conditional UPDATE, so overlapping runs never double-count.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    expired = 0
    due = Posting.objects.filter(status=Posting.Status.OPEN, valid_until__lt=today).values_list("pk", flat=True)
    for pk in list(due.iterator(chunk_size=500)):
        with transaction.atomic():
            claimed = Posting.objects.filter(pk=pk, status=Posting.Status.OPEN).update(
                status=Posting.Status.EXPIRED, closed_at=now
            )
            if claimed:
                posting = Posting.objects.select_related("market__county").get(pk=pk)
                audit_record(
                    actor=None,
                    action=AuditEvent.Action.TRANSITION,
                    target=posting,
                    changes={"status": [Posting.Status.OPEN, Posting.Status.EXPIRED]},
                )
                _close_applications(posting, Posting.Status.EXPIRED, None)
                expired += 1
    return expired


# Online employer needs (我要招工) ------------------------------------------------------

# What a need's audit row records.
NEED_FIELDS = ["market", *NEED_EMPLOYER_FIELDS, "phone", *NEED_POSTING_FIELDS, "consent_version", "consent_at"]
# Told to employers when the market has published no hotline: the 人社 service line.
DEFAULT_HOTLINE = "12333"


def need_submit(*, data, market, consent_version, phone_verified):
    """Record an employer's online need, pending the market clerk's review.

    `phone_verified` is the mobile the employer proved with an SMS code (purpose
    "employer"); the need's contact mobile is that number. Nothing else is trusted from
    the public: the need is not public until `need_publish`.
    """
    now = timezone.now()
    with transaction.atomic():
        need = EmployerNeed(
            market=market,
            phone=phone_verified,
            consent_version=consent_version,
            consent_at=now,
            submitted_at=now,
            status=EmployerNeed.Status.PENDING,
            **data,
        )
        need.full_clean()
        need.save()
        audit_record(actor=None, action=AuditEvent.Action.CREATE, target=need, changes=snapshot(need, NEED_FIELDS))
        return need


def _locked_pending_need(need):
    need = EmployerNeed.objects.select_for_update().get(pk=need.pk)
    if need.status != EmployerNeed.Status.PENDING:
        raise ValidationError(f"该招工申请已{need.get_status_display()}，不能再审核。")
    return need


def need_publish(*, need, by):
    """Publish a pending need: find or register its employer, create an online posting, tell the employer.

    The employer is found as at the window (`employer_register`: same credit code, or a
    个人 with the same phone and name); a mismatch is a ValidationError and nothing changes.
    """
    with transaction.atomic():
        need = _locked_pending_need(need)
        market = need.market
        if need.work_date < timezone.localdate():
            raise ValidationError("该招工申请的用工日期已过，不能发布。请驳回并说明原因。")
        employer, _created = employer_register(
            data={
                "kind": need.employer_kind,
                "name": need.name,
                "credit_code": need.credit_code,
                "contact_name": need.contact_name,
                "phone": need.phone,
                "address": "",
            },
            market=market,
            by=by,
        )
        data = {field: getattr(need, field) for field in NEED_POSTING_FIELDS}
        posting = posting_create(
            employer=employer,
            market=market,
            data={**data, "valid_until": need.last_work_date},
            by=by,
            channel=Channel.ONLINE,
        )
        need.status = EmployerNeed.Status.PUBLISHED
        need.employer = employer
        need.posting = posting
        need.reviewed_at = timezone.now()
        need.reviewed_by = by
        need.save(update_fields=["status", "employer", "posting", "reviewed_at", "reviewed_by"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=need,
            changes={
                "status": [EmployerNeed.Status.PENDING, EmployerNeed.Status.PUBLISHED],
                "employer": str(employer),
                "posting": str(posting),
            },
        )
        sms_enqueue(
            to=need.phone,
            template="need_published",
            params={"trade": need.trade.name, "market": market.name},
            county=market.county,
            related=need,
        )
        return need


def need_reject(*, need, reason, by):
    """Reject a pending need with a reason the employer is told by SMS."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "请填写未通过的原因，将以短信告知用工方。"})
    if len(reason) > 60:
        raise ValidationError({"reason": "原因请控制在60字以内（短信篇幅有限）。"})
    with transaction.atomic():
        need = _locked_pending_need(need)
        need.status = EmployerNeed.Status.REJECTED
        need.reject_reason = reason
        need.reviewed_at = timezone.now()
        need.reviewed_by = by
        need.save(update_fields=["status", "reject_reason", "reviewed_at", "reviewed_by"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=need,
            changes={"status": [EmployerNeed.Status.PENDING, EmployerNeed.Status.REJECTED], "reason": reason},
        )
        sms_enqueue(
            to=need.phone,
            template="need_rejected",
            params={
                "trade": need.trade.name,
                "market": need.market.name,
                "reason": reason,
                "hotline": need.market.hotline or DEFAULT_HOTLINE,
            },
            county=need.market.county,
            related=need,
        )
        return need


def need_worker_confirmed(*, match, worker):
    """Tell the employer of an online need that a worker was confirmed for its posting.

    Called by matching in the confirming transaction; a posting typed at the window has
    no need and nobody is messaged. The worker is named by surname only (师傅).
    """
    need = EmployerNeed.objects.select_related("market__county", "trade").filter(posting_id=match.posting_id).first()
    if need is None:
        return None
    surname = (worker.name or "")[:1]
    return sms_enqueue(
        to=need.phone,
        template="worker_confirmed",
        params={
            "worker": f"{surname}师傅",
            "trade": need.trade.name,
            "date": f"{match.work_date.month}月{match.work_date.day}日",
            "market": need.market.name,
            "hotline": need.market.hotline or DEFAULT_HOTLINE,
        },
        county=need.market.county,
        related=need,
    )


# Window visits -----------------------------------------------------------------------


def _visit(*, market, window, by, worker=None, employer=None, topic="", outcome="", key=None):
    visit = WindowVisit(
        market=market,
        window=window,
        worker=worker,
        employer=employer,
        topic=topic,
        outcome=outcome,
        idempotency_key=key,
    )
    visit.clerk = by if getattr(by, "pk", None) else None
    # The market, person and clerk are rows the caller has loaded: no existence checks. The
    # token was looked up under the worker's row lock; its unique index stops a race.
    visit.full_clean(exclude=["market", "worker", "employer", "clerk", "idempotency_key"])
    visit.save()
    return visit


def visit_record(*, market, window, by, worker=None, employer=None, topic="", outcome=""):
    """Log one walk-in at a window. The person is optional."""
    with transaction.atomic():
        visit = _visit(
            market=market, window=window, by=by, worker=worker, employer=employer, topic=topic, outcome=outcome
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=visit,
            changes={"window": window, "topic": topic, "outcome": outcome},
        )
        return visit


# Training and policy -----------------------------------------------------------------


def training_offer_save(*, offer=None, county, data, by):
    """Publish a training offer in `county` (`offer` None) or edit one."""
    if offer is None:
        offer = TrainingOffer(county=county, created_by=by)
    return audited_update(offer, data=data, by=by, fields=TRAINING_FIELDS)


class TrainingFull(Exception):
    pass


def _offer_is_full(offer):
    """Whether every place of `offer` is taken (withdrawn sign-ups free theirs). Call with
    the offer row locked, so two clerks cannot both take the last place."""
    if offer.capacity is None:
        return False
    return offer.signups.exclude(status=TrainingSignup.Status.WITHDRAWN).count() >= offer.capacity


def training_signup(*, offer, worker, by, market=None):
    """Sign a worker up (once). Returns (signup, created). Raises TrainingFull when no places are left."""
    with transaction.atomic():
        offer = TrainingOffer.objects.select_for_update().get(pk=offer.pk)
        existing = TrainingSignup.objects.filter(offer=offer, worker=worker).first()
        if existing is not None:
            return existing, False
        if _offer_is_full(offer):
            raise TrainingFull("该培训名额已满。")
        signup = TrainingSignup(offer=offer, worker=worker, signed_up_by=by)
        signup.full_clean()
        signup.save()
        audit_record(actor=by, action=AuditEvent.Action.CREATE, target=signup, changes={"offer": offer.course})
        if market is not None:
            _visit(
                market=market,
                window=WindowVisit.Window.TRAINING,
                worker=worker,
                topic="培训报名",
                outcome=offer.course[:200],
                by=by,
            )
        return signup, True


def training_signup_transition(*, signup, to, by):
    """Record a sign-up's progress: 参训, 结业, 退出, or 恢复报名 (see `TrainingSignup.TRANSITIONS`).

    Returns (signup, changed); repeating the current status (a double click) changes
    nothing. Raises ValidationError for a move the table does not allow and TrainingFull
    when a withdrawn sign-up is re-activated on a full offer.
    """
    Status = TrainingSignup.Status
    try:
        to = Status(to)
    except ValueError:
        raise ValidationError("无效的报名状态。") from None
    with transaction.atomic():
        offer = None
        if to == Status.SIGNED:
            # Re-activation takes a place: lock the offer first, in the same order as
            # `training_signup`, so two clerks cannot both fill the last place.
            offer = TrainingOffer.objects.select_for_update().get(pk=signup.offer_id)
        signup = (
            TrainingSignup.objects.select_for_update(of=("self",))
            .select_related("worker", "offer__county")
            .get(pk=signup.pk)
        )
        current = Status(signup.status)
        if current == to:
            return signup, False
        if to not in signup.allowed_targets:
            raise ValidationError(f"“{current.label}”的报名不能变更为“{to.label}”。")
        if offer is not None and _offer_is_full(offer):
            raise TrainingFull("该培训名额已满，不能恢复报名。")
        signup.status = to
        signup.save(update_fields=["status"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=signup,
            changes={"status": [current.value, to.value]},
        )
        return signup, True


def policy_note_save(*, note=None, county, data, by):
    """Publish a policy note in `county` (`note` None) or edit one."""
    if note is None:
        note = PolicyNote(county=county, created_by=by)
    return audited_update(note, data=data, by=by, fields=POLICY_FIELDS)


def _close_applications(posting, status, by):
    """The posting stopped taking workers: its online applications close and the applicants are told."""
    signals.posting_closed.send(sender=Posting, posting=posting, status=status, by=by)


# 扫码登记 (pre-registration at a market) ----------------------------------------------------


def preregistration_submit(*, market, name, mobile, id_number="", trades=(), data=None, consent_version):
    """A worker pre-registers from a market's QR code; the clerk completes it at the counter.

    `mobile` is SMS-verified by the caller; `id_number` a validated value or "". Raises
    ValidationError when this phone already waits at this market.
    """
    data = data or {}
    with transaction.atomic():
        if (
            PreRegistration.objects.filter(market=market, state=PreRegistration.State.PENDING)
            .filter(PreRegistration.mobile.matches(mobile))
            .exists()
        ):
            raise ValidationError("该手机号已在本市场预登记，请直接到“求职(用工)登记”窗口办理。")
        now = timezone.now()
        prereg = PreRegistration(
            market=market,
            name=name,
            mobile=mobile,
            id_number=id_number or "",
            available_from=data.get("available_from"),
            available_until=data.get("available_until"),
            consent_version=consent_version,
            consented_at=now,
            created_at=now,
        )
        prereg.full_clean(exclude=["market", "completed_by", "worker"])
        try:
            with transaction.atomic():
                prereg.save()
        except IntegrityError:
            raise ValidationError("该手机号已在本市场预登记，请直接到“求职(用工)登记”窗口办理。") from None
        trades = list(trades)
        prereg.trades.set(trades)
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            target=prereg,
            changes={
                "channel": "online",
                "trades": sorted(t.name for t in trades),
                "consent_version": consent_version,
            },
        )
        return prereg


def preregistration_withdraw(*, prereg):
    """The worker withdraws a pending pre-registration (我的报名). Returns (prereg, changed)."""
    with transaction.atomic():
        prereg = PreRegistration.objects.select_for_update().get(pk=prereg.pk)
        if prereg.state == PreRegistration.State.WITHDRAWN:
            return prereg, False
        if prereg.state != PreRegistration.State.PENDING:
            raise ValidationError("该预登记已在窗口完成登记，不能撤回。")
        prereg.state = PreRegistration.State.WITHDRAWN
        prereg.save(update_fields=["state"])
        audit_record(
            actor=None,
            action=AuditEvent.Action.TRANSITION,
            target=prereg,
            changes={"state": [PreRegistration.State.PENDING.value, PreRegistration.State.WITHDRAWN.value]},
        )
        return prereg, True


def preregistration_complete(*, prereg, id_number, by, key=None):
    """The clerk completes a pre-registration in one step, the 身份证号 confirmed from the card.

    Through the walk-in registration (`worker_register`): a new worker is created, or the
    existing one (same 身份证号, same name) refreshed. The worker's new online applications
    with the same phone are linked. Returns the `Registration`. A number registered in
    another county raises ValidationError (the transfer is done on the registration form).
    """
    with transaction.atomic():
        prereg = PreRegistration.objects.select_for_update().select_related("market__county").get(pk=prereg.pk)
        if prereg.state != PreRegistration.State.PENDING:
            raise ValidationError(f"该预登记{prereg.get_state_display()}，不能再次办理。")
        try:
            registration = worker_register(
                id_number=id_number,
                name=prereg.name,
                data={
                    "mobile": prereg.mobile,
                    "available_from": prereg.available_from or timezone.localdate(),
                    "available_until": prereg.available_until,
                    "expected_pay": None,
                    "pay_unit": "day",
                    "notes": "",
                },
                trades=list(prereg.trades.all()),
                market=prereg.market,
                by=by,
                key=key,
            )
        except RegisteredElsewhere:
            raise ValidationError(
                "此身份证号已在其他县(市、区)登记：请用“求职登记”表办理转入。", code="elsewhere"
            ) from None
        prereg.state = PreRegistration.State.COMPLETED
        prereg.worker = registration.worker
        prereg.id_number = id_number.value
        prereg.completed_at = timezone.now()
        prereg.completed_by = by
        prereg.save(
            update_fields=[
                "state",
                "worker",
                "id_number_encrypted",
                "id_number_hash",
                "completed_at",
                "completed_by",
            ]
        )
        signals.worker_identified.send(sender=PreRegistration, worker=registration.worker, mobile=prereg.mobile)
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=prereg,
            changes={
                "state": [PreRegistration.State.PENDING.value, PreRegistration.State.COMPLETED.value],
                "worker": registration.worker.pk,
            },
        )
        return registration
