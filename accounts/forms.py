from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from core.forms import PlainErrorsMixin, PlainForm

PASSWORD_MAX = 4096


class SignInForm(PlainErrorsMixin, AuthenticationForm):
    """Django's form with the length limits enforced, not only advertised: a username longer than the
    column (PostgreSQL varchar) is a form error, never a database error (a 500)."""

    # issue 15, item 3: plain words, shown once (in the error summary).
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your username and password did not match. Please try again.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets max_length from the model (150) after the field is built, so it only reaches the widget.
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))
        self.fields["username"].error_messages["required"] = "Enter your username."
        self.fields["password"].error_messages["required"] = "Enter your password."
        self.fields["password"].max_length = PASSWORD_MAX
        self.fields["password"].validators.append(MaxLengthValidator(PASSWORD_MAX))


class CodeForm(PlainForm):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class EnrolForm(PlainForm):
    code = forms.CharField(
        label="Code from the app",
        max_length=8,
        help_text="After adding the account, type the 6-digit code the app shows.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())
