"""Periodic work on the task worker: a pass that queues its own next run, one queued pass at most.

django-tasks has no scheduler; each periodic chain (recording and lecture retention, audit
retention) queues its next pass when one ends, and whoever starts the chain calls
`enqueue_once`, which queues nothing while a pass is already waiting. The apps register their
chains (`register`, from their AppConfig.ready) and `manage.py run_tasks` starts every registered
chain before it runs the task worker, so each runs as long as a worker does."""

import zlib
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

_chains: list[Any] = []


def register(periodic_task: Any) -> None:
    """Have `manage.py run_tasks` start this chain (idempotent)."""
    if periodic_task not in _chains:
        _chains.append(periodic_task)


def start_chains() -> list[str]:
    """Queue a pass of every registered chain that has none waiting; the module paths queued."""
    return [chain.module_path for chain in _chains if enqueue_once(chain)]


def enqueue_once(periodic_task: Any, *, at: datetime | None = None) -> bool:
    """Queue `periodic_task` (at `at`, else now) unless a pass of it is waiting; True when queued."""
    lock = zlib.crc32(periodic_task.module_path.encode())  # one lock per task: checked and queued as one
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [lock])
        waiting = DBTaskResult.objects.filter(task_path=periodic_task.module_path, status=TaskResultStatus.READY)
        if waiting.exists():
            return False
        (periodic_task.using(run_after=at) if at else periodic_task).enqueue()
    return True
