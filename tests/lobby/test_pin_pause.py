"""The room-wide PIN pause: one browser cannot trigger it alone (it only locks itself out), several
can; the hosts are told, on their socket even when they open it later, and may lift it (audited)."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from core.models import RateLimitHit
from lobby.services import BROWSER_SHARE_OF_ROOM
from rooms.models import Lecture, Room
from rooms.services import set_room_pin
from tests.lobby.conftest import knock, post_json
from tests.lobby.test_consumers import host_cookie, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

HALL = "10.30.0.1"


def a_minute_passes() -> None:
    """Age every recorded PIN failure by a minute and a bit: the per-minute budgets refill."""
    RateLimitHit.objects.update(created_at=timezone.now() - timedelta(seconds=61))


def pause_pin_entry(room: Room) -> None:
    """Four browsers in the hall, three wrong PINs each: the tenth counted failure pauses the room."""
    for browser in range(4):
        for attempt in range(BROWSER_SHARE_OF_ROOM):
            response = knock(Client(REMOTE_ADDR=HALL), room, fingerprint=f"fp-guess-{browser:04d}", pin=f"9{attempt}99")
            assert response.status_code == 403, response.content
            if AuditEvent.objects.filter(room=room, action="pin.paused").exists():
                return


def test_one_browser_cannot_pause_the_rooms_pin_entry_alone(room: Room, live_lecture: Lecture) -> None:
    set_room_pin(room=room, pin="4242")
    guesser = Client(REMOTE_ADDR=HALL)
    for minute in range(2):
        for attempt in range(5):
            assert knock(guesser, room, pin=f"{minute}{attempt}00").status_code == 403
        assert knock(guesser, room, pin="0000").status_code == 429  # its minute's budget
        a_minute_passes()
    # ten misses this hour: this browser waits the hour out, and only this browser
    locked_out = knock(guesser, room, pin="4242")
    assert locked_out.status_code == 429 and int(locked_out["Retry-After"]) > 60
    assert "paused" not in locked_out.json()["detail"]
    classmate = knock(Client(REMOTE_ADDR=HALL), room, name="Alan", fingerprint="fp-classmate-01", pin="4242")
    assert classmate.status_code == 202
    assert not AuditEvent.objects.filter(room=room, action="pin.paused").exists()


async def test_several_browsers_pause_it_the_host_is_told_and_lifts_it(
    room: Room, live_lecture: Lecture, host_client: Client
) -> None:
    await sync_to_async(set_room_pin)(room=room, pin="4242")
    await sync_to_async(pause_pin_entry)(room)
    refused = await sync_to_async(knock)(Client(), room, name="Alan", fingerprint="fp-alan-000001", pin="4242")
    assert refused.status_code == 429 and "paused" in refused.json()["detail"]

    # a host who opens the room now still hears about the pause
    ws, connected = await open_socket(f"/ws/rooms/{room.code}/host/", host_cookie(host_client))
    assert connected
    assert (await ws.receive_json_from())["type"] == "lobby.snapshot"
    paused = await ws.receive_json_from()
    assert paused == {"type": "security.pin_paused", "message": "Too many wrong PINs: PIN entry is paused for an hour."}
    await ws.receive_json_from()  # hands

    lifted = await sync_to_async(post_json)(host_client, f"/api/v1/rooms/{room.code}/pin-pause/lift")
    assert lifted.status_code == 200 and lifted.json() == {"lifted": True}
    resumed = await ws.receive_json_from(timeout=5)
    assert resumed["type"] == "security.pin_resumed" and "enter the PIN again" in resumed["message"]
    await ws.disconnect()

    admitted = await sync_to_async(knock)(Client(), room, name="Alan", fingerprint="fp-alan-000001", pin="4242")
    assert admitted.status_code == 202
    again = await sync_to_async(post_json)(host_client, f"/api/v1/rooms/{room.code}/pin-pause/lift")
    assert again.json() == {"lifted": False}
    events: list[AuditEvent] = await sync_to_async(
        lambda: list(AuditEvent.objects.filter(room=room, action="pin.pause_lifted"))
    )()
    assert len(events) == 1 and events[0].actor_label == "prof@uni.example"


def test_students_cannot_lift_the_pause(room: Room, live_lecture: Lecture, waiting_guest: Client) -> None:
    set_room_pin(room=room, pin="4242")
    pause_pin_entry(room)
    assert post_json(waiting_guest, f"/api/v1/rooms/{room.code}/pin-pause/lift").status_code == 403
    assert knock(Client(), room, name="Alan", fingerprint="fp-alan-000001", pin="4242").status_code == 429
