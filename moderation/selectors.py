from accounts.models import User
from rooms.models import Room


def is_cohost(*, user: User, room: Room) -> bool:
    """Whether the user was made co-host of this room by its host."""
    return room.cohosts.filter(user=user).exists()
