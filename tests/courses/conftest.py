"""A course: its room's co-host, roster students, a controllable clock and the task worker."""

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from participants.models import CoHost
from rooms.models import Room
from tests.conftest import logged_in


@pytest.fixture
def co_host(room: Room, host: User) -> User:
    user = User.objects.create_user("ta@uni.example", "correct-horse-battery")
    CoHost.objects.create(room=room, user=user, granted_by=host)
    return user


@pytest.fixture
def co_host_client(co_host: User) -> Client:
    return logged_in(co_host)


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def run_worker() -> None:
    """The task worker, once over every task that is due."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


class Clock:
    def __init__(self) -> None:
        self.at: datetime | None = None

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, by: timedelta) -> None:
        self.at = (self.at or timezone.now()) + by


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """timezone.now() under the test's control (the worker and the services read it)."""
    real: Callable[[], datetime] = timezone.now
    found = Clock()
    monkeypatch.setattr(timezone, "now", lambda: found.at or real())
    yield found


@pytest.fixture
def students() -> list[dict[str, str]]:
    return [
        {"name": "Grace Hopper", "email": "grace@student.example", "student_id": "s1001"},
        {"name": "Alan Turing", "email": "alan@student.example", "student_id": "s1002"},
        {"name": "Edsger Dijkstra", "email": "edsger@student.example"},
    ]
