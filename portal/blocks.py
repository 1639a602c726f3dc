from django.core.exceptions import ValidationError
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageBlock

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


class BaseStreamBlock(blocks.StreamBlock):
    """The blocks every guide page can use."""

    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    points = PointsBlock()
    callout = CalloutBlock()
    figure = FigureBlock()


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
