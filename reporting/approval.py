"""Approval of a 市州's level, as DHIS2 does it: per 市州 and period a state, and its writes.

    waiting   some active county of the 市州 has no accepted report for the period
    ready     all its active counties are accepted (an inactive county does not block)
    approved  the 市州 approved its level
    accepted  the province accepted the 市州's approval

Each step is taken back one level at a time with a reason: the province un-accepts
(accepted → approved), the 市州 or the province withdraws an approval (approved → ready
or waiting). While a 市州 is approved its counties' accepted reports cannot be unlocked.
Every write locks the 市州's division row, re-checks the state and writes an audit row.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
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


def _is_city_staff(by, city):
    return by.is_superuser or (by.role == Role.CITY and by.division_id == city.pk)


def _is_province(by):
    return by.is_superuser or by.role == Role.PROVINCE


def city_approve(*, period, city, by):
    """The 市州 approves its level once every active county's report is accepted."""
    require_write(by)
    if not _is_city_staff(by, city):
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
    if not _is_province(by):
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
            if not _is_province(by):
                raise PermissionDenied("省级已确认，只有省级工作人员可以取消。")
            new = CityApproval.Status.APPROVED
            approval.accepted_at = approval.accepted_by = None
        elif current.state == APPROVED:
            if not (_is_city_staff(by, city) or _is_province(by)):
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
