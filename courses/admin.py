from django.contrib import admin

from courses.models import CourseSettings, Reminder, RosterEntry, RosterSession, ScheduledLecture


@admin.register(ScheduledLecture)
class ScheduledLectureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "room", "status", "starts_at", "ends_at"]
    list_filter = ["status"]
    search_fields = ["title", "room__code", "room__title"]
    raw_id_fields = ["room", "lecture"]
    date_hierarchy = "starts_at"


@admin.register(RosterEntry)
class RosterEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "student_id", "room", "email_opt_out", "invited_at"]
    search_fields = ["name", "email", "student_id", "room__code"]
    raw_id_fields = ["room"]
    exclude = ["invite_token", "opt_out_token"]


@admin.register(RosterSession)
class RosterSessionAdmin(admin.ModelAdmin):
    list_display = ["entry", "guest", "created_at"]
    raw_id_fields = ["entry", "guest"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["scheduled", "entry", "kind", "status", "reason", "sent_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["scheduled", "entry"]


@admin.register(CourseSettings)
class CourseSettingsAdmin(admin.ModelAdmin):
    list_display = ["room", "timezone", "late_minutes", "reminders"]
    raw_id_fields = ["room"]
    exclude = ["calendar_token"]
