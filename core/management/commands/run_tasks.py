"""`manage.py run_tasks [db_worker options]`: start the periodic chains, then run the task worker."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from core.periodic import start_chains


class Command(BaseCommand):
    help = "Queue every periodic chain that has no pass waiting (core.periodic), then run db_worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("worker_args", nargs="*", help="passed to db_worker (after --)")

    def handle(self, *args: Any, worker_args: list[str], **options: Any) -> None:
        for path in start_chains():
            self.stdout.write(f"started the periodic chain {path}")
        call_command("db_worker", *worker_args)
