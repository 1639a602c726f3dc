"""Guide text that still quotes a rating's old label, and the admin report that lists it.

Pages are read through Wagtail's page models and their StreamFields, so the matrix
finds quotes in the site's prose without importing the site.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.fields import StreamField
from wagtail.models import Page, get_page_models
from wagtail.permission_policies import ModelPermissionPolicy

from comparisons.models import Aspect, ChangeKind, Framework, Rating, RatingChange

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
EXCERPT_LENGTH = 160


@dataclass(frozen=True)
class StaleQuote:
    page: Page
    framework: Framework
    aspect: Aspect
    old_label: str
    new_label: str
    excerpt: str

    @property
    def page_title(self) -> str:
        return self.page.title


def _phrase(text: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(text.strip())}(?!\w)", re.IGNORECASE)


def _label_patterns(label: str) -> list[re.Pattern]:
    """The label, and its head when it ends in a parenthesis ("Excellent" of "Excellent (async)")."""
    patterns = [_phrase(label)]
    head = label.split(" (", 1)[0].strip()
    if head and head != label.strip():
        patterns.append(_phrase(head))
    return patterns


def _open_changes(framework=None) -> list[RatingChange]:
    """The latest change per framework, aspect and old label whose old label is no longer current."""
    changes = RatingChange.objects.filter(kind=ChangeKind.CHANGED).select_related("framework", "aspect")
    if framework is not None:
        changes = changes.filter(framework=framework)
    current = {
        (r.framework_id, r.aspect_id): r.label
        for r in Rating.objects.filter(
            framework__in={c.framework_id for c in changes}, aspect__in={c.aspect_id for c in changes}
        )
    }
    latest = {}
    for change in changes:  # newest first
        key = (change.framework_id, change.aspect_id)
        label = current.get(key)
        if label is None or label.casefold() == change.old_label.casefold():
            continue
        latest.setdefault((*key, change.old_label.casefold()), change)
    return list(latest.values())


def _page_texts(page) -> list[str]:
    """The text of each block in the page's StreamFields, as search indexing sees it."""
    texts = []
    for field in page._meta.local_fields:
        if not isinstance(field, StreamField):
            continue
        for child in getattr(page, field.attname):
            texts.extend(t for t in child.block.get_searchable_content(child.value) if t)
    return texts


def _pages_with_prose():
    for model in get_page_models():
        if any(isinstance(field, StreamField) for field in model._meta.local_fields):
            yield from model.objects.live().order_by("path")


def stale_quotes(*, framework=None) -> list[StaleQuote]:
    """Sentences in live pages that state an old label of a rating that has changed since.

    A sentence quotes a rating when it holds the old label and names the framework,
    or, on the framework's own guide page, names the aspect instead.
    """
    changes = _open_changes(framework)
    if not changes:
        return []
    patterns = {c.pk: _label_patterns(c.old_label) for c in changes}
    framework_names = {c.framework_id: _phrase(c.framework.name) for c in changes}
    aspect_names = {c.aspect_id: _phrase(c.aspect.name) for c in changes}
    found = []
    for page in _pages_with_prose():
        seen = set()
        for text in _page_texts(page):
            for sentence in SENTENCE_END.split(text):
                for change in changes:
                    if change.pk in seen or not any(p.search(sentence) for p in patterns[change.pk]):
                        continue
                    about = framework_names[change.framework_id].search(sentence) or (
                        change.framework.guide_page_id == page.pk
                        and aspect_names[change.aspect_id].search(sentence)
                    )
                    if about:
                        seen.add(change.pk)
                        found.append(
                            StaleQuote(
                                page=page,
                                framework=change.framework,
                                aspect=change.aspect,
                                old_label=change.old_label,
                                new_label=change.new_label,
                                excerpt=_excerpt(sentence),
                            )
                        )
    return found


def _excerpt(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    if len(sentence) <= EXCERPT_LENGTH:
        return sentence
    return sentence[: EXCERPT_LENGTH - 1].rsplit(" ", 1)[0] + "…"


class StaleRatingQuotesView(ReportView):
    page_title = "Stale rating quotes"
    header_icon = "warning"
    index_url_name = "stale_rating_quotes"
    index_results_url_name = "stale_rating_quotes_results"
    any_permission_required = ["change"]
    verbose_name_plural = "stale quotes"
    columns = [
        TitleColumn(
            "page_title",
            label="Page",
            get_url=lambda quote: reverse("wagtailadmin_pages:edit", args=[quote.page.pk]),
        ),
        Column("framework", label="Framework"),
        Column("aspect", label="Aspect"),
        Column("old_label", label="Old label"),
        Column("new_label", label="New label"),
        Column("excerpt", label="Quoted in"),
    ]
    list_export = ["page_title", "framework", "aspect", "old_label", "new_label", "excerpt"]
    export_headings = {
        "page_title": "Page",
        "framework": "Framework",
        "aspect": "Aspect",
        "old_label": "Old label",
        "new_label": "New label",
        "excerpt": "Quoted in",
    }

    @cached_property
    def permission_policy(self):
        return ModelPermissionPolicy(Framework)

    def get_filename(self):
        return "stale-rating-quotes"

    def get_queryset(self):
        return stale_quotes()


def ratings_due_for_review(today: datetime.date | None = None):
    """Published ratings not reviewed within MATRIX_REVIEW_DAYS, never-reviewed and oldest first."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=settings.MATRIX_REVIEW_DAYS)
    due = Rating.objects.published().filter(Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=cutoff))
    return due.select_related("framework", "aspect").order_by(
        F("reviewed_on").asc(nulls_first=True), "framework__sort_order", "aspect__sort_order"
    )


class MatrixFreshnessView(ReportView):
    page_title = "Matrix freshness"
    header_icon = "date"
    index_url_name = "matrix_freshness"
    index_results_url_name = "matrix_freshness_results"
    any_permission_required = ["change"]
    verbose_name_plural = "ratings due for review"
    columns = [
        TitleColumn(
            "framework",
            label="Framework",
            get_url=lambda rating: reverse(
                "wagtailsnippets_comparisons_framework:edit", args=[rating.framework_id]
            ),
        ),
        Column("aspect", label="Aspect"),
        Column("label", label="Rating"),
        Column("reviewed_on", label="Last reviewed"),
    ]
    list_export = ["framework", "aspect", "label", "reviewed_on"]
    export_headings = {
        "framework": "Framework",
        "aspect": "Aspect",
        "label": "Rating",
        "reviewed_on": "Last reviewed",
    }

    @cached_property
    def permission_policy(self):
        return ModelPermissionPolicy(Framework)

    def get_filename(self):
        return "matrix-freshness"

    def get_queryset(self):
        return ratings_due_for_review()
