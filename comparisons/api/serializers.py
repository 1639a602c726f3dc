from dataclasses import fields, is_dataclass
from types import UnionType
from typing import get_args, get_origin, get_type_hints

from django.db import DatabaseError
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from comparisons.engine import (
    CONSTRAINT_KEYS,
    MAX_REPORTED,
    MIN_WEIGHT,
    MUST_HAVE_MIN,
    SINGLE,
    WEIGHT_LIMIT,
    Constraints,
    InvalidInput,
    Result,
    shown,
    validate_constraints,
    validate_input,
    validate_must_have,
)
from comparisons.models import (
    Advisory,
    Aspect,
    Companion,
    CompanionCoverage,
    Framework,
    Option,
    Question,
    Rating,
    ReleaseLine,
    Scenario,
)
from comparisons.snapshot import get_snapshot


class AspectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Aspect
        fields = ["slug", "name", "description", "kind"]


class RatingSourceSerializer(serializers.Serializer):
    url = serializers.URLField(read_only=True)
    title = serializers.CharField(read_only=True)


class RatingSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    aspect = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    source_url = serializers.CharField(read_only=True)
    # Sources, review date and needs_review: the evidence behind the cell (history helper).
    sources = RatingSourceSerializer(many=True, read_only=True, help_text="Public sources for this rating.")
    reviewed_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="When an editor last confirmed this rating."
    )
    needs_review = serializers.BooleanField(
        read_only=True, help_text="Not confirmed within the review period (MATRIX_REVIEW_DAYS)."
    )

    class Meta:
        model = Rating
        fields = [
            "framework",
            "aspect",
            "score",
            "label",
            "note",
            "source_url",
            "sources",
            "reviewed_on",
            "needs_review",
        ]


class ReleaseLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReleaseLine
        fields = ["version", "lts", "end_of_support", "source"]


class AdvisorySerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="advisory_id", help_text="The advisory's id, e.g. PYSEC-… or GHSA-….")
    fixed_in = serializers.ListField(child=serializers.CharField(), help_text="Versions that fix it.")

    class Meta:
        model = Advisory
        fields = ["id", "summary", "fixed_in", "url"]


class FactsSerializer(serializers.Serializer):
    """Release facts: fetched from the package index, plus the release lines editors curate."""

    package = serializers.CharField()
    latest_version = serializers.CharField(allow_null=True)
    latest_release_date = serializers.DateField(allow_null=True)
    first_release_date = serializers.DateField(allow_null=True)
    requires_python = serializers.CharField(allow_null=True, help_text='A version specifier, e.g. ">=3.10".')
    python_versions = serializers.ListField(
        child=serializers.CharField(), help_text="Python versions the package's classifiers name."
    )
    license = serializers.CharField(allow_null=True)
    release_lines = ReleaseLineSerializer(many=True)
    advisories = AdvisorySerializer(many=True, help_text="Advisories open on the latest release.")
    fetched_at = serializers.DateTimeField(allow_null=True, help_text="When these facts were fetched.")


def facts_data(framework: Framework) -> dict | None:
    """The `facts` object of a framework with prefetched facts (`with_facts()`), or None."""
    facts = framework.fetched_facts
    lines = list(framework.release_lines.all())
    if facts is None and not lines and not framework.package:
        return None
    return {
        "package": facts.package if facts else framework.package,
        "latest_version": facts.latest_version if facts else None,
        "latest_release_date": facts.latest_release_date if facts else None,
        "first_release_date": facts.first_release_date if facts else None,
        "requires_python": (facts.requires_python or None) if facts else None,
        "python_versions": facts.python_versions if facts else [],
        "license": (facts.license or None) if facts else None,
        "release_lines": lines,
        "advisories": list(facts.advisories.all()) if facts else [],
        "fetched_at": facts.fetched_at if facts else None,
    }


