"""The reads the course API and pages need."""

from django.db.models import Count, QuerySet

from core.exceptions import NotFound
from courses.models import Reminder, RosterEntry, RosterSession, ScheduledLecture
from rooms.models import Room


def schedule_of(*, room: Room) -> QuerySet[ScheduledLecture]:
    return ScheduledLecture.objects.of_room(room.pk).select_related("room").order_by("starts_at", "pk")


def scheduled_of(*, room: Room, scheduled_id: int) -> ScheduledLecture:
    found = ScheduledLecture.objects.filter(room=room, pk=scheduled_id).select_related("room").first()
    if found is None:
        raise NotFound("No scheduled lecture with this id in this room.")
    return found


def roster_of(*, room: Room) -> list[RosterEntry]:
    return list(RosterEntry.objects.filter(room=room))


def roster_entry(*, room: Room, entry_id: int) -> RosterEntry:
    entry = RosterEntry.objects.filter(room=room, pk=entry_id).select_related("room").first()
    if entry is None:
        raise NotFound("No student with this id is on the roster.")
    return entry


def joined_entry_ids(*, entries: list[RosterEntry]) -> set[int]:
    """Which of these students have joined through their personal link at least once."""
    return set(RosterSession.objects.filter(entry__in=entries, guest__isnull=False).values_list("entry_id", flat=True))


def reminders_of(*, room: Room) -> QuerySet[Reminder]:
    return Reminder.objects.filter(scheduled__room=room).select_related("entry").order_by("-created_at", "-pk")


def reminder_counts(*, room: Room) -> dict[str, int]:
    """How the room's reminder e-mails went: queued, sent, failed."""
    rows = Reminder.objects.filter(scheduled__room=room).values("status").annotate(n=Count("pk"))
    found = {"queued": 0, "sent": 0, "failed": 0}
    found.update({row["status"]: row["n"] for row in rows})
    return found
