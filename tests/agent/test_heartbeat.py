"""The agent worker's heartbeat row (agent/services.py): one row per worker, kept fresh, forgotten a day
after it stops (the real worker sending it: tests/agent/test_captions.py)."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from agent import services
from core.models import AgentWorker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_heartbeat_updates_its_workers_row_and_forgets_workers_silent_for_a_day() -> None:
    async_to_sync(services.record_heartbeat)(worker_id="AW_1", host="gpu-1", load=1.7, jobs=2, max_jobs=2)
    first = AgentWorker.objects.get()
    assert first.load == 1.0  # clamped to what LiveKit's load means
    long_ago = timezone.now() - timedelta(days=2)
    AgentWorker.objects.create(worker_id="AW_old", started_at=long_ago, last_seen_at=long_ago)

    async_to_sync(services.record_heartbeat)(worker_id="AW_1", host="gpu-1", load=0.25, jobs=0, max_jobs=2)
    (row,) = AgentWorker.objects.all()
    assert (row.worker_id, row.load, row.jobs) == ("AW_1", 0.25, 0)
    assert row.started_at == first.started_at and row.last_seen_at > first.last_seen_at
