"""Authorization as a table: every lecture URL × every role → the expected status.

The rule: the room's host and admins always; students who attended only while the host allows it
(never once banned); everyone else 404, so a lecture's existence is not revealed. Attendance is the
host's and admins' only.
"""

from typing import Any

import pytest
from django.test import Client

from chat.models import SharedFile
from rooms.models import Lecture, Room

pytestmark = pytest.mark.django_db

URLS = {
    "page": "/lectures/{id}/",
    "pdf": "/lectures/{id}/export.pdf",
    "vtt": "/lectures/{id}/transcript.vtt",
    "txt": "/lectures/{id}/transcript.txt",
    "csv": "/lectures/{id}/attendance.csv",
    "api": "/api/v1/lectures/{id}",
    "api_transcript": "/api/v1/lectures/{id}/transcript?q=graphs",
    "api_list": "/api/v1/lectures?room={code}",
    "file": "/lectures/files/{file}/",
}
ALL = dict.fromkeys(URLS, 200)
NONE = dict.fromkeys(URLS, 404)

# role -> (client fixture, attendees allowed?, expected status per URL)
TABLE = {
    "host": ("host_client", False, ALL),
    "admin": ("admin_client", False, ALL),
    "attendee, allowed": ("attendee_client", True, {**ALL, "csv": 404}),
    "attendee, not allowed": ("attendee_client", False, NONE),
    "guest never admitted, allowed": ("absent_guest_client", True, NONE),
    "banned attendee, allowed": ("banned_attendee_client", True, NONE),
    "another host": ("outsider_client", True, NONE),
    "co-host of the room": ("cohost_client", True, NONE),
    "anonymous": ("client", True, NONE),
}


@pytest.mark.parametrize("role", TABLE)
@pytest.mark.parametrize("url", URLS)
def test_lecture_urls_answer_each_role_as_the_rule_says(
    request: pytest.FixtureRequest, role: str, url: str, room: Room, lecture: Lecture, stored_file: SharedFile
) -> None:
    client_fixture, allowed, expected = TABLE[role]
    room.attendees_see_lecture = allowed
    room.save(update_fields=["attendees_see_lecture"])
    client: Client = request.getfixturevalue(client_fixture)
    response = client.get(URLS[url].format(id=lecture.pk, code=room.code, file=stored_file.pk))
    assert response.status_code == expected[url], response.content[:300]
    if response.status_code == 404 and url.startswith("api"):
        assert "detail" in response.json()


def test_unknown_lecture_is_404_even_for_admins(admin_client: Client) -> None:
    assert admin_client.get("/lectures/999999/").status_code == 404
    assert admin_client.get("/api/v1/lectures/999999").json() == {"detail": "No lecture here, or you may not see it."}


def test_lecture_list_of_an_unknown_room_is_404_and_without_room_is_400(host_client: Client) -> None:
    assert host_client.get("/api/v1/lectures?room=zzz-zzzz-zzz").status_code == 404
    response = host_client.get("/api/v1/lectures")
    assert response.status_code == 400
    assert "room" in response.json()["detail"]


@pytest.mark.parametrize(
    ("client_fixture", "status"),
    [("host_client", 302), ("admin_client", 302), ("attendee_client", 403), ("outsider_client", 404), ("client", 404)],
)
def test_only_hosts_and_admins_switch_attendee_access(
    request: pytest.FixtureRequest, client_fixture: str, status: int, allow_attendees: Room, lecture: Lecture
) -> None:
    client: Client = request.getfixturevalue(client_fixture)
    response = client.post(f"/lectures/{lecture.pk}/access", {"attendees_see_lecture": ""})
    assert response.status_code == status
    allow_attendees.refresh_from_db()
    assert allow_attendees.attendees_see_lecture is (status != 302)


@pytest.mark.parametrize(
    ("client_fixture", "status"),
    [("host_client", 200), ("admin_client", 200), ("outsider_client", 404), ("cohost_client", 404)],
)
def test_past_lectures_page_of_a_room_is_for_its_host_and_admins(
    request: pytest.FixtureRequest, client_fixture: str, status: int, room: Room, lecture: Lecture
) -> None:
    client: Client = request.getfixturevalue(client_fixture)
    assert client.get(f"/lectures/?room={room.code}").status_code == status


def test_past_lectures_page_sends_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get("/lectures/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_lecture_list_api_shows_hosts_every_lecture_newest_first(
    host_client: Client, room: Room, lecture: Lecture
) -> None:
    newer = Lecture.objects.create(
        room=room,
        title="Trees",
        livekit_room=f"{room.code}-newer",
        status=Lecture.Status.ENDED,
        started_at=lecture.started_at.replace(day=9),
        ended_at=lecture.ended_at.replace(day=9),  # type: ignore[union-attr]
    )
    body = host_client.get(f"/api/v1/lectures?room={room.code}").json()
    assert [item["id"] for item in body] == [newer.pk, lecture.pk]
    assert set(body[0]) == {"id", "room", "title", "started_at", "ended_at", "status"}
    assert body[1]["room"] == room.code and body[1]["status"] == "ended"


def test_lecture_list_api_shows_an_attendee_only_the_lectures_they_attended(
    attendee_client: Client, allow_attendees: Room, lecture: Lecture
) -> None:
    Lecture.objects.create(
        room=allow_attendees,
        title="Missed",
        livekit_room=f"{allow_attendees.code}-missed",
        status=Lecture.Status.ENDED,
        started_at=lecture.started_at.replace(day=9),
    )
    body = attendee_client.get(f"/api/v1/lectures?room={allow_attendees.code}").json()
    assert [item["id"] for item in body] == [lecture.pk]


def test_an_attendee_cannot_open_a_lecture_they_missed(
    attendee_client: Client, allow_attendees: Room, lecture: Lecture
) -> None:
    missed = Lecture.objects.create(
        room=allow_attendees,
        title="Missed",
        livekit_room=f"{allow_attendees.code}-missed",
        status=Lecture.Status.ENDED,
        started_at=lecture.started_at.replace(day=9),
    )
    assert attendee_client.get(f"/lectures/{missed.pk}/").status_code == 404


def test_lecture_detail_api_returns_the_contract_fields_and_the_summary(
    host_client: Client, room: Room, lecture: Lecture
) -> None:
    body: dict[str, Any] = host_client.get(f"/api/v1/lectures/{lecture.pk}").json()
    assert set(body) == {"id", "room", "title", "started_at", "ended_at", "summary", "status"}
    assert body["summary"]["topics"][0]["text"] == "Dijkstra's algorithm"
    assert body["room"] == room.code


def test_a_student_banned_later_course_wide_loses_the_lecture_page(
    attendee_client: Client, attendee: object, allow_attendees: Room, lecture: Lecture, host: object
) -> None:
    from participants.models import BannedEntry, GuestSession

    assert attendee_client.get(f"/lectures/{lecture.pk}/").status_code == 200
    guest = GuestSession.objects.get(pk=attendee.pk)  # type: ignore[attr-defined]
    BannedEntry.objects.create(host=allow_attendees.host, room=None, fingerprint=guest.fingerprint)
    assert attendee_client.get(f"/lectures/{lecture.pk}/").status_code == 404
