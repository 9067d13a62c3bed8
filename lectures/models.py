from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F

from rooms.models import Room


class Lecture(models.Model):
    """One sitting of a Room: from the host opening it to "end for all" or LiveKit's room_finished."""

    class Status(models.TextChoices):
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="lectures")
    title = models.CharField(max_length=200)
    livekit_room = models.CharField(max_length=200, unique=True)
    livekit_sid = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LIVE)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(
        null=True, blank=True, help_text="the structured summary; see lectures/summary_schema.py for its shape"
    )
    summary_status = models.CharField(max_length=12, default="none", help_text="none, pending, ready or failed")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"], condition=models.Q(status="live"), name="one_live_lecture_per_room"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} @ {self.started_at:%Y-%m-%d %H:%M}"


class TranscriptSegment(models.Model):
    """One final utterance of one speaker, written the moment the speech-to-text engine finalises it."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="segments")
    speaker_identity = models.CharField(max_length=200)
    speaker_name = models.CharField(max_length=200)
    start = models.FloatField(help_text="seconds from the lecture's start")
    end = models.FloatField(help_text="seconds from the lecture's start")
    text = models.TextField()
    engine = models.CharField(max_length=30, help_text="whisper, deepgram, …")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["lecture", "start"]),
            GinIndex(SearchVector("text", config="english"), name="segment_text_search"),
            # lecture + text in one GIN (btree_gin): the lecture page's search stays on the index
            GinIndex(F("lecture"), SearchVector("text", config="english"), name="segment_lecture_text_search"),
        ]

    def __str__(self) -> str:
        return f"[{self.start:.1f}s] {self.speaker_name}: {self.text[:40]}"


class AttendanceInterval(models.Model):
    """One stretch of presence of one LiveKit identity in a lecture, from the webhooks."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="attendance")
    guest = models.ForeignKey(
        "rooms.GuestSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="attendance"
    )
    identity = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, default="guest")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        indexes = [models.Index(fields=["lecture", "identity"])]

    def __str__(self) -> str:
        return f"{self.display_name} {self.joined_at:%H:%M}–{self.left_at or '…'}"


class DriveCredential(models.Model):
    """One account's connection to Google Drive: the OAuth refresh token, encrypted (lectures/drive.py)."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="drive_credential")
    encrypted_refresh_token = models.TextField(help_text="Fernet token; never shown, never logged")
    scopes = models.CharField(max_length=500, blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Google Drive of {self.user}"
