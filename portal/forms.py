from allauth.core import ratelimit
from django import forms

from core.forms import PlainLabelsMixin


class ApiTokenForm(PlainLabelsMixin, forms.Form):
    name = forms.CharField(
        max_length=80, label="Token name", help_text="Where you will use it, e.g. “CI script”."
    )


class DeleteAccountForm(PlainLabelsMixin, forms.Form):
    confirm = forms.CharField(
        label="Type DELETE to confirm", max_length=10, help_text="This cannot be undone."
    )
    password = forms.CharField(label="Your password", widget=forms.PasswordInput, required=False, strip=False)

    def __init__(self, *args, user, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        if user.has_usable_password():
            self.fields["password"].required = True

    def clean_confirm(self):
        if self.cleaned_data["confirm"] != "DELETE":
            raise forms.ValidationError("Type DELETE in capitals to confirm.")
        return self.cleaned_data["confirm"]

    def clean(self):
        cleaned = super().clean()
        # The password is tried only once the confirmation is right, and counts
        # against allauth's reauthentication limit: no free password oracle.
        if "confirm" not in cleaned or "password" not in cleaned or not self.user.has_usable_password():
            return cleaned
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.user):
            raise forms.ValidationError("Too many attempts: wait a minute.", code="rate_limited")
        if not self.user.check_password(cleaned["password"]):
            self.add_error("password", "That is not your password.")
        return cleaned
