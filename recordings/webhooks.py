"""LiveKit's egress webhooks (egress_started, egress_updated, egress_ended) for the dispatcher."""

from recordings.models import Recording
from recordings.services import apply_egress_report
from rooms.livekit_server import EgressWebhook


def handle_egress_webhook(event: EgressWebhook) -> Recording | None:
    """Apply a verified egress webhook to its recording, each report once and in order (a repeat or an
    older report changes nothing); returns the recording when it changed."""
    if event.event not in ("egress_started", "egress_updated", "egress_ended"):
        return None
    return apply_egress_report(egress=event.egress)
