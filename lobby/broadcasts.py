"""Group names, event types and notify_*(): the only place in lobby that calls group_send
(the hosts' group belongs to participants/broadcasts.py).

Guests each have a group of their own, so a token pushed at admission reaches that student only.
"""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from core import fanout
from lobby.models import LobbyEntry


def guest_group(guest_pk: int) -> str:
    return f"lobby.guest.{guest_pk}"


def entry_payload(entry: LobbyEntry) -> dict[str, Any]:
    return {"id": entry.pk, "display_name": entry.guest.display_name, "waiting_since": entry.created_at.isoformat()}


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


def notify_guest(*, guest_pk: int, message: dict[str, Any]) -> None:
    """Send one lobby.status message to one guest's sockets."""
    _send(guest_group(guest_pk), {"type": "lobby.status", "message": message})


def room_lobby_scope(room_pk: int) -> str:
    """The room's waiting sockets as one batch scope (core/fanout.py): one layer message per web process."""
    return f"lobby.room.{room_pk}"


def notify_guests(*, room_pk: int, guest_pks: list[int], message: dict[str, Any]) -> None:
    """The same message to many waiting guests of a room, as one batch."""
    notify_each_guest(room_pk=room_pk, messages=[(guest_pk, message) for guest_pk in guest_pks])


def notify_each_guest(*, room_pk: int, messages: list[tuple[int, dict[str, Any]]]) -> None:
    """Its own message to each waiting guest of a room (e.g. each one's token), as one batch."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    events = [(str(guest_pk), {"type": "lobby.status", "message": message}) for guest_pk, message in messages]
    async_to_sync(fanout.send_batch)(layer, scope=room_lobby_scope(room_pk), events=events)
