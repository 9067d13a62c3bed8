"""The waiting room: knocking, admitting, rejecting, messages to those waiting, rejoining."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import record_audit
from core.exceptions import LecternError, NotFound, RateLimited, RoomNotLive
from core.ratelimit import clear_hits, forget_hits, lock_keys, record_hit, retry_after
from core.text import same_name
from lobby import broadcasts
from lobby.exceptions import Banned, KnockRefused, WrongPin
from lobby.models import LobbyEntry
from participants.access import Actor
from participants.bans import banned_among, find_ban, shares_a_banned_address
from participants.broadcasts import notify_hosts
from participants.cohosts import cohost_guest_ids, host_names
from participants.histories import is_admitted
from participants.identities import issue_guest_token, mint_guest_credentials, save_identities
from participants.models import GuestSession, ParticipantHistory
from rooms.livekit_server import Credentials
from rooms.models import Lecture, Room
from rooms.services import check_pin

logger = logging.getLogger(__name__)

# Wrong PINs: one browser may miss 5 times a minute in a room (and 10 times an hour), one network
# address 30 times a minute (a hall of students behind one NAT, a few of them mistyping); past 10
# in an hour the room's PIN entry pauses and its hosts are told, who may lift the pause. A browser
# counts for at most 3 of the room's 10, so one student cannot pause the room alone (scripted
# guessing with ever new fingerprints still does). Successful joins spend nothing. See
# docs/security.md.
BROWSER_PIN_ATTEMPTS = 5
NETWORK_PIN_ATTEMPTS = 30
PIN_WINDOW = timedelta(minutes=1)
# Failed PINs per room: past this, PIN entry for the room pauses and the host is told.
ROOM_FAILURES = 10
ROOM_WINDOW = timedelta(hours=1)
BROWSER_HOURLY_FAILURES = 10
BROWSER_SHARE_OF_ROOM = 3
PIN_PAUSED = "Too many wrong PINs: PIN entry is paused for an hour."
MAX_REJECTIONS = 2


@dataclass(frozen=True)
class KnockResult:
    guest: GuestSession
    status: str  # "waiting" or "admitted"
    credentials: Credentials | None = None


def _room_key(room: Room) -> str:
    return f"pin-room:{room.pk}"


def _browser_hour_key(*, room: Room, ip: str, fingerprint: str) -> str:
    return f"pin-browser-hour:{room.pk}:{ip}:{fingerprint}"


def _pin_keys(*, room: Room, ip: str, fingerprint: str) -> list[tuple[str, int, timedelta]]:
    """The budgets one wrong PIN spends: this browser's, then this network's, in this room only."""
    return [
        (f"pin-browser:{room.pk}:{ip}:{fingerprint}", BROWSER_PIN_ATTEMPTS, PIN_WINDOW),
        (_browser_hour_key(room=room, ip=ip, fingerprint=fingerprint), BROWSER_HOURLY_FAILURES, ROOM_WINDOW),
        (f"pin-net:{room.pk}:{ip}", NETWORK_PIN_ATTEMPTS, PIN_WINDOW),
    ]


def pin_pause_remaining(*, room: Room) -> int:
    """Seconds until the room's PIN entry resumes by itself; 0 when it is not paused."""
    return retry_after(key=_room_key(room), limit=ROOM_FAILURES, window=ROOM_WINDOW)


@transaction.atomic
def lift_pin_pause(*, room: Room, by: Actor) -> bool:
    """A host lets students enter the PIN again (the room's count of wrong PINs starts over)."""
    if not pin_pause_remaining(room=room):
        return False
    clear_hits(key=_room_key(room))
    record_audit(action="pin.pause_lifted", room=room, actor=by.user, actor_label=by.label)
    room_pk = room.pk
    transaction.on_commit(
        lambda: notify_hosts(
            room_pk=room_pk,
            message={"type": "security.pin_resumed", "message": f"{by.display_name} let students enter the PIN again."},
        )
    )
    return True


