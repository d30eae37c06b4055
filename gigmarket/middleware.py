import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from .audit import current_ip

SESSION_STARTED_KEY = "gm_session_started"


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


class SessionLifetimeMiddleware:
    """End a session 12 hours after login, however active it is.

    The idle limit is SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST; this adds
    the absolute limit, and records the client IP for the audit log.
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
            return self.get_response(request)
        finally:
            current_ip.reset(token)
