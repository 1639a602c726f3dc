"""Conditional GET for the content API: ETag and Last-Modified from the content version.

Every read endpoint here returns the matrix or the chooser, which change only
when the content version does. The validators therefore cost one indexed
read, and a client holding the current version gets a 304 before any
serialisation. The ETag also covers the URL (query included) and the media
type, since the same version renders differently per endpoint and format.
"""

import hashlib

from django.utils.http import http_date, parse_http_date_safe, quote_etag
from rest_framework import status
from rest_framework.response import Response

from comparisons.snapshot import content_state


class NotModified(Exception):
    pass


class ContentConditionalMixin:
    def initial(self, request, *args, **kwargs):
        # Authentication, permissions and throttling run first: a 304 counts like any read.
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        token, changed_at = content_state()
        variant = f"{request.get_full_path()}|{request.accepted_media_type}"
        digest = hashlib.sha256(variant.encode()).hexdigest()[:16]
        self.content_etag = quote_etag(f"{token:x}-{digest}")
        self.content_last_modified = int(changed_at.timestamp()) if changed_at else None
        if self._client_is_current(request):
            raise NotModified

    def _client_is_current(self, request) -> bool:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            # Weak comparison (RFC 9110 13.1.2): proxies may weaken our tag when compressing.
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or self.content_etag in tags
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        return (
            since is not None
            and self.content_last_modified is not None
            and self.content_last_modified <= since
        )

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        etag = getattr(self, "content_etag", None)
        if etag and response.status_code in (200, 304):
            response["ETag"] = etag
            if self.content_last_modified is not None:
                response["Last-Modified"] = http_date(self.content_last_modified)
            # Caches may keep a copy but must ask again each time; the ask is cheap.
            response["Cache-Control"] = "no-cache"
        return response
