"""Many channel-layer sends in one hop onto the event loop, a bounded number at a time.

An admit-all hands a thousand students their own tokens: one after the other, each Redis round trip
waits for the last (≈ 1 ms each on the Redis layer, so the last student waits a second); at once
without a bound, a thousand commands queue on the layer's connection pool. The apps' broadcasts
modules call this with their own groups and events (they stay the only callers of group_send)."""

import asyncio
from collections.abc import Sequence
from typing import Any

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
