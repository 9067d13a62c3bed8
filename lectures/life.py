"""A lecture's life: the host opens the room (a lecture begins), ends it, and LiveKit's room events.

The room and its lectures are rows in rooms/; this module runs them: it creates and closes the
LiveKit room, keeps the attendance ledger from the webhooks and starts the summary at the end.
"""

import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record_audit
from core.exceptions import RoomNotLive, ServiceUnavailable
from lectures import attendance
from lectures.attendance import reconcile_live_lecture
from lectures.signals import lecture_ended, lecture_opened
from participants import broadcasts
from participants.identities import new_identity, record_host_identity
from rooms import livekit_server
from rooms.livekit_server import Credentials, LiveKitError
from rooms.models import Lecture, Room
from summaries.tasks import request_summary

logger = logging.getLogger(__name__)

# A LiveKit room with nobody in it closes after this long, which ends the lecture.
EMPTY_ROOM_TIMEOUT_SECONDS = 300


def open_room(*, room: Room) -> Lecture:
    """The room's current lecture, starting one (and its LiveKit room) if the room is not live.

    The lecture's row is committed before the LiveKit room exists, so the agent LiveKit dispatches
    for the new room finds its lecture at once; if LiveKit cannot be reached, the new lecture is
    removed again and nothing is left behind.
    """
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        lecture = room.current_lecture()
        status_before = room.status
        created = lecture is None
        if lecture is None:
            lecture = Lecture.objects.create(
                room=room,
                title=room.title,
                livekit_room=f"{room.code}-{secrets.token_hex(4)}",
                started_at=timezone.now(),
            )
            room.status = Room.Status.LIVE
            room.save(update_fields=["status"])
            lecture_id = lecture.pk
            transaction.on_commit(lambda: reconcile_live_lecture.enqueue(lecture_id))
            lecture_opened.send(sender=Lecture, lecture=lecture)
    try:
        livekit_server.create_room(
            name=lecture.livekit_room,
            empty_timeout=EMPTY_ROOM_TIMEOUT_SECONDS,
            metadata={"room": room.code, "lecture": lecture.pk, "ai_assistant": room.ai_assistant},
        )
    except LiveKitError as exc:
        if created:  # the lecture starts only once the video server has its room
            with transaction.atomic():
                lecture.delete()
                Room.objects.filter(pk=room.pk).update(status=status_before)
        raise ServiceUnavailable(f"The video server is not reachable right now ({exc}).") from exc
    return lecture


def issue_host_token(*, room: Room, user: User) -> Credentials:
    """A token for a host or co-host; the room's own host opening it starts a lecture."""
    lecture: Lecture | None
    lecture = open_room(room=room) if room.host_id == user.pk else room.current_lecture()
    if lecture is None:
        raise RoomNotLive("The host has not opened this room yet.")
    role = "host" if room.host_id == user.pk else "cohost"
    identity = new_identity(role)
    record_host_identity(lecture=lecture, user=user, role=role, identity=identity)
    return livekit_server.mint_token(
        room=lecture.livekit_room,
        identity=identity,
        name=user.display_name,
        can_publish=True,
        can_subscribe=True,
        can_publish_data=True,
        attributes={"role": role, "lectern.user": str(user.pk)},
    )


@transaction.atomic
def end_lecture(*, room: Room) -> Lecture | None:
    """End the current lecture for everyone; the room stays, not live, until opened again."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    lecture = room.current_lecture()
    room.status = Room.Status.ENDED
    room.save(update_fields=["status"])
    if lecture is None:
        return None
    lecture.status = Lecture.Status.ENDED
    lecture.ended_at = timezone.now()
    lecture.save(update_fields=["status", "ended_at"])
    lecture_ended.send(sender=Lecture, lecture=lecture)
    livekit_room = lecture.livekit_room
    lecture_id = lecture.pk
    attendees_see = room.attendees_see_lecture
    room_pk = room.pk
    transaction.on_commit(
        lambda: _close_livekit_room(livekit_room, lecture_id, room_pk=room_pk, attendees_see=attendees_see)
    )
    request_summary(lecture_id=lecture_id)
    return lecture


def end_stale_lecture(*, lecture: Lecture) -> bool:
    """End a live lecture nobody has been connected to for LECTURE_IDLE_MINUTES; True when it ended."""
    if not attendance.is_stale(lecture=lecture):
        return False
    end_lecture(room=lecture.room)
    record_audit(
        action="lecture.end_stale",
        room=lecture.room,
        actor_label="Lectern",
        target=lecture.title,
        detail={"idle_minutes": settings.LECTURE_IDLE_MINUTES},
    )
    return True


def _close_livekit_room(name: str, lecture_id: int, *, room_pk: int, attendees_see: bool) -> None:
    """Tell everyone the lecture ended (with the lecture page to those who may read it), then close it."""
    ended = {"type": "ended", "text": "The lecture has ended."}
    with_link = {**ended, "lecture_url": f"/lectures/{lecture_id}/"}
    try:
        present = livekit_server.list_participants(room=name)
        hosts = [p.identity for p in present if p.attributes.get("role") in ("host", "cohost")]
        others = [p.identity for p in present if p.identity not in hosts]
        livekit_server.send_data(room=name, topic="lectern.ended", payload=with_link, to_identities=hosts)
        livekit_server.send_data(
            room=name, topic="lectern.ended", payload=with_link if attendees_see else ended, to_identities=others
        )
    except LiveKitError:
        logger.warning("could not tell LiveKit room %s that the lecture ended", name)
    # our own socket: what the page trusts
    broadcasts.tell_lecture(lecture_pk=lecture_id, message=with_link if attendees_see else ended)
    broadcasts.tell_room_hosts(room_pk=room_pk, message=with_link)
    try:
        livekit_server.delete_room(name=name)
    except LiveKitError:
        # The server closes an empty room by itself; the lecture is already ended on our side.
        logger.exception("could not delete LiveKit room %s", name)


def lecture_for_livekit_room(name: str) -> Lecture | None:
    return Lecture.objects.select_related("room").filter(livekit_room=name).first()


def record_room_started(*, lecture: Lecture, room_sid: str) -> None:
    if room_sid:
        lecture.livekit_sid = room_sid
        lecture.save(update_fields=["livekit_sid"])


def record_room_finished(*, lecture: Lecture, at: datetime) -> None:
    """LiveKit closed the room (empty, or deleted): everyone has left and the lecture is over."""
    attendance.close_all(lecture=lecture, at=at)
    if lecture.status == Lecture.Status.LIVE:
        end_lecture(room=lecture.room)


@transaction.atomic
def delete_room(*, room: Room) -> None:
    """Delete a room with its past lectures; a live lecture is ended for everyone first."""
    if room.is_live:
        end_lecture(room=room)
    room.delete()
