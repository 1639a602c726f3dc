from django import forms
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PublishingPanel,
)
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from comparisons.forms import FrameworkForm, RatingGridPanel, is_publish_request
from comparisons.models import Aspect, Companion, Framework, Option, Question, Scenario
from comparisons.reports import MatrixFreshnessView, StaleRatingQuotesView, stale_quotes


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    icon = "code"
    menu_label = "Frameworks"
    list_display = ["name", "slug", "kind"]
    search_fields = ["name", "summary"]
    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
                FieldPanel("kind"),
                FieldPanel("summary"),
                FieldRowPanel([FieldPanel("colour"), FieldPanel("tagline")]),
                FieldRowPanel([FieldPanel("website"), FieldPanel("docs_url")]),
                FieldRowPanel([FieldPanel("guide_page"), FieldPanel("package")]),
            ],
            heading="Framework",
        ),
        # Ratings are edited under their framework: one row per aspect.
        RatingGridPanel("ratings", heading="Ratings", label="Rating"),
        # Stored with each published change of a rating and shown on the public history.
        FieldPanel("change_reason"),
        # Release lines are curated from the project's own schedule; refresh_facts fetches the rest.
        InlinePanel(
            "release_lines",
            heading="Release lines",
            label="Release line",
            panels=[
                FieldRowPanel([FieldPanel("version"), FieldPanel("lts")]),
                FieldRowPanel([FieldPanel("released_on"), FieldPanel("end_of_support")]),
                FieldPanel("source"),
            ],
        ),
    ]


class AspectViewSet(SnippetViewSet):
    model = Aspect
    icon = "table"
    menu_label = "Aspects"
    list_display = ["name", "slug", "kind", "in_overview"]
    list_filter = ["kind", "in_overview"]
    search_fields = ["name", "description"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("in_overview")]),
        FieldPanel("description"),
    ]


class ScenarioViewSet(SnippetViewSet):
    model = Scenario
    icon = "tick-inverse"
    menu_label = "Scenarios"
    list_display = ["situation", "framework", "in_cheat_sheet"]
    list_filter = ["framework", "in_cheat_sheet"]
    search_fields = ["situation", "rationale"]
    panels = [
        FieldRowPanel([FieldPanel("situation"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("framework"), FieldPanel("companion")]),
        FieldPanel("alternatives", widget=forms.CheckboxSelectMultiple),
        FieldPanel("rationale"),
        FieldRowPanel([FieldPanel("in_cheat_sheet"), FieldPanel("separate_service")]),
    ]


class CompanionViewSet(SnippetViewSet):
    model = Companion
    icon = "link"
    menu_label = "Companions"
    list_display = ["name", "package", "slug"]
    list_filter = ["frameworks"]
    search_fields = ["name", "package", "note"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("package"), FieldPanel("docs_url")]),
        FieldPanel("note"),
        FieldPanel("frameworks", widget=forms.CheckboxSelectMultiple),
        FieldPanel("scenarios", widget=forms.CheckboxSelectMultiple),
        # Saved with the companion, in the same revision, like an option's weights.
        InlinePanel(
            "coverage",
            heading="Aspects it covers (level 0–5, on the aspect's own scale)",
            label="Aspect",
            panels=[FieldRowPanel([FieldPanel("aspect"), FieldPanel("level")])],
        ),
    ]


