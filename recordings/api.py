"""Recordings JSON API: start/stop in a room, the room's indicator and defaults, list, read (with a
short-lived download URL), change access, delete."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from participants.access import get_moderator, get_participant
from recordings import selectors, services
from recordings.broadcasts import recording_payload
from recordings.downloads import download_path
from recordings.models import Recording

room_router = Router(tags=["recordings"])
router = Router(tags=["recordings"])

AccessName = Literal["hosts", "attendees", "signed_in", "public"]


class ErrorOut(Schema):
    detail: str


class RecordingActionIn(Schema):
    action: Literal["start", "stop"]


class RecordingRef(Schema):
    id: int
    status: str


class RecordingActionOut(Schema):
    recording: RecordingRef


class RecordingOut(Schema):
    id: int
    room: str
    lecture: int
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    duration: float | None
    size: int | None
    access: str


class RecordingDetailOut(RecordingOut):
    download_url: str | None
    error: str
    content_type: str


class RecordingAccessIn(Schema):
    access: AccessName


class RecordingSettingsIn(Schema):
    auto_record: bool | None = None
    default_access: AccessName | None = None


class RecordingSettingsOut(Schema):
    auto_record: bool
    default_access: str


class IndicatorOut(Schema):
    recording: dict[str, object] | None


def _out(recording: Recording) -> RecordingOut:
    return RecordingOut(
        id=recording.pk,
        room=recording.room.code,
        lecture=recording.lecture_id,
        status=recording.status,
        started_at=recording.started_at,
        ended_at=recording.ended_at,
        duration=recording.duration,
        size=recording.size,
        access=recording.access,
    )


def _detail(request: HttpRequest, recording: Recording) -> RecordingDetailOut:
    ready = recording.status == Recording.Status.READY
    return RecordingDetailOut(
        **_out(recording).model_dump(),
        download_url=request.build_absolute_uri(download_path(recording)) if ready else None,
        error=recording.error,
        content_type=recording.content_type,
    )


@room_router.post(
    "/{code}/recording",
    response={
        200: RecordingActionOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        503: ErrorOut,
    },
)
def record_room(request: HttpRequest, code: str, payload: RecordingActionIn) -> RecordingActionOut:
    """Start or stop recording the room's live lecture (host, co-host)."""
    room, actor = get_moderator(request, code)
    if payload.action == "start":
        recording = services.start_recording(room=room, by=actor.user)
    else:
        recording = services.stop_recording(room=room)
    return RecordingActionOut(recording=RecordingRef(id=recording.pk, status=recording.status))


@room_router.get("/{code}/recording", response={200: IndicatorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def recording_indicator(request: HttpRequest, code: str) -> IndicatorOut:
    """Whether the live lecture is being recorded (every participant sees it, the room page shows it)."""
    room, _ = get_participant(request, code)
    payload = recording_payload(selectors.latest_recording(room))
    return IndicatorOut(recording=payload["recording"])  # type: ignore[arg-type]


@room_router.get(
    "/{code}/recording-settings", response={200: RecordingSettingsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def read_recording_settings(request: HttpRequest, code: str) -> RecordingSettingsOut:
    """The room's recording defaults (host, co-host)."""
    room, _ = get_moderator(request, code)
    found = selectors.settings_of(room)
    return RecordingSettingsOut(auto_record=found.auto_record, default_access=found.default_access)


@room_router.patch(
    "/{code}/recording-settings",
    response={200: RecordingSettingsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def update_recording_settings(request: HttpRequest, code: str, payload: RecordingSettingsIn) -> RecordingSettingsOut:
    """Record automatically, and who may watch new recordings (host, co-host)."""
    room, _ = get_moderator(request, code)
    found = services.update_recording_settings(room=room, **payload.model_dump(exclude_none=True))
    return RecordingSettingsOut(auto_record=found.auto_record, default_access=found.default_access)


@router.get("", response={200: list[RecordingOut], 404: ErrorOut})
def list_recordings(request: HttpRequest, room: str | None = None) -> list[RecordingOut]:
    """The recordings the caller may see: of one room (?room=code), or of every room they manage."""
    return [_out(r) for r in selectors.recordings_visible_to(request, room)]


@router.get("/{recording_id}", response={200: RecordingDetailOut, 404: ErrorOut})
def read_recording(request: HttpRequest, recording_id: int) -> RecordingDetailOut:
    """One recording, with a short-lived download URL once it is ready."""
    recording, _ = selectors.get_recording_for_viewer(request, recording_id)
    return _detail(request, recording)


@router.patch("/{recording_id}", response={200: RecordingDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def update_recording(request: HttpRequest, recording_id: int, payload: RecordingAccessIn) -> RecordingDetailOut:
    """Change who may watch (host, co-host, admin)."""
    recording = selectors.get_recording_for_manager(request, recording_id)
    return _detail(request, services.set_recording_access(recording=recording, access=payload.access))


@router.delete("/{recording_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def delete_recording(request: HttpRequest, recording_id: int) -> Status:
    """Delete the recording and its file (host, co-host, admin)."""
    recording = selectors.get_recording_for_manager(request, recording_id)
    services.delete_recording(recording=recording)
    return Status(204, None)
