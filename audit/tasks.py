"""Audit retention: events older than AUDIT_RETENTION_DAYS are deleted once a day.

Like the stale-lecture check (lectures/attendance.py) and the recordings' retention pass
(recordings/tasks.py), the task reschedules itself (core.periodic), one queued pass at most;
`manage.py run_tasks` starts the chain (audit/apps.py registers it)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from audit.models import AuditEvent
from core.periodic import enqueue_once

logger = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(days=1)


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
        enqueue_once(prune_audit_events, at=timezone.now() + PRUNE_EVERY)
