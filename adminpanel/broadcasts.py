"""The admins' overview group: every open overview page. The only group_send in adminpanel."""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

OVERVIEW_GROUP = "admin.overview"
_sending: set[asyncio.Task[None]] = set()


def notify_overview_changed() -> None:
    """Something the overview counts changed (a lecture opened or ended, a recording started):
    every open overview sends a fresh snapshot now instead of at its next tick."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "overview.changed"}
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a sync thread (a view, a task, database_sync_to_async)
        async_to_sync(layer.group_send)(OVERVIEW_GROUP, message)
    else:  # sync code on an event loop's thread (a test's async code): send from that loop
        task = loop.create_task(layer.group_send(OVERVIEW_GROUP, message))
        _sending.add(task)  # the loop keeps only a weak reference
        task.add_done_callback(_sending.discard)
