"""Every state change of lectures: shared files, who may see a lecture, summaries on demand, Google Drive."""

import hashlib
import logging
from typing import Any

from accounts.models import User
from core import storage
from lectures import drive, exports
from lectures.access import LectureViewer
from lectures.models import DriveCredential
from lectures.selectors import LectureDocument, lecture_document
from rooms.models import Lecture, Room

logger = logging.getLogger(__name__)


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
