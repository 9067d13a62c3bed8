"""Who a request comes from, as far as a room is concerned: the database decides, never the client."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.models import User
from core.exceptions import NotAllowed, NotAuthenticated
from participants.cohosts import is_cohost, is_guest_cohost
from participants.guests import get_guest
from participants.histories import is_admitted_guest
from participants.identities import current_identity
from participants.models import GuestSession
from rooms.access import get_room
from rooms.models import Room


@dataclass(frozen=True)
class Actor:
    """Whoever makes a request about a room: a logged-in account, or a guest session (a student)."""

    user: User | None = None
    guest: GuestSession | None = None
    role: str = "guest"  # host, cohost, admin or guest

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.email
        return f"guest {self.guest.display_name}" if self.guest else "anonymous"

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.display_name
        return self.guest.display_name if self.guest else ""

    @property
    def identity(self) -> str:
        """The identity this actor's messages and files are stored under."""
        if self.user is not None:
            return f"user-{self.user.pk}"
        if self.guest is None:
            return "anonymous"
        return current_identity(self.guest) or f"guest-{self.guest.session_id}"

    @property
    def is_moderator(self) -> bool:
        return self.role in ("host", "cohost")


def _is_cohost(room: Room, *, user: User | None = None, guest: GuestSession | None = None) -> bool:
    if user is not None:
        return is_cohost(user=user, room=room)
    return guest is not None and is_guest_cohost(guest=guest, room=room)


def is_room_host(user: User | AnonymousUser, room: Room) -> bool:
    """The room's own host, or an account made co-host of the room."""
    if not user.is_authenticated:
        return False
    return room.host_id == user.pk or _is_cohost(room, user=user)  # type: ignore[arg-type]


def get_room_for_host(user: User | AnonymousUser, code: str) -> Room:
    """The room if the user hosts or co-hosts it: 404 when unknown, 403 when someone else's."""
    room = get_room(code)
    if not is_room_host(user, room):
        raise NotAllowed("Only the room's host and co-hosts can do this.")
    return room


def actor_for(request: HttpRequest, room: Room) -> Actor | None:
    """Who the request comes from, as far as this room is concerned (None: nobody we know)."""
    user = request.user
    if user.is_authenticated:
        if room.host_id == user.pk:
            return Actor(user=user, role="host")  # type: ignore[arg-type]
        if _is_cohost(room, user=user):  # type: ignore[arg-type]
            return Actor(user=user, role="cohost")  # type: ignore[arg-type]
        if user.is_admin:  # type: ignore[union-attr]
            return Actor(user=user, role="admin")  # type: ignore[arg-type]
        return Actor(user=user, role="outsider")  # type: ignore[arg-type]
    guest = get_guest(request, room)
    if guest is None:
        return None
    return Actor(guest=guest, role="cohost" if _is_cohost(room, guest=guest) else "guest")


def get_moderator(request: HttpRequest, code: str) -> tuple[Room, Actor]:
    """The room and its host or co-host making this request: 401 anonymous, 403 anyone else, 404 unknown."""
    room = get_room(code)
    actor = actor_for(request, room)
    if actor is None:
        raise NotAuthenticated("Log in first.")
    if not actor.is_moderator:
        raise NotAllowed("Only the room's host and co-hosts can do this.")
    return room, actor


def get_participant(request: HttpRequest, code: str) -> tuple[Room, Actor]:
    """The room and a participant allowed in it now: hosts, co-hosts, admins, admitted guests."""
    room = get_room(code)
    actor = actor_for(request, room)
    if actor is None:
        raise NotAuthenticated("Join the room first.")
    if actor.role in ("host", "cohost", "admin"):
        return room, actor
    if actor.guest is not None and is_admitted_guest(actor.guest, room):
        return room, actor
    raise NotAllowed("Only the lecture's participants can do this.")
