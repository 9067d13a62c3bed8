"""Admin actions on accounts, each recorded in the audit log."""

from django.db import transaction

from accounts.models import User
from audit.services import record_audit


class AdminError(Exception):
    pass


@transaction.atomic
def update_account(*, user: User, role: str, is_active: bool, by: User) -> User:
    """Change an account's role and whether it may log in; the last active admin stays one."""
    demoting = user.role == User.Role.ADMIN and (role != User.Role.ADMIN or not is_active)
    if demoting and not User.objects.filter(role=User.Role.ADMIN, is_active=True).exclude(pk=user.pk).exists():
        raise AdminError("Lectern needs at least one active admin.")
    changes: dict[str, list[object]] = {}
    if user.role != role:
        changes["role"] = [user.role, role]
    if user.is_active != is_active:
        changes["is_active"] = [user.is_active, is_active]
    user.role = role
    user.is_active = is_active
    user.is_staff = user.is_superuser = role == User.Role.ADMIN
    user.save(update_fields=["role", "is_active", "is_staff", "is_superuser"])
    if changes:
        record_audit(action="account.update", actor=by, target=user.email, detail=changes)
    return user
