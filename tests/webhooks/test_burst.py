"""A burst of signed webhooks is answered at once and applied once each, in LiveKit's order."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from lectures.models import AttendanceInterval
from participants.models import MintedIdentity
from rooms import livekit_server
from rooms.models import Room
from tests.conftest import wait_for
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db(transaction=True)

T0 = 1_800_000_000
STUDENTS = 200


def signed(lecture, event: str, event_id: str, identity: str, at: int) -> tuple[bytes, str]:
    body = json.dumps(
        {
            "event": event,
            "id": event_id,
            "createdAt": str(at),
            "room": {"name": lecture.livekit_room, "sid": "RM_burst"},
            "participant": {"identity": identity, "name": identity, "attributes": {"role": "guest"}},
        }
    ).encode()
    return body, livekit_server.sign_webhook(body=body)


def test_a_burst_of_1000_webhooks_is_applied_once_each_in_order(room: Room, lecture) -> None:
    identities = [f"guest-burst{i:04d}" for i in range(STUDENTS)]
    MintedIdentity.objects.bulk_create(
        MintedIdentity(identity=identity, lecture=lecture, role="guest") for identity in identities
    )
    events = []
    for n, identity in enumerate(identities):  # join, leave, join, leave, join: 5 events a student
        for k, kind in enumerate(["participant_joined", "participant_left"] * 2 + ["participant_joined"]):
            events.append(signed(lecture, kind, f"BURST_{n}_{k}", identity, T0 + 60 * k))
    events.sort(key=lambda e: json.loads(e[0])["createdAt"])  # the order LiveKit sends them in
    assert len(events) == 1000

    client = Client()
    answers = [
        client.post("/livekit/webhook", body, content_type="application/webhook+json", HTTP_AUTHORIZATION=sig)
        for body, sig in events
    ]
    assert {a.status_code for a in answers} == {204}
    # LiveKit retries: every event delivered again, concurrently, changes nothing
    with ThreadPoolExecutor(4) as pool:
        repeats = list(
            pool.map(
                lambda e: Client().post(
                    "/livekit/webhook", e[0], content_type="application/webhook+json", HTTP_AUTHORIZATION=e[1]
                ),
                events[:200],
            )
        )
    assert {r.status_code for r in repeats} == {204}

    wait_for(lambda: not WebhookEvent.objects.filter(processed_at__isnull=True).exists(), timeout=60)
    assert WebhookEvent.objects.filter(livekit_room=lecture.livekit_room, event_id__startswith="BURST_").count() == 1000
    for identity in identities[:: STUDENTS // 10]:
        spans = list(
            AttendanceInterval.objects.filter(identity=identity).order_by("joined_at").values_list("left_at", flat=True)
        )
        assert len(spans) == 3 and spans[-1] is None and all(spans[:2]), (identity, spans)
    assert AttendanceInterval.objects.filter(lecture=lecture).count() == 3 * STUDENTS
    assert AttendanceInterval.objects.filter(lecture=lecture, left_at__isnull=True).count() == STUDENTS
