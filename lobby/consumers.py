"""Lobby websockets: a waiting student's own status, and the live lobby for a room's hosts."""

import json
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer

from lobby import broadcasts, services
from moderation.selectors import is_guest_cohost
from moderation.services import hands_payload
from rooms.access import is_room_host
from rooms.guests import guest_from_cookies
from rooms.models import Room

CLOSE_FORBIDDEN = 4403


class _JsonConsumer(JsonWebsocketConsumer):
    """Answers malformed frames with an error message instead of dropping the connection."""

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            self.send_json({"type": "error", "detail": "Messages must be JSON objects."})
            return
        if not isinstance(content, dict):
            self.send_json({"type": "error", "detail": "Messages must be JSON objects."})
            return
        self.receive_json(content)

    def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if content.get("type") == "ping":
            self.send_json({"type": "pong"})
        else:
            self.send_json({"type": "error", "detail": "Unknown message type."})

    def _room(self) -> Room | None:
        return Room.objects.select_related("host").filter(code=self.scope["url_route"]["kwargs"]["code"]).first()


class GuestLobbyConsumer(_JsonConsumer):
    """`/ws/lobby/<code>/`: authenticated by the guest-session cookie; re-sends the status on connect."""

    group: str | None = None

    def connect(self) -> None:
        room = self._room()
        guest = guest_from_cookies(self.scope.get("cookies", {}), room) if room else None
        if guest is None:
            self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = broadcasts.guest_group(guest.pk)
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()
        self.send_json(services.guest_status(guest=guest))

    def disconnect(self, code: int) -> None:
        if self.group:
            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def lobby_status(self, event: dict[str, Any]) -> None:
        self.send_json(event["message"])


class HostRoomConsumer(_JsonConsumer):
    """`/ws/rooms/<code>/host/`: the live lobby (and later raised hands) for hosts and co-hosts."""

    group: str | None = None

    def connect(self) -> None:
        room = self._room()
        if room is None or not self._is_moderator(room):
            self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = broadcasts.hosts_group(room.pk)
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()
        waiting = [broadcasts.entry_payload(entry) for entry in services.waiting_entries(room=room)]
        self.send_json({"type": "lobby.snapshot", "waiting": waiting})
        lecture = room.current_lecture()
        if lecture is not None:
            self.send_json({"type": "hands.changed", "hands": hands_payload(lecture=lecture)})

    def _is_moderator(self, room: Room) -> bool:
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            return is_room_host(user, room)
        guest = guest_from_cookies(self.scope.get("cookies", {}), room)
        return guest is not None and is_guest_cohost(guest=guest, room=room)

    def disconnect(self, code: int) -> None:
        if self.group:
            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def hosts_message(self, event: dict[str, Any]) -> None:
        self.send_json(event["message"])
