"""Moderation's live pushes to the hosts' sockets (through lobby.broadcasts, which owns group_send)."""

from lectures.models import Lecture
from lobby.broadcasts import notify_hosts
from rooms.models import Room


def notify_hands(*, room: Room, lecture: Lecture) -> None:
    """Send the current hand queue (oldest first) to every host and co-host socket."""
    from moderation.services import hands_payload

    notify_hosts(room_pk=room.pk, message={"type": "hands.changed", "hands": hands_payload(lecture=lecture)})
