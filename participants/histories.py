"""What became of a guest session in a lecture: the one rule for "admitted and not removed"."""

from participants.bans import banned_among
from participants.models import GuestSession, ParticipantHistory
from rooms.models import Lecture, Room


def is_admitted(history: ParticipantHistory, lecture: Lecture) -> bool:
    """Admitted to this lecture and not removed since."""
    if history.lecture_id != lecture.pk or history.admitted_at is None:
        return False
    return history.kicked_at is None or history.kicked_at < history.admitted_at


def is_admitted_guest(guest: GuestSession, room: Room) -> bool:
    """An admitted, not removed, not banned guest of the room's current lecture."""
    return guest.pk in admitted_guest_ids(room=room, guests=[guest])


def admitted_guest_ids(*, room: Room, guests: list[GuestSession]) -> set[int]:
    """Which of these guests are admitted, not removed and not banned from the room's current lecture
    (the one rule; a webhook batch of joins asks it for many at once), in four queries whatever their
    number."""
    lecture = room.current_lecture()
    if lecture is None or not guests:
        return set()
    histories = ParticipantHistory.objects.filter(guest__in=guests)
    admitted = {history.guest_id for history in histories if is_admitted(history, lecture)}
    if not admitted:
        return set()
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
