"""Lectures JSON API (`/api/v1/lectures…`) and the room's shared files (`/api/v1/rooms/{code}/files`)."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StringConstraints

from lectures import selectors, services
from lectures.access import get_lecture_for_viewer, get_live_participant, lectures_visible_to
from lectures.models import Lecture
from rooms.exceptions import RoomError

router = Router(tags=["lectures"])
room_files_router = Router(tags=["files"])


class ErrorOut(Schema):
    detail: str


class LectureOut(Schema):
    id: int
    room: str = Field(description="the room's invite code")
    title: str
    started_at: datetime
    ended_at: datetime | None
    status: str


class LectureDetailOut(LectureOut):
    summary: dict[str, Any] | None = Field(description="see lectures/summary_schema.py; null until summarised")


class SegmentOut(Schema):
    speaker: str
    start: float = Field(description="seconds from the lecture's start")
    end: float
    text: str


class TranscriptQuery(Schema):
    q: Annotated[str, StringConstraints(max_length=200)] = Field(
        "", description='web-style search: words, "a phrase", -excluded; empty = the whole transcript'
    )


class FileIn(Schema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    size: int = Field(ge=0, description="bytes; the upload link is bound to it")
    content_type: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class UploadOut(Schema):
    id: int
    upload_url: str
    method: str
    headers: dict[str, str]


class FileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    uploader_name: str
    created_at: datetime
    download_url: str


def _raise(exc: RoomError) -> HttpError:
    return HttpError(exc.status, exc.detail)


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
    try:
        lectures = lectures_visible_to(request, room)
    except RoomError as exc:
        raise _raise(exc) from exc
    return [_lecture_out(lecture) for lecture in lectures]


@router.get("/{int:lecture_id}", response={200: LectureDetailOut, 404: ErrorOut})
def read_lecture(request: HttpRequest, lecture_id: int) -> dict[str, Any]:
    """One lecture with its structured summary."""
    try:
        lecture, _ = get_lecture_for_viewer(request, lecture_id)
    except RoomError as exc:
        raise _raise(exc) from exc
    return {**_lecture_out(lecture), "summary": lecture.summary}


@router.get("/{int:lecture_id}/transcript", response={200: list[SegmentOut], 400: ErrorOut, 404: ErrorOut})
def read_transcript(request: HttpRequest, lecture_id: int, filters: Query[TranscriptQuery]) -> list[dict[str, Any]]:
    """The transcript, or with `q` the matching segments, best match first."""
    try:
        lecture, _ = get_lecture_for_viewer(request, lecture_id)
    except RoomError as exc:
        raise _raise(exc) from exc
    if filters.q.strip():
        rows = selectors.search_segments(lecture=lecture, query=filters.q)
    else:
        rows = selectors.transcript(lecture=lecture)
    return [{"speaker": r.speaker, "start": r.start, "end": r.end, "text": r.text} for r in rows]


@room_files_router.post(
    "/{code}/files",
    response={201: UploadOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut},
)
def start_upload(request: HttpRequest, code: str, payload: FileIn) -> Status:
    """Announce a file; PUT its bytes to `upload_url` with `method` and `headers` within five minutes."""
    try:
        room, lecture, participant = get_live_participant(request, code)
        started = services.start_file_upload(
            room=room,
            lecture=lecture,
            participant=participant,
            name=payload.name,
            size=payload.size,
            content_type=payload.content_type,
            request_base=request.build_absolute_uri("/"),
        )
    except RoomError as exc:
        raise _raise(exc) from exc
    ticket = started.ticket
    return Status(
        201, {"id": started.file.pk, "upload_url": ticket.url, "method": ticket.method, "headers": ticket.headers}
    )


@room_files_router.get("/{code}/files", response={200: list[FileOut], 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def list_files(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The files shared in the room's current lecture, oldest first."""
    try:
        _, lecture, _ = get_live_participant(request, code)
    except RoomError as exc:
        raise _raise(exc) from exc
    services.confirm_uploads(lecture=lecture)
    return [
        {
            "id": f.pk,
            "name": f.name,
            "size": f.size,
            "content_type": f.content_type,
            "uploader_name": f.uploader,
            "created_at": f.created_at,
            "download_url": reverse("lectures:file_download", kwargs={"file_id": f.pk}),
        }
        for f in selectors.shared_files(lecture=lecture)
    ]
