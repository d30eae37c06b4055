"""Settings for the Guizhou gig-market portal.

One module, read from the environment. DEBUG is off unless DEBUG=1 is set: then
(`make run`, the tests) the portal runs locally on a SQLite file with development
keys, console e-mail and an in-process Celery broker. Off, it is the production
profile and refuses to start without its own SECRET_KEY and PII_KEY. Each production
part is switched on by a variable (see docs/configuration.md). A bad value fails at
start-up, not later.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GM_VAR_DIR", BASE_DIR / "var"))


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (0/1), got {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url):
    """Turn postgres://user:pass@host:port/name into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, got scheme {parsed.scheme!r}")
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL has no database name")
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    # PostgreSQL's JIT compiles every large aggregate (the monitoring sums) at 20-25 ms
    # each on a small server, more than the queries themselves. Memoize: on a list page's
    # joins under LIMIT 25 the planner sizes its cache for the whole table (491 k matches:
    # 2 ms of set-up for 25 rows). Both off unless the URL sets `options`.
    options.setdefault("options", "-c jit=off -c enable_memoize=off")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
        "TEST": {"NAME": f"test_{name}"},
    }


# Off unless switched on: `make run` (the demo) and the test settings set DEBUG=1.
# Without it the production profile applies, and the portal refuses to start with a
# development, missing or weak key (see `_check_production_keys` below).
DEBUG = env_bool("DEBUG", False)
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
DEV_PII_KEY = "dev-only-pii-key-change-me"
SECRET_KEY_MIN_LENGTH = 50


def production_key_problems(secret_key, pii_key, pii_keys=""):
    """Why these keys must not run the portal outside DEBUG (a list of English lines)."""
    problems = []
    if not secret_key:
        problems.append("SECRET_KEY must be set when DEBUG is off")
    elif (
        secret_key == DEV_SECRET_KEY
        or secret_key.startswith(("django-insecure", "dev-only"))
        or len(secret_key) < SECRET_KEY_MIN_LENGTH
        or len(set(secret_key)) < 5
    ):
        problems.append(
            f"SECRET_KEY is a development or weak key: use {SECRET_KEY_MIN_LENGTH}+ random characters, e.g. "
            '`python3 -c "import secrets; print(secrets.token_urlsafe(64))"`'
        )
    if pii_keys:
        # The keyring (PII_KEYS, parsed below) replaces PII_KEY; none of its secrets may be the published one.
        secrets = [entry.partition(":")[2].strip() for entry in pii_keys.split(",")]
        if any(secret == DEV_PII_KEY or secret.startswith("dev-only") for secret in secrets):
            problems.append("PII_KEYS holds the development key published in the repository: remove it")
    elif not pii_key:
        problems.append("PII_KEY must be set when DEBUG is off (or the keyring PII_KEYS)")
    elif pii_key == DEV_PII_KEY or pii_key.startswith("dev-only"):
        problems.append("PII_KEY is the development key published in the repository: set the installation's own key")
    return problems


SECRET_KEY = env_str("SECRET_KEY")
PII_KEY = env_str("PII_KEY")
if not DEBUG:
    _problems = production_key_problems(SECRET_KEY, PII_KEY, env_str("PII_KEYS"))
    if _problems:
        raise ImproperlyConfigured(
            "; ".join(_problems) + ". (DEBUG is off unless DEBUG=1 is set; `make run` sets it for the local demo.)"
        )
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The portal's own apps: the core first, then the product apps. This list and the URLconf are the
# only places that name the product apps: each registers its home-page cards, demo data and beat
# entries itself (gigmarket/core/plugins.py), and the core imports none of them.
PROJECT_APPS = [
    "gigmarket.core",
    "markets",
    "registry",
    "matching",
    "reporting",
    "bench",  # no models: the data generator behind `manage.py generate_data` (docs/performance.md)
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "gigmarket.core.security.ProxyClientIPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gigmarket.core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "gigmarket.core.security.RejectNulBytesMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gigmarket.core.replicas.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gigmarket.core.middleware.SessionLifetimeMiddleware",
    "gigmarket.core.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gigmarket.urls"
WSGI_APPLICATION = "gigmarket.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gigmarket.core.context_processors.portal",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }

