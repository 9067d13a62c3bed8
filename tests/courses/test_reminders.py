"""Reminders 1 day, 1 hour and 5 minutes before, from the task worker, with a delivery status."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from courses.models import Reminder, RosterEntry, ScheduledLecture
from rooms.models import Room
from tests.courses.conftest import Clock, post, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


class FailingBackend:
    """An e-mail backend whose server refuses everything."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("SMTP server refused the connection")


def _scheduled(host_client: Client, room: Room, students: list[dict[str, str]], starts: datetime) -> ScheduledLecture:
    post(host_client, f"/api/v1/rooms/{room.code}/roster", students)
    rows = post(
        host_client, f"/api/v1/rooms/{room.code}/schedule", {"starts_at": starts.isoformat(), "duration_minutes": 60}
    ).json()
    run_worker()  # the invites
    mail.outbox.clear()
    return ScheduledLecture.objects.get(pk=rows[0]["id"])


def test_reminders_go_out_at_their_times_with_the_personal_link(
    host_client: Client, room: Room, students: list[dict[str, str]], clock: Clock
) -> None:
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    scheduled = _scheduled(host_client, room, students, starts)
    planned = sorted(r.run_after for r in DBTaskResult.objects.filter(task_path="courses.tasks.send_reminders"))
    assert planned == [starts - timedelta(days=1), starts - timedelta(hours=1), starts - timedelta(minutes=5)]

    clock.set(starts - timedelta(days=1, minutes=1))
    run_worker()
    assert not mail.outbox  # not yet
    for kind, at in (("1d", timedelta(days=1)), ("1h", timedelta(hours=1)), ("5m", timedelta(minutes=5))):
        mail.outbox.clear()
        clock.set(starts - at + timedelta(seconds=30))
        run_worker()
        assert sorted(m.to[0] for m in mail.outbox) == sorted(s["email"] for s in students), kind
        for message in mail.outbox:
            entry = RosterEntry.objects.get(email=message.to[0])
            assert f"?s={entry.invite_token}" in message.body
            assert entry.opt_out_token in message.extra_headers["List-Unsubscribe"]
        assert Reminder.objects.filter(scheduled=scheduled, kind=kind, status="sent").count() == 3
    statuses = host_client.get(f"/api/v1/rooms/{room.code}/reminders").json()
    assert len(statuses) == 9 and {s["status"] for s in statuses} == {"sent"}


def test_a_failed_delivery_is_recorded_with_its_reason(
    host_client: Client, room: Room, students: list[dict[str, str]], clock: Clock, settings: Any
) -> None:
    starts = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    _scheduled(host_client, room, students, starts)
    settings.EMAIL_BACKEND = "tests.courses.test_reminders.FailingBackend"
    clock.set(starts - timedelta(minutes=59))
    run_worker()
    failed = host_client.get(f"/api/v1/rooms/{room.code}/reminders").json()
    assert [r["status"] for r in failed] == ["failed"] * 3
    assert all("refused" in r["reason"] for r in failed)


def test_opted_out_students_and_switched_off_rooms_get_nothing(
    host_client: Client, room: Room, students: list[dict[str, str]], clock: Clock
) -> None:
    starts = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    _scheduled(host_client, room, students, starts)
    alan = RosterEntry.objects.get(email="alan@student.example")
    Client().post(f"/courses/opt-out/{alan.opt_out_token}/")
    clock.set(starts - timedelta(minutes=59))
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["edsger@student.example", "grace@student.example"]

    mail.outbox.clear()
    response = host_client.patch(
        f"/api/v1/rooms/{room.code}/course", '{"reminders": false}', content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["reminders"] is False
    clock.set(starts - timedelta(minutes=4))
    run_worker()
    assert not mail.outbox


def test_a_stale_reminder_is_skipped_when_the_next_is_due(
    host_client: Client, room: Room, students: list[dict[str, str]], clock: Clock
) -> None:
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    _scheduled(host_client, room, students, starts)
    clock.set(starts - timedelta(minutes=30))  # the worker was down for a day
    run_worker()
    assert {m.subject.split(":")[0] for m in mail.outbox} == {"Starts in 1 hour"}
