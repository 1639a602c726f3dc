import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Prefetch
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    Page,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from comparisons.colours import HEX_COLOUR, contrast_problems
from comparisons.engine import SCORE_MAX, SCORE_MIN, WEIGHT_LIMIT
from comparisons.matrix import build_matrix

# A distribution name as the packaging specifications allow it.
PACKAGE_NAME = r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$"


class AspectKind(models.TextChoices):
    SCORED = "scored", "Scored 0–5"
    BOOLEAN = "boolean", "Yes / no"
    TEXT = "text", "Text only"


class PublishedQuerySet(models.QuerySet):
    """Reads for readers: only what an editor has published, never a draft."""

    def published(self):
        return self.filter(live=True)


# Editors save drafts, preview them and publish; the workflow mixin lets an admin
# require approval (see docs/architecture.md), off until a workflow is assigned.
class Snippet(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, models.Model):
    class Meta:
        abstract = True

    def get_preview_template(self, request, mode_name):
        return f"previews/{self._meta.model_name}.html"

    def save_revision(self, *args, **kwargs):
        if self.pk and self.live and self.live_revision_id is None:
            # Rows from before drafts (or from the seed) have no live revision, and Wagtail
            # takes such an object offline when a change to it is scheduled. Record the
            # live row as its live revision first, so it stays online until go-live.
            live = type(self).objects.get(pk=self.pk)
            baseline = super(Snippet, live).save_revision(changed=False, clean=False, log_action=False)
            type(self).objects.filter(pk=self.pk).update(live_revision=baseline)
            self.live_revision = baseline
        return super().save_revision(*args, **kwargs)


class Aspect(Snippet, index.Indexed, Orderable):
    name = models.CharField(max_length=80)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        help_text="Stable identifier used in URLs and the API. Lowercase letters, digits, - and _.",
    )
    description = models.TextField(
        max_length=500, help_text="What the aspect means and what its scale means."
    )
    kind = models.CharField(max_length=10, choices=AspectKind.choices, default=AspectKind.SCORED)
    in_overview = models.BooleanField(
        default=False, help_text="Show in the quick overview matrix on the home page."
    )

    objects = PublishedQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.SearchField("description"),
        index.AutocompleteField("name"),
    ]

    class Meta(Orderable.Meta):
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    @property
    def anchor(self) -> str:
        return f"aspect-{self.slug}"

    @property
    def is_numeric(self) -> bool:
        return self.kind != AspectKind.TEXT


class FrameworkQuerySet(PublishedQuerySet):
    def with_facts(self):
        """Frameworks with their fetched facts, advisories and release lines: three queries."""
        return self.select_related("facts").prefetch_related(
            "facts__advisories",
            Prefetch("release_lines", queryset=ReleaseLine.objects.order_by("sort_order", "pk")),
        )

    def with_ratings(self):
        """Frameworks with their ratings on published aspects (and each aspect) in two queries.

        A live framework's rating rows are its published ratings: Wagtail writes
        child rows only when the framework's revision is published.
        """
        return self.prefetch_related(
            Prefetch(
                "ratings",
                queryset=Rating.objects.filter(aspect__live=True)
                .select_related("aspect", "source_page")
                .order_by("aspect__sort_order", "aspect__pk"),
            )
        )

    def guide_urls(self, request=None) -> dict[int, str]:
        """Map framework id to the URL of its live, public guide page: two queries."""
        pages = Page.objects.live().public()
        frameworks = self.filter(guide_page__in=pages).select_related("guide_page")
        return {f.pk: f.guide_page.get_url(request) for f in frameworks}