# Scale-out (docs/deployment.md): a streaming replica for the heavy reads. The views listed
# read the product apps' tables from it; everything else, and every write, uses the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (the primary) as well")
    DATABASES["replica"] = database_from_url(DATABASE_REPLICA_URL)
    DATABASES["replica"]["OPTIONS"].setdefault("connect_timeout", env_int("REPLICA_CONNECT_TIMEOUT", 2))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["gigmarket.core.replicas.ReplicaRouter"]
REPLICA_READ_VIEWS = env_list(
    "REPLICA_READ_VIEWS",
    [
        "reporting:monitoring",
        "reporting:monitoring_export",
        "reporting:export",
        "reporting:open_csv",
        "markets:export",
        "markets:directory",
        "markets:directory_detail",
        "registry:worker_export",
    ],
)
REPLICA_READ_APPS = env_list("REPLICA_READ_APPS", ["markets", "registry", "matching", "reporting"])
# A browser that wrote reads from the primary for this long (read-your-writes).
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 30)
# After a failed connection the replica is left alone this long before it is tried again.
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 30)

# Covering indexes (INCLUDE, reporting's rollups) are PostgreSQL-only; SQLite (development,
# tests) builds the same indexes without the non-key columns, which is all W040 reports.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "gigmarket.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): 5 failures for one username from one IP lock that
# combination for 30 minutes (not extended by further tries). Axes checks first;
# PortalModelBackend (a ModelBackend) then authenticates, and on every request reads the
# user with the division and market the user menu shows, and refuses inactive users.
# Django's ModelBackend stays listed, last, for the sessions stored under its path before;
# it never authenticates (PortalModelBackend ends a refused login).
AUTHENTICATION_BACKENDS = [
    "gigmarket.core.security.PortalAxesBackend",
    "gigmarket.core.security.PortalModelBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gigmarket.core.security.lockout_response"
AXES_USERNAME_CALLABLE = "gigmarket.core.security.axes_username"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已暂时锁定，请稍后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号已锁定，请联系管理员解锁。"
# Behind nginx, REMOTE_ADDR is the proxy; ProxyClientIPMiddleware takes the client
# address from X-Real-IP, which nginx always overwrites. Only enable it when the app
# server is reachable through the proxy alone.
TRUST_X_REAL_IP = env_bool("TRUST_X_REAL_IP", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "gigmarket.core.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gigmarket.core.validators.CharacterClassValidator"},
    {"NAME": "gigmarket.core.validators.PersonalInfoValidator"},
]

# Password expiry (等保 8.1.4.1 口令定期更换): a password older than PASSWORD_MAX_AGE_DAYS
# must be changed before anything else (0 turns expiry off); a warning is shown at login
# in the last PASSWORD_EXPIRY_WARNING_DAYS. Accounts created or reset by a manager must
# choose their own password at the next login whatever these say.
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_EXPIRY_WARNING_DAYS = env_int("PASSWORD_EXPIRY_WARNING_DAYS", 7)
if PASSWORD_MAX_AGE_DAYS < 0 or PASSWORD_EXPIRY_WARNING_DAYS < 0:
    raise ImproperlyConfigured("PASSWORD_MAX_AGE_DAYS and PASSWORD_EXPIRY_WARNING_DAYS must be 0 or more")

