"""Audit logins, logouts and failed logins; remind of a password about to expire; and the
signals the core sends for the apps above it (which it never imports).

`division_activated` is sent inside the transaction of `division_set_active` when a county
is switched back on (`division`, `by`), with `send()`: a receiver's exception rolls the
change back.
"""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal
from django.utils import timezone

from . import twofactor
from .audit import audit_record
from .middleware import SESSION_STARTED_KEY
from .models import AuditEvent
from .security import password_expiry_warning

# A county was switched back on: `division` (the county), `by` (the user).
division_activated = Signal()


def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = timezone.now().timestamp()
        twofactor.note_login(request, user)
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, county=user.division)
    warning = password_expiry_warning(user)
    if warning and request is not None:
        # fail_silently: the test client's force_login() has no message storage.
        messages.warning(request, warning, fail_silently=True)


def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT, county=user.division)


def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")[:150]
    known = get_user_model().objects.filter(username=username).first()
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        target=None,
        target_repr=f"账号 {username}",
        county=known.division if known else None,
    )


def _on_locked_out(sender, request, username, ip_address, **kwargs):
    """Audit the moment a username+IP pair gets locked (not every refused retry)."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    username = (username or "")[:150]
    known = get_user_model().objects.filter(username=username).first()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        target=None,
        target_repr=f"账号 {username} 连续登录失败{request.axes_failures_since_start}次，已锁定{minutes}分钟",
        county=known.division if known else None,
        changes={"lockout": {"minutes": minutes, "failures": request.axes_failures_since_start}},
    )


def connect_auth_audit():
    user_logged_in.connect(_on_login, dispatch_uid="gm_audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="gm_audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="gm_audit_login_failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="gm_audit_locked_out")
