"""Finding a room by its invite code, and the one rule that needs no participant: the room's owner."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from core.exceptions import NotAllowed, NotFound
from rooms.models import Room


def get_room(code: str) -> Room:
    try:
        return Room.objects.select_related("host").get(code=code)
    except Room.DoesNotExist:
        raise NotFound("No room has this invite code.") from None


def get_room_for_owner(user: User | AnonymousUser, code: str) -> Room:
    """The room if the user is its host (co-hosts are not enough)."""
    room = get_room(code)
    if not user.is_authenticated or room.host_id != user.pk:
        raise NotAllowed("Only the room's host can do this.")
    return room
