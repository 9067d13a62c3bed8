"""Scheduling lectures: one-off and weekly in the room's home time zone, validation, cancelling,
and opening the room near a scheduled time starts that lecture."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from courses.models import Reminder, ScheduledLecture
from lectures.life import end_lecture, open_room
from rooms.models import Room
from tests.courses.conftest import post, run_worker

BERLIN = ZoneInfo("Europe/Berlin")


def schedule(client: Client, room: Room, **body: Any) -> Any:
    return post(client, f"/api/v1/rooms/{room.code}/schedule", body)


def soon(minutes: int = 60) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def test_host_schedules_a_one_off_lecture(host_client: Client, room: Room) -> None:
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = schedule(host_client, room, starts_at=starts.isoformat(), duration_minutes=90, title="Heaps")
    assert response.status_code == 201, response.content
    (row,) = response.json()
    assert row["status"] == "scheduled" and row["title"] == "Heaps"
    assert datetime.fromisoformat(row["starts_at"]) == starts
    assert datetime.fromisoformat(row["ends_at"]) == starts + timedelta(minutes=90)

    listed = host_client.get(f"/api/v1/rooms/{room.code}/schedule").json()
    assert [(s["id"], s["status"]) for s in listed] == [(row["id"], "scheduled")]


def test_weekly_lecture_stays_at_nine_across_the_daylight_saving_change(co_host_client: Client, room: Room) -> None:
    # Berlin leaves summer time on Sunday 31 October 2027.
    response = schedule(
        co_host_client,
        room,
        starts_at="2027-10-25T09:00:00+02:00",
        duration_minutes=90,
        timezone="Europe/Berlin",
        repeat={"weekdays": ["mon", "wed"], "until": "2027-11-10"},
    )
    assert response.status_code == 201, response.content
    starts = [datetime.fromisoformat(r["starts_at"]) for r in response.json()]
    assert [s.astimezone(BERLIN).strftime("%a %d %H:%M") for s in starts] == [
        "Mon 25 09:00",
        "Wed 27 09:00",
        "Mon 01 09:00",
        "Wed 03 09:00",
        "Mon 08 09:00",
        "Wed 10 09:00",
    ]
    assert {s.astimezone(UTC).hour for s in starts[:2]} == {7}
    assert {s.astimezone(UTC).hour for s in starts[2:]} == {8}
    assert len({s.series for s in ScheduledLecture.objects.all()}) == 1


def test_the_rooms_home_time_zone_is_the_default(host_client: Client, room: Room) -> None:
    response = host_client.patch(
        f"/api/v1/rooms/{room.code}/course", '{"timezone": "America/New_York"}', content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["timezone"] == "America/New_York"
    # New York leaves summer time on 7 November 2027
    response = schedule(
        host_client,
        room,
        starts_at="2027-11-01T10:00:00-04:00",
        duration_minutes=60,
        repeat={"weekdays": ["mon"], "until": "2027-11-08"},
    )
    hours = [
        datetime.fromisoformat(r["starts_at"]).astimezone(ZoneInfo("America/New_York")).hour for r in response.json()
    ]
    assert hours == [10, 10]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"repeat": {"weekdays": ["mon"], "until": "2020-01-01"}}, "until is before"),
        ({"repeat": {"weekdays": ["mon", "tue", "wed", "thu", "fri"], "until": "2040-01-01"}}, "more than 200"),
        ({"duration_minutes": 4}, "duration_minutes"),
        ({"duration_minutes": 601}, "duration_minutes"),
        ({"repeat": {"weekdays": ["someday"], "until": "2040-01-01"}}, "weekdays"),
        ({"starts_at": "2020-01-01T09:00:00+00:00"}, "in the past"),
        ({"title": "a\u202etxt.exe"}, "title"),
    ],
)
def test_bad_schedules_get_a_clear_400(host_client: Client, room: Room, body: dict[str, Any], detail: str) -> None:
    payload = {"starts_at": soon(), "duration_minutes": 60, **body}
    response = schedule(host_client, room, **payload)
    assert response.status_code == 400, response.content
    assert detail in response.json()["detail"]
    assert not ScheduledLecture.objects.exists()


def test_only_hosts_and_co_hosts_schedule(outsider_client: Client, room: Room) -> None:
    body = {"starts_at": soon(), "duration_minutes": 60}
    assert schedule(outsider_client, room, **body).status_code == 403
    assert schedule(Client(), room, **body).status_code == 401
    assert post(outsider_client, "/api/v1/rooms/zzz-zzzz-zzz/schedule", body).status_code == 404
    assert outsider_client.get(f"/api/v1/rooms/{room.code}/schedule").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_cancelling_tells_the_roster_and_the_reason_stays(
    host_client: Client, outsider_client: Client, room: Room, students: list[dict[str, str]]
) -> None:
    post(host_client, f"/api/v1/rooms/{room.code}/roster", students)
    (row,) = schedule(host_client, room, starts_at=soon(24 * 60 * 3), duration_minutes=60).json()
    run_worker()
    mail.outbox.clear()

    assert post(outsider_client, f"/api/v1/lectures/{row['id']}/cancel", {"reason": "Ill"}).status_code == 403
    response = post(host_client, f"/api/v1/lectures/{row['id']}/cancel", {"reason": "The professor is ill."})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s["email"] for s in students)
    assert all("The professor is ill." in m.body for m in mail.outbox)
    assert Reminder.objects.filter(kind="cancelled", status="sent").count() == 3

    again = post(host_client, f"/api/v1/lectures/{row['id']}/cancel", {"reason": "again"})
    assert again.status_code == 409
    assert post(host_client, "/api/v1/lectures/999999/cancel", {"reason": "x"}).status_code == 404
    listed = host_client.get(f"/api/v1/rooms/{room.code}/schedule").json()
    assert listed[0]["status"] == "cancelled" and listed[0]["cancel_reason"] == "The professor is ill."


@pytest.mark.django_db(transaction=True)
def test_opening_the_room_near_a_scheduled_time_starts_that_lecture(
    livekit: None, host_client: Client, room: Room
) -> None:
    (near,) = schedule(host_client, room, starts_at=soon(20), duration_minutes=60, title="Graphs").json()
    (later,) = schedule(host_client, room, starts_at=soon(5 * 60), duration_minutes=60).json()

    lecture = open_room(room=room)
    scheduled = ScheduledLecture.objects.get(pk=near["id"])
    assert scheduled.status == "live" and scheduled.lecture_id == lecture.pk
    lecture.refresh_from_db()
    assert lecture.title == "Graphs"
    assert ScheduledLecture.objects.get(pk=later["id"]).status == "scheduled"

    end_lecture(room=room)
    scheduled.refresh_from_db()
    assert scheduled.status == "completed"
    # opened again, far from any scheduled time: an ad-hoc lecture
    adhoc = open_room(room=room)
    assert not ScheduledLecture.objects.filter(lecture=adhoc).exists()
    assert ScheduledLecture.objects.get(pk=later["id"]).status == "scheduled"
    end_lecture(room=room)


def test_the_course_page_shows_upcoming_and_past_lectures(
    host_client: Client, outsider_client: Client, room: Room, students: list[dict[str, str]]
) -> None:
    schedule(host_client, room, starts_at=soon(120), duration_minutes=60, title="Hashing")
    (gone,) = schedule(host_client, room, starts_at=soon(240), duration_minutes=60, title="Tries").json()
    post(host_client, f"/api/v1/lectures/{gone['id']}/cancel", {"reason": "Snow day"})
    post(host_client, f"/api/v1/rooms/{room.code}/roster", students)
    page = host_client.get(f"/courses/{room.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    upcoming_part, past_part = html.split("<h2>Past</h2>")
    assert "Hashing" in upcoming_part and "starts in 1\xa0hour" in upcoming_part
    assert "Tries" in past_part and "Snow day" in past_part
    assert "grace@student.example" in html and "/calendar/" in html
    assert outsider_client.get(f"/courses/{room.code}/").status_code == 403
    assert host_client.get("/").content.decode().count(f"/courses/{room.code}/") == 1


@pytest.mark.django_db(transaction=True)
def test_a_lecture_the_video_server_refused_leaves_its_schedule_waiting(
    host_client: Client, room: Room, settings: Any
) -> None:
    (near,) = schedule(host_client, room, starts_at=soon(10), duration_minutes=60).json()
    settings.LIVEKIT_URL = "ws://127.0.0.1:9"  # nothing listens there
    response = post(host_client, f"/api/v1/rooms/{room.code}/token", {})
    assert response.status_code == 503
    scheduled = ScheduledLecture.objects.get(pk=near["id"])
    assert scheduled.status == "scheduled" and scheduled.lecture_id is None
