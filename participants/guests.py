"""The guest-session cookie: which guest sessions (one per room) this browser holds.

The cookie is signed by Django and carries only session ids; everything else stays in the database.
"""

import uuid

from django.core import signing
from django.http import HttpRequest, HttpResponse

from participants.models import GuestSession
from rooms.models import Room

GUEST_COOKIE = "lectern_guest"
_SALT = "lectern.guest-session"
_MAX_SESSIONS = 20  # one per room the browser joined recently
_MAX_AGE = 60 * 60 * 24 * 180


def guest_session_ids(request: HttpRequest) -> list[uuid.UUID]:
    return _session_ids(request.COOKIES.get(GUEST_COOKIE))


def _session_ids(raw: str | None) -> list[uuid.UUID]:
    if not raw:
        return []
    try:
        values = signing.loads(raw, salt=_SALT, max_age=_MAX_AGE)
        return [uuid.UUID(value) for value in values][:_MAX_SESSIONS]
    except (signing.BadSignature, ValueError, TypeError):
        return []


def get_guest(request: HttpRequest, room: Room) -> GuestSession | None:
    """The guest session this browser holds for `room`, if any."""
    return guest_from_cookies(request.COOKIES, room)


def guest_from_cookies(cookies: dict[str, str], room: Room) -> GuestSession | None:
    """The same, from a cookie mapping (a websocket's scope["cookies"])."""
    ids = _session_ids(cookies.get(GUEST_COOKIE))
    if not ids:
        return None
    return GuestSession.objects.filter(room=room, session_id__in=ids).order_by("-created_at").first()


def remember_guest(response: HttpResponse, request: HttpRequest, guest: GuestSession) -> None:
    """Add the guest session to the browser's cookie (newest first, bounded)."""
    ids = [str(guest.session_id)] + [str(i) for i in guest_session_ids(request) if i != guest.session_id]
    value = signing.dumps(ids[:_MAX_SESSIONS], salt=_SALT)
    response.set_cookie(
        GUEST_COOKIE, value, max_age=_MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure()
    )
