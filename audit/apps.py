from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self) -> None:
        from audit.tasks import prune_audit_events
        from core.periodic import register

        register(prune_audit_events)  # started by `manage.py run_tasks`
