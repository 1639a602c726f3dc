"""Liveness and readiness probes.

/healthz says the process answers; /readyz says it can serve, meaning the
database and the cache both answer. A 503 names what is down, and nothing
more: the probe is public, so why it is down (exception types, messages) goes
to the server's log only.
"""

import logging

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connections
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def liveness(request):
    return _no_store(JsonResponse({"status": "ok"}))


def readiness(request):
    reasons = {"database": _check_database(), "cache": _check_cache(cache)}
    if _counters_are_separate():
        reasons["counters"] = _check_cache(caches["counters"])
    down = sorted(name for name, reason in reasons.items() if reason is not None)
    body = {
        "status": "ok" if not down else "unavailable",
        "checks": {name: "ok" if reason is None else "down" for name, reason in reasons.items()},
    }
    if down:
        body["down"] = down
        logger.warning("readiness check failed: %s", ", ".join(f"{name}: {reasons[name]}" for name in down))
    return _no_store(JsonResponse(body, status=503 if down else 200))


def _check_database() -> str | None:
    """None when the database answers, else why not (for the log)."""
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        # Django's request_finished handler drops the broken connection afterwards.
        return type(error).__name__
    return None


def _counters_are_separate() -> bool:
    """True when throttle and rate-limit counters live on a Redis of their own."""
    counters = settings.CACHES.get("counters")
    return (
        counters is not None
        and counters["BACKEND"].startswith("django_redis")
        and counters.get("LOCATION") != settings.CACHES["default"].get("LOCATION")
    )


def _check_cache(cache) -> str | None:
    """None when the cache answers, else why not (for the log)."""
    try:
        client = _redis_client(cache)
        if client is not None:
            # django-redis swallows errors for ordinary calls (IGNORE_EXCEPTIONS),
            # so ask the server directly.
            client.ping()
        else:
            cache.set("readyz", "1", 5)
            if cache.get("readyz") != "1":
                return "the cache did not keep a value"
    except Exception as error:
        return type(error).__name__
    return None


def _redis_client(cache):
    backend = type(cache).__module__
    if not backend.startswith("django_redis"):
        return None
    return cache.client.get_client(write=True)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response
