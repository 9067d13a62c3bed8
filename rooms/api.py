"""Rooms JSON API: create and list a host's rooms, and what anyone with the invite link may know.

The routes about one room that need its co-hosts or its lectures (read, settings, token, end) are
served by lectures/api.py under the same `/rooms` prefix.
"""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from accounts.models import User
from core import text
from core.exceptions import NotAuthenticated, NotFound
from core.net import client_ip
from core.ratelimit import refuse_unknown_code
from rooms import services
from rooms.access import get_room
from rooms.models import Room
from rooms.pins import readable_pin

router = Router(tags=["rooms"])


class RoomIn(Schema):
    title: text.Title
    pin: Annotated[str, StringConstraints(pattern=r"^\d{4,12}$")] | None = Field(
        None, description="4-12 digits; students must enter it to knock."
    )
    lobby: bool = True
    webinar: bool = False
    ai_assistant: bool | None = Field(None, description="default: the admins' setting for new rooms")


class RoomOut(Schema):
    id: int
    code: str
    invite_url: str
    title: str
    lobby: bool
    webinar: bool
    ai_assistant: bool
    requires_pin: bool
    pin: str | None = Field(
        description="the PIN, for the room's hosts only; null without a PIN or for a PIN set before "
        "Lectern kept them readable (requires_pin true: change it to see it)"
    )
    status: str


class PublicRoomOut(Schema):
    title: str
    requires_pin: bool
    status: str


class ErrorOut(Schema):
    detail: str


def request_user(request: HttpRequest) -> User:
    """The logged-in account, or 401."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Log in first.")
    return request.user  # type: ignore[return-value]


def room_out(room: Room) -> RoomOut:
    """A room as its hosts see it (with its PIN): only for routes that checked the caller is a host."""
    return RoomOut(
        id=room.pk,
        code=room.code,
        invite_url=room.invite_url,
        title=room.title,
        lobby=room.lobby,
        webinar=room.webinar,
        ai_assistant=room.ai_assistant,
        requires_pin=room.requires_pin,
        pin=readable_pin(room),
        status=room.status,
    )


@router.post("", response={201: RoomOut, 400: ErrorOut, 401: ErrorOut})
def create_room(request: HttpRequest, payload: RoomIn) -> Status:
    """Create a room; its invite link stays the same all term."""
    room = services.create_room(host=request_user(request), **payload.dict())
    return Status(201, room_out(room))


@router.get("", response={200: list[RoomOut], 401: ErrorOut})
def list_rooms(request: HttpRequest) -> list[RoomOut]:
    """The caller's own rooms, newest first."""
    return [room_out(room) for room in Room.objects.hosted_by(request_user(request))]


@router.get("/{code}/public", response={200: PublicRoomOut, 404: ErrorOut, 429: ErrorOut}, auth=None)
def read_public_room(request: HttpRequest, code: str) -> PublicRoomOut:
    """What anyone holding the invite link may know: title, whether a PIN is needed, status.

    Unknown codes count against the address (429 for unknown codes past the limit; real rooms always answer).
    """
    try:
        room = get_room(code)
    except NotFound:
        raise refuse_unknown_code(ip=client_ip(request)) from None
    return PublicRoomOut(title=room.title, requires_pin=room.requires_pin, status=room.status)