# Sessions: end after 30 idle minutes and at most 12 hours after login. The cookie and
# database expiry move forward when SessionLifetimeMiddleware touches the session (at most
# once a minute), not on every request: saving every request costs 3 statements a page.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_MAX_LIFETIME = env_int("SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Exports off the request (issue 19): more rows than this run as a Celery job whose file
# (on default_storage) its owner downloads from 我的导出 for EXPORT_JOB_TTL_HOURS.
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 5000)
EXPORT_JOB_TTL_HOURS = env_int("EXPORT_JOB_TTL_HOURS", 24)

# Uploads (spreadsheet imports) are small: cap them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_PIXELS", 40_000_000)
# What an uploaded .xlsx may expand to, checked before any XML is parsed
# (gigmarket/core/uploads.py): each part, the shared strings, all parts together.
IMPORT_MAX_PART_BYTES = env_int("IMPORT_MAX_PART_BYTES", 16 * 1024 * 1024)
IMPORT_MAX_SHARED_STRINGS_BYTES = env_int("IMPORT_MAX_SHARED_STRINGS_BYTES", 8 * 1024 * 1024)
IMPORT_MAX_UNZIPPED_BYTES = env_int("IMPORT_MAX_UNZIPPED_BYTES", 32 * 1024 * 1024)
# Rows an import reads at most; reading stops at the next one.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 5000)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "零工市场管理平台 <noreply@localhost>")

# Cache and Celery: Redis when REDIS_URL is set; otherwise a local-memory cache
# and a file-system broker under var/, so a worker with embedded beat runs
# beside `runserver` with no Redis server.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gm",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
# Lifetime of a cached public 名录 page. A market write changes its generation token, so
# with the shared Redis cache every node sees the change at once and the lifetime only
# bounds memory: an hour keeps random market pages warm. The per-process cache of the
# local run cannot see another process's token, hence a minute there.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 3600 if REDIS_URL else 60)
# Sessions stay in the database; with Redis they are read through the cache (cached_db:
# every save still writes the row first, so a Redis restart or flush signs nobody out).
# One SELECT fewer on every signed-in request (issue 19, docs/performance.md). The portal's
# engines are Django's two with the session read compiled once per process (same rows and
# cache keys: switching keeps every session).
SESSION_ENGINE = env_str(
    "SESSION_ENGINE",
    "gigmarket.core.sessions.cached_db" if REDIS_URL else "gigmarket.core.sessions.db",
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True

# Personal data: key for the keyed hash and encryption of 身份证号 (read above with
# SECRET_KEY). In DEBUG the published development key is used when none is set;
# outside DEBUG start-up is refused with it or without one.
PII_KEY = PII_KEY or ("" if env_str("PII_KEYS") else DEV_PII_KEY)

# --- Personal-data keyring and algorithms (docs/security.md "Key management") ---------
# PII_KEYS: comma-separated id:secret, every key read, the first writes; without it the
# single PII_KEY above is the one key (id "legacy"). PII_CIPHER: fernet | sm4 (SM4-GCM).
# PII_HASH: sha256 | sm3 (HMAC). Parsed and self-tested here so a bad value, or an OpenSSL
# without SM4/SM3, stops start-up; gigmarket.core.pii reads these settings at use.
PII_KEYS = env_str("PII_KEYS")
PII_CIPHER = env_str("PII_CIPHER", "fernet")
PII_HASH = env_str("PII_HASH", "sha256")
from gigmarket.core.pii import parse_keyring  # noqa: E402  (no Django settings needed to parse)

parse_keyring(PII_KEYS, PII_KEY, PII_CIPHER, PII_HASH)
# --- end of the personal-data keyring block ---------------------------------------------

# Hardship tiers (分级服务, notice 七): thresholds are settings.
SENIOR_AGE_MALE = env_int("SENIOR_AGE_MALE", 50)
SENIOR_AGE_FEMALE = env_int("SENIOR_AGE_FEMALE", 40)
LONG_WAIT_DAYS = env_int("LONG_WAIT_DAYS", 30)
# 工资结算 (八): days after 完工 within which a wage must be paid before a 欠薪 case opens.
WAGE_PAYMENT_DAYS = env_int("WAGE_PAYMENT_DAYS", 7)

# Public worker side (issue 15): unconverted online applications and 扫码登记 pre-registrations
# are deleted after this many days (PIPL: kept no longer than needed); the 我的报名 session
# (phone proved by SMS code) lasts this many seconds.
PUBLIC_SUBMISSION_RETENTION_DAYS = env_int("PUBLIC_SUBMISSION_RETENTION_DAYS", 30)
MY_SESSION_SECONDS = env_int("MY_SESSION_SECONDS", 30 * 60)

# 名录 reporting reminders: days before the due date (comma-separated, e.g. "7,3,1").
try:
    REPORTING_REMINDER_DAYS = sorted({int(d) for d in env_list("REPORTING_REMINDER_DAYS", ["7", "3", "1"])})
except ValueError as exc:
    raise ImproperlyConfigured("REPORTING_REMINDER_DAYS must be comma-separated whole days, e.g. 7,3,1") from exc
if not REPORTING_REMINDER_DAYS or min(REPORTING_REMINDER_DAYS) < 1:
    raise ImproperlyConfigured("REPORTING_REMINDER_DAYS needs at least one day, each 1 or more")

# Demo accounts
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "Gz-demo-2026")

