"""An agent worker's capacity is explicit: lectures over AGENT_MAX_JOBS count as load in every mode."""

import os
from types import SimpleNamespace
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test import Client

from accounts.models import User
from agent import worker
from agent.services import _LEASE_NAMESPACE
from config.settings import redis_channel_layers
from lectures.life import end_lecture
from rooms.models import Lecture
from rooms.services import create_room
from tests.agent.conftest import start_worker
from tests.agent.test_captions import host_credentials
from tests.conftest import run_async, wait_for
from tests.participants.test_live_socket import live


def test_a_worker_at_its_job_limit_reports_full_load(settings) -> None:
    settings.AGENT_MAX_JOBS = 2
    load = worker.WorkerLoad()
    load.server = SimpleNamespace(active_jobs=[object()])  # type: ignore[assignment]  # as the library lists jobs
    assert not load.full and 0.5 <= load() < settings.AGENT_LOAD_THRESHOLD
    load.server = SimpleNamespace(active_jobs=[object(), object()])  # type: ignore[assignment]
    assert load.full and load() >= settings.AGENT_LOAD_THRESHOLD


def test_the_load_threshold_applies_in_development_too(settings) -> None:
    server = worker.build_server()
    assert server._load_threshold == settings.AGENT_LOAD_THRESHOLD
    assert worker.LOOKUP_PATIENCE_SECONDS < 5, "answer LiveKit's job offer well within its deadline"


def captioned(lecture: Lecture) -> bool:
    """Whether a job holds the lecture's lease (agent/services.py: an advisory lock per lecture)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = %s AND objid = %s"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [_LEASE_NAMESPACE, lecture.pk],
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_full_worker_tells_the_host_captions_are_unavailable_until_it_has_room(
    host: User, host_client: Client, settings: Any, livekit: None
) -> None:
    # The worker is a process of its own: its push reaches the test's live socket through Redis,
    # in a database of its own (the suite's LiveKit uses database 0).
    layer = os.environ["TEST_REDIS_URL"].rsplit("/", 1)[0] + "/2"
    settings.CHANNEL_LAYERS = redis_channel_layers(layer)
    agent = start_worker("capacity", AGENT_MAX_JOBS="1", REDIS_URL=layer)
    busy_room = create_room(host=host, title="Captioned already", ai_assistant=True)
    second_room = create_room(host=host, title="One lecture too many", ai_assistant=True)
    try:
        host_credentials(host_client, busy_room)
        busy = Lecture.objects.get(room=busy_room)
        wait_for(lambda: captioned(busy), timeout=90, what=f"a job to caption the first lecture (see {agent.log_path})")
        host_credentials(host_client, second_room)
        second = Lecture.objects.get(room=second_room)

        async def hosts_page() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            socket, connected = await live(second_room, host_client)
            assert connected
            # LiveKit offers a full worker no room; its reconciler notices the lecture (≤ ~20 s)
            told = await socket.receive_json_from(timeout=60)
            reconnected, _ = await live(second_room, host_client)
            state = await reconnected.receive_json_from(timeout=5)
            await reconnected.disconnect()
            await sync_to_async(end_lecture)(room=busy_room)  # the worker has room again
            cleared = await socket.receive_json_from(timeout=90)
            await socket.disconnect()
            return told, state, cleared

        told, state, cleared = run_async(hosts_page())
        unavailable = {
            "type": "captions.status",
            "unavailable": "capacity",
            "text": "Captions unavailable: assistant at capacity",
        }
        assert told == unavailable
        assert state == unavailable, "a reconnecting host page is told again"
        assert cleared == {"type": "captions.status", "unavailable": "", "text": ""}, "a job captions it now"
        second.refresh_from_db()
        assert second.captions_unavailable == ""
        wait_for(lambda: captioned(second), timeout=30, what="the job that cleared it to hold the second lecture")
        assert f"lecture {second.pk} in room {second.livekit_room} left uncaptioned" in agent.log()
    finally:
        agent.stop()
        for room in (busy_room, second_room):
            end_lecture(room=room)
