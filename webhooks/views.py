"""LiveKit's signed webhook endpoint."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recordings.webhooks import handle_egress_webhook
from rooms import livekit_server
from webhooks.dispatch import record_webhook

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def livekit_webhook(request: HttpRequest) -> HttpResponse:
    """LiveKit's signed webhook: verified against the raw body, each event applied once."""
    try:
        event = livekit_server.verify_webhook(body=request.body, authorization=request.headers.get("Authorization", ""))
    except livekit_server.WebhookInvalid as exc:
        logger.warning("rejected LiveKit webhook: %s", exc)
        return JsonResponse({"detail": "Invalid webhook signature."}, status=401)
    if record_webhook(event=event) and event.event.startswith("egress_"):
        egress_event = livekit_server.parse_egress_webhook(body=request.body)
        if egress_event is not None:
            handle_egress_webhook(egress_event)
    return JsonResponse({"status": "ok"})