@transaction.atomic
def _claim_pin_attempt(*, room: Room, ip: str, fingerprint: str) -> tuple[list[int], bool]:
    """Spend the budgets of one PIN attempt before its PIN is hashed, as if it failed: the hits' ids
    (to forget when the PIN is right) and whether this failure pauses the room's PIN entry.

    Under locks on every key it counts, so parallel attempts see each other's hits and cannot all
    slip through to bcrypt together."""
    keys = _pin_keys(room=room, ip=ip, fingerprint=fingerprint)
    lock_keys(_room_key(room), *(key for key, _, _ in keys))
    paused = pin_pause_remaining(room=room)
    if paused:
        raise RateLimited(
            "PIN entry for this room is paused after too many wrong PINs. The host has been told.",
            retry_after=paused,
        )
    for key, limit, window in keys:
        wait = retry_after(key=key, limit=limit, window=window)
        if wait:
            raise RateLimited("Too many wrong PINs. Wait a moment and try again.", retry_after=wait)
    # this browser's first few failures of the hour count towards the room's pause, no more
    hour_key = _browser_hour_key(room=room, ip=ip, fingerprint=fingerprint)
    counts_for_room = not retry_after(key=hour_key, limit=BROWSER_SHARE_OF_ROOM, window=ROOM_WINDOW)
    hits = [record_hit(key=key) for key, _, _ in keys]
    if not counts_for_room:
        return hits, False
    hits.append(record_hit(key=_room_key(room)))
    return hits, bool(pin_pause_remaining(room=room))


def _check_pin(*, room: Room, pin: str | None, ip: str, fingerprint: str) -> None:
    if not room.requires_pin:
        return
    # spent (and committed) before bcrypt, so a guesser cannot make the server hash at will
    hits, pauses_room = _claim_pin_attempt(room=room, ip=ip, fingerprint=fingerprint)
    if pin and check_pin(room=room, pin=pin):
        forget_hits(ids=hits)  # successful joins spend nothing
        return
    if not pauses_room:
        raise WrongPin("That PIN is not right." if pin else "This room needs a PIN.")
    record_audit(
        action="pin.paused", room=room, actor_label="system", ip_address=ip, detail={"failures": ROOM_FAILURES}
    )
    room_pk = room.pk
    transaction.on_commit(
        lambda: notify_hosts(
            room_pk=room_pk,
            message={"type": "security.pin_paused", "message": PIN_PAUSED},
        )
    )
    raise WrongPin("That PIN is not right.")


def _guest_for_knock(
    *, room: Room, existing: GuestSession | None, display_name: str, fingerprint: str, transcribe_me: bool, ip: str
) -> GuestSession:
    if existing is not None and existing.room_id == room.pk:
        existing.display_name = display_name
        existing.fingerprint = fingerprint
        existing.transcribe_me = transcribe_me
        existing.ip_address = ip or None
        existing.save(update_fields=["display_name", "fingerprint", "transcribe_me", "ip_address"])
        return existing
    return GuestSession.objects.create(
        room=room,
        display_name=display_name,
        fingerprint=fingerprint,
        transcribe_me=transcribe_me,
        ip_address=ip or None,
    )


def _ensure_not_banned(*, room: Room, guest: GuestSession | None, fingerprint: str, ip: str | None = None) -> None:
    ip = ip or (guest.ip_address if guest else None)
    ban = find_ban(room=room, fingerprint=fingerprint, session_id=guest.session_id if guest else None, ip=ip)
    if ban:
        raise Banned("You cannot join this room.")


def _admit(*, guest: GuestSession, lecture: Lecture, history: ParticipantHistory | None = None) -> Credentials:
    """Admit the guest into the lecture and mint its token; `history` when already loaded (or new, unsaved)."""
    if history is None:
        history, _ = ParticipantHistory.objects.get_or_create(guest=guest)
    if history.pk is None or history.lecture_id != lecture.pk or history.admitted_at is None:
        history.lecture = lecture
        history.admitted_at = timezone.now()
        history.speak_granted = False
        if history.pk is None:
            history.save()
        else:
            history.save(update_fields=["lecture", "admitted_at", "speak_granted"])
    return issue_guest_token(guest=guest, lecture=lecture, history=history)


