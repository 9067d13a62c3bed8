"""Co-hosts: accounts or guest sessions the room's host gave moderation rights in that room."""

from accounts.models import User
from participants.models import CoHost, GuestSession
from rooms.models import Room


def is_cohost(*, user: User, room: Room) -> bool:
    """Whether the account was made co-host of this room by its host."""
    return CoHost.objects.filter(room=room, user=user).exists()


def is_guest_cohost(*, guest: GuestSession, room: Room) -> bool:
    """Whether this guest session was made co-host of the room by its host."""
    return CoHost.objects.filter(room=room, guest=guest).exists()


def host_names(*, room: Room) -> list[str]:
    """The names the room's host and account co-hosts are shown under."""
    users = User.objects.filter(cohosted_rooms__room=room)
    return [room.host.display_name, *(user.display_name for user in users)]


def cohost_guest_ids(*, room: Room, guest_ids: list[int]) -> set[int]:
    """Which of these guest sessions are co-hosts of the room (one query for any number)."""
    return set(CoHost.objects.filter(room=room, guest_id__in=guest_ids).values_list("guest_id", flat=True))
