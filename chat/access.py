"""Who takes part in a room's live lecture, as far as chat and shared files are concerned."""

from dataclasses import dataclass
from typing import Literal

from django.http import HttpRequest

from core.exceptions import RoomNotLive
from participants.access import get_participant
from rooms.models import Lecture, Room

ParticipantRole = Literal["host", "cohost", "admin", "guest"]


@dataclass(frozen=True)
class RoomParticipant:
    """Someone taking part in a room's live lecture, as far as shared files are concerned."""

    role: ParticipantRole
    name: str
    identity: str
    can_upload: bool


def get_live_participant(request: HttpRequest, code: str) -> tuple[Room, Lecture, RoomParticipant]:
    """The live room, its current lecture and the requester as a participant of it.

    Who takes part is participants.access.get_participant's answer (the same as for the chat): 404 unknown
    room, 401 nobody we know, 403 anyone but the host, co-hosts, admins and admitted, not removed,
    not banned guests of the current lecture; then RoomNotLive (409) when no lecture is running.
    Admins may look but not share; guests share only while the room's `student_uploads` is on.
    """
    room, actor = get_participant(request, code)
    lecture = room.current_lecture()
    if lecture is None:
        raise RoomNotLive("The room is not live: files are shared during a lecture.")
    if actor.user is not None:
        role: ParticipantRole = "host" if actor.role == "host" else "cohost" if actor.role == "cohost" else "admin"
        can_upload = role != "admin"
    else:
        role = "cohost" if actor.role == "cohost" else "guest"
        can_upload = actor.role == "cohost" or room.student_uploads
    participant = RoomParticipant(role=role, name=actor.display_name, identity=actor.identity, can_upload=can_upload)
    return room, lecture, participant
