"""A lecture hall behind one NAT address gets in; a guesser, a removed student and a ban evader do not.

The policy (docs/security.md): wrong PINs spend the browser's budget (5 a minute) and the network's
(30 a minute) in that room only, never the budget of other rooms; unknown invite codes are limited
per address but never block a real room; removed students and newcomers from a banned student's
address wait in the lobby even in rooms without one; a host may extend a ban to the network.
"""

import pytest
from django.test import Client

from lobby.models import LobbyEntry
from lobby.services import guest_status
from participants.models import GuestSession
from rooms.models import Room
from rooms.services import hash_pin
from tests.moderation.conftest import admit_student, post_json

pytestmark = pytest.mark.django_db(transaction=True)

HALL = "10.20.30.40"


def join(room: Room, name: str, fingerprint: str, ip: str = HALL, client: Client | None = None, **fields):
    client = client or Client(REMOTE_ADDR=ip)
    return post_json(
        client, f"/api/v1/rooms/{room.code}/join", {"display_name": name, "fingerprint": fingerprint, **fields}
    )


def test_a_guesser_behind_the_halls_address_is_stopped_and_the_hall_still_gets_in(room: Room, lecture) -> None:
    Room.objects.filter(pk=room.pk).update(pin_hash=hash_pin("424242"))
    guesser = Client(REMOTE_ADDR=HALL)
    for attempt in range(5):
        assert join(room, "Guesser", "fp-guesser-0001", client=guesser, pin=f"00000{attempt}").status_code == 403
    assert join(room, "Guesser", "fp-guesser-0001", client=guesser, pin="000009").status_code == 429
    for i in range(25):
        response = join(room, f"Student {i}", f"fp-hall-{i:06d}", pin="424242")
        assert response.status_code == 202, (i, response.content)


def test_a_kicked_student_in_a_room_without_lobby_waits_for_the_host(host_client: Client, room: Room, lecture) -> None:
    Room.objects.filter(pk=room.pk).update(lobby=False)
    student = admit_student(host_client, room, "Mallory", "fp-mallory-0001")
    kicked = post_json(host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick")
    assert kicked.status_code == 200
    again = join(room, "Mallory", "fp-mallory-0001", client=student.client)
    assert again.status_code == 202 and again.json()["status"] == "waiting"
    assert "token" not in again.json()
    assert LobbyEntry.objects.filter(guest__fingerprint="fp-mallory-0001", status="pending").exists()


def test_a_kicked_students_socket_says_removed_not_waiting(host_client: Client, room: Room, lecture) -> None:
    student = admit_student(host_client, room, "Mallory", "fp-mallory-0002")
    post_json(host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick")
    status = guest_status(guest=GuestSession.objects.get(fingerprint="fp-mallory-0002"))
    assert status["status"] == "rejected"
    assert "removed" in status["message"]


def test_a_ban_evader_from_the_banned_address_waits_in_the_lobby(host_client: Client, room: Room, lecture) -> None:
    Room.objects.filter(pk=room.pk).update(lobby=False)
    student = admit_student(host_client, room, "Mallory", "fp-mallory-0003")  # from 10.9.0.1
    post_json(host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick", {"ban": True})
    # a fresh browser: new fingerprint, no cookie, same address
    evader = join(room, "Totally New", "fp-fresh-browser-1", ip="10.9.0.1")
    assert evader.status_code == 202 and evader.json()["status"] == "waiting"
    # someone from another network still walks straight in
    assert join(room, "Grace", "fp-grace-000001", ip="10.1.1.1").status_code == 200


def test_a_network_ban_refuses_the_whole_address(host_client: Client, room: Room, lecture) -> None:
    student = admit_student(host_client, room, "Mallory", "fp-mallory-0004")  # from 10.9.0.1
    response = post_json(
        host_client, f"/api/v1/rooms/{room.code}/participants/{student.identity}/kick", {"ban": True, "network": True}
    )
    assert response.status_code == 200
    assert join(room, "Someone", "fp-someone-00001", ip="10.9.0.1").status_code == 403
    assert join(room, "Grace", "fp-grace-000002", ip="10.1.1.1").status_code == 202
