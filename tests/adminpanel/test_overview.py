"""The overview: each part's health, live lectures, participants now, a banner when a part is down."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from adminpanel import broadcasts
from config.asgi import application
from core.models import AgentWorker
from lectures.attendance import reconcile_live_lecture
from lectures.life import open_room
from recordings.models import Recording
from rooms.models import Lecture, Room
from tests.lobby.test_consumers import ORIGIN, cookie_header

pytestmark = pytest.mark.django_db


def test_overview_shows_every_part_up_with_livekit_latency(admin_client: Client, room: Room, livekit: None) -> None:
    room.ai_assistant = False  # no agent worker runs here: a lecture wanting captions would be "down"
    room.save(update_fields=["ai_assistant"])
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


def heartbeat(worker_id: str, *, host: str, load: float, jobs: int) -> None:
    """A worker's heartbeat as agent/services.py records it (tests/agent proves a real worker sends it)."""
    now = timezone.now()
    AgentWorker.objects.create(
        worker_id=worker_id, host=host, load=load, jobs=jobs, max_jobs=2, started_at=now, last_seen_at=now
    )


def test_registered_agent_workers_their_load_and_the_captions_they_run_are_shown(admin_client: Client) -> None:
    heartbeat("AW_one", host="gpu-1", load=0.42, jobs=1)
    heartbeat("AW_two", host="gpu-2", load=0.0, jobs=0)
    report = admin_client.get("/admin/health.json").json()
    workers = next(part for part in report["parts"] if part["name"] == "AI assistant workers")
    assert workers["ok"] and workers["detail"].startswith("2 registered: ")
    assert "gpu-1 load 42%, 1 of 2 lectures" in workers["detail"]
    assert report["captions_running"] == 1


def test_a_worker_that_stopped_reporting_is_down_and_no_longer_counted(admin_client: Client) -> None:
    heartbeat("AW_gone", host="gpu-1", load=0.5, jobs=2)
    AgentWorker.objects.update(last_seen_at=timezone.now() - timedelta(minutes=5))
    report = admin_client.get("/admin/health.json").json()
    assert report["down"] == ["AI assistant workers"] and report["captions_running"] == 0
    page = admin_client.get("/admin/").content.decode()
    assert 'role="alert" >' in page and "the last worker stopped reporting" in page


def test_no_worker_is_down_only_when_a_live_lecture_wants_captions(admin_client: Client, room: Room) -> None:
    room.ai_assistant = False
    room.save(update_fields=["ai_assistant"])
    Lecture.objects.create(
        room=room, livekit_room="lk-wants-captions", status=Lecture.Status.LIVE, started_at=timezone.now()
    )
    assert admin_client.get("/admin/health.json").json()["down"] == []
    room.ai_assistant = True
    room.save(update_fields=["ai_assistant"])
    assert admin_client.get("/admin/health.json").json()["down"] == ["AI assistant workers"]


def test_egress_is_checked_only_when_configured(admin_client: Client, settings: Any) -> None:
    settings.EGRESS_HEALTH_URL = ""
    names = [part["name"] for part in admin_client.get("/admin/health.json").json()["parts"]]
    assert "Egress" not in names
    settings.EGRESS_HEALTH_URL = "http://127.0.0.1:9/"
    report = admin_client.get("/admin/health.json").json()
    assert report["down"] == ["Egress"]


def test_recordings_running_are_counted(admin_client: Client, room: Room) -> None:
    lecture = Lecture.objects.create(
        room=room, livekit_room="lk-recorded", status=Lecture.Status.LIVE, started_at=timezone.now()
    )
    Recording.objects.create(room=room, lecture=lecture, status=Recording.Status.RECORDING, storage_key="r/1.mp4")
    Recording.objects.create(room=room, lecture=lecture, status=Recording.Status.READY, storage_key="r/2.mp4")
    assert admin_client.get("/admin/health.json").json()["recordings_running"] == 1


async def _overview_socket(client: Client) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(application, "/ws/admin/overview/", headers=[ORIGIN, cookie_header(client)])
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


async def _snapshot_where(socket: WebsocketCommunicator, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first snapshot that shows `wanted`; a periodic one computed just before may come first."""
    while True:
        message = await socket.receive_json_from(timeout=2)
        if message["type"] == "overview.snapshot" and wanted(message["overview"]):
            return dict(message["overview"])


@pytest.mark.django_db(transaction=True)
def test_the_overview_socket_delivers_a_lecture_opening_within_two_seconds(
    admin_client: Client, room: Room, livekit: None
) -> None:
    async def scenario() -> None:
        socket, connected = await _overview_socket(admin_client)
        assert connected
        first = await socket.receive_json_from(timeout=5)
        assert first["type"] == "overview.snapshot" and first["overview"]["live_lectures"] == 0
        assert first["overview"]["live_rooms"] == []
        await sync_to_async(open_room)(room=room)
        async with asyncio.timeout(2):  # the bound: a change reaches the page within 2 s
            changed = await _snapshot_where(socket, lambda o: o["live_lectures"] == 1)
        assert changed["participants_now"] == 0
        (row,) = changed["live_rooms"]
        assert (row["code"], row["title"], row["connected"]) == (room.code, room.title, 0)
        assert row["url"] == f"/admin/rooms/{room.code}/" and row["state"].startswith("live since ")
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_demoted_admin_stops_receiving_snapshots(admin_client: Client, admin: User) -> None:
    async def scenario() -> None:
        socket, connected = await _overview_socket(admin_client)
        assert connected
        assert (await socket.receive_json_from(timeout=5))["type"] == "overview.snapshot"
        await sync_to_async(User.objects.filter(pk=admin.pk).update)(role=User.Role.HOST)
        await sync_to_async(broadcasts.notify_overview_changed)()
        assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_changes_costs_a_few_snapshots_not_one_each(admin_client: Client) -> None:
    async def scenario() -> int:
        socket, connected = await _overview_socket(admin_client)
        assert connected
        await socket.receive_json_from(timeout=5)
        layer = get_channel_layer()
        for _ in range(20):
            await layer.group_send(broadcasts.OVERVIEW_GROUP, {"type": "overview.changed"})
        snapshots = 0
        while not await socket.receive_nothing(timeout=1):
            snapshots += (await socket.receive_json_from())["type"] == "overview.snapshot"
        await socket.disconnect()
        return snapshots

    assert 1 <= async_to_sync(scenario)() <= 3


def test_a_channel_layer_outage_never_fails_opening_a_lecture(
    room: Room, settings: Any, livekit: None, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]}}
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lecture = open_room(room=room)
    assert broadcasts.notify_overview_changed in callbacks
    assert Lecture.objects.get(pk=lecture.pk).status == Lecture.Status.LIVE
