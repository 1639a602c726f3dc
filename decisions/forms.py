from django import forms

from core.forms import PlainLabelsMixin
from decisions.models import Decision, DecisionStatus


def framework_choices(snapshot) -> list[tuple[str, str]]:
    return [(f.slug, f.name) for f in snapshot.frameworks]


class DecisionCreateForm(PlainLabelsMixin, forms.Form):
    title = forms.CharField(max_length=200)
    chosen_framework = forms.ChoiceField(
        label="The framework you chose",
        help_text="Pick another one if you decided against the recommendation.",
    )
    chosen_reason = forms.CharField(
        label="Why, if it differs",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 5}))
    review_by = forms.DateField(
        label="Review by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the decision is flagged, and you are mailed, on this date.",
    )

    def __init__(self, *args, snapshot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen_framework"].choices = framework_choices(snapshot)


class DecisionEditForm(PlainLabelsMixin, forms.ModelForm):
    chosen_framework = forms.ChoiceField(label="The framework you chose")

    class Meta:
        model = Decision
        fields = ["title", "status", "chosen_framework", "chosen_reason", "notes"]
        fields += ["review_by"]
        widgets = {
            "chosen_reason": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 6}),
            "review_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"chosen_reason": "Why, if it differs from the recommendation"}

    def __init__(self, *args, snapshot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen_framework"].choices = framework_choices(snapshot)
        self.fields["status"].choices = DecisionStatus.choices


class DecisionSearchForm(PlainLabelsMixin, forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search by title")
