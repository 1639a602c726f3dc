from collections.abc import Mapping

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comparisons.api.serializers import (
    ChooserInputField,
    FrameworkSlugField,
    ResultSerializer,
    StrictCharField,
    raise_invalid,
)
from comparisons.engine import InvalidInput, validate_input
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
    # Revisit triggers (decisions/attention.py).
    needs_attention = serializers.SerializerMethodField()
    attention = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id", "title", "status", "answers", "weights", "recommended", "chosen_framework",
            "chosen_reason", "notes", "shared", "share_url", "snapshot", "drift",
            "created_at", "updated_at",
            "review_by", "reviewed_at", "needs_attention", "attention",
        ]  # fmt: skip
        read_only_fields = fields
        list_serializer_class = DecisionListSerializer

    def get_snapshot(self, decision) -> SnapshotSerializer:
        snapshot = decision.latest_snapshot
        return SnapshotSerializer(snapshot).data if snapshot else None

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
            "id", "title", "status", "answers", "weights", "chosen_framework", "chosen_reason",
            "notes", "created_at", "updated_at", "snapshots",
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
        except InvalidInput as error:
            raise_invalid(error)
        return {**data, "answers": answers, "weights": weights}

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
