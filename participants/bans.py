"""Bans: which browsers (fingerprint first, then guest session) are kept out of a room."""

import uuid

from django.db.models import Q, QuerySet

from participants.models import BannedEntry
from rooms.models import Room


def _bans_for(room: Room) -> "QuerySet[BannedEntry]":
    return BannedEntry.objects.active().filter(Q(room=room) | Q(room__isnull=True, host_id=room.host_id))


def banned_among(*, room: Room, fingerprints: set[str], session_ids: set[uuid.UUID]) -> tuple[set[str], set[uuid.UUID]]:
    """Which of these fingerprints and session ids are banned from the room (two queries for any number)."""
    bans = _bans_for(room)
    return (
        set(bans.filter(fingerprint__in=fingerprints - {""}).values_list("fingerprint", flat=True)),
        {sid for sid in bans.filter(session_id__in=session_ids).values_list("session_id", flat=True) if sid},
    )


def find_ban(
    *, room: Room, fingerprint: str, session_id: uuid.UUID | None, ip: str | None = None
) -> BannedEntry | None:
    """The active ban that keeps this browser out of `room`: by fingerprint first, then session id,
    then the network address for the bans a host extended to "this network".

    Bans of this room and course-wide bans of its host both count.
    """
    bans = _bans_for(room)
    if fingerprint:
        ban = bans.filter(fingerprint=fingerprint).first()
        if ban:
            return ban
    if session_id:
        ban = bans.filter(session_id=session_id).first()
        if ban:
            return ban
    if ip:
        return bans.filter(network=True, ip_address=ip).first()
    return None


def shares_a_banned_address(*, room: Room, ip: str) -> bool:
    """Whether someone banned from the room came from this address (a secondary signal: the newcomer
    may be the banned student with a fresh browser, or a classmate behind the same NAT)."""
    return bool(ip) and _bans_for(room).filter(ip_address=ip).exists()
