"""Moderation JSON API: kick and ban, the panic button, speaking rights, co-hosts, hands, bans."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from core.exceptions import NotAllowed, NotAuthenticated, NotFound
from moderation import selectors, services
from participants.access import get_moderator, get_participant
from participants.models import BannedEntry

router = Router(tags=["moderation"])
bans_router = Router(tags=["moderation"])


class KickIn(Schema):
    ban: bool = False
    course_wide: bool = False
    network: bool = Field(
        default=False,
        description="with ban: also refuse everyone from the student's network address (a NAT: a whole hall)",
    )


class AllowIn(Schema):
    allow: bool


class HandIn(Schema):
    raised: bool


class MuteAllIn(Schema):
    lock: bool = False


class LockIn(Schema):
    locked: bool


class TargetOut(Schema):
    identity: str
    display_name: str
    role: str


class CountOut(Schema):
    count: int


class LockedOut(Schema):
    locked: bool


class HandOut(Schema):
    identity: str
    display_name: str
    raised_at: datetime


class RaisedOut(Schema):
    raised: bool


class BanOut(Schema):
    id: int
    room: str | None
    display_name: str
    created_at: datetime
    lifted_at: datetime | None


class ErrorOut(Schema):
    detail: str


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


def _target_out(target: services.Target) -> TargetOut:
    return TargetOut(identity=target.identity, display_name=target.name, role=target.role)


@router.post("/{code}/participants/{identity}/kick", response={200: TargetOut, **ERRORS})
def kick(request: HttpRequest, code: str, identity: str, payload: KickIn | None = None) -> TargetOut:
    """Remove a student; with "ban" they stay out (this room, or every room of the host with "course_wide")."""
    room, actor = get_moderator(request, code)
    options = payload or KickIn()
    target = services.kick_participant(
        room=room,
        identity=identity,
        by=actor,
        ban=options.ban,
        course_wide=options.course_wide,
        network=options.ban and options.network,
    )
    return _target_out(target)


@router.post("/{code}/mute-all", response={200: CountOut, **ERRORS})
def mute_all(request: HttpRequest, code: str, payload: MuteAllIn | None = None) -> CountOut:
    """The panic button: everyone but hosts and co-hosts loses publish rights; "lock" sends newcomers to the lobby."""
    room, actor = get_moderator(request, code)
    lock = payload.lock if payload else False
    return CountOut(count=services.mute_all(room=room, by=actor, lock=lock))


@router.post("/{code}/mute-mics", response={200: CountOut, **ERRORS})
def mute_mics(request: HttpRequest, code: str) -> CountOut:
    """Mute every student's microphone (server-side); students may unmute. Publish rights stay."""
    room, actor = get_moderator(request, code)
    return CountOut(count=services.mute_all_microphones(room=room, by=actor))


@router.post("/{code}/lock", response={200: LockedOut, **ERRORS})
def lock(request: HttpRequest, code: str, payload: LockIn) -> LockedOut:
    """Lock (everyone waits in the lobby) or unlock the room."""
    room, actor = get_moderator(request, code)
    room = services.set_locked(room=room, by=actor, locked=payload.locked)
    return LockedOut(locked=room.locked)


@router.post("/{code}/participants/{identity}/speak", response={200: TargetOut, **ERRORS})
def speak(request: HttpRequest, code: str, identity: str, payload: AllowIn) -> TargetOut:
    """Grant or revoke a student's right to speak (publish)."""
    room, actor = get_moderator(request, code)
    return _target_out(services.allow_speaking(room=room, identity=identity, by=actor, allow=payload.allow))


@router.post("/{code}/participants/{identity}/cohost", response={200: TargetOut, **ERRORS})
def cohost(request: HttpRequest, code: str, identity: str, payload: AllowIn) -> TargetOut:
    """Make a participant co-host, or take it back (the host only)."""
    room, actor = get_moderator(request, code)
    return _target_out(services.set_cohost(room=room, identity=identity, by=actor, allow=payload.allow))


@router.post("/{code}/participants/{identity}/lower-hand", response={200: RaisedOut, **ERRORS})
def lower_hand(request: HttpRequest, code: str, identity: str) -> RaisedOut:
    room, actor = get_moderator(request, code)
    services.lower_hand(room=room, identity=identity, by=actor)
    return RaisedOut(raised=False)


@router.get("/{code}/hands", response={200: list[HandOut], **ERRORS})
def hands(request: HttpRequest, code: str) -> list[HandOut]:
    """The raised hands, oldest first."""
    room, _ = get_moderator(request, code)
    lecture = room.current_lecture()
    return [HandOut(**hand) for hand in selectors.hands_payload(lecture=lecture)] if lecture else []


@router.post("/{code}/hand", response={200: RaisedOut, **ERRORS})
def hand(request: HttpRequest, code: str, payload: HandIn) -> RaisedOut:
    """A student raises or lowers their own hand (the sender is the guest session, never a field)."""
    room, actor = get_participant(request, code)
    if actor.guest is None:
        raise NotAllowed("Only students raise hands.")
    return RaisedOut(raised=services.raise_hand(room=room, guest=actor.guest, raised=payload.raised))


def _ban_out(ban: BannedEntry) -> BanOut:
    return BanOut(
        id=ban.pk,
        room=ban.room.code if ban.room else None,
        display_name=ban.display_name,
        created_at=ban.created_at,
        lifted_at=ban.lifted_at,
    )


@bans_router.get("", response={200: list[BanOut], 401: ErrorOut})
def list_bans(request: HttpRequest) -> list[BanOut]:
    """The caller's ban list across all of their rooms (active first)."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Log in first.")
    bans = BannedEntry.objects.filter(host=request.user).select_related("room").order_by("lifted_at", "-created_at")
    return [_ban_out(ban) for ban in bans]


@bans_router.post("/{ban_id}/lift", response={200: BanOut, 401: ErrorOut, 404: ErrorOut})
def lift_ban(request: HttpRequest, ban_id: int) -> BanOut:
    if not request.user.is_authenticated:
        raise NotAuthenticated("Log in first.")
    ban = BannedEntry.objects.filter(pk=ban_id, host=request.user).select_related("room").first()
    if ban is None:
        raise NotFound("No such ban in your rooms.")
    return _ban_out(services.lift_ban(ban=ban, by=request.user))  # type: ignore[arg-type]