class FrameworkSerializer(serializers.ModelSerializer):
    facts = serializers.SerializerMethodField()

    class Meta:
        model = Framework
        fields = ["slug", "name", "kind", "summary", "website", "docs_url", "colour", "tagline", "facts"]

    @extend_schema_field(FactsSerializer(allow_null=True))
    def get_facts(self, framework) -> dict | None:
        data = facts_data(framework)
        return None if data is None else FactsSerializer(data).data


class FrameworkDetailSerializer(FrameworkSerializer):
    ratings = RatingSerializer(many=True, read_only=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "ratings"]


class ScenarioSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    alternatives = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        read_only=True,
        help_text="Other frameworks that fit this situation too and share its credit.",
    )

    class Meta:
        model = Scenario
        fields = [
            "slug",
            "situation",
            "framework",
            "alternatives",
            "companion",
            "rationale",
            "in_cheat_sheet",
            "separate_service",
        ]


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
        fields = ["slug", "prompt", "help_text", "kind", "context", "options"]


class CoverageSerializer(serializers.ModelSerializer):
    aspect = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = CompanionCoverage
        fields = ["aspect", "level"]


class CompanionSerializer(serializers.ModelSerializer):
    frameworks = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="The frameworks it extends."
    )
    scenarios = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Scenarios whose advice names it."
    )
    covers = CoverageSerializer(
        source="coverage",
        many=True,
        read_only=True,
        help_text="The aspects it covers, each with the level (0–5) a framework reaches with it.",
    )

    class Meta:
        model = Companion
        fields = ["slug", "name", "package", "docs_url", "note", "frameworks", "scenarios", "covers"]


class MatrixSerializer(serializers.Serializer):
    frameworks = FrameworkSerializer(many=True)
    aspects = AspectSerializer(many=True)
    ratings = RatingSerializer(many=True)


# The engine validates answers and weights against today's chooser; these
# fields carry them through unchanged, and their schemas (below) list that
# chooser's questions, options and aspects so that the OpenAPI schema states
# exactly which input succeeds.


class ChooserInputField(serializers.JSONField):
    """Answers, weights, must-haves or constraints (`kind`) as sent, for the engine to check."""

    def __init__(self, *, kind: str, allow_empty=True, **kwargs):
        self.kind = kind
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


def must_have_schema(snapshot, *, allow_empty: bool) -> dict:
    slugs = [aspect.slug for aspect in snapshot.aspects if aspect.numeric]
    schema = {"type": "array", "items": {"type": "string", "enum": slugs}}
    return schema if allow_empty else {**schema, "minItems": 1}


CONSTRAINTS_SCHEMA = {
    "type": "object",
    "properties": {
        "python": {
            "type": "string",
            "pattern": r"^[0-9]{1,2}\.[0-9]{1,3}$",
            "description": "A Python version every eligible framework must support, e.g. 3.12.",
        },
        "supported_until": {
            "type": "string",
            "format": "date",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "Eligible frameworks are supported at least until this date.",
        },
        "no_open_advisories": {
            "type": "boolean",
            "description": "True: rule out frameworks with open security advisories on their latest release.",
        },
    },
    "additionalProperties": False,
    "minProperties": 1,
}


def content_snapshot():
    """Today's content for the schema's enums, or None before the database is migrated.

    `manage.py check` generates the schema too, and may run before `migrate`
    (a container build, a fresh clone); the schema then falls back to plain types.
    """
    try:
        return get_snapshot()
    except DatabaseError:
        return None


class ChooserInputFieldSchema(OpenApiSerializerFieldExtension):
    target_class = ChooserInputField

    def map_serializer_field(self, auto_schema, direction):
        if self.target.kind == "constraints":
            return CONSTRAINTS_SCHEMA
        snapshot = content_snapshot()
        if self.target.kind == "must_have":
            if snapshot is None:
                return {"type": "array", "items": {"type": "string"}}
            return must_have_schema(snapshot, allow_empty=self.target.allow_empty)
        if self.target.kind == "weights":
            if snapshot is None:
                return {"type": "object", "additionalProperties": {"type": "number"}}
            return weights_schema(snapshot, allow_empty=self.target.allow_empty)
        if snapshot is None:
            answer = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
            return {"type": "object", "additionalProperties": answer}
        return answers_schema(snapshot, allow_empty=self.target.allow_empty)


