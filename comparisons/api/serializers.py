from collections.abc import Mapping

from django.db import DatabaseError
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comparisons.engine import SINGLE, WEIGHT_LIMIT
from comparisons.models import Aspect, Framework, Option, Question, Rating, Scenario
from comparisons.snapshot import get_snapshot


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


# Weights closer to 0 than this mean nothing, and tiny ones overflow the engine's scaling.
MIN_WEIGHT = 0.01

# The engine validates answers and weights against today's chooser; these
# fields carry them through unchanged, and their schemas (below) list that
# chooser's questions, options and aspects so that the OpenAPI schema states
# exactly which input succeeds.


class AnswersField(serializers.JSONField):
    def __init__(self, *, allow_empty=True, **kwargs):
        self.allow_empty = allow_empty
        super().__init__(**kwargs)


class WeightsField(serializers.JSONField):
    def __init__(self, *, allow_empty=True, **kwargs):
        self.allow_empty = allow_empty
        super().__init__(**kwargs)


class StrictCharField(serializers.CharField):
    """A CharField that takes only JSON strings, where DRF's would turn 0 into "0".

    The length limit applies to what was sent, as the schema's maxLength says, not to
    the value after trimming.
    """

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class FrameworkSlugField(StrictCharField):
    """A framework's slug; the view checks it against today's frameworks."""

    def __init__(self, **kwargs):
        # " django" is not a slug: no silent trimming, so the schema's enum is the whole truth.
        super().__init__(trim_whitespace=False, max_length=50, **kwargs)


def blank_input_errors(answers, weights) -> dict:
    """What the API refuses though the engine would take it: an empty answer, a weight of ~0.

    Over the API these are a client's mistake; refusing them also keeps "at least one
    answer or one weight" expressible in the schema as "at least one entry".
    """
    errors = {}
    if isinstance(answers, Mapping):
        blank = {
            slug: ["Give an option slug or a non-empty list of them; leave an unanswered question out."]
            for slug, value in answers.items()
            if value == "" or value == []
        }
        if blank:
            errors["answers"] = blank
    if isinstance(weights, Mapping):
        zero = {
            slug: [f"Give a weight of at least {MIN_WEIGHT} either way; leave the aspect out for none."]
            for slug, value in weights.items()
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < MIN_WEIGHT
        }
        if zero:
            errors["weights"] = zero
    return errors


def answers_schema(snapshot, *, allow_empty: bool) -> dict:
    properties = {}
    for question in snapshot.questions:
        if not question.options:
            continue
        option = {"type": "string", "enum": [option.slug for option in question.options]}
        options = {"type": "array", "items": option, "minItems": 1}
        if question.kind == SINGLE:
            options["maxItems"] = 1
        properties[question.slug] = {"oneOf": [option, options], "description": question.prompt}
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return schema if allow_empty else {**schema, "minProperties": 1}


def weights_schema(snapshot, *, allow_empty: bool) -> dict:
    near_zero = {
        "minimum": -MIN_WEIGHT,
        "maximum": MIN_WEIGHT,
        "exclusiveMinimum": True,
        "exclusiveMaximum": True,
    }
    weight = {"type": "number", "minimum": -WEIGHT_LIMIT, "maximum": WEIGHT_LIMIT, "not": near_zero}
    properties = {
        aspect.slug: {**weight, "description": aspect.name} for aspect in snapshot.aspects if aspect.numeric
    }
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return schema if allow_empty else {**schema, "minProperties": 1}


def content_snapshot():
    """Today's content for the schema's enums, or None before the database is migrated.

    `manage.py check` generates the schema too, and may run before `migrate`
    (a container build, a fresh clone); the schema then falls back to plain types.
    """
    try:
        return get_snapshot()
    except DatabaseError:
        return None


class AnswersFieldSchema(OpenApiSerializerFieldExtension):
    target_class = AnswersField

    def map_serializer_field(self, auto_schema, direction):
        snapshot = content_snapshot()
        if snapshot is None:
            answer = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
            return {"type": "object", "additionalProperties": answer}
        return answers_schema(snapshot, allow_empty=self.target.allow_empty)


class WeightsFieldSchema(OpenApiSerializerFieldExtension):
    target_class = WeightsField

    def map_serializer_field(self, auto_schema, direction):
        snapshot = content_snapshot()
        if snapshot is None:
            return {"type": "object", "additionalProperties": {"type": "number"}}
        return weights_schema(snapshot, allow_empty=self.target.allow_empty)


class FrameworkSlugFieldSchema(OpenApiSerializerFieldExtension):
    target_class = FrameworkSlugField

    def map_serializer_field(self, auto_schema, direction):
        snapshot = content_snapshot()
        slugs = [framework.slug for framework in snapshot.frameworks] if snapshot else []
        if not slugs:
            # An enum may not be empty: without content, any string (and a 400 for each).
            return {"type": "string"}
        return {"type": "string", "enum": [*slugs, ""] if self.target.allow_blank else slugs}


class RecommendationInputSerializer(serializers.Serializer):
    """Either part may be left out, not both; a part that is sent is not empty."""

    answers = AnswersField(
        allow_empty=False,
        required=False,
        help_text="Question slug → option slug, or a list of option slugs (one at most for "
        "single-choice questions). See GET /api/v1/questions/.",
    )
    weights = WeightsField(
        allow_empty=False,
        required=False,
        help_text=f"Aspect slug → extra weight from {-WEIGHT_LIMIT} to {WEIGHT_LIMIT}, "
        f"at least {MIN_WEIGHT} either side of 0.",
    )


class RecommendationInputSchema(OpenApiSerializerExtension):
    target_class = RecommendationInputSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        return {**schema, "additionalProperties": False, "minProperties": 1}


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


class ResultSerializer(serializers.Serializer):
    """The engine's answer, as stored in a decision's snapshot."""

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


class RecommendationSerializer(ResultSerializer):
    fingerprint = serializers.CharField(help_text="Identifies the matrix and chooser used.")


MESSAGES = {"type": "array", "items": {"type": "string"}}


@extend_schema_field(
    {
        "oneOf": [
            {**MESSAGES, "description": "The whole field is of the wrong type."},
            {
                "type": "object",
                "additionalProperties": MESSAGES,
                "description": "Question or aspect slug → messages.",
            },
        ]
    }
)
class NestedErrorsField(serializers.JSONField):
    pass


class RecommendationErrorSerializer(serializers.Serializer):
    """Field → messages; any other top-level field sent is named with its message too."""

    answers = NestedErrorsField(required=False)
    weights = NestedErrorsField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)