PAGE_SIZE = 50

# Every handler masks 身份证号 and mobiles. `django.server` (runserver's access lines, which
# carry query strings) keeps Django's own format, through a masking handler of its own;
# gunicorn's access log is masked by `gigmarket.gunicorn_logging.MaskedLogger`.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "gigmarket.core.logging.MaskPersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_pii"],
            "formatter": "plain",
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "filters": ["mask_pii"],
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# Production hardening: on whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The load balancer probes /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (SecurityHeadersMiddleware): no inline scripts or styles,
# nothing from other origins, no framing.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "accelerometer": [],
    "gyroscope": [],
    "magnetometer": [],
}

# --- Two-factor login (等保 8.1.4.1 d; django-otp TOTP + one-time recovery codes) ----------
# Kept in one block: it adds the apps and the middleware it needs to the lists above.
# OTP_REQUIRED_ROLES: roles that must give a second factor after the password (and enrol at
# their first login). Default: every role but the window clerk when DEBUG is off; none in the
# demo (DEBUG on), which offers 2FA without forcing it. Superusers count as province staff.
# Clerks are switched on per county by the county's own staff (Division.clerks_need_two_factor).
# OTP_FAILURE_LIMIT wrong codes in a row lock the code step for OTP_LOCKOUT_MINUTES.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("gigmarket.core.middleware.PasswordChangeRequiredMiddleware"),
    "gigmarket.core.twofactor.TwoFactorRequiredMiddleware",
)
OTP_ROLE_CHOICES = ("province", "auditor", "city", "county", "clerk")
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", [] if DEBUG else ["province", "auditor", "city", "county"])
if set(OTP_REQUIRED_ROLES) - set(OTP_ROLE_CHOICES):
    raise ImproperlyConfigured(
        f"OTP_REQUIRED_ROLES takes a comma-separated list of {', '.join(OTP_ROLE_CHOICES)}; got {OTP_REQUIRED_ROLES!r}"
    )
