"""What a course pushes to the room over the server's own socket (participants.broadcasts)."""

from typing import Any

from participants.broadcasts import tell_lecture, tell_room_hosts


def notify_poll(*, lecture_pk: int, room_pk: int, to_students: dict[str, Any] | None, to_hosts: dict[str, Any]) -> None:
    """A poll opened, changed or closed: the hosts get the live results, students what they may see."""
    tell_room_hosts(room_pk=room_pk, message=to_hosts)
    if to_students is not None:
        tell_lecture(lecture_pk=lecture_pk, message=to_students)


def notify_reaction(*, lecture_pk: int, kind: str) -> None:
    """A reaction bursts over everyone's stage; no name goes with it."""
    tell_lecture(lecture_pk=lecture_pk, message={"type": "reaction", "kind": kind})


def notify_pulse(*, room_pk: int, gauge: dict[str, int]) -> None:
    """The hosts' live "I'm lost" / "slow down" gauge: counts over the last minute, never names."""
    tell_room_hosts(room_pk=room_pk, message={"type": "pulse", **gauge})
