"""HTTP hardening, the login-lockout backend, and audit hooks for personal data.

- `ProxyClientIPMiddleware`: behind nginx, take the client address from X-Real-IP
  (when TRUST_X_REAL_IP is on) so lockouts and audit rows see the real client.
- `SecurityHeadersMiddleware`: Content-Security-Policy and Permissions-Policy on every
  response; with CSP_REPORT_ONLY the policy goes out as Content-Security-Policy-Report-Only
  (reported, not enforced), with CSP_REPORT_URI it names where reports go.
  Referrer-Policy, X-Content-Type-Options, HSTS come from Django's SecurityMiddleware;
  X-Frame-Options from XFrameOptionsMiddleware.
- `PortalAxesBackend`: django-axes lockout check before `PortalModelBackend`.
- `PortalModelBackend`: ModelBackend whose per-request user read also loads the division
  (and its parent) and the market, so the user menu costs no further query.
- `audit_reveal`: call when a page shows a full 身份证号 or phone to a user.
- `password_change_reason` / `password_expiry_warning`: whether a user must change their
  password now (enforced by `gigmarket.core.middleware.PasswordChangeRequiredMiddleware`), or
  soon (said once at login).
"""

import datetime

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from .audit import audit_record
from .logging import mask_text
from .models import AuditEvent, User
from .prepared import PreparedQuery


def build_csp(directives):
    """`{"default-src": ["'self'"], ...}` → "default-src 'self'; ..."."""
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def build_permissions_policy(features):
    """`{"camera": [], "fullscreen": ["self"]}` → "camera=(), fullscreen=(self)"."""
    return ", ".join(f"{name}=({' '.join(origins)})" for name, origins in features.items())


CSP_REPORT_GROUP = "csp"


def csp_header(*, directives, report_only, report_uri):
    """(header name, value, Reporting-Endpoints value or "") for the configured policy.

    A report URI is sent both ways browsers read it: `report-uri` (Firefox, Safari) and
    `report-to` naming a Reporting-Endpoints group (Chromium).
    """
    directives = dict(directives)
    endpoints = ""
    if report_uri:
        directives["report-uri"] = [report_uri]
        directives["report-to"] = [CSP_REPORT_GROUP]
        endpoints = f'{CSP_REPORT_GROUP}="{report_uri}"'
    name = "Content-Security-Policy-Report-Only" if report_only else "Content-Security-Policy"
    return name, build_csp(directives), endpoints


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and Permissions-Policy unless a view set its own, and
    `Cache-Control: no-store` to every response for a signed-in user that sets no caching."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp_name, self.csp, self.reporting_endpoints = csp_header(
            directives=settings.CONTENT_SECURITY_POLICY,
            report_only=settings.CSP_REPORT_ONLY,
            report_uri=settings.CSP_REPORT_URI,
        )
        self.permissions = build_permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(self.csp_name, self.csp)
        if self.reporting_endpoints:
            response.headers.setdefault("Reporting-Endpoints", self.reporting_endpoints)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # A signed-in user's pages hold personal data: never kept by a browser or proxy cache
        # (a view that decided its own caching, e.g. `never_cache`, keeps its header).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


