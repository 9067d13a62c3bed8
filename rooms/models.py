import secrets
import string
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
