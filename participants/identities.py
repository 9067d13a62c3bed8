"""LiveKit identities: minted by the server for every connection, each mapped back to its guest."""

import json
import secrets

from django.db import connection

from participants.cohosts import is_guest_cohost
from participants.models import GuestSession, ParticipantHistory
from rooms import livekit_server
from rooms.livekit_server import Credentials
from rooms.models import Lecture, Room


def new_identity(prefix: str) -> str:
    """A server-chosen identity unique to one connection (LiveKit drops the older of two)."""
    return f"{prefix}-{secrets.token_hex(6)}"


def guest_for_identity(*, room: Room, identity: str) -> GuestSession | None:
    """The guest session of `room` that this identity was minted for, if any."""
    history = (
        ParticipantHistory.objects.select_related("guest")
        .filter(guest__room=room, identities__contains=[identity])
        .first()
    )
    return history.guest if history else None


def current_identity(guest: GuestSession) -> str:
    """The identity of the guest's newest connection ("" before the first token)."""
    history = ParticipantHistory.objects.filter(guest=guest).first()
    return str(history.identities[-1]) if history and history.identities else ""


def cohost_identities(*, room: Room) -> set[str]:
    """Every identity minted for the room's co-host guests (one query)."""
    rows = ParticipantHistory.objects.filter(guest__cohost__room=room).values_list("identities", flat=True)
    return {str(identity) for identities in rows for identity in identities or []}


def all_identities(guest: GuestSession) -> list[str]:
    history = ParticipantHistory.objects.filter(guest=guest).first()
    return [str(identity) for identity in (history.identities if history else None) or []]


def mint_guest_credentials(
    *, guest: GuestSession, lecture: Lecture, history: ParticipantHistory, cohost: bool
) -> Credentials:
    """Mint a guest's token from already loaded rows; appends the new identity to `history` (unsaved)."""
    room = lecture.room
    identity = new_identity("guest")
    history.identities = [*history.identities, identity][-50:]
    may_publish = cohost or history.speak_granted or not (room.webinar or room.locked or history.muted)
    return livekit_server.mint_token(
        room=lecture.livekit_room,
        identity=identity,
        name=guest.display_name,
        can_publish=may_publish,
        can_subscribe=True,
        can_publish_data=True,
        attributes={
            "role": "cohost" if cohost else "guest",
            "lectern.transcribe": "yes" if guest.transcribe_me else "no",
        },
    )


def issue_guest_token(*, guest: GuestSession, lecture: Lecture) -> Credentials:
    """A token for an admitted student: a fresh identity, publish only outside webinar mode (or when
    granted), never admin rights. The identity is remembered so moderation can find the guest."""
    history, _ = ParticipantHistory.objects.get_or_create(guest=guest)
    credentials = mint_guest_credentials(
        guest=guest, lecture=lecture, history=history, cohost=is_guest_cohost(guest=guest, room=lecture.room)
    )
    history.save(update_fields=["identities"])
    return credentials


def save_identities(*, histories: list[ParticipantHistory]) -> None:
    """Store many guests' identity lists in one statement."""
    if not histories:
        return
    table = ParticipantHistory._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS h SET identities = v.identities::jsonb "  # noqa: S608 - table name from the model
            "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS identities) AS v WHERE h.id = v.id",
            [[h.pk for h in histories], [json.dumps(h.identities) for h in histories]],
        )
