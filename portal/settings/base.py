"""Settings shared by every environment.

Only the env_* helpers below touch os.environ, and each variable is read once:
here for what every environment uses, in production.py for what only
production uses. dev, test and production change defaults and switch features
on or off from the values read here.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool | None = False) -> bool | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    if not url:
        raise ImproperlyConfigured("DATABASE_URL is empty.")
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Persistent connections buy nothing on SQLite and keep the file locked longer.
        config["CONN_MAX_AGE"] = 0
    return config


SECRET_KEY = env_str("SECRET_KEY")
# None when unset: dev turns DEBUG on by default, every other environment off.
DEBUG_FROM_ENV = env_bool("DEBUG", None)
DEBUG = bool(DEBUG_FROM_ENV)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "core",
    "portal",
    "comparisons",
    "decisions",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "core.middleware.ApiFastPathMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.BodySizeLimitMiddleware",
    "core.middleware.NoStoreWhenSignedInMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# API calls without a session cookie skip what only a browser session needs
# (core.middleware.ApiFastPathMiddleware); they keep every other layer above.
API_FAST_PATH_PREFIX = "/api/v1/"
API_FAST_PATH_SKIP = [
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site_meta",
            ],
        },
    },
]

# SQLite is the embedded default for development; production insists on DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {"default": database_from_url(DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}

# Cache: Redis when REDIS_URL is set (shared by every worker and container:
# page cache, cached API reads, session cache), else memory. Throttle and
# rate-limit counters have their own alias, "counters", on REDIS_COUNTERS_URL
# (compose: a second Redis that never evicts), so that a flood of cache entries
# cannot evict them; it defaults to REDIS_URL.
REDIS_URL = env_str("REDIS_URL")
REDIS_COUNTERS_URL = env_str("REDIS_COUNTERS_URL") or REDIS_URL


def redis_cache(url: str) -> dict:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "stackfit",
        "OPTIONS": {
            # A Redis outage degrades to uncached serving (and to limits that
            # do not count) instead of failing requests; /readyz reports it.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL), "counters": redis_cache(REDIS_COUNTERS_URL)}
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # Sessions live in the database and are read through the cache: no web
    # container holds state, and a cache outage logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "stackfit"},
        "counters": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "counters"},
    }

# Background tasks (django-tasks). "default" runs a task at once, in the caller:
# Wagtail enqueues its search-index and reference-index updates there and they
# keep happening inside the editor's request, as before. "worker" stores the task
# in the database (django-tasks-db) for `manage.py db_worker --backend worker`,
# a separate process: our slow or scheduled jobs (fetching release facts, checking
# decisions and mailing their owners) never hold up a request, survive a restart,
# and leave a row (status, traceback) to inspect. See docs/deployment.md.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "worker": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}
WORKER_TASK_BACKEND = "worker"
# The worker's healthcheck: a task ready this long without being started means no worker is taking them.
WORKER_MAX_QUEUE_AGE = env_int("WORKER_MAX_QUEUE_AGE", 600)
# Decisions whose chosen framework's support ends within this many days need attention.
DECISION_SUPPORT_WARNING_DAYS = env_int("DECISION_SUPPORT_WARNING_DAYS", 90)
# Mail as files in this directory instead of sending (tests of the worker process, trials).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")

# Anonymous pages (home, guide, FAQ, compare, scenarios) are cached whole; an
# edit changes the content version in their keys. 0 turns the cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)

# A rating not confirmed by an editor for this many days shows "needs review" to readers
# and is listed in the "Matrix freshness" report.
MATRIX_REVIEW_DAYS = env_int("MATRIX_REVIEW_DAYS", 365)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The page editor posts one field per StreamField input; large guide pages exceed Django's 1000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Every request body is capped at DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB) before
# it is parsed (core.middleware.BodySizeLimitMiddleware); only staff, on the admin's image,
# document and redirect-import uploads may send a larger multipart body.
MULTIPART_UPLOAD_PATHS = ("/admin/images/", "/admin/documents/", "/admin/redirects/import/")
MULTIPART_UPLOAD_MAX_SIZE = env_int("UPLOAD_MAX_SIZE", 20 * 1024 * 1024)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Wagtail
WAGTAIL_SITE_NAME = "Stackfit"
WAGTAILADMIN_BASE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# The "database" backend picks PostgreSQL full-text search on PostgreSQL and
# SQLite's FTS5 (or a plain fallback) on SQLite.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": (
            "wagtail.search.backends.database.postgres.postgres"
            if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
            else "wagtail.search.backends.database"
        )
    }
}
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Avatars from gravatar.com would be a third-party request from the admin (and a CSP breach).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# Proxies of ours in front of the web tier. Client addresses (throttles, sign-in
# limits) are read that many hops from the right of X-Forwarded-For; with 0 the
# header is ignored, so a client cannot pick its own address.
NUM_PROXIES = env_int("NUM_PROXIES", 0)

# REST API
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.openapi.ApiSchema",
    # Token first: its WWW-Authenticate header makes anonymous calls a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/minute"),
        "user": env_str("API_THROTTLE_USER", "600/minute"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    # ?format= belongs to the decision export (md|json), not to content negotiation.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Stackfit API",
    "DESCRIPTION": "The comparison matrix, the cheat sheet and explained framework "
    "recommendations for choosing a Python web framework.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["portal.api.public_endpoints"],
    "ENUM_NAME_OVERRIDES": {"AttentionReasonEnum": "decisions.attention.REASON_CHOICES"},
    # Swagger UI's files come from the sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Accounts (django-allauth)
# Email is the identifier. auth.User still needs a unique username: allauth
# fills it in from the address, so nobody ever types or sees one.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Only logs in when the link is opened in the browser session that signed up.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Stackfit] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# allauth's defaults, stated so that a change is a reviewed diff. Counters live
# in the "counters" cache (core.throttling): with several workers it must be shared.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind N proxies of ours, the client is the Nth address from the right of
# X-Forwarded-For; with 0 the header is ignored and cannot dodge the limits.
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES
ACCOUNT_USER_DISPLAY = "core.authentication.user_display"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/decisions/"
# Providers appear once a superuser adds a SocialApp in /django-admin/; no keys here.
SOCIALACCOUNT_PROVIDERS = {
    "github": {"SCOPE": ["user:email"]},
    "google": {"SCOPE": ["profile", "email"], "AUTH_PARAMS": {"access_type": "online"}},
}
SOCIALACCOUNT_LOGIN_ON_GET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Stackfit"
# Editors sign in, reset passwords and use two-factor through allauth too.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Content-Security-Policy (django-csp). The public site runs no inline script
# or style: everything comes from /static/. JSON-LD blocks are data, not script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the QR code of two-factor set-up.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Social sign-in forms redirect to the provider, which form-action governs.
        "form-action": [SELF, "https://github.com", "https://accounts.google.com"],
        "frame-ancestors": [NONE],
    }
}
# The admins are not CSP-clean (Wagtail inlines scripts and styles) and serve
# signed-in staff only; Swagger UI sets inline styles. First matching prefix wins.
_ADMIN_CSP = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
}
CSP_PATH_OVERRIDES = [
    ("/admin/", _ADMIN_CSP),
    ("/django-admin/", _ADMIN_CSP),
    ("/api/docs/", {"style-src": [SELF, UNSAFE_INLINE]}),
]
X_FRAME_OPTIONS = "DENY"

SITE_DESCRIPTION = (
    "Stackfit helps you decide which Python web framework fits your project: "
    "a guide, a comparison matrix and a decision cheat sheet."
)


# One line per record; LOG_FORMAT=json (the production default) for log shippers.
# Empty when unset, which is text here; production defaults to json.
LOG_FORMAT = env_str("LOG_FORMAT")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_context.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Wagtail runs search-index and reference-index updates as tasks and
        # logs every one at INFO; only their failures are worth a line.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Release facts (comparisons/facts.py): the package index's JSON API. Empty URL means the
# client library's built-in endpoint; set it to use a mirror.
PACKAGE_INDEX_JSON_URL = env_str("PACKAGE_INDEX_JSON_URL")
PACKAGE_INDEX_TIMEOUT = env_int("PACKAGE_INDEX_TIMEOUT", 10)
PACKAGE_INDEX_RETRIES = env_int("PACKAGE_INDEX_RETRIES", 3)
# Seconds before the first retry; each further retry waits twice as long.
PACKAGE_INDEX_BACKOFF = 0.5
# Facts not refreshed for this many days are shown as stale.
FACTS_STALE_DAYS = env_int("FACTS_STALE_DAYS", 7)
