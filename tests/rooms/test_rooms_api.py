import json
import re

import jwt
import pytest
from django.test import Client

from rooms import livekit_server
from rooms.models import Lecture, Room

pytestmark = pytest.mark.django_db


def post_json(client: Client, url: str, data: object = None, **extra):
    body = data if isinstance(data, str) else json.dumps(data or {})
    return client.post(url, body, content_type="application/json", **extra)


def test_host_creates_a_room_with_a_random_invite_code(host_client: Client) -> None:
    response = post_json(host_client, "/api/v1/rooms", {"title": "CS 101", "pin": "1234", "webinar": True})
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[a-z]{3}-[a-z]{4}-[a-z]{3}", body["code"])
    assert body["invite_url"].endswith(f"/j/{body['code']}")
    assert body["requires_pin"] is True and body["webinar"] is True and body["lobby"] is True
    assert body["status"] == "scheduled"
    assert set(body) == {
        "id",
        "code",
        "invite_url",
        "title",
        "lobby",
        "webinar",
        "ai_assistant",
        "requires_pin",
        "pin",
        "status",
    }
    assert body["pin"] == "1234"  # the host reads it again (tests/rooms/test_room_pin.py: nobody else)
    room = Room.objects.get(code=body["code"])
    assert room.pin_hash.startswith("$2") and "1234" not in room.pin_hash


def test_invite_codes_are_not_sequential(host_client: Client) -> None:
    codes = {post_json(host_client, "/api/v1/rooms", {"title": f"Room {i}"}).json()["code"] for i in range(20)}
    assert len(codes) == 20


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "pin": "12"}, "pin"),
        ({"title": "ok", "pin": "abcd"}, "pin"),
        ({"title": "bad\x07title"}, "control"),
        ("{not json", "JSON"),
    ],
)
def test_bad_room_input_is_a_clear_400(host_client: Client, payload: object, fragment: str) -> None:
    response = post_json(host_client, "/api/v1/rooms", payload)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
    assert not Room.objects.exists()


def test_host_lists_only_their_own_rooms(host_client: Client, room: Room, outsider) -> None:
    Room.objects.create(host=outsider, title="Someone else's")
    response = host_client.get("/api/v1/rooms")
    assert response.status_code == 200
    assert [r["code"] for r in response.json()] == [room.code]


def test_anonymous_gets_401_from_host_routes(client: Client, room: Room) -> None:
    assert client.get("/api/v1/rooms").status_code == 401
    assert post_json(client, "/api/v1/rooms", {"title": "x"}).status_code == 401
    assert post_json(client, f"/api/v1/rooms/{room.code}/token").status_code == 401
    assert client.get(f"/api/v1/rooms/{room.code}").json() == {"detail": "Log in first."}


def test_host_cannot_get_a_token_for_another_hosts_room(outsider_client: Client, room: Room) -> None:
    response = post_json(outsider_client, f"/api/v1/rooms/{room.code}/token")
    assert response.status_code == 403
    assert not Lecture.objects.exists()
    assert outsider_client.get(f"/api/v1/rooms/{room.code}").status_code == 403


def test_unknown_room_is_404(host_client: Client) -> None:
    response = post_json(host_client, "/api/v1/rooms/zzz-zzzz-zzz/token")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_public_view_says_only_title_pin_and_status(client: Client, room: Room) -> None:
    response = client.get(f"/api/v1/rooms/{room.code}/public")
    assert response.json() == {"title": room.title, "requires_pin": False, "status": "scheduled"}


def test_unsafe_api_call_without_csrf_token_is_refused(host) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(host)
    response = post_json(client, "/api/v1/rooms", {"title": "CS 101"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Room.objects.exists()


def test_openapi_schema_is_served(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/rooms/{code}/token" in response.json()["paths"]


def test_host_token_opens_the_room_with_explicit_grants(host_client: Client, room: Room, livekit) -> None:
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/token")
    assert response.status_code == 200
    body = response.json()
    room.refresh_from_db()
    lecture = Lecture.objects.get(room=room)
    assert room.status == "live" and lecture.status == "live"
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    video = claims["video"]
    assert video["room"] == lecture.livekit_room and video["roomJoin"] is True
    assert video["canPublish"] is True and video["roomAdmin"] is False and video["roomCreate"] is False
    assert claims["sub"] == body["identity"]
    assert claims["exp"] - claims["nbf"] <= 120
    assert lecture.livekit_room in [r.name for r in livekit_server.list_rooms()]


def test_every_token_has_its_own_identity(host_client: Client, room: Room, livekit) -> None:
    first = post_json(host_client, f"/api/v1/rooms/{room.code}/token").json()
    second = post_json(host_client, f"/api/v1/rooms/{room.code}/token").json()
    assert first["identity"] != second["identity"]
    assert Lecture.objects.filter(room=room).count() == 1


def test_end_closes_the_lecture_and_the_next_opening_starts_a_new_one(
    host_client: Client, room: Room, livekit, django_capture_on_commit_callbacks
) -> None:
    post_json(host_client, f"/api/v1/rooms/{room.code}/token")
    first = Lecture.objects.get(room=room)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(host_client, f"/api/v1/rooms/{room.code}/end")
    assert response.status_code == 200
    first.refresh_from_db()
    room.refresh_from_db()
    assert first.status == "ended" and first.ended_at is not None and room.status == "ended"
    assert first.livekit_room not in [r.name for r in livekit_server.list_rooms()]
    post_json(host_client, f"/api/v1/rooms/{room.code}/token")
    assert Lecture.objects.filter(room=room).count() == 2


def test_token_route_says_503_when_livekit_is_down(host_client: Client, room: Room, settings) -> None:
    settings.LIVEKIT_URL = "ws://127.0.0.1:9"
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/token")
    assert response.status_code == 503
    assert "video server" in response.json()["detail"]
    room.refresh_from_db()
    assert room.status == "scheduled" and not Lecture.objects.exists()


def test_new_rooms_follow_the_admins_ai_default(host_client: Client) -> None:
    from core.models import AISettings

    row = AISettings.load()
    row.ai_assistant_default = False
    row.save()
    assert post_json(host_client, "/api/v1/rooms", {"title": "Quiet"}).json()["ai_assistant"] is False
    assert post_json(host_client, "/api/v1/rooms", {"title": "On", "ai_assistant": True}).json()["ai_assistant"] is True
