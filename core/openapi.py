"""The API's failure responses in the OpenAPI schema, derived from each view's own setup.

A view documents its successful shapes with @extend_schema; the 4xx responses
follow from what DRF will do with its authenticators, throttles, parsers,
pagination and lookups, so they are added here in one place and stay true when
a view changes.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication

from core.conditional import ContentConditionalMixin

BODY_METHODS = {"POST", "PUT", "PATCH"}
# DRF's CharField refuses NUL and, once trimmed, a blank value; patterns say so to clients.
# What str.strip() trims, spelled out: \s differs between ECMA (OpenAPI's regex dialect) and Python.
WHITESPACE = "".join(f"\\u{code:04x}" for code in range(0x10000) if chr(code).isspace())
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = rf"^[{WHITESPACE}]*[^{WHITESPACE}\x00][^\x00]*$"
NOT_EMPTY = r"^[^\x00]+$"
UNSAFE_METHODS = {*BODY_METHODS, "DELETE"}


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Each invalid field → its messages; `detail` alone when the body is not JSON at all."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)


def _error(description: str, serializer=ErrorDetailSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


class ApiSchema(AutoSchema):
    """AutoSchema that adds every 304/4xx the view can answer, unless the view documents it."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._is_conditional():
            parameters += [
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="An ETag from an earlier response: 304 while the content is unchanged.",
                ),
                OpenApiParameter(
                    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304], required=True
                ),
                OpenApiParameter(
                    "Last-Modified", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304]
                ),
            ]
        if self.view.get_throttles():
            parameters.append(
                OpenApiParameter(
                    "Retry-After",
                    OpenApiTypes.INT,
                    OpenApiParameter.HEADER,
                    response=[429],
                    description="Seconds until the next request is allowed.",
                )
            )
        if self.view.get_authenticators():
            parameters.append(
                OpenApiParameter(
                    "WWW-Authenticate",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=[401],
                    required=True,
                )
            )
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"enum", "pattern", "format"} & schema.keys()
        ):
            if field.allow_blank:
                schema["pattern"] = NO_NUL
            else:
                schema["pattern"] = NOT_BLANK if field.trim_whitespace else NOT_EMPTY
        return schema

    def get_auth(self):
        # No authenticators means no credentials at all, not "optional" ones: no security entry.
        return super().get_auth() if self.view.get_authenticators() else []

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        # Every POST here needs its body, even where each field is optional on its own.
        if body and self.method == "POST":
            body["required"] = True
        return body

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(response, str(code), direction=direction)
        return responses

    def _is_conditional(self) -> bool:
        return self.method == "GET" and isinstance(self.view, ContentConditionalMixin)

    def _has_body(self) -> bool:
        return self.method in BODY_METHODS and self.get_request_serializer() is not None

    def _error_responses(self) -> dict:
        view = self.view
        authenticators = view.get_authenticators()
        errors = {}
        if self._is_conditional():
            errors[304] = OpenApiResponse(description="Not modified: the If-None-Match ETag is current.")
        if self._has_body():
            errors[400] = _error("Invalid input.", ValidationErrorSerializer)
        if authenticators:
            errors[401] = _error("Missing, malformed, unknown or revoked credentials.")
        if self.method in UNSAFE_METHODS and any(
            isinstance(auth, SessionAuthentication) for auth in authenticators
        ):
            errors[403] = _error("A session request without a valid CSRF token, or not permitted.")
        # A lookup in the path can miss; so can a page number past the end.
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            errors[404] = _error("Not found, or not yours.")
        if self._has_body():
            errors[415] = _error("The body is not application/json.")
        if view.get_throttles():
            errors[429] = _error("Too many requests; see Retry-After.")
        return errors
