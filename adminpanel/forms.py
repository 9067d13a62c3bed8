from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator

from accounts.models import User
from core.models import AISettings, SiteDefaults
from core.text import display_name, single_line
from rooms.livekit_server import TRACK_SOURCES


def _single_line(value: str, what: str) -> str:
    try:
        return single_line(value)
    except ValueError as exc:
        raise forms.ValidationError(f"{what} {exc}.") from exc


class AccountForm(forms.Form):
    role = forms.ChoiceField(choices=User.Role.choices)
    is_active = forms.BooleanField(required=False, label="May log in")


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True, label="Search")

    def clean_q(self) -> str:
        return _single_line(self.cleaned_data["q"], "The search")


class RoomSearchForm(SearchForm):
    status = forms.ChoiceField(
        required=False, choices=[("", "all"), ("live", "live"), ("idle", "not live")], label="Status"
    )


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254, label="E-mail")
    first_name = forms.CharField(max_length=150, required=False, strip=True, label="First name")
    last_name = forms.CharField(max_length=150, required=False, strip=True, label="Last name")

    def _name(self, field: str) -> str:
        value: str = self.cleaned_data[field]
        if not value:
            return ""
        try:
            return display_name(value)
        except ValueError as exc:
            raise forms.ValidationError(f"The name {exc}.") from exc

    def clean_first_name(self) -> str:
        return self._name("first_name")

    def clean_last_name(self) -> str:
        return self._name("last_name")


IDENTITY = RegexValidator(r"^[A-Za-z0-9_.:-]{1,100}$", "Use letters, digits and - _ . : only.")


class SandboxForm(forms.Form):
    room = forms.CharField(max_length=200, validators=[IDENTITY], label="LiveKit room")
    identity = forms.CharField(max_length=100, validators=[IDENTITY], initial="sandbox-tester")
    name = forms.CharField(max_length=80, initial="Sandbox tester", label="Display name")
    ttl_seconds = forms.IntegerField(min_value=30, max_value=24 * 3600, initial=600, label="TTL (seconds)")
    metadata = forms.CharField(max_length=500, required=False, label="Metadata")
    publish_sources = forms.MultipleChoiceField(
        choices=[(s, s.replace("_", " ")) for s in TRACK_SOURCES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="May publish",
    )
    can_subscribe = forms.BooleanField(required=False, initial=True, label="May subscribe")
    can_publish_data = forms.BooleanField(required=False, label="May send data")
    hidden = forms.BooleanField(required=False, label="Hidden from others")

    def clean_name(self) -> str:
        try:
            return display_name(self.cleaned_data["name"])
        except ValueError as exc:
            raise forms.ValidationError(f"The name {exc}.") from exc

    def clean_metadata(self) -> str:
        return _single_line(self.cleaned_data["metadata"], "The metadata")


class AISettingsForm(forms.ModelForm):
    class Meta:
        model = AISettings
        fields = ["engine", "whisper_model", "language", "summary_provider", "openai_model", "ai_assistant_default"]

    def clean_language(self) -> str:
        language: str = self.cleaned_data["language"].strip().lower()
        if not language.replace("-", "").isalpha() or len(language) > 10:
            raise forms.ValidationError("Use a language code such as en or de.")
        return language


class SiteDefaultsForm(forms.ModelForm):
    retention_days = forms.IntegerField(min_value=1, max_value=3650, label="Keep finished lectures (days)")

    class Meta:
        model = SiteDefaults
        fields = ["recording_default", "student_uploads_default", "attendee_access_default", "retention_days"]


_AUDIT_DATES = [
    MinValueValidator(date(2000, 1, 1), "Choose a date from 2000 on."),
    MaxValueValidator(date(9000, 12, 31), "Choose a date before the year 9001."),
]


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET): any value that is not one of these is a 400, not an empty list."""

    room = forms.CharField(required=False, max_length=200, strip=True, label="Room (title or code)")
    actor = forms.CharField(required=False, max_length=200, strip=True, label="Actor (name or e-mail)")
    action = forms.CharField(
        required=False,
        max_length=50,
        validators=[RegexValidator(r"^[a-z_]+(\.[a-z_]+)+$", "Choose a type from the list.")],
        label="Type",
    )
    # bounded so that the day after `until` and the time zone shift of `since` stay computable
    since = forms.DateField(required=False, label="From (date)", input_formats=["%Y-%m-%d"], validators=_AUDIT_DATES)
    until = forms.DateField(
        required=False, label="To (date, included)", input_formats=["%Y-%m-%d"], validators=_AUDIT_DATES
    )

    def clean_room(self) -> str:
        return _single_line(self.cleaned_data["room"], "The room")

    def clean_actor(self) -> str:
        return _single_line(self.cleaned_data["actor"], "The actor")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The first date comes after the last.")
        return data
