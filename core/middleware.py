"""Request plumbing the whole site shares: health probes, request ids, body limits, CSP."""

import io
import re
import uuid

from csp.constants import HEADER, HEADER_REPORT_ONLY, SELF
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string

from core import health
from core.request_context import request_id_var

# A request id from a proxy is kept only if it is short and plain, so it can
# be logged and echoed without escaping.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class ApiFastPathMiddleware:
    """Sends API calls that carry no session cookie through a shorter middleware chain.

    Such a call cannot be session-authenticated, so sessions, CSRF, Django's
    auth middleware, allauth's, messages and Wagtail's redirects have nothing to
    do for it; the rest of settings.MIDDLEWARE (request ids, health, security
    headers, the body limit, no-store, framing and CSP) runs as usual, in the
    same order. A request with a session cookie, and everything outside
    API_FAST_PATH_PREFIX, takes the full chain. This middleware comes first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        path = f"{type(self).__module__}.{type(self).__qualname__}"
        skipped = {path, *settings.API_FAST_PATH_SKIP}
        self.short = _MiddlewareChain([name for name in settings.MIDDLEWARE if name not in skipped])
        self.prefix = settings.API_FAST_PATH_PREFIX
        self.cookie = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        if request.path_info.startswith(self.prefix) and self.cookie not in request.COOKIES:
            return self.short.chain(request)
        return self.get_response(request)


class _MiddlewareChain(BaseHandler):
    """A chain of middleware in front of Django's view handling, as BaseHandler.load_middleware builds it.

    Synchronous only: the portal is served over WSGI.
    """

    def __init__(self, paths):
        super().__init__()
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(paths):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self.paths = paths
        self.chain = self._middleware_chain = handler


class HealthCheckMiddleware:
    """Answers /healthz and /readyz before host validation and the SSL redirect.

    Orchestrators probe the container on its own address over plain HTTP; those
    probes must not depend on ALLOWED_HOSTS, TLS or any middleware below.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.routes = {"/healthz": health.liveness, "/readyz": health.readiness}

    def __call__(self, request):
        view = self.routes.get(request.path_info.rstrip("/") or "/")
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)


class RequestIdMiddleware:
    """Gives every request an id, echoed as X-Request-ID and attached to its log lines."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        # fullmatch: with match() and "$", a trailing newline would pass into logs and headers.
        request.id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response


class BodySizeLimitMiddleware:
    """Refuses oversized request bodies with 413 before anything parses them.

    Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE only when a form reads
    request.body, DRF's parsers read the stream directly, and CSRF checking
    parses multipart forms (spilling files to disk) before any view runs. So
    the limit is applied here, to every content type: only the admin's upload
    views (MULTIPART_UPLOAD_PATHS), and only for signed-in staff, may send
    multipart bodies up to the larger MULTIPART_UPLOAD_MAX_SIZE; it sits after
    the authentication middleware for that, which is safe because nothing reads
    a body before the view stage (CSRF parses in process_view). A body without
    Content-Length (chunked) is read here up to the limit and refused past it; an
    upload must declare its length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None:
            return self.get_response(request)
        multipart = request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
        if multipart and _may_upload(request):
            limit = max(limit, settings.MULTIPART_UPLOAD_MAX_SIZE)
        length = _declared_length(request)
        if length is None:
            if multipart:
                return _length_required(request)
            if not _read_capped_body(request, limit):
                return _too_large(request, limit)
        elif length > limit:
            return _too_large(request, limit)
        return self.get_response(request)


def _may_upload(request) -> bool:
    """An admin upload by signed-in staff: nobody else gets a large body parsed (and spilled to disk)."""
    if not request.path_info.startswith(tuple(settings.MULTIPART_UPLOAD_PATHS)):
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


