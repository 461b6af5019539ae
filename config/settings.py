"""Refrain settings, read from the environment (12-factor).

With no environment at all the app runs for local use: DEBUG on, SQLite under var/,
Redis on localhost. Every value that is set but cannot be understood stops start-up
with a message naming the variable, rather than falling back silently.
"""

import os
import re
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("REFRAIN_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)"
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    # Otherwise every request would answer 400 with nothing in the logs to say why.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off, e.g. refrain.example.org"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    # Two-step sign-in for staff: authenticator apps (TOTP) and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Content-Security-Policy; its system checks catch settings in the pre-4.0 format.
    "csp",
    # Audit trail: before sessions_app, whose admin replaces its LogEntry admin.
    "auditlog",
    "sessions_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Security headers on every response Django answers (static files included).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After sessions and authentication, whose outcome it reads; after WhiteNoise, which
    # answers static files before it and keeps their long caching.
    "sessions_app.security_headers.NoStoreMiddleware",
    # Which second factor, if any, this session passed; then staff who have not passed
    # one are sent to the second step (or to set one up) before any page.
    "django_otp.middleware.OTPMiddleware",
    "sessions_app.mfa.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Check-in at the door: while a kiosk is on, every other URL goes back to it; before
    # the idle logoff, whose limit gives way to the kiosk's own end (sessions_app/kiosk.py).
    "sessions_app.kiosk.KioskMiddleware",
    # The signed-in staff member's language (participants' pages set their own).
    "sessions_app.languages.StaffLanguageMiddleware",
    # After authentication and messages: signs idle staff out with a message, keeping
    # what they were posting as a draft.
    "sessions_app.idle.IdleLogoffMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
    # Audit trail: who and from where for every recorded change, then an
    # ACCESS entry for each clinical page, print and export that answered 2xx.
    "sessions_app.audit.AuditlogMiddleware",
    "sessions_app.audit.AccessAuditMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sessions_app.idle.idle_context",
            ],
        },
    },
]

# Database: PostgreSQL wherever it matters (DATABASE_URL); SQLite under var/ only as the
# zero-setup default. Persistent connections pay off several-fold on PostgreSQL.
_default_sqlite = f"sqlite:///{VAR_DIR / 'refrain.sqlite3'}"
# var/ is not in git; beat keeps its schedule there whatever the database, so it is
# made here for PostgreSQL set-ups too, not only for the SQLite default.
VAR_DIR.mkdir(parents=True, exist_ok=True)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            # An empty value (common in .env files) means "not set", as for the rest.
            env_str("DATABASE_URL") or _default_sqlite,
            conn_max_age=env_int("CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT pays off for hour-long analytics, not for pages: when a row
    # estimate is off it spends seconds compiling a query that runs in milliseconds.
    # Off for every connection; PG_JIT=on turns it back on.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # Memory a sort or hash may use before it spills to disk: the slipping-away list of
    # a whole network sorts some 70,000 rows by person, which PostgreSQL's 4MB default
    # sends to temporary files (about a third of its time).
    PG_WORK_MEM = os.environ.get("PG_WORK_MEM", "16MB")
    if not re.fullmatch(r"[1-9][0-9]*(kB|MB|GB)", PG_WORK_MEM):
        raise ImproperlyConfigured(
            f"PG_WORK_MEM must be a size such as 16MB (kB, MB or GB); got {PG_WORK_MEM!r}"
        )
    _pg_options["options"] = (
        f"-c jit={'on' if env_bool('PG_JIT', False) else 'off'} -c work_mem={PG_WORK_MEM}"
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server, Celery worker and beat share one file. Write-ahead logging
    # lets readers carry on while one process writes; a transaction that takes the write
    # lock when it begins (not on its first write) waits its turn instead of failing with
    # "database is locked", and 20 s is a long enough turn for a worker's batch.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite (the zero-setup default only) cannot defer unique constraints (W038) or carry
# non-key columns in an index (W040, the reports' covering indexes); PostgreSQL, where
# it matters, does both. Services never rely on deferral for correctness, and on SQLite
# the covering indexes are plain ones.
SILENCED_SYSTEM_CHECKS = ["models.W038", "models.W040"]
AUTH_USER_MODEL = "sessions_app.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Staff (administrators, therapists, teaching artists) sign in with a second factor: an
# authenticator app, or one of their recovery codes. Required whenever DEBUG is off;
# off by default with DEBUG on, so that the demo stays one command. Staff who set one
# up are asked for it either way.
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", not DEBUG)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Refrain")

# Login throttling: a shared tablet at the door must not become a password oracle.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# A failed second step is a failed login too (sessions_app.mfa); the code typed is
# masked like a password in axes' record of the attempt.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# Clinical records on shared computers: sessions end with the browser and after a
# working day at the most.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Staff (administrators, therapists, teaching artists) are signed out after this long
# without activity, warned STAFF_IDLE_WARNING_SECONDS before; what they were typing is
# kept for them (sessions_app/idle.py). Participants' link sessions have their own limit.
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 15)
if STAFF_IDLE_MINUTES < 1:
    raise ImproperlyConfigured(f"STAFF_IDLE_MINUTES must be at least 1; got {STAFF_IDLE_MINUTES}")
