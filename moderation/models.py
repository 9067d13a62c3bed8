from django.conf import settings
from django.db import models

from rooms.models import Room


class CoHost(models.Model):
    """A Lectern account the room's host has given moderation rights in that room."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="cohosts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohosted_rooms")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="unique_cohost")]

    def __str__(self) -> str:
        return f"{self.user} co-hosts {self.room}"
