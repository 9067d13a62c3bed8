from django import forms
from django.core.validators import RegexValidator

from core.text import single_line


class RoomForm(forms.Form):
    title = forms.CharField(max_length=200, strip=True)
    pin = forms.CharField(
        required=False,
        max_length=12,
        validators=[RegexValidator(r"^\d{4,12}$", "A PIN is 4 to 12 digits.")],
        help_text="Optional: students must enter it to knock.",
    )
    lobby = forms.BooleanField(required=False, initial=True, label="Waiting room (admit each student)")
    webinar = forms.BooleanField(required=False, label="Webinar mode (students raise a hand to speak)")
    ai_assistant = forms.BooleanField(required=False, initial=True, label="AI assistant (captions and summary)")

    def clean_title(self) -> str:
        try:
            return single_line(self.cleaned_data["title"])
        except ValueError as exc:
            raise forms.ValidationError(f"The title {exc}.") from exc


class RoomEditForm(forms.Form):
    title = forms.CharField(max_length=200, strip=True)
    new_pin = forms.CharField(
        required=False,
        max_length=12,
        label="New PIN",
        validators=[RegexValidator(r"^\d{4,12}$", "A PIN is 4 to 12 digits.")],
        help_text="Leave empty to keep the current PIN.",
    )
    remove_pin = forms.BooleanField(required=False, label="Remove the PIN")
    lobby = forms.BooleanField(required=False, label="Waiting room (admit each student)")
    webinar = forms.BooleanField(required=False, label="Webinar mode (students raise a hand to speak)")
    ai_assistant = forms.BooleanField(required=False, label="AI assistant (captions and summary)")

    clean_title = RoomForm.clean_title
