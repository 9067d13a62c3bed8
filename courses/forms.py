"""The course page's forms: editing and cancelling a scheduled lecture (the API does the same)."""

from django import forms


class EditScheduledForm(forms.Form):
    """Start (local time in the room's home time zone: the view activates it), duration, title, description."""

    starts_at = forms.DateTimeField(label="Starts", input_formats=["%Y-%m-%dT%H:%M"])
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=600)
    title = forms.CharField(label="Title", max_length=200, required=False)
    description = forms.CharField(label="Description", max_length=2000, required=False, widget=forms.Textarea)


class CancelScheduledForm(forms.Form):
    reason = forms.CharField(label="Reason students see", max_length=500)
