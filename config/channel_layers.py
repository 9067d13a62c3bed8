"""Our Channels layers: in memory for a single process, without its quadratic clean-up; on Redis,
closing the sockets that a Redis restart left deaf.

Channels' InMemoryChannelLayer scans every channel and group for expired entries on each send and
receive; with one group per waiting student that grows with the square of the lobby (measured in
bench/lobby_burst.py). Here the scan runs at most once a second.
"""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import channels_redis.core
import redis.exceptions
from channels.layers import InMemoryChannelLayer

logger = logging.getLogger(__name__)
LAYER_LOST = "layer.lost"

CLEAN_EVERY_SECONDS = 1.0


class SingleProcessChannelLayer(InMemoryChannelLayer):
    _last_clean = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._last_clean < CLEAN_EVERY_SECONDS:
            return
        self._last_clean = now
        super()._clean_expired()


STALE_CONNECTIONS_TRIED = 4


async def _on_a_live_connection(call: Callable[[], Awaitable[None]]) -> None:
    """Run a layer call again when it met a pooled connection from before a Redis restart (redis-py
    drops such a connection when it fails); a request or a socket would otherwise fail with a 500."""
    for attempt in range(1, STALE_CONNECTIONS_TRIED + 1):
        try:
            await call()
            return
        except redis.exceptions.ConnectionError:
            if attempt == STALE_CONNECTIONS_TRIED:
                raise


class RedisChannelLayer(channels_redis.core.RedisChannelLayer):
    """channels_redis' layer, telling this process's sockets when Redis went away, and trying a call
    again on another connection when it met one that Redis closed.

    Group memberships live in Redis and are gone after it restarts (nothing is persisted). channels_redis
    raises the lost connection in one socket only (the one reading for the whole process); the others
    would stay open and never hear a push again. Here every socket waiting on this process gets
    `{"type": "layer.lost"}` instead, and closes (core/consumers.py), so each page reconnects and
    joins its groups again.
    """

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await _on_a_live_connection(lambda: super(RedisChannelLayer, self).send(channel, message))

    async def group_add(self, group: str, channel: str) -> None:
        await _on_a_live_connection(lambda: super(RedisChannelLayer, self).group_add(group, channel))

    async def group_discard(self, group: str, channel: str) -> None:
        await _on_a_live_connection(lambda: super(RedisChannelLayer, self).group_discard(group, channel))

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await _on_a_live_connection(lambda: super(RedisChannelLayer, self).group_send(group, message))

    async def receive_single(self, channel: str) -> tuple[Any, Any]:
        try:
            return await super().receive_single(channel)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            logger.warning("lost the Channels layer's Redis: closing this process's sockets")
            return list(self.receive_buffer), {"type": LAYER_LOST}
