"""Background work on recordings (django-tasks, database backend)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

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


@task()
def delete_expired_recordings() -> int:
    """Retention: delete recordings older than RECORDING_RETENTION_DAYS (run daily, e.g. from cron)."""
    from recordings.services import delete_expired_recordings as delete_expired

    return delete_expired()
