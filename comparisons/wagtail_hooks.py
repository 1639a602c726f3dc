from django import forms
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from comparisons.models import Aspect, Framework, Option, Question, Scenario

RATING_PANELS = [
    FieldRowPanel([FieldPanel("aspect"), FieldPanel("score"), FieldPanel("label")]),
    FieldPanel("note"),
    FieldRowPanel([FieldPanel("source_page"), FieldPanel("source_anchor")]),
]


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
                FieldPanel("guide_page"),
            ],
            heading="Framework",
        ),
        # Ratings are edited under their framework: one row per aspect.
        InlinePanel("ratings", heading="Ratings", label="Rating", panels=RATING_PANELS),
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
        FieldPanel("in_cheat_sheet"),
    ]


class MatrixViewSetGroup(SnippetViewSetGroup):
    items = (FrameworkViewSet, AspectViewSet, ScenarioViewSet)
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


register_snippet(MatrixViewSetGroup)
register_snippet(ChooserViewSetGroup)
