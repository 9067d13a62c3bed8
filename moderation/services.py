"""Moderation: kick and ban, the panic button, webinar hands and speaking rights, co-hosts.

The server decides who is host from our database; LiveKit is told through rooms.livekit_server.
Every service owns its transaction; LiveKit calls and pushes run once the change is committed.
"""

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record_audit
from core.exceptions import NotAllowed, NotFound, RoomNotLive
from lobby.models import LobbyEntry
from moderation import broadcasts
from moderation.models import HandRaise
from participants.access import Actor
from participants.cohosts import is_guest_cohost
from participants.histories import admitted_guest_ids
from participants.identities import (
    all_identities,
    cohost_identities,
    current_identity,
    guest_for_identity,
    guest_ids_for,
    minted_among,
)
from participants.models import BannedEntry, CoHost, GuestSession, ParticipantHistory
from rooms import livekit_server
from rooms.livekit_server import LiveKitError
from rooms.models import Lecture, Room

logger = logging.getLogger(__name__)


def _audit(action: str, *, room: Room, by: Actor, target: str = "", **detail: Any) -> None:
    record_audit(action=action, room=room, actor=by.user, actor_label=by.label, target=target, detail=detail)


@dataclass(frozen=True)
class Target:
    """A participant of the live lecture, as moderation sees them."""

    identity: str
    role: str  # host, cohost or guest
    guest: GuestSession | None = None
    name: str = ""


def _live_lecture(room: Room) -> Lecture:
    lecture = room.current_lecture()
    if lecture is None:
        raise RoomNotLive("The lecture is not live.")
    return lecture


def find_target(*, room: Room, identity: str) -> Target:
    """Who `identity` is in this room: a guest from our records, or a host/co-host account from LiveKit."""
    guest = guest_for_identity(room=room, identity=identity)
    if guest is not None:
        role = "cohost" if is_guest_cohost(guest=guest, room=room) else "guest"
        return Target(identity=identity, role=role, guest=guest, name=guest.display_name)
    lecture = room.current_lecture()
    if lecture is not None:
        for participant in livekit_server.list_participants(room=lecture.livekit_room):
            if participant.identity == identity and participant.attributes.get("role") in ("host", "cohost"):
                return Target(identity=identity, role=participant.attributes["role"], name=participant.name)
    raise NotFound("Nobody with this identity is in the room.")


def _check_may_moderate(*, by: Actor, target: Target) -> None:
    if target.role == "host":
        raise NotAllowed("The host cannot be moderated.")
    if target.role == "cohost" and by.role != "host":
        raise NotAllowed("Only the host can moderate a co-host.")


def _connected_identities(*, lecture: Lecture, guest: GuestSession) -> list[str]:
    mine = set(all_identities(guest))
    try:
        present = livekit_server.list_participants(room=lecture.livekit_room)
    except LiveKitError:
        return sorted(mine)
    return [p.identity for p in present if p.identity in mine]


def _remove_from_livekit(*, lecture: Lecture, identities: list[str]) -> None:
    try:
        livekit_server.remove_many(room=lecture.livekit_room, identities=identities)
    except LiveKitError:
        # The participant_joined webhook removes it again if it comes back.
        logger.exception("could not remove %s from %s", identities, lecture.livekit_room)


def _notify_hands_on_commit(*, room: Room, lecture: Lecture) -> None:
    transaction.on_commit(lambda: broadcasts.notify_hands(room=room, lecture=lecture))


@transaction.atomic
def kick_participant(
    *, room: Room, identity: str, by: Actor, ban: bool = False, course_wide: bool = False, network: bool = False
) -> Target:
    """Remove a participant from the lecture; with `ban`, keep their browser and session out."""
    lecture = _live_lecture(room)
    target = find_target(room=room, identity=identity)
    _check_may_moderate(by=by, target=target)
    if target.guest is None:
        raise NotAllowed("Only students can be removed; take co-host rights back first.")
    guest = target.guest
    now = timezone.now()
    history, _ = ParticipantHistory.objects.get_or_create(guest=guest)
    history.kicked_at = now
    history.speak_granted = False
    if ban:
        history.banned_at = now
        BannedEntry.objects.create(
            host=room.host,
            room=None if course_wide else room,
            fingerprint=guest.fingerprint,
            session_id=guest.session_id,
            ip_address=guest.ip_address,
            network=network and guest.ip_address is not None,
            display_name=guest.display_name,
            reason="banned from the room page",
            created_by=by.user,
        )
    history.save(update_fields=["kicked_at", "banned_at", "speak_granted"])
    CoHost.objects.filter(room=room, guest=guest).delete()
    HandRaise.objects.filter(lecture=lecture, guest=guest, lowered_at__isnull=True).update(
        lowered_at=now, lowered_by=by.label
    )
    LobbyEntry.objects.filter(guest=guest, status=LobbyEntry.Status.PENDING).update(
        status=LobbyEntry.Status.REJECTED, decided_at=now
    )
    _audit(
        "participant.ban" if ban else "participant.kick",
        room=room,
        by=by,
        target=guest.display_name,
        identity=identity,
        course_wide=course_wide,
        network=network,
    )

    def remove() -> None:
        connected = _connected_identities(lecture=lecture, guest=guest) or [identity]
        _remove_from_livekit(lecture=lecture, identities=connected)

    transaction.on_commit(remove)
    _notify_hands_on_commit(room=room, lecture=lecture)
    return target


