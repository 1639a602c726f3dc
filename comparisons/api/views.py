from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from comparisons.api import serializers
from comparisons.engine import recommend, result_to_dict
from comparisons.models import Aspect, Companion, Framework, Question, Rating, Scenario
from comparisons.snapshot import get_snapshot
from core.conditional import ContentConditionalMixin
from core.parsers import FastJSONParser
from core.renderers import FastJSONRenderer, FixedContentNegotiation
from core.throttling import AnonRateThrottle


class FrameworkViewSet(ContentConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """The frameworks in the matrix; the detail includes every rating."""

    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self):
        if self.action == "retrieve":
            return Framework.objects.published().with_ratings().with_facts()
        return Framework.objects.published().with_facts()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.FrameworkDetailSerializer
        return serializers.FrameworkSerializer


class AspectViewSet(ContentConditionalMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Aspect.objects.published()
    serializer_class = serializers.AspectSerializer
    lookup_field = "slug"
    pagination_class = None


class ScenarioViewSet(ContentConditionalMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Scenario.objects.published().with_framework()
    serializer_class = serializers.ScenarioSerializer
    lookup_field = "slug"
    pagination_class = None


class QuestionViewSet(ContentConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """The chooser's questions with their options, each option's weights and scenarios."""

    queryset = Question.objects.published().with_options()
    serializer_class = serializers.QuestionSerializer
    lookup_field = "slug"
    pagination_class = None


class CompanionViewSet(ContentConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Packages that extend frameworks, with the aspects each covers and to what level."""

    queryset = Companion.objects.published().with_coverage()
    serializer_class = serializers.CompanionSerializer
    lookup_field = "slug"
    pagination_class = None


class MatrixView(ContentConditionalMixin, APIView):
    """The whole matrix in one response: frameworks, aspects and every rating."""

    @extend_schema(responses=serializers.MatrixSerializer)
    def get(self, request):
        ratings = (
            Rating.objects.published()
            .select_related("framework", "aspect", "source_page")
            .order_by("framework__sort_order", "aspect__sort_order")
        )
        data = {
            "frameworks": Framework.objects.published().with_facts(),
            "aspects": Aspect.objects.published(),
            "ratings": ratings,
        }
        return Response(serializers.MatrixSerializer(data).data)


class RecommendationView(APIView):
    """Rank the frameworks for a project's answers and weights, and explain why."""

    # The hot path: orjson both ways, and no content negotiation (it only speaks JSON).
    parser_classes = [FastJSONParser]
    renderer_classes = [FastJSONRenderer]
    content_negotiation_class = FixedContentNegotiation
    # The answer depends on the body alone, never on who asks: no authentication
    # (and so no session lookup or CSRF check), and one throttle keyed by client address.
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=serializers.RecommendationInputSerializer,
        responses={
            200: serializers.RecommendationSerializer,
            400: serializers.RecommendationErrorSerializer,
        },
        examples=[
            OpenApiExample(
                "A content site that needs an admin",
                value={"answers": {"project": "content", "needs": ["admin"]}},
                request_only=True,
            ),
            OpenApiExample(
                "Weights only", value={"weights": {"performance": 3, "async": 2}}, request_only=True
            ),
        ],
    )
    def post(self, request):
        snapshot = get_snapshot()
        arguments = serializers.validate_recommendation(snapshot, request.data)
        result = result_to_dict(recommend(snapshot, **arguments))
        result["fingerprint"] = snapshot.fingerprint
        return Response(result)
