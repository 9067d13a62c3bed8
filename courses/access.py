"""Who may manage a course and read its reports: the database decides, never the client."""

from django.http import HttpRequest

from core.exceptions import NotAuthenticated, NotFound
from courses.models import CourseSettings, RosterSession, ScheduledLecture
from courses.services import get_scheduled
from participants.access import actor_for, get_moderator
from participants.bans import banned_among
from participants.guests import get_guest
from participants.models import GuestSession
from rooms.access import get_room
from rooms.models import Lecture, Room

REPORT_NOT_FOUND = "No lecture here, or you may not see its attendance."


def get_scheduled_for_moderator(request: HttpRequest, scheduled_id: int) -> ScheduledLecture:
    """A scheduled lecture of a room the requester hosts or co-hosts: 404 unknown, 401/403 otherwise."""
    scheduled = get_scheduled(scheduled_id=scheduled_id)
    get_moderator(request, scheduled.room.code)
    return scheduled


def _reads_reports(request: HttpRequest, room: Room) -> bool:
    actor = actor_for(request, room)
    return actor is not None and actor.role in ("host", "cohost", "admin")


def get_lecture_for_reports(request: HttpRequest, lecture_id: int) -> Lecture:
    """A lecture whose attendance the requester may read (hosts, co-hosts, admins); 404 for anyone else."""
    lecture = Lecture.objects.select_related("room").filter(pk=lecture_id).first()
    if lecture is None or not _reads_reports(request, lecture.room):
        raise NotFound(REPORT_NOT_FOUND)
    return lecture


def get_room_for_reports(request: HttpRequest, code: str) -> Room:
    """A room whose term report the requester may read: 401 anonymous, 404 for anyone else."""
    room = get_room(code)
    if not request.user.is_authenticated and actor_for(request, room) is None:
        raise NotAuthenticated("Log in first.")
    if not _reads_reports(request, room):
        raise NotFound(REPORT_NOT_FOUND)
    return room


def _banned(guest: GuestSession) -> bool:
    fingerprints, session_ids = banned_among(
        room=guest.room, fingerprints={guest.fingerprint}, session_ids={guest.session_id}
    )
    return bool(fingerprints or session_ids)


def get_own_attendance_entry(request: HttpRequest, lecture_id: int) -> tuple[Lecture, int]:
    """The lecture and the requester's roster entry, when the room lets students read their own
    attendance and this browser joined the room through a personal link; 404 otherwise."""
    lecture = Lecture.objects.select_related("room").filter(pk=lecture_id).first()
    if lecture is None:
        raise NotFound(REPORT_NOT_FOUND)
    allowed = CourseSettings.objects.filter(room_id=lecture.room_id, students_see_attendance=True).exists()
    guest = get_guest(request, lecture.room) if allowed else None
    session = RosterSession.objects.filter(guest=guest).first() if guest is not None else None
    if session is None or (guest is not None and _banned(guest)):
        raise NotFound(REPORT_NOT_FOUND)
    return lecture, session.entry_id
