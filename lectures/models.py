from django.db import models

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
    summary = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"], condition=models.Q(status="live"), name="one_live_lecture_per_room"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} @ {self.started_at:%Y-%m-%d %H:%M}"
