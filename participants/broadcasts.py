"""The hosts' group of a room: every host and co-host socket. The only group_send in participants."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def hosts_group(room_pk: int) -> str:
    return f"room.{room_pk}.hosts"


def notify_hosts(*, room_pk: int, message: dict[str, Any]) -> None:
    """Send one message to every host and co-host socket of the room."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(hosts_group(room_pk), {"type": "hosts.message", "message": message})
