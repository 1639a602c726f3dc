from django.core.exceptions import ValidationError
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from comparisons.models import Aspect, Framework, Rating

BLOCK_TEMPLATES = "components/streamfield/blocks"
RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "code"]


class AnchoredValue(blocks.StructValue):
    """A struct value with an explicit anchor, or one made from its title field."""

    title_field = "text"

    def anchor_id(self) -> str:
        return self.get("anchor") or slugify(self.get(self.title_field) or "")


class HeadingValue(AnchoredValue):
    title_field = "text"


class QuestionValue(AnchoredValue):
    title_field = "question"


def clean_anchor(value):
    anchor = value.get("anchor")
    if anchor and anchor != slugify(anchor):
        raise StructBlockValidationError(
            block_errors={"anchor": ValidationError("Use lowercase letters, digits and hyphens only.")}
        )
    return value


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    anchor = blocks.CharBlock(
        required=False,
        max_length=80,
        help_text="Link target for the table of contents; made from the heading when empty.",
    )

    class Meta:
        icon = "title"
        template = f"{BLOCK_TEMPLATES}/heading_block.html"
        value_class = HeadingValue
        description = "Starts a section; every heading appears in the page's table of contents."
        preview_value = {"text": "Strengths", "anchor": "strengths"}

    def clean(self, value):
        return clean_anchor(super().clean(value))


class PointsBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, max_length=120)
    tone = blocks.ChoiceBlock(
        choices=[("plus", "Strengths"), ("minus", "Weaknesses"), ("neutral", "Neutral")],
        default="neutral",
    )
    items = blocks.ListBlock(blocks.CharBlock(max_length=300), min_num=1)

    class Meta:
        icon = "list-ul"
        template = f"{BLOCK_TEMPLATES}/points_block.html"
        description = "A bulleted list, marked as strengths, weaknesses or neutral points."
        preview_value = {
            "title": "Strengths",
            "tone": "plus",
            "items": ["Small and unopinionated", "Large extension ecosystem"],
        }


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    tone = blocks.ChoiceBlock(
        choices=[("info", "Info"), ("tip", "Tip"), ("warning", "Warning")], default="info"
    )

    class Meta:
        icon = "help"
        template = f"{BLOCK_TEMPLATES}/callout_block.html"
        description = "A highlighted box for a tip, a caveat or a rule of thumb."
        preview_value = {
            "title": "Rule of thumb",
            "text": "<p>Pick the framework that fits the project, not the benchmark.</p>",
            "tone": "tip",
        }


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=RICH_TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        template = f"{BLOCK_TEMPLATES}/paragraph_block.html"
        description = "Rich text: bold, italic, links, lists and inline code."
        preview_value = "<p>Flask gives you routing, requests and templates, then steps aside.</p>"


class FigureBlock(blocks.StructBlock):
    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "image"
        template = f"{BLOCK_TEMPLATES}/figure_block.html"
        description = "An image with alt text and an optional caption."


def _first_rating_preview() -> dict:
    rating = Rating.objects.order_by("framework__sort_order", "aspect__sort_order").first()
    if rating is None:
        return {}
    return {"framework": rating.framework_id, "aspect": rating.aspect_id, "note": ""}


class RatingBlock(blocks.StructBlock):
    """Today's rating of one framework on one aspect, read from the matrix when the page renders."""

    framework = SnippetChooserBlock(Framework)
    aspect = SnippetChooserBlock(Aspect)
    note = blocks.CharBlock(
        required=False,
        max_length=300,
        help_text="Your words after the rating. Leave the label and score to the matrix, "
        "so the text never goes stale.",
    )

    class Meta:
        icon = "table"
        template = f"{BLOCK_TEMPLATES}/rating_block.html"
        description = "A framework's current label and score on one aspect, linked to its matrix row."
        preview_value = _first_rating_preview

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        framework, aspect = value.get("framework"), value.get("aspect")
        rating = None
        if framework is not None and aspect is not None:
            known = (parent_context or {}).get("live_ratings")
            if known is None:
                rating = Rating.objects.filter(framework=framework, aspect=aspect).first()
            else:
                rating = known.get((framework.pk, aspect.pk))
        context.update(framework=framework, aspect=aspect, rating=rating)
        return context


class RatingsBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, max_length=120)
    ratings = blocks.ListBlock(RatingBlock(), min_num=1)

    class Meta:
        icon = "list-ul"
        template = f"{BLOCK_TEMPLATES}/ratings_block.html"
        description = "A short list of live ratings, e.g. every framework on the aspect this page covers."
        preview_value = lambda: {"title": "In short", "ratings": [_first_rating_preview()]}  # noqa: E731


def live_ratings(stream) -> dict[tuple[int, int], Rating]:
    """The ratings every rating block in a StreamField shows, in one query, keyed by (framework, aspect).

    Read from the stream's raw data, so it costs nothing when the page has no rating block.
    """
    pairs = set()
    for child in stream.raw_data:
        value = child.get("value") or {}
        if child.get("type") == "rating":
            items = [value]
        elif child.get("type") == "ratings":
            items = [item.get("value", item) for item in value.get("ratings") or []]
        else:
            continue
        pairs.update((item.get("framework"), item.get("aspect")) for item in items)
    pairs = {(f, a) for f, a in pairs if f and a}
    if not pairs:
        return {}
    ratings = Rating.objects.filter(
        framework_id__in={f for f, _ in pairs}, aspect_id__in={a for _, a in pairs}
    ).select_related("aspect")
    return {(r.framework_id, r.aspect_id): r for r in ratings}


class BaseStreamBlock(blocks.StreamBlock):
    """The blocks every guide page can use."""

    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    points = PointsBlock()
    callout = CalloutBlock()
    figure = FigureBlock()
    rating = RatingBlock()
    ratings = RatingsBlock()


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200)
    anchor = blocks.CharBlock(
        required=False,
        max_length=100,
        help_text="Deep link id, e.g. is-flask-still-relevant; made from the question when empty.",
    )
    answer = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        template = f"{BLOCK_TEMPLATES}/faq_item_block.html"
        value_class = QuestionValue
        description = "One question with its answer; each gets a deep link."
        preview_value = {
            "question": "Is Flask still relevant?",
            "anchor": "is-flask-still-relevant",
            "answer": "<p>Yes: prototypes, small services and teaching keep it busy.</p>",
        }

    def clean(self, value):
        return clean_anchor(super().clean(value))


class FAQStreamBlock(blocks.StreamBlock):
    question = FAQItemBlock()
