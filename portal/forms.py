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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            self.fields["password"].required = True

    def clean_confirm(self):
        if self.cleaned_data["confirm"] != "DELETE":
            raise forms.ValidationError("Type DELETE in capitals to confirm.")
        return self.cleaned_data["confirm"]

    def clean_password(self):
        password = self.cleaned_data.get("password", "")
        if self.user.has_usable_password() and not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
