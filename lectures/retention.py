"""How long finished lectures are kept: the admins' "Keep finished lectures (days)"
(core.models.SiteDefaults.retention_days). An expired lecture goes with everything it holds (its
transcript, chat, shared files and their bytes, attendance, summary); live lectures are never touched.

Recordings sit above lectures (layering): recordings.services.apply_retention deletes a lecture's
recordings before it calls delete_finished_lecture, and runs the periodic pass (recordings.tasks).
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import record_audit
from core.models import SiteDefaults
from rooms.models import Lecture

logger = logging.getLogger(__name__)


def expired_lectures(*, now: datetime | None = None) -> QuerySet[Lecture]:
    """Finished lectures that ended more than the admins' retention days ago, oldest first."""
    cutoff = (now or timezone.now()) - timedelta(days=SiteDefaults.load().retention_days)
    return Lecture.objects.filter(status=Lecture.Status.ENDED, ended_at__lt=cutoff).order_by("ended_at", "pk")


def delete_finished_lecture(*, lecture: Lecture) -> None:
    """Delete a finished lecture with its transcript, chat and shared files (the bytes too, after commit)."""
    with transaction.atomic():
        locked = Lecture.objects.select_for_update().filter(pk=lecture.pk, status=Lecture.Status.ENDED).first()
        if locked is None:
            return
        record_audit(
            action="lecture.expired",
            room=locked.room,
            actor_label="Lectern",
            target=locked.title,
            detail={"lecture": locked.pk, "ended_at": locked.ended_at.isoformat() if locked.ended_at else None},
        )
        locked.delete()  # the bytes of its files go with their rows (chat.receivers, summaries.receivers)
    logger.info("lecture %s deleted by retention", lecture.pk)
