import secrets
import string
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse

if TYPE_CHECKING:
    from accounts.models import User
    from lectures.models import Lecture

CODE_ALPHABET = string.ascii_lowercase


def new_invite_code() -> str:
    """A random, unguessable code shaped like abc-defg-hij (26^10 ≈ 1.4e14 possibilities)."""
    letters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{letters[:3]}-{letters[3:7]}-{letters[7:]}"


class RoomQuerySet(models.QuerySet["Room"]):
    def hosted_by(self, user: "User") -> "RoomQuerySet":
        return self.filter(host=user)

    def live(self) -> "RoomQuerySet":
        return self.filter(status=Room.Status.LIVE)


class Room(models.Model):
    """A long-lived lecture room: one per course or office hour, same invite link all term."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Not started yet"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rooms")
    title = models.CharField(max_length=200)
    code = models.CharField(max_length=12, unique=True, default=new_invite_code, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    lobby = models.BooleanField(default=True, help_text="Students wait until a host admits them.")
    webinar = models.BooleanField(default=False, help_text="Students join without publish rights.")
    ai_assistant = models.BooleanField(default=True)
    pin_hash = models.CharField(max_length=100, blank=True)
    locked = models.BooleanField(default=False, help_text="Panic lock: every new arrival waits in the lobby.")
    student_chat = models.BooleanField(default=True, help_text="Students may write in the chat.")
    student_uploads = models.BooleanField(default=False, help_text="Students may share files.")
    attendees_see_lecture = models.BooleanField(
        default=False, help_text="Students who attended may open the lecture page afterwards."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    @property
    def requires_pin(self) -> bool:
        return bool(self.pin_hash)

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.LIVE

    @property
    def invite_url(self) -> str:
        return settings.SITE_URL + reverse("rooms:invite", kwargs={"code": self.code})

    def current_lecture(self) -> "Lecture | None":
        from lectures.models import Lecture

        return self.lectures.filter(status=Lecture.Status.LIVE).order_by("-started_at").first()


class WebhookEvent(models.Model):
    """Every LiveKit webhook we accepted, so each event id is processed once."""

    event_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=50)
    livekit_room = models.CharField(max_length=200, blank=True)
    participant_identity = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["livekit_room", "event"])]

    def __str__(self) -> str:
        return f"{self.event} {self.livekit_room} ({self.event_id})"


class GuestSession(models.Model):
    """A student's identity in one room, from the invite link: no account needed.

    `session_id` (server-made) lives in the guest-session cookie; `fingerprint` is computed in the
    browser (stable properties + a random id kept in localStorage); the IP is a secondary signal.
    """

    session_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="guest_sessions")
    display_name = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=128, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="guest_sessions"
    )
    transcribe_me = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.display_name} in {self.room.code}"


class ParticipantHistory(models.Model):
    """One row per guest session: what became of it (admitted, rejected, kicked, banned) and its identities."""

    guest = models.OneToOneField(GuestSession, on_delete=models.CASCADE, related_name="history")
    lecture = models.ForeignKey("lectures.Lecture", on_delete=models.SET_NULL, null=True, blank=True)
    identities = models.JSONField(default=list, help_text="LiveKit identities minted for this guest session.")
    admitted_at = models.DateTimeField(null=True, blank=True)
    rejected_count = models.PositiveSmallIntegerField(default=0)
    kicked_at = models.DateTimeField(null=True, blank=True)
    banned_at = models.DateTimeField(null=True, blank=True)
    speak_granted = models.BooleanField(default=False, help_text="webinar / panic: the host let this guest speak")
    muted = models.BooleanField(default=False, help_text="the panic button took this guest's publish rights")

    def __str__(self) -> str:
        return f"history of {self.guest}"


class ChatMessage(models.Model):
    """A chat message of a lecture: public (to everyone) or private to the room's hosts."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        HOSTS = "hosts", "Hosts only"

    lecture = models.ForeignKey("lectures.Lecture", on_delete=models.CASCADE, related_name="chat_messages")
    sender_identity = models.CharField(max_length=200)
    sender_name = models.CharField(max_length=200)
    sender_role = models.CharField(max_length=10, default="guest", help_text="host, cohost or guest")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["lecture", "created_at"])]

    def __str__(self) -> str:
        return f"{self.sender_name}: {self.text[:40]}"


class SharedFile(models.Model):
    """A file shared in a lecture; the bytes live in storage (local folder or S3) under `storage_key`."""

    lecture = models.ForeignKey("lectures.Lecture", on_delete=models.CASCADE, related_name="files")
    uploader_identity = models.CharField(max_length=200)
    uploader_name = models.CharField(max_length=200)
    name = models.CharField(max_length=255, help_text="sanitised file name shown and used for downloads")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    storage_key = models.CharField(max_length=500, unique=True)
    uploaded = models.BooleanField(default=False, help_text="True once the bytes have arrived in storage")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name
