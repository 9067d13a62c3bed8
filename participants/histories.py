"""What became of a guest session in a lecture: the one rule for "admitted and not removed"."""

from participants.bans import banned_among, find_ban
from participants.models import GuestSession, ParticipantHistory
from rooms.models import Lecture, Room


def is_admitted(history: ParticipantHistory, lecture: Lecture) -> bool:
    """Admitted to this lecture and not removed since."""
    if history.lecture_id != lecture.pk or history.admitted_at is None:
        return False
    return history.kicked_at is None or history.kicked_at < history.admitted_at


def history_of(guest: GuestSession) -> ParticipantHistory | None:
    return ParticipantHistory.objects.filter(guest=guest).first()


def is_admitted_guest(guest: GuestSession, room: Room) -> bool:
    """An admitted, not removed, not banned guest of the room's current lecture."""
    lecture = room.current_lecture()
    history = history_of(guest)
    if lecture is None or history is None or not is_admitted(history, lecture):
        return False
    return find_ban(room=room, fingerprint=guest.fingerprint, session_id=guest.session_id) is None


def admitted_guest_ids(*, room: Room, guests: list[GuestSession]) -> set[int]:
    """Which of these guests are admitted, not removed and not banned: is_admitted_guest for many at
    once (a webhook batch of joins), in four queries whatever their number."""
    lecture = room.current_lecture()
    if lecture is None or not guests:
        return set()
    histories = ParticipantHistory.objects.filter(guest__in=guests)
    admitted = {history.guest_id for history in histories if is_admitted(history, lecture)}
    fingerprints, session_ids = banned_among(
        room=room,
        fingerprints={g.fingerprint for g in guests if g.pk in admitted},
        session_ids={g.session_id for g in guests if g.pk in admitted and g.session_id},
    )
    return {
        g.pk
        for g in guests
        if g.pk in admitted and g.fingerprint not in fingerprints and g.session_id not in session_ids
    }
