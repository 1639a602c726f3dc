import json

from django.db import models
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from comparisons.matrix import build_matrix
from comparisons.models import Aspect, Companion, Framework, Scenario
from portal.blocks import RICH_TEXT_FEATURES, BaseStreamBlock, FAQStreamBlock, live_ratings


class SeedRecord(models.Model):
    """Remembers which pieces of seed content were loaded once.

    The loader skips anything recorded here, so content an editor changed or
    deleted is never overwritten or brought back by a later run.
    """

    key = models.CharField(max_length=200, unique=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key


class HomePage(Page):
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.GuideIndexPage", "portal.FAQPage"]
    max_count = 1
    template = "pages/home_page.html"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        frameworks = list(Framework.objects.published().with_ratings())
        context["matrix"] = build_matrix(
            frameworks, list(Aspect.objects.published().filter(in_overview=True))
        )
        context["cheat_sheet"] = Scenario.objects.published().cheat_sheet().with_framework()
        context["guide_pages"] = GuidePage.objects.live().public().order_by("path")
        context["guide_urls"] = Framework.objects.published().guide_urls(request)
        return context


class GuideIndexPage(Page):
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.GuidePage"]
    max_count = 1
    template = "pages/guide_index_page.html"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = GuidePage.objects.child_of(self).live().public().prefetch_related("guided_frameworks")
        context["framework_pages"] = [p for p in pages if p.framework]
        context["topic_pages"] = [p for p in pages if not p.framework]
        return context


class GuidePage(Page):
    summary = models.CharField(
        max_length=200, help_text="One sentence; shown in listings and as the meta description."
    )
    related_aspects = ParentalManyToManyField(
        Aspect,
        blank=True,
        related_name="guide_pages",
        help_text="Matrix rows this page discusses; shown beside the text.",
    )
    body = StreamField(BaseStreamBlock())

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("related_aspects")],
            heading="Links into the matrix",
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    parent_page_types = ["portal.GuideIndexPage"]
    subpage_types = []
    template = "pages/guide_page.html"

    @cached_property
    def framework(self) -> Framework | None:
        """The framework whose guide this page is (set on the framework), if any."""
        return next((f for f in self.guided_frameworks.all() if f.live), None)

    def get_meta_description(self) -> str:
        return self.search_description or self.summary

    @cached_property
    def table_of_contents(self) -> list[dict]:
        return [
            {"text": block.value["text"], "anchor": block.value.anchor_id()}
            for block in self.body
            if block.block_type == "heading"
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # One query for every rating block on the page, rather than one per block.
        context["live_ratings"] = live_ratings(self.body)
        if self.framework:
            context["companions"] = list(
                Companion.objects.published().for_framework(self.framework).with_coverage()
            )
        aspects = [aspect for aspect in self.related_aspects.all() if aspect.live]
        if aspects:
            context["matrix"] = build_matrix(list(Framework.objects.published().with_ratings()), aspects)
        siblings = list(self.get_siblings().live().public().only("title", "url_path"))
        position = next((i for i, page in enumerate(siblings) if page.pk == self.pk), None)
        if position is not None:
            context["previous_page"] = siblings[position - 1] if position > 0 else None
            context["next_page"] = siblings[position + 1] if position + 1 < len(siblings) else None
        return context


class FAQPage(Page):
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    body = StreamField(FAQStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["portal.HomePage"]
    subpage_types = []
    max_count = 1
    template = "pages/faq_page.html"

    def structured_data(self) -> str:
        """schema.org FAQPage JSON-LD for search engines."""
        data = {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": block.value["question"],
                    "acceptedAnswer": {
                        "@type": "Answer",
                        "text": strip_tags(block.value["answer"].source).strip(),
                    },
                }
                for block in self.body
            ],
        }
        # Escape what could close the <script> element an editor's text lands in.
        return (
            json.dumps(data, ensure_ascii=False)
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
        )
