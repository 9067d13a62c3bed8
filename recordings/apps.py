from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "recordings"

    def ready(self) -> None:
        from core.periodic import register
        from recordings import receivers  # noqa: F401 - auto-record follows the lecture's life (rooms never knows)
        from recordings.tasks import apply_retention

        register(apply_retention)  # started by `manage.py run_tasks` (and when a lecture ends)
