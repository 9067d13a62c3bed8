"""Audit retention: events older than AUDIT_RETENTION_DAYS are deleted once a day.

Like the stale-lecture check (lectures/attendance.py) and the recordings' retention pass
(recordings/tasks.py), the task reschedules itself with run_after, one queued pass at most;
adminpanel starts the chain when a lecture opens and nothing is queued yet."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent

logger = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(days=1)
_SCHEDULE_LOCK = 0x4C454341  # "LECA": this module's advisory lock


def prune_old_events() -> int:
    """Delete the events older than the retention period; returns how many. 0 days keeps them all."""
    days = settings.AUDIT_RETENTION_DAYS
    if days <= 0:
        return 0
    deleted, _ = AuditEvent.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    if deleted:
        logger.info("deleted %s audit events older than %s days", deleted, days)
    return deleted


@task()
def prune_audit_events() -> None:
    """Apply the retention now, then again in a day (the chain goes on even when this pass fails)."""
    try:
        prune_old_events()
    finally:
        prune_audit_events.using(run_after=timezone.now() + PRUNE_EVERY).enqueue()


def ensure_audit_pruning() -> bool:
    """Start the daily pruning unless it is already scheduled; True when this call started it."""
    with transaction.atomic():
        with connection.cursor() as cursor:  # two lectures opening at once start one chain, not two
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE_LOCK])
        if DBTaskResult.objects.filter(
            task_path=prune_audit_events.module_path, status=TaskResultStatus.READY
        ).exists():
            return False
        prune_audit_events.enqueue()
    return True