def enforce_admission(*, lecture: Lecture, identity: str) -> bool:
    """A participant just joined LiveKit: remove it again unless we minted its identity for this lecture
    and, for a guest, the guest is still admitted and not banned.

    LiveKit cannot revoke a token, so an old token that reconnects is turned away here; so is an
    identity we never minted (a token signed elsewhere with a leaked key, a test tool).
    """
    return bool(enforce_admissions(lecture=lecture, identities=[identity]))


@transaction.atomic
def enforce_admissions(*, lecture: Lecture, identities: list[str]) -> list[str]:
    """enforce_admission for many who joined (a webhook batch), in a handful of queries whatever their
    number; returns the identities removed.

    Unlike the other services it calls LiveKit inside its transaction, holding the room's row: a join
    applied as the host ends the lecture must not read "no live lecture, nobody admitted" and remove
    the students, who would then be told they were removed instead of that the lecture ended. The
    lecture's end (end_lecture locks the same row) waits for a removal in flight; with nobody to remove,
    which is the usual case, no LiveKit call is made."""
    room = Room.objects.select_for_update(no_key=True).get(pk=lecture.room_id)
    current = room.current_lecture()
    if current is None or current.pk != lecture.pk:
        return []  # ended (or replaced) meanwhile: closing its LiveKit room disconnects everyone
    rows = minted_among(lecture=lecture, identities=set(identities))
    guests = list({row.guest.pk: row.guest for row in rows.values() if row.guest is not None}.values())
    admitted = admitted_guest_ids(room=room, guests=guests)
    refused = [
        identity
        for identity in dict.fromkeys(identities)
        if identity not in rows or (rows[identity].guest_id is not None and rows[identity].guest_id not in admitted)
    ]
    if not refused:
        return []
    _remove_from_livekit(lecture=lecture, identities=refused)
    for identity in refused:
        row = rows.get(identity)
        record_audit(
            action="participant.refused" if row is not None else "participant.unknown",
            room=room,
            actor_label="livekit webhook",
            target=row.guest.display_name if row is not None and row.guest else identity,
            detail={"identity": identity},
        )
    return refused


@transaction.atomic
def lift_ban(*, ban: BannedEntry, by: User) -> BannedEntry:
    ban.lifted_at = timezone.now()
    ban.save(update_fields=["lifted_at"])
    record_audit(action="ban.lift", room=ban.room, actor=by, target=ban.display_name or ban.fingerprint)
    return ban


def _set_publish(*, lecture: Lecture, identities: list[str], allow: bool, data: bool = False) -> None:
    """Set publish rights, many at once; only co-hosts (data=True) may send data packets, never students."""
    livekit_server.set_publish_many(
        room=lecture.livekit_room, identities=identities, can_publish=allow, can_publish_data=data
    )


def _students_present(*, room: Room, lecture: Lecture) -> list[livekit_server.LiveKitParticipant]:
    """The participants in LiveKit who are students (co-host guests excepted), in two calls."""
    cohosts = cohost_identities(room=room)
    return [
        p
        for p in livekit_server.list_participants(room=lecture.livekit_room)
        if p.attributes.get("role") == "guest" and p.identity not in cohosts
    ]


def mute_all(*, room: Room, by: Actor, lock: bool = False) -> int:
    """The panic button: everyone but hosts and co-hosts loses publish rights; optionally lock the door."""
    lecture = _live_lecture(room)
    with transaction.atomic():
        ParticipantHistory.objects.filter(lecture=lecture).update(speak_granted=False, muted=True)
        if lock and not room.locked:
            Room.objects.filter(pk=room.pk).update(locked=True)
            room.locked = True
        _audit("room.mute_all", room=room, by=by, lock=lock)
    # after the commit: a student who reconnects now gets a token without publish rights
    muted = [student.identity for student in _students_present(room=room, lecture=lecture)]
    _set_publish(lecture=lecture, identities=muted, allow=False)
    notice = {"type": "muted", "text": "The host muted everyone."}
    livekit_server.send_data(room=lecture.livekit_room, topic="lectern.notice", payload=notice, to_identities=muted)
    live_notice = {"type": "notice", "kind": "muted", "text": notice["text"]}
    broadcasts.tell_students(guest_pks=guest_ids_for(lecture=lecture, identities=muted), message=live_notice)
    return len(muted)


