from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from comparisons.api import serializers
from comparisons.engine import InvalidInput, recommend, result_to_dict, validate_input
from comparisons.models import Aspect, Framework, Question, Rating, Scenario
from comparisons.snapshot import get_snapshot
from core.conditional import ContentConditionalMixin
from core.parsers import JSONParser
from core.throttling import AnonRateThrottle

ALLOWED_KEYS = {"answers", "weights"}


class FrameworkViewSet(ContentConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """The frameworks in the matrix; the detail includes every rating."""

    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self):
        if self.action == "retrieve":
            return Framework.objects.with_ratings()
        return Framework.objects.all()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.FrameworkDetailSerializer
        return serializers.FrameworkSerializer


class AspectViewSet(ContentConditionalMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Aspect.objects.all()
    serializer_class = serializers.AspectSerializer
    lookup_field = "slug"
    pagination_class = None


class ScenarioViewSet(ContentConditionalMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Scenario.objects.with_framework()
    serializer_class = serializers.ScenarioSerializer
    lookup_field = "slug"
    pagination_class = None


class QuestionViewSet(ContentConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """The chooser's questions with their options, each option's weights and scenarios."""

    queryset = Question.objects.with_options()
    serializer_class = serializers.QuestionSerializer
    lookup_field = "slug"
    pagination_class = None


class MatrixView(ContentConditionalMixin, APIView):
    """The whole matrix in one response: frameworks, aspects and every rating."""

    @extend_schema(responses=serializers.MatrixSerializer)
    def get(self, request):
        ratings = Rating.objects.select_related("framework", "aspect", "source_page").order_by(
            "framework__sort_order", "aspect__sort_order"
        )
        data = {
            "frameworks": Framework.objects.all(),
            "aspects": Aspect.objects.all(),
            "ratings": ratings,
        }
        return Response(serializers.MatrixSerializer(data).data)


class RecommendationView(APIView):
    """Rank the frameworks for a project's answers and weights, and explain why."""

    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
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
        body = request.data
        if not isinstance(body, dict):
            return Response(
                {"non_field_errors": ["Expected a JSON object with “answers” and/or “weights”."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        unknown = sorted(set(body) - ALLOWED_KEYS)
        if unknown:
            return Response(
                {key: ["Unknown field; expected “answers” and/or “weights”."] for key in unknown},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # The engine reads a missing part as empty; an explicit null is a client's mistake.
        nulls = sorted(key for key in ALLOWED_KEYS if key in body and body[key] is None)
        if nulls:
            return Response(
                {key: ["This field may not be null."] for key in nulls}, status=status.HTTP_400_BAD_REQUEST
            )
        if any(body.get(key) == {} for key in ALLOWED_KEYS):
            message = "Give at least one answer or one weight; leave out a part you do not use."
            return Response({"non_field_errors": [message]}, status=status.HTTP_400_BAD_REQUEST)
        blank = serializers.blank_input_errors(body.get("answers"), body.get("weights"))
        if blank:
            return Response(blank, status=status.HTTP_400_BAD_REQUEST)
        snapshot = get_snapshot()
        try:
            answers, weights = validate_input(snapshot, body.get("answers"), body.get("weights"))
        except InvalidInput as error:
            return Response(error.errors, status=status.HTTP_400_BAD_REQUEST)
        result = result_to_dict(recommend(snapshot, answers, weights))
        result["fingerprint"] = snapshot.fingerprint
        return Response(result)
