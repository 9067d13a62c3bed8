from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"

    def ready(self) -> None:
        from chat import receivers  # noqa: F401 - a shared file's bytes go with its row