def mute_all_microphones(*, room: Room, by: Actor) -> int:
    """ "Mute all mics": every student's microphone is muted on the server; students may unmute
    (unlike the panic button, which takes publish rights away). Returns how many were muted."""
    lecture = _live_lecture(room)
    microphones = [
        (student.identity, track.sid)
        for student in _students_present(room=room, lecture=lecture)
        for track in student.tracks
        if track.source == "microphone" and not track.muted
    ]
    muted = livekit_server.mute_tracks(room=lecture.livekit_room, tracks=microphones)
    _audit("room.mute_mics", room=room, by=by, count=muted)
    return muted


@transaction.atomic
def set_locked(*, room: Room, by: Actor, locked: bool) -> Room:
    Room.objects.filter(pk=room.pk).update(locked=locked)
    room.locked = locked
    _audit("room.lock" if locked else "room.unlock", room=room, by=by)
    return room


@transaction.atomic
def allow_speaking(*, room: Room, identity: str, by: Actor, allow: bool) -> Target:
    """Grant (or revoke) publish rights to a student; granting lowers their hand."""
    lecture = _live_lecture(room)
    target = find_target(room=room, identity=identity)
    _check_may_moderate(by=by, target=target)
    guest = target.guest
    if guest is None:
        raise NotAllowed("Hosts and co-hosts can always speak.")
    ParticipantHistory.objects.filter(guest=guest).update(speak_granted=allow, muted=not allow)
    if allow:
        HandRaise.objects.filter(lecture=lecture, guest=guest, lowered_at__isnull=True).update(
            lowered_at=timezone.now(), lowered_by=by.label
        )
    _audit("participant.speak" if allow else "participant.mute", room=room, by=by, target=target.name)
    transaction.on_commit(
        lambda: _set_publish(
            lecture=lecture, identities=_connected_identities(lecture=lecture, guest=guest), allow=allow
        )
    )
    _notify_hands_on_commit(room=room, lecture=lecture)
    return target


@transaction.atomic
def set_cohost(*, room: Room, identity: str, by: Actor, allow: bool) -> Target:
    """Make a participant co-host (moderation rights) or take it back; the host only."""
    if by.role != "host":
        raise NotAllowed("Only the room's host can choose co-hosts.")
    lecture = _live_lecture(room)
    target = find_target(room=room, identity=identity)
    if target.role == "host":
        raise NotAllowed("The host is already the host.")
    guest = target.guest
    if guest is None:
        raise NotAllowed("Co-hosts with accounts are managed from the dashboard.")
    if allow:
        CoHost.objects.get_or_create(room=room, guest=guest, defaults={"granted_by": by.user})
    else:
        CoHost.objects.filter(room=room, guest=guest).delete()
    _audit("participant.cohost" if allow else "participant.uncohost", room=room, by=by, target=target.name)

    def tell_livekit() -> None:
        identities = _connected_identities(lecture=lecture, guest=guest)
        for connected in identities:
            with contextlib.suppress(livekit_server.LiveKitNotFound):
                livekit_server.update_attributes(
                    room=lecture.livekit_room, identity=connected, attributes={"role": "cohost" if allow else "guest"}
                )
        _set_publish(lecture=lecture, identities=identities, allow=allow or not room.webinar, data=allow)

    transaction.on_commit(tell_livekit)
    return Target(identity=identity, role="cohost" if allow else "guest", guest=guest, name=target.name)


@transaction.atomic
def raise_hand(*, room: Room, guest: GuestSession, raised: bool) -> bool:
    """A student raises or lowers their own hand."""
    lecture = _live_lecture(room)
    if raised:
        HandRaise.objects.get_or_create(
            lecture=lecture, guest=guest, lowered_at__isnull=True, defaults={"identity": current_identity(guest)}
        )
    else:
        HandRaise.objects.filter(lecture=lecture, guest=guest, lowered_at__isnull=True).update(
            lowered_at=timezone.now(), lowered_by="self"
        )
    _notify_hands_on_commit(room=room, lecture=lecture)
    return raised


@transaction.atomic
def lower_hand(*, room: Room, identity: str, by: Actor) -> None:
    lecture = _live_lecture(room)
    target = find_target(room=room, identity=identity)
    if target.guest is not None:
        HandRaise.objects.filter(lecture=lecture, guest=target.guest, lowered_at__isnull=True).update(
            lowered_at=timezone.now(), lowered_by=by.label
        )
    _notify_hands_on_commit(room=room, lecture=lecture)
