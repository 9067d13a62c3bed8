"""Writing the audit log."""

from typing import Any

from accounts.models import User
from audit.models import AuditEvent
from core.net import current_client_ip
from rooms.models import Room


def record_audit(
    *,
    action: str,
    room: Room | None = None,
    actor: User | None = None,
    actor_label: str = "",
    target: str = "",
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Write one line of the audit log (who, what, when, target); the IP defaults to the request's."""
    return AuditEvent.objects.create(
        action=action,
        room=room,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label or (actor.email if actor is not None and actor.is_authenticated else ""),
        target=target,
        detail=detail or {},
        ip_address=ip_address or current_client_ip() or None,
    )
