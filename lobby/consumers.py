"""Lobby websockets: a waiting student's own status, and the live lobby for a room's hosts.

Async consumers: hundreds of idle waiting sockets cost no thread each, and a burst of pushes
(admit-all) is delivered straight from the event loop. Database work hops to a thread.
"""

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from lobby import broadcasts, services
from moderation.selectors import is_guest_cohost
from moderation.services import hands_payload
from rooms.access import is_room_host
from rooms.guests import guest_from_cookies
from rooms.models import Room

CLOSE_FORBIDDEN = 4403


class _JsonConsumer(AsyncJsonWebsocketConsumer):
    """Answers malformed frames with an error message instead of dropping the connection."""

    group: str | None = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "Messages must be JSON objects."})
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "detail": "Unknown message type."})

    async def join_group(self, group: str) -> None:
        self.group = group
        await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    def _code(self) -> str:
        return str(self.scope["url_route"]["kwargs"]["code"])


class GuestLobbyConsumer(_JsonConsumer):
    """`/ws/lobby/<code>/`: authenticated by the guest-session cookie; re-sends the status on connect."""

    async def connect(self) -> None:
        found = await database_sync_to_async(self._guest_and_status)()
        if found is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        guest_pk, status = found
        await self.join_group(broadcasts.guest_group(guest_pk))
        await self.accept()
        await self.send_json(status)

    def _guest_and_status(self) -> tuple[int, dict[str, Any]] | None:
        room = Room.objects.filter(code=self._code()).first()
        guest = guest_from_cookies(self.scope.get("cookies", {}), room) if room else None
        if guest is None:
            return None
        return guest.pk, services.guest_status(guest=guest)

    async def lobby_status(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])


class HostRoomConsumer(_JsonConsumer):
    """`/ws/rooms/<code>/host/`: the live lobby and raised hands for hosts and co-hosts."""

    async def connect(self) -> None:
        found = await database_sync_to_async(self._snapshot)()
        if found is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        room_pk, messages = found
        await self.join_group(broadcasts.hosts_group(room_pk))
        await self.accept()
        for message in messages:
            await self.send_json(message)

    def _snapshot(self) -> tuple[int, list[dict[str, Any]]] | None:
        room = Room.objects.select_related("host").filter(code=self._code()).first()
        if room is None or not self._is_moderator(room):
            return None
        waiting = [broadcasts.entry_payload(entry) for entry in services.waiting_entries(room=room)]
        messages: list[dict[str, Any]] = [{"type": "lobby.snapshot", "waiting": waiting}]
        lecture = room.current_lecture()
        if lecture is not None:
            messages.append({"type": "hands.changed", "hands": hands_payload(lecture=lecture)})
        return room.pk, messages

    def _is_moderator(self, room: Room) -> bool:
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            return is_room_host(user, room)
        guest = guest_from_cookies(self.scope.get("cookies", {}), room)
        return guest is not None and is_guest_cohost(guest=guest, room=room)

    async def hosts_message(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])
