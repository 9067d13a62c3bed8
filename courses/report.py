"""Attendance against the roster: per lecture (present / late / left early / absent, with the time
present and the intervals) and per term (students × lectures, with totals)."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from courses.models import CourseSettings, RosterEntry, RosterSession, ScheduledLecture
from lectures.models import AttendanceInterval
from rooms.models import Lecture, Room


@dataclass
class Attendance:
    name: str
    roster_id: int | None
    status: str
    seconds_present: int
    intervals: list[tuple[datetime, datetime]] = field(default_factory=list)
    first_join: datetime | None = None


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """One student's overlapping stretches (two devices, a reconnect) counted once."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _bounds(lecture: Lecture) -> tuple[datetime, datetime]:
    """Against what times lateness and leaving early are judged: the schedule's, else the lecture's."""
    scheduled = ScheduledLecture.objects.filter(lecture=lecture).first()
    actual_end = lecture.ended_at or timezone.now()
    if scheduled is None:
        return lecture.started_at, actual_end
    return scheduled.starts_at, min(scheduled.ends_at, actual_end)


def _status(merged: list[tuple[datetime, datetime]], *, start: datetime, end: datetime, slack: timedelta) -> str:
    if not merged:
        return "absent"
    if merged[0][0] > start + slack:
        return "late"
    if merged[-1][1] < end - slack:
        return "left_early"
    return "present"


@dataclass(frozen=True)
class _Course:
    """What every lecture of a room is judged with: read once for a whole term."""

    slack: timedelta
    roster_of: dict[int, int]  # guest session -> roster entry
    entries: list[RosterEntry]


def _course(room_id: int) -> _Course:
    settings_row = CourseSettings.objects.filter(room_id=room_id).first()
    sessions = RosterSession.objects.filter(entry__room_id=room_id, guest__isnull=False)
    return _Course(
        slack=timedelta(minutes=settings_row.late_minutes if settings_row else 5),
        roster_of=dict(sessions.values_list("guest_id", "entry_id")),
        entries=list(RosterEntry.objects.filter(room_id=room_id)),
    )


def lecture_attendance(*, lecture: Lecture, course: _Course | None = None) -> list[Attendance]:
    """Each roster student (absent ones too), then anonymous guests apart, in one list."""
    course = course or _course(lecture.room_id)
    slack, roster_of = course.slack, course.roster_of
    start, end = _bounds(lecture)
    now = lecture.ended_at or timezone.now()
    by_entry: dict[int, list[tuple[datetime, datetime]]] = {}
    by_guest: dict[int | str, tuple[str, list[tuple[datetime, datetime]]]] = {}
    intervals = AttendanceInterval.objects.filter(lecture=lecture, role="guest").values_list(
        "guest_id", "identity", "display_name", "joined_at", "left_at"
    )
    for guest_id, identity, display_name, joined_at, left_at in intervals:
        span = (joined_at, left_at or now)
        entry_id = roster_of.get(guest_id) if guest_id else None
        if entry_id is not None:
            by_entry.setdefault(entry_id, []).append(span)
        else:
            key: int | str = guest_id or identity
            by_guest.setdefault(key, (display_name, []))[1].append(span)

    rows: list[Attendance] = []
    for entry in course.entries:
        merged = _merge(by_entry.get(entry.pk, []))
        rows.append(_row(entry.name, entry.pk, merged, start=start, end=end, slack=slack))
    for name, spans in sorted(by_guest.values(), key=lambda item: item[0].casefold()):
        rows.append(_row(name, None, _merge(spans), start=start, end=end, slack=slack))
    return rows


def _row(
    name: str,
    roster_id: int | None,
    merged: list[tuple[datetime, datetime]],
    *,
    start: datetime,
    end: datetime,
    slack: timedelta,
) -> Attendance:
    return Attendance(
        name=name,
        roster_id=roster_id,
        status=_status(merged, start=start, end=end, slack=slack),
        seconds_present=int(sum((b - a).total_seconds() for a, b in merged)),
        intervals=merged,
        first_join=merged[0][0] if merged else None,
    )


def term_csv(*, room: Room) -> str:
    """Students × lectures of the term: each cell the student's status, then totals and the share attended."""
    lectures = list(Lecture.objects.filter(room=room, status=Lecture.Status.ENDED).order_by("started_at"))
    course = _course(room.pk)
    entries = course.entries
    statuses: dict[tuple[int, int], str] = {}
    for lecture in lectures:
        for row in lecture_attendance(lecture=lecture, course=course):
            if row.roster_id is not None:
                statuses[(row.roster_id, lecture.pk)] = row.status
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["name", "student_id", "email"]
        + [f"{lecture.started_at:%Y-%m-%d %H:%M} {lecture.title}" for lecture in lectures]
        + ["attended", "late", "absent", "attended_percent"]
    )
    for entry in entries:
        cells = [statuses.get((entry.pk, lecture.pk), "absent") for lecture in lectures]
        attended = sum(1 for c in cells if c != "absent")
        percent = round(100 * attended / len(lectures)) if lectures else 0
        writer.writerow(
            [
                _safe(entry.name),
                _safe(entry.student_id),
                _safe(entry.email),
                *cells,
                attended,
                cells.count("late"),
                cells.count("absent"),
                percent,
            ]
        )
    return out.getvalue()


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def own_attendance(*, lecture: Lecture, entry_id: int) -> Attendance | None:
    """One roster student's row of the lecture's attendance."""
    return next((row for row in lecture_attendance(lecture=lecture) if row.roster_id == entry_id), None)
