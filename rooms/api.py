"""Rooms JSON API (host side): create, list, read, token, end."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StringConstraints, field_validator

from accounts.models import User
from config.access import client_ip
from lobby.exceptions import RateLimited
from lobby.services import check_ip_allowed, record_unknown_code
from rooms import services
from rooms.access import Actor, get_participant, get_room, get_room_for_host, get_room_for_owner
from rooms.exceptions import RoomError
from rooms.models import Room

router = Router(tags=["rooms"])


class RoomIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    pin: Annotated[str, StringConstraints(pattern=r"^\d{4,12}$")] | None = Field(
        None, description="4-12 digits; students must enter it to knock."
    )
    lobby: bool = True
    webinar: bool = False
    ai_assistant: bool | None = Field(None, description="default: the admins' setting for new rooms")

    @field_validator("title")
    @classmethod
    def no_control_characters(cls, value: str) -> str:
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ValueError("must not contain control characters")
        return value


class RoomOut(Schema):
    id: int
    code: str
    invite_url: str
    title: str
    lobby: bool
    webinar: bool
    ai_assistant: bool
    requires_pin: bool
    status: str


class PublicRoomOut(Schema):
    title: str
    requires_pin: bool
    status: str


class CredentialsOut(Schema):
    livekit_url: str
    token: str
    identity: str


class EndOut(Schema):
    status: str
    lecture_id: int | None


class ErrorOut(Schema):
    detail: str


def _user(request: HttpRequest) -> User:
    """The logged-in account, or 401."""
    if not request.user.is_authenticated:
        raise HttpError(401, "Log in first.")
    return request.user  # type: ignore[return-value]


def _room_out(room: Room) -> RoomOut:
    return RoomOut(
        id=room.pk,
        code=room.code,
        invite_url=room.invite_url,
        title=room.title,
        lobby=room.lobby,
        webinar=room.webinar,
        ai_assistant=room.ai_assistant,
        requires_pin=room.requires_pin,
        status=room.status,
    )


def _raise(exc: RoomError) -> HttpError:
    return HttpError(exc.status, exc.detail)


@router.post("", response={201: RoomOut, 400: ErrorOut, 401: ErrorOut})
def create_room(request: HttpRequest, payload: RoomIn) -> Status:
    """Create a room; its invite link stays the same all term."""
    user = _user(request)
    try:
        room = services.create_room(host=user, **payload.dict())
    except RoomError as exc:
        raise _raise(exc) from exc
    return Status(201, _room_out(room))


@router.get("", response={200: list[RoomOut], 401: ErrorOut})
def list_rooms(request: HttpRequest) -> list[RoomOut]:
    """The caller's own rooms, newest first."""
    user = _user(request)
    return [_room_out(room) for room in Room.objects.hosted_by(user)]


@router.get("/{code}", response={200: RoomOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def read_room(request: HttpRequest, code: str) -> RoomOut:
    """The host view of one room."""
    user = _user(request)
    try:
        return _room_out(get_room_for_host(user, code))
    except RoomError as exc:
        raise _raise(exc) from exc


@router.get("/{code}/public", response={200: PublicRoomOut, 404: ErrorOut, 429: ErrorOut}, auth=None)
def read_public_room(request: HttpRequest, code: str) -> PublicRoomOut:
    """What anyone holding the invite link may know: title, whether a PIN is needed, status.

    Unknown codes count against the same per-IP limit as wrong PINs, so codes cannot be enumerated.
    """
    ip = client_ip(request)
    try:
        check_ip_allowed(ip=ip)
        room = get_room(code)
    except RateLimited as exc:
        raise HttpError(429, exc.detail) from exc
    except RoomError as exc:
        if exc.status == 404:
            record_unknown_code(ip=ip)
        raise _raise(exc) from exc
    return PublicRoomOut(title=room.title, requires_pin=room.requires_pin, status=room.status)


@router.post(
    "/{code}/token",
    response={200: CredentialsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut},
)
def host_token(request: HttpRequest, code: str) -> CredentialsOut:
    """A LiveKit token for the host or a co-host; the host's token opens the room."""
    user = _user(request)
    try:
        room = get_room_for_host(user, code)
        credentials = services.issue_host_token(room=room, user=user)
    except RoomError as exc:
        raise _raise(exc) from exc
    return CredentialsOut(livekit_url=credentials.livekit_url, token=credentials.token, identity=credentials.identity)


@router.post("/{code}/end", response={200: EndOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def end_room(request: HttpRequest, code: str) -> EndOut:
    """End the lecture for everyone; the room stays until its host opens it again."""
    user = _user(request)
    try:
        room = get_room_for_owner(user, code)
    except RoomError as exc:
        raise _raise(exc) from exc
    lecture = services.end_lecture(room=room)
    return EndOut(status="ended", lecture_id=lecture.pk if lecture else None)


class RoomSettingsIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
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


@router.patch("/{code}", response={200: RoomSettingsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def update_room(request: HttpRequest, code: str, payload: RoomSettingsIn) -> RoomSettingsOut:
    """Change a room's settings (the room's own host only)."""
    user = _user(request)
    try:
        room = get_room_for_owner(user, code)
    except RoomError as exc:
        raise _raise(exc) from exc
    room = services.update_room_settings(room=room, changes=payload.model_dump(exclude_none=True))
    return RoomSettingsOut(
        **_room_out(room).model_dump(),
        student_chat=room.student_chat,
        student_uploads=room.student_uploads,
        attendees_see_lecture=room.attendees_see_lecture,
        locked=room.locked,
    )


class ChatIn(Schema):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    to: Annotated[str, StringConstraints(max_length=200)] | None = None


class ChatOut(Schema):
    id: int
    sender: str
    sender_identity: str
    sender_role: str
    private: bool
    text: str
    created_at: str


def _participant(request: HttpRequest, code: str) -> tuple[Room, Actor]:
    try:
        return get_participant(request, code)
    except RoomError as exc:
        raise _raise(exc) from exc


@router.get("/{code}/chat", response={200: list[ChatOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def read_chat(request: HttpRequest, code: str) -> list[ChatOut]:
    """The live lecture's chat as the caller may see it."""
    room, actor = _participant(request, code)
    return [ChatOut(**services.chat_payload(m)) for m in services.visible_chat(room=room, viewer=actor)]  # type: ignore[arg-type]


@router.post(
    "/{code}/chat", response={201: ChatOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def post_chat(request: HttpRequest, code: str, payload: ChatIn) -> Status:
    """Write in the chat: to everyone, or privately to the hosts with `to`."""
    room, actor = _participant(request, code)
    if actor.role == "admin":
        raise HttpError(403, "Admins read the chat; they do not write in other hosts' lectures.")
    try:
        message = services.post_chat_message(room=room, sender=actor, text=payload.text, to=payload.to)
    except RoomError as exc:
        raise _raise(exc) from exc
    return Status(201, ChatOut(**services.chat_payload(message)))  # type: ignore[arg-type]
