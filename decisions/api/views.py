from django.db import transaction
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.openapi import ValidationErrorSerializer
from decisions import services
from decisions.api.serializers import (
    DecisionCreateSerializer,
    DecisionSerializer,
    DecisionUpdateSerializer,
    SnapshotSerializer,
)
from decisions.exports import decision_as_dict, decision_as_markdown
from decisions.models import Decision

EXPORT_FORMATS = {"md", "json"}


class DecisionPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        # DRF quietly falls back to the default for a bad page_size; name it in a 400 instead.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Expected a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    # "last" and an empty page are not the integers the schema promises.
    last_page_strings = ()

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit()):
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="Not a page number."))
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
            elif parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


@extend_schema_view(
    list=extend_schema(
        summary="Your decisions, newest first",
        responses={200: DecisionSerializer(many=True), 400: ValidationErrorSerializer},
    ),
    create=extend_schema(
        summary="Save a decision",
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer},
    ),
    retrieve=extend_schema(summary="One of your decisions"),
    partial_update=extend_schema(
        summary="Change title, status, chosen framework, notes or sharing",
        request=DecisionUpdateSerializer,
        responses={200: DecisionSerializer},
    ),
    destroy=extend_schema(summary="Delete a decision and its history"),
)
# One transaction around save, re-read and answer: if the connection drops in between,
# the client's 503 means nothing was stored, so a retry cannot duplicate it.
@method_decorator(transaction.atomic, name="create")
class DecisionViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Saved decisions. Every read goes through Decision.objects.owned_by(request.user)."""

    permission_classes = [IsAuthenticated]
    pagination_class = DecisionPagination
    serializer_class = DecisionSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        search = self.request.query_params.get("search", "").strip()
        # PostgreSQL refuses NUL in text; say so instead of failing in the database.
        if "\x00" in search:
            raise ValidationError({"search": ["Must not contain a NUL character."]})
        return Decision.objects.owned_by(self.request.user).with_snapshots().with_notices().search(search)

    def get_serializer_class(self):
        if self.action == "create":
            return DecisionCreateSerializer
        if self.action == "partial_update":
            return DecisionUpdateSerializer
        return DecisionSerializer

    def perform_create(self, serializer):
        decision = serializer.save(owner=self.request.user)
        # Answer with the decision as every read sees it: owner-scoped, snapshots prefetched.
        serializer.instance = self.get_queryset().get(pk=decision.pk)

    # PUT is not among http_method_names: answers are fixed, other fields change by PATCH.

    @extend_schema(
        summary="Export as a Markdown decision record (MADR) or as JSON",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=sorted(EXPORT_FORMATS), default="md")],
        responses={
            (200, "text/markdown"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            400: ValidationErrorSerializer,
        },
    )
    @action(detail=True, methods=["get"], url_path="export")
    def export(self, request, pk=None):
        # `format` is read here, not by DRF's content negotiation, so that an
        # unknown value is a 400 naming the parameter.
        export_format = request.query_params.get("format", "md")
        if export_format not in EXPORT_FORMATS:
            raise ValidationError({"format": [f"Expected one of: {', '.join(sorted(EXPORT_FORMATS))}."]})
        decision = self.get_object()
        filename = f"decision-{decision.pk}"
        if export_format == "json":
            response = Response(decision_as_dict(decision))
            response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
            return response
        response = HttpResponse(decision_as_markdown(decision), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.md"'
        return response

    @extend_schema(
        summary="Store a new snapshot computed on today's content",
        request=None,
        responses={201: SnapshotSerializer},
    )
    @action(detail=True, methods=["post"])
    def reevaluate(self, request, pk=None):
        snapshot = services.decision_reevaluate(decision=self.get_object())
        return Response(SnapshotSerializer(snapshot).data, status=status.HTTP_201_CREATED)
