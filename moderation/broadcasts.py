"""Moderation's live pushes: the hand queue to the hosts' sockets (participants owns that group)."""

from typing import Any

from moderation.selectors import hands_payload
from participants.broadcasts import notify_hosts, tell_participants
from rooms.models import Lecture, Room


def notify_hands(*, room: Room, lecture: Lecture) -> None:
    """Send the current hand queue (oldest first) to every host and co-host socket."""
    notify_hosts(room_pk=room.pk, message={"type": "hands.changed", "hands": hands_payload(lecture=lecture)})


def tell_students(*, guest_pks: list[int], message: dict[str, Any]) -> None:
    """A server notice to some students, on their live sockets."""
    tell_participants(guest_pks=guest_pks, message=message)
