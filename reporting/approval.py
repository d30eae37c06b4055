"""Approval of a 市州's level, as DHIS2 does it: per 市州 and period a state, and its writes.

    waiting   some active county of the 市州 has no accepted report for the period
    ready     all its active counties are accepted (an inactive county does not block)
    approved  the 市州 approved its level
    accepted  the province accepted the 市州's approval

Each step is taken back one level at a time with a reason: the province un-accepts
(accepted → approved), the 市州 or the province withdraws an approval (approved → ready
or waiting). While a 市州 is approved its counties' accepted reports cannot be unlocked.
Every write locks the 市州's division row, re-checks the state and writes an audit row.

A county switched back on joins the counties its 市州 must have accepted: an approval still
waiting for the province, for a period in which that county has no accepted report, is
withdrawn (`approvals_recheck_for_county`, from `reporting/receivers.py`); one the province
accepted stays, as locked data does.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.audit import audit_record
from gigmarket.core.models import AuditEvent, Division, Role, User
from gigmarket.core.scoping import require_write

from .models import CityApproval, Notification, Submission
from .services import ReportingError, notify, reason_required

WAITING, READY, APPROVED, ACCEPTED = "waiting", "ready", "approved", "accepted"
STATE_LABELS = {
    WAITING: "待县区报送确认",
    READY: "可审批",
    APPROVED: "市州已审批，待省级确认",
    ACCEPTED: "省级已确认",
}


@dataclass
class CityState:
    city: Division
    state: str
    expected: int
    accepted: int
    approval: CityApproval | None

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def waiting_for(self):
        return self.expected - self.accepted


def approval_states(period, cities):
    """[CityState] for `cities` (a queryset of 市州), by code. Three queries, whatever the size."""
    cities = list(cities.order_by("code"))
    ids = [c.pk for c in cities]
    counties = Division.objects.filter(level=Division.Level.COUNTY, is_active=True, parent_id__in=ids)
    expected, accepted = {}, {}
    for parent_id in counties.values_list("parent_id", flat=True):
        expected[parent_id] = expected.get(parent_id, 0) + 1
    done = Submission.objects.filter(period=period, status=Submission.Status.ACCEPTED, county__in=counties).values_list(
        "county__parent_id", flat=True
    )
    for parent_id in done:
        accepted[parent_id] = accepted.get(parent_id, 0) + 1
    approvals = {
        a.city_id: a
        for a in CityApproval.objects.filter(period=period, city_id__in=ids).select_related(
            "approved_by", "accepted_by"
        )
    }
    states = []
    for city in cities:
        approval = approvals.get(city.pk)
        if approval is not None and approval.status == CityApproval.Status.ACCEPTED:
            state = ACCEPTED
        elif approval is not None and approval.status == CityApproval.Status.APPROVED:
            state = APPROVED
        elif accepted.get(city.pk, 0) >= expected.get(city.pk, 0):
            state = READY
        else:
            state = WAITING
        states.append(CityState(city, state, expected.get(city.pk, 0), accepted.get(city.pk, 0), approval))
    return states


def city_state(period, city):
    return approval_states(period, Division.objects.filter(pk=city.pk))[0]


def _lock(period, city):
    Division.objects.select_for_update().get(pk=city.pk)
    return city_state(period, city)


def _record(approval, *, by, old, reason=""):
    changes = {"status": [old, approval.status]}
    if reason:
        changes["reason"] = reason
    audit_record(actor=by, action=AuditEvent.Action.TRANSITION, target=approval, county=approval.city, changes=changes)


def is_city_reviewer(by, city):
    """Staff of `city` (a 市州), who approve its level."""
    return by.is_superuser or (by.role == Role.CITY and by.division_id == city.pk)


def is_province_reviewer(by):
    """Province staff (not the read-only auditor), who accept a 市州's approval."""
    return by.is_superuser or by.role == Role.PROVINCE


