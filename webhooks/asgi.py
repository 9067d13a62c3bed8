"""LiveKit's webhook answered by the ASGI server itself, ahead of Django's middleware.

LiveKit sends a room's events one at a time, each after our answer to the last: when 300 students
leave at once, the last one waits for 299 answers. Through Django's stack each answer crossed from
the event loop to a thread and back for the middleware and again for the view (sync middleware
around an async handler). Here it is one hop to a thread for `receive_webhook` (the same function
Django's view calls). What the middleware would have done for this path is done here: the Host is
checked against ALLOWED_HOSTS, the body is capped, and the path is already exempt from the access
policies and the HTTPS redirect (config/access.py, SECURE_REDIRECT_EXEMPT).
"""

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection
from django.http.request import split_domain_port, validate_host

from webhooks.views import receive_webhook

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
        status, payload = await sync_to_async(_receive, thread_sensitive=False)(body, headers.get("authorization", ""))
        await _answer(send, status, payload)


def _receive(body: bytes, authorization: str) -> tuple[int, dict[str, Any] | None]:
    """On one of the event loop's few executor threads, each keeping its connection between answers
    (opening one per answer was a new PostgreSQL backend per event). A connection that broke (a
    PostgreSQL restart) fails one answer with 503, which LiveKit sends again, and is replaced; no
    health-check round trip on every event."""
    if connection.errors_occurred:
        connection.close()
    try:
        return receive_webhook(body=body, authorization=authorization)
    except DatabaseError:
        logger.exception("could not store a LiveKit webhook")
        connection.close()
        return 503, {"detail": "The database is unavailable."}  # LiveKit sends it again


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
