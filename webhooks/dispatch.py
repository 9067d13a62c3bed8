"""LiveKit's webhooks: each verified event is stored once, then handed to the feature it concerns."""

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from lectures import attendance, life
from moderation.services import enforce_admission
from rooms import livekit_server
from rooms.models import Lecture
from webhooks.models import WebhookEvent


def record_webhook(*, event: livekit_server.WebhookEvent) -> bool:
    """Apply a verified LiveKit webhook once per event id; returns False for a repeat."""
    with transaction.atomic():
        _, created = WebhookEvent.objects.get_or_create(
            event_id=event.id,
            defaults={
                "event": event.event,
                "livekit_room": event.room_name,
                "participant_identity": event.participant_identity,
            },
        )
        if not created:
            return False
        lecture = life.lecture_for_livekit_room(event.room_name)
        if lecture is None:
            return True
        at = datetime.fromtimestamp(event.created_at, tz=UTC) if event.created_at else timezone.now()
        if event.event == "room_started":
            life.record_room_started(lecture=lecture, room_sid=event.room_sid)
        elif event.event == "room_finished":
            life.record_room_finished(lecture=lecture, at=at)
        elif event.event == "participant_joined" and not event.participant_is_service:
            attendance.record_join(lecture=lecture, identity=event.participant_identity, at=at)
        elif event.event in ("participant_left", "participant_connection_aborted"):
            attendance.record_leave(lecture=lecture, identity=event.participant_identity, at=at)
    if (
        event.event == "participant_joined"
        and lecture.status == Lecture.Status.LIVE
        and not event.participant_is_service
    ):
        # outside the transaction: it calls LiveKit
        enforce_admission(lecture=lecture, identity=event.participant_identity)
    return True
