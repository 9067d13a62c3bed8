"""Forms of the lecture pages: transcript search and the host's switch for attendees."""

from django import forms


class TranscriptSearchForm(forms.Form):
    q = forms.CharField(
        label="Search the transcript",
        max_length=200,
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": 'words, "a phrase", -not', "autocomplete": "off"}
        ),
    )


class AttendeeAccessForm(forms.Form):
    attendees_see_lecture = forms.BooleanField(
        label="Students who attended may open this page and its files", required=False
    )
