"""What became of a guest session in a lecture: the one rule for "admitted and not removed"."""

from participants.bans import find_ban
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
