"""Retention: `manage.py delete_expired_recordings` (daily, from cron or a scheduler)."""

from typing import Any

from django.core.management.base import BaseCommand

from recordings.services import delete_expired_recordings


class Command(BaseCommand):
    help = "Delete recordings (and their files) older than RECORDING_RETENTION_DAYS; 0 keeps them."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = delete_expired_recordings()
        self.stdout.write(f"{deleted} recording(s) deleted")
