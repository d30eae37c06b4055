"""Writes for user accounts, and the audit archive. Each runs in a transaction and writes its audit row."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit_archive as audit_archive_files
from . import twofactor
from .audit import audit_record, audited_update, diff, snapshot
from .audit_archive import ARCHIVE_FIELDS, ArchiveError, checksum_path_for, verify_export, write_checksum
from .exports import audit_export
from .models import AuditEvent, Division, User
from .signals import division_activated

USER_AUDIT_FIELDS = ["username", "full_name", "phone", "email", "role", "division", "market", "is_active"]


@transaction.atomic
def user_create(*, data, password, by):
    user = User(**data)
    user.set_password(password)
    # The manager chose this password: the person chooses their own at the first login.
    user.must_change_password = True
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        target=user,
        county=user.division,
        changes=diff({}, snapshot(user, USER_AUDIT_FIELDS)),
    )
    return user


def user_update(*, user, data, by):
    """Change an account; filed under the division it has afterwards."""
    return audited_update(
        user,
        data=data,
        by=by,
        fields=USER_AUDIT_FIELDS,
        county=data.get("division", user.division),
        exclude=["password"],
    )


def _save_password(*, user, password, must_change, by):
    """Set, date and audit a new password (never its value); `must_change` forces the user
    to choose their own at the next login."""
    before = user.must_change_password
    user.set_password(password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    changes = {"password": ["***", "***"]}
    if before != must_change:
        changes["must_change_password"] = [before, must_change]
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, target=user, county=user.division, changes=changes)


@transaction.atomic
def user_set_password(*, user, password, by):
    """A manager resets `user`'s password; unless it is their own, the user must change it
    at the next login. Ends the user's open sessions (the session auth hash changes)."""
    _save_password(user=user, password=password, must_change=user.pk != by.pk, by=by)


@transaction.atomic
def user_change_own_password(*, user, password):
    """The user replaces their own password: dated, and no longer forced to change it."""
    _save_password(user=user, password=password, must_change=False, by=user)


@transaction.atomic
def division_set_active(*, division, active, by):
    """Mark a county active or inactive. Divisions are never deleted."""
    if division.is_active == active:
        return division
    division.is_active = active
    division.save(update_fields=["is_active"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=division,
        county=division if division.is_county else division.parent,
        changes={"is_active": [not active, active]},
    )
    if active:
        division_activated.send(sender=Division, division=division, by=by)
    return division


# Two-factor login ------------------------------------------------------------------------------


@dataclass
class CodeCheck:
    """The outcome of a code typed at the second-factor step or to confirm an enrolment."""

    ok: bool
    device: object = None
    locked_until: object = None
    remaining: int = 0
    recovery_left: int | None = None


def _recovery_codes_replace(user):
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "恢复码"})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(twofactor.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enrol_start(*, user):
    """A fresh, unconfirmed authenticator key for `user` (any earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


@transaction.atomic
def two_factor_check(*, user, code, enrolling=False):
    """Check a code `user` typed: TOTP from the authenticator (the unconfirmed one when
    `enrolling`), or a recovery code (8 letters and digits, each works once).

    Refused while the step is locked. Every success and failure is audited; the failure that
    reaches OTP_FAILURE_LIMIT locks the step for OTP_LOCKOUT_MINUTES and is audited as such.
    Confirming an enrolment also replaces the recovery codes (returned in `device.new_codes`).
    """
    User.objects.select_for_update().filter(pk=user.pk).first()  # one check at a time per user
    until = twofactor.locked_until(user)
    if until is not None:
        return CodeCheck(ok=False, locked_until=until)
    code = twofactor.normalise_code(code)
    if code.isdigit():
        kind = "动态验证码"
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=not enrolling).order_by("-pk").first()
        )
    else:
        kind = "恢复码"
        device = None if enrolling else StaticDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        # Nothing to check against (e.g. a recovery code typed while enrolling): count it on
        # the authenticator being enrolled, so the limit holds either way.
        device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
        if device is not None:
            device.throttle_increment()
        verified = False
    else:
        verified = bool(code) and device.verify_token(code)

    step = "启用两步验证" if enrolling else "两步验证"
    if verified:
        twofactor.reset_failures(user)
        result = CodeCheck(ok=True, device=device)
        changes = {"second_factor": kind}
        if kind == "恢复码":
            result.recovery_left = device.token_set.count()
            changes["recovery_codes"] = f"已使用1个，剩余{result.recovery_left}个"
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.new_codes = _recovery_codes_replace(user)
            audit_record(
                actor=user,
                action=AuditEvent.Action.UPDATE,
                target=user,
                county=user.division,
                changes={"two_factor": ["未启用", "已启用"], "recovery_codes": f"已生成{len(device.new_codes)}个"},
            )
        else:
            audit_record(
                actor=user,
                action=AuditEvent.Action.LOGIN,
                target_repr=f"账号 {user.username} {step}通过",
                county=user.division,
                changes=changes,
            )
        return result

    failures = twofactor.failure_count(user)
    limit = settings.OTP_FAILURE_LIMIT
    audit_record(
        actor=user,
        action=AuditEvent.Action.LOGIN_FAILED,
        target_repr=f"账号 {user.username} {step}失败",
        county=user.division,
        changes={"second_factor": kind, "reason": "验证码错误或已使用过", "failures": failures},
    )
    result = CodeCheck(ok=False, remaining=max(limit - failures, 0))
    if failures >= limit:
        minutes = settings.OTP_LOCKOUT_MINUTES
        audit_record(
            actor=user,
            action=AuditEvent.Action.LOGIN_FAILED,
            target_repr=f"账号 {user.username} {step}连续失败{failures}次，已锁定{minutes}分钟",
            county=user.division,
            changes={"reason": "两步验证锁定", "failures": failures, "lockout_minutes": minutes},
        )
        result.locked_until = twofactor.locked_until(user)
    return result


@transaction.atomic
def two_factor_recovery_regenerate(*, user):
    """New recovery codes for `user` (the old ones stop working); returns the new codes."""
    codes = _recovery_codes_replace(user)
    audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=user,
        county=user.division,
        changes={"recovery_codes": f"重新生成{len(codes)}个，原恢复码作废"},
    )
    return codes


@transaction.atomic
def two_factor_reset(*, user, reason, by, via=None):
    """A manager removes `user`'s authenticator and recovery codes (a lost phone): the user
    enrols again at the next login if they must use two-factor login. `reason` is required.
    `by` is None for the operator's command (`via` then names it in the audit row)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写重置原因。"})
    had = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=user,
        county=user.division,
        changes={
            "two_factor": ["已启用" if had else "未启用", "已重置"],
            "reason": reason[:200],
            **({"via": via} if via else {}),
        },
    )


