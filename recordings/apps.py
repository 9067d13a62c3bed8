from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "recordings"

    def ready(self) -> None:
        # Auto-record follows the lecture's life without rooms knowing about recordings.
        from recordings import receivers  # noqa: F401
