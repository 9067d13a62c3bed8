"""The admin dashboard: overview, rooms and who is in them, accounts, token sandbox, settings, audit."""

import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from adminpanel import audit_csv, audit_labels, deployment, health, selectors, services
from adminpanel.access import admin_required
from adminpanel.forms import (
    AccountForm,
    AISettingsForm,
    AuditFilterForm,
    InviteForm,
    RoomSearchForm,
    SandboxForm,
    SearchForm,
    SiteDefaultsForm,
)
from audit.models import AuditEvent
from core.exceptions import LecternError
from core.models import AISettings, SiteDefaults
from core.net import client_ip
from rooms import livekit_server
from rooms.livekit_server import LiveKitError, SandboxGrants
from rooms.models import Lecture, Room

PAGE_SIZE = 50


def _admin(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _room(code: str) -> Room:
    room = Room.objects.select_related("host").filter(code=code).first()
    if room is None:
        raise Http404("No such room.")
    return room


@admin_required
def overview(request: HttpRequest) -> HttpResponse:
    """The health of each part, and every live room with how many are connected."""
    listing = selectors.room_listing(rooms=list(Room.objects.live().select_related("host")), with_livekit_only=False)
    return render(request, "adminpanel/overview.html", {"listing": listing, "health": health.check()})


@admin_required
def health_json(request: HttpRequest) -> JsonResponse:
    """The overview as JSON, as the overview socket pushes it (for monitoring scripts)."""
    return JsonResponse(health.check().as_json())


@admin_required
def rooms(request: HttpRequest) -> HttpResponse:
    form = RoomSearchForm(request.GET)
    query, status = ("", "")
    if form.is_valid():
        query, status = form.cleaned_data["q"], form.cleaned_data["status"]
    page = Paginator(selectors.search_rooms(query=query, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    listing = selectors.room_listing(rooms=list(page), with_livekit_only=not query and status != "idle")
    return render(
        request,
        "adminpanel/rooms.html",
        {"form": form, "page": page, "listing": listing, "q": query, "status": status},
        status=200 if form.is_valid() else 400,
    )


@admin_required
def room_detail(request: HttpRequest, code: str) -> HttpResponse:
    room = _room(code)
    lecture = room.current_lecture()
    participants, livekit_error = [], ""
    if lecture is not None:
        try:
            participants = selectors.participants_of(livekit_room=lecture.livekit_room, lecture=lecture)
        except LiveKitError as exc:
            livekit_error = exc.detail
    listing = selectors.room_listing(rooms=[room], with_livekit_only=False)
    return render(
        request,
        "adminpanel/room_detail.html",
        {
            "room": room,
            "lecture": lecture,
            "row": listing.rows[0],
            "participants": participants,
            "livekit_error": livekit_error or listing.livekit_error,
        },
    )


@admin_required
def livekit_room_detail(request: HttpRequest, name: str) -> HttpResponse:
    """A room on the LiveKit server that Lectern did not create (ours go to their room's page)."""
    lecture = Lecture.objects.select_related("room").filter(livekit_room=name, status=Lecture.Status.LIVE).first()
    if lecture is not None:
        return redirect("adminpanel:room", code=lecture.room.code)
    try:
        participants = selectors.participants_of(livekit_room=name, lecture=None)
        exists = any(r.name == name for r in livekit_server.list_rooms())
    except LiveKitError as exc:
        messages.error(request, exc.detail)
        return redirect("adminpanel:rooms")
    if not exists:
        raise Http404("No such room on the LiveKit server.")
    return render(request, "adminpanel/livekit_room.html", {"name": name, "participants": participants})


@admin_required
@require_POST
def kick(request: HttpRequest, code: str, identity: str) -> HttpResponse:
    room = _room(code)
    try:
        name = services.kick_from_room(room=room, identity=identity, by=_admin(request), ip_address=client_ip(request))
    except LecternError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"{name} was removed from the lecture.")
    return redirect("adminpanel:room", code=room.code)


@admin_required
@require_POST
def mute_track(request: HttpRequest, code: str, identity: str, track_sid: str) -> HttpResponse:
    room = _room(code)
    lecture = room.current_lecture()
    if lecture is None:
        messages.error(request, "The lecture is not live.")
        return redirect("adminpanel:room", code=room.code)
    try:
        services.mute_track(
            livekit_room=lecture.livekit_room,
            identity=identity,
            track_sid=track_sid,
            room=room,
            by=_admin(request),
            ip_address=client_ip(request),
        )
    except LiveKitError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "The track is muted.")
    return redirect("adminpanel:room", code=room.code)


@admin_required
@require_POST
def end_lecture(request: HttpRequest, code: str) -> HttpResponse:
    room = _room(code)
    if services.end_room_lecture(room=room, by=_admin(request), ip_address=client_ip(request)) is None:
        messages.info(request, "The room was not live.")
    else:
        messages.success(request, f"The lecture in {room.title} has ended.")
    return redirect("adminpanel:room", code=room.code)


@admin_required
@require_POST
def close_livekit_room(request: HttpRequest, name: str) -> HttpResponse:
    try:
        services.close_livekit_room(livekit_room=name, by=_admin(request), ip_address=client_ip(request))
    except LiveKitError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"LiveKit room {name} is closed.")
    return redirect("adminpanel:rooms")


