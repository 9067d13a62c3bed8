"""The page a student opens from the invite link."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.exceptions import LecternError, RateLimited
from core.net import client_ip
from core.ratelimit import check_ip_allowed, record_unknown_code
from rooms.access import get_room


def invite(request: HttpRequest, code: str) -> HttpResponse:
    """The page a student opens from the invite link: name (+ PIN), the waiting room, then the room.

    Nothing of the room but its title and whether it needs a PIN is on this page until admission.
    """
    ip = client_ip(request)
    try:
        check_ip_allowed(ip=ip)
    except RateLimited as exc:
        response = render(request, "403.html", {"message": exc.detail}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    try:
        room = get_room(code)
    except LecternError:
        record_unknown_code(ip=ip)
        raise Http404("No room has this invite code.") from None
    return render(
        request,
        "rooms/room.html",
        {"room": room, "invite_url": "", "token_url": "", "is_host": False, "display_name": ""},
    )
