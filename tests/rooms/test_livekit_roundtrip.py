"""The whole path against the real livekit-server: our API → token → the Python rtc SDK connects →
the server lists the participant → LiveKit's signed webhook reaches our web process."""

import asyncio
import json

import pytest
from django.test import Client
from livekit import rtc

from rooms import livekit_server
from rooms.models import Lecture, Room
from tests.conftest import run_async, wait_for
from webhooks.events import EVENTS
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_host_token_connects_and_livekit_reports_the_participant(host_client: Client, room: Room, web_server) -> None:
    credentials = host_client.post(f"/api/v1/rooms/{room.code}/token", "{}", content_type="application/json").json()
    lecture = Lecture.objects.get(room=room)

    async def connect_and_check() -> list[livekit_server.LiveKitParticipant]:
        lk_room = rtc.Room()
        await lk_room.connect(credentials["livekit_url"], credentials["token"])
        try:
            assert lk_room.local_participant.identity == credentials["identity"]
            microphone = rtc.LocalAudioTrack.create_audio_track("mic", rtc.AudioSource(48000, 1))
            await lk_room.local_participant.publish_track(microphone)  # LiveKit is told not to send it
            # list_participants is synchronous (async_to_sync): run it off this event loop
            return await asyncio.to_thread(livekit_server.list_participants, room=lecture.livekit_room)
        finally:
            await lk_room.disconnect()

    participants = run_async(connect_and_check())
    (participant,) = [p for p in participants if p.identity == credentials["identity"]]
    assert participant.name == "Ada Prof"
    assert participant.can_publish and participant.can_subscribe
    assert participant.attributes["role"] == "host"

    joined = wait_for(
        lambda: WebhookEvent.objects.filter(
            event="participant_joined", livekit_room=lecture.livekit_room, participant_identity=credentials["identity"]
        ).first(),
        timeout=20,
        what="LiveKit's participant_joined webhook",
    )
    assert joined.event_id
    wait_for(
        lambda: WebhookEvent.objects.filter(event="participant_left", participant_identity=credentials["identity"]),
        timeout=20,
        what="LiveKit's participant_left webhook",
    )
    # one queue per room, in order: the track's events would be stored before the leave
    assert set(WebhookEvent.objects.values_list("event", flat=True)) <= set(EVENTS)
    assert not WebhookEvent.objects.filter(event__startswith="track_").exists()
    started = wait_for(
        lambda: Lecture.objects.exclude(livekit_sid="").filter(pk=lecture.pk).first(),
        what="room_started to record the LiveKit room sid",
    )
    assert started.livekit_sid.startswith("RM_")


def _event_body(room_name: str, event_id: str = "EV_test1", event: str = "room_finished") -> bytes:
    return json.dumps({"event": event, "id": event_id, "room": {"name": room_name, "sid": "RM_x"}}).encode()


@pytest.fixture
def live_lecture(host_client: Client, room: Room, livekit) -> Lecture:
    host_client.post(f"/api/v1/rooms/{room.code}/token", "{}", content_type="application/json")
    return Lecture.objects.get(room=room)


def test_forged_webhook_is_refused_and_changes_nothing(client: Client, live_lecture: Lecture, settings) -> None:
    body = _event_body(live_lecture.livekit_room)
    settings.LIVEKIT_API_SECRET, real = "an-attacker-guess-0123456789abcdefghij", settings.LIVEKIT_API_SECRET
    forged = livekit_server.sign_webhook(body=body)
    settings.LIVEKIT_API_SECRET = real
    for authorization in ("", "garbage", forged):
        response = client.post(
            "/livekit/webhook", body, content_type="application/webhook+json", HTTP_AUTHORIZATION=authorization
        )
        assert response.status_code == 401
    live_lecture.refresh_from_db()
    assert live_lecture.status == "live"
    assert not WebhookEvent.objects.filter(event_id="EV_test1").exists()


def test_altered_webhook_body_is_refused(client: Client, live_lecture: Lecture) -> None:
    signature = livekit_server.sign_webhook(body=_event_body("some-other-room"))
    response = client.post(
        "/livekit/webhook",
        _event_body(live_lecture.livekit_room),
        content_type="application/webhook+json",
        HTTP_AUTHORIZATION=signature,
    )
    assert response.status_code == 401
    live_lecture.refresh_from_db()
    assert live_lecture.status == "live"


def test_room_finished_ends_the_lecture_once(client: Client, live_lecture: Lecture) -> None:
    body = _event_body(live_lecture.livekit_room)
    for _ in range(2):
        response = client.post(
            "/livekit/webhook",
            body,
            content_type="application/webhook+json",
            HTTP_AUTHORIZATION=livekit_server.sign_webhook(body=body),
        )
        assert response.status_code == 204
    wait_for(lambda: WebhookEvent.objects.filter(event_id="EV_test1", processed_at__isnull=False).exists())
    live_lecture.refresh_from_db()
    assert live_lecture.status == "ended"
    assert live_lecture.room.status == "ended"
    assert WebhookEvent.objects.filter(event_id="EV_test1").count() == 1
