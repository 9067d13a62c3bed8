"""`/ws/admin/overview/`: the overview's live numbers, pushed to admins only.

A snapshot on connect, then one every PUSH_EVERY_SECONDS, and at once when a lecture or recording
changes (adminpanel/signals.py). The admin role is checked again before every snapshot, so a
demoted or deactivated admin stops receiving them."""

import asyncio
import contextlib
import logging
from typing import Any

from channels.db import database_sync_to_async
from django.db import DatabaseError

from accounts.models import User
from adminpanel import broadcasts, health, selectors
from core.consumers import CLOSE_FORBIDDEN, JsonConsumer

logger = logging.getLogger(__name__)

PUSH_EVERY_SECONDS = 5.0
COALESCE_SECONDS = 0.5  # changes closer together than this share one snapshot


class OverviewConsumer(JsonConsumer):
    ticker: asyncio.Task[None] | None = None
    catching_up: asyncio.Task[None] | None = None
    dirty = False
    pushed_at = 0.0

    async def connect(self) -> None:
        if not await database_sync_to_async(self._is_admin)():
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join_group(broadcasts.OVERVIEW_GROUP)
        await self.accept()
        await self.push()
        self.ticker = asyncio.get_running_loop().create_task(self._tick())

    def _is_admin(self) -> bool:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return False
        return User.objects.filter(pk=user.pk, role=User.Role.ADMIN, is_active=True).exists()

    def _snapshot(self) -> dict[str, Any] | None:
        try:
            if not self._is_admin():
                return None
            live_rooms = selectors.live_rooms_json()
        except DatabaseError:
            # The database is down: the health check below says so (the admin was one at connect).
            logger.warning("admin overview: the database did not answer", exc_info=True)
            live_rooms = []
        return {**health.check().as_json(), "live_rooms": live_rooms}

    async def push(self) -> bool:
        """Send a snapshot; False (and the socket closed) when the user is no longer an admin."""
        # Not on the thread every other consumer shares: a snapshot waits on LiveKit, Redis and egress.
        snapshot = await database_sync_to_async(self._snapshot, thread_sensitive=False)()
        if snapshot is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return False
        await self.send_json({"type": "overview.snapshot", "overview": snapshot})
        self.pushed_at = asyncio.get_running_loop().time()
        return True

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(PUSH_EVERY_SECONDS)
            if not await self.push():
                return

    async def overview_changed(self, event: dict[str, Any]) -> None:
        # A burst of changes (a hundred lectures opening at nine) costs one or two snapshots, not one each.
        self.dirty = True
        if self.catching_up is None or self.catching_up.done():
            self.catching_up = asyncio.get_running_loop().create_task(self._catch_up())

    async def _catch_up(self) -> None:
        loop = asyncio.get_running_loop()
        while self.dirty:
            await asyncio.sleep(max(0.0, self.pushed_at + COALESCE_SECONDS - loop.time()))
            self.dirty = False
            if not await self.push():
                return

    async def disconnect(self, code: int) -> None:
        for task in (self.ticker, self.catching_up):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):  # leave the group whatever
                    await task
        await super().disconnect(code)
