"""Clinicdesk settings: every value comes from the environment, with safe defaults for a laptop.

Production differs from the embedded default only by environment variables (see README,
"Configuration"). A bad value stops the process at start with a message naming the variable.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("CLINICDESK_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("CLINICDESK_VAR", BASE_DIR / "var")).resolve()

env = environ.Env()


def _fail(name: str, message: str) -> None:
    raise ImproperlyConfigured(f"Environment variable {name}: {message}")


def _int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        _fail(name, f"'{raw}' is not a whole number.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        _fail(name, f"{value} is outside {minimum}..{maximum}.")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    _fail(name, f"'{raw}' is not true or false.")
    return default


DEBUG = _bool("DEBUG", False)
TESTING = "pytest" in sys.modules or _bool("CLINICDESK_TESTING", False)

# --- Secrets and hosts -------------------------------------------------------------------------
_DEV_SECRET = "insecure-development-key-set-SECRET_KEY-in-production-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
if not DEBUG and not TESTING and SECRET_KEY == _DEV_SECRET and _bool("HTTPS", False):
    _fail("SECRET_KEY", "must be set to a long random value when HTTPS=true (production).")
if len(SECRET_KEY) < 50:
    _fail("SECRET_KEY", "must be at least 50 characters long.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "clinicdesk.core.error_views.csrf_failure"
PORT = _int("PORT", 8000, minimum=1, maximum=65535)

# --- Applications ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
    "clinicdesk.core",
    "clinicdesk.accounts",
    "clinicdesk.audit",
    "clinicdesk.practice",
    "clinicdesk.imports",  # before patients: its `import` command serves every kind (patients delegated)
    "clinicdesk.patients",
    "clinicdesk.scheduling",
    "clinicdesk.reports",
    "clinicdesk.comms",
    "clinicdesk.demo",
    "clinicdesk.billing",
    "clinicdesk.frontdesk",
    "clinicdesk.ops",
    "clinicdesk.setup",
    "clinicdesk.insurance",
    "clinicdesk.staffing",
    "clinicdesk.insight",
    "clinicdesk.operations",
    "clinicdesk.compliance",
    "clinicdesk.portal",
    "clinicdesk.outreach",
    "oauth2_provider",
    "clinicdesk.interop.fhir",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clinicdesk.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clinicdesk.core.middleware.RequestContextMiddleware",
    "clinicdesk.core.replica.ReplicaPinMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinicdesk.core.ratelimit.RateLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clinicdesk.accounts.middleware.IdleTimeoutMiddleware",
    "clinicdesk.accounts.middleware.TwoFactorRequiredMiddleware",
    "clinicdesk.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinicdesk.setup.middleware.FirstRunMiddleware",
    "clinicdesk.setup.middleware.PracticeLanguageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clinicdesk.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "clinicdesk.urls"
WSGI_APPLICATION = "clinicdesk.wsgi.application"
ASGI_APPLICATION = "clinicdesk.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinicdesk.core.context_processors.shell",
            ],
        },
    }
]

# --- Database ----------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
try:
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'clinicdesk.sqlite3'}")}
except Exception as exc:  # environ raises several types for a malformed URL
    raise ImproperlyConfigured(f"Environment variable DATABASE_URL: cannot parse it ({exc}).") from exc

_engine = DATABASES["default"]["ENGINE"]
if _engine == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writes take the lock at BEGIN, so a re-check inside a transaction sees the final state.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
        ),
    }
    # Tests use a real file, as production does: an in-memory database shares one cache between
    # threads and answers "table is locked" where a file would wait its turn.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif _engine in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    _fail("DATABASE_URL", f"engine {_engine} is not supported; use sqlite:/// or postgres://.")

# A PostgreSQL streaming replica for the dashboards and reports (core/replica.py, docs/adr/0009): reads there
# only where a selector asks for it, never a write, never a read of the request's own write.
DATABASE_ROUTERS = ["clinicdesk.core.replica.ReplicaRouter"]
REPLICA_PIN_SECONDS = _int("REPLICA_PIN_SECONDS", 10, minimum=1, maximum=3600)
if _replica_url := env.str("DATABASE_REPLICA_URL", default=""):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _fail("DATABASE_REPLICA_URL", "a replica needs DATABASE_URL to be PostgreSQL.")
    try:
        DATABASES["replica"] = env.db_url_config(_replica_url)
    except Exception as exc:
        raise ImproperlyConfigured(f"Environment variable DATABASE_REPLICA_URL: cannot parse it ({exc}).") from exc
    if DATABASES["replica"]["ENGINE"] not in ("django.db.backends.postgresql",
                                              "django.db.backends.postgresql_psycopg2"):
        _fail("DATABASE_REPLICA_URL", "the replica must be a PostgreSQL standby (postgres://...).")
    DATABASES["replica"].update(ENGINE="django.db.backends.postgresql", CONN_HEALTH_CHECKS=True,
                                CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
                                TEST={"MIRROR": "default"})  # test databases live on the primary only

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions (nothing is kept in an app server's memory) ----------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "clinicdesk_cache",
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
IDLE_TIMEOUT_MINUTES = _int("IDLE_TIMEOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
# The waiting-room kiosk goes back to its start screen, and ends the patient's visit, after this long untouched.
KIOSK_IDLE_SECONDS = _int("KIOSK_IDLE_SECONDS", 60, minimum=2, maximum=600)
SESSION_COOKIE_AGE = 12 * 3600  # a working day; idle logoff happens much earlier
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Background work ---------------------------------------------------------------------------
# Tests run background work at once (after commit); a test of the worker itself picks "database".
TASK_BACKEND = env.str("TASK_BACKEND", default="immediate" if TESTING else "database")
_task_backends = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "reminders"]},
    "redis": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "reminders"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []},
}
if TASK_BACKEND not in _task_backends:
    _fail("TASK_BACKEND", f"'{TASK_BACKEND}' is not one of {', '.join(_task_backends)}.")
if TASK_BACKEND == "redis" and not REDIS_URL:
    _fail("REDIS_URL", "is required when TASK_BACKEND=redis.")
TASKS = {"default": _task_backends[TASK_BACKEND]}
# --- FHIR API: OAuth 2.0 with SMART v2 scopes (clinicdesk.interop.fhir) ---------------------------
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "SCOPES_BACKEND_CLASS": "clinicdesk.interop.fhir.scopes.SmartScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if DEBUG or TESTING else ["https"],
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grants, S256 PKCE only, tokens only in
    # the Authorization header, `iss` in authorization responses, hashed token storage, refresh replay
    # revokes the whole token family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
FHIR_BASE_URL = env.str("FHIR_BASE_URL", default="")  # absolute base for links; empty: from the request
INSTALLED_APPS.append("django_rq")  # the Redis queues; idle unless TASK_BACKEND=redis
RQ_QUEUES = {name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"} for name in ("default", "reminders")}

# --- Passwords and sign-in ---------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOCKOUT_THRESHOLD = _int("LOCKOUT_THRESHOLD", 5, minimum=1)
LOCKOUT_MINUTES = _int("LOCKOUT_MINUTES", 15, minimum=1)
OTP_TOTP_ISSUER = "Clinicdesk"

# --- Rate limits on the endpoints reachable without signing in (clinicdesk.core.ratelimit) ----------
# Per client IP, in the default cache. A rate is "<count>/<period>" with period s, m, h or d (django-ratelimit's
# syntax, e.g. "10/m", "100/5m"), or "off". Tests get limits no suite reaches; the tests of the limits lower them.
_RATE = re.compile(r"^[1-9]\d*/\d*[smhd]$")


def _rate(name: str, default: str) -> str:
    raw = os.environ.get(name, "").strip() or (default if not TESTING else "100000/m")
    if raw.lower() == "off":
        return ""
    if not _RATE.match(raw):
        _fail(name, f"'{raw}' is not a rate like 10/m, 100/h or 5/30s (or off).")
    return raw


RATELIMIT_SIGN_IN = _rate("RATELIMIT_SIGN_IN", "10/m")  # POSTs to the sign-in page; the per-account lockout stays
RATELIMIT_OAUTH = _rate("RATELIMIT_OAUTH", "60/m")  # /o/ (authorize, token, revoke, introspect), SMART configuration
RATELIMIT_FHIR = _rate("RATELIMIT_FHIR", "600/m")  # /fhir/r4/
RATELIMIT_ANSWER_LINKS = _rate("RATELIMIT_ANSWER_LINKS", "30/m")  # a patient's answer links /r/<token>/
RATELIMIT_SMS_HOOKS = _rate("RATELIMIT_SMS_HOOKS", "600/m")  # the SMS gateway's webhooks /hooks/sms/
RATELIMIT_FIRST_RUN = _rate("RATELIMIT_FIRST_RUN", "10/h")  # setup-token attempts on /setup/start/
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = _bool("RATELIMIT_FAIL_OPEN", True)  # counter store down: answer, do not refuse everyone
# The client's address: REMOTE_ADDR, or behind a reverse proxy a header it sets to one address (HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
# Where the counters live: Redis when there is one (django-ratelimit on the cache, two round trips), else the
# database: one atomic upsert per counted request on a table every process shares (clinicdesk.core.rate_counter).
RATELIMIT_COUNTERS = "cache" if REDIS_URL else "database"
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # django-ratelimit refuses the database cache (its increment is a read then a write, not atomic). It is not
    # used to count here: without Redis, the counters are core.rate_counter's, exact under concurrency.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Security headers --------------------------------------------------------------------------
HTTPS = _bool("HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _int("HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

# --- Internationalisation and time -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    _fail("TIME_ZONE", f"'{TIME_ZONE}' is not an IANA time zone name.")

# --- Static files and uploads ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
_vendor = BASE_DIR / "node_modules"
VENDOR_ASSETS = {
    "htmx.min.js": _vendor / "htmx.org" / "dist" / "htmx.min.js",
    "chart.umd.min.js": _vendor / "chart.js" / "dist" / "chart.umd.min.js",  # insight dashboards (#22)
    # its source map, which the script names: collectstatic's manifest storage follows the reference
    "chart.umd.min.js.map": _vendor / "chart.js" / "dist" / "chart.umd.min.js.map",
    "lucide/": _vendor / "lucide-static" / "icons",  # a folder: /static/vendor/lucide/<name>.svg, {% icon %}
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(VAR_DIR / "documents")}},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "clinicdesk.core.staticfinders.VendorAssetFinder",
]
WHITENOISE_USE_FINDERS = TESTING or DEBUG

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = _int("EMAIL_PORT", 1025, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Clinicdesk <no-reply@clinicdesk.invalid>")

# --- Logging: ids and codes only, never patient data -------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    _fail("LOG_LEVEL", f"'{LOG_LEVEL}' is not DEBUG, INFO, WARNING, ERROR or CRITICAL.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# --- Audit anchor ------------------------------------------------------------------------------
# An append-only file, best on a disk other than the database's, holding the audit chain's end as last seen
# (by every backup and by the ticker every AUDIT_ANCHOR_SECONDS): audit/anchor.py, docs/operations.md.
# The patient-matching weights learned from the practice's own charts (`clinicdesk matching train`, #17).
MATCHING_MODEL_PATH = env.str("MATCHING_MODEL_PATH", default=str(VAR_DIR / "matching" / "model.json"))
AUDIT_ANCHOR_PATH = env.str("AUDIT_ANCHOR_PATH", default=str(VAR_DIR / "audit-anchor.jsonl"))
AUDIT_ANCHOR_SECONDS = _int("AUDIT_ANCHOR_SECONDS", 300, minimum=10)
# Entries are sealed into the chain after commit; the ticker seals a crashed process's tail every AUDIT_SEAL_SECONDS,
# and `audit verify` fails on an entry left unsealed longer than AUDIT_SEAL_BOUND_SECONDS (docs/adr/0007).
AUDIT_SEAL_SECONDS = _int("AUDIT_SEAL_SECONDS", 15, minimum=1)
AUDIT_SEAL_BOUND_SECONDS = _int("AUDIT_SEAL_BOUND_SECONDS", 60, minimum=5)
# A process seals after a commit only if it has not done so in the last AUDIT_SEAL_COALESCE_MS milliseconds (the
# sealer was ~5.5% of a desk page's CPU); a skipped commit's entries go with the next commit's seal, or the ticker's.
# 0 seals after every commit. Longer than the ticker's interval would leave the sealing to the ticker alone.
AUDIT_SEAL_COALESCE_MS = _int("AUDIT_SEAL_COALESCE_MS", 250, minimum=0, maximum=AUDIT_SEAL_SECONDS * 1000)

# --- Patient communications --------------------------------------------------------------------
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{PORT}")
PRACTICE_SHORT_NAME = env.str("PRACTICE_SHORT_NAME", default="Riverside Medical")
ANSWER_LINK_MAX_AGE_DAYS = _int("ANSWER_LINK_MAX_AGE_DAYS", 60, minimum=1)
QUIET_HOURS_START = _int("QUIET_HOURS_START", 21, minimum=0, maximum=23)
QUIET_HOURS_END = _int("QUIET_HOURS_END", 8, minimum=0, maximum=23)
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="http://127.0.0.1:8025")
SMS_ACCOUNT_SID = env.str("SMS_ACCOUNT_SID", default="AC-demo")
SMS_AUTH_TOKEN = env.str("SMS_AUTH_TOKEN", default="demo-token")
SMS_FROM = env.str("SMS_FROM", default="+14135550100")
SMS_STATUS_CALLBACK_URL = env.str("SMS_STATUS_CALLBACK_URL", default="")
# Shared secret the gateway's inbound-SMS and status webhooks must present (X-Clinicdesk-Webhook-Token).
SMS_WEBHOOK_TOKEN = env.str("SMS_WEBHOOK_TOKEN", default="")
# Or the provider's signature of each webhook (HMAC-SHA1 with SMS_AUTH_TOKEN), in this header: comms/webhook_auth.py.
SMS_WEBHOOK_SIGNATURE_HEADER = env.str("SMS_WEBHOOK_SIGNATURE_HEADER", default="X-Twilio-Signature")
WAITLIST_OFFER_FANOUT = _int("WAITLIST_OFFER_FANOUT", 3, minimum=1, maximum=20)
COMMS_LEASE_SECONDS = _int("COMMS_LEASE_SECONDS", 300, minimum=1)
COMMS_HANDOFF_CHUNK = _int("COMMS_HANDOFF_CHUNK", 5, minimum=1, maximum=100)
# Each channel's send rate (messages a second, per outbox worker; 0, the default: no limit): set it to the provider's
# limit, e.g. an SMS long code 1, a toll-free number 3, a short code 100; an SMTP relay's quota. comms.delivery paces
# every send to it. No default limit: a day's reminders (bench/RESULTS.md, ~250 a second) must not queue behind one.
COMMS_RATE_EMAIL = _int("COMMS_RATE_EMAIL", 0, minimum=0, maximum=1000)
COMMS_RATE_SMS = _int("COMMS_RATE_SMS", 0, minimum=0, maximum=1000)
# The incoming-mail intake address (#24), read over IMAP every INCOMING_IMAP_EVERY seconds; empty host: off.
INCOMING_IMAP_HOST = env.str("INCOMING_IMAP_HOST", default="")
INCOMING_IMAP_PORT = _int("INCOMING_IMAP_PORT", 993, minimum=1, maximum=65535)
INCOMING_IMAP_SSL = env.bool("INCOMING_IMAP_SSL", default=True)
INCOMING_IMAP_USER = env.str("INCOMING_IMAP_USER", default="")
INCOMING_IMAP_PASSWORD = env.str("INCOMING_IMAP_PASSWORD", default="")
INCOMING_IMAP_MAILBOX = env.str("INCOMING_IMAP_MAILBOX", default="INBOX")
INCOMING_IMAP_LOCATION = env.str("INCOMING_IMAP_LOCATION", default="")  # location code the mail is logged at
INCOMING_IMAP_EVERY = _int("INCOMING_IMAP_EVERY", 300, minimum=30)

# --- Online payments in the patient portal (issue #23; a hosted-checkout provider, portal/gateway.py) --------
# Card numbers never reach Clinicdesk: the patient pays on the provider's page; its signed webhook posts the payment.
# All three must be set before a patient can pay online (checked when the feature is used, not at start-up).
PAYMENT_GATEWAY_URL = env.str("PAYMENT_GATEWAY_URL", default="")
PAYMENT_GATEWAY_KEY = env.str("PAYMENT_GATEWAY_KEY", default="")
PAYMENT_WEBHOOK_SECRET = env.str("PAYMENT_WEBHOOK_SECRET", default="")
PAYMENT_WEBHOOK_TOLERANCE_SECONDS = _int("PAYMENT_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=30, maximum=3600)
PAYMENT_CURRENCY = env.str("PAYMENT_CURRENCY", default="USD")
# Minutes a hosted checkout stays open at the provider (sent as its expiry); a payment still pending after it is
# marked expired (portal task "expire-online-payments", and when the patient opens the payments page).
PAYMENT_CHECKOUT_EXPIRY_MINUTES = _int("PAYMENT_CHECKOUT_EXPIRY_MINUTES", 60, minimum=30, maximum=24 * 60)

# --- Front desk ----------------------------------------------------------------------------------
# Minutes an unanswered triage slip of each priority waits before it escalates to the practice coordinator.
FRONTDESK_TRIAGE_ESCALATION_MINUTES = {
    "urgent": _int("TRIAGE_ESCALATE_URGENT_MINUTES", 30, minimum=1),
    "same-day": _int("TRIAGE_ESCALATE_SAME_DAY_MINUTES", 240, minimum=1),
    "routine": _int("TRIAGE_ESCALATE_ROUTINE_MINUTES", 1440, minimum=1),
}

# --- Insurance eligibility (X12 270/271 through a clearinghouse; #18, docs/operations.md) -------------------
# Real time: CAQH CORE MIME multipart over HTTPS. Batch: SFTP drop folders, or local folders.
CLEARINGHOUSE_CORE_URL = env.str("CLEARINGHOUSE_CORE_URL", default="")
CLEARINGHOUSE_USERNAME = env.str("CLEARINGHOUSE_USERNAME", default="")
CLEARINGHOUSE_PASSWORD = env.str("CLEARINGHOUSE_PASSWORD", default="")
CLEARINGHOUSE_SENDER_ID = env.str("CLEARINGHOUSE_SENDER_ID", default="CLINICDESK")
CLEARINGHOUSE_RECEIVER_ID = env.str("CLEARINGHOUSE_RECEIVER_ID", default="CLEARINGHOUSE")
CLEARINGHOUSE_TIMEOUT_SECONDS = _int("CLEARINGHOUSE_TIMEOUT_SECONDS", 20, minimum=1, maximum=120)
CLEARINGHOUSE_CONNECTIONS = _int("CLEARINGHOUSE_CONNECTIONS", 4, minimum=1, maximum=16)
CLEARINGHOUSE_USAGE = env.str("CLEARINGHOUSE_USAGE", default="P")  # ISA15: P production, T test
CLEARINGHOUSE_SFTP_HOST = env.str("CLEARINGHOUSE_SFTP_HOST", default="")
CLEARINGHOUSE_SFTP_PORT = _int("CLEARINGHOUSE_SFTP_PORT", 22, minimum=1, maximum=65535)
CLEARINGHOUSE_SFTP_USERNAME = env.str("CLEARINGHOUSE_SFTP_USERNAME", default="")
CLEARINGHOUSE_SFTP_PASSWORD = env.str("CLEARINGHOUSE_SFTP_PASSWORD", default="")
CLEARINGHOUSE_SFTP_KEY = env.str("CLEARINGHOUSE_SFTP_KEY", default="")
CLEARINGHOUSE_SFTP_KNOWN_HOSTS = env.str("CLEARINGHOUSE_SFTP_KNOWN_HOSTS", default="")
CLEARINGHOUSE_SFTP_OUTBOUND = env.str("CLEARINGHOUSE_SFTP_OUTBOUND", default="outbound")
CLEARINGHOUSE_SFTP_INBOUND = env.str("CLEARINGHOUSE_SFTP_INBOUND", default="inbound")
CLEARINGHOUSE_FOLDER_OUTBOUND = env.str("CLEARINGHOUSE_FOLDER_OUTBOUND", default=str(VAR_DIR / "x12" / "outbound"))
CLEARINGHOUSE_FOLDER_INBOUND = env.str("CLEARINGHOUSE_FOLDER_INBOUND", default=str(VAR_DIR / "x12" / "inbound"))
# A result older than this (days) asks for a new verification.
ELIGIBILITY_MAX_AGE_DAYS = _int("ELIGIBILITY_MAX_AGE_DAYS", 30, minimum=1, maximum=365)
ELIGIBILITY_BATCH_HOUR = _int("ELIGIBILITY_BATCH_HOUR", 18, minimum=0, maximum=23)  # the evening job starts then
