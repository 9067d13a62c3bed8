"""Lectures JSON API (`/api/v1/lectures…`), and the routes of one room that open, run and end its
lectures (`/api/v1/rooms/{code}`, `/token`, `/end`), mounted under `/rooms`."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from core import text
from lectures import life, selectors
from lectures.access import get_lecture_for_viewer, lectures_visible_to
from participants.access import get_room_for_host
from rooms import services as room_services
from rooms.access import get_room_for_owner
from rooms.api import ErrorOut, RoomOut, request_user, room_out
from rooms.models import Lecture

router = Router(tags=["lectures"])
room_router = Router(tags=["rooms"])


class LectureOut(Schema):
    id: int
    room: str = Field(description="the room's invite code")
    title: str
    started_at: datetime
    ended_at: datetime | None
    status: str


class LectureDetailOut(LectureOut):
    summary: dict[str, Any] | None = Field(description="see summaries/schema.py; null until summarised")


class SegmentOut(Schema):
    speaker: str
    start: float = Field(description="seconds from the lecture's start")
    end: float
    text: str


class TranscriptQuery(Schema):
    q: text.SearchText = Field(
        "", description='web-style search: words, "a phrase", -excluded; empty = the whole transcript'
    )


class CredentialsOut(Schema):
    livekit_url: str
    token: str
    identity: str


class EndOut(Schema):
    status: str
    lecture_id: int | None


class RoomSettingsIn(Schema):
    title: text.Title | None = None
    lobby: bool | None = None
    webinar: bool | None = None
    ai_assistant: bool | None = None
    student_chat: bool | None = None
    student_uploads: bool | None = None
    attendees_see_lecture: bool | None = None


class RoomSettingsOut(RoomOut):
    student_chat: bool
    student_uploads: bool
    attendees_see_lecture: bool
    locked: bool


def _lecture_out(lecture: Lecture) -> dict[str, Any]:
    return {
        "id": lecture.pk,
        "room": lecture.room.code,
        "title": lecture.title,
        "started_at": lecture.started_at,
        "ended_at": lecture.ended_at,
        "status": lecture.status,
    }


@router.get("", response={200: list[LectureOut], 400: ErrorOut, 404: ErrorOut})
def list_lectures(request: HttpRequest, room: str) -> list[dict[str, Any]]:
    """The lectures of a room the caller may see, newest first."""
    return [_lecture_out(lecture) for lecture in lectures_visible_to(request, room)]


@router.get("/{int:lecture_id}", response={200: LectureDetailOut, 404: ErrorOut})
def read_lecture(request: HttpRequest, lecture_id: int) -> dict[str, Any]:
    """One lecture with its structured summary."""
    lecture, _ = get_lecture_for_viewer(request, lecture_id)
    return {**_lecture_out(lecture), "summary": lecture.summary}


@router.get("/{int:lecture_id}/transcript", response={200: list[SegmentOut], 400: ErrorOut, 404: ErrorOut})
def read_transcript(request: HttpRequest, lecture_id: int, filters: Query[TranscriptQuery]) -> list[dict[str, Any]]:
    """The transcript, or with `q` the matching segments, best match first."""
    lecture, _ = get_lecture_for_viewer(request, lecture_id)
    if filters.q.strip():
        rows = selectors.search_segments(lecture=lecture, query=filters.q)
    else:
        rows = selectors.transcript(lecture=lecture)
    return [{"speaker": r.speaker, "start": r.start, "end": r.end, "text": r.text} for r in rows]


@room_router.get("/{code}", response={200: RoomOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def read_room(request: HttpRequest, code: str) -> RoomOut:
    """The host view of one room."""
    return room_out(get_room_for_host(request_user(request), code))


@room_router.patch(
    "/{code}", response={200: RoomSettingsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def update_room(request: HttpRequest, code: str, payload: RoomSettingsIn) -> RoomSettingsOut:
    """Change a room's settings (the room's own host only)."""
    room = get_room_for_owner(request_user(request), code)
    room = room_services.update_room_settings(room=room, changes=payload.model_dump(exclude_none=True))
    return RoomSettingsOut(
        **room_out(room).model_dump(),
        student_chat=room.student_chat,
        student_uploads=room.student_uploads,
        attendees_see_lecture=room.attendees_see_lecture,
        locked=room.locked,
    )


@room_router.post(
    "/{code}/token",
    response={200: CredentialsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut},
)
def host_token(request: HttpRequest, code: str) -> CredentialsOut:
    """A LiveKit token for the host or a co-host; the host's token opens the room."""
    user = request_user(request)
    credentials = life.issue_host_token(room=get_room_for_host(user, code), user=user)
    return CredentialsOut(livekit_url=credentials.livekit_url, token=credentials.token, identity=credentials.identity)


@room_router.post("/{code}/end", response={200: EndOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def end_room(request: HttpRequest, code: str) -> EndOut:
    """End the lecture for everyone; the room stays until its host opens it again."""
    lecture = life.end_lecture(room=get_room_for_owner(request_user(request), code))
    return EndOut(status="ended", lecture_id=lecture.pk if lecture else None)
