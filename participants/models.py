"""Everyone who takes part in a room: guest sessions, what became of them, co-hosts and bans."""

import uuid

from django.conf import settings
from django.db import models


class GuestSession(models.Model):
    """A student's identity in one room, from the invite link: no account needed.

    `session_id` (server-made) lives in the guest-session cookie; `fingerprint` is computed in the
    browser (stable properties + a random id kept in localStorage); the IP is a secondary signal.
    """

    session_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="guest_sessions")
    display_name = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=128, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="guest_sessions"
    )
    transcribe_me = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "rooms_guestsession"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.display_name} in {self.room.code}"


class ParticipantHistory(models.Model):
    """One row per guest session: what became of it (admitted, rejected, kicked, banned)."""

    guest = models.OneToOneField(GuestSession, on_delete=models.CASCADE, related_name="history")
    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.SET_NULL, null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    rejected_count = models.PositiveSmallIntegerField(default=0)
    kicked_at = models.DateTimeField(null=True, blank=True)
    banned_at = models.DateTimeField(null=True, blank=True)
    speak_granted = models.BooleanField(default=False, help_text="webinar / panic: the host let this guest speak")
    muted = models.BooleanField(default=False, help_text="the panic button took this guest's publish rights")

    class Meta:
        db_table = "rooms_participanthistory"

    def __str__(self) -> str:
        return f"history of {self.guest}"


class CoHost(models.Model):
    """Someone the room's host gave moderation rights in that room: an account, or a guest session."""

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="cohosts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="cohosted_rooms"
    )
    guest = models.OneToOneField(
        "participants.GuestSession", on_delete=models.CASCADE, null=True, blank=True, related_name="cohost"
    )
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "moderation_cohost"
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
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, null=True, blank=True, related_name="bans")
    fingerprint = models.CharField(max_length=128, blank=True, db_index=True)
    session_id = models.UUIDField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    network = models.BooleanField(
        default=False, help_text="also refuse everyone from ip_address (a whole NAT network: a lecture hall too)"
    )
    display_name = models.CharField(max_length=80, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = BannedEntryQuerySet.as_manager()

    class Meta:
        db_table = "moderation_bannedentry"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"ban of {self.display_name or self.fingerprint}"


class MintedIdentity(models.Model):
    """A LiveKit identity the server minted for one connection: whose it is, in which lecture.

    Every identity ever minted is kept, so a host's action on any of them reaches the guest and all
    of its connections, and an identity that is not here was never ours (participant_joined removes it).
    """

    identity = models.CharField(max_length=200, unique=True)
    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.CASCADE, related_name="minted_identities")
    guest = models.ForeignKey(
        GuestSession, on_delete=models.CASCADE, null=True, blank=True, related_name="minted_identities"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=10, help_text="host, cohost or guest, when minted")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["guest", "created_at"])]

    def __str__(self) -> str:
        return self.identity
