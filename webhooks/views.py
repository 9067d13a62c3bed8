"""LiveKit's signed webhook endpoint."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rooms import livekit_server
from webhooks.dispatch import apply_later, store_webhook

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def livekit_webhook(request: HttpRequest) -> HttpResponse:
    """LiveKit's signed webhook: verified against the raw body, stored once, answered at once; the
    room's events are applied in order on a worker thread (webhooks/dispatch.py)."""
    try:
        event = livekit_server.verify_webhook(body=request.body, authorization=request.headers.get("Authorization", ""))
    except livekit_server.WebhookInvalid as exc:
        logger.warning("rejected LiveKit webhook: %s", exc)
        return JsonResponse({"detail": "Invalid webhook signature."}, status=401)
    if store_webhook(event=event):
        apply_later(livekit_room=event.room_name)
    return JsonResponse({"status": "ok"})
