"""A room used all term as a course: its schedule, its roster, reminders and the course settings."""

import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models


def new_secret() -> str:
    """An unguessable URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


class CourseSettings(models.Model):
    """One room's course settings: its home time zone, the late threshold, reminders, the calendar secret."""

    room = models.OneToOneField("rooms.Room", on_delete=models.CASCADE, related_name="course_settings")
    timezone = models.CharField(max_length=64, default="", help_text="IANA name; empty: settings.TIME_ZONE")
    late_minutes = models.PositiveSmallIntegerField(
        default=5, help_text="joining later than this after the start is late"
    )
    reminders = models.BooleanField(default=True, help_text="e-mail the roster 1 day, 1 hour and 5 minutes before")
    calendar_token = models.CharField(max_length=64, unique=True, default=new_secret)
    students_see_attendance = models.BooleanField(
        default=False, help_text="a roster student may read their own attendance of each lecture"
    )

    def __str__(self) -> str:
        return f"course settings of {self.room}"

    @property
    def home_timezone(self) -> str:
        return self.timezone or settings.TIME_ZONE


class ScheduledLectureQuerySet(models.QuerySet["ScheduledLecture"]):
    def of_room(self, room_pk: int) -> "ScheduledLectureQuerySet":
        return self.filter(room_id=room_pk)

    def waiting(self) -> "ScheduledLectureQuerySet":
        return self.filter(status=ScheduledLecture.Status.SCHEDULED)


class ScheduledLecture(models.Model):
    """One planned sitting of a room; opening the room near its start makes it the live Lecture."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Live"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        MISSED = "missed", "Missed"  # its time passed and the room never opened

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="scheduled_lectures")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="the calendar's stable UID")
    series = models.UUIDField(null=True, blank=True, help_text="occurrences scheduled together share it")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=500, blank=True)
    lecture = models.OneToOneField(
        "rooms.Lecture", on_delete=models.SET_NULL, null=True, blank=True, related_name="scheduled"
    )
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on each change")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScheduledLectureQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["room", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.display_title} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def display_title(self) -> str:
        return self.title or self.room.title

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class RosterEntry(models.Model):
    """A student on a room's roster, with a personal invite token (never shown to anyone else)."""

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="roster")
    name = models.CharField(max_length=80)
    email = models.EmailField()
    student_id = models.CharField(max_length=64, blank=True)
    invite_token = models.CharField(max_length=64, unique=True, default=new_secret)
    opt_out_token = models.CharField(max_length=64, unique=True, default=new_secret)
    email_opt_out = models.BooleanField(default=False)
    invited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["room", "email"], name="one_roster_entry_per_email")]

    def __str__(self) -> str:
        return f"{self.name} on the roster of {self.room}"


class RosterSession(models.Model):
    """A guest session that joined through a roster entry's personal link (one student, many devices)."""

    entry = models.ForeignKey(RosterEntry, on_delete=models.CASCADE, related_name="sessions")
    guest = models.OneToOneField(
        "participants.GuestSession", on_delete=models.CASCADE, null=True, blank=True, related_name="roster_session"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.guest} is {self.entry.name}"


class Reminder(models.Model):
    """One e-mail to one roster student about one scheduled lecture, and how its delivery went."""

    class Kind(models.TextChoices):
        DAY = "1d", "1 day before"
        HOUR = "1h", "1 hour before"
        FIVE_MINUTES = "5m", "5 minutes before"
        CANCELLED = "cancelled", "Cancellation"
        MOVED = "moved", "Time change"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    scheduled = models.ForeignKey(ScheduledLecture, on_delete=models.CASCADE, related_name="reminders")
    entry = models.ForeignKey(RosterEntry, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the e-mail announces, so that each is sent once: the start it gives (a lecture moved after its
    # reminder went out is reminded again for the new start; a new title alone sends nothing again) and,
    # for a time change, the lecture's SEQUENCE after it (each change its own e-mail; 0 for the others).
    starts_at = models.DateTimeField()
    sequence = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheduled", "entry", "kind", "starts_at", "sequence"], name="one_reminder_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder to {self.entry.email}: {self.status}"


class Poll(models.Model):
    """A question the host asks in a live lecture: 2–8 options, single or multiple choice."""

    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=300)
    options = models.JSONField(help_text="the option texts, in order")
    multiple = models.BooleanField(default=False)
    anonymous = models.BooleanField(default=False, help_text="store no voter: only an opaque key per student")
    results_shown = models.BooleanField(default=False, help_text="students see the results")
    closes_at = models.DateTimeField(null=True, blank=True, help_text="a timer; empty: until closed")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=200, help_text="who asked, as the audit names them")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.question

    def is_closed(self, now: datetime) -> bool:
        return self.closed_at is not None or (self.closes_at is not None and now >= self.closes_at)


class PollVote(models.Model):
    """One student's current answer: changeable until the poll closes, counted once."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(max_length=64, help_text="HMAC of the guest session: no name in anonymous polls")
    guest = models.ForeignKey(
        "participants.GuestSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    choices = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "voter_key"], name="one_vote_per_student")]

    def __str__(self) -> str:
        return f"vote on {self.poll_id}"


class Reaction(models.Model):
    """A reaction or an "I'm lost" / "slow down" pulse, on the lecture's timeline."""

    class Kind(models.TextChoices):
        THUMBS_UP = "thumbs_up", "👍"
        CLAP = "clap", "👏"
        HEART = "heart", "❤️"
        LAUGH = "laugh", "😂"
        SURPRISED = "surprised", "😮"
        LOST = "lost", "I'm lost"
        SLOW_DOWN = "slow_down", "Slow down"

    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    identity = models.CharField(max_length=200, help_text="the sender's identity (from the session)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["lecture", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} in {self.lecture_id}"

    @property
    def is_pulse(self) -> bool:
        return self.kind in (self.Kind.LOST, self.Kind.SLOW_DOWN)


class HostCalendar(models.Model):
    """A host's own feed of every room they host (a secret, revocable address)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_calendar")
    token = models.CharField(max_length=64, unique=True, default=new_secret)

    def __str__(self) -> str:
        return f"calendar of {self.user}"
