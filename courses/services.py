"""Every change to a course: schedule, cancel, the roster, joining by a personal link, lectures
starting and ending, reminders. Each is atomic; e-mails go out from the task worker on commit."""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.exceptions import Conflict, LecternError, NotFound
from courses import schedule
from courses.models import (
    CourseSettings,
    HostCalendar,
    Reminder,
    RosterEntry,
    RosterSession,
    ScheduledLecture,
    new_secret,
)
from courses.tasks import plan_missed_checks, plan_reminders, send_invite, send_reminders, send_time_change
from lobby import services as lobby_services
from lobby.services import KnockResult
from participants.models import GuestSession
from rooms.models import Lecture, Room

# Opening the room this long before a scheduled start (or any time until its end) starts that lecture.
EARLY_OPENING = timedelta(minutes=30)
MAX_ROSTER_BATCH = 1000
MOVE_AT_MOST = timedelta(days=2 * 366)  # lectures start within two years (and dates stay computable)


def course_settings(*, room: Room) -> CourseSettings:
    """The room's course settings, made with the defaults the first time they are needed."""
    found, _ = CourseSettings.objects.get_or_create(room=room)
    return found


@transaction.atomic
def update_course_settings(*, room: Room, changes: dict[str, Any]) -> CourseSettings:
    """Change the room's home time zone, late threshold or reminder switch."""
    found = CourseSettings.objects.select_for_update().get(pk=course_settings(room=room).pk)
    if "timezone" in changes:
        schedule.zone(changes["timezone"])
    for name, value in changes.items():
        setattr(found, name, value)
    found.save()
    return found


@transaction.atomic
def revoke_calendar(*, room: Room) -> CourseSettings:
    """A new secret for the room's calendar feed: the old URL stops working."""
    found = CourseSettings.objects.select_for_update().get(pk=course_settings(room=room).pk)
    found.calendar_token = new_secret()
    found.save(update_fields=["calendar_token"])
    return found


@transaction.atomic
def host_calendar(*, user: User, renew: bool = False) -> HostCalendar:
    """The host's own feed of all their rooms; `renew` replaces its secret (the old URL stops working)."""
    found, created = HostCalendar.objects.select_for_update().get_or_create(user=user)
    if renew and not created:
        found.token = new_secret()
        found.save(update_fields=["token"])
    return found


@transaction.atomic
def schedule_lectures(
    *,
    room: Room,
    starts_at: datetime,
    duration_minutes: int,
    timezone_name: str | None = None,
    title: str = "",
    description: str = "",
    weekdays: list[str] | None = None,
    until: date | None = None,
    skip: frozenset[date] = frozenset(),
) -> list[ScheduledLecture]:
    """Schedule one lecture, or a weekly series in the room's home time zone (one row per occurrence)."""
    tz = schedule.zone(timezone_name or course_settings(room=room).home_timezone)
    if starts_at.tzinfo is None:
        raise LecternError("starts_at: give the time with its UTC offset (ISO 8601, e.g. 2026-09-01T09:00:00+02:00).")
    if starts_at < timezone.now():
        raise LecternError("starts_at is in the past.")
    if starts_at > timezone.now() + MOVE_AT_MOST:
        raise LecternError("starts_at is more than two years ahead.")
    found = schedule.occurrences(
        starts_at=starts_at,
        duration=timedelta(minutes=duration_minutes),
        tz=tz,
        weekdays=weekdays,
        until=until,
        skip=skip,
    )
    series = uuid.uuid4() if len(found) > 1 else None
    rows = ScheduledLecture.objects.bulk_create(
        ScheduledLecture(
            room=room,
            series=series,
            starts_at=o.starts_at,
            ends_at=o.ends_at,
            title=title,
            description=description,
        )
        for o in found
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: plan_reminders(scheduled_ids=ids))
    transaction.on_commit(lambda: plan_missed_checks(scheduled_ids=ids))
    return rows


