"""Request plumbing the whole site shares: health probes, request ids, body limits, CSP."""

import re
import uuid

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from core import health
from core.request_context import request_id_var

# A request id from a proxy is kept only if it is short and plain, so it can
# be logged and echoed without escaping.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


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
        request.id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response


class BodySizeLimitMiddleware:
    """Refuses oversized request bodies up front with 413.

    Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE only when a form reads
    request.body; DRF's parsers read the stream directly and would not. File
    uploads (multipart) have their own limits and go to disk, so they pass.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.META.get("CONTENT_TYPE", "")
        if limit is not None and not content_type.startswith("multipart/form-data"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return _too_large(request, limit)
        return self.get_response(request)


def _too_large(request, limit):
    message = f"The request body is larger than {limit} bytes."
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"limit": limit}, status=413)


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

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if _is_wagtail_preview(request):
            # For browsers that only know X-Frame-Options; XFrameOptionsMiddleware keeps a set value.
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response


def _is_wagtail_preview(request) -> bool:
    path = request.path_info
    return path.startswith("/admin/") and "/preview/" in path
