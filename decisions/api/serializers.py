from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comparisons.api.serializers import RecommendationSerializer
from comparisons.engine import InvalidInput
from decisions import services
from decisions.models import Decision, DecisionSnapshot, DecisionStatus


@extend_schema_field(RecommendationSerializer)
class ResultField(serializers.JSONField):
    pass


class SnapshotSerializer(serializers.ModelSerializer):
    result = ResultField(read_only=True)

    class Meta:
        model = DecisionSnapshot
        fields = ["created_at", "fingerprint", "recommended", "result"]


class DecisionSerializer(serializers.ModelSerializer):
    recommended = serializers.CharField(read_only=True)
    snapshot = serializers.SerializerMethodField()
    shared = serializers.SerializerMethodField()
    share_url = serializers.SerializerMethodField()
    drift = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id", "title", "status", "answers", "weights", "recommended", "chosen_framework",
            "chosen_reason", "notes", "shared", "share_url", "snapshot", "drift",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

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
        drift = self.context.get("drifts", {}).get(decision.pk)
        return drift.message if drift else None


def raise_field_errors(error: InvalidInput):
    raise serializers.ValidationError(error.errors)


class DecisionCreateSerializer(serializers.Serializer):
    """The answers are those of POST /api/v1/recommendations/; the server computes the result."""

    title = serializers.CharField(max_length=200)
    answers = serializers.DictField(help_text="As for POST /api/v1/recommendations/.")
    weights = serializers.DictField(required=False, default=dict)
    chosen_framework = serializers.SlugField(
        required=False, allow_blank=True, help_text="Defaults to the recommended framework."
    )
    chosen_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    status = serializers.ChoiceField(choices=DecisionStatus.choices, required=False)

    def create(self, validated_data):
        try:
            return services.decision_create(owner=self.context["request"].user, **validated_data)
        except InvalidInput as error:
            raise_field_errors(error)


class DecisionUpdateSerializer(serializers.ModelSerializer):
    """What a decider may change after saving; answers are fixed (save a new decision instead)."""

    shared = serializers.BooleanField(required=False, help_text="Turn the read-only link on or off.")

    class Meta:
        model = Decision
        fields = ["title", "status", "chosen_framework", "chosen_reason", "notes", "shared"]

    def validate_chosen_framework(self, value):
        try:
            return services.validate_framework(value)
        except InvalidInput as error:
            raise serializers.ValidationError(error.errors["chosen_framework"]) from error

    def update(self, decision, validated_data):
        shared = validated_data.pop("shared", None)
        decision = super().update(decision, validated_data)
        if shared is not None and shared != bool(decision.share_token):
            services.decision_set_sharing(decision=decision, shared=shared)
        return decision