@transaction.atomic
def edit_scheduled_lecture(
    *,
    scheduled: ScheduledLecture,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    title: str | None = None,
    description: str | None = None,
) -> ScheduledLecture:
    """Move, lengthen or retitle a lecture still to come: calendars get a new SEQUENCE, reminders follow,
    and a new time is e-mailed to the roster."""
    scheduled = ScheduledLecture.objects.select_for_update().select_related("room").get(pk=scheduled.pk)
    now = timezone.now()
    if scheduled.status != ScheduledLecture.Status.SCHEDULED or scheduled.ends_at <= now:
        shown = scheduled.status if scheduled.ends_at > now else "over"
        raise Conflict(f"This lecture is {shown}: only a lecture still to come can be edited.")
    changed: list[str] = []
    if starts_at is not None or duration_minutes is not None:
        if starts_at is not None and starts_at.tzinfo is None:
            raise LecternError("starts_at: give the time with its UTC offset (ISO 8601).")
        if starts_at is not None and starts_at.replace(second=0, microsecond=0) == scheduled.starts_at.replace(
            second=0, microsecond=0
        ):
            starts_at = None  # the form sends the start back to the minute: unchanged, even once it has begun
        if starts_at is not None and starts_at < now:
            raise LecternError("starts_at is in the past.")
        if starts_at is not None and starts_at > now + MOVE_AT_MOST:
            raise LecternError("starts_at is more than two years ahead.")
        start = starts_at or scheduled.starts_at
        length = timedelta(minutes=duration_minutes) if duration_minutes else scheduled.ends_at - scheduled.starts_at
        was = scheduled.starts_at
        if (start, start + length) != (scheduled.starts_at, scheduled.ends_at):
            scheduled.starts_at, scheduled.ends_at = start, start + length
            changed += ["starts_at", "ends_at"]
    for name, value in (("title", title), ("description", description)):
        if value is not None and value != getattr(scheduled, name):
            setattr(scheduled, name, value)
            changed.append(name)
    if not changed:
        return scheduled
    scheduled.sequence += 1
    scheduled.save(update_fields=[*changed, "sequence"])
    if "starts_at" in changed:
        ids = [scheduled.pk]
        notice = (scheduled.pk, scheduled.sequence, was.isoformat())
        if scheduled.starts_at != was:  # a new length alone leaves the reminders' times as they are
            transaction.on_commit(lambda: plan_reminders(scheduled_ids=ids))
        transaction.on_commit(lambda: plan_missed_checks(scheduled_ids=ids))
        transaction.on_commit(lambda: send_time_change.enqueue(*notice))  # the roster hears of it at once
    return scheduled


def get_scheduled(*, scheduled_id: int) -> ScheduledLecture:
    try:
        return ScheduledLecture.objects.select_related("room", "room__host").get(pk=scheduled_id)
    except ScheduledLecture.DoesNotExist:
        raise NotFound("No scheduled lecture has this id.") from None


@transaction.atomic
def cancel_lecture(*, scheduled: ScheduledLecture, reason: str) -> ScheduledLecture:
    """Cancel a scheduled lecture with the reason students see; the roster is told by e-mail."""
    scheduled = ScheduledLecture.objects.select_for_update().get(pk=scheduled.pk)
    if scheduled.status == ScheduledLecture.Status.CANCELLED:
        raise Conflict("This lecture is already cancelled.")
    if scheduled.status != ScheduledLecture.Status.SCHEDULED:
        raise Conflict(f"This lecture is {scheduled.status}: only a lecture still to come can be cancelled.")
    scheduled.status = ScheduledLecture.Status.CANCELLED
    scheduled.cancel_reason = reason
    scheduled.sequence += 1
    scheduled.save(update_fields=["status", "cancel_reason", "sequence"])
    scheduled_id = scheduled.pk
    transaction.on_commit(lambda: send_reminders.enqueue(scheduled_id, Reminder.Kind.CANCELLED))
    return scheduled


