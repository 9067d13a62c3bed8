"""Retention now: `manage.py delete_expired_recordings` (the task worker also runs it every hour)."""

from typing import Any

from django.core.management.base import BaseCommand

from recordings.services import apply_retention


class Command(BaseCommand):
    help = (
        "Delete recordings (and their files) older than RECORDING_RETENTION_DAYS (0 keeps them), and finished "
        "lectures older than the admins' retention days with everything they hold."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = apply_retention()
        self.stdout.write(f"{done.recordings} recording(s) and {done.lectures} lecture(s) deleted")
