"""The framework form's rating grid: one row per aspect, in aspect order, already there.

Ratings stay an inline formset of their framework (so a framework and its ratings are
saved, and revised, together); this module pre-fills that formset with a row for every
aspect the framework has not rated, renders it as a table, skips rows left empty and
refuses to publish a framework while an aspect has no rating.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from modelcluster.forms import BaseChildFormSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, Panel
from wagtail.admin.panels.base import get_form_for_model
from wagtail.models import DraftStateMixin

from comparisons.engine import SCORE_MAX, SCORE_MIN
from comparisons.models import Aspect, AspectKind, Rating

# What an editor types into a row; the aspect, id and DELETE inputs are hidden furniture,
# and ticking "reviewed" alone makes no rating.
ROW_FIELDS = ("score", "label", "note", "source_page", "source_anchor", "sources")


class SourcesField(forms.Field):
    """A rating's sources as lines of text, "https://address Title", stored as [{url, title}]."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "https://… Title"})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                f"{s.get('url', '')} {s.get('title', '')}".strip() if isinstance(s, dict) else str(s)
                for s in value
            )
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        sources, problems = [], []
        for number, line in enumerate((value or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            url, _, title = line.partition(" ")
            if not title.strip():
                problems.append(f"Line {number}: write the address, a space, then the source's title.")
                continue
            sources.append({"url": url, "title": title.strip()})
        if problems:
            raise ValidationError(problems)
        return sources

    def has_changed(self, initial, data):
        try:
            return self.to_python(self.prepare_value(initial) or "") != self.to_python(data)
        except ValidationError:
            return True


class FrameworkForm(WagtailAdminModelForm):
    """The framework's form: its publish reason starts empty unless a draft already gave one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if "change_reason" in self.fields and not getattr(instance, "has_unpublished_changes", False):
            self.initial["change_reason"] = ""


def is_publish_request(data, model) -> bool:
    """Whether a submitted admin form makes its object live.

    Wagtail's Publish button posts `action-publish`; Save draft and autosave do not.
    A model without DraftStateMixin has no drafts, so each of its saves is live.
    """
    return "action-publish" in data or not issubclass(model, DraftStateMixin)


def aspects_required_to_publish(aspects):
    # Once aspects have drafts, one that is not live yet asks nothing of frameworks.
    return [aspect for aspect in aspects if getattr(aspect, "live", True)]


class RatingRowForm(WagtailAdminModelForm):
    """One row of the grid: the rating of one aspect, its inputs shaped by the aspect's kind."""

    sources = SourcesField(required=False, label="Sources")
    reviewed = forms.BooleanField(
        required=False,
        label="Reviewed",
        help_text="Tick when you have checked this rating against its sources.",
    )

    aspect_info = None

    def set_aspect(self, aspect):
        self.aspect_info = aspect
        if aspect is None:
            return
        score = self.fields["score"]
        if aspect.kind == AspectKind.BOOLEAN:
            score.widget = forms.Select(choices=[("", "—"), (SCORE_MAX, "Yes"), (SCORE_MIN, "No")])
        elif aspect.kind == AspectKind.TEXT:
            score.widget = forms.HiddenInput()
        else:
            score.widget = forms.NumberInput(attrs={"min": SCORE_MIN, "max": SCORE_MAX})
        if "source_anchor" in self.fields:
            self.fields["source_anchor"].widget.attrs["placeholder"] = "anchor"
        for name in (*ROW_FIELDS, "reviewed"):
            if name in self.fields:
                label = self.fields[name].label
                self.fields[name].widget.attrs["aria-label"] = f"{aspect.name}: {str(label).lower()}"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reviewed"):
            # The date an editor confirms the rating; saved with the framework's revision.
            self.instance.reviewed_on = timezone.localdate()
        return cleaned

    def is_blank(self) -> bool:
        """True when the editor typed nothing into the row (its hidden aspect aside)."""
        if not self.is_bound:
            return False
        typed = (str(self[name].data or "").strip() for name in ROW_FIELDS if name in self.fields)
        return not any(typed)


class RatingGridFormSet(BaseChildFormSet):
    """The framework's ratings, plus an empty row for each aspect it has not rated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.aspects = list(Aspect.objects.all())
        self.aspects_by_id = {str(aspect.pk): aspect for aspect in self.aspects}
        rated = {rating.aspect_id for rating in self.get_queryset()}
        unrated = [aspect for aspect in self.aspects if aspect.pk not in rated]
        self.extra = len(unrated)
        self.initial_extra = [{"aspect": aspect.pk} for aspect in unrated]
        self.missing_aspect_ids = set()

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.set_aspect(self.aspects_by_id.get(str(form["aspect"].value() or "")))
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget = forms.HiddenInput()

    def _should_delete_form(self, form):
        # A row left empty is no rating: a new one is not stored, an existing one is removed.
        return super()._should_delete_form(form) or form.is_blank()

    def clean(self):
        errors = []
        try:
            super().clean()
        except ValidationError as error:
            errors.extend(error.error_list)
        if is_publish_request(self.data, type(self.instance)):
            rated = {str(form["aspect"].data) for form in self.forms if not self._should_delete_form(form)}
            missing = [
                aspect for aspect in aspects_required_to_publish(self.aspects) if str(aspect.pk) not in rated
            ]
            self.missing_aspect_ids = {aspect.pk for aspect in missing}
            if missing:
                names = ", ".join(aspect.name for aspect in missing)
                message = f"Rate every aspect before publishing. Not rated yet: {names}."
                if issubclass(type(self.instance), DraftStateMixin):
                    message += " Save a draft to keep your work until then."
                errors.append(ValidationError(message, code="unrated_aspects"))
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class GridRow:
    aspect: Aspect | None
    form: RatingRowForm
    missing: bool


class RatingGridPanel(InlinePanel):
    """Ratings as a grid: a row per aspect named with its kind, in aspect order, none to add or pick."""

    def __init__(self, relation_name="ratings", **kwargs):
        kwargs.setdefault(
            "panels",
            [
                FieldPanel("aspect", widget=forms.HiddenInput),
                FieldPanel("score"),
                FieldPanel("label"),
                FieldPanel("note", widget=forms.Textarea(attrs={"rows": 2})),
                FieldPanel("source_page"),
                FieldPanel("source_anchor"),
                FieldPanel("sources"),
            ],
        )
        super().__init__(relation_name, **kwargs)

    def get_form_options(self):
        options = super().get_form_options()
        formset_options = options["formsets"][self.relation_name]
        deferred = self.child_edit_handler.get_form_options().get("defer_required_on_fields")
        meta = {"defer_required_on_fields": deferred} if deferred else {}
        formset_options["form"] = get_form_for_model(Rating, form_class=RatingRowForm, **meta)
        formset_options["formset"] = RatingGridFormSet
        return options

    class BoundPanel(InlinePanel.BoundPanel):
        template_name = "comparisons/admin/rating_grid.html"
        # The grid has no add, delete or reorder controls, so it needs none of
        # InlinePanel's scripts; the plain panel adapter only records its prefix.
        telepath_adapter_name = "wagtail.panels.Panel"

        class Media:
            css = {"all": ["css/admin.css"]}

        def __init__(self, **kwargs):
            Panel.BoundPanel.__init__(self, **kwargs)
            self.label = self.panel.label
            if self.form is None:
                return
            self.formset = self.form.formsets[self.panel.relation_name]
            order = {aspect.pk: index for index, aspect in enumerate(self.formset.aspects)}
            missing = self.formset.missing_aspect_ids
            rows = [
                GridRow(form.aspect_info, form, bool(form.aspect_info and form.aspect_info.pk in missing))
                for form in self.formset.forms
            ]
            rows.sort(key=lambda row: order.get(row.aspect.pk, len(order)) if row.aspect else len(order))
            self.rows = rows

        def js_opts(self):
            return {"type": type(self.panel).__name__, "prefix": self.prefix}

        def telepath_pack(self, context):
            return (self.telepath_adapter_name, [self.js_opts()])

        def get_context_data(self, parent_context=None):
            return Panel.BoundPanel.get_context_data(self, parent_context)