class MatrixViewSetGroup(SnippetViewSetGroup):
    items = (FrameworkViewSet, AspectViewSet, ScenarioViewSet, CompanionViewSet)
    menu_icon = "table"
    menu_label = "Matrix"
    menu_name = "matrix"


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = "Questions"
    list_display = ["prompt", "slug", "kind"]
    search_fields = ["prompt", "slug"]
    panels = [
        FieldRowPanel([FieldPanel("prompt"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("help_text")]),
        FieldPanel("context"),
        # Weights and scenarios are edited on each option (Chooser → Options).
        InlinePanel(
            "options",
            heading="Options",
            label="Option",
            panels=[
                FieldRowPanel([FieldPanel("slug"), FieldPanel("label")]),
                FieldPanel("description"),
            ],
        ),
    ]


class OptionViewSet(SnippetViewSet):
    model = Option
    icon = "list-ul"
    menu_label = "Options and weights"
    list_display = ["label", "slug", "question"]
    list_filter = ["question"]
    search_fields = ["label", "slug"]
    panels = [
        FieldRowPanel([FieldPanel("question"), FieldPanel("slug")]),
        FieldPanel("label"),
        FieldPanel("description"),
        FieldPanel("scenarios", widget=forms.CheckboxSelectMultiple),
        InlinePanel(
            "weights",
            heading="Weights on aspects (−3 … +3)",
            label="Weight",
            panels=[FieldRowPanel([FieldPanel("aspect"), FieldPanel("weight")])],
        ),
    ]


class ChooserViewSetGroup(SnippetViewSetGroup):
    items = (QuestionViewSet, OptionViewSet)
    menu_icon = "help"
    menu_label = "Chooser"
    menu_name = "chooser"


# Go-live and expiry times (scheduled publishing), shown in the editor's status side panel.
for _viewset in (
    FrameworkViewSet,
    AspectViewSet,
    ScenarioViewSet,
    CompanionViewSet,
    QuestionViewSet,
    OptionViewSet,
):
    _viewset.panels = [*_viewset.panels, PublishingPanel()]

# The framework form clears the previous publish's reason (comparisons.forms.FrameworkForm).
FrameworkViewSet.edit_handler = ObjectList(FrameworkViewSet.panels, base_form_class=FrameworkForm)

register_snippet(MatrixViewSetGroup)
register_snippet(ChooserViewSetGroup)


def warn_of_frameworks_without_rating(request, instance):
    """After an aspect goes live, name the frameworks that have no rating for it yet."""
    if not isinstance(instance, Aspect) or not request.accepts("text/html"):
        return
    if not is_publish_request(request.POST, type(instance)):
        return
    unrated = list(Framework.objects.exclude(ratings__aspect=instance))
    if not unrated:
        return
    names = ", ".join(framework.name for framework in unrated)
    messages.warning(
        request,
        f"No rating for “{instance.name}” yet: {names}. "
        "A framework needs a rating for every aspect before it is published again.",
        # The names list every framework; a button for each would crowd the message.
        buttons=[
            messages.button(
                reverse("wagtailsnippets_comparisons_framework:edit", args=[framework.pk]),
                f"Rate it for {framework.name}",
            )
            for framework in unrated[:3]
        ],
    )


hooks.register("after_create_snippet", warn_of_frameworks_without_rating)
hooks.register("after_edit_snippet", warn_of_frameworks_without_rating)


# Stale rating quotes: guide text that still states a label the matrix has since changed.


class StaleRatingQuotesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("comparisons.change_framework")


def report_urls(view, slug: str, name: str) -> list:
    """A report's page and the results-only view its filters refresh."""
    return [
        path(f"reports/{slug}/", view.as_view(), name=name),
        path(f"reports/{slug}/results/", view.as_view(results_only=True), name=f"{name}_results"),
    ]


@hooks.register("register_admin_urls")
def register_stale_rating_quotes_urls():
    return report_urls(StaleRatingQuotesView, "stale-rating-quotes", "stale_rating_quotes")


@hooks.register("register_reports_menu_item")
def register_stale_rating_quotes_menu_item():
    return StaleRatingQuotesMenuItem(
        "Stale rating quotes",
        reverse("stale_rating_quotes"),
        name="stale-rating-quotes",
        icon_name="warning",
        order=1100,
    )


@hooks.register("after_edit_snippet")
def warn_about_stale_rating_quotes(request, instance):
    # Autosave answers in JSON; a message queued there would surface on some later page.
    if not isinstance(instance, Framework) or not request.accepts("text/html"):
        return
    quotes = stale_quotes(framework=instance)
    if not quotes:
        return
    listed = "; ".join(
        f"“{q.page.title}” says “{q.old_label}” for {q.aspect}, now “{q.new_label}”" for q in quotes[:5]
    )
    more = f" and {len(quotes) - 5} more" if len(quotes) > 5 else ""
    messages.warning(
        request,
        f"Guide text still quotes old ratings of {instance}: {listed}{more}.",
        buttons=[messages.button(reverse("stale_rating_quotes"), "Stale rating quotes")],
    )


# Matrix freshness: ratings no editor has confirmed within MATRIX_REVIEW_DAYS, oldest first.


@hooks.register("register_admin_urls")
def register_matrix_freshness_urls():
    return report_urls(MatrixFreshnessView, "matrix-freshness", "matrix_freshness")


@hooks.register("register_reports_menu_item")
def register_matrix_freshness_menu_item():
    return StaleRatingQuotesMenuItem(
        "Matrix freshness",
        reverse("matrix_freshness"),
        name="matrix-freshness",
        icon_name="date",
        order=1110,
    )
