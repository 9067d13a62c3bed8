import secrets
import string
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse

if TYPE_CHECKING:
    from accounts.models import User

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
    pin_sealed = models.TextField(
        blank=True, help_text="The PIN encrypted for its hosts to read again (rooms/pins.py); blank for old PINs."
    )
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
        return self.lectures.filter(status=Lecture.Status.LIVE).order_by("-started_at").first()


class Lecture(models.Model):
    """One sitting of a Room: from the host opening it to "end for all" or LiveKit's room_finished."""

    class Status(models.TextChoices):
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    class CaptionsUnavailable(models.TextChoices):
        CAPACITY = "capacity", "assistant at capacity"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="lectures")
    title = models.CharField(max_length=200)
    livekit_room = models.CharField(max_length=200, unique=True)
    livekit_sid = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LIVE)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(
        null=True, blank=True, help_text="the structured summary; see summaries/schema.py for its shape"
    )
    summary_status = models.CharField(max_length=12, default="none", help_text="none, pending, ready or failed")
    captions_unavailable = models.CharField(
        max_length=12,
        choices=CaptionsUnavailable.choices,
        blank=True,
        help_text="why no AI assistant captions the lecture although its room has the assistant on; empty if none",
    )

    class Meta:
        db_table = "lectures_lecture"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"], condition=models.Q(status="live"), name="one_live_lecture_per_room"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} @ {self.started_at:%Y-%m-%d %H:%M}"