def city_approve(*, period, city, by):
    """The 市州 approves its level once every active county's report is accepted."""
    require_write(by)
    if not is_city_reviewer(by, city):
        raise PermissionDenied("只有本市州工作人员可以审批。")
    with transaction.atomic():
        current = _lock(period, city)
        if current.state != READY:
            raise ReportingError(
                "本市州已审批。"
                if current.state in (APPROVED, ACCEPTED)
                else f"还有{current.waiting_for}个县(市、区)的报送未经省级确认，暂不能审批。"
            )
        approval = current.approval or CityApproval(period=period, city=city)
        old = approval.status
        approval.status = CityApproval.Status.APPROVED
        approval.approved_at, approval.approved_by = timezone.now(), by
        approval.reason = ""
        approval.full_clean()
        approval.save()
        _record(approval, by=by, old=old)
        notify(
            recipients=list(User.objects.filter(is_active=True, role=Role.PROVINCE).order_by("pk")),
            kind=Notification.Kind.TO_REVIEW,
            title=f"{city.name}{period.name}名录已审批，待省级确认",
            body=f"{city.name}所辖县(市、区){period.name}零工市场名录已全部确认，市州已审批，请确认。",
            link=reverse("reporting:approvals", args=[period.pk]),
        )
    return approval


def city_accept(*, period, city, by):
    """The province accepts a 市州's approval."""
    require_write(by)
    if not is_province_reviewer(by):
        raise PermissionDenied("只有省级工作人员可以确认市州审批。")
    with transaction.atomic():
        current = _lock(period, city)
        if current.state != APPROVED:
            raise ReportingError("该市州尚未审批或已确认，不能确认。")
        approval = current.approval
        approval.status = CityApproval.Status.ACCEPTED
        approval.accepted_at, approval.accepted_by = timezone.now(), by
        approval.save()
        _record(approval, by=by, old=CityApproval.Status.APPROVED)
    return approval


def city_unapprove(*, period, city, by, reason):
    """Take back one level with a reason: the province un-accepts (→ approved); the 市州 or the
    province withdraws an approval (→ ready or waiting, computed from the counties again)."""
    require_write(by)
    reason = reason_required(reason)
    with transaction.atomic():
        current = _lock(period, city)
        approval = current.approval
        if current.state == ACCEPTED:
            if not is_province_reviewer(by):
                raise PermissionDenied("省级已确认，只有省级工作人员可以取消。")
            new = CityApproval.Status.APPROVED
            approval.accepted_at = approval.accepted_by = None
        elif current.state == APPROVED:
            if not (is_city_reviewer(by, city) or is_province_reviewer(by)):
                raise PermissionDenied("只有本市州或省级工作人员可以取消审批。")
            new = CityApproval.Status.WITHDRAWN
        else:
            raise ReportingError("该市州尚未审批，无需取消。")
        old = approval.status
        approval.status = new
        approval.reason = reason
        approval.save()
        _record(approval, by=by, old=old, reason=reason)
    return approval


def approvals_recheck_for_county(*, county, by):
    """`county` was switched back on: withdraw its 市州's approvals that no longer hold.

    An approval (approved, not yet accepted by the province) of a period in which the county
    has no accepted report goes back to the computed state, with the reason, audited, and
    the 市州 and province staff are told. Returns the withdrawn approvals.
    """
    city = county.parent
    with transaction.atomic():
        Division.objects.select_for_update().get(pk=city.pk)
        approvals = list(
            CityApproval.objects.filter(city=city, status=CityApproval.Status.APPROVED).select_related("period")
        )
        covered = set(
            Submission.objects.filter(
                county=county, status=Submission.Status.ACCEPTED, period__in=[a.period_id for a in approvals]
            ).values_list("period_id", flat=True)
        )
        withdrawn = [a for a in approvals if a.period_id not in covered]
        if not withdrawn:
            return []
        recipients = list(
            User.objects.filter(is_active=True)
            .filter(models.Q(role=Role.PROVINCE) | models.Q(role=Role.CITY, division=city))
            .order_by("pk")
        )
        for approval in withdrawn:
            reason = f"{county.name}已恢复启用，{approval.period.name}尚无经省级确认的报送，市州审批自动撤回。"
            approval.status = CityApproval.Status.WITHDRAWN
            approval.reason = reason
            approval.save(update_fields=["status", "reason"])
            _record(approval, by=by, old=CityApproval.Status.APPROVED, reason=reason)
            notify(
                recipients=recipients,
                kind=Notification.Kind.REVIEW,
                title=f"{city.name}{approval.period.name}市州审批已撤回",
                body=reason + "请待该县(市、区)报送并经省级确认后重新审批。",
                link=reverse("reporting:approvals", args=[approval.period_id]),
            )
    return withdrawn
