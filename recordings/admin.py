from django.contrib import admin

from recordings.models import Recording, RecordingSettings


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ("pk", "room", "lecture", "status", "access", "duration", "size", "created_at")
    list_filter = ("status", "access")
    search_fields = ("egress_id", "room__code", "room__title")
    readonly_fields = ("egress_id", "storage_key", "egress_updated_at", "created_at")


@admin.register(RecordingSettings)
class RecordingSettingsAdmin(admin.ModelAdmin):
    list_display = ("room", "auto_record", "default_access")
