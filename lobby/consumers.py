"""A waiting student's own socket: `/ws/lobby/<code>/`, its status now and every change to it.

Async consumers: hundreds of idle waiting sockets cost no thread each, and a burst of pushes
(admit-all) is delivered straight from the event loop. Database work hops to a thread.
"""

from typing import Any

from channels.db import database_sync_to_async

from core.consumers import CLOSE_FORBIDDEN, JsonConsumer
from lobby import broadcasts, services
from participants.guests import guest_from_cookies
from rooms.models import Room


class GuestLobbyConsumer(JsonConsumer):
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
