"""Chat and shared files of a live lecture: stored here, delivered by the server, never by participants."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record_audit
from chat.access import RoomParticipant
from chat.models import ChatMessage, SharedFile
from core import storage
from core.exceptions import Conflict, LecternError, NotAllowed, NotFound, RoomNotLive
from participants import broadcasts
from participants.access import Actor
from participants.identities import guest_for_identity, moderator_identities
from rooms import livekit_server
from rooms.models import Lecture, Room

logger = logging.getLogger(__name__)

CHAT_TOPIC = "lectern.chat"


def post_chat_message(*, room: Room, sender: Actor, text: str, to: str | None = None) -> ChatMessage:
    """Store a chat message and deliver it (our live socket; LiveKit data from the server while
    older pages still listen there) only to those allowed to see it.

    Public messages go to everyone; `to` (a host's identity, or "hosts") makes it private to the hosts.
    Students may write only while the host allows student chat.
    """
    lecture = room.current_lecture()
    if lecture is None:
        raise RoomNotLive("The lecture is not live.")
    text = text.strip()
    if not text:
        raise LecternError("The message is empty.")
    if not sender.is_moderator and not room.student_chat:
        raise NotAllowed("The host has turned student chat off.")
    # from our records, not from LiveKit's participant list: no call to the video server per message
    host_identities = moderator_identities(lecture=lecture)
    audience = ChatMessage.Audience.EVERYONE
    if to:
        if to != "hosts" and to not in host_identities:
            raise NotFound("Private messages go to the hosts: no host has this identity.")
        audience = ChatMessage.Audience.HOSTS
    message = ChatMessage.objects.create(
        lecture=lecture,
        sender_identity=sender.identity,
        sender_name=sender.display_name,
        sender_role=sender.role if sender.role in ("host", "cohost") else "guest",
        audience=audience,
        text=text,
    )
    recipients = None if audience == ChatMessage.Audience.EVERYONE else host_identities
    livekit_server.send_data(
        room=lecture.livekit_room, topic=CHAT_TOPIC, payload=chat_payload(message), to_identities=recipients
    )
    live = {"type": "chat.message", "message": chat_payload(message)}
    if audience == ChatMessage.Audience.EVERYONE:
        transaction.on_commit(lambda: broadcasts.tell_lecture(lecture_pk=lecture.pk, message=live))
    else:
        transaction.on_commit(lambda: broadcasts.tell_room_hosts(room_pk=room.pk, message=live))
    return message


@transaction.atomic
def remove_chat_message(*, room: Room, message_id: int, by: Actor, lecture: Lecture | None = None) -> ChatMessage:
    """A host or co-host removes a message of the live lecture, the room's host also one of a past lecture
    (of `lecture` only, when given): it is deleted, the live lecture's pages drop it at once, and the
    audit log keeps who removed what."""
    if not by.is_moderator:
        raise NotAllowed("Only the room's host and co-hosts can remove chat messages.")
    found = ChatMessage.objects.select_for_update(of=("self",)).select_related("lecture")
    if lecture is not None:
        found = found.filter(lecture=lecture)
    message = found.filter(pk=message_id, lecture__room=room).first()
    if message is None:
        raise NotFound("No chat message with this id in this room.")
    lecture = message.lecture  # the message's own (always the one given, when given)
    if lecture.status != Lecture.Status.LIVE and by.role != "host":
        raise NotAllowed("Only the room's host can remove messages of a past lecture.")
    record_audit(
        action="chat.remove",
        room=room,
        actor=by.user,
        actor_label=by.label,
        target=message.sender_name,
        detail={"lecture": lecture.pk, "sent_at": message.created_at.isoformat(), "text": message.text[:500]},
    )
    private = message.audience == ChatMessage.Audience.HOSTS
    sender = guest_for_identity(room=room, identity=message.sender_identity) if private else None
    message.delete()
    if lecture.status == Lecture.Status.LIVE:
        removed = {"type": "chat.removed", "id": message_id}
        if private:  # the hosts, and the student who wrote it (their page shows what they sent)
            transaction.on_commit(lambda: broadcasts.tell_room_hosts(room_pk=room.pk, message=removed))
            if sender is not None:
                guest_pks = [sender.pk]
                transaction.on_commit(lambda: broadcasts.tell_participants(guest_pks=guest_pks, message=removed))
        else:
            transaction.on_commit(lambda: broadcasts.tell_lecture(lecture_pk=lecture.pk, message=removed))
    return message


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


# How long after an upload link was issued the bytes may still arrive (its lifetime plus clock slack).
_PENDING_WINDOW = timedelta(seconds=300 + 60)


class FileTooLarge(LecternError):
    status = 413


class FileTypeNotAllowed(LecternError):
    status = 415


class UploadRefused(NotAllowed):
    """A local upload link that is invalid, expired, already used or used for other bytes."""


class AlreadyUploaded(Conflict):
    pass


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _normalise_content_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class StartedUpload:
    file: SharedFile
    ticket: storage.UploadTicket


@transaction.atomic
def start_file_upload(
    *,
    room: Room,
    lecture: Lecture,
    participant: RoomParticipant,
    name: str,
    size: int,
    content_type: str,
    request_base: str,
) -> StartedUpload:
    """Record a file about to be shared and issue its short-lived upload link (bound to size and type)."""
    if not participant.can_upload:
        raise NotAllowed("The host has not allowed students to share files in this room.")
    if size <= 0:
        raise LecternError("The file is empty.")
    if size > settings.UPLOAD_MAX_BYTES:
        raise FileTooLarge(f"The file is larger than the {_megabytes(settings.UPLOAD_MAX_BYTES)} limit.")
    content_type = _normalise_content_type(content_type)
    if content_type not in settings.UPLOAD_ALLOWED_TYPES:
        raise FileTypeNotAllowed(
            f"Files of type {content_type or 'unknown'} cannot be shared here; "
            "share PDFs, images, text, spreadsheets, slides or documents."
        )
    shared = SharedFile.objects.create(
        lecture=lecture,
        uploader_identity=participant.identity,
        uploader_name=participant.name,
        name=storage.sanitize_filename(name),
        size=size,
        content_type=content_type,
        storage_key=storage.new_key(lecture_id=lecture.pk),
    )
    ticket = storage.issue_upload(
        request_base=request_base,
        file_id=shared.pk,
        key=shared.storage_key,
        size=size,
        content_type=content_type,
    )
    return StartedUpload(file=shared, ticket=ticket)


@transaction.atomic
def receive_local_upload(
    *, token: str, content_type: str, stream: IO[bytes], declared_length: int | None = None
) -> SharedFile:
    """Store the bytes PUT to one of our own upload links, once, exactly as signed."""
    try:
        signed = storage.read_upload_link(token)
    except storage.UploadLinkInvalid as exc:
        raise UploadRefused(str(exc)) from exc
    if _normalise_content_type(content_type) != signed.content_type:
        raise UploadRefused(f"This upload link is for a file of type {signed.content_type}.")
    if declared_length is not None and declared_length != signed.size:
        raise UploadRefused(f"This upload link is for exactly {signed.size} bytes; {declared_length} were sent.")
    shared = SharedFile.objects.select_for_update().filter(pk=signed.file_id, storage_key=signed.key).first()
    if shared is None:
        raise UploadRefused("This upload link is not valid.")
    if shared.uploaded:
        raise AlreadyUploaded("This file has already been uploaded.")
    try:
        storage.save_upload(signed=signed, stream=stream)
    except storage.UploadLinkInvalid as exc:
        raise UploadRefused(str(exc)) from exc
    shared.uploaded = True
    shared.save(update_fields=["uploaded"])
    return shared


def confirm_uploads(*, lecture: Lecture) -> int:
    """Mark as uploaded the recent files whose bytes have arrived in storage (S3 PUTs bypass us).

    Only files whose upload link may still be in use are checked, so a list costs at most a few lookups.
    An object of another size than declared is deleted: the presigned PUT was bound to the size.
    """
    since = timezone.now() - _PENDING_WINDOW
    confirmed = 0
    for shared in SharedFile.objects.filter(lecture=lecture, uploaded=False, created_at__gte=since):
        size = storage.stored_size(key=shared.storage_key)
        if size is None:
            continue
        if size != shared.size:
            logger.warning("deleting %s: %s bytes stored, %s declared", shared.storage_key, size, shared.size)
            storage.delete(key=shared.storage_key)
            continue
        confirmed += SharedFile.objects.filter(pk=shared.pk, uploaded=False).update(uploaded=True)
    return confirmed
