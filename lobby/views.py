"""The page a student opens from the invite link."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.exceptions import NotFound, RateLimited
from core.net import client_ip
from core.ratelimit import refuse_unknown_code
from rooms.access import get_room


def invite(request: HttpRequest, code: str) -> HttpResponse:
    """The page a student opens from the invite link: name (+ PIN), the waiting room, then the room.

    Nothing of the room but its title and whether it needs a PIN is on this page until admission.
    """
    try:
        room = get_room(code)
    except NotFound:
        refusal = refuse_unknown_code(ip=client_ip(request))
        if isinstance(refusal, RateLimited):
            response = render(request, "403.html", {"message": refusal.detail}, status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
        raise Http404("No room has this invite code.") from None
    return render(
        request,
        "rooms/room.html",
        {"room": room, "invite_url": "", "token_url": "", "is_host": False, "display_name": ""},
    )
