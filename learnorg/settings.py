"""learnorg settings: one file, every value read from the environment with a safe local default.

Local defaults (no variables set) give SQLite and a Celery broker that needs no server, so
`make run` works on a bare machine. Production sets the variables listed in `.env.example`.
"""

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEARNORG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

_INSECURE_KEY = "django-insecure-local-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _INSECURE_KEY)
if not DEBUG and SECRET_KEY == _INSECURE_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many proxies we run in front of the app (load balancer, TLS terminator), each appending
# to X-Forwarded-For; accounts.network.client_ip reads the client's address from that header.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "feedback",
    "retrospectives",
    "actions",
    "dashboard",
    "privacy",
    "demo",
    "webhooks",
]

MIDDLEWARE = [
    # Outermost: names every request (X-Request-ID), logs it once and hands the id to its tasks.
    "accounts.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews the session (the idle timeout below) at most once a minute, not on every request.
    "accounts.middleware.SessionIdleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses an oversized body with 413 before the CSRF check or a view parses it.
    "accounts.network.RequestBodyLimitMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    # https://docs.djangoproject.com/en/5.2/ref/middleware/#django.contrib.auth.middleware.LoginRequiredMiddleware
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "learnorg.urls"
WSGI_APPLICATION = "learnorg.wsgi.application"

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
                "accounts.context_processors.roles",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# The web server is ASGI: each request runs in a thread of its own, so a connection kept open for
# the next request is never reused; close it at the end of each request.
# https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
# One transaction per request: a failed request leaves nothing half-written.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default shares one file between the web server, the worker and beat. A
    # transaction that starts by reading and then writes fails at once with "database is locked"
    # while another process writes; taking the write lock at BEGIN makes it wait its turn instead,
    # and WAL lets pages read while the worker writes.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
else:
    # PostgreSQL's JIT compiles the dashboard's many-branched aggregates for seconds, longer
    # than they then run (clients at risk at 100,000 interviews: 10 s with it, 1 s without).
    # https://www.postgresql.org/docs/current/jit-decision.html
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_cache_url = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url.startswith(("redis://", "rediss://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Rendered rows, panels and goals, whose keys name everything in them (accounts.caching): each
    # process keeps its own in memory, without a network round trip, and an erasure empties
    # every process's copy. The shared cache above holds the versions those keys name.
    # https://docs.djangoproject.com/en/5.2/topics/cache/#local-memory-caching
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# Live screens hear of changes through Redis pub/sub when there is a Redis (so a change made by
# a Celery worker or another web process reaches them), else inside the one ASGI process.
LIVE_PUSH_URL = os.environ.get(
    "LIVE_PUSH_URL", _cache_url if _cache_url.startswith(("redis://", "rediss://")) else ""
)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Passwords (ModelBackend), refused but for superusers when LOCAL_PASSWORDS is off.
    "accounts.sso.PasswordBackend",
    # Single sign-on; answers nothing while OIDC_ISSUER is unset.
    "accounts.sso.SingleSignOnBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after SESSION_IDLE_MINUTES without a request. SessionIdleMiddleware renews the
# session and its cookie when the last renewal is SESSION_TOUCH_SECONDS old, so a request costs
# no session write (and no commit) more than once a minute.
SESSION_COOKIE_AGE = 60 * int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_TOUCH_SECONDS = 60

# Single sign-on with OpenID Connect (mozilla-django-oidc, wrapped by accounts/sso.py): on when
# OIDC_ISSUER is set. Endpoints come from the issuer's discovery document unless set here.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip().rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_ALLOWED_DOMAINS = [domain.lower().lstrip("@") for domain in env_list("OIDC_ALLOWED_DOMAINS")]
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET and OIDC_ALLOWED_DOMAINS):
    # Without allowed domains anyone the provider knows (a whole Google or Microsoft tenant
    # list) would get an account.
    raise ImproperlyConfigured(
        "OIDC_ISSUER needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_ALLOWED_DOMAINS."
    )
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_END_SESSION_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
# The claim that lists a person's groups at the provider, and which of those grant which role:
# "provider group=role" pairs, the roles being account_manager, facilitator and partner.
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "")
OIDC_GROUP_ROLES = {
    group.strip(): role.strip().lower()
    for group, _, role in (pair.rpartition("=") for pair in env_list("OIDC_GROUP_ROLES"))
}
OIDC_BUTTON_LABEL = os.environ.get("OIDC_BUTTON_LABEL", "Sign in with single sign-on")
OIDC_USE_PKCE = True
# Kept in the session for logging out at the provider too (accounts.sso.provider_logout_url).
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
OIDC_CALLBACK_CLASS = "accounts.sso.CallbackView"
OIDC_AUTHENTICATE_CLASS = "accounts.sso.StartView"
# Off: people sign in only through single sign-on; superusers keep their password at /admin/
# as a way in when the provider is down.
LOCAL_PASSWORDS = env_bool("LOCAL_PASSWORDS", True)

# django-axes: lock a username+IP pair out after repeated failed logins.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Lockouts count by the same client address as rate limits and the audit log.
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Single sign-on attempts carry no password to guess (the provider locks out its own); counted,
# a few refused people behind one office address would lock that whole office out.
AXES_WHITELIST_CALLABLE = "accounts.sso.not_a_password_attempt"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attached files (accounts.attachments) go to the default storage: the local file system under
# LEARNORG_VAR_DIR/files by default, served by no URL (only a view that checks who may see the
# object hands them out); an S3-compatible bucket when FILES_S3_BUCKET is set (django-storages;
# credentials from the usual AWS_* variables, private objects, links signed for five minutes).
if os.environ.get("FILES_S3_BUCKET"):
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["FILES_S3_BUCKET"],
            "endpoint_url": os.environ.get("FILES_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("FILES_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "files"), "base_url": None},
    }
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_MB", "10")) * 1_048_576
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Request bodies. Form fields are held in memory up to DATA_UPLOAD_MAX_MEMORY_SIZE (400 past it);
# RequestBodyLimitMiddleware refuses larger bodies with 413 before they are read: a visitor who is
# not logged in may post the public forms (four thousand characters a box, encoded) and no more.
# https://docs.djangoproject.com/en/5.2/ref/settings/#data-upload-max-memory-size
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 1_048_576
PUBLIC_MAX_REQUEST_BODY = 256 * 1024
MAX_REQUEST_BODY = 5 * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# E-mail: the console locally; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "learnorg <learnorg@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. Without CELERY_BROKER_URL, kombu's filesystem transport under var/ needs no server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
_broker_dir = VAR_DIR / "celery" / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("broker", "control", "results"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND",
    CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else f"file://{VAR_DIR / 'celery' / 'results'}",
)
CELERY_RESULT_EXPIRES = 3600
# For every task, a lost run is worse than a repeated one (reminders, replies and save alerts are
# claimed, so a rerun does not send them twice): a task is acknowledged once it has run, not before.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Tasks act on rows; nothing reads what a task returns, so no result is stored.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-ignore-result
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A run still queued when the next is due is dropped. The DatabaseScheduler reads the expiry from
# "expire_seconds" (it ignores "expires").
# https://django-celery-beat.readthedocs.io/en/latest/reference/django-celery-beat.models.html
CELERY_BEAT_SCHEDULE: dict = {
    # Sends due reminders; the rows are the truth, so a skipped or doubled run is harmless.
    "actions-send-due-reminders": {
        "task": "actions.tasks.send_due_reminders",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    # Recomputes the dashboard's default view (the rollup the page reads) and prunes old ones.
    "dashboard-refresh": {
        "task": "dashboard.tasks.refresh_dashboard",
        "schedule": 600.0,
        "options": {"expire_seconds": 540},
    },
    # Queues again webhook deliveries whose task was lost; the rows are the truth.
    "webhooks-resend-stalled": {
        "task": "webhooks.tasks.resend_stalled",
        "schedule": 600.0,
        "options": {"expire_seconds": 540},
    },
    # Plans recurring process audits four weeks ahead; a unique constraint makes reruns harmless.
    # The Monday e-mail of newly published lessons; the week's row makes reruns harmless.
    "retrospectives-send-lessons-digest": {
        "task": "retrospectives.tasks.send_lessons_digest",
        "schedule": 3600.0,
        "options": {"expire_seconds": 3300},
    },
    "retrospectives-plan-process-audits": {
        "task": "retrospectives.tasks.plan_process_audits",
        "schedule": 3600.0,
        "options": {"expire_seconds": 3300},
    },
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Security headers. HSTS, secure cookies and the SSL redirect are on whenever DEBUG is off.
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-csp: no inline scripts or styles anywhere; htmx and Chart.js are loaded from /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Logs go to stderr: in production one JSON object per line (time, level, logger, message,
# request_id; method, path, status and duration on each request's line), for a log collector;
# in development a plain line. Web, worker and beat all log this way (learnorg/celery.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT is json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "accounts.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "accounts.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # RequestIdMiddleware logs every request once, with its id; runserver's own line would
        # be a second one.
        "django.server": {"level": "WARNING"},
    },
}

# The REST API under /api/v1/ (accounts/api.py holds its plumbing; each app its own endpoints):
# personal tokens or the session, JSON only, pages of 25 (at most 100), and API_RATE_LIMIT requests
# per person (a token is 256 random bits: guessing one is not worth limiting), counted in the
# shared cache.
# https://www.django-rest-framework.org/api-guide/settings/
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/min").strip()
if not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", API_RATE_LIMIT):
    # Read at the first API request, a wrong value would make every one of them fail.
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT={API_RATE_LIMIT!r}: give requests per period, e.g. 600/min or 20/s."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.TokenAuthentication",
        # The signed-in browser (the docs page); unsafe methods need the CSRF token, as on pages.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "accounts.api.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api.PersonThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "accounts.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The schema at /api/schema/ and Swagger UI at /api/docs/, its files served from /static/ (the
# sidecar package): the content security policy allows no other origin.
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "learnorg API",
    "DESCRIPTION": (
        "Clients, exit interviews, improvement actions, published lessons and the dashboard's "
        "headline figures. Authenticate with a personal token: `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api_views.document_refusals",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "feedback.models.Client.Status",
        "InterviewStatusEnum": "feedback.models.ExitInterview.Status",
        "ActionStatusEnum": "actions.models.Action.Status",
    },
}

# Webhooks go to public addresses only unless this is on (a receiver on the firm's own network);
# see webhooks/destinations.py for the risk it lifts.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)

# seed_bench and bench_reminders rewrite the database wholesale: with DJANGO_DEBUG=0 they run only
# when LEARNORG_ALLOW_BENCH=1 (or --allow-production) says so (accounts.benchmarks).
BENCH_COMMANDS_ALLOWED = env_bool("LEARNORG_ALLOW_BENCH", DEBUG)

# Password of the demo users that `manage.py seed_demo` creates.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "learnorg-demo")
