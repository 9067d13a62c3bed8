from django.apps import AppConfig


class AdminpanelConfig(AppConfig):
    name = "adminpanel"

    def ready(self) -> None:
        from adminpanel import signals

        signals.connect()
