"""Every state change of a room itself: creating it, its PIN, its settings."""

import logging

import bcrypt
from django.db import IntegrityError, transaction

from accounts.models import User
from core.exceptions import LecternError
from core.models import AISettings, SiteDefaults
from rooms.models import Room
from rooms.pins import hash_pin, seal_pin

logger = logging.getLogger(__name__)


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
        ai_assistant = AISettings.load().ai_assistant_default
    defaults = SiteDefaults.load()
    title = title.strip()
    if not title:
        raise LecternError("The title cannot be empty.")
    for _ in range(5):
        try:
            with transaction.atomic():
                return Room.objects.create(
                    host=host,
                    title=title,
                    lobby=lobby,
                    webinar=webinar,
                    ai_assistant=ai_assistant,
                    student_uploads=defaults.student_uploads_default,
                    attendees_see_lecture=defaults.attendee_access_default,
                    pin_hash=hash_pin(pin) if pin else "",
                    pin_sealed=seal_pin(pin) if pin else "",
                )
        except IntegrityError:
            logger.warning("invite code collision, drawing another")
    raise LecternError("Could not draw a free invite code; try again.")


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
    """Give the room a new PIN (hashed to check knocks, sealed for its hosts to read) or, with None, remove it."""
    room.pin_hash = hash_pin(pin) if pin else ""
    room.pin_sealed = seal_pin(pin) if pin else ""
    room.save(update_fields=["pin_hash", "pin_sealed"])
    return room
