"""Liveness and readiness probes.

/healthz says the process answers; /readyz says it can serve, meaning the
database and the cache both answer. A 503 names what is down so that an
operator reading a load balancer's log knows where to look.
"""

import logging

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def liveness(request):
    return _no_store(JsonResponse({"status": "ok"}))


def readiness(request):
    checks = {"database": _check_database(), "cache": _check_cache()}
    down = sorted(name for name, result in checks.items() if result != "ok")
    body = {"status": "ok" if not down else "unavailable", "checks": checks}
    if down:
        body["down"] = down
        logger.warning("readiness check failed: %s", ", ".join(f"{name}: {checks[name]}" for name in down))
    return _no_store(JsonResponse(body, status=503 if down else 200))


def _check_database() -> str:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        # Django's request_finished handler drops the broken connection afterwards.
        return f"error: {type(error).__name__}"
    return "ok"


def _check_cache() -> str:
    try:
        client = _redis_client()
        if client is not None:
            # django-redis swallows errors for ordinary calls (IGNORE_EXCEPTIONS),
            # so ask the server directly.
            client.ping()
        else:
            cache.set("readyz", "1", 5)
            if cache.get("readyz") != "1":
                return "error: cache did not keep a value"
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


def _redis_client():
    backend = type(cache).__module__
    if not backend.startswith("django_redis"):
        return None
    return cache.client.get_client(write=True)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response
