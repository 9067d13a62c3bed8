"""Recordings of lectures, made by LiveKit Egress, and each room's recording defaults."""

from django.conf import settings
from django.db import models


class Access(models.TextChoices):
    """Who may watch a recording (hosts, co-hosts and admins always may)."""

    HOSTS = "hosts", "Hosts only"
    ATTENDEES = "attendees", "Students who attended"
    SIGNED_IN = "signed_in", "Anyone signed in with the link"
    PUBLIC = "public", "Anyone with the link"


class RecordingSettings(models.Model):
    """A room's recording defaults: record every lecture automatically, and who may watch."""

    room = models.OneToOneField("rooms.Room", on_delete=models.CASCADE, related_name="recording_settings")
    auto_record = models.BooleanField(default=False, help_text="Start recording as soon as the host opens the room.")
    default_access = models.CharField(max_length=10, choices=Access.choices, default=Access.HOSTS)

    class Meta:
        verbose_name_plural = "recording settings"

    def __str__(self) -> str:
        return f"recording settings of {self.room}"


class RecordingQuerySet(models.QuerySet["Recording"]):
    def running(self) -> "RecordingQuerySet":
        """Starting or recording: the room counts as being recorded."""
        return self.filter(status__in=(Recording.Status.STARTING, Recording.Status.RECORDING))

    def ready(self) -> "RecordingQuerySet":
        return self.filter(status=Recording.Status.READY)


class Recording(models.Model):
    """One egress job of a lecture and the file it produced (stored under `storage_key`)."""

    class Status(models.TextChoices):
        STARTING = "starting", "Starting…"
        RECORDING = "recording", "Recording"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="recordings")
    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.CASCADE, related_name="recordings")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    egress_id = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.STARTING)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.HOSTS)
    audio_only = models.BooleanField(default=False)
    storage_key = models.CharField(max_length=500, unique=True)
    duration = models.FloatField(null=True, blank=True, help_text="seconds, from egress")
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="bytes")
    error = models.TextField(blank=True)
    egress_updated_at = models.BigIntegerField(
        default=0, help_text="egress's updated_at (ns) of the last applied report"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = RecordingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["egress_id"], condition=~models.Q(egress_id=""), name="one_recording_per_egress"
            ),
            models.UniqueConstraint(
                fields=["room"],
                condition=models.Q(status__in=("starting", "recording")),
                name="one_running_recording_per_room",
            ),
        ]

    def __str__(self) -> str:
        return f"recording {self.pk} of {self.lecture} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.STARTING, self.Status.RECORDING)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def content_type(self) -> str:
        return "audio/ogg" if self.audio_only else "video/mp4"

    @property
    def download_name(self) -> str:
        day = self.lecture.started_at.strftime("%Y-%m-%d")
        return f"{self.room.title} {day}.{'ogg' if self.audio_only else 'mp4'}"
