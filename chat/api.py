"""Chat and shared files JSON API (`/api/v1/rooms/{code}/chat`, `/api/v1/rooms/{code}/files`)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from chat import selectors, services
from chat.access import get_live_participant
from core import text as plain
from participants.access import get_moderator, get_participant

router = Router(tags=["chat and files"])


class ErrorOut(Schema):
    detail: str


class ChatIn(Schema):
    text: plain.ChatText
    to: plain.Identity | None = None


class ChatOut(Schema):
    id: int
    sender: str
    sender_identity: str
    sender_role: str
    private: bool
    text: str
    created_at: str


class FileIn(Schema):
    name: plain.FileName
    size: int = Field(ge=0, description="bytes; the upload link is bound to it")
    content_type: plain.ContentType


class UploadOut(Schema):
    id: int
    upload_url: str
    method: str
    headers: dict[str, str]


class FileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    uploader_name: str
    created_at: datetime
    download_url: str


@router.get("/{code}/chat", response={200: list[ChatOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def read_chat(request: HttpRequest, code: str) -> list[ChatOut]:
    """The live lecture's chat as the caller may see it."""
    room, actor = get_participant(request, code)
    return [ChatOut(**services.chat_payload(m)) for m in services.visible_chat(room=room, viewer=actor)]  # type: ignore[arg-type]


@router.delete("/{code}/chat/{int:message_id}", response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def remove_chat(request: HttpRequest, code: str, message_id: int) -> Status:
    """Remove a chat message: of the live lecture (hosts and co-hosts), of a past one (the room's host);
    the audit log keeps it."""
    room, actor = get_moderator(request, code)
    services.remove_chat_message(room=room, message_id=message_id, by=actor)
    return Status(204, None)


@router.post(
    "/{code}/chat", response={201: ChatOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def post_chat(request: HttpRequest, code: str, payload: ChatIn) -> Status:
    """Write in the chat: to everyone, or privately to the hosts with `to`."""
    room, actor = get_participant(request, code)
    if actor.role == "admin":
        raise HttpError(403, "Admins read the chat; they do not write in other hosts' lectures.")
    message = services.post_chat_message(room=room, sender=actor, text=payload.text, to=payload.to)
    return Status(201, ChatOut(**services.chat_payload(message)))  # type: ignore[arg-type]


@router.post(
    "/{code}/files",
    response={201: UploadOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut},
)
def start_upload(request: HttpRequest, code: str, payload: FileIn) -> Status:
    """Announce a file; PUT its bytes to `upload_url` with `method` and `headers` within five minutes."""
    room, lecture, participant = get_live_participant(request, code)
    started = services.start_file_upload(
        room=room,
        lecture=lecture,
        participant=participant,
        name=payload.name,
        size=payload.size,
        content_type=payload.content_type,
        request_base=request.build_absolute_uri("/"),
    )
    ticket = started.ticket
    return Status(
        201, {"id": started.file.pk, "upload_url": ticket.url, "method": ticket.method, "headers": ticket.headers}
    )


@router.get("/{code}/files", response={200: list[FileOut], 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def list_files(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The files shared in the room's current lecture, oldest first."""
    _, lecture, _ = get_live_participant(request, code)
    services.confirm_uploads(lecture=lecture)
    return [
        {
            "id": f.pk,
            "name": f.name,
            "size": f.size,
            "content_type": f.content_type,
            "uploader_name": f.uploader,
            "created_at": f.created_at,
            "download_url": reverse("lectures:file_download", kwargs={"file_id": f.pk}),
        }
        for f in selectors.shared_files(lecture=lecture)
    ]
