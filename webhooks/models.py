"""LiveKit's webhooks as received: each event id stored once."""

from django.db import models


class WebhookEvent(models.Model):
    """Every LiveKit webhook we accepted, so each event id is processed once."""

    event_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=50)
    livekit_room = models.CharField(max_length=200, blank=True)
    participant_identity = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "rooms_webhookevent"
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["livekit_room", "event"])]

    def __str__(self) -> str:
        return f"{self.event} {self.livekit_room} ({self.event_id})"