STAFF_IDLE_SECONDS = STAFF_IDLE_MINUTES * 60
STAFF_IDLE_WARNING_SECONDS = 60
# Check-in at the door (sessions_app/kiosk.py): while a kiosk is on, the idle limit gives
# way (the tablet is in use, and reaches nothing but the kiosk); the kiosk itself ends
# this many minutes after its session's end, signing the therapist out.
KIOSK_AFTER_SESSION_MINUTES = env_int("KIOSK_AFTER_SESSION_MINUTES", 60)
if KIOSK_AFTER_SESSION_MINUTES < 0:
    raise ImproperlyConfigured(
        f"KIOSK_AFTER_SESSION_MINUTES must be 0 or more; got {KIOSK_AFTER_SESSION_MINUTES}"
    )

# Staff pages are English unless a staff member picks another language; a participant's
# pages and messages are in their own language (sessions_app/languages.py). Never guessed
# from the browser: a borrowed phone's settings say nothing about who is reading.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded media (recordings) live outside the static root and are served only
# through views that check permissions.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Lullaby recordings: the largest audio file a take may have, in megabytes; uploaded
# files are readable by the app's own user (and group, for backups) only.
LULLABY_MAX_UPLOAD_MB = env_int("LULLABY_MAX_UPLOAD_MB", 50)
# A lullaby's private family link opens for this many days after it is made.
FAMILY_LINK_DAYS = env_int("FAMILY_LINK_DAYS", 90)
if FAMILY_LINK_DAYS < 1:
    raise ImproperlyConfigured(f"FAMILY_LINK_DAYS must be 1 or more; got {FAMILY_LINK_DAYS}")
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: into files under var/mail by default (reminders), so that nothing
# leaves a development machine by accident and a demo can show what would have gone out.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Refrain <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds an SMTP connection may hang before the send counts as failed (and is retried):
# without it a dead mail server would hold a worker until the task's time limit.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")

# Celery: JSON only, broker from REDIS_URL. Tasks carry record IDs, never health data.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks are acknowledged after they finish, one at a time per worker process, so a
# crashed worker's task is redelivered instead of lost; the services make redelivery
# harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task that raises is still acknowledged: retries of a reminder
# are rows with a later due time, not Celery retries. When the connection to Redis is
# lost, tasks already running finish and record their outcome in PostgreSQL rather
# than being cancelled half-way (which would leave reminders "interrupted"); their
# acks are lost with the connection, and a redelivered send finds its row done.
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Redis redelivers an unacknowledged task after the visibility timeout; every time
# limit stays well under it so a slow task is never run twice concurrently.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
# Keep workers' database connections across tasks (Celery's Django fix-up otherwise
# closes them after every task); config/celery.py drops broken or old ones as Django
# does between requests. For reminders this was 38 → 96 sends a second on
# a 2-core machine (benchmarks/reminders.py).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "sessions_app.tasks.heartbeat", "schedule": 60.0},
    # Daily, at night in the Americas and before the day's first groups in Europe.
    "generate-sessions": {
        "task": "sessions_app.tasks.generate_sessions_ahead",
        "schedule": crontab(hour=4, minute=30),
    },
}
# /healthz reports beat as stale when its last tick is older than this.
BEAT_STALE_AFTER_SECONDS = env_int("BEAT_STALE_AFTER_SECONDS", 180)
# Participants' signed links (reminders' confirm/decline/stop, their own page) expire
# after this long; opening one gives a browser session of PARTICIPANT_LINK_SESSION_SECONDS.
PARTICIPANT_LINK_MAX_AGE = env_int("PARTICIPANT_LINK_MAX_AGE_DAYS", 14) * 24 * 60 * 60
PARTICIPANT_LINK_SESSION_SECONDS = env_int("PARTICIPANT_LINK_SESSION_MINUTES", 60) * 60
# A participant may change their reflection on a session for this long after writing it.
REFLECTION_EDIT_HOURS = env_int("REFLECTION_EDIT_HOURS", 48)
# How far ahead a group's weekly schedule has its sessions created.
SESSIONS_GENERATE_WEEKS_AHEAD = env_int("SESSIONS_GENERATE_WEEKS_AHEAD", 12)

