"""LiveKit's signed webhook endpoint."""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recordings.webhooks import handle_egress_webhook
from rooms import livekit_server
from webhooks.dispatch import apply_later, mark_applied, store_webhook
from webhooks.events import EGRESS

logger = logging.getLogger(__name__)


def receive_webhook(*, body: bytes, authorization: str) -> tuple[int, dict[str, Any] | None]:
    """Verify against the raw body, store once, answer at once: (status, JSON body or None). The room's
    events are applied in order on a worker thread (webhooks/dispatch.py).

    Success is 204 with no body: LiveKit's HTTP client (Go's transport) closes the connection of an
    answer whose body it does not read, so a body cost a new TCP connection for every event; with
    none it keeps one connection for the room's queue."""
    event = verify(body=body, authorization=authorization)
    if not isinstance(event, livekit_server.WebhookEvent):
        return event
    if store_webhook(event=event):
        apply_stored(event=event, body=body)
    return 204, None  # stored now, or a repeat delivery


def verify(*, body: bytes, authorization: str) -> livekit_server.WebhookEvent | tuple[int, dict[str, Any]]:
    """The verified event, or the answer refusing it."""
    try:
        return livekit_server.verify_webhook(body=body, authorization=authorization)
    except livekit_server.WebhookInvalid as exc:
        logger.warning("rejected LiveKit webhook: %s", exc)
        return 401, {"detail": "Invalid webhook signature."}


def apply_stored(*, event: livekit_server.WebhookEvent, body: bytes) -> None:
    """After an event was stored for the first time: a room's events go to the dispatcher (nothing
    blocks); a recording's progress, rare, is applied at once (recordings/webhooks.py)."""
    if event.event not in EGRESS:
        apply_later(livekit_room=event.room_name)
        return
    egress_event = livekit_server.parse_egress_webhook(body=body)
    if egress_event is not None:
        handle_egress_webhook(egress_event)
    mark_applied(event_id=event.id)


@csrf_exempt
@require_POST
def livekit_webhook(request: HttpRequest) -> HttpResponse:
    """The same endpoint through Django (the ASGI server answers it ahead of Django: webhooks/asgi.py)."""
    status, payload = receive_webhook(body=request.body, authorization=request.headers.get("Authorization", ""))
    if payload is None:
        return HttpResponse(status=status)
    return JsonResponse(payload, status=status)
