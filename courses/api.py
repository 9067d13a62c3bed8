"""The course JSON API: schedule, cancel, calendar, roster, joining by a personal link, attendance.

Mounted twice: `room_router` under /rooms, `router` under /lectures."""

import csv
import io
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints
from pydantic import ValidationError as PydanticValidationError

from core import text
from core.exceptions import LecternError, NotAllowed, NotFound
from core.net import client_ip
from core.ratelimit import refuse_unknown_code
from courses import interaction, report, selectors, services
from courses.access import (
    REPORT_NOT_FOUND,
    get_lecture_for_reports,
    get_own_attendance_entry,
    get_room_for_reports,
    get_scheduled_for_moderator,
)
from courses.models import CourseSettings, Poll, RosterEntry, ScheduledLecture
from participants.access import Actor, get_moderator, get_participant
from participants.guests import get_guest, remember_guest
from rooms.access import get_room
from rooms.api import request_user

room_router = Router(tags=["course"])
calendar_router = Router(tags=["course"])
router = Router(tags=["course"])

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TimeZoneName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class ErrorOut(Schema):
    detail: str


class RepeatIn(Schema):
    weekdays: list[Weekday] = Field(..., min_length=1, max_length=7)
    until: date
    skip: list[date] = Field(default_factory=list, max_length=200, description="dates without a lecture")


class ScheduleIn(Schema):
    starts_at: datetime = Field(..., description="ISO 8601 with its UTC offset")
    duration_minutes: int = Field(..., ge=5, le=600)
    timezone: TimeZoneName | None = Field(None, description="IANA name; default: the room's home time zone")
    title: text.Title | None = None
    description: text.Description | None = None
    repeat: RepeatIn | None = None


class ScheduledOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    title: str
    status: str


class ScheduledDetailOut(ScheduledOut):
    description: str
    cancel_reason: str
    lecture: int | None = Field(description="the Lecture it became, once opened")
    ics_url: str


class ScheduleEditIn(Schema):
    starts_at: datetime | None = Field(None, description="ISO 8601 with its UTC offset")
    duration_minutes: int | None = Field(None, ge=5, le=600)
    title: text.Title | None = Field(None, description="empty: the room's title")
    description: text.Description | None = None


class CancelIn(Schema):
    reason: text.Message


class CalendarOut(Schema):
    ics_url: str


class CourseSettingsIn(Schema):
    timezone: TimeZoneName | None = None
    late_minutes: int | None = Field(None, ge=0, le=120)
    reminders: bool | None = None
    students_see_attendance: bool | None = None


class CourseSettingsOut(Schema):
    timezone: str
    late_minutes: int
    reminders: bool
    students_see_attendance: bool


class StudentIn(Schema):
    name: text.DisplayName
    email: text.EmailAddress
    student_id: text.Reference | None = None


class StudentOut(Schema):
    id: int
    name: str
    email: str
    student_id: str
    email_opt_out: bool
    invited_at: datetime | None
    joined: bool


class PersonalJoinIn(Schema):
    token: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
    fingerprint: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,128}$")]
    pin: Annotated[str, StringConstraints(max_length=12)] | None = None
    transcribe_me: bool = True


class JoinOut(Schema):
    session_id: str
    status: str
    display_name: str
    livekit_url: str | None = None
    token: str | None = None
    identity: str | None = None


class AttendanceOut(Schema):
    name: str
    roster_id: int | None = None
    status: Literal["present", "late", "left_early", "absent"]
    seconds_present: int
    intervals: list[tuple[datetime, datetime]]


class ReminderOut(Schema):
    scheduled: int
    email: str
    kind: str
    status: str
    reason: str
    sent_at: datetime | None


def _ics_url(token: str, scheduled: ScheduledLecture | None = None) -> str:
    if scheduled is None:
        return settings.SITE_URL + reverse("courses:feed", kwargs={"feed_token": token})
    return settings.SITE_URL + reverse("courses:event", kwargs={"feed_token": token, "event_uid": scheduled.uid})


