"""Background work on recordings (django-tasks, database backend)."""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

WATCH_EVERY = timedelta(seconds=10)


@task()
def auto_record_lecture(lecture_id: int) -> None:
    """Start recording a lecture that just began, when its room records automatically."""
    from recordings.services import auto_record
    from rooms.models import Lecture

    lecture = Lecture.objects.select_related("room").filter(pk=lecture_id, status=Lecture.Status.LIVE).first()
    if lecture is not None:
        auto_record(lecture=lecture)


@task()
def watch_recording(recording_id: int) -> None:
    """Check that a running recording's egress is still alive, then again in 10 s while it runs."""
    from recordings.models import Recording
    from recordings.services import check_recording

    recording = Recording.objects.filter(pk=recording_id).first()
    if recording is None:
        return
    if check_recording(recording=recording).is_running:
        watch_recording.using(run_after=timezone.now() + WATCH_EVERY).enqueue(recording_id)


RETENTION_EVERY = timedelta(hours=1)
# One retention chain at a time: taken while looking for a queued pass and queueing one.
_RETENTION_LOCK = 0x5245_5445_4E54  # "RETENT"


@task()
def apply_retention() -> dict[str, int]:
    """The periodic retention pass (recordings.services.apply_retention), then the next one in an hour.

    The chain starts when a lecture ends (recordings.receivers) and keeps itself going, like the
    live-lecture reconcile: one queued pass at most, whoever asks."""
    from recordings.services import apply_retention as apply

    try:
        done = apply()
    finally:
        schedule_retention(at=timezone.now() + RETENTION_EVERY)
    return {"recordings": done.recordings, "lectures": done.lectures}


def schedule_retention(*, at: datetime | None = None) -> bool:
    """Queue a retention pass (at `at`, else now) unless one is queued already; True when it queued one."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [_RETENTION_LOCK])
        queued = DBTaskResult.objects.filter(task_path=apply_retention.module_path, status=TaskResultStatus.READY)
        if queued.exists():
            return False
        (apply_retention.using(run_after=at) if at else apply_retention).enqueue()
    return True
