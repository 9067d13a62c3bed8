"""LiveKit identities: minted by the server for every connection, each mapped back to its owner.

Every identity is a MintedIdentity row. Minting for one guest is rate-limited (a reload or a network
change still gets a token; a loop that asks for hundreds does not).
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.exceptions import RateLimited
from core.ratelimit import lock_keys
from participants.cohosts import is_guest_cohost
from participants.models import GuestSession, MintedIdentity, ParticipantHistory
from rooms import livekit_server
from rooms.livekit_server import Credentials
from rooms.models import Lecture, Room

# Tokens one guest may be given: enough for reloads and reconnects, not for hoarding connections.
GUEST_TOKENS = 12
GUEST_TOKEN_WINDOW = timedelta(minutes=2)


def new_identity(prefix: str) -> str:
    """A server-chosen identity unique to one connection (LiveKit drops the older of two)."""
    return f"{prefix}-{secrets.token_hex(6)}"


def minted(*, lecture: Lecture, identity: str) -> MintedIdentity | None:
    """The row of an identity we minted for this lecture; None for one we never minted."""
    return MintedIdentity.objects.select_related("guest", "user").filter(lecture=lecture, identity=identity).first()


def minted_among(*, lecture: Lecture, identities: set[str]) -> dict[str, MintedIdentity]:
    """The rows of those of `identities` we minted for this lecture, by identity (one query)."""
    rows = MintedIdentity.objects.select_related("guest", "user").filter(lecture=lecture, identity__in=identities)
    return {row.identity: row for row in rows}


def guest_for_identity(*, room: Room, identity: str) -> GuestSession | None:
    """The guest session of `room` that this identity was minted for, if any."""
    row = MintedIdentity.objects.select_related("guest").filter(identity=identity, guest__room=room).first()
    return row.guest if row else None


def current_identity(guest: GuestSession) -> str:
    """The identity of the guest's newest connection ("" before the first token)."""
    row = MintedIdentity.objects.filter(guest=guest).order_by("-created_at", "-pk").first()
    return row.identity if row else ""


def all_identities(guest: GuestSession, *, lecture: Lecture | None = None) -> list[str]:
    """Every identity ever minted for the guest (in one lecture, when given), oldest first."""
    rows = MintedIdentity.objects.filter(guest=guest)
    if lecture is not None:
        rows = rows.filter(lecture=lecture)
    return list(rows.values_list("identity", flat=True))


def guest_ids_for(*, lecture: Lecture, identities: list[str]) -> list[int]:
    """The guest sessions behind these identities (one query)."""
    rows = MintedIdentity.objects.filter(lecture=lecture, identity__in=identities, guest__isnull=False)
    return sorted(set(rows.values_list("guest_id", flat=True)))


def moderator_identities(*, lecture: Lecture) -> list[str]:
    """The identities minted in this lecture for its hosts and co-hosts (accounts and guests)."""
    rows = MintedIdentity.objects.filter(lecture=lecture, role__in=("host", "cohost"))
    return list(rows.values_list("identity", flat=True))


def cohost_identities(*, room: Room) -> set[str]:
    """Every identity minted for the room's co-host guests (one query)."""
    return set(MintedIdentity.objects.filter(guest__cohost__room=room).values_list("identity", flat=True))


def record_host_identity(*, lecture: Lecture, user: User, role: str, identity: str) -> MintedIdentity:
    return MintedIdentity.objects.create(identity=identity, lecture=lecture, user=user, role=role)


def check_token_budget(*, guest: GuestSession) -> None:
    """Raise RateLimited when this guest was given too many tokens just now."""
    since = timezone.now() - GUEST_TOKEN_WINDOW
    recent = list(
        MintedIdentity.objects.filter(guest=guest, created_at__gt=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:GUEST_TOKENS]
    )
    if len(recent) >= GUEST_TOKENS:
        wait = recent[-1] + GUEST_TOKEN_WINDOW - timezone.now()
        raise RateLimited(
            "Too many reconnections in a short time. Wait a moment and try again.",
            retry_after=max(1, int(wait.total_seconds()) + 1),
        )


def mint_guest_credentials(
    *, guest: GuestSession, lecture: Lecture, history: ParticipantHistory, cohost: bool
) -> tuple[Credentials, MintedIdentity]:
    """Mint a guest's token from already loaded rows, with its identity row (unsaved: the caller saves)."""
    room = lecture.room
    identity = new_identity("guest")
    may_publish = cohost or history.speak_granted or not (room.webinar or room.locked or history.muted)
    role = "cohost" if cohost else "guest"
    credentials = livekit_server.mint_token(
        room=lecture.livekit_room,
        identity=identity,
        name=guest.display_name,
        can_publish=may_publish,
        can_subscribe=True,
        # students send nothing through LiveKit: chat, hands, polls and files go through our API
        can_publish_data=cohost,
        attributes={"role": role, "lectern.transcribe": "yes" if guest.transcribe_me else "no"},
    )
    return credentials, MintedIdentity(identity=identity, lecture=lecture, guest=guest, role=role)


@transaction.atomic
def issue_guest_token(
    *, guest: GuestSession, lecture: Lecture, history: ParticipantHistory | None = None
) -> Credentials:
    """A token for an admitted student: a fresh identity, publish only outside webinar mode (or when
    granted), never admin rights, no data. The identity is kept so moderation can find the guest.
    `history`: the guest's, when the caller has just loaded or saved it."""
    lock_keys(f"tokens:{guest.pk}")  # parallel rejoins take turns: the budget counts each one's identity
    check_token_budget(guest=guest)
    if history is None:
        history, _ = ParticipantHistory.objects.get_or_create(guest=guest)
    credentials, row = mint_guest_credentials(
        guest=guest, lecture=lecture, history=history, cohost=is_guest_cohost(guest=guest, room=lecture.room)
    )
    row.save()
    return credentials


def save_identities(*, rows: list[MintedIdentity]) -> None:
    """Store many minted identities in one statement."""
    MintedIdentity.objects.bulk_create(rows)
