"""Course pages: the host's course page; public ones: the iCalendar feed and one lecture's .ics
(the secret token is the key), and the one-click e-mail opt-out."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import LecternError, NotAllowed, NotFound
from courses import calendar, selectors, services
from courses.forms import CancelScheduledForm, EditScheduledForm
from courses.models import CourseSettings, HostCalendar, ScheduledLecture
from participants.access import get_room_for_host
from rooms.models import Room


def _course(token: str) -> CourseSettings:
    found = CourseSettings.objects.select_related("room").filter(calendar_token=token).first()
    if found is None:
        raise Http404("No calendar has this address (it may have been replaced).")
    return found


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(["GET", "HEAD"])
def feed(request: HttpRequest, feed_token: str) -> HttpResponse:
    """Every scheduled lecture of the room, cancelled ones with STATUS:CANCELLED."""
    course = _course(feed_token)
    lectures = ScheduledLecture.objects.of_room(course.room_id).order_by("starts_at", "pk")
    return _ics(calendar.calendar_for(course.room, lectures), f"{course.room.code}.ics")


@require_http_methods(["GET", "HEAD"])
def host_feed(request: HttpRequest, host_token: str) -> HttpResponse:
    """Every scheduled lecture of every room the host owns."""
    found = HostCalendar.objects.select_related("user").filter(token=host_token).first()
    if found is None:
        raise Http404("No calendar has this address (it may have been replaced).")
    lectures = ScheduledLecture.objects.filter(room__host=found.user).select_related("room").order_by("starts_at", "pk")
    return _ics(calendar.host_calendar_for(f"Lectures of {found.user.display_name}", lectures), "lectures.ics")


@require_http_methods(["GET", "HEAD"])
def event(request: HttpRequest, feed_token: str, event_uid: str) -> HttpResponse:
    """One scheduled lecture as a .ics download."""
    course = _course(feed_token)
    scheduled = ScheduledLecture.objects.of_room(course.room_id).filter(uid=event_uid).first()
    if scheduled is None:
        raise Http404("No such lecture in this calendar.")
    return _ics(calendar.calendar_for(course.room, [scheduled]), f"lecture-{scheduled.pk}.ics")


@csrf_exempt  # the unguessable token is the credential; mail clients' one-click POST carries no cookie
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, opt_out_token: str) -> HttpResponse:
    """GET asks (link scanners must not opt anyone out); POST opts out (RFC 8058 one-click)."""
    try:
        if request.method == "GET":
            return render(
                request,
                "courses/opt_out.html",
                {"entry": services.roster_entry_for_opt_out(token=opt_out_token), "done": False},
            )
        return render(request, "courses/opt_out.html", {"entry": services.opt_out(token=opt_out_token), "done": True})
    except NotFound:
        raise Http404("This link is not valid.") from None


def _form_errors(form: EditScheduledForm | CancelScheduledForm) -> str:
    return " ".join(f"{form.fields[name].label}: {' '.join(map(str, errors))}" for name, errors in form.errors.items())


def _hosted_room(request: HttpRequest, code: str) -> Room | HttpResponse:
    """The room if the requester hosts or co-hosts it; a 403 page for other accounts; 404 unknown."""
    try:
        return get_room_for_host(request.user, code)
    except NotFound:
        raise Http404("No room has this invite code.") from None
    except NotAllowed:
        return render(request, "403.html", {"message": "This is another host's room."}, status=403)


def _hosted_scheduled(
    request: HttpRequest, code: str, scheduled_id: int
) -> tuple[Room, ScheduledLecture] | HttpResponse:
    """A scheduled lecture of a room the requester hosts (with the room); 403/404 as `_hosted_room`."""
    room = _hosted_room(request, code)
    if isinstance(room, HttpResponse):
        return room
    try:
        return room, selectors.scheduled_of(room=room, scheduled_id=scheduled_id)
    except NotFound:
        raise Http404("No scheduled lecture with this id in this room.") from None


@login_required
@require_POST
def edit_scheduled(request: HttpRequest, code: str, scheduled_id: int) -> HttpResponse:
    """The course page's edit form: a scheduled lecture's start, duration, title and description."""
    found = _hosted_scheduled(request, code, scheduled_id)
    if isinstance(found, HttpResponse):
        return found
    room, scheduled = found
    form = EditScheduledForm(request.POST)
    with timezone.override(ZoneInfo(services.course_settings(room=room).home_timezone)):
        valid = form.is_valid()
    if not valid:
        messages.error(request, f"Not saved. {_form_errors(form)}")
        return redirect("courses:course", code=room.code)
    before = (scheduled.starts_at, scheduled.ends_at)
    try:
        edited = services.edit_scheduled_lecture(scheduled=scheduled, **form.cleaned_data)
    except LecternError as exc:
        messages.error(request, f"Not saved: {exc.detail}")
    else:
        told = " The roster gets an e-mail with the new time." if (edited.starts_at, edited.ends_at) != before else ""
        messages.success(request, f"The lecture was changed; calendars and reminders follow.{told}")
    return redirect("courses:course", code=room.code)


@login_required
@require_POST
def cancel_scheduled(request: HttpRequest, code: str, scheduled_id: int) -> HttpResponse:
    """The course page's cancel form: the roster is told, with the reason."""
    found = _hosted_scheduled(request, code, scheduled_id)
    if isinstance(found, HttpResponse):
        return found
    room, scheduled = found
    form = CancelScheduledForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not cancelled. {_form_errors(form)}")
        return redirect("courses:course", code=room.code)
    try:
        services.cancel_lecture(scheduled=scheduled, reason=form.cleaned_data["reason"])
    except LecternError as exc:
        messages.error(request, f"Not cancelled: {exc.detail}")
    else:
        messages.success(request, "The lecture was cancelled; the roster is told by e-mail.")
    return redirect("courses:course", code=room.code)


@login_required
def course_page(request: HttpRequest, code: str) -> HttpResponse:
    """The host's course page: Upcoming / Live / Past lectures with countdowns, the calendar, the
    roster and the reminders' delivery."""
    room = _hosted_room(request, code)
    if isinstance(room, HttpResponse):
        return room
    now = timezone.now()
    lectures = list(selectors.schedule_of(room=room))
    roster = selectors.roster_of(room=room)
    joined = selectors.joined_entry_ids(entries=roster)
    settings_row = services.course_settings(room=room)
    return render(
        request,
        "courses/course.html",
        {
            "room": room,
            "now": now,
            "upcoming": [s for s in lectures if s.status == "scheduled" and s.ends_at > now],
            "live": [s for s in lectures if s.status == "live"],
            "past": [
                s for s in reversed(lectures) if s.status != "live" and (s.status != "scheduled" or s.ends_at <= now)
            ],
            "roster": [(entry, entry.pk in joined) for entry in roster],
            "reminders": selectors.reminder_counts(room=room),
            "settings": settings_row,
            "ics_url": settings.SITE_URL + reverse("courses:feed", kwargs={"feed_token": settings_row.calendar_token}),
        },
    )
