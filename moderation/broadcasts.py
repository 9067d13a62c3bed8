"""Moderation's live pushes: the hand queue to the hosts' sockets (participants owns that group)."""

from moderation.selectors import hands_payload
from participants.broadcasts import notify_hosts
from rooms.models import Lecture, Room


def notify_hands(*, room: Room, lecture: Lecture) -> None:
    """Send the current hand queue (oldest first) to every host and co-host socket."""
    notify_hosts(room_pk=room.pk, message={"type": "hands.changed", "hands": hands_payload(lecture=lecture)})
