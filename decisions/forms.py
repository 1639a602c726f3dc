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

    def __init__(self, *args, snapshot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen_framework"].choices = framework_choices(snapshot)


class DecisionEditForm(PlainLabelsMixin, forms.ModelForm):
    chosen_framework = forms.ChoiceField(label="The framework you chose")

    class Meta:
        model = Decision
        fields = ["title", "status", "chosen_framework", "chosen_reason", "notes"]
        widgets = {
            "chosen_reason": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {"chosen_reason": "Why, if it differs from the recommendation"}

    def __init__(self, *args, snapshot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen_framework"].choices = framework_choices(snapshot)
        self.fields["status"].choices = DecisionStatus.choices


class DecisionSearchForm(PlainLabelsMixin, forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search by title")
