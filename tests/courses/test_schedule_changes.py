"""Changing a scheduled lecture (time, duration, title, description) and the lectures nobody held:
a scheduled lecture whose time passed without the room opening is "missed" and shown in Past."""

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from courses.models import Reminder, RosterEntry, ScheduledLecture
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


def scheduled_for_roster(
    client: Client, room: Room, students: list[dict[str, str]], days: int
) -> tuple[ScheduledLecture, datetime]:
    """The roster, one lecture `days` from now, the invites sent and the outbox emptied."""
    post(client, f"/api/v1/rooms/{room.code}/roster", students)
    starts = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    scheduled = schedule(client, room, starts)
    run_worker()  # the invites
    mail.outbox.clear()
    return scheduled, starts


def test_the_host_moves_a_lecture_and_the_reminders_follow_the_new_time(
    host_client: Client, room: Room, students: list[dict[str, str]], clock: Clock
) -> None:
    scheduled, starts = scheduled_for_roster(host_client, room, students, days=2)

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
    run_worker()  # the roster is told of the new time at once
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s["email"] for s in students)
    assert {m.subject for m in mail.outbox} == {"New time: Heaps <b>2</b>"}
    mail.outbox.clear()

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


def test_a_new_time_is_e_mailed_once_a_change_in_the_rooms_time_zone_and_a_reminder_follows_it(
    host_client: Client, room: Room, students: list[dict[str, str]], clock: Clock
) -> None:
    post(host_client, f"/api/v1/rooms/{room.code}/roster", students)
    home = json.dumps({"timezone": "Europe/Paris"})
    assert (
        host_client.patch(f"/api/v1/rooms/{room.code}/course", home, content_type="application/json").status_code == 200
    )
    paris = ZoneInfo("Europe/Paris")
    starts = datetime(2026, 12, 14, 9, 0, tzinfo=paris)  # a Monday
    clock.set(datetime(2026, 12, 10, 12, 0, tzinfo=paris))
    scheduled = schedule(host_client, room, starts, title="Graphs & <i>trees</i>")
    alan = RosterEntry.objects.get(email="alan@student.example")
    Client().post(f"/courses/opt-out/{alan.opt_out_token}/")
    run_worker()  # the invites
    mail.outbox.clear()

    # the 1-day reminder goes out for Monday 9:00
    clock.set(starts - timedelta(days=1) + timedelta(seconds=30))
    run_worker()
    assert len(mail.outbox) == 2 and "Monday 14 December 2026, 09:00" in mail.outbox[0].body
    mail.outbox.clear()

    # moved by a day and lengthened: one e-mail each (not the opted-out student), new and old time
    tuesday = starts + timedelta(days=1, hours=5)
    assert (
        patch(host_client, room, scheduled.pk, {"starts_at": tuesday.isoformat(), "duration_minutes": 90}).status_code
        == 200
    )
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["edsger@student.example", "grace@student.example"]
    grace = next(m for m in mail.outbox if m.to[0] == "grace@student.example")
    entry = RosterEntry.objects.get(email="grace@student.example")
    assert grace.subject == "New time: Graphs & <i>trees</i>"
    assert "now starts Tuesday 15 December 2026, 14:00 (Europe/Paris) and lasts 90 minutes" in grace.body
    assert "It was Monday 14 December 2026, 09:00 (Europe/Paris)." in grace.body
    assert f"?s={entry.invite_token}" in grace.body
    assert isinstance(grace, EmailMultiAlternatives)
    html = str(grace.alternatives[0][0])
    assert "Graphs &amp; &lt;i&gt;trees&lt;/i&gt;" in html and "<i>" not in html
    assert Reminder.objects.filter(scheduled=scheduled, kind="moved", sequence=1, status="sent").count() == 2
    mail.outbox.clear()
    run_worker()
    assert not mail.outbox, "one e-mail per change"

    # a new title alone is no new time; the 1-day reminder goes out again, for Tuesday
    assert patch(host_client, room, scheduled.pk, {"title": "Graphs"}).status_code == 200
    run_worker()
    assert not mail.outbox
    clock.set(tuesday - timedelta(days=1) + timedelta(seconds=30))
    run_worker()
    assert len(mail.outbox) == 2 and all("Tuesday 15 December 2026, 14:00" in m.body for m in mail.outbox)


def test_a_lecture_cancelled_before_its_new_time_went_out_sends_only_the_cancellation(
    host_client: Client, room: Room, students: list[dict[str, str]]
) -> None:
    scheduled, starts = scheduled_for_roster(host_client, room, students, days=3)
    assert (
        patch(host_client, room, scheduled.pk, {"starts_at": (starts + timedelta(hours=2)).isoformat()}).status_code
        == 200
    )
    post(host_client, f"/api/v1/lectures/{scheduled.pk}/cancel", {"reason": "Ill"})
    run_worker()
    assert {m.subject.split(":")[0] for m in mail.outbox} == {"Cancelled"}


def test_a_new_title_after_a_move_sends_no_reminder_twice(
    host_client: Client, room: Room, students: list[dict[str, str]], clock: Clock
) -> None:
    scheduled, starts = scheduled_for_roster(host_client, room, students, days=2)
    earlier = starts - timedelta(minutes=30)
    assert patch(host_client, room, scheduled.pk, {"starts_at": earlier.isoformat()}).status_code == 200
    run_worker()  # the time change
    mail.outbox.clear()
    clock.set(earlier - timedelta(hours=1) + timedelta(seconds=30))
    run_worker()  # the 1-hour reminder planned for the new time
    assert len(mail.outbox) == 3 and {m.subject.split(":")[0] for m in mail.outbox} == {"Starts in 1 hour"}
    mail.outbox.clear()
    assert patch(host_client, room, scheduled.pk, {"title": "Heaps, corrected"}).status_code == 200
    clock.set(starts - timedelta(hours=1) + timedelta(seconds=30))
    run_worker()  # the 1-hour reminder planned for the old time comes due: it was sent already
    assert not mail.outbox


def test_a_new_length_alone_says_so_and_keeps_the_reminders_times(
    host_client: Client, room: Room, students: list[dict[str, str]]
) -> None:
    scheduled, _ = scheduled_for_roster(host_client, room, students, days=2)
    planned = DBTaskResult.objects.filter(task_path="courses.tasks.send_reminders").count()
    assert patch(host_client, room, scheduled.pk, {"duration_minutes": 90}).status_code == 200
    run_worker()
    assert len(mail.outbox) == 3
    body = mail.outbox[0].body
    assert "still starts" in body and "now lasts 90 minutes" in body and "It was" not in body
    assert DBTaskResult.objects.filter(task_path="courses.tasks.send_reminders").count() == planned
