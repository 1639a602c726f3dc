"""Conditional and cached GET for the content API, keyed by the content version.

Every read endpoint here returns the matrix or the chooser, which change only
when the content version does. So one indexed read gives validators for the
response (ETag, Last-Modified), a client holding the current version gets a
304 before any serialisation, and the serialised data is kept in the cache
for the next client. The ETag also covers the path and the media type, since
the same version renders differently per endpoint and format. Only the query
parameters a view declares (`content_query_params`) count, in the ETag and in
the cache key, so random query strings or Accept headers cannot add entries.
"""

import hashlib

from django.conf import settings
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from rest_framework import status
from rest_framework.response import Response

from core.content_version import content_state
from core.page_cache import cache_get_quietly, cache_set_quietly


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Answered(Exception):
    """Ends the request after authentication, permissions and throttling, with a ready response."""

    def __init__(self, response):
        self.response = response


class ContentConditionalMixin:
    content_etag = None
    served_from_cache = False
    # The query parameters the response depends on; none for the content API today.
    content_query_params: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        # Authentication, permissions and throttling run first: a 304 counts like any read.
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        token, changed_at = content_state()
        query = sorted(
            (name, value) for name in self.content_query_params for value in set(request.GET.getlist(name))
        )
        resource = f"{request.path}?{query}"
        # The cached data is not rendered yet, so the media type is not part of its key.
        self._data_key = f"api:{token:x}-{_digest(resource)}"
        self.content_etag = quote_etag(f"{token:x}-{_digest(f'{resource}|{request.accepted_media_type}')}")
        self.content_last_modified = int(changed_at.timestamp()) if changed_at else None
        if self._client_is_current(request):
            raise _Answered(Response(status=status.HTTP_304_NOT_MODIFIED))
        data = cache_get_quietly(self._cache_key())
        if data is not None:
            self.served_from_cache = True
            raise _Answered(Response(data))

    def _client_is_current(self, request) -> bool:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            # Weak comparison (RFC 9110 13.1.2): proxies may weaken our tag when compressing.
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or self.content_etag in tags
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if since is None or self.content_last_modified is None:
            return False
        return self.content_last_modified <= since

    def _cache_key(self) -> str:
        return self._data_key

    def handle_exception(self, exc):
        if isinstance(exc, _Answered):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not self.content_etag or response.status_code not in (200, 304):
            return response
        response["ETag"] = self.content_etag
        if self.content_last_modified is not None:
            response["Last-Modified"] = http_date(self.content_last_modified)
        # Caches may keep a copy but must ask again each time; the ask is cheap.
        response["Cache-Control"] = "no-cache"
        if response.status_code == 200 and not self.served_from_cache and settings.PAGE_CACHE_SECONDS:
            cache_set_quietly(self._cache_key(), response.data)
        return response
