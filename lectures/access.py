"""Who may see a lecture, its files and exports, and who may share files in a live room.

The database decides, never anything the client sends. The rule (issue 6):
- the room's host and admins always see a lecture;
- students who attended it (their guest session has an attendance interval in it, or was admitted
  into it) see it only while the room's `attendees_see_lecture` is on, and never once banned;
- everyone else gets a 404, so a lecture's existence is not revealed.
In a live room, the host, co-hosts, admins and the admitted, not banned guests of the current lecture
may list and download files; guests may upload only when the room's `student_uploads` is on.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accounts.models import User
from chat.access import get_live_participant
from chat.models import SharedFile
from core.exceptions import LecternError, NotFound
from lectures.models import AttendanceInterval
from participants.bans import banned_among
from participants.guests import guest_session_ids
from participants.models import GuestSession, MintedIdentity
from rooms.access import get_room
from rooms.models import Lecture, Room

LECTURE_NOT_FOUND = "No lecture here, or you may not see it."


@dataclass(frozen=True)
class LectureViewer:
    """Someone allowed to see one lecture, and in what capacity."""

    role: Literal["host", "admin", "attendee"]
    user: User | None = None
    identities: frozenset[str] = frozenset()

    @property
    def manages(self) -> bool:
        """Hosts and admins see attendance, every chat message and the management controls."""
        return self.role in ("host", "admin")

    @property
    def is_owner(self) -> bool:
        return self.role == "host"


def _user(request: HttpRequest) -> User | None:
    user: User | AnonymousUser = request.user  # type: ignore[assignment]
    return user if isinstance(user, User) and user.is_authenticated else None


def _guest_sessions(request: HttpRequest, room: Room) -> QuerySet[GuestSession]:
    """The guest sessions of `room` this browser (or this logged-in account) holds."""
    condition = Q(session_id__in=guest_session_ids(request))
    user = _user(request)
    if user is not None:
        condition |= Q(user=user)
    return GuestSession.objects.filter(room=room).filter(condition)


def _not_banned(room: Room, guests: Iterable[GuestSession]) -> list[GuestSession]:
    """The guest sessions no active ban (of this room, or course-wide of its host) keeps out."""
    sessions = list(guests)
    fingerprints, session_ids = banned_among(
        room=room, fingerprints={g.fingerprint for g in sessions}, session_ids={g.session_id for g in sessions}
    )
    return [g for g in sessions if g.fingerprint not in fingerprints and g.session_id not in session_ids]


def _attendee_identities(request: HttpRequest, lecture: Lecture) -> frozenset[str] | None:
    """The LiveKit identities with which this browser attended `lecture`; None if it did not (or was banned)."""
    guests = list(_guest_sessions(request, lecture.room).select_related("history"))
    if not guests:
        return None
    histories = {g.pk: getattr(g, "history", None) for g in guests}
    allowed = [
        g.pk
        for g in _not_banned(lecture.room, guests)
        if histories.get(g.pk) is None or histories[g.pk].banned_at is None  # type: ignore[union-attr]
    ]
    if not allowed:
        return None
    identities: set[str] = set(
        AttendanceInterval.objects.filter(lecture=lecture, guest_id__in=allowed).values_list("identity", flat=True)
    )
    admitted = [
        history
        for pk, history in histories.items()
        if pk in allowed and history is not None and history.lecture_id == lecture.pk and history.admitted_at
    ]
    if not identities and not admitted:
        return None
    identities.update(
        MintedIdentity.objects.filter(lecture=lecture, guest_id__in=[h.guest_id for h in admitted]).values_list(
            "identity", flat=True
        )
    )
    return frozenset(identities)


def lecture_viewer(request: HttpRequest, lecture: Lecture) -> LectureViewer | None:
    """In what capacity the requester may see `lecture`, or None when they may not."""
    user = _user(request)
    if user is not None and lecture.room.host_id == user.pk:
        return LectureViewer(role="host", user=user)
    if user is not None and user.is_admin:
        return LectureViewer(role="admin", user=user)
    if not lecture.room.attendees_see_lecture:
        return None
    identities = _attendee_identities(request, lecture)
    if identities is None:
        return None
    return LectureViewer(role="attendee", user=user, identities=identities)


def get_lecture_for_viewer(request: HttpRequest, lecture_id: int) -> tuple[Lecture, LectureViewer]:
    """The lecture and the requester's capacity; NotFound for anyone the rule leaves out."""
    lecture = Lecture.objects.select_related("room", "room__host").filter(pk=lecture_id).first()
    if lecture is None:
        raise NotFound(LECTURE_NOT_FOUND)
    viewer = lecture_viewer(request, lecture)
    if viewer is None:
        raise NotFound(LECTURE_NOT_FOUND)
    return lecture, viewer


def lectures_visible_to(request: HttpRequest, code: str) -> QuerySet[Lecture]:
    """The lectures of a room the requester may see, newest first; NotFound when there are none to see."""
    try:
        room = get_room(code)
    except NotFound:
        raise NotFound("No room has this invite code, or you may not see its lectures.") from None
    lectures = Lecture.objects.filter(room=room).select_related("room").order_by("-started_at", "-pk")
    user = _user(request)
    if user is not None and (room.host_id == user.pk or user.is_admin):
        return lectures
    if room.attendees_see_lecture:
        guests = _not_banned(room, _guest_sessions(request, room).exclude(history__banned_at__isnull=False))
        attended = lectures.filter(
            Q(attendance__guest__in=guests)
            | Q(participanthistory__guest__in=guests, participanthistory__admitted_at__isnull=False)
        ).distinct()
        if attended.exists():
            return attended
    raise NotFound("No room has this invite code, or you may not see its lectures.")


def get_file_for_download(request: HttpRequest, file_id: int) -> SharedFile:
    """A stored file the requester may download: by the lecture page's rule, or as a live participant."""
    shared = SharedFile.objects.select_related("lecture", "lecture__room").filter(pk=file_id, uploaded=True).first()
    if shared is None:
        raise NotFound("No such file.")
    if lecture_viewer(request, shared.lecture) is not None:
        return shared
    room = shared.lecture.room
    if shared.lecture.status == Lecture.Status.LIVE:
        try:
            _, lecture, _ = get_live_participant(request, room.code)
        except LecternError:
            raise NotFound("No such file.") from None
        if lecture.pk == shared.lecture_id:
            return shared
    raise NotFound("No such file.")