@transaction.atomic
def county_set_clerk_two_factor(*, county, required, by):
    """A county decides whether its window clerks must use two-factor login."""
    if county.clerks_need_two_factor == required:
        return county
    county.clerks_need_two_factor = required
    county.full_clean()
    county.save(update_fields=["clerks_need_two_factor"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=county,
        county=county,
        changes={"clerks_need_two_factor": [not required, required]},
    )
    return county


# Audit archive ---------------------------------------------------------------------------
# The only way audit rows leave the database (等保 8.1.4.3 c: kept at least six months,
# protected from deletion). On PostgreSQL the trigger of migration 0005 lets a DELETE pass
# only for rows older than 183 days in a transaction that set gigmarket.core.audit_archive.

# Any constant: it serialises two archive runs started at the same time.
AUDIT_ARCHIVE_LOCK = 4_713_013


def audit_retention_cutoff_latest(now=None):
    """The latest `before` date the retention allows (rows from then on stay)."""
    oldest_kept = (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    return timezone.localtime(oldest_kept).date()


def _local_day(iso):
    return f"{timezone.localtime(datetime.datetime.fromisoformat(iso)):%Y-%m-%d}"


def _archive_delete_allowed(on):
    """Set the transaction-local switch the audit trigger reads (PostgreSQL only)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('gigmarket.core.audit_archive', %s, true)", ["on" if on else "off"])


def audit_archive(*, before, out_dir, by=None, operator=""):
    """Export audit rows created before `before` (a date, local midnight), verify, delete.

    Refuses a date younger than AUDIT_RETENTION_DAYS. Writes
    `<out_dir>/audit-before-<date>-<timestamp>.jsonl.gz` and its `.sha256`, reads the file
    back and checks it holds exactly the rows, deletes them, and records an `archive`
    audit row (count, range, file, checksum) in the same transaction. Any failure rolls
    the deletion back and removes the files. Returns the ExportSummary and the file path;
    with nothing to archive, writes no file and returns a summary with count 0.
    """
    latest = audit_retention_cutoff_latest()
    if before > latest:
        raise ValidationError(
            f"截止日期 {before:%Y-%m-%d} 太近：审计日志至少保留 {settings.AUDIT_RETENTION_DAYS} 天，"
            f"--before 最晚可为 {latest:%Y-%m-%d}。"
        )
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"audit-before-{before:%Y-%m-%d}-{timezone.localtime():%Y%m%d-%H%M%S}.jsonl.gz"
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_ARCHIVE_LOCK])
            old_rows = AuditEvent.objects.filter(created_at__lt=cutoff)
            rows = old_rows.order_by("id").values(*ARCHIVE_FIELDS).iterator(chunk_size=2000)
            # Looked up at call time so a test can damage the file it writes.
            summary = audit_archive_files.write_export(rows, path)
            if summary.count == 0:
                path.unlink()
                return summary, None
            checksum = write_checksum(path)
            verify_export(path, summary)
            _archive_delete_allowed(True)
            deleted, _ = old_rows.filter(id__lte=summary.last_id).delete()
            _archive_delete_allowed(False)
            if deleted != summary.count:
                raise ArchiveError(f"删除了 {deleted} 行，导出的是 {summary.count} 行：已全部撤销")
            audit_record(
                actor=by,
                action=AuditEvent.Action.ARCHIVE,
                target_repr=f"审计日志 {_local_day(summary.first_at)} 至 {_local_day(summary.last_at)}",
                changes={
                    "before": f"{before:%Y-%m-%d}",
                    "count": summary.count,
                    "first_id": summary.first_id,
                    "last_id": summary.last_id,
                    "first_at": summary.first_at,
                    "last_at": summary.last_at,
                    "file": path.name,
                    "sha256": checksum,
                    "operator": operator,
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)
        checksum_path_for(path).unlink(missing_ok=True)
        raise
    return summary, path


def audit_log_export_record(*, by, row_count, filters, truncated=False):
    """Record a download of the audit log itself (an export like any other).

    Filed under the viewer's division for 市州 and county staff (so their own managers
    see it), under the province otherwise.
    """
    county = by.division if by.division_id and by.division.level != Division.Level.PROVINCE else None
    if truncated:
        filters = {**filters, "truncated": "是"}
    with transaction.atomic():
        return audit_export(by=by, what="审计日志(XLSX)", row_count=row_count, county=county, filters=filters)


def sessions_clear_expired():
    """Delete the sessions that have expired (idle past SESSION_IDLE_SECONDS or past the
    12-hour limit, whose expiry the middleware set). Returns how many were deleted.

    Running it twice, or at once on two workers, deletes each row once; nothing else changes.
    """
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
