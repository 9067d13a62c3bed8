"""Lobby JSON API: students knock and rejoin; hosts list, admit, reject and message those waiting."""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from pydantic import StringConstraints

from core import text
from core.exceptions import NotAllowed, NotFound
from core.net import client_ip
from core.ratelimit import refuse_unknown_code
from lobby import services
from participants.access import get_moderator
from participants.guests import get_guest, remember_guest
from rooms.access import get_room

router = Router(tags=["lobby"])


class JoinIn(Schema):
    display_name: text.DisplayName
    fingerprint: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,128}$")]
    pin: Annotated[str, StringConstraints(max_length=12)] | None = None
    transcribe_me: bool = True


class JoinOut(Schema):
    session_id: str
    status: str
    livekit_url: str | None = None
    token: str | None = None
    identity: str | None = None


class CredentialsOut(Schema):
    livekit_url: str
    token: str
    identity: str


class WaitingOut(Schema):
    id: int
    display_name: str
    waiting_since: datetime


class RejectIn(Schema):
    message: text.Note = ""


class MessageIn(Schema):
    message: text.Message


class CountOut(Schema):
    count: int


class StatusOut(Schema):
    id: int
    status: str


class ErrorOut(Schema):
    detail: str


class LiftedOut(Schema):
    lifted: bool


@router.post(
    "/{code}/join",
    response={200: JoinOut, 202: JoinOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
)
def join(request: HttpRequest, code: str, payload: JoinIn) -> HttpResponse:
    """Knock at a room: 202 waiting (lobby on) or 200 admitted with a token (lobby off)."""
    ip = client_ip(request)
    try:
        room = get_room(code)
    except NotFound:
        raise refuse_unknown_code(ip=ip) from None
    result = services.knock(
        room=room,
        display_name=payload.display_name,
        fingerprint=payload.fingerprint,
        pin=payload.pin,
        transcribe_me=payload.transcribe_me,
        ip=ip,
        existing_guest=get_guest(request, room),
    )
    body = JoinOut(session_id=str(result.guest.session_id), status=result.status)
    if result.credentials is not None:
        body.livekit_url = result.credentials.livekit_url
        body.token = result.credentials.token
        body.identity = result.credentials.identity
    response = JsonResponse(body.model_dump(exclude_none=True), status=200 if result.status == "admitted" else 202)
    remember_guest(response, request, result.guest)
    return response


@router.post("/{code}/rejoin", response={200: CredentialsOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def rejoin(request: HttpRequest, code: str) -> CredentialsOut:
    """A fresh token for an admitted, not banned guest session (after a reload)."""
    room = get_room(code)
    guest = get_guest(request, room)
    if guest is None:
        raise NotAllowed("Join the room from its invite link first.")
    credentials = services.rejoin(room=room, guest=guest)
    return CredentialsOut(livekit_url=credentials.livekit_url, token=credentials.token, identity=credentials.identity)


@router.get("/{code}/lobby", response={200: list[WaitingOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def list_waiting(request: HttpRequest, code: str) -> list[WaitingOut]:
    """Who is waiting, oldest first."""
    room, _ = get_moderator(request, code)
    return [
        WaitingOut(id=entry.pk, display_name=entry.guest.display_name, waiting_since=entry.created_at)
        for entry in services.waiting_entries(room=room)
    ]


@router.post(
    "/{code}/lobby/admit-all", response={200: CountOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def admit_all(request: HttpRequest, code: str) -> CountOut:
    room, actor = get_moderator(request, code)
    return CountOut(count=services.admit_all(room=room, by=actor))


@router.post(
    "/{code}/lobby/message", response={200: CountOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def message_waiting(request: HttpRequest, code: str, payload: MessageIn) -> CountOut:
    room, actor = get_moderator(request, code)
    return CountOut(count=services.message_waiting(room=room, by=actor, message=payload.message))


@router.post("/{code}/lobby/{entry_id}/admit", response={200: StatusOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def admit(request: HttpRequest, code: str, entry_id: int) -> StatusOut:
    room, actor = get_moderator(request, code)
    entry = services.admit_guest(entry=services.get_entry(room=room, entry_id=entry_id), by=actor)
    return StatusOut(id=entry.pk, status=entry.status)


@router.post(
    "/{code}/lobby/{entry_id}/reject",
    response={200: StatusOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def reject(request: HttpRequest, code: str, entry_id: int, payload: RejectIn | None = None) -> StatusOut:
    room, actor = get_moderator(request, code)
    entry = services.reject_guest(
        entry=services.get_entry(room=room, entry_id=entry_id), by=actor, message=payload.message if payload else ""
    )
    return StatusOut(id=entry.pk, status=entry.status)


@router.post("/{code}/pin-pause/lift", response={200: LiftedOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def lift_pin_pause(request: HttpRequest, code: str) -> LiftedOut:
    """Hosts let students enter the PIN again after too many wrong PINs paused it; false when it was not paused."""
    room, actor = get_moderator(request, code)
    return LiftedOut(lifted=services.lift_pin_pause(room=room, by=actor))
