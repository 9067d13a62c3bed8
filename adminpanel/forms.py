from django import forms

from accounts.models import User
from core.models import AISettings


class AccountForm(forms.Form):
    role = forms.ChoiceField(choices=User.Role.choices)
    is_active = forms.BooleanField(required=False, label="May log in")


class AISettingsForm(forms.ModelForm):
    class Meta:
        model = AISettings
        fields = ["engine", "whisper_model", "language", "summary_provider", "openai_model", "ai_assistant_default"]

    def clean_language(self) -> str:
        language: str = self.cleaned_data["language"].strip().lower()
        if not language.replace("-", "").isalpha() or len(language) > 10:
            raise forms.ValidationError("Use a language code such as en or de.")
        return language