def _declared_length(request) -> int | None:
    """The body's Content-Length; None for a chunked body, whose length nobody stated."""
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _read_capped_body(request, limit: int) -> bool:
    """Reads a body of unknown length into memory, at most `limit` bytes; False when it is longer.

    Django would read nothing of a body without Content-Length under WSGI; a
    server that de-chunks (wsgi.input_terminated) lets us read it to the end,
    and the request then carries it like any sized body.
    """
    source = request.META.get("wsgi.input")
    if source is None or not request.META.get("wsgi.input_terminated"):
        return True
    buffer = bytearray()
    while len(buffer) <= limit:
        chunk = source.read(min(64 * 1024, limit + 1 - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    if len(buffer) > limit:
        return False
    request.META["CONTENT_LENGTH"] = str(len(buffer))
    request._stream = LimitedStream(io.BytesIO(bytes(buffer)), len(buffer))
    return True


def _too_large(request, limit):
    message = f"The request body is larger than {limit} bytes."
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"limit": limit}, status=413)


def _length_required(request):
    message = "A multipart body must state its Content-Length."
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=411)
    return HttpResponse(message, status=411, content_type="text/plain; charset=utf-8")


class NoStoreWhenSignedInMiddleware:
    """Cache-Control: no-store on every response to a signed-in person or API token.

    Their pages and API answers hold private data (decisions, email addresses,
    a freshly minted token) that no shared or browser cache should keep.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with a strict policy on the public site and per-prefix exceptions.

    CSP_PATH_OVERRIDES loosens given directives under a path prefix (the
    admins, Swagger UI). Wagtail's preview is framed by its own editor, so
    preview URLs may be framed by the same origin; nothing else may be framed.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        replace = dict(parts.replace or {})
        for prefix, directives in settings.CSP_PATH_OVERRIDES:
            if request.path_info.startswith(prefix):
                replace.update(directives)
                break
        if _is_wagtail_preview(request):
            replace["frame-ancestors"] = [SELF]
        return PolicyParts(parts.config, parts.update, replace or None, parts.nonce)

    def __init__(self, get_response):
        super().__init__(get_response)
        self._headers = {}

    def process_response(self, request, response):
        # Building the policy is a tenth of an API call's CPU, and without a nonce or a
        # per-view change it depends only on which CSP_PATH_OVERRIDES prefix matched.
        key = self._reusable(request, response)
        cached = self._headers.get(key) if key is not None else None
        if cached is None:
            response = self._process_response(request, response)
            if key is not None and getattr(request, "_csp_nonce", None) is None:
                self._headers[key] = (response.get(HEADER), response.get(HEADER_REPORT_ONLY))
            return response
        for header, value in zip((HEADER, HEADER_REPORT_ONLY), cached, strict=True):
            if value is not None:
                response[header] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _reusable(self, request, response):
        """The cache key of this response's headers, or None when they must be built."""
        if (
            getattr(request, "_csp_nonce", None) is not None
            or HEADER in response
            or HEADER_REPORT_ONLY in response
            or settings.DEBUG
            or _is_wagtail_preview(request)
            or any(hasattr(response, f"_csp_{part}") for part in _CSP_RESPONSE_PARTS)
        ):
            return None
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        if any((config or {}).get("EXCLUDE_URL_PREFIXES") for config in (policy, report_only)):
            return None
        matched = next(
            (
                n
                for n, (prefix, _) in enumerate(settings.CSP_PATH_OVERRIDES)
                if request.path_info.startswith(prefix)
            ),
            None,
        )
        return (matched, id(policy), id(report_only), id(settings.CSP_PATH_OVERRIDES))

    def _process_response(self, request, response):
        response = super().process_response(request, response)
        if _is_wagtail_preview(request):
            # For browsers that only know X-Frame-Options; XFrameOptionsMiddleware keeps a set value.
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response


_CSP_RESPONSE_PARTS = (
    "config", "update", "replace", "exempt", "config_ro", "update_ro", "replace_ro", "exempt_ro",
)  # fmt: skip


def _is_wagtail_preview(request) -> bool:
    path = request.path_info
    return path.startswith("/admin/") and "/preview/" in path