def _scheduled_out(scheduled: ScheduledLecture) -> dict[str, Any]:
    return {
        "id": scheduled.pk,
        "starts_at": scheduled.starts_at,
        "ends_at": scheduled.ends_at,
        "title": scheduled.display_title,
        "status": scheduled.status,
    }


def _settings_out(found: CourseSettings) -> CourseSettingsOut:
    return CourseSettingsOut(
        timezone=found.home_timezone,
        late_minutes=found.late_minutes,
        reminders=found.reminders,
        students_see_attendance=found.students_see_attendance,
    )


@room_router.post(
    "/{code}/schedule", response={201: list[ScheduledOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def schedule_lectures(request: HttpRequest, code: str, payload: ScheduleIn) -> Status:
    """Schedule one lecture, or weekly ones until a date (one row per occurrence, at most 200)."""
    room, _ = get_moderator(request, code)
    rows = services.schedule_lectures(
        room=room,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        timezone_name=payload.timezone,
        title=payload.title or "",
        description=payload.description or "",
        weekdays=list(payload.repeat.weekdays) if payload.repeat else None,
        until=payload.repeat.until if payload.repeat else None,
        skip=frozenset(payload.repeat.skip) if payload.repeat else frozenset(),
    )
    for row in rows:
        row.room = room
    return Status(201, [_scheduled_out(row) for row in rows])


@room_router.get(
    "/{code}/schedule", response={200: list[ScheduledDetailOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def list_schedule(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """Every scheduled lecture of the room, past and upcoming, in time order, with its status."""
    room, _ = get_moderator(request, code)
    token = services.course_settings(room=room).calendar_token
    return [_scheduled_detail_out(s, token) for s in selectors.schedule_of(room=room)]


def _scheduled_detail_out(scheduled: ScheduledLecture, token: str) -> dict[str, Any]:
    return {
        **_scheduled_out(scheduled),
        "description": scheduled.description,
        "cancel_reason": scheduled.cancel_reason,
        "lecture": scheduled.lecture_id,
        "ics_url": _ics_url(token, scheduled),
    }


@room_router.patch(
    "/{code}/schedule/{int:scheduled_id}",
    response={200: ScheduledDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def edit_scheduled_lecture(
    request: HttpRequest, code: str, scheduled_id: int, payload: ScheduleEditIn
) -> dict[str, Any]:
    """Change a lecture still to come: its start, duration, title or description (only the fields given)."""
    room, _ = get_moderator(request, code)
    scheduled = selectors.scheduled_of(room=room, scheduled_id=scheduled_id)
    scheduled = services.edit_scheduled_lecture(
        scheduled=scheduled,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        title=payload.title,
        description=payload.description,
    )
    return _scheduled_detail_out(scheduled, services.course_settings(room=room).calendar_token)


@router.post(
    "/{int:scheduled_id}/cancel",
    response={200: ScheduledOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def cancel_lecture(request: HttpRequest, scheduled_id: int, payload: CancelIn) -> dict[str, Any]:
    """Cancel a scheduled lecture (its id from the schedule) with a reason students see."""
    scheduled = get_scheduled_for_moderator(request, scheduled_id)
    return _scheduled_out(services.cancel_lecture(scheduled=scheduled, reason=payload.reason))


@room_router.get("/{code}/calendar", response={200: CalendarOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def read_calendar(request: HttpRequest, code: str) -> CalendarOut:
    """The room's secret iCalendar feed URL (share it with the students)."""
    room, _ = get_moderator(request, code)
    return CalendarOut(ics_url=_ics_url(services.course_settings(room=room).calendar_token))


@room_router.post("/{code}/calendar/revoke", response={200: CalendarOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def revoke_calendar(request: HttpRequest, code: str) -> CalendarOut:
    """A new secret feed URL; the old one answers 404 from now on."""
    room, _ = get_moderator(request, code)
    return CalendarOut(ics_url=_ics_url(services.revoke_calendar(room=room).calendar_token))


@room_router.get("/{code}/course", response={200: CourseSettingsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def read_course_settings(request: HttpRequest, code: str) -> CourseSettingsOut:
    """The room's home time zone, late threshold (minutes) and reminder switch."""
    room, _ = get_moderator(request, code)
    return _settings_out(services.course_settings(room=room))


@room_router.patch(
    "/{code}/course", response={200: CourseSettingsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def update_course_settings(request: HttpRequest, code: str, payload: CourseSettingsIn) -> CourseSettingsOut:
    room, _ = get_moderator(request, code)
    return _settings_out(services.update_course_settings(room=room, changes=payload.model_dump(exclude_none=True)))


def _roster_out(entries: list[RosterEntry]) -> list[dict[str, Any]]:
    joined = selectors.joined_entry_ids(entries=entries)
    return [
        {
            "id": e.pk,
            "name": e.name,
            "email": e.email,
            "student_id": e.student_id,
            "email_opt_out": e.email_opt_out,
            "invited_at": e.invited_at,
            "joined": e.pk in joined,
        }
        for e in entries
    ]


@room_router.post(
    "/{code}/roster", response={200: list[StudentOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def add_students(request: HttpRequest, code: str, payload: list[StudentIn]) -> list[dict[str, Any]]:
    """Add students (by e-mail; known ones are updated); each new one is e-mailed a personal link."""
    room, _ = get_moderator(request, code)
    students = [s.model_dump() for s in payload]
    return _roster_out(services.add_students(room=room, students=students))


MAX_CSV_BYTES = 1_000_000


@room_router.post(
    "/{code}/roster.csv", response={200: list[StudentOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def upload_roster(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The roster as CSV (the body, UTF-8; a header row naming name, email and optionally student_id)."""
    room, _ = get_moderator(request, code)
    if len(request.body) > MAX_CSV_BYTES:
        raise LecternError("The CSV is too large (at most 1 MB).")
    try:
        content = request.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LecternError("The CSV must be UTF-8 text.") from None
    rows = list(csv.DictReader(io.StringIO(content)))
    students = []
    for line, row in enumerate(rows, start=2):
        fields = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            student = StudentIn(
                name=fields.get("name", ""), email=fields.get("email", ""), student_id=fields.get("student_id") or None
            )
        except PydanticValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise LecternError(f"line {line}: {problems}") from None
        students.append(student.model_dump())
    if not students:
        raise LecternError("The CSV holds no students: the first row names the columns (name, email, student_id).")
    return _roster_out(services.add_students(room=room, students=students))


@room_router.get("/{code}/roster", response={200: list[StudentOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def list_roster(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The roster (never the personal links: they go to each student's own e-mail only)."""
    room, _ = get_moderator(request, code)
    return _roster_out(selectors.roster_of(room=room))


@room_router.post(
    "/{code}/roster/{int:roster_id}/renew", response={200: StudentOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def renew_invite(request: HttpRequest, code: str, roster_id: int) -> dict[str, Any]:
    """Revoke the student's personal link and e-mail them a new one."""
    room, _ = get_moderator(request, code)
    entry = services.renew_invite(entry=selectors.roster_entry(room=room, entry_id=roster_id))
    return _roster_out([entry])[0]


@room_router.get("/{code}/reminders", response={200: list[ReminderOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def list_reminders(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """Every reminder e-mail of the room with its delivery status (queued, sent, failed + reason)."""
    room, _ = get_moderator(request, code)
    return [
        {
            "scheduled": r.scheduled_id,
            "email": r.entry.email,
            "kind": r.kind,
            "status": r.status,
            "reason": r.reason,
            "sent_at": r.sent_at,
        }
        for r in selectors.reminders_of(room=room)
    ]


@room_router.post(
    "/{code}/roster/join",
    response={200: JoinOut, 202: JoinOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
)
def join_as_student(request: HttpRequest, code: str, payload: PersonalJoinIn) -> HttpResponse:
    """Join through a personal link: like /join, with the name from the roster."""
    try:
        room = get_room(code)
    except NotFound:
        raise refuse_unknown_code(ip=client_ip(request)) from None
    result = services.join_as_student(
        room=room,
        token=payload.token,
        fingerprint=payload.fingerprint,
        pin=payload.pin,
        transcribe_me=payload.transcribe_me,
        ip=client_ip(request),
        existing_guest=get_guest(request, room),
    )
    body = JoinOut(
        session_id=str(result.guest.session_id), status=result.status, display_name=result.guest.display_name
    )
    if result.credentials is not None:
        body.livekit_url = result.credentials.livekit_url
        body.token = result.credentials.token
        body.identity = result.credentials.identity
    response = JsonResponse(body.model_dump(exclude_none=True), status=200 if result.status == "admitted" else 202)
    remember_guest(response, request, result.guest)
    return response


@router.get("/{int:lecture_id}/attendance", response={200: list[AttendanceOut], 404: ErrorOut})
def lecture_attendance(request: HttpRequest, lecture_id: int) -> list[dict[str, Any]]:
    """Each roster student's attendance of the lecture, then anonymous guests (no roster_id)."""
    lecture = get_lecture_for_reports(request, lecture_id)
    return [
        {
            "name": row.name,
            "roster_id": row.roster_id,
            "status": row.status,
            "seconds_present": row.seconds_present,
            "intervals": row.intervals,
        }
        for row in report.lecture_attendance(lecture=lecture)
    ]


@router.get("/{int:lecture_id}/attendance/me", response={200: AttendanceOut, 404: ErrorOut})
def own_attendance(request: HttpRequest, lecture_id: int) -> dict[str, Any]:
    """A roster student's own attendance of a lecture, when the host allows it (404 otherwise)."""
    lecture, entry_id = get_own_attendance_entry(request, lecture_id)
    row = report.own_attendance(lecture=lecture, entry_id=entry_id)
    if row is None:
        raise NotFound(REPORT_NOT_FOUND)
    return {
        "name": row.name,
        "roster_id": row.roster_id,
        "status": row.status,
        "seconds_present": row.seconds_present,
        "intervals": row.intervals,
    }


@room_router.get("/{code}/attendance.csv", response={200: None, 401: ErrorOut, 404: ErrorOut})
def term_report(request: HttpRequest, code: str) -> HttpResponse:
    """The term's students × lectures matrix as CSV (UTF-8 with BOM: spreadsheets open it as is)."""
    room = get_room_for_reports(request, code)
    response = HttpResponse("\ufeff" + report.term_csv(room=room), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendance-{room.code}.csv"'
    return response


class PollIn(Schema):
    question: text.Title
    options: list[text.Title] = Field(..., min_length=2, max_length=8)
    multiple: bool = False
    anonymous: bool = False
    duration_seconds: int | None = Field(None, ge=10, le=3600, description="a timer; empty: until closed")


class PollOut(Schema):
    id: int
    question: str
    options: list[str]
    multiple: bool
    anonymous: bool
    closed: bool
    closes_at: datetime | None
    results_shown: bool
    counts: list[int] | None = Field(None, description="hosts always; students once the results are shown")
    votes: int | None = Field(None, description="how many students answered")
    ballots: list[dict[str, Any]] | None = Field(None, description="named polls, for the hosts")
    my_choices: list[int] | None = None


class VoteIn(Schema):
    choices: list[int] = Field(..., min_length=1, max_length=8)


class ShowResultsIn(Schema):
    shown: bool


class ReactionIn(Schema):
    kind: Literal["thumbs_up", "clap", "heart", "laugh", "surprised", "lost", "slow_down"]


class AcceptedOut(Schema):
    status: str


POLL_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _poll_out(poll: Poll, *, actor: Actor) -> dict[str, Any]:
    for_hosts = actor.role in ("host", "cohost", "admin")
    if for_hosts or poll.results_shown:
        result = interaction.results(poll=poll)
    else:  # a student before the results are shown: nothing to count (each vote answers this)
        result = interaction.Results(poll=poll, counts=[], votes=0, ballots=None)
    body = interaction.poll_payload(result, for_hosts=for_hosts)
    body["my_choices"] = interaction.my_choices(poll=poll, guest=actor.guest)
    return body


@room_router.post("/{code}/polls", response={201: PollOut, **POLL_ERRORS})
def ask_poll(request: HttpRequest, code: str, payload: PollIn) -> Status:
    """The host or a co-host asks the live lecture a question (2–8 options)."""
    room, actor = get_moderator(request, code)
    poll = interaction.ask_poll(
        room=room,
        by=actor,
        question=payload.question,
        options=list(payload.options),
        multiple=payload.multiple,
        anonymous=payload.anonymous,
        duration_seconds=payload.duration_seconds,
    )
    return Status(201, _poll_out(poll, actor=actor))


@room_router.get("/{code}/polls", response={200: list[PollOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def list_polls(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The current lecture's polls (results only where the caller may see them)."""
    room, actor = get_participant(request, code)
    lecture = room.current_lecture()
    polls = Poll.objects.filter(lecture=lecture) if lecture else Poll.objects.none()
    return [_poll_out(p, actor=actor) for p in polls]


@room_router.get("/{code}/polls/{int:poll_id}", response={200: PollOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def read_poll(request: HttpRequest, code: str, poll_id: int) -> dict[str, Any]:
    """One poll: hosts always see the results, students once the host shows them."""
    room, actor = get_participant(request, code)
    poll = interaction.get_poll(room=room, poll_id=poll_id)
    if actor.role not in ("host", "cohost", "admin") and not poll.results_shown:
        raise NotAllowed("The host has not shown this poll's results.")
    return _poll_out(poll, actor=actor)


@room_router.post("/{code}/polls/{int:poll_id}/vote", response={200: PollOut, **POLL_ERRORS, 429: ErrorOut})
def vote(request: HttpRequest, code: str, poll_id: int, payload: VoteIn) -> dict[str, Any]:
    """A student's answer (the voter is the session); voting again changes it until the poll closes
    (at most 5 times in 10 seconds: 429 with Retry-After past that)."""
    room, actor = get_participant(request, code)
    if actor.guest is None:
        raise NotAllowed("Only students vote.")
    poll = interaction.get_poll(room=room, poll_id=poll_id)
    interaction.vote(room=room, guest=actor.guest, poll=poll, choices=list(payload.choices))
    return _poll_out(poll, actor=actor)


@room_router.post("/{code}/polls/{int:poll_id}/close", response={200: PollOut, **POLL_ERRORS})
def close_poll(request: HttpRequest, code: str, poll_id: int) -> dict[str, Any]:
    room, actor = get_moderator(request, code)
    poll = interaction.close_poll(poll=interaction.get_poll(room=room, poll_id=poll_id))
    return _poll_out(poll, actor=actor)


@room_router.post("/{code}/polls/{int:poll_id}/results", response={200: PollOut, **POLL_ERRORS})
def show_results(request: HttpRequest, code: str, poll_id: int, payload: ShowResultsIn) -> dict[str, Any]:
    """Show (or hide again) the results to the students."""
    room, actor = get_moderator(request, code)
    poll = interaction.show_results(poll=interaction.get_poll(room=room, poll_id=poll_id), shown=payload.shown)
    return _poll_out(poll, actor=actor)


@room_router.post("/{code}/reactions", response={202: AcceptedOut, **POLL_ERRORS, 429: ErrorOut})
def react(request: HttpRequest, code: str, payload: ReactionIn) -> Status:
    """A reaction over the stage, or an "I'm lost" / "slow down" pulse for the hosts' gauge."""
    room, actor = get_participant(request, code)
    interaction.react(room=room, by=actor, kind=payload.kind)
    return Status(202, AcceptedOut(status="accepted"))


def _host_calendar_out(token: str) -> CalendarOut:
    return CalendarOut(ics_url=settings.SITE_URL + reverse("courses:host_feed", kwargs={"host_token": token}))


@calendar_router.get("", response={200: CalendarOut, 401: ErrorOut})
def read_host_calendar(request: HttpRequest) -> CalendarOut:
    """The caller's own secret feed: every lecture of every room they host."""
    return _host_calendar_out(services.host_calendar(user=request_user(request)).token)


@calendar_router.post("/revoke", response={200: CalendarOut, 401: ErrorOut})
def revoke_host_calendar(request: HttpRequest) -> CalendarOut:
    return _host_calendar_out(services.host_calendar(user=request_user(request), renew=True).token)
