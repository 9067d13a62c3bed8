"""Changing a scheduled lecture (time, duration, title, description) and the lectures nobody held:
a scheduled lecture whose time passed without the room opening is "missed" and shown in Past."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from courses.models import ScheduledLecture
from rooms.models import Room
from rooms.services import create_room
from tests.courses.conftest import Clock, post, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def patch(client: Client, room: Room, scheduled_id: int, body: dict[str, Any]) -> Any:
    return client.patch(
        f"/api/v1/rooms/{room.code}/schedule/{scheduled_id}", json.dumps(body), content_type="application/json"
    )


def schedule(client: Client, room: Room, starts: Any, minutes: int = 60, **more: Any) -> ScheduledLecture:
    body = {"starts_at": starts.isoformat(), "duration_minutes": minutes, **more}
    response = post(client, f"/api/v1/rooms/{room.code}/schedule", body)
    assert response.status_code == 201, response.content
    return ScheduledLecture.objects.get(pk=response.json()[0]["id"])


def test_the_host_moves_a_lecture_and_the_reminders_follow_the_new_time(
    host_client: Client, room: Room, students: list[dict[str, str]], clock: Clock
) -> None:
    post(host_client, f"/api/v1/rooms/{room.code}/roster", students)
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    scheduled = schedule(host_client, room, starts)
    run_worker()  # the invites
    mail.outbox.clear()

    moved = starts + timedelta(days=1, hours=2)
    response = patch(
        host_client,
        room,
        scheduled.pk,
        {"starts_at": moved.isoformat(), "duration_minutes": 90, "title": "Heaps <b>2</b>", "description": "Room B"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Heaps <b>2</b>" and body["description"] == "Room B" and body["status"] == "scheduled"
    scheduled.refresh_from_db()
    assert (scheduled.starts_at, scheduled.ends_at) == (moved, moved + timedelta(minutes=90))
    assert scheduled.sequence == 1  # calendars replace the event

    # the reminder planned for the old time does not go out early; the one for the new time does
    clock.set(starts - timedelta(days=1) + timedelta(seconds=30))
    run_worker()
    assert not mail.outbox
    clock.set(moved - timedelta(days=1) + timedelta(seconds=30))
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s["email"] for s in students)

    only_title = patch(host_client, room, scheduled.pk, {"title": "Heaps"})
    assert only_title.status_code == 200 and only_title.json()["starts_at"].startswith(moved.date().isoformat())
    page = host_client.get(f"/courses/{room.code}/").content.decode()
    assert "Heaps" in page.split("<h2>Upcoming</h2>")[1].split("<h2>Past</h2>")[0]


def test_edits_are_checked_and_only_for_the_rooms_moderators(
    host_client: Client, co_host_client: Client, outsider_client: Client, room: Room, host: Any
) -> None:
    starts = timezone.now() + timedelta(days=1)
    scheduled = schedule(host_client, room, starts)
    assert patch(co_host_client, room, scheduled.pk, {"duration_minutes": 45}).status_code == 200
    assert patch(outsider_client, room, scheduled.pk, {"title": "Mine"}).status_code == 403
    assert patch(Client(), room, scheduled.pk, {"title": "Mine"}).status_code == 401
    assert patch(host_client, room, 999999, {"title": "x"}).status_code == 404
    other = create_room(host=host, title="Another course")
    assert patch(host_client, other, scheduled.pk, {"title": "x"}).status_code == 404  # not this room's lecture

    past = patch(host_client, room, scheduled.pk, {"starts_at": (timezone.now() - timedelta(hours=1)).isoformat()})
    assert past.status_code == 400 and "past" in past.json()["detail"]
    assert patch(host_client, room, scheduled.pk, {"duration_minutes": 2}).status_code == 400
    naive = patch(host_client, room, scheduled.pk, {"starts_at": "2099-01-05T09:00:00"})
    assert naive.status_code == 400 and "offset" in naive.json()["detail"]
    far = patch(host_client, room, scheduled.pk, {"starts_at": "9999-12-31T23:30:00+00:00"})
    assert far.status_code == 400 and "two years" in far.json()["detail"]
    body = {"starts_at": "9999-12-31T23:30:00+00:00", "duration_minutes": 60}
    assert post(host_client, f"/api/v1/rooms/{room.code}/schedule", body).status_code == 400

    # a lecture that has begun (the host is late) keeps its start and can still be retitled
    begun = timezone.now() - timedelta(minutes=5, seconds=20)
    ScheduledLecture.objects.filter(pk=scheduled.pk).update(starts_at=begun, ends_at=begun + timedelta(hours=1))
    same_minute = begun.replace(second=0).isoformat()  # what the course page's form sends back
    late = patch(host_client, room, scheduled.pk, {"starts_at": same_minute, "title": "Late start"})
    assert late.status_code == 200 and ScheduledLecture.objects.get(pk=scheduled.pk).starts_at == begun

    post(host_client, f"/api/v1/lectures/{scheduled.pk}/cancel", {"reason": "Ill"})
    cancelled = patch(host_client, room, scheduled.pk, {"title": "Back on"})
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json()["detail"]
    assert ScheduledLecture.objects.get(pk=scheduled.pk).title == "Late start"


def test_a_lecture_whose_time_passed_without_the_room_opening_is_missed_and_shown_in_past(
    host_client: Client, room: Room, clock: Clock
) -> None:
    missed = schedule(host_client, room, timezone.now() + timedelta(minutes=60), title="Tries")
    called_off = schedule(host_client, room, timezone.now() + timedelta(minutes=90), title="Snow")
    post(host_client, f"/api/v1/lectures/{called_off.pk}/cancel", {"reason": "Snow day"})
    later = schedule(host_client, room, timezone.now() + timedelta(days=7), title="Graphs")
    checks = DBTaskResult.objects.filter(task_path="courses.tasks.mark_missed_lectures")
    assert sorted(c.run_after for c in checks) == sorted(s.ends_at for s in (missed, called_off, later))

    clock.set(missed.ends_at - timedelta(minutes=1))
    run_worker()
    assert ScheduledLecture.objects.get(pk=missed.pk).status == "scheduled"  # not over yet
    clock.set(called_off.ends_at + timedelta(minutes=1))
    run_worker()
    statuses = {s["title"]: s["status"] for s in host_client.get(f"/api/v1/rooms/{room.code}/schedule").json()}
    assert statuses == {"Tries": "missed", "Snow": "cancelled", "Graphs": "scheduled"}

    page = host_client.get(f"/courses/{room.code}/").content.decode()
    past = page.split("<h2>Past</h2>")[1]
    card = past.split(f'data-scheduled="{missed.pk}"')[1].split("</div>")[0]
    assert "Tries" in card and ">Missed</span>" in card
    assert "Graphs" not in past
    assert patch(host_client, room, missed.pk, {"title": "Too late"}).status_code == 409


def test_the_course_page_edits_in_the_rooms_time_zone_and_cancels(
    host_client: Client, outsider_client: Client, room: Room, host: Any
) -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    assert patch_course(host_client, room, {"timezone": "Europe/Berlin"}).status_code == 200
    starts = (timezone.now() + timedelta(days=10)).astimezone(berlin).replace(hour=9, minute=0, second=0, microsecond=0)
    scheduled = schedule(host_client, room, starts, 90)
    page = host_client.get(f"/courses/{room.code}/").content.decode()
    assert f'value="{starts:%Y-%m-%dT%H:%M}"' in page and 'value="90"' in page  # local time, minutes

    url = f"/courses/{room.code}/lectures/{scheduled.pk}/"
    moved = starts + timedelta(days=1, hours=2)  # 11:00 in Berlin the next day
    form = {"starts_at": f"{moved:%Y-%m-%dT%H:%M}", "duration_minutes": "60", "title": "Tries", "description": ""}
    response = host_client.post(url + "edit", form)
    assert response.status_code == 302 and response["Location"] == f"/courses/{room.code}/"
    scheduled.refresh_from_db()
    assert scheduled.starts_at == moved and scheduled.starts_at.astimezone(berlin).hour == 11
    assert scheduled.duration_minutes == 60 and scheduled.title == "Tries"

    refused = host_client.post(url + "edit", {**form, "duration_minutes": "2"}, follow=True)
    assert "Not saved. Minutes:" in refused.content.decode()
    two_lines = host_client.post(url + "edit", {**form, "title": "Tries\nBcc: x@example.org"}, follow=True)
    assert "line breaks" in two_lines.content.decode()  # the API's rule: a title is one line (e-mail subjects)
    assert ScheduledLecture.objects.get(pk=scheduled.pk).title == "Tries"
    assert ScheduledLecture.objects.get(pk=scheduled.pk).duration_minutes == 60
    assert outsider_client.post(url + "edit", form).status_code == 403
    other = create_room(host=host, title="Another course")
    assert host_client.post(f"/courses/{other.code}/lectures/{scheduled.pk}/edit", form).status_code == 404

    assert host_client.post(url + "cancel", {"reason": ""}).status_code == 302
    assert ScheduledLecture.objects.get(pk=scheduled.pk).status == "scheduled"  # a reason is required
    done = host_client.post(url + "cancel", {"reason": "Snow day"}, follow=True)
    assert "The lecture was cancelled" in done.content.decode()
    cancelled = ScheduledLecture.objects.get(pk=scheduled.pk)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "Snow day"


def patch_course(client: Client, room: Room, body: dict[str, Any]) -> Any:
    return client.patch(f"/api/v1/rooms/{room.code}/course", json.dumps(body), content_type="application/json")
