"""The hosts' group of a room: every host and co-host socket. The only group_send in participants."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from core.fanout import group_send_many


def hosts_group(room_pk: int) -> str:
    return f"room.{room_pk}.hosts"


def notify_hosts(*, room_pk: int, message: dict[str, Any]) -> None:
    """Send one message to every host and co-host socket of the room."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(hosts_group(room_pk), {"type": "hosts.message", "message": message})


def lecture_group(lecture_pk: int) -> str:
    return f"lecture.{lecture_pk}.live"


def hosts_live_group(room_pk: int) -> str:
    """The hosts' and co-hosts' live sockets (the lobby console is hosts_group)."""
    return f"{hosts_group(room_pk)}.live"


def participant_group(guest_pk: int) -> str:
    return f"participant.{guest_pk}.live"


def _send_all(events: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if layer is None or not events:
        return

    async_to_sync(group_send_many)(
        layer, [(group, {"type": "live.message", "message": message}) for group, message in events]
    )


def tell_lecture(*, lecture_pk: int, message: dict[str, Any]) -> None:
    """A server message to everyone in the live lecture, on our own socket (`/ws/rooms/<code>/live/`)."""
    _send_all([(lecture_group(lecture_pk), message)])


def tell_room_hosts(*, room_pk: int, message: dict[str, Any]) -> None:
    """A server message to the hosts and co-hosts in the live lecture."""
    _send_all([(hosts_live_group(room_pk), message)])


def tell_participants(*, guest_pks: list[int], message: dict[str, Any]) -> None:
    """A server message to some students only (each has a group of its own)."""
    _send_all([(participant_group(pk), message) for pk in guest_pks])


def captions_status_message(*, unavailable: str, reason: str) -> dict[str, Any]:
    """`{"type": "captions.status"}`: why the room's captions are unavailable ("" when they are not)."""
    text = f"Captions unavailable: {reason}" if unavailable else ""
    return {"type": "captions.status", "unavailable": unavailable, "text": text}
