"""The room's iCalendar feed: secret, revocable, one VEVENT per lecture with stable UIDs."""

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from accounts.models import User
from rooms.models import Room
from rooms.services import create_room
from tests.courses.conftest import post


def _events(body: bytes) -> list[Any]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_feed_round_trips_the_schedule_with_cancellations(host_client: Client, room: Room) -> None:
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    rows = post(
        host_client,
        f"/api/v1/rooms/{room.code}/schedule",
        {
            "starts_at": starts.isoformat(),
            "duration_minutes": 90,
            "title": "Sorting",
            "description": "Bring a laptop.",
            "repeat": {"weekdays": [starts.strftime("%a").lower()], "until": str((starts + timedelta(days=14)).date())},
        },
    ).json()
    assert len(rows) == 3
    post(host_client, f"/api/v1/lectures/{rows[1]['id']}/cancel", {"reason": "Holiday"})

    url = host_client.get(f"/api/v1/rooms/{room.code}/calendar").json()["ics_url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    student = Client()  # no login: the secret URL is the key
    response = student.get(f"/{path}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert [e.decoded("dtstart") for e in events] == [starts + timedelta(days=7 * i) for i in range(3)]
    assert [e.decoded("dtend") - e.decoded("dtstart") for e in events] == [timedelta(minutes=90)] * 3
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert str(events[0]["summary"]) == "Sorting" and "Bring a laptop." in str(events[0]["description"])
    assert "Holiday" in str(events[1]["description"])
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == 3
    assert [str(e["uid"]) for e in _events(student.get(f"/{path}").content)] == uids  # stable

    listed = host_client.get(f"/api/v1/rooms/{room.code}/schedule").json()
    one = student.get("/" + listed[0]["ics_url"].split("://", 1)[1].split("/", 1)[1])
    assert one.status_code == 200
    assert [str(e["uid"]) for e in _events(one.content)] == uids[:1]


def test_a_revoked_feed_url_stops_working(host_client: Client, outsider_client: Client, room: Room) -> None:
    old = host_client.get(f"/api/v1/rooms/{room.code}/calendar").json()["ics_url"]
    assert host_client.get(f"/api/v1/rooms/{room.code}/calendar").json()["ics_url"] == old
    assert outsider_client.get(f"/api/v1/rooms/{room.code}/calendar").status_code == 403
    assert post(outsider_client, f"/api/v1/rooms/{room.code}/calendar/revoke", {}).status_code == 403
    new = post(host_client, f"/api/v1/rooms/{room.code}/calendar/revoke", {}).json()["ics_url"]
    assert new != old
    client = Client()
    assert client.get("/" + old.split("://", 1)[1].split("/", 1)[1]).status_code == 404
    assert client.get("/" + new.split("://", 1)[1].split("/", 1)[1]).status_code == 200
    assert client.get("/calendar/guessed-token.ics").status_code == 404


def test_a_hosts_feed_holds_every_room(host_client: Client, host: User, room: Room) -> None:
    other = create_room(host=host, title="CS 102")
    for r in (room, other):
        post(
            host_client,
            f"/api/v1/rooms/{r.code}/schedule",
            {"starts_at": (timezone.now() + timedelta(days=1)).isoformat(), "duration_minutes": 60},
        )
    url = host_client.get("/api/v1/calendar").json()["ics_url"]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    events = _events(Client().get(path).content)
    assert sorted(str(e["summary"]) for e in events) == sorted([room.title, "CS 102"])
    renewed = post(host_client, "/api/v1/calendar/revoke", {}).json()["ics_url"]
    assert renewed != url and Client().get(path).status_code == 404
    assert Client().get("/api/v1/calendar").status_code == 401
