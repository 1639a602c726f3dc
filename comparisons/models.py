import contextvars
import datetime
import re
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import models
from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save, pre_save
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

    def save(self, *args, **kwargs):
        was_live = _was_live(self)
        super().save(*args, **kwargs)
        # An aspect going live publishes the ratings live frameworks already gave it; one
        # withdrawn takes them off the matrix. Both are changes readers see.
        if was_live != self.live:
            ratings = Rating.objects.filter(aspect=self, framework__live=True).select_related("framework")
            _record_cells(ratings, ChangeKind.ADDED if self.live else ChangeKind.REMOVED)

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
    # Part of each revision, so a scheduled publish records the reason given when it was scheduled.
    change_reason = models.CharField(
        "reason for this change",
        max_length=300,
        blank=True,
        help_text="Why the ratings change, in a sentence readers will see on the public change history.",
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

    def save(self, *args, **kwargs):
        was_live = _was_live(self)
        # Ratings are committed inside this save (modelcluster): they read how to record from here.
        with _framework_saving(self.pk, was_live=was_live, reason=self.change_reason):
            super().save(*args, **kwargs)
        if was_live and not self.live:
            # Unpublishing keeps the rows; they were the published ratings until now. The
            # stored reason belongs to the last publish, not to this, so none is given.
            ratings = Rating.objects.filter(framework=self, aspect__live=True).select_related("framework")
            _record_cells(ratings, ChangeKind.REMOVED)

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
    # A list of {"url", "title"} rather than a child model: ratings are already the
    # children of their framework, edited as one grid row each and saved in the
    # framework's revision, and modelcluster does not nest children within children.
    sources = models.JSONField(
        default=list,
        blank=True,
        help_text="Public sources for this rating, one per line: the address, a space, then its title.",
    )
    reviewed_on = models.DateField(
        null=True, blank=True, help_text="When an editor last confirmed this rating against its sources."
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
        problems = source_problems(self.sources)
        if problems:
            raise ValidationError({"sources": problems})

    @property
    def needs_review(self) -> bool:
        return needs_review(self.reviewed_on)

    @property
    def source_url(self) -> str:
        if not self.source_page_id:
            return ""
        url = self.source_page.url or ""
        return f"{url}#{self.source_anchor}" if url and self.source_anchor else url


class ChangeKind(models.TextChoices):
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"
    REMOVED = "removed", "Removed"


class RatingChangeQuerySet(models.QuerySet):
    def public(self):
        """Changes readers may see: of frameworks and aspects that still exist, newest first."""
        return self.select_related("framework", "aspect").order_by("-changed_at", "-pk")

    def between(self, start: datetime.date | None, end: datetime.date | None):
        """Changes made on the dates from `start` to `end` (both included, in the site's time zone)."""
        changes = self
        if start is not None:
            changes = changes.filter(changed_at__gte=day_start(start))
        if end is not None:
            changes = changes.filter(changed_at__lt=day_start(end + datetime.timedelta(days=1)))
        return changes


class RatingChange(models.Model):
    """A published change of one cell of the matrix: added, changed (old → new) or removed.

    Recorded when a change reaches readers (a publish, an unpublish, an import or
    the seed), never for a draft. The public history (/changes/), the cells' own
    history and /compare/?as_of= read these; so does the stale-quotes report.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ChangeKind.choices, default=ChangeKind.CHANGED)
    old_label = models.CharField(max_length=80)
    new_label = models.CharField(max_length=80)
    old_score = models.PositiveSmallIntegerField(null=True, blank=True)
    new_score = models.PositiveSmallIntegerField(null=True, blank=True)
    old_note = models.TextField(blank=True)
    new_note = models.TextField(blank=True)
    reason = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = RatingChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.framework} × {self.aspect}: {self.old_label} → {self.new_label}"


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def needs_review(reviewed_on: datetime.date | None, today: datetime.date | None = None) -> bool:
    """Whether a rating reviewed on that date is overdue (never reviewed counts as overdue)."""
    if reviewed_on is None:
        return True
    today = today or timezone.localdate()
    return (today - reviewed_on).days > settings.MATRIX_REVIEW_DAYS


_url = URLValidator(schemes=["http", "https"])


def source_problems(sources) -> list[str]:
    """What is wrong with a rating's sources: a list of {"url", "title"} with public web addresses."""
    if not isinstance(sources, list):
        return ["Give the sources as a list."]
    problems = []
    for number, source in enumerate(sources, start=1):
        if not isinstance(source, dict) or set(source) != {"url", "title"}:
            problems.append(f"Source {number}: give exactly an address (url) and a title.")
            continue
        url, title = source["url"], source["title"]
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            problems.append(f"Source {number}: give a title of up to 200 characters.")
        try:
            if not isinstance(url, str) or len(url) > 500:
                raise ValidationError("too long")
            _url(url)
        except ValidationError:
            problems.append(f"Source {number}: “{url}” is not a web address (http:// or https://).")
    return problems


# How rating saves are recorded depends on the framework save that commits them:
# its publish reason, and whether it was live before (a framework going live adds
# all its cells; rows removed from a draft that never went live are no change).
_saving = contextvars.ContextVar("framework_saving", default=None)


@contextmanager
def _framework_saving(pk, *, was_live: bool, reason: str):
    token = _saving.set({**(_saving.get() or {}), pk: {"was_live": was_live, "reason": reason}})
    try:
        yield
    finally:
        _saving.reset(token)


def _was_live(obj) -> bool:
    if obj.pk is None:
        return False
    return bool(type(obj).objects.filter(pk=obj.pk).values_list("live", flat=True).first())


def _record_cells(ratings, kind: str, *, reason: str = "") -> None:
    """Record ratings appearing on (added) or leaving (removed) the published matrix."""
    entries = []
    for rating in ratings:
        values = {"label": rating.label, "score": rating.score, "note": rating.note}
        old = values if kind == ChangeKind.REMOVED else {"label": "", "score": None, "note": ""}
        new = values if kind == ChangeKind.ADDED else {"label": "", "score": None, "note": ""}
        entries.append(
            RatingChange(
                framework_id=rating.framework_id,
                aspect_id=rating.aspect_id,
                kind=kind,
                reason=reason,
                **{f"old_{name}": value for name, value in old.items()},
                **{f"new_{name}": value for name, value in new.items()},
            )
        )
    # Not bulk_create: auto_now_add and the ordering of ids follow one path this way.
    for entry in entries:
        entry.save()


def _published_cell(rating) -> bool:
    """Whether the rating is on the published matrix (live framework and aspect) after this save."""
    framework = rating.framework
    return bool(framework.live) and Aspect.objects.filter(pk=rating.aspect_id, live=True).exists()


@receiver(pre_save, sender=Rating)
def _remember_saved_rating(sender, instance, raw=False, **kwargs):
    # Read here rather than kept from load time: publishing a revision saves objects
    # rebuilt from JSON, which never held the database's values.
    instance._previous = None
    if raw or instance.pk is None:
        return
    instance._previous = sender.objects.filter(pk=instance.pk).values("label", "score", "note").first()


@receiver(post_save, sender=Rating)
def _record_rating_change(sender, instance, created, raw=False, **kwargs):
    if raw or not _published_cell(instance):
        return
    saving = (_saving.get() or {}).get(instance.framework_id)
    reason = saving["reason"] if saving else ""
    previous = getattr(instance, "_previous", None)
    if created or previous is None or (saving and not saving["was_live"]):
        # A framework going live publishes its rows as they are now, whatever its drafts held.
        _record_cells([instance], ChangeKind.ADDED, reason=reason)
        return
    if (previous["label"], previous["score"], previous["note"]) == (
        instance.label,
        instance.score,
        instance.note,
    ):
        return
    RatingChange.objects.create(
        framework_id=instance.framework_id,
        aspect_id=instance.aspect_id,
        kind=ChangeKind.CHANGED,
        old_label=previous["label"],
        new_label=instance.label,
        old_score=previous["score"],
        new_score=instance.score,
        old_note=previous["note"],
        new_note=instance.note,
        reason=reason,
    )


@receiver(post_delete, sender=Rating)
def _record_rating_removal(sender, instance, origin=None, **kwargs):
    # Deleting a framework or aspect deletes its history with it; nothing to record then.
    if not isinstance(origin, Rating):
        return
    saving = (_saving.get() or {}).get(instance.framework_id)
    if saving and not saving["was_live"]:
        return
    framework = Framework.objects.filter(pk=instance.framework_id, live=True).first()
    if framework is None or not Aspect.objects.filter(pk=instance.aspect_id, live=True).exists():
        return
    _record_cells([instance], ChangeKind.REMOVED, reason=saving["reason"] if saving else "")


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
    separate_service = models.BooleanField(
        default=False,
        help_text="This part is best run as its own service beside the product "
        "(e.g. model serving beside the main app).",
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
    context = models.BooleanField(
        default=False,
        help_text="Describes the situation, not a preference (what is built, what exists already). "
        "Flips change it last.",
    )

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


class CompanionQuerySet(PublishedQuerySet):
    def with_coverage(self):
        """Companions with their coverage (on published aspects), frameworks and scenarios: four queries."""
        return self.prefetch_related(
            Prefetch(
                "coverage",
                queryset=CompanionCoverage.objects.filter(aspect__live=True)
                .select_related("aspect")
                .order_by("aspect__sort_order", "aspect__pk"),
            ),
            Prefetch("frameworks", queryset=Framework.objects.published().order_by("sort_order", "pk")),
            Prefetch("scenarios", queryset=Scenario.objects.published().order_by("sort_order", "pk")),
        )

    def for_framework(self, framework):
        return self.filter(frameworks=framework)


class Companion(Snippet, index.Indexed, Orderable, ClusterableModel):
    """A package that extends frameworks (an ORM, an auth library, a CMS) and the aspects it covers."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        help_text="Stable identifier used in URLs and the API. Lowercase letters, digits, - and _.",
    )
    package = models.CharField(
        max_length=100,
        validators=[
            RegexValidator(
                PACKAGE_NAME, "Write the package's project name as it is installed, e.g. Flask-Login."
            )
        ],
        help_text="The name pip installs it by, e.g. Flask-Login.",
    )
    docs_url = models.URLField("documentation", help_text="The project's own documentation.")
    note = models.TextField(max_length=500, blank=True, help_text="What it adds, in a sentence or two.")
    # Parental, so the links are part of the companion's revisions and drafts stay drafts.
    frameworks = ParentalManyToManyField(
        Framework, related_name="companions", help_text="The frameworks it extends."
    )
    scenarios = ParentalManyToManyField(
        Scenario,
        blank=True,
        related_name="companions",
        help_text="Scenarios whose advice names it, e.g. a CMS for content sites.",
    )

    objects = CompanionQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.SearchField("package"),
        index.SearchField("note"),
        index.AutocompleteField("name"),
        index.FilterField("live"),
    ]

    class Meta(Orderable.Meta):
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.docs_url


class CompanionCoverage(models.Model):
    companion = ParentalKey(Companion, on_delete=models.CASCADE, related_name="coverage")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="companion_coverage")
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        help_text="0–5 on the aspect's own scale: how well the framework does on it with this companion.",
    )

    class Meta:
        # unique_together so modelcluster's inline formset checks it across forms.
        unique_together = [("companion", "aspect")]
        ordering = ["aspect__sort_order", "aspect__pk"]

    def __str__(self):
        return f"{self.companion}: {self.aspect} {self.level}/{SCORE_MAX}"

    def is_published(self) -> bool:
        return self.companion.live

    def clean(self):
        super().clean()
        if self.aspect_id and self.aspect.kind == AspectKind.TEXT:
            raise ValidationError({"aspect": "Text aspects have no score to cover; pick another."})
        if (
            self.aspect_id
            and self.aspect.kind == AspectKind.BOOLEAN
            and self.level not in (SCORE_MIN, SCORE_MAX)
        ):
            raise ValidationError(
                {"level": f"“{self.aspect.name}” is yes/no: use {SCORE_MAX} for yes or {SCORE_MIN} for no."}
            )
