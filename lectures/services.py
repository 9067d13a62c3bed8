"""Every state change of lectures: shared files, who may see a lecture, summaries on demand, Google Drive."""

import hashlib
import importlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from lectures import drive, exports, storage
from lectures.access import LectureViewer, RoomParticipant
from lectures.models import DriveCredential, Lecture
from lectures.selectors import LectureDocument, lecture_document
from rooms.exceptions import NotAllowed, RoomError
from rooms.models import Room, SharedFile

logger = logging.getLogger(__name__)

# How long after an upload link was issued the bytes may still arrive (its lifetime plus clock slack).
_PENDING_WINDOW = timedelta(seconds=300 + 60)


class FileTooLarge(RoomError):
    status = 413


class FileTypeNotAllowed(RoomError):
    status = 415


class UploadRefused(RoomError):
    """A local upload link that is invalid, expired, already used or used for other bytes."""

    status = 403


class AlreadyUploaded(RoomError):
    status = 409


class SummaryUnavailable(RoomError):
    status = 503


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
        raise RoomError("The file is empty.")
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


def lecture_pdf(*, document: LectureDocument) -> bytes:
    """The PDF of what this viewer sees of the lecture; once a lecture has ended, typeset once per version.

    The key is the hash of the HTML the PDF is made from, so any change (a new summary, another
    viewer's view) makes a new PDF and a cached one can only be what this viewer may see.
    """
    html = exports.lecture_pdf_html(document=document)
    if document.lecture.status != Lecture.Status.ENDED:
        return exports.render_pdf(html=html)
    digest = hashlib.sha256(html.encode()).hexdigest()
    key = f"lectures/{document.lecture.pk}/exports/{digest}.pdf"
    cached = storage.read_bytes(key=key)
    if cached is not None:
        return cached
    pdf = exports.render_pdf(html=html)
    storage.save_bytes(key=key, content=pdf)
    return pdf


def set_attendee_access(*, room: Room, allowed: bool) -> Room:
    """Let the students who attended the room's lectures open their pages afterwards, or stop them."""
    Room.objects.filter(pk=room.pk).update(attendees_see_lecture=allowed)
    room.attendees_see_lecture = allowed
    return room


def regenerate_lecture_summary(*, lecture: Lecture) -> None:
    """Build the lecture's summary again, when the summarizer (lectures/summary.py) offers it."""
    summary = importlib.import_module("lectures.summary")
    regenerate = getattr(summary, "regenerate_summary", None)
    if regenerate is None:
        raise SummaryUnavailable("Regenerating summaries is not available on this server yet.")
    not_ended = getattr(summary, "LectureNotEnded", None)
    try:
        regenerate(lecture=lecture)
    except Exception as exc:  # the summarizer is another module's boundary; report, do not crash the page
        if not_ended is not None and isinstance(exc, not_ended):
            raise SummaryUnavailable(str(exc) or "The summary is written once the lecture has ended.") from exc
        logger.exception("regenerating the summary of lecture %s failed", lecture.pk)
        raise SummaryUnavailable("The summary could not be regenerated; try again later.") from exc


def connect_drive(*, user: User, redirect_uri: str, state: str, code_verifier: str, code: str) -> DriveCredential:
    """Exchange Google's authorization code and keep the account's refresh token, encrypted."""
    refresh_token = drive.exchange_code(redirect_uri=redirect_uri, state=state, code_verifier=code_verifier, code=code)
    credential, _ = DriveCredential.objects.update_or_create(
        user=user,
        defaults={"encrypted_refresh_token": drive.seal_refresh_token(refresh_token), "scopes": drive.DRIVE_SCOPE},
    )
    return credential


def disconnect_drive(*, user: User) -> None:
    DriveCredential.objects.filter(user=user).delete()


def save_lecture_to_drive(
    *, lecture: Lecture, viewer: LectureViewer, user: User, http: Any | None = None
) -> list[drive.UploadedFile]:
    """Upload the lecture's PDF and transcript into the user's "Lectern" Drive folder.

    `http` is the transport for the Google client (tests pass googleapiclient's HttpMockSequence).
    """
    if not drive.is_configured():
        raise drive.DriveNotConfigured()
    credential = DriveCredential.objects.filter(user=user).first()
    if credential is None:
        raise drive.DriveAuthorizationLost("Connect your Google Drive first.")
    try:
        refresh_token = drive.open_refresh_token(credential.encrypted_refresh_token)
    except drive.DriveAuthorizationLost:
        credential.delete()
        raise
    document = lecture_document(lecture=lecture, viewer=viewer)
    files = [
        drive.UploadFile(
            name=exports.export_filename(document=document, extension="pdf"),
            mime_type="application/pdf",
            content=lecture_pdf(document=document),
        ),
        drive.UploadFile(
            name=exports.export_filename(document=document, extension="txt"),
            mime_type="text/plain",
            content=exports.transcript_text(document=document).encode(),
        ),
    ]
    try:
        return drive.upload_files(refresh_token=refresh_token, files=files, http=http)
    except drive.DriveAuthorizationLost:
        credential.delete()
        raise