@admin_required
def accounts(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.search_accounts(query=query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "adminpanel/accounts.html",
        {"form": form, "page": page, "q": query, "roles": User.Role.choices, "invite": InviteForm()},
        status=200 if form.is_valid() else 400,
    )


def _account(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404("No such account.")
    return user


@admin_required
@require_POST
def update_account(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _account(user_id)
    form = AccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid role.")
        return redirect("adminpanel:accounts")
    try:
        services.update_account(
            user=user,
            role=form.cleaned_data["role"],
            is_active=form.cleaned_data["is_active"],
            by=_admin(request),
            ip_address=client_ip(request),
        )
    except services.AdminError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{user.email} updated.")
    return redirect("adminpanel:accounts")


@admin_required
@require_POST
def password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _account(user_id)
    services.send_password_reset(user=user, by=_admin(request), ip_address=client_ip(request))
    messages.success(request, f"A password link was sent to {user.email}.")
    return redirect("adminpanel:accounts")


@admin_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            user = services.invite_host(**form.cleaned_data, by=_admin(request), ip_address=client_ip(request))
        except services.AdminError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"{user.email} is invited.")
            return redirect("adminpanel:accounts")
    page = Paginator(selectors.search_accounts(), PAGE_SIZE).get_page(1)
    return render(
        request,
        "adminpanel/accounts.html",
        {"form": SearchForm(), "page": page, "q": "", "roles": User.Role.choices, "invite": form},
        status=400,
    )


@admin_required
def sandbox(request: HttpRequest) -> HttpResponse:
    """Mint a token by hand (audited) and read its claims back; a test link opens our test page with it."""
    form = SandboxForm(request.POST or None)
    credentials, claims = None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        credentials = services.mint_sandbox_token(
            room=data["room"],
            identity=data["identity"],
            name=data["name"],
            ttl_seconds=data["ttl_seconds"],
            metadata=data["metadata"],
            grants=SandboxGrants(
                publish_sources=tuple(data["publish_sources"]),
                can_subscribe=data["can_subscribe"],
                can_publish_data=data["can_publish_data"],
                hidden=data["hidden"],
            ),
            by=_admin(request),
            ip_address=client_ip(request),
        )
        claims = json.dumps(livekit_server.decode_token(credentials.token), indent=2, sort_keys=True)
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(
        request,
        "adminpanel/sandbox.html",
        {"form": form, "credentials": credentials, "claims": claims},
        status=status,
    )


@admin_required
def sandbox_test(request: HttpRequest) -> HttpResponse:
    """A minimal page that connects with the token in its URL fragment (never sent to the server)."""
    return render(request, "adminpanel/sandbox_test.html")


@admin_required
def site_settings(request: HttpRequest) -> HttpResponse:
    """The deployment's configuration (secrets masked), security overview and the editable defaults."""
    form = SiteDefaultsForm(request.POST or None, instance=SiteDefaults.load())
    if request.method == "POST" and form.is_valid():
        services.update_site_defaults(form=form, by=_admin(request), ip_address=client_ip(request))
        messages.success(request, "Defaults saved.")
        return redirect("adminpanel:settings")
    checks = deployment.security_checks()
    context = {
        "form": form,
        "ai": AISettings.load(),
        "config": deployment.configuration(),
        "checks": checks,
        "failing_checks": [check for check in checks if not check.ok],
    }
    return render(request, "adminpanel/settings.html", context, status=400 if request.method == "POST" else 200)


@admin_required
def ai_settings(request: HttpRequest) -> HttpResponse:
    row = AISettings.load()
    form = AISettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "AI settings saved.")
        return redirect("adminpanel:ai")
    status = 400 if request.method == "POST" else 200
    return render(request, "adminpanel/ai.html", {"form": form, "row": row}, status=status)


def _audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return form, {}
    return form, {key: value for key, value in form.cleaned_data.items() if value}


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log as sentences, filtered by room, actor, type and dates (a bad filter is a 400)."""
    form, filters = _audit_filters(request)
    events = selectors.search_audit_events(**filters) if form.is_valid() else AuditEvent.objects.none()
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    codes = sorted(set(AuditEvent.objects.order_by().values_list("action", flat=True).distinct()))
    query = urlencode({key: str(value) for key, value in filters.items()})
    return render(
        request,
        "adminpanel/audit.html",
        {
            "form": form,
            "page": page,
            "lines": [audit_labels.line(event) for event in page],
            "action": filters.get("action", ""),
            "actions": [(code, audit_labels.label(code)) for code in codes],
            "query": query,
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
        status=200 if form.is_valid() else 400,
    )


@admin_required
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered audit log as CSV (every matching event, not one page)."""
    form, filters = _audit_filters(request)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    events = selectors.search_audit_events(**filters).iterator(chunk_size=500)
    response = StreamingHttpResponse(audit_csv.csv_lines(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lectern-audit.csv"'
    return response


@admin_required
def egress(request: HttpRequest) -> HttpResponse:
    """Egress: the service's health, the running jobs (stop any), record any live room, recent recordings."""
    from recordings import egress_health
    from recordings.downloads import download_path
    from recordings.models import Recording

    try:
        jobs = livekit_server.list_egress(active=True)
        egress_error = ""
    except livekit_server.LiveKitError as exc:
        jobs, egress_error = [], str(exc)
    if egress_health.health_urls():
        try:
            egress_health.ping()
            health = "ok"
        except egress_health.EgressUnreachable as exc:
            health = f"error: {exc}"
    else:
        health = "not configured (EGRESS_HEALTH_URL)"
    recordings = list(Recording.objects.select_related("room", "lecture")[:50])
    previews = {r.pk: download_path(r) for r in recordings if r.status == Recording.Status.READY}
    return render(
        request,
        "adminpanel/egress.html",
        {
            "jobs": jobs,
            "egress_error": egress_error,
            "health": health,
            "live_rooms": Room.objects.live().select_related("host"),
            "recordings": [(r, previews.get(r.pk)) for r in recordings],
        },
    )


@admin_required
@require_POST
def egress_start(request: HttpRequest) -> HttpResponse:
    """Start a room-composite recording of any live room."""
    from core.exceptions import LecternError
    from recordings.services import start_recording

    room = Room.objects.filter(code=request.POST.get("room", "")).first()
    if room is None:
        raise Http404("No room has this invite code.")
    try:
        recording = start_recording(room=room, by=request.user)  # type: ignore[arg-type]
        messages.success(request, f"Recording {recording.pk} of {room.title} is starting.")
    except LecternError as exc:
        messages.error(request, exc.detail)
    return redirect("adminpanel:egress")


@admin_required
@require_POST
def egress_stop(request: HttpRequest, egress_id: str) -> HttpResponse:
    """Stop one egress job."""
    from core.exceptions import LecternError
    from recordings.services import stop_egress_job

    try:
        stop_egress_job(egress_id=egress_id)
        messages.success(request, f"Egress {egress_id} is stopping.")
    except LecternError as exc:
        messages.error(request, exc.detail)
    return redirect("adminpanel:egress")
