from django.contrib import admin
from django.http import HttpRequest

from lectures.models import AttendanceInterval, DriveCredential
from rooms.models import Lecture
from transcripts.models import TranscriptSegment


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = ["title", "room", "status", "started_at", "ended_at", "summary_status"]
    list_filter = ["status", "summary_status"]
    search_fields = ["title", "room__code", "room__title"]
    raw_id_fields = ["room"]
    date_hierarchy = "started_at"


@admin.register(TranscriptSegment)
class TranscriptSegmentAdmin(admin.ModelAdmin):
    list_display = ["lecture", "start", "speaker_name", "engine"]
    raw_id_fields = ["lecture"]
    search_fields = ["speaker_name"]


@admin.register(AttendanceInterval)
class AttendanceIntervalAdmin(admin.ModelAdmin):
    list_display = ["lecture", "display_name", "role", "joined_at", "left_at"]
    raw_id_fields = ["lecture", "guest"]


@admin.register(DriveCredential)
class DriveCredentialAdmin(admin.ModelAdmin):
    """Shows who connected Google Drive; the encrypted token itself is never displayed."""

    list_display = ["user", "connected_at", "updated_at"]
    fields = ["user", "scopes", "connected_at", "updated_at"]
    readonly_fields = ["user", "scopes", "connected_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
