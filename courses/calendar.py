"""iCalendar: a room's feed (students subscribe with its secret URL) and one lecture's .ics."""

from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar, Event

from courses.models import ScheduledLecture
from rooms.models import Room

STATUS = {
    ScheduledLecture.Status.SCHEDULED: "CONFIRMED",
    ScheduledLecture.Status.LIVE: "CONFIRMED",
    ScheduledLecture.Status.COMPLETED: "CONFIRMED",
    ScheduledLecture.Status.CANCELLED: "CANCELLED",
    ScheduledLecture.Status.MISSED: "CONFIRMED",  # it was planned; that nobody taught it is not the calendar's news
}


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "lectern"


def event_uid(scheduled: ScheduledLecture) -> str:
    """Stable across feeds and edits: calendars update the event instead of adding another."""
    return f"{scheduled.uid}@{_domain()}"


def _event(scheduled: ScheduledLecture, room: Room) -> Event:
    event = Event()
    event.add("uid", event_uid(scheduled))
    event.add("dtstamp", scheduled.created_at)
    event.add("dtstart", scheduled.starts_at)
    event.add("dtend", scheduled.ends_at)
    event.add("summary", scheduled.title or room.title)
    description = scheduled.description
    if scheduled.status == ScheduledLecture.Status.CANCELLED and scheduled.cancel_reason:
        description = f"Cancelled: {scheduled.cancel_reason}\n\n{description}".strip()
    if description:
        event.add("description", description)
    event.add("url", room.invite_url)
    event.add("location", room.invite_url)
    event.add("status", STATUS[ScheduledLecture.Status(scheduled.status)])
    event.add("sequence", scheduled.sequence)
    return event


def calendar_for(room: Room, lectures: Iterable[ScheduledLecture]) -> bytes:
    """A VCALENDAR with one VEVENT per scheduled lecture (cancelled ones with STATUS:CANCELLED)."""
    return _calendar(room.title, ((s, room) for s in lectures))


def host_calendar_for(name: str, lectures: Iterable[ScheduledLecture]) -> bytes:
    """Every room of a host in one feed (each lecture's `room` loaded)."""
    return _calendar(name, ((s, s.room) for s in lectures))


def _calendar(name: str, events: Iterable[tuple[ScheduledLecture, Room]]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Lectern//Course calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for scheduled, room in events:
        cal.add_component(_event(scheduled, room))
    return bytes(cal.to_ical())
