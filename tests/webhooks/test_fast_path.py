"""LiveKit's webhook as the ASGI server answers it (webhooks/asgi.py), ahead of Django's middleware:
the same rules as through Django, checked over HTTP against daphne."""

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from lectures.models import AttendanceInterval
from participants.models import MintedIdentity
from rooms import livekit_server
from rooms.models import Room
from tests.conftest import wait_for
from tests.webhooks.test_burst import T0, signed
from webhooks.dispatch import COALESCE_SECONDS
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db(transaction=True)


def post(url: str, body: bytes, headers: dict[str, str], method: str = "POST") -> tuple[int, dict[str, str], dict]:
    request = urllib.request.Request(f"{url}/livekit/webhook", data=body, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our loopback URL
            answer = response.read()
            return response.status, dict(response.headers), json.loads(answer) if answer else {}
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_the_asgi_server_stores_applies_and_refuses_like_django(web_server: str, room: Room, lecture) -> None:
    MintedIdentity.objects.create(identity="guest-fast0001", lecture=lecture, role="guest")
    body, authorization = signed(lecture, "participant_joined", "EV_FAST_1", "guest-fast0001", T0)
    headers = {"Authorization": authorization, "Content-Type": "application/webhook+json"}

    status, answer_headers, answer = post(web_server, body, headers)
    assert (status, answer) == (204, {})
    assert "Content-Length" not in answer_headers and "Content-Type" not in answer_headers
    assert post(web_server, body, headers)[:3:2] == (204, {})  # LiveKit's retry: stored once
    wait_for(lambda: AttendanceInterval.objects.filter(identity="guest-fast0001", left_at__isnull=True).exists())
    assert WebhookEvent.objects.filter(event_id="EV_FAST_1").count() == 1

    forged, _ = signed(lecture, "participant_left", "EV_FAST_2", "guest-fast0001", T0 + 60)
    status, answer_headers, answer = post(web_server, forged, headers)
    assert (status, answer) == (401, {"detail": "Invalid webhook signature."})  # the signature covers another body
    assert answer_headers["Content-Type"] == "application/json"
    assert post(web_server, forged, {"Content-Type": "application/webhook+json"})[0] == 401
    assert not WebhookEvent.objects.filter(event_id="EV_FAST_2").exists()

    # a recording's progress is applied at once, through the ORM on a thread (an egress we never
    # started changes nothing, but the event is stored and marked applied)
    egress = livekit_server.Egress(
        egress_id="EG_fast",
        room_name=lecture.livekit_room,
        status="active",
        kind="room_composite",
        updated_at=T0 * 10**9,
    )
    egress_body = livekit_server.mint_egress_webhook_body(event="egress_updated", egress=egress, event_id="EV_FAST_EG")
    egress_headers = {**headers, "Authorization": livekit_server.sign_webhook(body=egress_body)}
    assert post(web_server, egress_body, egress_headers)[0] == 204
    assert WebhookEvent.objects.get(event_id="EV_FAST_EG").processed_at is not None

    status, answer_headers, _ = post(web_server, b"", {}, method="GET")
    assert status == 405 and answer_headers["Allow"] == "POST"
    assert post(web_server, body, {**headers, "Host": "evil.example"})[0] == 400
    assert post(web_server, b"x" * (1024 * 1024 + 1), headers)[0] == 413
    assert AttendanceInterval.objects.filter(identity="guest-fast0001", left_at__isnull=True).count() == 1


def test_events_posted_one_after_another_are_applied_in_order(web_server: str, room: Room, lecture) -> None:
    """What LiveKit's per-room queue does when a class leaves at once: each event after our answer."""
    identities = [f"guest-serial{i:03d}" for i in range(60)]
    MintedIdentity.objects.bulk_create(MintedIdentity(identity=i, lecture=lecture, role="guest") for i in identities)
    kinds = ["participant_joined", "participant_left", "participant_joined"]
    began = time.monotonic()
    for k, kind in enumerate(kinds):
        for n, identity in enumerate(identities):
            body, authorization = signed(lecture, kind, f"SERIAL_{k}_{n}", identity, T0 + 60 * k)
            headers = {"Authorization": authorization, "Content-Type": "application/webhook+json"}
            assert post(web_server, body, headers)[0] == 204

    def applied() -> bool:
        return not WebhookEvent.objects.filter(event_id__startswith="SERIAL_", processed_at__isnull=True).exists()

    posting = time.monotonic() - began
    wait_for(applied, timeout=30, what="the serial events applied")
    # Applied in batches, one per coalescing window, not chased one or two at a time by every pass:
    # each pass stamps its batch with one processed_at.
    passes = WebhookEvent.objects.filter(event_id__startswith="SERIAL_").values("processed_at").distinct().count()
    assert passes <= posting / COALESCE_SECONDS + 3, (passes, posting)
    for identity in identities:
        spans = list(AttendanceInterval.objects.filter(identity=identity).values_list("joined_at", "left_at"))
        assert len(spans) == 2 and spans[0][1] is not None and spans[1][1] is None, (identity, spans)


def test_one_connection_carries_a_rooms_events(web_server: str, room: Room, lecture) -> None:
    """LiveKit's HTTP client (Go) keeps a connection only when it has read the whole answer, and it
    reads none: an answer with a body cost a new TCP connection per event. With 204 and no body, one
    keep-alive connection carries every event, as LiveKit sends them."""
    url = urllib.parse.urlsplit(web_server)
    connection = http.client.HTTPConnection(url.netloc, timeout=10)
    connection.connect()
    sock = connection.sock
    for n in range(5):
        identity = f"guest-keep{n:04d}"
        MintedIdentity.objects.create(identity=identity, lecture=lecture, role="guest")
        body, authorization = signed(lecture, "participant_joined", f"EV_KEEP_{n}", identity, T0 + n)
        headers = {"Authorization": authorization, "Content-Type": "application/webhook+json"}
        connection.request("POST", "/livekit/webhook", body, headers)
        answer = connection.getresponse()
        assert (answer.status, answer.read(), answer.getheader("Content-Length")) == (204, b"", None)
        assert not answer.will_close and connection.sock is sock  # the same socket, kept open
    connection.close()
    kept = AttendanceInterval.objects.filter(identity__startswith="guest-keep", left_at__isnull=True)
    wait_for(lambda: kept.count() == 5)
