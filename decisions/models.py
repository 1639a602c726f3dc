import secrets

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    SUPERSEDED = "superseded", "Superseded"
    REJECTED = "rejected", "Rejected"


class DecisionQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The only way to read decisions for a person: their own, or none when anonymous."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)

    def shared(self, token: str):
        if not token:
            return self.none()
        return self.filter(share_token=token)

    def search(self, query: str):
        return self.filter(title__icontains=query) if query else self

    def needing_review(self):
        """Decisions whose revisit triggers are checked: neither superseded nor rejected."""
        return self.filter(status__in=[DecisionStatus.PROPOSED, DecisionStatus.ACCEPTED])

    def with_notices(self):
        """Each decision's attention notices, in one extra query."""
        return self.prefetch_related("attention_notices")

    def with_snapshots(self):
        """Each decision's snapshots, newest first, in one extra query."""
        return self.prefetch_related(
            Prefetch("snapshots", queryset=DecisionSnapshot.objects.order_by("-created_at", "-pk"))
        )


class Decision(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(max_length=200)
    answers = models.JSONField(help_text="Question slug → list of option slugs, as validated.")
    weights = models.JSONField(default=dict, blank=True)
    # Chooser 2.0 settings, as the chooser's permalink carries them.
    must_have = models.JSONField(default=list, blank=True, help_text="Aspect slugs that must be met.")
    tuned_weights = models.JSONField(
        default=dict,
        blank=True,
        help_text="Aspect slug → the decider's own weight (−3…3), replacing the implied one.",
    )
    constraints = models.JSONField(
        default=dict, blank=True, help_text="python, supported_until, no_open_advisories, as set."
    )
    verdict = models.CharField(max_length=12, blank=True, help_text="clear, close_call or tie, when saved.")
    stack = models.JSONField(default=dict, blank=True, help_text="The recommended stack, when saved.")
    chosen_framework = models.SlugField(
        max_length=50, help_text="Slug of the framework the decider actually chose."
    )
    chosen_reason = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED)
    notes = models.TextField(max_length=10_000, blank=True)
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Revisit triggers (decisions/attention.py).
    review_by = models.DateField(
        null=True, blank=True, help_text="A date to look at this decision again; it is flagged then."
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("decisions:detail", args=[self.pk])

    def get_share_url(self):
        return reverse("decisions:shared", args=[self.share_token]) if self.share_token else ""

    @property
    def latest_snapshot(self) -> "DecisionSnapshot | None":
        # Uses the prefetched list when there is one (with_snapshots()).
        snapshots = list(self.snapshots.all())
        if "snapshots" not in getattr(self, "_prefetched_objects_cache", {}):
            snapshots.sort(key=lambda s: (s.created_at, s.pk), reverse=True)
        return snapshots[0] if snapshots else None

    @property
    def recommended(self) -> str:
        snapshot = self.latest_snapshot
        return snapshot.recommended if snapshot else ""

    @property
    def deviates(self) -> bool:
        """True when the decider chose another framework than the one recommended."""
        return bool(self.recommended) and self.chosen_framework != self.recommended

    @staticmethod
    def new_share_token() -> str:
        return secrets.token_urlsafe(32)


class DecisionSnapshot(models.Model):
    """A recommendation as it was computed, with the fingerprint of the content it used."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="snapshots")
    result = models.JSONField()
    fingerprint = models.CharField(max_length=32)
    recommended = models.SlugField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.decision}: {self.recommended} ({self.created_at:%Y-%m-%d})"


class AttentionNotice(models.Model):
    """One reason a decision needed attention that its owner has been told about.

    `key` names the reason and what it is about (a review date, a support end date,
    an advisory id), so each is mailed once (`notified_at`) and, once the owner marks
    the decision reviewed (`acknowledged_at`), it is no longer flagged.
    """

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="attention_notices")
    key = models.CharField(max_length=200)
    reason = models.CharField(max_length=20)
    detail = models.CharField(max_length=500)
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["decision", "key"], name="attention_notice_once")]

    def __str__(self):
        return f"{self.decision}: {self.key}"
