"""A waiting student's own socket: `/ws/lobby/<code>/`, its status now and every change to it.

Async consumers: hundreds of idle waiting sockets cost no thread each, and a burst of pushes
(admit-all) is delivered straight from the event loop. Database work hops to a thread.
"""

from typing import Any

from channels.db import database_sync_to_async

from core import fanout
from core.consumers import CLOSE_FORBIDDEN, JsonConsumer
from lobby import broadcasts, services
from participants.guests import guest_from_cookies
from rooms.models import Room


class GuestLobbyConsumer(JsonConsumer):
    """`/ws/lobby/<code>/`: authenticated by the guest-session cookie; re-sends the status on connect."""

    batch: tuple[str, str] | None = None

    async def connect(self) -> None:
        found = await database_sync_to_async(self._guest_and_status)()
        if found is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        room_pk, guest_pk, status = found
        await self.join_group(broadcasts.guest_group(guest_pk))
        # what the host sends all waiting students at once (admit all: each one's token) comes this way
        self.batch = (broadcasts.room_lobby_scope(room_pk), str(guest_pk))
        await fanout.local.join(self, scope=self.batch[0], key=self.batch[1])
        await self.accept()
        await self.send_json(status)

    def _guest_and_status(self) -> tuple[int, int, dict[str, Any]] | None:
        room = Room.objects.filter(code=self._code()).first()
        guest = guest_from_cookies(self.scope.get("cookies", {}), room) if room else None
        if room is None or guest is None:
            return None
        return room.pk, guest.pk, services.guest_status(guest=guest)

    async def disconnect(self, code: int) -> None:
        if self.batch is not None:
            await fanout.local.leave(self, scope=self.batch[0], key=self.batch[1])
        await super().disconnect(code)

    async def lobby_status(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])