OTP_FAILURE_LIMIT = env_int("OTP_FAILURE_LIMIT", 5)
OTP_LOCKOUT_MINUTES = env_int("OTP_LOCKOUT_MINUTES", 15)
if OTP_FAILURE_LIMIT < 1 or OTP_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("OTP_FAILURE_LIMIT and OTP_LOCKOUT_MINUTES must be 1 or more")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "贵州省零工市场管理平台")
# The fixed lock above replaces django-otp's exponential back-off (which would refuse a
# second try within 1, 2, 4… seconds); the library still counts failures on each device.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Audit retention and CSP reporting (issue 13: tamper-proof audit, report-only CSP) ---
# Audit rows are kept at least AUDIT_RETENTION_DAYS (等保 / 网络安全法: six months or more)
# and removed only by `manage.py audit_archive`, which exports them first. The database
# trigger (gigmarket/core/migrations/0006) holds the 183-day floor whatever this says.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 183)
if AUDIT_RETENTION_DAYS < 183:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be 183 (six months) or more")
# CSP_REPORT_ONLY=1 sends the policy as Content-Security-Policy-Report-Only: browsers report
# what a changed policy would block but block nothing, so it can be tried in production.
# CSP_REPORT_URI adds report-uri/report-to: "/csp-report" is the portal's own endpoint
# (logs each report, masked), or any collector's URL. Empty: no reports are sent.
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
CSP_REPORT_URI = env_str("CSP_REPORT_URI", "")
CSP_REPORT_MAX_BYTES = 8 * 1024
CSP_REPORTS_PER_MINUTE = env_int("CSP_REPORTS_PER_MINUTE", 30)

# --- SMS (issue 15; docs/configuration.md "SMS") ---------------------------------------
# One outbox table (gigmarket.core.models.SmsMessage), sent by Celery through the backend
# SMS_BACKEND names: "console" (default: writes each message to SMS_LOG_FILE and the log,
# nothing leaves the machine), "aliyun" (Alibaba Cloud dysmsapi) or "tencent" (Tencent
# Cloud SMS), each through its official SDK. SMS_ENDPOINT overrides the provider's host
# (a private endpoint, or the local fake the tests start).
SMS_BACKENDS = ("console", "aliyun", "tencent")
SMS_BACKEND = env_str("SMS_BACKEND", "console").strip().lower()
if SMS_BACKEND not in SMS_BACKENDS:
    raise ImproperlyConfigured(f"SMS_BACKEND must be one of {', '.join(SMS_BACKENDS)}, got {SMS_BACKEND!r}")
SMS_SIGNATURE = env_str("SMS_SIGNATURE", "贵州零工市场").strip()
if not SMS_SIGNATURE or any(ch in SMS_SIGNATURE for ch in "【】"):
    raise ImproperlyConfigured("SMS_SIGNATURE must be the bare signature (without 【】), e.g. 贵州零工市场")
SMS_LOG_FILE = env_str("SMS_LOG_FILE", str(VAR_DIR / "sms.log"))
SMS_ENDPOINT = env_str("SMS_ENDPOINT", "").strip()
SMS_ENDPOINT_SCHEME = env_str("SMS_ENDPOINT_SCHEME", "https").strip().lower()
if SMS_ENDPOINT_SCHEME not in {"https", "http"}:
    raise ImproperlyConfigured(f"SMS_ENDPOINT_SCHEME must be https or http, got {SMS_ENDPOINT_SCHEME!r}")
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10)


def _template_codes(name):
    """SMS_TEMPLATE_CODES="code:SMS_1234,match_confirmed:SMS_5678" -> {key: provider code}."""
    codes = {}
    for entry in env_list(name, []):
        key, sep, code = entry.partition(":")
        if not sep or not key.strip() or not code.strip():
            raise ImproperlyConfigured(f"{name} takes comma-separated key:provider_code entries, got {entry!r}")
        codes[key.strip()] = code.strip()
    return codes


