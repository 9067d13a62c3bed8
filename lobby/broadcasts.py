"""Group names, event types and notify_*(): the only place in lobby that calls group_send
(the hosts' group belongs to participants/broadcasts.py).

Guests each have a group of their own, so a token pushed at admission reaches that student only.
"""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from core.fanout import group_send_many
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


def notify_guests(*, guest_pks: list[int], message: dict[str, Any]) -> None:
    """The same message to many guests, in one hop onto the event loop."""
    notify_each_guest(messages=[(guest_pk, message) for guest_pk in guest_pks])


def notify_each_guest(*, messages: list[tuple[int, dict[str, Any]]]) -> None:
    """Its own message to each guest (e.g. each one's token), in one hop onto the event loop."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    events = [(guest_group(guest_pk), {"type": "lobby.status", "message": message}) for guest_pk, message in messages]
    async_to_sync(group_send_many)(layer, events)
