from collections.abc import Mapping

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comparisons.answers import clean_tuned_weights, constraints_to_dict
from comparisons.api.serializers import (
    CONSTRAINTS_SCHEMA,
    ChooserInputField,
    FrameworkSlugField,
    ResultSerializer,
    StrictCharField,
    content_snapshot,
    raise_invalid,
    result_serializer,
)
from comparisons.engine import (
    CLEAR,
    CLOSE_CALL,
    TIE,
    WEIGHT_LIMIT,
    InvalidInput,
    Stack,
    validate_constraints,
    validate_input,
    validate_must_have,
)
from comparisons.snapshot import get_snapshot
from decisions import attention, services
from decisions.models import Decision, DecisionSnapshot, DecisionStatus


# The fingerprint is the snapshot's own field, beside the result.
@extend_schema_field(ResultSerializer)
class ResultField(serializers.JSONField):
    pass


class SnapshotSerializer(serializers.ModelSerializer):
    result = ResultField(read_only=True)

    class Meta:
        model = DecisionSnapshot
        fields = ["created_at", "fingerprint", "recommended", "result"]


# As the recommendations take them, but a decision saved without constraints keeps {}.
@extend_schema_field({k: v for k, v in CONSTRAINTS_SCHEMA.items() if k != "minProperties"})
class ConstraintsField(serializers.JSONField):
    """python, supported_until and no_open_advisories, only those that were set."""


class TunedWeightsFieldSchema(OpenApiSerializerFieldExtension):
    """Exactly the scored aspects as keys, each a whole number from -3 to 3."""

    target_class = "decisions.api.serializers.TunedWeightsField"

    def map_serializer_field(self, auto_schema, direction):
        snapshot = content_snapshot()
        weight = {"type": "integer", "minimum": -WEIGHT_LIMIT, "maximum": WEIGHT_LIMIT}
        if snapshot is None:
            return {"type": "object", "additionalProperties": weight}
        properties = {a.slug: {**weight, "description": a.name} for a in snapshot.aspects if a.numeric}
        return {"type": "object", "properties": properties, "additionalProperties": False}


class MustHaveField(serializers.ListField):
    """Scored aspects' slugs that a framework must meet (built in, or by a companion)."""

    def __init__(self, **kwargs):
        super().__init__(child=StrictCharField(max_length=50), max_length=50, **kwargs)


class TunedWeightsField(serializers.DictField):
    """Aspect slug → the decider's own weight, replacing the one the answers imply."""

    def __init__(self, **kwargs):
        child = serializers.IntegerField(min_value=-WEIGHT_LIMIT, max_value=WEIGHT_LIMIT)
        super().__init__(child=child, **kwargs)


VERDICT_CHOICES = [(CLEAR, "Clear winner"), (CLOSE_CALL, "Close call"), (TIE, "Tie")]


class DecisionListSerializer(serializers.ListSerializer):
    """A page of decisions, with the drift of all of them worked out in one pass."""

    def to_representation(self, data):
        decisions = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        self.drifts = services.drift_for(decisions)
        self.attention = attention.attention_for(decisions)
        return super().to_representation(decisions)


class AttentionSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=attention.REASON_CHOICES, read_only=True)
    detail = serializers.CharField(read_only=True)


class DecisionSerializer(serializers.ModelSerializer):
    recommended = serializers.CharField(read_only=True)
    snapshot = serializers.SerializerMethodField()
    shared = serializers.SerializerMethodField()
    share_url = serializers.SerializerMethodField()
    drift = serializers.SerializerMethodField()
    must_have = MustHaveField(read_only=True)
    tuned_weights = TunedWeightsField(read_only=True)
    constraints = ConstraintsField(read_only=True)
    verdict = serializers.ChoiceField(
        choices=VERDICT_CHOICES,
        allow_blank=True,
        read_only=True,
        help_text="When saved; blank before verdicts.",
    )
    stack = serializers.SerializerMethodField()
    # Revisit triggers (decisions/attention.py).
    needs_attention = serializers.SerializerMethodField()
    attention = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id", "title", "status", "answers", "weights", "must_have", "tuned_weights", "constraints",
            "recommended", "verdict", "stack", "chosen_framework", "chosen_reason", "notes", "shared",
            "share_url", "snapshot", "drift", "created_at", "updated_at",
            "review_by", "reviewed_at", "needs_attention", "attention",
        ]  # fmt: skip
        read_only_fields = fields
        list_serializer_class = DecisionListSerializer

    def get_snapshot(self, decision) -> SnapshotSerializer:
        snapshot = decision.latest_snapshot
        return SnapshotSerializer(snapshot).data if snapshot else None

    @extend_schema_field(result_serializer(Stack)(allow_null=True))
    def get_stack(self, decision):
        """The recommended framework and the companions that fill what it lacks, as saved."""
        return decision.stack or None

    def get_shared(self, decision) -> bool:
        return bool(decision.share_token)

    def get_share_url(self, decision) -> str:
        url = decision.get_share_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if url and request else url

    def get_drift(self, decision) -> str | None:
        drifts = getattr(self.parent, "drifts", None)
        if drifts is None:
            drifts = services.drift_for([decision])
        drift = drifts.get(decision.pk)
        return drift.message if drift else None

    def _attention(self, decision) -> list:
        found = getattr(self.parent, "attention", None)
        if found is None:
            found = attention.attention_for([decision])
        return found.get(decision.pk, [])

    def get_needs_attention(self, decision) -> bool:
        return bool(self._attention(decision))

    @extend_schema_field(AttentionSerializer(many=True))
    def get_attention(self, decision):
        return [{"reason": item.reason, "detail": item.detail} for item in self._attention(decision)]