# Provider template codes per portal template key (the keys of gigmarket.core.sms.templates).
SMS_TEMPLATE_CODES = _template_codes("SMS_TEMPLATE_CODES")
SMS_ALIYUN_ACCESS_KEY_ID = env_str("SMS_ALIYUN_ACCESS_KEY_ID")
SMS_ALIYUN_ACCESS_KEY_SECRET = env_str("SMS_ALIYUN_ACCESS_KEY_SECRET")
SMS_TENCENT_SECRET_ID = env_str("SMS_TENCENT_SECRET_ID")
SMS_TENCENT_SECRET_KEY = env_str("SMS_TENCENT_SECRET_KEY")
SMS_TENCENT_APP_ID = env_str("SMS_TENCENT_APP_ID")  # SmsSdkAppId, e.g. 1400000000
SMS_TENCENT_REGION = env_str("SMS_TENCENT_REGION", "ap-guangzhou")
if SMS_BACKEND == "aliyun" and not (SMS_ALIYUN_ACCESS_KEY_ID and SMS_ALIYUN_ACCESS_KEY_SECRET):
    raise ImproperlyConfigured("SMS_BACKEND=aliyun needs SMS_ALIYUN_ACCESS_KEY_ID and SMS_ALIYUN_ACCESS_KEY_SECRET")
if SMS_BACKEND == "tencent" and not (SMS_TENCENT_SECRET_ID and SMS_TENCENT_SECRET_KEY and SMS_TENCENT_APP_ID):
    raise ImproperlyConfigured(
        "SMS_BACKEND=tencent needs SMS_TENCENT_SECRET_ID, SMS_TENCENT_SECRET_KEY and SMS_TENCENT_APP_ID"
    )
# Sending: a failed try is retried SMS_MAX_ATTEMPTS times in all, after
# SMS_RETRY_BASE_SECONDS × 2^(try−1) (30 s, 1, 2, 4 min by default); then it is 发送失败.
SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 5)
SMS_RETRY_BASE_SECONDS = env_int("SMS_RETRY_BASE_SECONDS", 30)
# No message but a verification code is sent between these hours (Asia/Shanghai): one
# enqueued then waits until SMS_QUIET_END o'clock.
SMS_QUIET_START = env_int("SMS_QUIET_START", 22)
SMS_QUIET_END = env_int("SMS_QUIET_END", 7)
if not (0 <= SMS_QUIET_END <= 23 and 0 <= SMS_QUIET_START <= 23):
    raise ImproperlyConfigured("SMS_QUIET_START and SMS_QUIET_END are hours 0-23")
# Verification codes: SMS_CODE_DIGITS digits, valid SMS_CODE_TTL_SECONDS, one use, void
# after SMS_CODE_MAX_TRIES wrong tries. Sending is limited per phone (one every
# SMS_CODE_PHONE_INTERVAL_SECONDS, SMS_CODE_PHONE_PER_HOUR an hour, SMS_CODE_PHONE_PER_DAY a
# day) and per client IP (SMS_CODE_IP_PER_HOUR, SMS_CODE_IP_PER_DAY), counted in the cache.
SMS_CODE_DIGITS = 6
SMS_CODE_TTL_SECONDS = env_int("SMS_CODE_TTL_SECONDS", 300)
SMS_CODE_MAX_TRIES = env_int("SMS_CODE_MAX_TRIES", 5)
SMS_CODE_PHONE_INTERVAL_SECONDS = env_int("SMS_CODE_PHONE_INTERVAL_SECONDS", 60)
SMS_CODE_PHONE_PER_HOUR = env_int("SMS_CODE_PHONE_PER_HOUR", 5)
SMS_CODE_PHONE_PER_DAY = env_int("SMS_CODE_PHONE_PER_DAY", 10)
SMS_CODE_IP_PER_HOUR = env_int("SMS_CODE_IP_PER_HOUR", 20)
SMS_CODE_IP_PER_DAY = env_int("SMS_CODE_IP_PER_DAY", 60)
# Outbox rows and codes older than this are removed by `manage.py sms_purge` (nightly).
SMS_RETENTION_DAYS = env_int("SMS_RETENTION_DAYS", 90)
if SMS_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("SMS_RETENTION_DAYS must be 1 or more")
# Replies (上行短信, e.g. "TD") posted by the provider to /sms/inbound/<token>/; off while empty.
SMS_INBOUND_TOKEN = env_str("SMS_INBOUND_TOKEN", "").strip()
