"""Django settings, read from the environment (12-factor).

With no environment at all the app runs on the embedded default: a SQLite file and a
Celery broker in another SQLite file under ``var/``, so nothing but Python is needed.
Production sets ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` or ``REDIS_URL``
(Redis); see the configuration table in README.md.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
TESTING = env_bool("LIFECYCLE_TESTING")

INSECURE_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = INSECURE_SECRET_KEY

#: Public base URL of this app, e.g. https://lifecycle.example.com. The manifest's URLs
#: are built from it; when unset they are built from the request's host.
APP_URL = os.environ.get("APP_URL", "").rstrip("/")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["*"] if (DEBUG or TESTING or not APP_URL) else [urlsplit(APP_URL).hostname]

#: fnmatch patterns of Saleor API URLs allowed to install the app, e.g.
#: "https://*.saleor.cloud/graphql/". Empty allows any Saleor (logged as a warning).
ALLOWED_SALEOR_URLS = env_list("ALLOWED_SALEOR_URLS")

#: Fernet keys (comma-separated, newest first) that encrypt app tokens at rest. When unset
#: a key is derived from SECRET_KEY; set it explicitly to rotate SECRET_KEY independently.
ENCRYPTION_KEYS = env_list("ENCRYPTION_KEYS")

#: Seconds to wait for Saleor's JWKS and GraphQL API.
JWKS_TIMEOUT = float(os.environ.get("JWKS_TIMEOUT", "3"))
JWKS_REFETCH_INTERVAL = float(os.environ.get("JWKS_REFETCH_INTERVAL", "10"))
SALEOR_TIMEOUT = float(os.environ.get("SALEOR_TIMEOUT", "10"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "graphene_django",
    "saleor_lifecycle.core",
    "saleor_lifecycle.saleor_app",
    "saleor_lifecycle.events",
    "saleor_lifecycle.customers",
    "saleor_lifecycle.scenarios",
    "saleor_lifecycle.offers",
    "saleor_lifecycle.results",
    "saleor_lifecycle.mail",
    "saleor_lifecycle.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Storefronts' CORS preflights and headers for each shop's own origins (StorefrontAccess);
    # before CommonMiddleware, which may redirect.
    "saleor_lifecycle.api.cors.StorefrontCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "saleor_lifecycle.config.urls"
WSGI_APPLICATION = "saleor_lifecycle.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lifecycle.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write to one file: WAL lets readers run beside a
    # writer, and IMMEDIATE transactions take the write lock up front instead of failing
    # half way with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and statements a connection runs again and again
    # (every webhook's) prepared once: half the client and server time of each one
    # (bench/stages.py). Behind a PgBouncer in transaction mode older than 1.21, set
    # DATABASE_PREPARED_STATEMENTS=off.
    prepared = os.environ.get("DATABASE_PREPARED_STATEMENTS", "on").lower() not in ("off", "0", "false", "no")
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        # psycopg prepares a statement on its fifth run (Django turns this off by default)
        prepare_threshold=5 if prepared else None,
    )

#: Connections a shop's daily recompute works on at once (PostgreSQL; one thread each):
#: its statements are bound by the database server's CPU, and PostgreSQL runs one
#: statement on one core (bench/stages.py).
RECOMPUTE_CONNECTIONS = max(1, int(os.environ.get("RECOMPUTE_CONNECTIONS", "2")))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve the app's static files straight from the packages (no collectstatic step to forget).
WHITENOISE_USE_FINDERS = True
#: The dashboard extension's build (bin/build-extension): its assets are served under
#: static/dashboard/, its index.html for every page under /app/ (saleor_app/dashboard.py).
DASHBOARD_EXTENSION_DIST = Path(os.environ.get("DASHBOARD_EXTENSION_DIST", BASE_DIR / "dashboard_extension" / "dist"))
STATICFILES_DIRS = [("dashboard", DASHBOARD_EXTENSION_DIST)]
# Vite names the built assets by their content: they may be cached for good.
WHITENOISE_IMMUTABLE_FILE_TEST = r"/dashboard/assets/.+-[\w-]{8}\.\w+$"

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get(
    "CELERY_BROKER_URL",
    os.environ.get("REDIS_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"),
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis redelivers a task not acked within this time: keep it above the longest eta.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 7200}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# --- Logging: one JSON object a line in production, readable lines in development ----
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "saleor_lifecycle.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}

if not DEBUG and not TESTING:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- The Saleor app ----------------------------------------------------------------
#: The manifest's id: Saleor keys installations of this app by it.
SALEOR_APP_ID = os.environ.get("SALEOR_APP_ID", "saleor.app.lifecycle")
DATA_PRIVACY_URL = os.environ.get("DATA_PRIVACY_URL", "")
HOMEPAGE_URL = os.environ.get("HOMEPAGE_URL", "")
SUPPORT_URL = os.environ.get("SUPPORT_URL", "")

CELERY_BEAT_SCHEDULE = {
    "requeue-due-deliveries": {"task": "events.requeue_due_deliveries", "schedule": 60.0},
    "advance-due-stages": {"task": "customers.advance_due_stages", "schedule": 60.0},
    "sync-stage-metadata": {"task": "customers.sync_stage_metadata", "schedule": 60.0},
    "recompute-lifecycle": {"task": "customers.recompute_all", "schedule": 24 * 3600.0},
    "run-due-enrollments": {"task": "scenarios.run_due", "schedule": 30.0},
    "detect-abandoned-carts": {"task": "scenarios.detect_abandoned", "schedule": 60.0},
    "mark-abandoned-in-saleor": {"task": "scenarios.mark_abandoned_in_saleor", "schedule": 60.0},
    "enroll-anniversaries": {"task": "scenarios.enroll_anniversaries", "schedule": 24 * 3600.0},
    "delete-expired-codes": {"task": "offers.delete_expired_codes", "schedule": 24 * 3600.0},
}

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shop@localhost")
#: Django's SMTP backend, writing lifecycle emails' MIME itself (saleor_lifecycle.mail.backends);
#: any Django or django-anymail backend works here.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "saleor_lifecycle.mail.backends.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))

# --- GraphQL API (saleor_lifecycle.api: /graphql/ for storefronts and the dashboard) ---
GRAPHENE = {
    "SCHEMA": "saleor_lifecycle.api.schema.schema",
    #: `python manage.py graphql_schema` rewrites it; a test fails when it is stale
    "SCHEMA_OUTPUT": str(BASE_DIR / "graphql" / "lifecycle.graphql"),
    "MIDDLEWARE": [],
}
#: Seconds of clock skew allowed when checking a Saleor JWT's exp/nbf.
JWT_LEEWAY = float(os.environ.get("JWT_LEEWAY", "10"))
#: Most rows one connection page returns (``first``/``last``), as in Saleor.
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "100"))
#: Deepest selection a query may nest (introspection has its own, fixed limit).
API_MAX_QUERY_DEPTH = int(os.environ.get("API_MAX_QUERY_DEPTH", "10"))
#: Most a query may cost: 1 a field, times ``first``/``last`` below a connection.
API_MAX_QUERY_COST = int(os.environ.get("API_MAX_QUERY_COST", "5000"))