# --- Administration: reports, audit trail, consent ---------------------------
# A participant attending less than this share of their recent sessions (excused
# absences left out) is listed under "slipping away" for outreach.
_slipping = env_str("SLIPPING_RATE_THRESHOLD", "0.5").strip() or "0.5"
try:
    SLIPPING_RATE_THRESHOLD = float(_slipping)
except ValueError:
    SLIPPING_RATE_THRESHOLD = -1.0
if not 0 <= SLIPPING_RATE_THRESHOLD <= 1:
    raise ImproperlyConfigured(
        f"SLIPPING_RATE_THRESHOLD must be a number from 0 to 1, e.g. 0.5; got {_slipping!r}"
    )

# Emergency ("break-glass") access: how long a therapist's access to a participant outside
# their groups lasts once they have stated why.
EMERGENCY_ACCESS_HOURS = env_int("EMERGENCY_ACCESS_HOURS", 24)
if not 1 <= EMERGENCY_ACCESS_HOURS <= 72:
    raise ImproperlyConfigured(
        f"EMERGENCY_ACCESS_HOURS must be 1 to 72; got {EMERGENCY_ACCESS_HOURS}"
    )

# The audit trail's CSV export stops after this many entries, newest first, and says so
# in its last line: past it, a narrower filter (dates) is the way to the rest.
AUDIT_EXPORT_MAX_ROWS = env_int("AUDIT_EXPORT_MAX_ROWS", 100_000)
if not 1 <= AUDIT_EXPORT_MAX_ROWS <= 1_000_000:
    raise ImproperlyConfigured(
        f"AUDIT_EXPORT_MAX_ROWS must be 1 to 1000000; got {AUDIT_EXPORT_MAX_ROWS}"
    )

# --- Reminders: an outbox of rows, dispatched by beat every minute ----------
# Links in reminders are absolute: the address participants reach the site at.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Text messages go through a backend named by dotted path, like EMAIL_BACKEND: by
# default into files under var/sms; `sessions_app.messaging.sms.HttpBackend` posts to a
# Twilio-compatible API (form fields To, From, Body; HTTP basic auth account:token).
SMS_BACKEND = env_str("SMS_BACKEND", "sessions_app.messaging.sms.FileBackend")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(VAR_DIR / "sms"))
SMS_HTTP_URL = env_str("SMS_HTTP_URL")  # may contain {account}
SMS_HTTP_ACCOUNT = env_str("SMS_HTTP_ACCOUNT")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN")
SMS_FROM = env_str("SMS_FROM")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 15)
# Attempts per reminder before it is marked failed (transient errors retry in between,
# the wait doubling from REMINDER_RETRY_SECONDS up to REMINDER_RETRY_MAX_SECONDS). The
# wait is a new due time on the row, picked up by the minute tick: never a Celery
# countdown, which Redis would redeliver after its visibility timeout.
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5)
REMINDER_RETRY_SECONDS = env_int("REMINDER_RETRY_SECONDS", 60)
REMINDER_RETRY_MAX_SECONDS = env_int("REMINDER_RETRY_MAX_SECONDS", 60 * 60)
# Due rows claimed per tick; a full batch makes the tick run again at once.
REMINDER_BATCH_SIZE = env_int("REMINDER_BATCH_SIZE", 500)
# Each claim is queued as send tasks of this many rows: one task, one mail connection
# and one HTTP session per batch, and every worker process gets a share of a claim.
REMINDER_SEND_BATCH_SIZE = env_int("REMINDER_SEND_BATCH_SIZE", 50)
if not 1 <= REMINDER_SEND_BATCH_SIZE <= REMINDER_BATCH_SIZE:
    raise ImproperlyConfigured("REMINDER_SEND_BATCH_SIZE must be 1 to REMINDER_BATCH_SIZE")
# A row a worker began to send and never finished (the worker died) is marked
# interrupted after this long, never resent automatically. Longer than the task time
# limit, so that a send still running can never be taken for a dead one.
REMINDER_SENDING_TIMEOUT_SECONDS = env_int("REMINDER_SENDING_TIMEOUT_SECONDS", 10 * 60)
# A row queued for sending that no worker has begun after this long (its task was lost
# with Redis, or held by a killed worker) goes back to pending and is queued again;
# nothing was sent, so that is safe.
REMINDER_REQUEUE_AFTER_SECONDS = env_int("REMINDER_REQUEUE_AFTER_SECONDS", 5 * 60)
# Reflection invitations: this long after a held session ends (or when attendance is
# saved later), and only for sessions that ended within the window.
REMINDER_REFLECTION_DELAY_MINUTES = env_int("REMINDER_REFLECTION_DELAY_MINUTES", 15)
REMINDER_REFLECTION_WINDOW_HOURS = env_int("REMINDER_REFLECTION_WINDOW_HOURS", 48)
# Therapists' daily agenda goes out at this local time at the site of their first session.
REMINDER_AGENDA_HOUR = env_int("REMINDER_AGENDA_HOUR", 7)
if not 0 <= REMINDER_AGENDA_HOUR <= 23:
    raise ImproperlyConfigured(f"REMINDER_AGENDA_HOUR must be 0 to 23; got {REMINDER_AGENDA_HOUR}")
