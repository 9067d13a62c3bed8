"""Every state change of rooms: creating, opening (a lecture begins), ending, host tokens, webhooks."""

import logging
import secrets
from datetime import UTC, datetime

import bcrypt
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from lectures.attendance import reconcile_live_lecture
from lectures.models import Lecture
from lectures.tasks import summarize_lecture
from rooms import livekit_server
from rooms.access import Actor
from rooms.exceptions import NotAllowed, NotFound, RoomError, RoomNotLive, ServiceUnavailable
from rooms.livekit_server import Credentials, LiveKitError
from rooms.models import ChatMessage, GuestSession, ParticipantHistory, Room, WebhookEvent

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
    ai_assistant: bool | None = None,
) -> Room:
    """A new room with a fresh random invite code; the AI assistant follows the admins' default unless given."""
    if ai_assistant is None:
        from adminpanel.models import AISettings

        ai_assistant = AISettings.load().ai_assistant_default
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
        lecture_id = lecture.pk
        transaction.on_commit(lambda: reconcile_live_lecture.enqueue(lecture_id))
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
    from moderation.selectors import is_guest_cohost

    history, _ = ParticipantHistory.objects.get_or_create(guest=guest)
    credentials = mint_guest_credentials(
        guest=guest, lecture=lecture, history=history, cohost=is_guest_cohost(guest=guest, room=lecture.room)
    )
    history.save(update_fields=["identities"])
    return credentials


def mint_guest_credentials(
    *, guest: GuestSession, lecture: Lecture, history: ParticipantHistory, cohost: bool
) -> Credentials:
    """Mint a guest's token from already loaded rows; appends the new identity to `history` (unsaved)."""
    room = lecture.room
    identity = new_identity("guest")
    history.identities = [*history.identities, identity][-50:]
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
    attendees_see = room.attendees_see_lecture
    transaction.on_commit(lambda: _close_livekit_room(livekit_room, lecture_id, attendees_see=attendees_see))
    transaction.on_commit(lambda: summarize_lecture.enqueue(lecture_id))
    return lecture


def _close_livekit_room(name: str, lecture_id: int, *, attendees_see: bool) -> None:
    """Tell everyone the lecture ended (with the lecture page to those who may read it), then close it."""
    try:
        present = livekit_server.list_participants(room=name)
        hosts = [p.identity for p in present if p.attributes.get("role") in ("host", "cohost")]
        others = [p.identity for p in present if p.identity not in hosts]
        ended = {"type": "ended", "text": "The lecture has ended."}
        with_link = {**ended, "lecture_url": f"/lectures/{lecture_id}/"}
        livekit_server.send_data(room=name, topic="lectern.ended", payload=with_link, to_identities=hosts)
        livekit_server.send_data(
            room=name, topic="lectern.ended", payload=with_link if attendees_see else ended, to_identities=others
        )
        livekit_server.delete_room(name=name)
    except LiveKitError:
        # The server closes an empty room by itself; the lecture is already ended on our side.
        logger.exception("could not delete LiveKit room %s", name)


def record_webhook(*, event: livekit_server.WebhookEvent) -> bool:
    """Apply a verified LiveKit webhook once per event id; returns False for a repeat."""
    from lectures import attendance
    from moderation.services import enforce_admission

    with transaction.atomic():
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
        at = datetime.fromtimestamp(event.created_at, tz=UTC) if event.created_at else timezone.now()
        if event.event == "room_started" and event.room_sid:
            lecture.livekit_sid = event.room_sid
            lecture.save(update_fields=["livekit_sid"])
        elif event.event == "room_finished":
            attendance.close_all(lecture=lecture, at=at)
            if lecture.status == Lecture.Status.LIVE:
                end_lecture(room=lecture.room)
        elif event.event == "participant_joined" and not event.participant_is_agent:
            attendance.record_join(
                lecture=lecture,
                identity=event.participant_identity,
                name=event.participant_name,
                role=event.participant_role,
                at=at,
            )
        elif event.event in ("participant_left", "participant_connection_aborted"):
            attendance.record_leave(lecture=lecture, identity=event.participant_identity, at=at)
    if event.event == "participant_joined" and lecture.status == Lecture.Status.LIVE:
        # outside the transaction: it calls LiveKit
        enforce_admission(lecture=lecture, identity=event.participant_identity)
    return True


