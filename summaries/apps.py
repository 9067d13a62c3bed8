from django.apps import AppConfig


class SummariesConfig(AppConfig):
    name = "summaries"

    def ready(self) -> None:
        from summaries import receivers  # noqa: F401 - the transcript file goes with its lecture