if REMINDER_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("REMINDER_MAX_ATTEMPTS must be at least 1")
# (Tests shorten it with DEBUG on, to watch a killed worker's rows come out.)
if REMINDER_SENDING_TIMEOUT_SECONDS <= CELERY_TASK_TIME_LIMIT and not DEBUG:
    raise ImproperlyConfigured(
        "REMINDER_SENDING_TIMEOUT_SECONDS must be longer than the task time limit "
        f"({CELERY_TASK_TIME_LIMIT} s), or a slow send would be taken for a dead one"
    )
CELERY_BEAT_SCHEDULE.update(
    {
        # Every minute (REMINDER_TICK_SECONDS only shortens it in tests and benchmarks).
        "dispatch-reminders": {
            "task": "sessions_app.tasks.reminders_dispatch",
            "schedule": float(env_int("REMINDER_TICK_SECONDS", 60)),
            # A tick not yet run when the next is due is worth nothing: drop it rather
            # than let ticks pile up in the queue while workers are away.
            "options": {"expires": float(env_int("REMINDER_TICK_SECONDS", 60))},
        },
        # Agendas are planned ahead for the next day and a half; twice an hour is plenty.
        "plan-agendas": {
            "task": "sessions_app.tasks.reminders_plan_agendas",
            "schedule": crontab(minute="5,35"),
        },
    }
)

# --- Measures: safety alerts and questionnaire requests ----------------------
# A safety alert nobody acknowledged within this many minutes goes to the site's
# administrators.
SAFETY_ALERT_ESCALATE_MINUTES = env_int("SAFETY_ALERT_ESCALATE_MINUTES", 60)
if not 5 <= SAFETY_ALERT_ESCALATE_MINUTES <= 24 * 60:
    raise ImproperlyConfigured(
        f"SAFETY_ALERT_ESCALATE_MINUTES must be 5 to 1440; got {SAFETY_ALERT_ESCALATE_MINUTES}"
    )
CELERY_BEAT_SCHEDULE.update(
    {
        # Requests of the day (every few weeks, at discharge), expiry and invitations.
        "plan-measure-requests": {
            "task": "sessions_app.tasks.measure_requests_plan",
            "schedule": crontab(hour=5, minute=15),
        },
        # Unacknowledged alerts to administrators: often enough that a late one is late
        # by minutes, not an hour.
        "escalate-safety-alerts": {
            "task": "sessions_app.tasks.safety_alerts_escalate",
            "schedule": 180.0,
        },
    }
)

# Production hardening; all on when DEBUG is off, each overridable.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 30)
# includeSubDomains reaches only the hosts under the one serving Refrain (for
# refrain.example.org: *.refrain.example.org), never the organisation's other sites,
# and nothing under it should ever speak plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Browsers' preload list takes whole registrable domains (example.org, every subdomain,
# a year's max-age, hard to undo): a decision for the domain's owner, not for one app on
# one of its hosts. Off unless asked for, and then check --deploy's reminder of it
# (security.W021) is silenced for that reason alone.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: everything from our own origin, nothing inline, no eval.
# Scripts and styles live in static/; charts are server-rendered SVG; lullaby audio
# comes from our own views. Browsers report violations to our csp_report view, which
# logs them (logger "refrain.csp"). The path is literal because settings cannot reverse
# URLs; tests/test_security_headers.py holds it to the URLconf.
CSP_REPORT_PATH = "/csp-report/"
_SELF = "'self'"
_NONE = "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "media-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "frame-ancestors": [_NONE],
        "form-action": [_SELF],
        "report-uri": [CSP_REPORT_PATH],
    }
}
# Powerful browser features, all switched off: no page records, films, locates, pays
# or talks to devices (lullaby recordings are uploaded as files, played by <audio>).
# The one exception is writing to the clipboard from our own pages, for the Copy button
# of a participant's calendar link (js/copy_link.js); reading it stays off.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "captured-surface-control",
        "clipboard-read",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "identity-credentials-get",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "speaker-selection",
        "storage-access",
        "sync-xhr",
        "usb",
        "web-share",
        "window-management",
        "xr-spatial-tracking",
    )
} | {"clipboard-write": ["self"]}
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Denied object requests; user and path only, never record contents.
        "refrain.access": {"level": "INFO"},
        # Lockouts and repeated failures are warnings; every reset is not news.
        "axes": {"level": "WARNING"},
        # Content-Security-Policy violations browsers report: what was blocked and where.
        "refrain.csp": {"level": "WARNING"},
    },
}
