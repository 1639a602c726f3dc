from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    DATABASE_URL,
    LOG_FORMAT,
    SECRET_KEY,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
)

# DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and LOG_FORMAT were read by base.py.
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
# The placeholder of .env.example is public; length and variety are Django's own check_deploy rules.
if SECRET_KEY == "change-me-to-a-long-random-string" or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY is the placeholder from .env.example (or Django's insecure one): "
        'set a random one, e.g. python3 -c "import secrets; print(secrets.token_urlsafe(50))".'
    )
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: it needs at least 50 characters and 5 different ones "
        '(python3 -c "import secrets; print(secrets.token_urlsafe(50))" makes one).'
    )

if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production (comma-separated).")

if not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")
DATABASES = {"default": database_from_url(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
    # psycopg's pool, one per worker process: WEB_WORKERS x DB_POOL_MAX_SIZE x
    # containers must stay below PostgreSQL's max_connections. CONN_HEALTH_CHECKS
    # makes the pool test a connection as it hands it out, so after a
    # PostgreSQL restart dead connections are replaced, not served.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 3),
        "pool": {
            "min_size": env_int("DB_POOL_MIN_SIZE", 2),
            "max_size": env_int("DB_POOL_MAX_SIZE", 4),
            # How long a request waits for a connection before the 503.
            "timeout": env_int("DB_POOL_TIMEOUT", 3),
            # psycopg retries a lost connection 1, 3, 7, 15... s apart; giving up
            # after 2 s lets the next request start afresh, so the portal is back
            # about a second after PostgreSQL, however long it was away.
            "reconnect_timeout": env_int("DB_POOL_RECONNECT_TIMEOUT", 2),
        },
    }

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# WhiteNoise serves the collected, hashed and compressed static files itself.
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# "preload" asks the browsers to hard-code HTTPS for the domain and its subdomains,
# which is slow to undo: only an operator who means it turns it on.
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # check --deploy recommends preload; leaving it off is the deliberate default here.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# No script of ours reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media on S3-compatible storage when a bucket is configured, so that web
# containers share uploads without a shared volume.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN") or None
    _endpoint_url = env_str("AWS_S3_ENDPOINT_URL") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": _endpoint_url,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "custom_domain": AWS_S3_CUSTOM_DOMAIN,
            "default_acl": None,
            "querystring_auth": AWS_S3_CUSTOM_DOMAIN is None,
            "file_overwrite": False,
        },
    }
    _media_origin = AWS_S3_CUSTOM_DOMAIN or _endpoint_url or "https://*.amazonaws.com"
    if "://" not in _media_origin:
        _media_origin = f"https://{_media_origin}"
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [  # noqa: F405
        *CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],  # noqa: F405
        _media_origin,
    ]

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Stackfit <noreply@localhost>")

# Links in account emails and OAuth callback URLs; plain http only for local trials.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SECURE_SSL_REDIRECT else "http"

# Structured logs: one JSON object per line, with the request id.
LOG_FORMAT = LOG_FORMAT or "json"
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "text"  # noqa: F405
