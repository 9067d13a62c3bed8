"""LiveKit's webhooks as received: each event id stored once, then applied in order after the response."""

from django.db import models


class WebhookEvent(models.Model):
    """Every LiveKit webhook we accepted, so each event id is processed once."""

    event_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=50)
    livekit_room = models.CharField(max_length=200, blank=True)
    participant_identity = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    occurred_at = models.DateTimeField(null=True, blank=True, help_text="when LiveKit created the event")
    payload = models.JSONField(default=dict, help_text="the verified event, as rooms.livekit_server.WebhookEvent")
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rooms_webhookevent"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["livekit_room", "event"]),
            models.Index(
                fields=["livekit_room", "occurred_at"],
                condition=models.Q(processed_at__isnull=True),
                name="webhook_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.livekit_room} ({self.event_id})"
