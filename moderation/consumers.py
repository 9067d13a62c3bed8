"""The hosts' live console: `/ws/rooms/<code>/host/` — the lobby and raised hands as they change."""

from typing import Any

from channels.db import database_sync_to_async

from core.consumers import CLOSE_FORBIDDEN, JsonConsumer
from lobby import broadcasts as lobby_broadcasts
from lobby.services import PIN_PAUSED, pin_pause_remaining, waiting_entries
from moderation.selectors import hands_payload
from participants.access import is_room_host
from participants.broadcasts import hosts_group
from participants.cohosts import is_guest_cohost
from participants.guests import guest_from_cookies
from rooms.models import Room


class HostRoomConsumer(JsonConsumer):
    """`/ws/rooms/<code>/host/`: the live lobby and raised hands for hosts and co-hosts."""

    async def connect(self) -> None:
        found = await database_sync_to_async(self._snapshot)()
        if found is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        room_pk, messages = found
        await self.join_group(hosts_group(room_pk))
        await self.accept()
        for message in messages:
            await self.send_json(message)

    def _snapshot(self) -> tuple[int, list[dict[str, Any]]] | None:
        room = Room.objects.select_related("host").filter(code=self._code()).first()
        if room is None or not self._is_moderator(room):
            return None
        waiting = [lobby_broadcasts.entry_payload(entry) for entry in waiting_entries(room=room)]
        messages: list[dict[str, Any]] = [{"type": "lobby.snapshot", "waiting": waiting}]
        if room.requires_pin and pin_pause_remaining(room=room):
            messages.append({"type": "security.pin_paused", "message": PIN_PAUSED})
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
