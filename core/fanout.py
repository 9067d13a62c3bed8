"""Many channel-layer sends in one hop onto the event loop, a bounded number at a time.

An admit-all hands a thousand students their own tokens: one after the other, each Redis round trip
waits for the last (≈ 1 ms each on the Redis layer, so the last student waits a second); at once
without a bound, a thousand commands queue on the layer's connection pool. The apps' broadcasts
modules call this with their own groups and events (they stay the only callers of group_send)."""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

AT_ONCE = 32


async def group_send_many(layer: Any, events: Sequence[tuple[str, dict[str, Any]]], *, at_once: int = AT_ONCE) -> None:
    """group_send each (group, event), at most `at_once` in flight; every send is tried."""
    gate = asyncio.Semaphore(at_once)

    async def send(group: str, event: dict[str, Any]) -> None:
        async with gate:
            await layer.group_send(group, event)

    results = await asyncio.gather(*(send(group, event) for group, event in events), return_exceptions=True)
    failed = [result for result in results if isinstance(result, BaseException)]
    if failed:
        raise failed[0]


class LocalFanout:
    """Batches for a whole scope (a room's lobby): one layer message per web process, handed out here.

    group_send to one group per socket costs, per socket, a Redis round trip to send, another for
    the receiving process to pop it, and a thread hop before the consumer's handler runs. An admit-all
    of a thousand students paid that a thousand times. Instead each web process puts one channel of
    its own into the scope's group while it holds sockets of that scope, and keeps those sockets by
    key here; `send_batch` sends the scope's messages as one layer message, and each process hands
    every message to its own sockets with that key (a student with two tabs on two processes gets it
    on both). One instance per process (`local`), tied to the event loop it first ran on.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._layer: Any = None
        self._channel = ""
        self._reader: asyncio.Task[None] | None = None
        self._consumers: dict[tuple[str, str], set[Any]] = {}
        self._scopes: dict[str, int] = {}

    async def _ready(self, layer: Any) -> str:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._layer is not layer:  # a new loop or layer (tests): start over
            if self._reader is not None and self._loop is loop:
                self._reader.cancel()
            self._reset()
            self._loop, self._layer = loop, layer
            # the default prefix: channels_redis reads one Redis list per process for all such channels
            self._channel = await layer.new_channel()
            self._reader = loop.create_task(self._read())
        return self._channel

    async def join(self, consumer: Any, *, scope: str, key: str) -> None:
        """Hold `consumer` under `key` of `scope`; its messages come to its handlers (by type)."""
        channel = await self._ready(consumer.channel_layer)
        self._consumers.setdefault((scope, key), set()).add(consumer)
        self._scopes[scope] = self._scopes.get(scope, 0) + 1
        await consumer.channel_layer.group_add(scope, channel)  # also refreshes the membership's expiry

    async def leave(self, consumer: Any, *, scope: str, key: str) -> None:
        held = self._consumers.get((scope, key))
        if held is None or consumer not in held:
            return
        held.discard(consumer)
        if not held:
            del self._consumers[(scope, key)]
        self._scopes[scope] -= 1
        if not self._scopes[scope]:
            del self._scopes[scope]
            await consumer.channel_layer.group_discard(scope, self._channel)

    async def _read(self) -> None:
        layer, channel = self._layer, self._channel
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("fan-out channel %s: receive failed", channel)
                await asyncio.sleep(1)
                continue
            if message.get("type") == "fanout.batch":
                await self._hand_out(message)

    async def _hand_out(self, message: dict[str, Any]) -> None:
        scope = message.get("scope", "")
        for key, event in message.get("events", []):
            for consumer in list(self._consumers.get((scope, str(key)), ())):
                handler = getattr(consumer, str(event.get("type", "")).replace(".", "_"), None)
                if handler is None:
                    continue
                try:
                    await handler(event)
                except Exception:  # one closed socket must not cost the others their message
                    logger.exception("fan-out to %s failed", consumer.channel_name)


local = LocalFanout()


async def send_batch(layer: Any, *, scope: str, events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Each (key, event) to the sockets held under key in `scope`, one layer message per web process."""
    if events:
        await layer.group_send(scope, {"type": "fanout.batch", "scope": scope, "events": [list(e) for e in events]})
