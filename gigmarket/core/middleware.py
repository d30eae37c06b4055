import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from .audit import current_ip
from .security import password_change_reason

SESSION_STARTED_KEY = "gm_session_started"
SESSION_TOUCHED_KEY = "gm_session_touched"
# An active session is saved (its cookie and database expiry moved forward) at most this often.
SESSION_TOUCH_SECONDS = 60


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


class SessionLifetimeMiddleware:
    """End a session 12 hours after login, however active it is, and keep an active one alive.

    Idle limit: Django expires the cookie and the database row SESSION_COOKIE_AGE after the
    session was last saved. Instead of saving on every request (SESSION_SAVE_EVERY_REQUEST:
    three statements on every page), the session is touched (a timestamp written, so Django
    saves it) when more than SESSION_TOUCH_SECONDS have passed since the last touch or the
    login. The idle limit therefore counts from the last touch, at most a minute before the
    last request: never longer than SESSION_COOKIE_AGE. Also records the client IP for the
    audit log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            if request.user.is_authenticated:
                started = request.session.get(SESSION_STARTED_KEY)
                now = time.time()
                if started is None:
                    request.session[SESSION_STARTED_KEY] = now
                elif now - started > settings.SESSION_MAX_LIFETIME:
                    logout(request)
                    messages.info(request, "登录已超过12小时，请重新登录。")
                    return redirect(settings.LOGIN_URL)
                touched = request.session.get(SESSION_TOUCHED_KEY) or started or 0
                if now - touched > SESSION_TOUCH_SECONDS:
                    request.session[SESSION_TOUCHED_KEY] = now
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class PasswordChangeRequiredMiddleware:
    """Send a user who must change their password to the password-change page first.

    Applies when a manager created the account or reset its password
    (`must_change_password`), or when the password is older than PASSWORD_MAX_AGE_DAYS.
    Every other page, the Django admin included, answers with a redirect; a POST is
    refused the same way before its view runs, so nothing is saved. Reads only the user
    row AuthenticationMiddleware has loaded: no extra query. The reason is shown on the
    password-change page itself.
    """

    # URL names a user who must change their password can still reach.
    ALLOWED_VIEWS = {"password_change", "password_change_done", "logout", "admin:logout", "healthz", "set_language"}
    # The second factor comes first (gigmarket.core.twofactor), and new recovery codes are shown once.
    ALLOWED_VIEWS |= {
        "two_factor_verify",
        "two_factor_setup",
        "two_factor_recovery_codes",
        "two_factor_recovery_download",
        "csp_report",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or password_change_reason(request.user) is None:
            return None
        if request.resolver_match.view_name in self.ALLOWED_VIEWS or request.path.startswith(settings.STATIC_URL):
            return None
        return redirect("password_change")
