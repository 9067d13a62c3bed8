"""LiveKit's webhook answered by the ASGI server itself, ahead of Django's middleware.

LiveKit sends a room's events one at a time, each after our answer to the last: when 300 students
leave at once, the last one waits for 299 answers, and on a busy machine every hand-over between
threads and processes in an answer waits for a CPU. So the answer is short: the Host is checked
against ALLOWED_HOSTS, the body capped (what the middleware would have done for this path, which is
exempt from the access policies and the HTTPS redirect: config/access.py, SECURE_REDIRECT_EXEMPT), the
signature verified and the event stored on the event loop itself, through a PostgreSQL connection of
its own, without a hop to a thread and back. Applying it is the dispatcher's (webhooks/dispatch.py).
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.http.request import split_domain_port, validate_host

from rooms import livekit_server
from webhooks.dispatch import insert_statement
from webhooks.events import EGRESS
from webhooks.views import apply_stored, verify

logger = logging.getLogger(__name__)

PATH = "/livekit/webhook"
MAX_BODY = 1024 * 1024  # a webhook event is a few kB

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class WebhookFastPath:
    """Routes POST /livekit/webhook to `receive_webhook`; everything else to `app` (Django)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        domain, _ = split_domain_port(headers.get("host", ""))
        if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
            await _answer(send, 400, {"detail": "Bad Host header."})
            return
        if scope["method"] != "POST":
            await _answer(send, 405, {"detail": "Method not allowed."}, extra=((b"allow", b"POST"),))
            return
        body = await _read_body(receive)
        if body is None:
            await _answer(send, 413, {"detail": "Request body too large."})
            return
        status, payload = await _receive(body, headers.get("authorization", ""))
        await _answer(send, status, payload)


class EventStore:
    """Stores verified events through one PostgreSQL connection of the event loop's (an answer takes a
    few hundred microseconds of it; events of other rooms wait their turn on the lock).

    Its commits do not wait for the disk (synchronous_commit off, this connection only): a stored
    event survives a crash of web or of PostgreSQL's processes; what a crash of the machine itself
    loses (PostgreSQL's last ~0.6 s) is healed by every live lecture's reconciliation against LiveKit's
    own participant list. A connection that broke (PostgreSQL restarted) fails one answer with 503,
    which LiveKit sends again, and is replaced."""

    def __init__(self) -> None:
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()

    async def insert(self, event: livekit_server.WebhookEvent) -> bool:
        """True when the event was not stored before."""
        async with self._lock:
            if self._connection is None or self._connection.closed:
                self._connection = await psycopg.AsyncConnection.connect(**_connection_params(), autocommit=True)
            try:
                cursor = await self._connection.execute(*insert_statement(event))
                return await cursor.fetchone() is not None
            except psycopg.Error:
                await self._connection.close()
                self._connection = None
                raise


def _connection_params() -> dict[str, Any]:
    """Django's own parameters for its database, minus what only its cursors use."""
    params = connections["default"].get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    # a PostgreSQL that hangs fails the answer (LiveKit sends it again) instead of holding the lock
    params["options"] = f"{params.get('options', '')} -c synchronous_commit=off -c statement_timeout=5s".strip()
    params.setdefault("connect_timeout", 5)
    return params


_store = EventStore()


async def _receive(body: bytes, authorization: str) -> tuple[int, dict[str, Any] | None]:
    """receive_webhook (webhooks/views.py) with the event stored on the event loop."""
    event = verify(body=body, authorization=authorization)
    if not isinstance(event, livekit_server.WebhookEvent):
        return event
    try:
        stored = await _store.insert(event)
    except psycopg.Error:
        logger.exception("could not store a LiveKit webhook")
        return 503, {"detail": "The database is unavailable."}  # LiveKit sends it again
    if stored:
        if event.event in EGRESS:  # applied at once, through the ORM: on a thread
            await sync_to_async(apply_stored, thread_sensitive=False)(event=event, body=body)
        else:
            apply_stored(event=event, body=body)  # hands the room to the dispatcher's threads
    return 204, None


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(
    send: Send, status: int, payload: dict[str, Any] | None, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """A JSON answer, or none at all (204: LiveKit keeps the connection, see receive_webhook)."""
    body = b"" if payload is None else json.dumps(payload).encode()
    headers = [
        *([] if payload is None else [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
