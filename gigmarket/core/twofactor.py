"""Two-factor login (等保 8.1.4.1 d): who must give a second factor, the lock, the middleware.

After the password, a user who must use two-factor login — their role is in
OTP_REQUIRED_ROLES, they are a clerk of a county that switched it on for its clerks, or
they enrolled on their own — has a Django session that django-otp marks *unverified*
(`request.user.is_verified()` is False) until they give a code from their authenticator
app (TOTP) or one of their one-time recovery codes (django-otp's static device).
`TwoFactorRequiredMiddleware` sends such a session to the code step, or to enrolment when
a user who must use 2FA has no authenticator yet; every other page, the Django admin
included, answers with that redirect, and a POST is refused before its view runs.

What the session owes is decided once at login (`note_login`, from the user_logged_in
signal) and kept in the session, so ordinary requests cost no query; a changed policy or
a reset applies at the next login (a reset also removes the device a verified session
points at, which ends that session's verification at once).

Wrong codes are counted by django-otp on the user's devices (`throttling_failure_count`);
OTP_FAILURE_LIMIT failures in a row lock the code step for OTP_LOCKOUT_MINUTES.
"""

import base64
import datetime
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role

# Session key: "verify" (give a code), "setup" (enrol first), "" (nothing owed).
SESSION_KEY = "gm_two_factor"
VERIFY, SETUP, NONE = "verify", "setup", ""
RECOVERY_CODE_COUNT = 10
# Recovery codes waiting to be shown once (and downloaded) after they are generated.
RECOVERY_SESSION_KEY = "gm_recovery_codes"


def two_factor_required(user):
    """Whether the policy makes `user` use a second factor (a clerk costs one query)."""
    roles = settings.OTP_REQUIRED_ROLES
    if user.is_superuser:
        return Role.PROVINCE in roles
    if user.role in roles:
        return True
    if user.role == Role.CLERK and user.division_id:
        return bool(user.division.clerks_need_two_factor)
    return False


def totp_device(user, confirmed=True):
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user):
    device = StaticDevice.objects.filter(user=user).first()
    return device.token_set.count() if device else 0


def owed_step(user):
    """What a freshly logged-in `user` owes: VERIFY, SETUP or NONE."""
    if has_authenticator(user):
        return VERIFY
    return SETUP if two_factor_required(user) else NONE


def note_login(request, user):
    """Called at login: remember in the session what the user owes before working."""
    request.session[SESSION_KEY] = owed_step(user)


def pending_step(request):
    """VERIFY or SETUP when this session may not work yet, else NONE."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return NONE
    if SESSION_KEY not in request.session:
        # A session opened before two-factor login existed: decide once, now.
        request.session[SESSION_KEY] = owed_step(user)
    return request.session[SESSION_KEY]


def next_url(request, default="home"):
    """The page to go on to after the code step: `next` if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return redirect(default).url


# The lock ------------------------------------------------------------------------------------


def _devices(user):
    return [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]


def failure_count(user):
    return sum(device.throttling_failure_count for device in _devices(user))


def reset_failures(user):
    """A right code ends the run of wrong ones on every device (authenticator and recovery codes)."""
    for device in _devices(user):
        if device.throttling_failure_count:
            device.throttle_reset()


def locked_until(user, now=None):
    """When the code step opens again for `user`, or None if it is open.

    A lock that has run out clears the failure counts, so the user gets a fresh set of tries.
    """
    devices = _devices(user)
    failures = sum(d.throttling_failure_count for d in devices)
    if failures < settings.OTP_FAILURE_LIMIT:
        return None
    last = max((d.throttling_failure_timestamp for d in devices if d.throttling_failure_timestamp), default=None)
    until = (last or timezone.now()) + datetime.timedelta(minutes=settings.OTP_LOCKOUT_MINUTES)
    if (now or timezone.now()) < until:
        return until
    for device in devices:
        device.throttle_reset()
    return None


# Enrolment helpers ---------------------------------------------------------------------------


def secret_text(device):
    """The device key as the base32 text authenticator apps accept, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device):
    """The otpauth:// QR code as an SVG data: URI (the CSP allows data: images, not inline SVG styles)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def normalise_code(raw):
    """Codes are typed with spaces or dashes, recovery codes in any case."""
    return "".join((raw or "").split()).replace("-", "").lower()


# The middleware ------------------------------------------------------------------------------


class TwoFactorRequiredMiddleware:
    """Refuse every page to a session that still owes its second factor.

    Sits after django-otp's OTPMiddleware (which marks the session verified or not) and
    before PasswordChangeRequiredMiddleware: the second factor comes before a forced
    password change, so a stolen password alone cannot change it.
    """

    # URL names an unverified session can reach.
    ALLOWED_VIEWS = {
        "two_factor_verify",
        "two_factor_setup",
        "logout",
        "admin:logout",
        "healthz",
        "set_language",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        step = pending_step(request)
        if not step:
            return None
        if request.resolver_match.view_name in self.ALLOWED_VIEWS or request.path.startswith(settings.STATIC_URL):
            return None
        target = redirect("two_factor_verify" if step == VERIFY else "two_factor_setup")
        if request.method == "GET":
            target["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return target
