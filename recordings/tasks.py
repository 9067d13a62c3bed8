"""Background work on recordings (django-tasks, database backend)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from core import storage
from core.periodic import enqueue_once

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


@task()
def apply_retention() -> dict[str, int]:
    """The periodic retention pass (recordings.services.apply_retention), then the next one in an hour.

    The chain starts when a lecture ends (recordings.receivers) and keeps itself going: one queued
    pass at most, whoever asks (core.periodic)."""
    from recordings.services import apply_retention as apply

    try:
        done = apply()
    finally:
        schedule_retention(at=timezone.now() + RETENTION_EVERY)
    return {"recordings": done.recordings, "lectures": done.lectures}


def schedule_retention(*, at: datetime | None = None) -> bool:
    """Queue a retention pass (at `at`, else now) unless one is queued already; True when it queued one."""
    return enqueue_once(apply_retention, at=at)


# How long after a recording's row went, while its egress was still at work, its file is looked for
# again: the egress ends when its LiveKit room closes (or when asked), then finishes and uploads it.
LATE_FILE_AFTER = timedelta(minutes=30)


@task()
def delete_late_file(key: str) -> None:
    """Delete what an egress wrote under `key` after its recording's row was deleted."""
    storage.delete(key=key)
