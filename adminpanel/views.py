"""The admin dashboard: live rooms, accounts and roles, AI defaults, the audit log."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from adminpanel import services
from adminpanel.access import admin_required
from adminpanel.forms import AccountForm, AISettingsForm
from audit.models import AuditEvent
from core.models import AISettings
from lobby.models import LobbyEntry
from rooms import livekit_server
from rooms.models import Room


@admin_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every live room, with how many are connected (from LiveKit) and waiting (from the lobby)."""
    rooms = list(Room.objects.live().select_related("host"))
    try:
        connected = {r.name: r.num_participants for r in livekit_server.list_rooms()}
        livekit_error = ""
    except livekit_server.LiveKitError as exc:
        connected, livekit_error = {}, str(exc)
    rows = []
    for room in rooms:
        lecture = room.current_lecture()
        rows.append(
            {
                "room": room,
                "lecture": lecture,
                "connected": connected.get(lecture.livekit_room, 0) if lecture else 0,
                "waiting": LobbyEntry.objects.pending().filter(lecture=lecture).count() if lecture else 0,
            }
        )
    return render(request, "adminpanel/overview.html", {"rows": rows, "livekit_error": livekit_error})


@admin_required
def accounts(request: HttpRequest) -> HttpResponse:
    users = User.objects.order_by("email")
    return render(request, "adminpanel/accounts.html", {"users": users, "roles": User.Role.choices})


@admin_required
@require_POST
def update_account(request: HttpRequest, user_id: int) -> HttpResponse:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404("No such account.")
    form = AccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid role.")
        return redirect("adminpanel:accounts")
    try:
        services.update_account(
            user=user,
            role=form.cleaned_data["role"],
            is_active=form.cleaned_data["is_active"],
            by=request.user,  # type: ignore[arg-type]
        )
    except services.AdminError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{user.email} updated.")
    return redirect("adminpanel:accounts")


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


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.select_related("room", "actor")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action=action)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    actions = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return render(request, "adminpanel/audit.html", {"page": page, "action": action, "actions": sorted(set(actions))})


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