class IsoDateTimeField(serializers.ReadOnlyField):
    """A time as Python's isoformat() writes it ("+00:00", where DRF writes "Z")."""

    def to_representation(self, value):
        return value.isoformat()


class ExportSnapshotSerializer(SnapshotSerializer):
    created_at = IsoDateTimeField()


class DecisionExportSerializer(DecisionSerializer):
    """A decision with its whole history, for the JSON export (a download, not the API)."""

    created_at = IsoDateTimeField()
    updated_at = IsoDateTimeField()
    snapshots = ExportSnapshotSerializer(many=True, read_only=True)
    reviewed_at = serializers.SerializerMethodField()

    def get_reviewed_at(self, decision) -> str | None:
        return decision.reviewed_at.isoformat() if decision.reviewed_at else None

    class Meta(DecisionSerializer.Meta):
        fields = [
            "id", "title", "status", "answers", "weights", "must_have", "tuned_weights", "constraints",
            "verdict", "stack", "chosen_framework", "chosen_reason", "notes", "created_at", "updated_at",
            "snapshots",
            "review_by", "reviewed_at",
        ]  # fmt: skip
        read_only_fields = fields


class DecisionCreateSerializer(serializers.Serializer):
    """The answers are those of POST /api/v1/recommendations/; the server computes the result."""

    title = StrictCharField(max_length=200)
    answers = ChooserInputField(
        kind="answers", allow_empty=False, help_text="As for POST /api/v1/recommendations/."
    )
    weights = ChooserInputField(
        kind="weights", required=False, default=dict, help_text="As for POST /api/v1/recommendations/."
    )
    must_have = ChooserInputField(
        kind="must_have", required=False, default=list, help_text="As for POST /api/v1/recommendations/."
    )
    tuned_weights = TunedWeightsField(
        required=False,
        default=dict,
        help_text="Aspect slug → your own weight (−3…3), replacing the one the answers imply.",
    )
    constraints = ChooserInputField(
        kind="constraints", required=False, help_text="As for POST /api/v1/recommendations/."
    )
    chosen_framework = FrameworkSlugField(
        required=False, allow_blank=True, help_text="Defaults to the recommended framework."
    )
    chosen_reason = StrictCharField(required=False, allow_blank=True, max_length=2000)
    notes = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    status = serializers.ChoiceField(choices=DecisionStatus.choices, required=False)
    review_by = serializers.DateField(
        required=False, allow_null=True, help_text="Flag the decision (and mail you) on this date."
    )

    def validate(self, data):
        if data["answers"] == {}:
            raise serializers.ValidationError("Give at least one answer.")
        # The service reads any false value as "no weights"; false or [] is a client's mistake.
        if not isinstance(data["weights"], Mapping):
            message = "Expected an object mapping aspect slugs to numbers."
            raise serializers.ValidationError({"weights": [message]})
        self.snapshot = get_snapshot()
        try:
            answers, weights = validate_input(
                self.snapshot, data["answers"], data["weights"], allow_blank=False
            )
            if data.get("constraints") == {}:
                raise InvalidInput(
                    {"constraints": ["Leave constraints out rather than send an empty object."]}
                )
            sent = data.get("constraints")
            blank = [key for key, value in sent.items() if value == ""] if isinstance(sent, Mapping) else []
            if blank:
                message = "Leave out a constraint you do not use rather than send it empty."
                raise InvalidInput({f"constraints.{key}": [message] for key in blank})
            must_have = validate_must_have(self.snapshot, data["must_have"])
            tuned_weights = clean_tuned_weights(self.snapshot, data["tuned_weights"])
            constraints = constraints_to_dict(validate_constraints(data.get("constraints")))
        except InvalidInput as error:
            raise_invalid(error)
        return {
            **data,
            "answers": answers,
            "weights": weights,
            "must_have": list(must_have),
            "tuned_weights": tuned_weights,
            "constraints": constraints,
        }

    def create(self, validated_data):
        # The owner comes from the view: serializer.save(owner=...).
        try:
            return services.decision_create(**validated_data, snapshot=self.snapshot)
        except InvalidInput as error:
            raise_invalid(error)

    def to_representation(self, decision):
        return DecisionSerializer(decision, context=self.context).data


class DecisionUpdateSerializer(serializers.ModelSerializer):
    """What a decider may change after saving; answers are fixed (save a new decision instead)."""

    shared = serializers.BooleanField(required=False, help_text="Turn the read-only link on or off.")
    chosen_framework = FrameworkSlugField(required=False)
    reviewed = serializers.BooleanField(
        required=False, help_text="true: you have looked at it; today's attention reasons are cleared."
    )

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }

    class Meta:
        model = Decision
        fields = ["title", "status", "chosen_framework", "chosen_reason", "notes", "shared"]
        fields += ["review_by", "reviewed"]

    def validate_chosen_framework(self, value):
        try:
            return services.validate_framework(value)
        except InvalidInput as error:
            raise serializers.ValidationError(error.errors["chosen_framework"]) from error

    def update(self, decision, validated_data):
        shared = validated_data.pop("shared", None)
        reviewed = validated_data.pop("reviewed", False)
        decision = super().update(decision, validated_data)
        if shared is not None and shared != bool(decision.share_token):
            services.decision_set_sharing(decision=decision, shared=shared)
        if reviewed:
            attention.decision_mark_reviewed(decision=decision)
        return decision

    def to_representation(self, decision):
        return DecisionSerializer(decision, context=self.context).data
