"""Admin actions on rooms and accounts, each recorded in the audit log."""

from django.db import transaction

from accounts.models import User
from adminpanel.forms import SiteDefaultsForm
from adminpanel.mail import mail_password_link
from audit.services import record_audit
from core.models import SiteDefaults
from lectures.life import end_lecture
from moderation.services import kick_participant
from participants.access import Actor
from rooms import livekit_server
from rooms.livekit_server import Credentials, SandboxGrants
from rooms.models import Lecture, Room


class AdminError(Exception):
    pass


def _others_admins(user: User) -> bool:
    return User.objects.filter(role=User.Role.ADMIN, is_active=True).exclude(pk=user.pk).exists()


@transaction.atomic
def update_account(*, user: User, role: str, is_active: bool, by: User, ip_address: str = "") -> User:
    """Change an account's role and whether it may log in; the last active admin stays one.

    A deactivated host's live lectures end at once; without a session it can mint no more tokens.
    """
    demoting = user.role == User.Role.ADMIN and (role != User.Role.ADMIN or not is_active)
    if demoting and not _others_admins(user):
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
    if not is_active:
        for room in Room.objects.hosted_by(user).live():
            end_lecture(room=room)
    if changes:
        record_audit(action="account.update", actor=by, target=user.email, detail=changes, ip_address=ip_address)
    return user


def send_password_reset(*, user: User, by: User, ip_address: str = "") -> None:
    """E-mail the account a link to choose a new password."""
    mail_password_link(user=user, invited_by=None)
    record_audit(action="account.password_reset", actor=by, target=user.email, ip_address=ip_address)


@transaction.atomic
def invite_host(*, email: str, first_name: str, last_name: str, by: User, ip_address: str = "") -> User:
    """Create a host account with no password yet and e-mail it a link to choose one."""
    if User.objects.filter(email__iexact=email).exists():
        raise AdminError("An account with this e-mail address exists already.")
    user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name, role=User.Role.HOST)
    record_audit(action="account.invite", actor=by, target=user.email, ip_address=ip_address)
    transaction.on_commit(lambda: mail_password_link(user=user, invited_by=by))
    return user


@transaction.atomic
def update_site_defaults(*, form: SiteDefaultsForm, by: User, ip_address: str = "") -> SiteDefaults:
    """Save the defaults new rooms start with; the changes go to the audit log."""
    changes = {name: [form.initial.get(name), form.cleaned_data[name]] for name in form.changed_data}
    row: SiteDefaults = form.save()
    if changes:
        record_audit(action="settings.update", actor=by, target="site defaults", detail=changes, ip_address=ip_address)
    return row


def _admin(by: User) -> Actor:
    return Actor(user=by, role="admin")


def kick_from_room(*, room: Room, identity: str, by: User, ip_address: str = "") -> str:
    """Remove a student from a live lecture (moderation's kick, as an admin); returns their name."""
    target = kick_participant(room=room, identity=identity, by=_admin(by))
    return target.name


def mute_track(
    *, livekit_room: str, identity: str, track_sid: str, by: User, room: Room | None = None, ip_address: str = ""
) -> None:
    """Mute one published track of a participant on the server."""
    livekit_server.mute_published_track(room=livekit_room, identity=identity, track_sid=track_sid, muted=True)
    record_audit(
        action="admin.mute_track",
        room=room,
        actor=by,
        target=identity,
        detail={"track": track_sid, "livekit_room": livekit_room},
        ip_address=ip_address,
    )


def end_room_lecture(*, room: Room, by: User, ip_address: str = "") -> Lecture | None:
    """End the room's live lecture for everyone, as its host's "end for all" does."""
    lecture = end_lecture(room=room)
    record_audit(action="admin.end_lecture", room=room, actor=by, target=room.title, ip_address=ip_address)
    return lecture


def close_livekit_room(*, livekit_room: str, by: User, ip_address: str = "") -> None:
    """Delete a room on the LiveKit server, ours or not; our live lecture in it ends at once (not only
    when LiveKit's room_finished arrives)."""
    lecture = Lecture.objects.select_related("room").filter(livekit_room=livekit_room).first()
    if lecture is not None and lecture.status == Lecture.Status.LIVE:
        end_lecture(room=lecture.room)
    livekit_server.delete_room(name=livekit_room)
    record_audit(
        action="admin.close_livekit_room",
        room=lecture.room if lecture else None,
        actor=by,
        target=livekit_room,
        ip_address=ip_address,
    )


def mint_sandbox_token(
    *,
    room: str,
    identity: str,
    name: str,
    ttl_seconds: int,
    grants: SandboxGrants,
    by: User,
    metadata: str = "",
    ip_address: str = "",
) -> Credentials:
    """A hand-made token for testing the server; every one is audited."""
    credentials = livekit_server.mint_sandbox_token(
        room=room, identity=identity, name=name, ttl_seconds=ttl_seconds, grants=grants, metadata=metadata
    )
    lecture = Lecture.objects.select_related("room").filter(livekit_room=room).first()
    record_audit(
        action="admin.sandbox_token",
        room=lecture.room if lecture else None,
        actor=by,
        target=identity,
        detail={
            "livekit_room": room,
            "ttl_seconds": ttl_seconds,
            "publish_sources": list(grants.publish_sources),
            "subscribe": grants.can_subscribe,
            "data": grants.can_publish_data,
            "hidden": grants.hidden,
        },
        ip_address=ip_address,
    )
    return credentials
