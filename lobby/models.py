from django.conf import settings
from django.db import models

from participants.models import GuestSession
from rooms.models import Lecture


class LobbyEntryQuerySet(models.QuerySet["LobbyEntry"]):
    def pending(self) -> "LobbyEntryQuerySet":
        return self.filter(status=LobbyEntry.Status.PENDING)


class LobbyEntry(models.Model):
    """A student knocking at one lecture: waits until a host admits or rejects them."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        ADMITTED = "admitted", "Admitted"
        REJECTED = "rejected", "Rejected"

    guest = models.ForeignKey(GuestSession, on_delete=models.CASCADE, related_name="lobby_entries")
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="lobby_entries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.CharField(max_length=500, blank=True, help_text="the host's words on rejection")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    objects = LobbyEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["lecture", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["guest", "lecture"], condition=models.Q(status="pending"), name="one_pending_knock_per_guest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.guest.display_name} ({self.status})"
