"""Who may see, watch and manage recordings, and the queries the API and pages need.

The rule: the room's host, its co-hosts and admins always see every recording of the room and manage
it (access, delete). Everyone else sees only finished (ready) recordings, by each one's access:
- hosts: nobody else;
- attendees: students whose guest session (this browser's, or one linked to their account) was
  admitted into, or attended, that recording's lecture, and who are not banned from it;
- signed_in: any signed-in account;
- public: anyone with the link.
Anyone the rule leaves out gets a 404, so a recording's existence is not revealed.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import HttpRequest

from accounts.models import User
from core.exceptions import NotAllowed, NotFound
from lectures.models import AttendanceInterval
from participants.access import is_room_host
from participants.guests import guest_session_ids
from participants.models import GuestSession, ParticipantHistory
from recordings.models import Access, Recording, RecordingQuerySet, RecordingSettings
from rooms.access import get_room
from rooms.models import Room

RECORDING_NOT_FOUND = "No recording here, or you may not watch it."


def _user(request: HttpRequest) -> User | None:
    user: User | AnonymousUser = request.user  # type: ignore[assignment]
    return user if isinstance(user, User) and user.is_authenticated else None


def manages_room(request: HttpRequest, room: Room) -> bool:
    """The room's host, a co-host or an admin: sees every recording and manages it."""
    user = _user(request)
    return user is not None and (user.is_admin or is_room_host(user, room))


def _attended_lecture_ids(request: HttpRequest, room: Room) -> set[int]:
    """The lectures of `room` this browser (or account) took part in as a student, never banned."""
    condition = Q(session_id__in=guest_session_ids(request))
    user = _user(request)
    if user is not None:
        condition |= Q(user=user)
    guests = list(
        GuestSession.objects.filter(room=room)
        .filter(condition)
        .exclude(history__banned_at__isnull=False)
        .values_list("pk", flat=True)
    )
    if not guests:
        return set()
    admitted = ParticipantHistory.objects.filter(
        guest_id__in=guests, admitted_at__isnull=False, lecture__isnull=False
    ).values_list("lecture_id", flat=True)
    present = AttendanceInterval.objects.filter(guest_id__in=guests, lecture__room=room).values_list(
        "lecture_id", flat=True
    )
    return {int(pk) for pk in admitted if pk is not None} | {int(pk) for pk in present}


def may_watch(request: HttpRequest, recording: Recording) -> bool:
    """Whether the requester may watch and download this recording."""
    if manages_room(request, recording.room):
        return True
    if recording.status != Recording.Status.READY:
        return False
    if recording.access == Access.PUBLIC:
        return True
    if recording.access == Access.SIGNED_IN:
        return _user(request) is not None
    if recording.access == Access.ATTENDEES:
        return recording.lecture_id in _attended_lecture_ids(request, recording.room)
    return False


def get_recording_for_viewer(request: HttpRequest, recording_id: int) -> tuple[Recording, bool]:
    """The recording and whether the requester manages it; NotFound for anyone the rule leaves out."""
    recording = Recording.objects.select_related("room", "lecture", "room__host").filter(pk=recording_id).first()
    if recording is None or not may_watch(request, recording):
        raise NotFound(RECORDING_NOT_FOUND)
    return recording, manages_room(request, recording.room)


def get_recording_for_manager(request: HttpRequest, recording_id: int) -> Recording:
    """The recording if the requester manages its room (403 for viewers who may only watch, 404 else)."""
    recording, manages = get_recording_for_viewer(request, recording_id)
    if not manages:
        raise NotAllowed("Only the room's host, co-hosts and admins can change a recording.")
    return recording


def recordings_visible_to(request: HttpRequest, code: str | None) -> list[Recording]:
    """The recordings the requester may see, of one room or (without a code) of every room they manage."""
    recordings: RecordingQuerySet = Recording.objects.select_related("room", "lecture")  # type: ignore[assignment]
    if code is None:
        user = _user(request)
        if user is None:
            return []
        if user.is_admin:
            return list(recordings)
        return list(recordings.filter(room__host=user))
    try:
        room = get_room(code)
    except NotFound:
        raise NotFound("No room has this invite code, or you may not see its recordings.") from None
    of_room = recordings.filter(room=room)
    if manages_room(request, room):
        return list(of_room)
    return [r for r in of_room.ready() if may_watch(request, r)]


def settings_of(room: Room) -> RecordingSettings:
    """The room's recording defaults (unsaved defaults when the host never changed them)."""
    found = RecordingSettings.objects.filter(room=room).first()
    return found if found is not None else RecordingSettings(room=room)


def running_recording(room: Room) -> Recording | None:
    return Recording.objects.running().filter(room=room).first()


def latest_recording(room: Room) -> Recording | None:
    """The current lecture's newest recording, for the room page's indicator."""
    lecture = room.current_lecture()
    if lecture is None:
        return None
    return Recording.objects.filter(lecture=lecture).first()
