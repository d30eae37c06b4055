"""The 欠薪 block (八): an employer with an open 欠薪 case posts and confirms no more.

`arrears_block(employer_id)` says whether the employer is blocked and why (its open
wage cases, the override if one lifts the block). `require_not_blocked` is what the
writes call — `registry.services.posting_create` before it publishes, the confirm step
of `matching.services` before it books the worker — inside their transaction.

County staff of the employer's county lift the block with a reason
(`arrears_override_grant`), until a date or until they revoke it. An override covers
the cases open when it was granted; a 欠薪 case received later blocks again.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gigmarket.core.audit import audit_record, snapshot
from gigmarket.core.models import AuditEvent, Role

from .models import ArrearsOverride, RightsCase

OVERRIDE_FIELDS = ["employer", "reason", "valid_until"]


@dataclass
class ArrearsBlock:
    """The open 欠薪 cases of one employer and the override that lifts the block, if any."""

    cases: list = field(default_factory=list)
    override: ArrearsOverride | None = None

    @property
    def has_cases(self):
        return bool(self.cases)

    @property
    def blocked(self):
        return self.has_cases and self.override is None

    @property
    def amount_owed(self):
        return sum((c.amount_owed - c.amount_recovered for c in self.cases), 0)

    def message(self, action):
        """Why `action` (发布用工需求 / 确认用工) is refused, in the clerk's words."""
        first = self.cases[0]
        more = f"等{len(self.cases)}件" if len(self.cases) > 1 else ""
        return (
            f"该用工主体有未办结的欠薪维权案件（{first.received_on:%Y-%m-%d}受理{more}，"
            f"未追回{self.amount_owed:.2f}元），暂停{action}。"
            "须由用工主体所在县(市、区)人社部门核准放行后方可办理。"
        )


def open_wage_cases(employer_id):
    return RightsCase.objects.filter(
        employer_id=employer_id, kind=RightsCase.Kind.WAGES, state__in=RightsCase.OPEN_STATES
    ).order_by("received_on", "id")


def active_override(employer_id, today=None):
    today = today or timezone.localdate()
    return (
        ArrearsOverride.objects.filter(employer_id=employer_id, revoked_at__isnull=True, valid_until__gte=today)
        .select_related("granted_by")
        .order_by("-granted_at", "-id")
        .first()
    )


def arrears_block(employer_id):
    """The block of one employer (two queries at most)."""
    cases = list(open_wage_cases(employer_id))
    if not cases:
        return ArrearsBlock()
    override = active_override(employer_id)
    if override is not None and any(c.created_at > override.granted_at for c in cases):
        override = None  # a case received after the override blocks again
    return ArrearsBlock(cases=cases, override=override)


def require_not_blocked(employer_id, *, action):
    """Raise the clerk's ValidationError if the employer is blocked from `action`."""
    block = arrears_block(employer_id)
    if block.blocked:
        raise ValidationError(block.message(action))
    return block


def can_override(user, employer):
    """County staff of the employer's county (the province may act for any county)."""
    if not user.can_write:
        return False
    if user.is_superuser or user.role == Role.PROVINCE:
        return True
    return user.role == Role.COUNTY and user.division_id == employer.county_id


def arrears_override_grant(*, employer, reason, valid_until, by):
    """Lift the block of `employer` until `valid_until`, with a reason (audited)."""
    if not can_override(by, employer):
        raise PermissionDenied("只有用工主体所在县(市、区)人社部门可以核准放行。")
    with transaction.atomic():
        if not open_wage_cases(employer.pk).exists():
            raise ValidationError("该用工主体没有未办结的欠薪案件，无需放行。")
        override = ArrearsOverride(
            employer=employer, reason=(reason or "").strip(), valid_until=valid_until, granted_by=by
        )
        override.full_clean()
        override.save()
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=override,
            changes=snapshot(override, OVERRIDE_FIELDS),
        )
        return override


def arrears_override_revoke(*, override, by):
    """End an override early: the employer is blocked again while cases are open."""
    if not can_override(by, override.employer):
        raise PermissionDenied("只有用工主体所在县(市、区)人社部门可以撤销放行。")
    with transaction.atomic():
        override = ArrearsOverride.objects.select_for_update().get(pk=override.pk)
        if override.revoked_at is not None:
            return override, False
        override.revoked_at = timezone.now()
        override.revoked_by = by
        override.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=override,
            changes={"revoked_at": [None, override.revoked_at.isoformat()]},
        )
        return override, True
