"""Who may do what with a room: the database decides, never anything the client sends."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from rooms.exceptions import NotAllowed, NotFound
from rooms.models import Room


def is_room_host(user: User | AnonymousUser, room: Room) -> bool:
    """The room's own host, or a co-host of its current lecture."""
    if not user.is_authenticated:
        return False
    if room.host_id == user.pk:
        return True
    from moderation.selectors import is_cohost

    return is_cohost(user=user, room=room)


def get_room(code: str) -> Room:
    try:
        return Room.objects.select_related("host").get(code=code)
    except Room.DoesNotExist:
        raise NotFound("No room has this invite code.") from None


def get_room_for_host(user: User | AnonymousUser, code: str) -> Room:
    """The room if the user hosts or co-hosts it: 404 when unknown, 403 when someone else's."""
    room = get_room(code)
    if not is_room_host(user, room):
        raise NotAllowed("Only the room's host and co-hosts can do this.")
    return room


def get_room_for_owner(user: User | AnonymousUser, code: str) -> Room:
    """The room if the user is its host (co-hosts are not enough)."""
    room = get_room(code)
    if not user.is_authenticated or room.host_id != user.pk:
        raise NotAllowed("Only the room's host can do this.")
    return room
