"""Background work on recordings (django-tasks, database backend)."""

from django_tasks import task


@task()
def delete_expired_recordings() -> int:
    """Retention: delete recordings older than RECORDING_RETENTION_DAYS (run daily, e.g. from cron)."""
    from recordings.services import delete_expired_recordings as delete_expired

    return delete_expired()