CHAT_TOPIC = "lectern.chat"


def post_chat_message(*, room: Room, sender: Actor, text: str, to: str | None = None) -> ChatMessage:
    """Store a chat message and deliver it, through LiveKit, only to those allowed to see it.

    Public messages go to everyone; `to` (a host's identity, or "hosts") makes it private to the hosts.
    Students may write only while the host allows student chat.
    """
    lecture = room.current_lecture()
    if lecture is None:
        raise RoomNotLive("The lecture is not live.")
    text = text.strip()
    if not text:
        raise RoomError("The message is empty.")
    if not sender.is_moderator and not room.student_chat:
        raise NotAllowed("The host has turned student chat off.")
    present = livekit_server.list_participants(room=lecture.livekit_room)
    host_identities = [p.identity for p in present if p.attributes.get("role") in ("host", "cohost")]
    audience = ChatMessage.Audience.EVERYONE
    if to:
        if to != "hosts" and to not in host_identities:
            raise NotFound("Private messages go to the hosts: no host has this identity.")
        audience = ChatMessage.Audience.HOSTS
    message = ChatMessage.objects.create(
        lecture=lecture,
        sender_identity=sender_identity(sender),
        sender_name=sender.display_name,
        sender_role=sender.role if sender.role in ("host", "cohost") else "guest",
        audience=audience,
        text=text,
    )
    recipients = None if audience == ChatMessage.Audience.EVERYONE else host_identities
    livekit_server.send_data(
        room=lecture.livekit_room, topic=CHAT_TOPIC, payload=chat_payload(message), to_identities=recipients
    )
    return message


def sender_identity(actor: Actor) -> str:
    if actor.user is not None:
        return f"user-{actor.user.pk}"
    history = ParticipantHistory.objects.filter(guest=actor.guest).first()
    return history.identities[-1] if history and history.identities else "guest"


def chat_payload(message: ChatMessage) -> dict[str, object]:
    return {
        "id": message.pk,
        "sender": message.sender_name,
        "sender_identity": message.sender_identity,
        "sender_role": message.sender_role,
        "private": message.audience == ChatMessage.Audience.HOSTS,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }


def visible_chat(*, room: Room, viewer: Actor) -> list[ChatMessage]:
    """The current lecture's chat as this viewer may see it (private messages for hosts only)."""
    lecture = room.current_lecture()
    if lecture is None:
        return []
    messages = ChatMessage.objects.filter(lecture=lecture)
    if viewer.role not in ("host", "cohost", "admin"):
        messages = messages.filter(audience=ChatMessage.Audience.EVERYONE)
    return list(messages)


ROOM_SETTINGS = (
    "title",
    "lobby",
    "webinar",
    "ai_assistant",
    "student_chat",
    "student_uploads",
    "attendees_see_lecture",
)


def update_room_settings(*, room: Room, changes: dict[str, object]) -> Room:
    """Apply the host's changes to a room's settings."""
    fields = [name for name in changes if name in ROOM_SETTINGS]
    for name in fields:
        setattr(room, name, changes[name])
    if fields:
        room.save(update_fields=fields)
    return room


def set_room_pin(*, room: Room, pin: str | None) -> Room:
    """Give the room a new PIN (stored hashed) or, with None, remove it."""
    room.pin_hash = hash_pin(pin) if pin else ""
    room.save(update_fields=["pin_hash"])
    return room


@transaction.atomic
def delete_room(*, room: Room) -> None:
    """Delete a room with its past lectures; a live lecture is ended for everyone first."""
    if room.is_live:
        end_lecture(room=room)
    room.delete()