class FrameworkSlugFieldSchema(OpenApiSerializerFieldExtension):
    target_class = FrameworkSlugField

    def map_serializer_field(self, auto_schema, direction):
        snapshot = content_snapshot()
        slugs = [framework.slug for framework in snapshot.frameworks] if snapshot else []
        if not slugs:
            # An enum may not be empty: without content, any string (and a 400 for each).
            return {"type": "string"}
        return {"type": "string", "enum": [*slugs, ""] if self.target.allow_blank else slugs}


def raise_invalid(error: InvalidInput):
    """The engine's field-keyed problems as DRF's 400."""
    raise serializers.ValidationError(error.errors) from error


class RecommendationInputSerializer(serializers.Serializer):
    """Any of answers, weights, must-haves and constraints, one at least; no part sent empty.

    Must-haves or constraints alone rank by eligibility only: every score is 50.
    """

    # validate() checks against context["snapshot"], so that a request reads it once.
    answers = ChooserInputField(
        kind="answers",
        allow_empty=False,
        required=False,
        help_text="Question slug → option slug, or a list of option slugs (one at most for "
        "single-choice questions). See GET /api/v1/questions/.",
    )
    weights = ChooserInputField(
        kind="weights",
        allow_empty=False,
        required=False,
        help_text=f"Aspect slug → extra weight from {-WEIGHT_LIMIT} to {WEIGHT_LIMIT}, "
        f"at least {MIN_WEIGHT} either side of 0.",
    )
    must_have = ChooserInputField(
        kind="must_have",
        allow_empty=False,
        required=False,
        help_text=f"Numeric aspect slugs a framework must meet: rated at least {MUST_HAVE_MIN}, "
        "or through a companion that covers the aspect that far. Others are ruled out.",
    )
    constraints = ChooserInputField(
        kind="constraints",
        allow_empty=False,
        required=False,
        help_text="Limits on release facts; a framework that fails one, or whose facts are unknown, "
        "is ruled out.",
    )

    def run_validation(self, data=serializers.empty):
        return validate_recommendation(self.context["snapshot"], data)


RECOMMENDATION_FIELDS = ("answers", "weights", "must_have", "constraints")


def validate_recommendation(snapshot, data) -> dict:
    """A recommendation body checked as RecommendationInputSerializer documents it: the engine's arguments.

    The serializer describes the body for the schema; this does its checking without
    binding a fresh copy of its fields per request, so the recommendation endpoint,
    the API's hot path, calls it directly. Raises DRF's ValidationError, keyed by field.
    """
    # A body that is not an object, or names another field, is refused as a whole.
    expected = "“answers”, “weights”, “must_have” and/or “constraints”"
    if not isinstance(data, dict):
        message = f"Expected a JSON object with {expected}."
        raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
    unknown = sorted(set(data) - set(RECOMMENDATION_FIELDS))
    if unknown:
        message = f"Unknown field; expected {expected}."
        errors = {shown(key): [message] for key in unknown[:MAX_REPORTED]}
        if len(unknown) > MAX_REPORTED:
            errors[shown(unknown[MAX_REPORTED - 1])].append(
                f"…and {len(unknown) - MAX_REPORTED:,} more unknown fields, not listed."
            )
        raise serializers.ValidationError(errors)
    null = serializers.Field.default_error_messages["null"]
    nulls = {key: [str(null)] for key in RECOMMENDATION_FIELDS if key in data and data[key] is None}
    if nulls:
        raise serializers.ValidationError(nulls)
    if not data or any(data.get(key) in ({}, []) for key in RECOMMENDATION_FIELDS):
        message = "Give at least one answer, weight, must-have or constraint; leave out unused parts."
        raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
    errors = {}
    must_have, constraints = (), Constraints()
    try:
        must_have = validate_must_have(snapshot, data.get("must_have"))
    except InvalidInput as error:
        errors.update(error.errors)
    try:
        constraints = validate_constraints(data.get("constraints"))
    except InvalidInput as error:
        errors.update(error.errors)
    answers, weights = {}, {}
    if "answers" in data or "weights" in data:
        try:
            answers, weights = validate_input(
                snapshot, data.get("answers"), data.get("weights"), allow_blank=False
            )
        except InvalidInput as error:
            errors = {**error.errors, **errors}
    if errors:
        raise_invalid(InvalidInput(errors))
    return {"answers": answers, "weights": weights, "must_have": must_have, "constraints": constraints}