def knock(
    *,
    room: Room,
    display_name: str,
    fingerprint: str,
    pin: str | None,
    transcribe_me: bool,
    ip: str,
    existing_guest: GuestSession | None,
) -> KnockResult:
    """A student asks to come in: PIN, bans and room state are checked; then they wait or enter."""
    if any(same_name(display_name, name) for name in host_names(room=room)):
        raise LecternError("That is the name of one of this room's hosts: please use your own name.")
    # Outside the transaction: a failed PIN must stay counted although the knock fails.
    _check_pin(room=room, pin=pin, ip=ip, fingerprint=fingerprint)
    _ensure_not_banned(room=room, guest=existing_guest, fingerprint=fingerprint, ip=ip)
    with transaction.atomic():
        return _enter_or_wait(
            room=room,
            display_name=display_name,
            fingerprint=fingerprint,
            transcribe_me=transcribe_me,
            ip=ip,
            existing_guest=existing_guest,
        )


def _enter_or_wait(
    *,
    room: Room,
    display_name: str,
    fingerprint: str,
    transcribe_me: bool,
    ip: str,
    existing_guest: GuestSession | None,
) -> KnockResult:
    lecture = room.current_lecture()
    if lecture is None:
        raise RoomNotLive(
            "This lecture hasn't started yet." if room.status == Room.Status.SCHEDULED else "This lecture has ended."
        )
    rejections = LobbyEntry.objects.filter(
        lecture=lecture, status=LobbyEntry.Status.REJECTED, guest__fingerprint=fingerprint
    ).count()
    if rejections >= MAX_REJECTIONS:
        raise KnockRefused("The host has declined your request to join this lecture.")
    guest = _guest_for_knock(
        room=room,
        existing=existing_guest,
        display_name=display_name,
        fingerprint=fingerprint,
        transcribe_me=transcribe_me,
        ip=ip,
    )
    if guest is existing_guest:
        history, _ = ParticipantHistory.objects.get_or_create(guest=guest)
    else:  # a guest session created just now has no history yet: it is stored once, below
        history = ParticipantHistory(guest=guest)
    if is_admitted(history, lecture):
        credentials = issue_guest_token(guest=guest, lecture=lecture, history=history)
        return KnockResult(guest=guest, status="admitted", credentials=credentials)
    # Without a lobby students go straight in, except those the host removed in this lecture and
    # newcomers from the address of a banned student: the host decides about them in the lobby.
    removed_here = history.lecture_id == lecture.pk and history.kicked_at is not None
    if not room.lobby and not room.locked and not removed_here and not shares_a_banned_address(room=room, ip=ip):
        credentials = _admit(guest=guest, lecture=lecture, history=history)
        return KnockResult(guest=guest, status="admitted", credentials=credentials)
    if history.pk is None:
        history.lecture = lecture
        history.save()
    elif history.lecture_id != lecture.pk:
        history.lecture = lecture
        history.save(update_fields=["lecture"])
    entry, created = LobbyEntry.objects.get_or_create(guest=guest, lecture=lecture, status=LobbyEntry.Status.PENDING)
    if created:
        payload = broadcasts.entry_payload(entry)
        room_pk = room.pk
        transaction.on_commit(lambda: notify_hosts(room_pk=room_pk, message={"type": "lobby.knock", "entry": payload}))
    return KnockResult(guest=guest, status="waiting")


def get_entry(*, room: Room, entry_id: int) -> LobbyEntry:
    try:
        return LobbyEntry.objects.select_related("guest", "lecture").get(pk=entry_id, lecture__room=room)
    except LobbyEntry.DoesNotExist:
        raise NotFound("Nobody with this id is waiting in this room.") from None


def waiting_entries(*, room: Room) -> list[LobbyEntry]:
    lecture = room.current_lecture()
    if lecture is None:
        return []
    return list(LobbyEntry.objects.pending().filter(lecture=lecture).select_related("guest"))


def _admitted_message(credentials: Credentials) -> dict[str, Any]:
    return {
        "type": "lobby.status",
        "status": "admitted",
        "livekit_url": credentials.livekit_url,
        "token": credentials.token,
        "identity": credentials.identity,
    }


