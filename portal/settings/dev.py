from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DEBUG_FROM_ENV, SECRET_KEY

DEBUG = True if DEBUG_FROM_ENV is None else DEBUG_FROM_ENV
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
