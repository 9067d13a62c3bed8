"""The host's pages: the dashboard of their rooms (create, bans) and the live room page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from core.exceptions import NotAllowed, NotFound
from core.models import AISettings
from lectures import life
from moderation import services as moderation_services
from participants.access import get_room_for_host
from participants.models import BannedEntry
from rooms import services
from rooms.access import get_room_for_owner
from rooms.forms import RoomEditForm, RoomForm
from rooms.models import Room
from rooms.pins import readable_pin


def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    user: User = request.user  # type: ignore[assignment]
    form = RoomForm(
        request.POST or None, initial={"lobby": True, "ai_assistant": AISettings.load().ai_assistant_default}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        room = services.create_room(
            host=user,
            title=data["title"],
            pin=data["pin"] or None,
            lobby=data["lobby"],
            webinar=data["webinar"],
            ai_assistant=data["ai_assistant"],
        )
        messages.success(request, "Room created. Share its invite link with your students.")
        return redirect("rooms:detail", code=room.code)
    rooms = list(Room.objects.hosted_by(user))
    rooms_and_pins = [(room, readable_pin(room)) for room in rooms]
    bans = BannedEntry.objects.active().filter(host=user).select_related("room")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "rooms/dashboard.html",
        {"form": form, "rooms": rooms, "rooms_and_pins": rooms_and_pins, "bans": bans},
        status=status,
    )


@login_required
@require_POST
def lift_ban(request: HttpRequest, ban_id: int) -> HttpResponse:
    """Lift one of the host's own bans (from the dashboard's ban list)."""
    ban = BannedEntry.objects.active().filter(pk=ban_id, host_id=request.user.pk).first()
    if ban is None:
        raise Http404("No such ban in your rooms.")
    moderation_services.lift_ban(ban=ban, by=request.user)  # type: ignore[arg-type]
    messages.success(request, "The ban is lifted.")
    return redirect("rooms:dashboard")


@login_required
def room_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The live room page for hosts and co-hosts."""
    try:
        room = get_room_for_host(request.user, code)
    except NotFound:
        raise Http404("No room has this invite code.") from None
    except NotAllowed:
        return render(request, "403.html", {"message": "This is another host's room."}, status=403)
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "rooms/room.html",
        {
            "room": room,
            "invite_url": room.invite_url,
            "token_url": reverse("api:host_token", kwargs={"code": room.code}),
            "is_host": True,
            "display_name": user.display_name,
            "pin": readable_pin(room),
        },
    )


def _owned_room(request: HttpRequest, code: str) -> Room:
    try:
        return get_room_for_owner(request.user, code)
    except NotFound:
        raise Http404("No room has this invite code.") from None


@login_required
def room_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The room's own host changes its title, PIN and settings."""
    try:
        room = _owned_room(request, code)
    except NotAllowed:
        return render(request, "403.html", {"message": "Only the room's host can change it."}, status=403)
    initial = {"title": room.title, "lobby": room.lobby, "webinar": room.webinar, "ai_assistant": room.ai_assistant}
    form = RoomEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.update_room_settings(
            room=room,
            changes={k: data[k] for k in ("title", "lobby", "webinar", "ai_assistant")},
        )
        if data["remove_pin"] or data["new_pin"]:
            services.set_room_pin(room=room, pin=None if data["remove_pin"] else data["new_pin"])
        messages.success(request, "The room is saved.")
        return redirect("rooms:dashboard")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "rooms/room_edit.html", {"room": room, "pin": readable_pin(room), "form": form}, status=status
    )


@login_required
def room_delete(request: HttpRequest, code: str) -> HttpResponse:
    """Ask, then delete the room with its past lectures (the room's own host only)."""
    try:
        room = _owned_room(request, code)
    except NotAllowed:
        return render(request, "403.html", {"message": "Only the room's host can delete it."}, status=403)
    if request.method == "POST":
        life.delete_room(room=room)
        messages.success(request, f"“{room.title}” is deleted.")
        return redirect("rooms:dashboard")
    return render(request, "rooms/room_delete.html", {"room": room, "lectures": room.lectures.count()})