@transaction.atomic
def admit_guest(*, entry: LobbyEntry, by: Actor) -> LobbyEntry:
    """Let one waiting student in: a token is minted now and pushed to that student only."""
    entry = LobbyEntry.objects.select_for_update().select_related("guest", "lecture__room").get(pk=entry.pk)
    if entry.status != LobbyEntry.Status.PENDING:
        return entry
    _ensure_not_banned(room=entry.lecture.room, guest=entry.guest, fingerprint=entry.guest.fingerprint)
    entry.status = LobbyEntry.Status.ADMITTED
    entry.decided_at = timezone.now()
    entry.decided_by = by.user
    entry.save(update_fields=["status", "decided_at", "decided_by"])
    credentials = _admit(guest=entry.guest, lecture=entry.lecture)
    record_audit(
        action="lobby.admit",
        room=entry.lecture.room,
        actor=by.user,
        actor_label=by.label,
        target=entry.guest.display_name,
    )
    _after_decision(entry, guest_message=_admitted_message(credentials))
    return entry


@transaction.atomic
def admit_all(*, room: Room, by: Actor) -> int:
    """Admit everyone waiting (banned browsers excepted) in a few queries; returns how many came in.

    Every student's token is minted here and pushed to that student's socket only, all in one go.
    """
    lecture = room.current_lecture()
    if lecture is None:
        raise RoomNotLive("The lecture is not live.")
    entries = list(
        LobbyEntry.objects.select_for_update(of=("self",))
        .filter(lecture=lecture, status=LobbyEntry.Status.PENDING)
        .select_related("guest")
    )
    banned_fingerprints, banned_sessions = banned_among(
        room=room,
        fingerprints={entry.guest.fingerprint for entry in entries},
        session_ids={entry.guest.session_id for entry in entries},
    )
    entries = [
        entry
        for entry in entries
        if entry.guest.fingerprint not in banned_fingerprints and entry.guest.session_id not in banned_sessions
    ]
    guest_ids = [entry.guest_id for entry in entries]
    histories = {h.guest_id: h for h in ParticipantHistory.objects.filter(guest_id__in=guest_ids)}
    missing = [ParticipantHistory(guest_id=guest_id) for guest_id in guest_ids if guest_id not in histories]
    histories.update({h.guest_id: h for h in ParticipantHistory.objects.bulk_create(missing)})
    cohosts = cohost_guest_ids(room=room, guest_ids=guest_ids)
    now = timezone.now()
    lecture.room = room
    newly_admitted = [h.pk for h in histories.values() if h.lecture_id != lecture.pk or h.admitted_at is None]
    ParticipantHistory.objects.filter(pk__in=newly_admitted).update(
        lecture=lecture, admitted_at=now, speak_granted=False
    )
    messages: list[tuple[int, dict[str, Any]]] = []
    minted = []
    for entry in entries:
        history = histories[entry.guest_id]
        if history.pk in newly_admitted:
            history.lecture_id, history.admitted_at, history.speak_granted = lecture.pk, now, False
        credentials, identity = mint_guest_credentials(
            guest=entry.guest, lecture=lecture, history=history, cohost=entry.guest_id in cohosts
        )
        minted.append(identity)
        messages.append((entry.guest_id, _admitted_message(credentials)))
    save_identities(rows=minted)
    LobbyEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        status=LobbyEntry.Status.ADMITTED, decided_at=now, decided_by=by.user
    )
    record_audit(
        action="lobby.admit_all", room=room, actor=by.user, actor_label=by.label, detail={"count": len(entries)}
    )
    room_pk = room.pk
    decided = [entry.pk for entry in entries]

    def push() -> None:
        broadcasts.notify_each_guest(room_pk=room_pk, messages=messages)
        notify_hosts(room_pk=room_pk, message={"type": "lobby.decided", "ids": decided})

    transaction.on_commit(push)
    return len(entries)


