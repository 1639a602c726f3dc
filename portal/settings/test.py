from .base import *  # noqa: F403
from .base import EMAIL_FILE_PATH

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker test runs `db_worker` as another process: locmem cannot cross it, files can.
EMAIL_BACKEND = (
    "django.core.mail.backends.filebased.EmailBackend"
    if EMAIL_FILE_PATH
    else "django.core.mail.backends.locmem.EmailBackend"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Nothing in the tests may reach the package index: a local port nobody listens on,
# overridden per test by the recorded-responses server (comparisons/tests/index_server.py).
PACKAGE_INDEX_JSON_URL = "http://127.0.0.1:9/pypi"
PACKAGE_INDEX_TIMEOUT = 2
PACKAGE_INDEX_RETRIES = 1
PACKAGE_INDEX_BACKOFF = 0
