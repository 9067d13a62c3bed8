"""The overview: each part's health, live lectures, participants now, a banner when a part is down."""

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from lectures.attendance import reconcile_live_lecture
from lectures.life import open_room
from rooms.models import Room

pytestmark = pytest.mark.django_db


def test_overview_shows_every_part_up_with_livekit_latency(admin_client: Client, room: Room, livekit: None) -> None:
    open_room(room=room)
    page = admin_client.get("/admin/").content.decode()
    assert "Database" in page and "LiveKit" in page and "Task queue" in page
    assert '<p id="health-banner" class="notice notice-warning" role="alert" hidden>' in page
    assert room.code in page
    assert '<script src="/static/adminpanel/overview.js" defer></script>' in page
    report = admin_client.get("/admin/health.json").json()
    assert report["down"] == [] and report["live_lectures"] == 1 and report["participants_now"] == 0
    livekit_part = next(part for part in report["parts"] if part["name"] == "LiveKit")
    assert livekit_part["ok"] and livekit_part["latency_ms"] > 0
    assert "p50" in livekit_part["detail"] and "p95" in livekit_part["detail"]


def test_a_livekit_outage_shows_the_banner(admin_client: Client, settings: Any) -> None:
    settings.LIVEKIT_URL = "ws://127.0.0.1:9"  # nothing listens on the discard port
    page = admin_client.get("/admin/").content.decode()
    assert '<p id="health-banner" class="notice notice-warning" role="alert" >' in page
    assert admin_client.get("/admin/health.json").json()["down"] == ["LiveKit"]


def test_the_task_queue_depth_and_oldest_waiting_task_are_shown(admin_client: Client, room: Room) -> None:
    reconcile_live_lecture.enqueue(123456)
    assert DBTaskResult.objects.ready().count() == 1
    report = admin_client.get("/admin/health.json").json()
    queue = next(part for part in report["parts"] if part["name"] == "Task queue")
    assert queue["detail"].startswith("1 waiting, the oldest for ")


def test_redis_is_checked_when_configured(admin_client: Client, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    report = admin_client.get("/admin/health.json").json()
    assert "Redis" in report["down"]