@transaction.atomic
def reject_guest(*, entry: LobbyEntry, by: Actor, message: str = "") -> LobbyEntry:
    """Turn a waiting student away, with the host's words if any."""
    entry = LobbyEntry.objects.select_for_update().select_related("guest", "lecture__room").get(pk=entry.pk)
    if entry.status != LobbyEntry.Status.PENDING:
        return entry
    entry.status = LobbyEntry.Status.REJECTED
    entry.decided_at = timezone.now()
    entry.decided_by = by.user
    entry.message = message
    entry.save(update_fields=["status", "decided_at", "decided_by", "message"])
    history, _ = ParticipantHistory.objects.get_or_create(guest=entry.guest)
    history.rejected_count += 1
    history.save(update_fields=["rejected_count"])
    record_audit(
        action="lobby.reject",
        room=entry.lecture.room,
        actor=by.user,
        actor_label=by.label,
        target=entry.guest.display_name,
    )
    guest_message: dict[str, Any] = {"type": "lobby.status", "status": "rejected"}
    if message:
        guest_message["message"] = message
    _after_decision(entry, guest_message=guest_message)
    return entry


def _after_decision(entry: LobbyEntry, *, guest_message: dict[str, Any]) -> None:
    guest_pk, room_pk, entry_pk = entry.guest_id, entry.lecture.room_id, entry.pk
    transaction.on_commit(lambda: broadcasts.notify_guest(guest_pk=guest_pk, message=guest_message))
    transaction.on_commit(lambda: notify_hosts(room_pk=room_pk, message={"type": "lobby.decided", "ids": [entry_pk]}))


def message_waiting(*, room: Room, by: Actor, message: str) -> int:
    """Show the host's message to everyone waiting; returns how many received it."""
    entries = waiting_entries(room=room)
    broadcasts.notify_guests(
        room_pk=room.pk,
        guest_pks=[entry.guest_id for entry in entries],
        message={"type": "lobby.status", "status": "waiting", "message": message},
    )
    return len(entries)


def rejoin(*, room: Room, guest: GuestSession) -> Credentials:
    """A fresh token for a student already admitted to the current lecture (after a reload)."""
    lecture = room.current_lecture()
    if lecture is None:
        raise RoomNotLive("The lecture is not live.")
    _ensure_not_banned(room=room, guest=guest, fingerprint=guest.fingerprint)
    history = ParticipantHistory.objects.filter(guest=guest).first()
    if history is None or not is_admitted(history, lecture):
        raise KnockRefused("You are not admitted to this lecture: knock again.")
    return issue_guest_token(guest=guest, lecture=lecture)


def guest_status(*, guest: GuestSession) -> dict[str, Any]:
    """What a guest's lobby socket says on (re)connect: its current status, with a fresh token if admitted."""
    room = guest.room
    lecture = room.current_lecture()
    if lecture is None:
        return {"type": "lobby.status", "status": "rejected", "message": "The lecture is not live."}
    if find_ban(room=room, fingerprint=guest.fingerprint, session_id=guest.session_id):
        return {"type": "lobby.status", "status": "rejected", "message": "You cannot join this room."}
    history = ParticipantHistory.objects.filter(guest=guest).first()
    if history is not None and is_admitted(history, lecture):
        try:
            return _admitted_message(issue_guest_token(guest=guest, lecture=lecture))
        except RateLimited as exc:
            return {"type": "error", "detail": exc.detail, "retry_after": exc.retry_after}
    entry = LobbyEntry.objects.filter(guest=guest, lecture=lecture).order_by("-created_at").first()
    if entry is None:
        return {"type": "lobby.status", "status": "rejected", "message": "Knock again to join this lecture."}
    if entry.status == LobbyEntry.Status.ADMITTED:  # admitted once, removed since
        return {
            "type": "lobby.status",
            "status": "rejected",
            "message": "You were removed from this lecture. Knock again to ask the host to let you back in.",
        }
    if entry.status == LobbyEntry.Status.REJECTED:
        message = {"type": "lobby.status", "status": "rejected"}
        if entry.message:
            message["message"] = entry.message
        return message
    return {"type": "lobby.status", "status": "waiting"}
