"""LiveKit's signed webhook endpoint."""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recordings.webhooks import handle_egress_webhook
from rooms import livekit_server
from webhooks.dispatch import apply_later, mark_applied, store_webhook

logger = logging.getLogger(__name__)


def receive_webhook(*, body: bytes, authorization: str) -> tuple[int, dict[str, Any] | None]:
    """Verify against the raw body, store once, answer at once: (status, JSON body). The room's events
    are applied in order on a worker thread (webhooks/dispatch.py).

    Success is 204 with no body: LiveKit's HTTP client (Go's transport) closes the connection of an
    answer whose body it does not read, so a body cost a new TCP connection for every event; with
    none it keeps one connection for the room's queue."""
    try:
        event = livekit_server.verify_webhook(body=body, authorization=authorization)
    except livekit_server.WebhookInvalid as exc:
        logger.warning("rejected LiveKit webhook: %s", exc)
        return 401, {"detail": "Invalid webhook signature."}
    if not store_webhook(event=event):
        return 204, None  # a repeat delivery
    if event.event.startswith("egress_"):
        # a recording's progress: rare, and applied at once (recordings/webhooks.py)
        egress_event = livekit_server.parse_egress_webhook(body=body)
        if egress_event is not None:
            handle_egress_webhook(egress_event)
        mark_applied(event_id=event.id)
    else:
        apply_later(livekit_room=event.room_name)
    return 204, None


@csrf_exempt
@require_POST
def livekit_webhook(request: HttpRequest) -> HttpResponse:
    """The same endpoint through Django (the ASGI server answers it ahead of Django: webhooks/asgi.py)."""
    status, payload = receive_webhook(body=request.body, authorization=request.headers.get("Authorization", ""))
    if payload is None:
        return HttpResponse(status=status)
    return JsonResponse(payload, status=status)