class Framework(Snippet, index.Indexed, Orderable, ClusterableModel):
    name = models.CharField(max_length=80)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        help_text="Stable identifier used in URLs and the API. Lowercase letters, digits, - and _.",
    )
    kind = models.CharField(max_length=80, help_text='For example "Micro-framework".')
    summary = models.TextField(max_length=300)
    website = models.URLField(blank=True)
    docs_url = models.URLField("documentation", blank=True)
    colour = models.CharField(
        max_length=7,
        validators=[RegexValidator(HEX_COLOUR, "Write the colour as #rrggbb, e.g. #0c4b33.")],
        help_text="Accent and text colour, as #rrggbb. It must reach a 4.5:1 contrast against "
        "white and the shaded panels, because names and links are written in it.",
    )
    tagline = models.CharField(
        max_length=120, blank=True, help_text='One short line, e.g. "Batteries included".'
    )
    guide_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guided_frameworks",
        help_text="The guide page about this framework; cheat-sheet rows and the matrix link to it.",
    )
    package = models.CharField(
        max_length=100,
        blank=True,
        validators=[RegexValidator(PACKAGE_NAME, "Write the package's name as published, e.g. my-package.")],
        help_text="The package on the package index; refresh_facts fetches its release facts.",
    )

    objects = FrameworkQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.SearchField("kind"),
        index.SearchField("summary"),
        index.AutocompleteField("name"),
        index.FilterField("live"),
    ]

    class Meta(Orderable.Meta):
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('comparisons:compare')}?fw={self.slug}"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        # The preview object's ratings come from the revision, not the database.
        aspects = list(Aspect.objects.published())
        context["matrix"] = build_matrix([self], aspects)
        return context

    @property
    def fetched_facts(self) -> "FrameworkFacts | None":
        """The package's facts as last fetched, or None (no package, never fetched)."""
        return getattr(self, "facts", None)

    @property
    def supported_until(self) -> datetime.date | None:
        return supported_until(self.release_lines.all())

    def clean(self):
        super().clean()
        if self.colour and HEX_COLOUR.match(self.colour):
            self.colour = self.colour.lower()
            problems = contrast_problems(self.colour)
            if problems:
                raise ValidationError({"colour": problems})


def release_line_key(version: str) -> tuple[int, ...]:
    """Orders release lines by their numbers: "5.2" < "6.0" < "6.1"; "2.x" counts as 2."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


def supported_until(lines) -> datetime.date | None:
    """End of support of the newest LTS line that has a date, else of the newest dated line."""
    dated = [line for line in lines if line.end_of_support]
    lts = [line for line in dated if line.lts]
    candidates = lts or dated
    if not candidates:
        return None
    return max(candidates, key=lambda line: release_line_key(line.version)).end_of_support


class ReleaseLine(Orderable):
    """A release line of a framework with its support dates, curated by editors from the project's docs."""

    framework = ParentalKey(Framework, on_delete=models.CASCADE, related_name="release_lines")
    version = models.CharField(max_length=20, help_text='The line, e.g. "5.2" or "2.x".')
    lts = models.BooleanField("LTS", default=False, help_text="A long-term support line.")
    released_on = models.DateField(null=True, blank=True)
    end_of_support = models.DateField(
        null=True,
        blank=True,
        help_text="Last day of security fixes. Leave empty when the project names none.",
    )
    source = models.URLField(help_text="The project's page that states these dates.")

    class Meta(Orderable.Meta):
        ordering = ["sort_order", "pk"]
        unique_together = [("framework", "version")]

    def __str__(self):
        return f"{self.framework} {self.version}"

    def is_published(self) -> bool:
        return self.framework.live

    def clean(self):
        super().clean()
        if self.released_on and self.end_of_support and self.end_of_support < self.released_on:
            raise ValidationError({"end_of_support": "Support cannot end before the release."})


class FrameworkFactsQuerySet(models.QuerySet):
    def published(self):
        return self.filter(framework__live=True)


class FrameworkFacts(models.Model):
    """What the package index said about a framework's package when last fetched (comparisons/facts.py).

    Fetched data, not editorial content: refresh_facts replaces it; readers see it
    through published frameworks only.
    """

    framework = models.OneToOneField(Framework, on_delete=models.CASCADE, related_name="facts")
    package = models.CharField(max_length=100)
    latest_version = models.CharField(max_length=64)
    latest_release_date = models.DateField(null=True, blank=True)
    first_release_date = models.DateField(null=True, blank=True)
    requires_python = models.CharField(max_length=200, blank=True)
    python_versions = models.JSONField(default=list, blank=True)
    license = models.CharField(max_length=200, blank=True)
    yanked = models.JSONField(default=list, blank=True, help_text="Versions whose every file is yanked.")
    fetched_at = models.DateTimeField()

    objects = FrameworkFactsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "framework facts"

    def __str__(self):
        return f"{self.package} {self.latest_version}"

    def is_published(self) -> bool:
        return self.framework.live

    def is_stale(self, now=None) -> bool:
        now = now or timezone.now()
        return (now - self.fetched_at).days >= settings.FACTS_STALE_DAYS


