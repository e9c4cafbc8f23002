"""Webcare settings: one file, driven by the environment.

Production differs from development only by environment variables; every one of
them is listed in README.md. Values are parsed by the helpers in ``webcare.env``,
which stop start-up with a message naming the variable when a value is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from webcare.env import REQUIRED, EnvError, env_bool, env_choice, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("WEBCARE_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)

# Development-only fallbacks; `check --deploy` rejects the secret key, and the
# credentials key below is refused outright when DEBUG is off.
_DEV_SECRET_KEY = "django-insecure-webcare-development-only-key-do-not-use-in-production"
_DEV_CREDENTIALS_KEY = "ZGV2ZWxvcG1lbnQtb25seS1rZXktZm9yLXdlYmNhcmU="

SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else REQUIRED)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else REQUIRED)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

WEBCARE_CREDENTIALS_KEYS = env_list(
    "WEBCARE_CREDENTIALS_KEYS", [_DEV_CREDENTIALS_KEY] if DEBUG else REQUIRED
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "axes",
    "csp",
    "inbox",
    "connectors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "inbox.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "webcare.urls"
WSGI_APPLICATION = "webcare.wsgi.application"
ASGI_APPLICATION = "webcare.asgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

_default_database_url = f"sqlite:///{VAR_DIR / 'webcare.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_database_url, hint="a database URL, e.g. postgres://user@host/db")
try:
    _database = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
except ValueError as exc:
    raise EnvError(f"Environment variable DATABASE_URL is not a usable database URL: {exc}") from None

if _database["ENGINE"] == "django.db.backends.sqlite3":
    # Embedded mode: several processes (web, worker, beat) share one file. WAL lets
    # readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing with "database is locked".
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
    }
    _database["CONN_MAX_AGE"] = 0
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database.setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={env_int('DATABASE_STATEMENT_TIMEOUT_MS', 15000, minimum=0)}"
        " -c idle_in_transaction_session_timeout=60000"
    )
else:
    raise EnvError("Environment variable DATABASE_URL must point at PostgreSQL (postgres://) or SQLite (sqlite://).")

DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "inbox.User"

# --- Broker and cache -----------------------------------------------------------

REDIS_URL = env_str("REDIS_URL", "", hint="a redis:// URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise EnvError(f"Environment variable REDIS_URL={REDIS_URL!r} is not valid (a redis://, rediss:// or unix:// URL).")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Authentication -------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation --------------------------------------------------------

LANGUAGES = [("en", "English"), ("nl", "Nederlands"), ("fr", "Français"), ("da", "Dansk")]
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", [code for code, _name in LANGUAGES], "en")
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True


def _time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise EnvError(f"Environment variable TIME_ZONE={name!r} is not a known IANA time zone.") from None
    return name


TIME_ZONE = _time_zone(env_str("TIME_ZONE", "Europe/Brussels"))

# --- Static files -----------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -----------------------------------------------------------------------

# WEBCARE_HTTPS=false only for a local run over plain http (the README's run command).
WEBCARE_HTTPS = env_bool("WEBCARE_HTTPS", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = WEBCARE_HTTPS
SECURE_SSL_REDIRECT = WEBCARE_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000 if WEBCARE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = WEBCARE_HTTPS
SECURE_HSTS_PRELOAD = WEBCARE_HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading commits the whole domain (and its subdomains) to HTTPS in browsers for
# good; only the operator can decide that, so it is opt-in and its reminder silenced.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("WEBCARE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
CSRF_COOKIE_HTTPONLY = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- REST API -----------------------------------------------------------------------

REST_FRAMEWORK = {
    # Hashed tokens (knox) for scripts, the session for the browser (DRF enforces CSRF on it).
    # Token first: an unauthenticated call gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"user": "6000/hour", "anon": "60/hour"},
    "EXCEPTION_HANDLER": "inbox.api.errors.exception_handler",
}
REST_KNOX = {
    # Tokens are stored as SHA-512 digests; a leaked database does not leak usable tokens.
    "TOKEN_TTL": dt.timedelta(hours=12),
    "TOKEN_PREFIX": "wc_",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Webcare API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Mentions and deliveries both have a "kind"; name the two enums apart.
    "ENUM_NAME_OVERRIDES": {
        "MentionKindEnum": "inbox.models.MentionKind.choices",
        "DeliveryKindEnum": "inbox.models.DeliveryKind.choices",
    },
}

# --- Celery ---------------------------------------------------------------------------

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Redis can restart under us: connect with a timeout, ping idle connections, and
    # keep the visibility timeout (redelivery of unacked work) far above any countdown
    # we use (the undo window, at most 300 s) and the task time limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 5,
        "socket_keepalive": True,
        "health_check_interval": 25,
        "retry_on_timeout": True,
    }
else:
    # A broker that needs no daemon: kombu's file-system transport. Messages live
    # as files under var/broker; workers poll it. Good for one machine only.
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"  # kombu warns about a missing hostname otherwise
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "polling_interval": 0.2,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Tasks must be safe to run twice (see README, "Reliability"): the database, not
# the broker, is the only copy of intent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 30
# Answers leave as countdown tasks at the end of their undo window; the ETA scheduler
# otherwise sleeps up to a full second past it.
CELERY_WORKER_TIMER_PRECISION = 0.1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for Redis to come back, however long
# Publishing while Redis is down must not hold an agent's request: try briefly, then the
# database sweeper sends what was not enqueued.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Connectors -------------------------------------------------------------------------

# Facebook webhooks: the app secret signs every delivery (X-Hub-Signature-256), the verify
# token answers Meta's subscription handshake. Empty: the webhook endpoint refuses everything.
META_APP_SECRET = env_str("META_APP_SECRET", "")
META_VERIFY_TOKEN = env_str("META_VERIFY_TOKEN", "")
META_GRAPH_VERSION = env_str("META_GRAPH_VERSION", "v25.0", hint="a Graph API version such as v25.0")
if not re.fullmatch(r"v\d{1,3}\.\d", META_GRAPH_VERSION):
    raise EnvError(f"Environment variable META_GRAPH_VERSION={META_GRAPH_VERSION!r} is not valid (like v25.0).")
# How long a worker owns a delivery it is sending. Longer than the HTTP timeouts and the
# task's hard time limit, so a send still running is never reconciled behind its back.
WEBCARE_DELIVERY_LEASE_SECONDS = env_int("WEBCARE_DELIVERY_LEASE_SECONDS", 150, minimum=5, maximum=3000)

# --- E-mail (notifications to admins) ----------------------------------------------

EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webcare@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging ---------------------------------------------------------------------------

LOG_LEVEL = env_choice("LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR"], "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Customers' phone numbers, e-mail addresses, IBANs and national numbers are masked in every record.
    "filters": {"personal_data": {"()": "inbox.log_filters.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # urllib3 logs full URLs at DEBUG, and Graph puts the access token in the query.
        "urllib3": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
        # tweepy logs request headers (the bearer token) at DEBUG.
        "tweepy": {"level": "WARNING"},
    },
}
