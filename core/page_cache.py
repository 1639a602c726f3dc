"""Whole-page cache for anonymous readers of the content pages.

Keys carry the content version (core.content_version), which every edit of the
matrix or the chooser and every page publish, unpublish, move or delete
changes. An edit therefore never meets a stale page: the next request reads
the new version and misses. Old entries are simply left to expire.

Only responses that are the same for every anonymous reader are stored: no
signed-in user, no pending message, no CSRF token on the page, no cookie set.
A cache outage (django-redis raises nothing with IGNORE_EXCEPTIONS, other
backends may) degrades to rendering the page.
"""

import hashlib
import logging
from collections.abc import Callable, Collection, Mapping
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache

from core.content_version import content_version

logger = logging.getLogger(__name__)


QueryParams = Mapping[str, Collection[str] | Callable[[], Collection[str]]]


def cache_anonymous_page(view=None, *, query_params: QueryParams | None = None):
    """Serve `view` from the cache for anonymous GETs.

    `query_params` maps each parameter the page's content depends on to the
    values it accepts (or a function returning them, read only when the
    parameter is present). A request with any other parameter or value is
    rendered and not stored, so random query strings cannot fill the cache;
    repeated and reordered values share one entry.
    """
    query_params = dict(query_params or {})

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable_request(request, query_params):
                return view(request, *args, **kwargs)
            key = _key(request, query_params)
            response = cache_get_quietly(key)
            if response is not None:
                response["X-Page-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if hasattr(response, "add_post_render_callback") and not response.is_rendered:
                response.add_post_render_callback(lambda rendered: _store(request, key, rendered))
            else:
                _store(request, key, response)
            return response

        return wrapped

    return decorator(view) if view is not None else decorator


def _cacheable_request(request, query_params) -> bool:
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_SECONDS:
        return False
    if not _known_query(request, query_params):
        return False
    if request.user.is_authenticated:
        return False
    # len() looks at pending messages without marking them as shown.
    return len(get_messages(request)) == 0


def _known_query(request, query_params) -> bool:
    for name in request.GET:
        if name not in query_params:
            return False
        accepted = query_params[name]
        if callable(accepted):
            accepted = accepted()
        if not set(request.GET.getlist(name)) <= set(accepted):
            return False
    return True


def _key(request, query_params) -> str:
    query = sorted((name, value) for name in query_params for value in set(request.GET.getlist(name)))
    raw = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"page:{content_version()}:{digest}"


def _store(request, key, response) -> None:
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.META.get("CSRF_COOKIE_USED")
        or "private" in response.get("Cache-Control", "")
        or "no-store" in response.get("Cache-Control", "")
    ):
        return
    response["X-Page-Cache"] = "miss"
    cache_set_quietly(key, response)


def cache_get_quietly(key):
    """cache.get, or None when the cache fails: an outage means uncached, never an error."""
    try:
        return cache.get(key)
    except Exception:
        logger.warning("cache unavailable: reading %s failed", key, exc_info=True)
        return None


def cache_set_quietly(key, value) -> None:
    """cache.set for PAGE_CACHE_SECONDS, logging instead of raising when the cache fails."""
    try:
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("cache unavailable: storing %s failed", key, exc_info=True)