class Advisory(models.Model):
    """A security advisory that the package index lists against the latest release."""

    facts = models.ForeignKey(FrameworkFacts, on_delete=models.CASCADE, related_name="advisories")
    advisory_id = models.CharField("id", max_length=100)
    summary = models.TextField(blank=True)
    fixed_in = models.JSONField(default=list, blank=True)
    url = models.URLField(max_length=500, blank=True)
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["advisory_id"]
        unique_together = [("facts", "advisory_id")]
        verbose_name_plural = "advisories"

    def __str__(self):
        return self.advisory_id

    def is_published(self) -> bool:
        return self.facts.framework.live


class RatingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(framework__live=True, aspect__live=True)


class Rating(models.Model):
    framework = ParentalKey(Framework, on_delete=models.CASCADE, related_name="ratings")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        help_text="0–5, higher is better for the person deciding. Yes/no aspects: 5 yes, 0 no. "
        "Text aspects: leave empty.",
    )
    label = models.CharField(max_length=80, help_text='Short label, e.g. "Excellent (async)".')
    note = models.TextField(max_length=500, blank=True, help_text="Why this rating.")
    source_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Guide page that backs this rating.",
    )
    source_anchor = models.SlugField(
        max_length=80, blank=True, help_text="Section anchor on that page, without #."
    )

    objects = RatingQuerySet.as_manager()

    class Meta:
        # unique_together rather than a UniqueConstraint: modelcluster's inline
        # formset only checks unique_together across the forms of one framework.
        unique_together = [("framework", "aspect")]
        ordering = ["aspect__sort_order", "aspect__pk"]

    def __str__(self):
        return f"{self.framework} × {self.aspect}: {self.label}"

    def is_published(self) -> bool:
        return self.framework.live

    def clean(self):
        super().clean()
        aspect = self.aspect if self.aspect_id else None
        if aspect is None:
            return
        if aspect.kind == AspectKind.TEXT and self.score is not None:
            raise ValidationError({"score": "Text aspects take no score; leave it empty."})
        if aspect.kind == AspectKind.SCORED and self.score is None:
            raise ValidationError({"score": f"“{aspect.name}” is scored: give a score from 0 to 5."})
        if aspect.kind == AspectKind.BOOLEAN and self.score not in (SCORE_MIN, SCORE_MAX):
            raise ValidationError(
                {"score": f"“{aspect.name}” is yes/no: use {SCORE_MAX} for yes or {SCORE_MIN} for no."}
            )
        if self.source_anchor and not self.source_page_id:
            raise ValidationError({"source_anchor": "Choose the guide page the anchor belongs to."})

    @property
    def source_url(self) -> str:
        if not self.source_page_id:
            return ""
        url = self.source_page.url or ""
        return f"{url}#{self.source_anchor}" if url and self.source_anchor else url