def start_scheduled_lecture(*, lecture: Lecture) -> ScheduledLecture | None:
    """A lecture opened: if the room has a lecture scheduled near now, that one is now live."""
    now = lecture.started_at
    scheduled = (
        ScheduledLecture.objects.select_for_update()
        .of_room(lecture.room_id)
        .waiting()
        .filter(starts_at__lte=now + EARLY_OPENING, ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    if scheduled is None:
        return None  # an ad-hoc lecture
    scheduled.status = ScheduledLecture.Status.LIVE
    scheduled.lecture = lecture
    scheduled.save(update_fields=["status", "lecture"])
    if scheduled.title:
        lecture.title = scheduled.title
        lecture.save(update_fields=["title"])
    return scheduled


def complete_scheduled_lecture(*, lecture: Lecture) -> int:
    """The lecture ended: its scheduled lecture (if any) is completed."""
    return ScheduledLecture.objects.filter(lecture=lecture, status=ScheduledLecture.Status.LIVE).update(
        status=ScheduledLecture.Status.COMPLETED
    )


def forget_lecture(*, lecture: Lecture) -> int:
    """A lecture that never started (the video server refused) is removed: its schedule waits again."""
    return ScheduledLecture.objects.filter(lecture=lecture, status=ScheduledLecture.Status.LIVE).update(
        status=ScheduledLecture.Status.SCHEDULED
    )


@transaction.atomic
def add_students(*, room: Room, students: list[dict[str, str]]) -> list[RosterEntry]:
    """Add students to the roster (or update the name and student id of those already on it by
    e-mail); each new one is e-mailed a personal invite link from the task worker."""
    if len(students) > MAX_ROSTER_BATCH:
        raise LecternError(f"Send at most {MAX_ROSTER_BATCH} students at a time.")
    existing = {e.email.casefold(): e for e in RosterEntry.objects.select_for_update().filter(room=room)}
    new: list[RosterEntry] = []
    seen: set[str] = set()
    for student in students:
        key = student["email"].casefold()
        if key in seen:
            raise LecternError(f"{student['email']} appears twice in the list.")
        seen.add(key)
        entry = existing.get(key)
        if entry is None:
            new.append(
                RosterEntry(
                    room=room, name=student["name"], email=student["email"], student_id=student.get("student_id") or ""
                )
            )
        else:
            entry.name = student["name"]
            entry.student_id = student.get("student_id") or entry.student_id
            entry.save(update_fields=["name", "student_id"])
    created = RosterEntry.objects.bulk_create(new)
    for entry in created:
        entry_id = entry.pk
        transaction.on_commit(lambda entry_id=entry_id: send_invite.enqueue(entry_id))  # type: ignore[misc]
    return list(RosterEntry.objects.filter(room=room))


@transaction.atomic
def renew_invite(*, entry: RosterEntry) -> RosterEntry:
    """Revoke a student's personal link and e-mail a new one."""
    entry.invite_token = new_secret()
    entry.save(update_fields=["invite_token"])
    entry_id = entry.pk
    transaction.on_commit(lambda: send_invite.enqueue(entry_id))
    return entry


def roster_entry_for_token(*, room: Room, token: str) -> RosterEntry:
    entry = RosterEntry.objects.filter(room=room, invite_token=token).first() if token else None
    if entry is None:
        raise NotFound("This personal link is not valid (any more): ask your professor for a new one.")
    return entry


def join_as_student(
    *,
    room: Room,
    token: str,
    fingerprint: str,
    pin: str | None,
    transcribe_me: bool,
    ip: str,
    existing_guest: GuestSession | None,
) -> KnockResult:
    """Knock through a personal link: the name is the roster's, and the guest session is tied to the
    entry. The PIN, bans and the lobby apply as to anyone. Not atomic as a whole: knock() keeps a
    failed PIN counted although the knock fails."""
    entry = roster_entry_for_token(room=room, token=token)
    result = lobby_services.knock(
        room=room,
        display_name=entry.name,
        fingerprint=fingerprint,
        pin=pin,
        transcribe_me=transcribe_me,
        ip=ip,
        existing_guest=existing_guest,
    )
    RosterSession.objects.update_or_create(guest=result.guest, defaults={"entry": entry})
    return result


def roster_entry_for_opt_out(*, token: str) -> RosterEntry:
    entry = RosterEntry.objects.select_related("room").filter(opt_out_token=token).first() if token else None
    if entry is None:
        raise NotFound("This link is not valid.")
    return entry


def opt_out(*, token: str) -> RosterEntry:
    """One click: this student gets no more e-mail from this room."""
    entry = roster_entry_for_opt_out(token=token)
    if not entry.email_opt_out:
        entry.email_opt_out = True
        entry.save(update_fields=["email_opt_out"])
    return entry
