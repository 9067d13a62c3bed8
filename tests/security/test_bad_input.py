"""Each input that once reached PostgreSQL or a parser and came back as a 500 now gets a clear 4xx,
and display names cannot impersonate anyone."""

import json

import pytest
from django.test import Client

from rooms.models import Room
from tests.moderation.conftest import post_json

pytestmark = pytest.mark.django_db(transaction=True)


def patch_json(client: Client, url: str, data: object):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_nul_and_control_characters_in_a_room_title_are_refused_on_create_and_patch(
    host_client: Client, room: Room
) -> None:
    for title in ("CS\x00101", "CS\n101", "CS\u202e101"):
        assert post_json(host_client, "/api/v1/rooms", {"title": title}).status_code == 400
        response = patch_json(host_client, f"/api/v1/rooms/{room.code}", {"title": title})
        assert response.status_code == 400, response.content
        assert "detail" in response.json()
    room.refresh_from_db()
    assert room.title == "CS 101 — Data structures"


def test_nul_in_chat_lobby_message_or_search_is_a_400(host_client: Client, room: Room, lecture) -> None:
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/chat", {"text": "a\x00b"}).status_code == 400
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/lobby/message", {"message": "a\x00"}).status_code == 400
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/lobby/1/reject", {"message": "\x00"}).status_code == 400
    assert host_client.get(f"/api/v1/lectures/{lecture.pk}/transcript?q=a%00b").status_code == 400


def test_nul_in_a_path_is_a_400(host_client: Client, room: Room) -> None:
    assert host_client.get("/api/v1/rooms/abc%00def").status_code == 400
    assert post_json(host_client, f"/api/v1/rooms/{room.code}/participants/guest%00x/kick").status_code == 400
    assert Client().get("/j/abc%00def").status_code == 400


def test_a_form_body_without_a_boundary_is_a_400_not_a_crash(host, room: Room) -> None:
    browser = Client(enforce_csrf_checks=True)  # as a real browser session: the CSRF check reads the form
    browser.force_login(host)
    browser.cookies["csrftoken"] = "c" * 32  # no header: Django looks for the token in the form body
    response = browser.post(f"/api/v1/rooms/{room.code}/end", b"x", content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_body_over_the_upload_limit_is_a_413(host_client: Client, room: Room, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_json(host_client, f"/api/v1/rooms/{room.code}/chat", {"text": "x" * 5000})
    assert response.status_code == 413


@pytest.mark.parametrize(
    "name",
    ["\u2800", "\u3164", "\u3164\u3164 ", "\ufeff", "Ada\u202eorP", "Ada\u061c", "A\u200bda", "<b>Ada</b>", "\x00Ada"],
)
def test_invisible_blank_or_direction_changing_names_are_refused(room: Room, lecture, name: str) -> None:
    response = post_json(
        Client(), f"/api/v1/rooms/{room.code}/join", {"display_name": name, "fingerprint": "fp-x-000001"}
    )
    assert response.status_code == 400, (name, response.content)


def test_a_student_cannot_take_the_hosts_name_in_any_case_or_width(room: Room, lecture) -> None:
    host_name = room.host.display_name
    for name in (
        host_name,
        host_name.upper(),
        f"  {host_name}  ",
        "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in host_name),
    ):
        response = post_json(
            Client(), f"/api/v1/rooms/{room.code}/join", {"display_name": name, "fingerprint": "fp-y-000001"}
        )
        assert response.status_code == 400, name
        assert "hosts" in response.json()["detail"]


def test_names_are_stored_normalised(room: Room, lecture) -> None:
    response = post_json(
        Client(),
        f"/api/v1/rooms/{room.code}/join",
        {"display_name": "Ｇｒａｃｅ   Hopper", "fingerprint": "fp-z-000001"},
    )
    assert response.status_code in (200, 202)
    from participants.models import GuestSession

    assert GuestSession.objects.get(fingerprint="fp-z-000001").display_name == "Grace Hopper"