class RatingChange(models.Model):
    """A published rating's label or score as it was before a save changed it.

    Guide text may still quote the old label; the stale-quotes report reads these.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="+")
    old_label = models.CharField(max_length=80)
    new_label = models.CharField(max_length=80)
    old_score = models.PositiveSmallIntegerField(null=True, blank=True)
    new_score = models.PositiveSmallIntegerField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.framework} × {self.aspect}: {self.old_label} → {self.new_label}"


@receiver(pre_save, sender=Rating)
def _remember_saved_rating(sender, instance, raw=False, **kwargs):
    # Read here rather than kept from load time: publishing a revision saves objects
    # rebuilt from JSON, which never held the database's values.
    instance._previous = None
    if raw or instance.pk is None:
        return
    instance._previous = sender.objects.filter(pk=instance.pk).values("label", "score").first()


@receiver(post_save, sender=Rating)
def _record_rating_change(sender, instance, created, raw=False, **kwargs):
    previous = getattr(instance, "_previous", None)
    if raw or created or previous is None:
        return
    if previous["label"] == instance.label and previous["score"] == instance.score:
        return
    RatingChange.objects.create(
        framework_id=instance.framework_id,
        aspect_id=instance.aspect_id,
        old_label=previous["label"],
        new_label=instance.label,
        old_score=previous["score"],
        new_score=instance.score,
    )


class ScenarioQuerySet(models.QuerySet):
    def published(self):
        """Published scenarios whose recommended framework is published too."""
        return self.filter(live=True, framework__live=True)

    def with_framework(self):
        """Scenarios with their framework and alternatives (in matrix order): two queries."""
        return self.select_related("framework").prefetch_related(
            Prefetch("alternatives", queryset=Framework.objects.published().order_by("sort_order", "pk"))
        )

    def cheat_sheet(self):
        return self.filter(in_cheat_sheet=True)


class Scenario(Snippet, index.Indexed, Orderable, ClusterableModel):
    situation = models.CharField(max_length=160)
    slug = models.SlugField(max_length=60, unique=True)
    framework = models.ForeignKey(
        Framework,
        on_delete=models.PROTECT,
        related_name="scenarios",
        verbose_name="recommended framework",
    )
    # Parental, so the alternatives are part of the scenario's revisions.
    alternatives = ParentalManyToManyField(
        Framework,
        blank=True,
        related_name="alternative_in",
        help_text="Other frameworks that fit this situation too; they share its credit in the chooser.",
    )
    companion = models.CharField(
        max_length=80, blank=True, help_text='Optional pairing, e.g. "with Wagtail".'
    )
    rationale = models.TextField(max_length=600)
    in_cheat_sheet = models.BooleanField(
        default=False, help_text="Show on the home page's decision cheat sheet."
    )

    objects = ScenarioQuerySet.as_manager()

    search_fields = [
        index.SearchField("situation"),
        index.SearchField("rationale"),
        index.SearchField("companion"),
        index.AutocompleteField("situation"),
        index.FilterField("in_cheat_sheet"),
        index.FilterField("live"),
        index.RelatedFields("framework", [index.FilterField("live")]),
    ]

    class Meta(Orderable.Meta):
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.situation

    def get_absolute_url(self):
        return f"{reverse('comparisons:scenarios')}#{self.slug}"

    @property
    def recommendation(self) -> str:
        return f"{self.framework.name} {self.companion}".strip()


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"


class QuestionQuerySet(PublishedQuerySet):
    def with_options(self):
        """Questions with their published options, each option's weights and scenarios: four queries."""
        return self.prefetch_related(
            Prefetch(
                "options",
                queryset=Option.objects.filter(live=True).prefetch_related(
                    Prefetch(
                        "weights",
                        queryset=OptionWeight.objects.filter(aspect__live=True).select_related("aspect"),
                    ),
                    Prefetch("scenarios", queryset=Scenario.objects.published().only("pk", "slug")),
                ),
            )
        )


class Question(Snippet, Orderable, ClusterableModel):
    slug = models.SlugField(
        max_length=50, unique=True, help_text="Stable identifier used by the API: keep it stable."
    )
    prompt = models.CharField(max_length=160)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE)

    objects = QuestionQuerySet.as_manager()

    class Meta(Orderable.Meta):
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.prompt


class OptionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live=True, question__live=True)


class Option(Snippet, Orderable, ClusterableModel):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    slug = models.SlugField(max_length=50, help_text="Stable identifier used by the API.")
    label = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    scenarios = ParentalManyToManyField(
        Scenario,
        blank=True,
        related_name="options",
        help_text="Cheat-sheet situations this answer matches; each pulls the result "
        "towards its recommended framework.",
    )

    objects = OptionQuerySet.as_manager()

    class Meta(Orderable.Meta):
        ordering = ["question__sort_order", "sort_order", "pk"]
        # unique_together so modelcluster's inline formset checks it across forms.
        unique_together = [("question", "slug")]

    def __str__(self):
        return f"{self.question.slug}: {self.label}"

    def is_published(self) -> bool:
        return self.live and self.question.live


class OptionWeight(models.Model):
    option = ParentalKey(Option, on_delete=models.CASCADE, related_name="weights")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="option_weights")
    weight = models.SmallIntegerField(
        validators=[MinValueValidator(-WEIGHT_LIMIT), MaxValueValidator(WEIGHT_LIMIT)],
        help_text="-3 (counts strongly against) to +3 (matters a lot).",
    )

    class Meta:
        unique_together = [("option", "aspect")]
        ordering = ["aspect__sort_order", "aspect__pk"]

    def __str__(self):
        return f"{self.option}: {self.aspect} {self.weight:+d}"

    def is_published(self) -> bool:
        return self.option.is_published()

    def clean(self):
        super().clean()
        if self.aspect_id and self.aspect.kind == AspectKind.TEXT:
            raise ValidationError({"aspect": "Text aspects have no score to weigh; pick another."})
