"""The course page's forms: editing and cancelling a scheduled lecture (the API does the same)."""

from collections.abc import Callable

from django import forms

from core.text import multi_line, single_line


def _text(value: str, rule: Callable[[str], str], what: str) -> str:
    """The API's input rule (core.text) for a form field: a clear form error instead of a 400 page."""
    try:
        return rule(value)
    except ValueError as exc:
        raise forms.ValidationError(f"The {what} {exc}.") from exc


class EditScheduledForm(forms.Form):
    """Start (local time in the room's home time zone: the view activates it), duration, title, description."""

    starts_at = forms.DateTimeField(label="Starts", input_formats=["%Y-%m-%dT%H:%M"])
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=600)
    title = forms.CharField(label="Title", max_length=200, required=False)
    description = forms.CharField(label="Description", max_length=5000, required=False, widget=forms.Textarea)

    def clean_title(self) -> str:
        return _text(self.cleaned_data["title"], single_line, "title")

    def clean_description(self) -> str:
        return _text(self.cleaned_data["description"], multi_line, "description")


class CancelScheduledForm(forms.Form):
    reason = forms.CharField(label="Reason students see", max_length=500)

    def clean_reason(self) -> str:
        return _text(self.cleaned_data["reason"], multi_line, "reason")
