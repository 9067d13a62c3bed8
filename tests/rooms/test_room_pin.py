"""The room PIN: its hosts read and copy it again (dashboard, edit page, room page, host API);
students, outsiders and admins never get it, from any page or API answer."""

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from accounts.models import User
from lectures.life import open_room
from lobby.models import LobbyEntry
from participants.models import CoHost
from rooms.models import Room
from rooms.pins import readable_pin
from rooms.services import check_pin, create_room, set_room_pin

pytestmark = pytest.mark.django_db

PIN = "731952"
ROLES = ("anonymous", "outsider", "admin", "host", "cohost", "student", "waiting")
PAGES = (
    "/",
    "/api/v1/rooms",
    "/api/v1/rooms/{code}",
    "/api/v1/rooms/{code}/public",
    "/rooms/{code}/",
    "/rooms/{code}/edit/",
    "/j/{code}",
    "/admin/rooms/{code}/",
)
# Who reads the PIN where: every other role × page pair must not contain it.
SEES_THE_PIN = {
    ("host", "/"),
    ("host", "/api/v1/rooms"),
    ("host", "/api/v1/rooms/{code}"),
    ("host", "/rooms/{code}/"),
    ("host", "/rooms/{code}/edit/"),
    ("cohost", "/api/v1/rooms/{code}"),
    ("cohost", "/rooms/{code}/"),
}


def join(client: Client, room: Room, name: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/rooms/{room.code}/join",
        json.dumps({"display_name": name, "fingerprint": f"fp-{name.lower()}-pin-test", **body}),
        content_type="application/json",
    )


@pytest.fixture
def pin_room(livekit: None) -> tuple[Room, dict[str, Client], list[bytes]]:
    """A live PIN room; a client per role; the answers the students' knocks and rejoin got."""
    host = User.objects.create_user("prof@uni.example", "x-Long-passphrase-1")
    cohost = User.objects.create_user("ta@uni.example", "x-Long-passphrase-1")
    outsider = User.objects.create_user("other@uni.example", "x-Long-passphrase-1")
    admin = User.objects.create_user(
        "admin@uni.example", "x-Long-passphrase-1", role=User.Role.ADMIN, is_staff=True, is_superuser=True
    )
    room = create_room(host=host, title="Number theory", pin=PIN)
    open_room(room=room)
    CoHost.objects.create(room=room, user=cohost, granted_by=host)
    clients = {"anonymous": Client()}
    for role, user in (("host", host), ("cohost", cohost), ("outsider", outsider), ("admin", admin)):
        clients[role] = Client()
        clients[role].force_login(user)
    answers = []
    for role in ("student", "waiting"):
        clients[role] = Client(REMOTE_ADDR=f"10.7.0.{len(role)}")
        knock = join(clients[role], room, role.title(), pin=PIN)
        assert knock.status_code == 202, knock.content
        answers.append(knock.content)
    entry = LobbyEntry.objects.get(guest__display_name="Student", status="pending")
    admitted = clients["host"].post(f"/api/v1/rooms/{room.code}/lobby/{entry.pk}/admit", "{}", "application/json")
    assert admitted.status_code == 200
    rejoin = clients["student"].post(f"/api/v1/rooms/{room.code}/rejoin", "{}", "application/json")
    assert rejoin.status_code == 200
    answers.append(rejoin.content)
    return room, clients, answers


def test_only_the_rooms_host_and_co_hosts_read_its_pin_anywhere(
    pin_room: tuple[Room, dict[str, Client], list[bytes]],
) -> None:
    room, clients, answers = pin_room
    seen = set()
    for role in ROLES:
        for page in PAGES:
            response = clients[role].get(page.format(code=room.code))
            assert response.status_code < 500
            if PIN.encode() in response.content:
                seen.add((role, page))
    assert seen == SEES_THE_PIN
    assert not any(PIN.encode() in answer for answer in answers)
    assert clients["host"].get(f"/api/v1/rooms/{room.code}").json()["pin"] == PIN


def test_the_pin_is_stored_hashed_and_sealed_never_in_clear(host: User) -> None:
    room = create_room(host=host, title="CS 101", pin=PIN)
    room.refresh_from_db()
    assert PIN not in room.pin_hash and PIN not in room.pin_sealed
    assert check_pin(room=room, pin=PIN) and readable_pin(room) == PIN
    with override_settings(SECRET_KEY="another-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"):
        # a new SECRET_KEY cannot open the old copy: the PIN still works, its hosts must set it again
        assert readable_pin(room) is None and check_pin(room=room, pin=PIN)
    set_room_pin(room=room, pin=None)
    room.refresh_from_db()
    assert (room.pin_hash, room.pin_sealed, readable_pin(room)) == ("", "", None)


def test_a_pin_set_before_pins_were_kept_readable_says_change_it_and_still_works(
    host: User, host_client: Client
) -> None:
    room = create_room(host=host, title="CS 101", pin=PIN)
    Room.objects.filter(pk=room.pk).update(pin_sealed="")  # as migration 0007 leaves older rooms
    body = host_client.get(f"/api/v1/rooms/{room.code}").json()
    assert body["requires_pin"] is True and body["pin"] is None
    dashboard = host_client.get("/").content.decode()
    assert "change it to see it" in dashboard and f"/rooms/{room.code}/edit/#id_new_pin" in dashboard
    assert check_pin(room=Room.objects.get(pk=room.pk), pin=PIN)  # the hash still admits

    response = host_client.post(f"/rooms/{room.code}/edit/", {"title": "CS 101", "new_pin": "246810"})
    assert response.status_code == 302
    edit = host_client.get(f"/rooms/{room.code}/edit/").content.decode()
    assert "246810" in edit and "Copy the PIN of CS 101" in edit and "change it to see it" not in edit