class ProxyClientIPMiddleware:
    """Use nginx's X-Real-IP as REMOTE_ADDR when the app sits behind a trusted proxy.

    nginx sets `proxy_set_header X-Real-IP $remote_addr;`, overwriting anything the
    client sent, so the header is trustworthy only when gunicorn is reachable through
    nginx alone (bound to 127.0.0.1 or a private network). Off by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.TRUST_X_REAL_IP

    def __call__(self, request):
        if self.enabled:
            real_ip = request.META.get("HTTP_X_REAL_IP", "").strip()
            if real_ip:
                request.META["REMOTE_ADDR"] = real_ip
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """Answer 400 in Chinese when a query or form value contains a NUL character.

    PostgreSQL cannot store or compare text with NUL; Django's form fields reject it, but
    views that read `request.GET`/`request.POST` directly (searches, filters) would pass
    it on to SQL and fail with a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or self._has_nul(request.GET)
            or (request.method == "POST" and self._has_nul(request.POST))
        ):
            return render(request, "400.html", {"reason": "提交的内容包含无效的控制字符，请检查后重试。"}, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(data):
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class PortalAxesBackend(AxesStandaloneBackend):
    """Refuse locked-out username+IP pairs before ModelBackend checks the password.

    Every login page (the portal's and the admin's) passes the request, so every web
    login is checked. A call without a request (the test client's `login()`, a shell)
    has no client address to lock out; it is passed to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# The path sessions made before PortalModelBackend stored. It stays in AUTHENTICATION_BACKENDS
# so those sessions are not logged out; it never authenticates (see PortalModelBackend).
LEGACY_SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


class PortalModelBackend(ModelBackend):
    """ModelBackend whose `get_user` (run once per request, from the session) reads the user
    with its division, the division's parent and the market in the same query: the user menu
    (`User.scope_label`) and the scope then need no query of their own.

    A username and password it refuses end the login: Django's ModelBackend, listed after it
    only for sessions stored under its path (LEGACY_SESSION_BACKEND), would otherwise check
    the same password a second time.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if user is None and username is not None and password is not None:
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        users = SESSION_USER.run("by pk", {"pk": User._meta.pk.to_python(user_id)})
        return users[0] if users and self.user_can_authenticate(users[0]) else None


def _session_user(shape, v):
    return User._default_manager.select_related("division__parent", "market").filter(pk=v["pk"])


# The per-request user read, compiled once per process (its ~130 columns cost ~3,000 calls to compile).
SESSION_USER = PreparedQuery(User, _session_user)


# The longest username an account can have (User.username); also what axes stores.
USERNAME_MAX_LENGTH = 150


def axes_username(request, credentials=None):
    """The username django-axes records and locks: as typed, cut to USERNAME_MAX_LENGTH.

    Axes stores it in a 255-character column; a longer one (a probe, a paste) made
    PostgreSQL refuse the INSERT inside the login (HTTP 500). The login forms refuse such
    a name before authenticating; this keeps every other path (a custom client posting to
    the admin, a backend called directly) from failing the same way.
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username") if request is not None else None
    return username[:USERNAME_MAX_LENGTH] if isinstance(username, str) else username


def lockout_response(request, original_response=None, credentials=None):
    """The Chinese lockout page (HTTP 429) shown instead of the login form."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "username": username[:150],
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def audit_reveal(*, by, target, field, county=None):
    """Record that `by` was shown the full value of personal-data `field` of `target`.

    Call it in the view that renders the unmasked value (never log the value itself).
    """
    return audit_record(
        actor=by,
        action=AuditEvent.Action.REVEAL,
        target=target,
        county=county,
        changes={"field": field},
    )


def password_change_reason(user, now=None):
    """Why `user` must change their password before doing anything else, or None.

    Reads only the loaded user row: no query.
    """
    if user.must_change_password:
        return "首次登录或密码已重置，请先修改密码。"
    expires_at = user.password_expires_at
    if expires_at is not None and (now or timezone.now()) >= expires_at:
        return f"密码已超过{settings.PASSWORD_MAX_AGE_DAYS}天未修改，请修改密码。"
    return None


def password_expiry_warning(user, now=None):
    """A reminder when the password expires within PASSWORD_EXPIRY_WARNING_DAYS, else None."""
    expires_at = user.password_expires_at
    now = now or timezone.now()
    if expires_at is None or user.must_change_password or now >= expires_at:
        return None
    if expires_at - now > datetime.timedelta(days=settings.PASSWORD_EXPIRY_WARNING_DAYS):
        return None
    when = timezone.localtime(expires_at)
    return f"您的密码将于{when:%Y-%m-%d %H:%M}过期，请尽快在右上角菜单“修改密码”中设置新密码。"


# CSP violation reports --------------------------------------------------------------------
# Browsers POST them to CSP_REPORT_URI in two shapes: {"csp-report": {...}} (report-uri,
# application/csp-report) and [{"type": "csp-violation", "body": {...}}, ...] (report-to,
# application/reports+json). `csp_report_lines` turns either into short log lines.

CSP_REPORT_MAX_ENTRIES = 10
CSP_FIELDS = {
    # log name: (report-uri key, report-to key)
    "disposition": ("disposition", "disposition"),
    "directive": ("effective-directive", "effectiveDirective"),
    "blocked": ("blocked-uri", "blockedURL"),
    "document": ("document-uri", "documentURL"),
    "source": ("source-file", "sourceFile"),
    "line": ("line-number", "lineNumber"),
}
URL_FIELDS = {"blocked", "document", "source"}


def _report_value(name, value):
    """A short, single-line, masked value; URLs lose their query string and fragment
    (a search for a 身份证号 must not reach the log even masked)."""
    if value is None or isinstance(value, (dict, list)):
        return "-"
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    if name in URL_FIELDS:
        text = text.split("?", 1)[0].split("#", 1)[0]
    return mask_text(text[:200]) or "-"


def csp_report_lines(payload):
    """Log lines for the violations in a parsed report body; ValueError if it is none of ours."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        bodies, style = [payload["csp-report"]], 0
    elif isinstance(payload, list):
        bodies = [
            item["body"]
            for item in payload
            if isinstance(item, dict) and item.get("type") == "csp-violation" and isinstance(item.get("body"), dict)
        ]
        style = 1
    else:
        raise ValueError("not a CSP report")
    lines = []
    for body in bodies[:CSP_REPORT_MAX_ENTRIES]:
        values = {name: body.get(keys[style]) for name, keys in CSP_FIELDS.items()}
        if values["directive"] is None:
            values["directive"] = body.get("violated-directive")
        lines.append(" ".join(f"{name}={_report_value(name, value)}" for name, value in values.items()))
    return lines
