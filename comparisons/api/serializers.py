from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comparisons.engine import WEIGHT_LIMIT
from comparisons.models import Aspect, Framework, Option, Question, Rating, Scenario


class AspectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Aspect
        fields = ["slug", "name", "description", "kind"]


class RatingSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    aspect = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    source_url = serializers.CharField(read_only=True)

    class Meta:
        model = Rating
        fields = ["framework", "aspect", "score", "label", "note", "source_url"]


class FrameworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Framework
        fields = ["slug", "name", "kind", "summary", "website", "docs_url"]


class FrameworkDetailSerializer(FrameworkSerializer):
    ratings = RatingSerializer(many=True, read_only=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "ratings"]


class ScenarioSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Scenario
        fields = ["slug", "situation", "framework", "companion", "rationale", "in_cheat_sheet"]


class OptionSerializer(serializers.ModelSerializer):
    weights = serializers.SerializerMethodField()
    scenarios = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Option
        fields = ["slug", "label", "description", "weights", "scenarios"]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
    def get_weights(self, option) -> dict:
        return {w.aspect.slug: w.weight for w in option.weights.all()}


class QuestionSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["slug", "prompt", "help_text", "kind", "options"]


class MatrixSerializer(serializers.Serializer):
    frameworks = FrameworkSerializer(many=True)
    aspects = AspectSerializer(many=True)
    ratings = RatingSerializer(many=True)


# The recommendation endpoint validates against the live chooser in the
# engine; these serializers describe its shapes for the OpenAPI schema.


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "An option slug (single-choice questions)."},
            {"type": "array", "items": {"type": "string"}, "description": "Option slugs."},
        ]
    }
)
class AnswerField(serializers.JSONField):
    pass


class RecommendationRequestSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=AnswerField(),
        required=False,
        help_text="Question slug → option slug, or a list of option slugs for "
        "multiple-choice questions. See GET /api/v1/questions/.",
    )
    weights = serializers.DictField(
        child=serializers.FloatField(min_value=-WEIGHT_LIMIT, max_value=WEIGHT_LIMIT),
        required=False,
        help_text=f"Aspect slug → extra weight from {-WEIGHT_LIMIT} to {WEIGHT_LIMIT}. "
        "At least one answer or one weight is required.",
    )


class ReasonSerializer(serializers.Serializer):
    aspect = serializers.CharField(help_text="Aspect slug, or scenario:<slug>.")
    aspect_name = serializers.CharField()
    text = serializers.CharField()
    points = serializers.FloatField()
    source_url = serializers.CharField(help_text="Guide section backing the rating, if any.")


class RankedSerializer(serializers.Serializer):
    framework = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField(help_text="0–100.")
    guide_url = serializers.CharField()
    contributions = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Points each aspect (or scenario:<slug>) adds to the baseline of 50.",
    )
    reasons = ReasonSerializer(many=True)


class MatchedScenarioSerializer(serializers.Serializer):
    slug = serializers.CharField()
    situation = serializers.CharField()
    framework = serializers.CharField()
    framework_name = serializers.CharField()
    companion = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    question = serializers.CharField()
    # "from" is a Python keyword, so the field is declared through the fields mapping.
    to = serializers.ListField(child=serializers.CharField())

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.ListField(child=serializers.CharField())
        return fields


class FlipSerializer(serializers.Serializer):
    recommended = serializers.CharField()
    name = serializers.CharField()
    changes = ChangeSerializer(many=True)


class RecommendationSerializer(serializers.Serializer):
    recommended = serializers.CharField(help_text="Slug of the best-fitting framework.")
    ranking = RankedSerializer(many=True)
    matched_scenarios = MatchedScenarioSerializer(many=True)
    weights = serializers.DictField(
        child=serializers.FloatField(), help_text="The combined weight of each aspect."
    )
    close_call = serializers.BooleanField(help_text="True when the top two are within 5 points.")
    flip = FlipSerializer(
        allow_null=True, help_text="On a close call, the smallest change of answers that flips it."
    )
    fingerprint = serializers.CharField(help_text="Identifies the matrix and chooser used.")


class ErrorSerializer(serializers.Serializer):
    """Field → messages; nested for answers and weights (question or aspect → messages)."""

    answers = serializers.DictField(child=serializers.ListField(), required=False)
    weights = serializers.DictField(child=serializers.ListField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)
