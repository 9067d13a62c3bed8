"""Every state change of rooms: creating, opening (a lecture begins), ending, host tokens, webhooks."""

import logging
import secrets

import bcrypt
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from lectures.models import Lecture
from lectures.tasks import summarize_lecture
from rooms import livekit_server
from rooms.exceptions import RoomError, RoomNotLive, ServiceUnavailable
from rooms.livekit_server import Credentials, LiveKitError
from rooms.models import GuestSession, ParticipantHistory, Room, WebhookEvent

logger = logging.getLogger(__name__)

# A LiveKit room with nobody in it closes after this long, which ends the lecture.
EMPTY_ROOM_TIMEOUT_SECONDS = 300


def hash_pin(pin: str) -> str:
    return bcrypt.hashpw(pin.encode(), bcrypt.gensalt()).decode()


def check_pin(*, room: Room, pin: str) -> bool:
    if not room.pin_hash:
        return True
    return bcrypt.checkpw(pin.encode(), room.pin_hash.encode())


def create_room(
    *,
    host: User,
    title: str,
    pin: str | None = None,
    lobby: bool = True,
    webinar: bool = False,
    ai_assistant: bool = True,
) -> Room:
    """A new room with a fresh random invite code."""
    title = title.strip()
    if not title:
        raise RoomError("The title cannot be empty.")
    for _ in range(5):
        try:
            with transaction.atomic():
                return Room.objects.create(
                    host=host,
                    title=title,
                    lobby=lobby,
                    webinar=webinar,
                    ai_assistant=ai_assistant,
                    pin_hash=hash_pin(pin) if pin else "",
                )
        except IntegrityError:
            logger.warning("invite code collision, drawing another")
    raise RoomError("Could not draw a free invite code; try again.")


def new_identity(prefix: str) -> str:
    """A server-chosen identity unique to one connection (LiveKit drops the older of two)."""
    return f"{prefix}-{secrets.token_hex(6)}"


@transaction.atomic
def open_room(*, room: Room) -> Lecture:
    """The room's current lecture, starting one (and its LiveKit room) if the room is not live."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    lecture = room.current_lecture()
    if lecture is None:
        lecture = Lecture.objects.create(
            room=room,
            title=room.title,
            livekit_room=f"{room.code}-{secrets.token_hex(4)}",
            started_at=timezone.now(),
        )
        room.status = Room.Status.LIVE
        room.save(update_fields=["status"])
    try:
        livekit_server.create_room(
            name=lecture.livekit_room,
            empty_timeout=EMPTY_ROOM_TIMEOUT_SECONDS,
            metadata={"room": room.code, "lecture": lecture.pk, "ai_assistant": room.ai_assistant},
        )
    except LiveKitError as exc:
        # Nothing is saved: the lecture starts only once the video server has its room.
        raise ServiceUnavailable(f"The video server is not reachable right now ({exc}).") from exc
    return lecture


def issue_host_token(*, room: Room, user: User) -> Credentials:
    """A token for a host or co-host; the room's own host opening it starts a lecture."""
    lecture: Lecture | None
    lecture = open_room(room=room) if room.host_id == user.pk else room.current_lecture()
    if lecture is None:
        raise RoomNotLive("The host has not opened this room yet.")
    role = "host" if room.host_id == user.pk else "cohost"
    return livekit_server.mint_token(
        room=lecture.livekit_room,
        identity=new_identity(role),
        name=user.display_name,
        can_publish=True,
        can_subscribe=True,
        can_publish_data=True,
        attributes={"role": role, "lectern.user": str(user.pk)},
    )


def issue_guest_token(*, guest: GuestSession, lecture: Lecture) -> Credentials:
    """A token for an admitted student: a fresh identity, publish only outside webinar mode (or when
    granted), never admin rights. The identity is remembered so moderation can find the guest."""
    room = lecture.room
    history, _ = ParticipantHistory.objects.get_or_create(guest=guest)
    identity = new_identity("guest")
    history.identities = [*history.identities, identity][-50:]
    history.save(update_fields=["identities"])
    from moderation.selectors import is_guest_cohost

    cohost = is_guest_cohost(guest=guest, room=room)
    may_publish = cohost or history.speak_granted or not (room.webinar or room.locked or history.muted)
    return livekit_server.mint_token(
        room=lecture.livekit_room,
        identity=identity,
        name=guest.display_name,
        can_publish=may_publish,
        can_subscribe=True,
        can_publish_data=True,
        attributes={
            "role": "cohost" if cohost else "guest",
            "lectern.transcribe": "yes" if guest.transcribe_me else "no",
        },
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
    livekit_room = lecture.livekit_room
    lecture_id = lecture.pk
    transaction.on_commit(lambda: _delete_livekit_room(livekit_room))
    transaction.on_commit(lambda: summarize_lecture.enqueue(lecture_id))
    return lecture


def _delete_livekit_room(name: str) -> None:
    try:
        livekit_server.delete_room(name=name)
    except LiveKitError:
        # The server closes an empty room by itself; the lecture is already ended on our side.
        logger.exception("could not delete LiveKit room %s", name)


@transaction.atomic
def record_webhook(*, event: livekit_server.WebhookEvent) -> bool:
    """Apply a verified LiveKit webhook once per event id; returns False for a repeat."""
    _, created = WebhookEvent.objects.get_or_create(
        event_id=event.id,
        defaults={
            "event": event.event,
            "livekit_room": event.room_name,
            "participant_identity": event.participant_identity,
        },
    )
    if not created:
        return False
    lecture = Lecture.objects.select_related("room").filter(livekit_room=event.room_name).first()
    if lecture is None:
        return True
    if event.event == "room_started" and event.room_sid:
        lecture.livekit_sid = event.room_sid
        lecture.save(update_fields=["livekit_sid"])
    elif event.event == "room_finished" and lecture.status == Lecture.Status.LIVE:
        end_lecture(room=lecture.room)
    return True
