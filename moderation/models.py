from django.conf import settings
from django.db import models

from rooms.models import Room


class CoHost(models.Model):
    """Someone the room's host gave moderation rights in that room: an account, or a guest session."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="cohosts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="cohosted_rooms"
    )
    guest = models.OneToOneField(
        "rooms.GuestSession", on_delete=models.CASCADE, null=True, blank=True, related_name="cohost"
    )
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="unique_cohost"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(guest__isnull=False), name="cohost_is_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.guest} co-hosts {self.room}"


class BannedEntryQuerySet(models.QuerySet["BannedEntry"]):
    def active(self) -> "BannedEntryQuerySet":
        return self.filter(lifted_at__isnull=True)


class BannedEntry(models.Model):
    """A ban: by browser fingerprint (primary), guest session (secondary); the IP is kept as a signal.

    `room` set: this room only. `room` empty: every room of `host` (a course-wide ban).
    """

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bans")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, null=True, blank=True, related_name="bans")
    fingerprint = models.CharField(max_length=128, blank=True, db_index=True)
    session_id = models.UUIDField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    display_name = models.CharField(max_length=80, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = BannedEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"ban of {self.display_name or self.fingerprint}"


class AuditEvent(models.Model):
    """A moderation action or security event: who, what, when, target."""

    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True, help_text="who, when not an account (a guest, LiveKit)")
    action = models.CharField(max_length=50)
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class RateLimitHit(models.Model):
    """One counted attempt (a failed PIN, an unknown invite code) under a key such as "pin-ip:1.2.3.4"."""

    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["key", "created_at"])]

    def __str__(self) -> str:
        return self.key


class HandRaise(models.Model):
    """A raised hand in a lecture: the ordered queue the host sees (oldest first)."""

    lecture = models.ForeignKey("lectures.Lecture", on_delete=models.CASCADE, related_name="hands")
    guest = models.ForeignKey("rooms.GuestSession", on_delete=models.CASCADE, related_name="hands")
    identity = models.CharField(max_length=200)
    raised_at = models.DateTimeField(auto_now_add=True)
    lowered_at = models.DateTimeField(null=True, blank=True)
    lowered_by = models.CharField(max_length=200, blank=True, help_text="self, or the moderator who lowered it")

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lecture", "guest"], condition=models.Q(lowered_at__isnull=True), name="one_raised_hand"
            )
        ]

    def __str__(self) -> str:
        return f"hand of {self.guest.display_name}"