class RecommendationInputSchema(OpenApiSerializerExtension):
    target_class = RecommendationInputSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        return {**schema, "additionalProperties": False, "minProperties": 1}


# The result's serializers are derived from the engine's dataclasses, its one shape.
# They describe the JSON of engine.result_to_dict() in the schema (and could render a
# Result, which a test checks); the views answer with result_to_dict(), which is faster.
_RESULT_SERIALIZERS: dict[type, type[serializers.Serializer]] = {}


def result_serializer(cls) -> type[serializers.Serializer]:
    """The serializer (named after the dataclass, as is its schema component) for a result part."""
    if cls not in _RESULT_SERIALIZERS:
        hints = get_type_hints(cls)
        declared = {}
        for spec in fields(cls):
            key = spec.metadata.get("json", spec.name)
            options = {"help_text": spec.metadata["doc"]} if "doc" in spec.metadata else {}
            if key != spec.name:
                options["source"] = spec.name
            declared[key] = _result_field(hints[spec.name], **options)
        doc = cls.__doc__ if cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}(") else ""
        declared["__doc__"] = doc
        declared["__module__"] = __name__
        name = f"{cls.__name__}Serializer"
        _RESULT_SERIALIZERS[cls] = serializers.SerializerMetaclass(name, (serializers.Serializer,), declared)
    return _RESULT_SERIALIZERS[cls]


def _result_field(hint, **options) -> serializers.Field:
    origin, args = get_origin(hint), get_args(hint)
    if origin is UnionType:
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _result_field(inner, allow_null=True, **options)
    if is_dataclass(hint):
        return result_serializer(hint)(**options)
    if origin is tuple:
        if is_dataclass(args[0]):
            return result_serializer(args[0])(many=True, **options)
        return serializers.ListField(child=_result_field(args[0]), **options)
    if origin is dict:
        return serializers.DictField(child=_result_field(args[1]), **options)
    scalars = {
        str: serializers.CharField,
        int: serializers.IntegerField,
        float: serializers.FloatField,
        bool: serializers.BooleanField,
    }
    return scalars[hint](**options)


ResultSerializer = result_serializer(Result)


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


class _RecommendationErrors(serializers.Serializer):
    answers = NestedErrorsField(required=False)
    weights = NestedErrorsField(required=False)
    must_have = NestedErrorsField(required=False, help_text="Aspect slug (as sent) → messages.")
    constraints = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The constraints value is not an object."
    )
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)


# "constraints.python" and its kin are not identifiers, so they are added by name.
RecommendationErrorSerializer = serializers.SerializerMetaclass(
    "RecommendationErrorSerializer",
    (_RecommendationErrors,),
    {
        "__module__": __name__,
        "__doc__": "Field → messages; any other top-level field sent is named with its message too. "
        "must_have names each bad item; a bad constraint is named constraints.<key>.",
        **{
            f"constraints.{key}": serializers.ListField(child=serializers.CharField(), required=False)
            for key in CONSTRAINT_KEYS
        },
    },
)
