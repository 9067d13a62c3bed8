import unicodedata
from typing import Any

from django import forms
from django.http import HttpRequest

from accounts.models import User

# Characters that render as nothing (or as blank) though Unicode counts some of them as letters.
INVISIBLE = {"\u115f", "\u1160", "\u2800", "\u3164", "\uffa0", "\u180e", "\u034f"}

NAME_HELP = "How students see you: on your video tile, in the chat, captions and lecture exports."


def clean_display_name(value: str) -> str:
    """NFKC-normalised, trimmed, with no control, format or invisible-only characters."""
    name = unicodedata.normalize("NFKC", value).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") or ch in INVISIBLE for ch in name):
        raise forms.ValidationError("The name cannot contain control or invisible characters.")
    if not any(ch.isalnum() and ch not in INVISIBLE for ch in name):
        raise forms.ValidationError("Please type a name with at least one letter or digit.")
    return name


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    name = forms.CharField(label="Your name", max_length=80, help_text=NAME_HELP)

    field_order = ["name", "email", "password1", "password2"]

    def clean_name(self) -> str:
        return clean_display_name(self.cleaned_data["name"])

    def signup(self, request: HttpRequest, user: Any) -> None:
        user.name = self.cleaned_data["name"]
        user.save(update_fields=["name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name"]
        labels = {"name": "Your name"}
        help_texts = {"name": NAME_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True

    def clean_name(self) -> str:
        return clean_display_name(self.cleaned_data["name"])
