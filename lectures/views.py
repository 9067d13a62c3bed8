"""Lecture pages: past lectures, the lecture page, its exports, shared-file downloads, local uploads, Drive."""

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from chat import services as chat_services
from core import storage
from core.exceptions import LecternError, NotFound
from lectures import drive, exports, selectors, services
from lectures.access import LectureViewer, get_file_for_download, get_lecture_for_viewer
from lectures.forms import AttendeeAccessForm, TranscriptSearchForm
from lectures.models import DriveCredential
from lectures.selectors import LectureDocument
from participants.access import Actor
from rooms.access import get_room
from rooms.models import Lecture
from summaries import tasks as summary_tasks

logger = logging.getLogger(__name__)

_DRIVE_SESSION_KEY = "lectures.drive_oauth"


def _lecture_or_404(request: HttpRequest, lecture_id: int) -> tuple[Lecture, LectureViewer]:
    try:
        return get_lecture_for_viewer(request, lecture_id)
    except NotFound:
        raise Http404("No lecture here, or you may not see it.") from None


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"message": message}, status=403)


def _download(content: str | bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_GET
def past_lectures(request: HttpRequest) -> HttpResponse:
    """A host's past lectures, of one room (?room=<code>) or of all their rooms."""
    user: User = request.user  # type: ignore[assignment]
    room = None
    code = request.GET.get("room", "").strip()
    if code:
        try:
            room = get_room(code)
        except LecternError:
            raise Http404("No room has this invite code.") from None
        if room.host_id != user.pk and not user.is_admin:
            raise Http404("No room has this invite code.")
        lectures = selectors.lectures_of_host(user_id=room.host_id, room=room)
    else:
        lectures = selectors.lectures_of_host(user_id=user.pk)
    return render(request, "lectures/past_lectures.html", {"room": room, "lectures": lectures})


@require_GET
def lecture_page(request: HttpRequest, lecture_id: int) -> HttpResponse:
    """The after-the-lecture page: summary, searchable transcript, chat, files, attendance for hosts."""
    lecture, viewer = _lecture_or_404(request, lecture_id)
    form = TranscriptSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    document = selectors.lecture_document(lecture=lecture, viewer=viewer)
    hits = selectors.search_transcript(lecture=lecture, query=query) if query else []
    return render(
        request,
        "lectures/lecture.html",
        {
            "doc": document,
            "lecture": lecture,
            "viewer": viewer,
            "search_form": form,
            "query": query,
            "hits": hits,
            "lines": selectors.transcript_lines(segments=document.segments, hits=hits),
            "access_form": AttendeeAccessForm(initial={"attendees_see_lecture": lecture.room.attendees_see_lecture}),
            "late_after": settings.LECTURE_LATE_AFTER_MINUTES,
            "drive_configured": drive.is_configured(),
            "drive_connected": viewer.user is not None and DriveCredential.objects.filter(user=viewer.user).exists(),
        },
    )


@dataclass(frozen=True)
class Export:
    content_type: str
    extension: str
    render: Callable[[LectureDocument], str | bytes]
    hosts_only: bool = False
    suffix: str = ""


EXPORTS = {
    "pdf": Export("application/pdf", "pdf", lambda doc: services.lecture_pdf(document=doc)),
    "vtt": Export("text/vtt; charset=utf-8", "vtt", lambda doc: exports.transcript_vtt(segments=doc.segments)),
    "txt": Export("text/plain; charset=utf-8", "txt", lambda doc: exports.transcript_text(document=doc)),
    "attendance": Export(
        "text/csv; charset=utf-8",
        "csv",
        lambda doc: exports.attendance_csv(document=doc, attendees=doc.attendance or []),
        hosts_only=True,
        suffix=" attendance",
    ),
    "engagement": Export(
        "text/csv; charset=utf-8",
        "csv",
        lambda doc: exports.sections_csv(document=doc),
        hosts_only=True,
        suffix=" engagement",
    ),
}


@require_GET
def export(request: HttpRequest, lecture_id: int, kind: str) -> HttpResponse:
    """One of the lecture's downloads (PDF, WebVTT, text, attendance or engagement CSV) as this viewer may see it.

    The attendance and the engagement are for the host and admins only (a 404 for attendees too).
    """
    lecture, viewer = _lecture_or_404(request, lecture_id)
    spec = EXPORTS[kind]
    if spec.hosts_only and not viewer.manages:
        raise Http404("No lecture here, or you may not see it.")
    document = selectors.lecture_document(lecture=lecture, viewer=viewer)
    filename = exports.export_filename(document=document, extension=spec.extension)
    if spec.suffix:
        filename = filename.replace(f".{spec.extension}", f"{spec.suffix}.{spec.extension}")
    return _download(spec.render(document), content_type=spec.content_type, filename=filename)


@require_POST
def update_attendee_access(request: HttpRequest, lecture_id: int) -> HttpResponse:
    """The host's switch: may the students who attended open the room's lecture pages?"""
    lecture, viewer = _lecture_or_404(request, lecture_id)
    if not viewer.manages:
        return _forbidden(request, "Only the room's host can change who sees this page.")
    form = AttendeeAccessForm(request.POST)
    form.is_valid()
    allowed = bool(form.cleaned_data.get("attendees_see_lecture"))
    services.set_attendee_access(room=lecture.room, allowed=allowed)
    if allowed:
        messages.success(request, "Students who attended can now open this room's lecture pages.")
    else:
        messages.success(request, "Only you (and admins) can open this room's lecture pages now.")
    return redirect("lectures:detail", lecture_id=lecture.pk)


@require_POST
def regenerate_summary(request: HttpRequest, lecture_id: int) -> HttpResponse:
    lecture, viewer = _lecture_or_404(request, lecture_id)
    if not viewer.manages:
        return _forbidden(request, "Only the room's host can regenerate the summary.")
    try:
        summary_tasks.regenerate_summary(lecture=lecture)
    except LecternError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "The summary is being regenerated; reload the page in a moment.")
    return redirect("lectures:detail", lecture_id=lecture.pk)


