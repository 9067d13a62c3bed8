"""The lobby websockets through Channels' WebsocketCommunicator, on the project's ASGI application
(so the Origin check and cookie authentication are the real ones)."""

from http.cookies import SimpleCookie

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from lobby.models import LobbyEntry
from lobby.services import admit_guest, get_entry, message_waiting, reject_guest
from participants.access import Actor
from rooms.models import Room
from tests.lobby.conftest import knock

pytestmark = [pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def HOST(user) -> Actor:
    return Actor(user=user, role="host")


def cookie_header(client: Client) -> tuple[bytes, bytes]:
    jar = SimpleCookie()
    for name, morsel in client.cookies.items():
        jar[name] = morsel.value
    return (b"cookie", "; ".join(f"{k}={v.value}" for k, v in jar.items()).encode())


async def open_socket(path: str, *headers: tuple[bytes, bytes]) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, *headers])
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


def host_cookie(host_client: Client) -> tuple[bytes, bytes]:
    return cookie_header(host_client)


async def test_waiting_guest_hears_waiting_then_only_its_own_admission(room: Room, live_lecture, host) -> None:
    from asgiref.sync import sync_to_async

    grace, alan = Client(), Client()
    await sync_to_async(knock)(grace, room, name="Grace", fingerprint="fp-grace-0001")
    await sync_to_async(knock)(alan, room, name="Alan", fingerprint="fp-alan-00001")
    grace_ws, ok1 = await open_socket(f"/ws/lobby/{room.code}/", cookie_header(grace))
    alan_ws, ok2 = await open_socket(f"/ws/lobby/{room.code}/", cookie_header(alan))
    assert ok1 and ok2
    assert await grace_ws.receive_json_from() == {"type": "lobby.status", "status": "waiting"}
    assert await alan_ws.receive_json_from() == {"type": "lobby.status", "status": "waiting"}

    entry = await sync_to_async(LobbyEntry.objects.get)(guest__display_name="Grace")
    await sync_to_async(lambda: admit_guest(entry=get_entry(room=room, entry_id=entry.pk), by=HOST(host)))()
    admitted = await grace_ws.receive_json_from(timeout=5)
    assert admitted["status"] == "admitted" and admitted["token"] and admitted["identity"].startswith("guest-")
    assert await alan_ws.receive_nothing(timeout=0.5)

    # a reconnect re-sends the status, with a fresh token
    await grace_ws.disconnect()
    again, ok = await open_socket(f"/ws/lobby/{room.code}/", cookie_header(grace))
    assert ok
    resent = await again.receive_json_from()
    assert resent["status"] == "admitted" and resent["identity"] != admitted["identity"]
    await again.disconnect()
    await alan_ws.disconnect()


async def test_rejected_guest_hears_the_hosts_words_and_waiting_guests_hear_messages(
    room: Room, live_lecture, host
) -> None:
    from asgiref.sync import sync_to_async

    grace = Client()
    await sync_to_async(knock)(grace, room)
    ws, _ = await open_socket(f"/ws/lobby/{room.code}/", cookie_header(grace))
    await ws.receive_json_from()
    await sync_to_async(message_waiting)(room=room, by=HOST(host), message="Starting in 2 minutes")
    assert await ws.receive_json_from() == {
        "type": "lobby.status",
        "status": "waiting",
        "message": "Starting in 2 minutes",
    }
    entry = await sync_to_async(LobbyEntry.objects.get)()
    await sync_to_async(
        lambda: reject_guest(entry=get_entry(room=room, entry_id=entry.pk), by=HOST(host), message="Wrong section")
    )()
    assert await ws.receive_json_from() == {"type": "lobby.status", "status": "rejected", "message": "Wrong section"}
    await ws.disconnect()


async def test_lobby_socket_without_a_guest_session_is_refused(room: Room, live_lecture) -> None:
    _, connected = await open_socket(f"/ws/lobby/{room.code}/")
    assert not connected


async def test_lobby_socket_from_a_foreign_origin_is_refused(room: Room, live_lecture) -> None:
    from asgiref.sync import sync_to_async

    grace = Client()
    await sync_to_async(knock)(grace, room)
    communicator = WebsocketCommunicator(
        application, f"/ws/lobby/{room.code}/", headers=[(b"origin", b"https://evil.example"), cookie_header(grace)]
    )
    connected, _ = await communicator.connect(timeout=5)
    assert not connected


async def test_host_socket_sees_knocks_live_and_answers_bad_frames(room: Room, live_lecture, host_client) -> None:
    from asgiref.sync import sync_to_async

    ws, connected = await open_socket(f"/ws/rooms/{room.code}/host/", host_cookie(host_client))
    assert connected
    assert await ws.receive_json_from() == {"type": "lobby.snapshot", "waiting": []}
    assert await ws.receive_json_from() == {"type": "hands.changed", "hands": []}
    await sync_to_async(knock)(Client(), room, name="Ada <script>")  # refused: HTML in names
    await sync_to_async(knock)(Client(), room, name="Grace")
    knock_event = await ws.receive_json_from(timeout=5)
    assert knock_event["type"] == "lobby.knock" and knock_event["entry"]["display_name"] == "Grace"
    await ws.send_to(text_data="{not json")
    assert (await ws.receive_json_from())["type"] == "error"
    await ws.send_json_to({"type": "ping"})
    assert await ws.receive_json_from() == {"type": "pong"}
    await ws.disconnect()


async def test_host_socket_refuses_other_hosts_and_guests(room: Room, live_lecture, outsider_client) -> None:
    from asgiref.sync import sync_to_async

    _, connected = await open_socket(f"/ws/rooms/{room.code}/host/", host_cookie(outsider_client))
    assert not connected
    grace = Client()
    await sync_to_async(knock)(grace, room)
    _, connected = await open_socket(f"/ws/rooms/{room.code}/host/", cookie_header(grace))
    assert not connected
