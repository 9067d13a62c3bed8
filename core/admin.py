from django.contrib import admin
from django.http import HttpRequest

from core.models import AISettings


@admin.register(AISettings)
class AISettingsAdmin(admin.ModelAdmin):
    list_display = ["engine", "summary_provider", "language", "ai_assistant_default", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AISettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: AISettings | None = None) -> bool:
        return False