@require_POST
def remove_chat(request: HttpRequest, lecture_id: int, message_id: int) -> HttpResponse:
    """The room's host removes a chat message from the lecture's record (the audit log keeps it)."""
    lecture, viewer = _lecture_or_404(request, lecture_id)
    if not viewer.is_owner or viewer.user is None:
        return _forbidden(request, "Only the room's host can remove chat messages.")
    try:
        removed = chat_services.remove_chat_message(
            room=lecture.room, message_id=message_id, by=Actor(user=viewer.user, role="host"), lecture=lecture
        )
    except NotFound:
        messages.error(request, "This message was removed already.")
    else:
        messages.success(request, f"The message from {removed.sender_name} is removed.")
    return redirect(reverse("lectures:detail", kwargs={"lecture_id": lecture.pk}) + "#chat")


@require_POST
def save_to_drive(request: HttpRequest, lecture_id: int) -> HttpResponse:
    """Upload the PDF and transcript to the user's Google Drive, connecting it first if needed."""
    lecture, viewer = _lecture_or_404(request, lecture_id)
    page = reverse("lectures:detail", kwargs={"lecture_id": lecture.pk})
    if viewer.user is None:
        return _forbidden(request, "Log in with a Lectern account to save to Google Drive.")
    if not drive.is_configured():
        messages.error(request, str(drive.DriveNotConfigured()))
        return redirect(page)
    if not DriveCredential.objects.filter(user=viewer.user).exists():
        return redirect(f"{reverse('lectures:drive_connect')}?next={page}")
    try:
        uploaded = services.save_lecture_to_drive(lecture=lecture, viewer=viewer, user=viewer.user)
    except drive.DriveAuthorizationLost as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('lectures:drive_connect')}?next={page}")
    except drive.DriveError as exc:
        messages.error(request, str(exc))
        return redirect(page)
    names = ", ".join(item.name for item in uploaded)
    messages.success(request, f'Saved to the "{drive.FOLDER_NAME}" folder of your Google Drive: {names}.')
    return redirect(page)


def _drive_redirect_uri() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("lectures:drive_callback")


@login_required
@require_GET
def drive_connect(request: HttpRequest) -> HttpResponse:
    """Send the browser to Google to let Lectern put files in the account's Drive."""
    next_url = _safe_next(request, reverse("lectures:list"))
    try:
        grant = drive.authorization_request(redirect_uri=_drive_redirect_uri())
    except drive.DriveNotConfigured as exc:
        messages.error(request, str(exc))
        return redirect(next_url)
    request.session[_DRIVE_SESSION_KEY] = {"state": grant.state, "verifier": grant.code_verifier, "next": next_url}
    return HttpResponseRedirect(grant.url)


@login_required
@require_GET
def drive_callback(request: HttpRequest) -> HttpResponse:
    """Google sends the browser back here; the state must be the one this session started with."""
    pending = request.session.pop(_DRIVE_SESSION_KEY, None) or {}
    next_url = pending.get("next") or reverse("lectures:list")
    state = request.GET.get("state", "")
    if not pending.get("state") or not hmac.compare_digest(state.encode(), str(pending["state"]).encode()):
        return render(
            request,
            "lectures/drive_error.html",
            {"message": "This Google sign-in did not start here (the state does not match). Start again."},
            status=400,
        )
    if request.GET.get("error"):
        messages.error(request, "Google Drive was not connected: access was not granted.")
        return redirect(next_url)
    user: User = request.user  # type: ignore[assignment]
    try:
        services.connect_drive(
            user=user,
            redirect_uri=_drive_redirect_uri(),
            state=state,
            code_verifier=str(pending.get("verifier", "")),
            code=request.GET.get("code", ""),
        )
    except drive.DriveError as exc:
        messages.error(request, str(exc))
        return redirect(next_url)
    messages.success(request, 'Google Drive is connected. Click "Save to Google Drive" to upload this lecture.')
    return redirect(next_url)


@login_required
@require_POST
def drive_disconnect(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    services.disconnect_drive(user=user)
    messages.success(request, "Google Drive is disconnected from your Lectern account.")
    return redirect(_safe_next(request, reverse("lectures:list")))


@require_GET
def file_download(request: HttpRequest, file_id: int) -> HttpResponseBase:
    """A shared file, always as an attachment under its sanitised name."""
    try:
        shared = get_file_for_download(request, file_id)
    except NotFound:
        raise Http404("No such file.") from None
    return storage.download_response(key=shared.storage_key, filename=shared.name, content_type=shared.content_type)


@csrf_exempt  # the signed, single-use, five-minute link is the credential, as with an S3 presigned URL
@require_http_methods(["PUT"])
def local_upload(request: HttpRequest, token: str) -> HttpResponse:
    """Receive the bytes of a shared file at one of our own upload links (local storage backend)."""
    declared = request.META.get("CONTENT_LENGTH")
    try:
        shared = chat_services.receive_local_upload(
            token=token,
            content_type=request.META.get("CONTENT_TYPE", ""),
            stream=request,  # type: ignore[arg-type]
            declared_length=int(declared) if declared and declared.isdigit() else None,
        )
    except LecternError as exc:
        return JsonResponse({"detail": exc.detail}, status=exc.status)
    return JsonResponse({"id": shared.pk, "name": shared.name, "size": shared.size, "status": "uploaded"})
