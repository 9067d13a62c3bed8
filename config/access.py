"""Dev protection: a shared access key and an optional IP allow-list for non-production sites."""

import hmac
from collections.abc import Callable
from ipaddress import ip_address, ip_network

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.template.loader import render_to_string

from core.net import client_ip

ACCESS_COOKIE = "lectern_access"
# The LiveKit webhook proves itself with its signature and the health check has nothing to hide;
# the recording layout is opened by egress's Chromium, which holds no access key (the page is static).
EXEMPT_PATHS = ("/healthz", "/livez", "/livekit/webhook", "/recordings/layout/")


def ip_allowed(ip: str, allowed: list[str]) -> bool:
    if not allowed:
        return True
    try:
        address = ip_address(ip)
    except ValueError:
        return False
    return any(address in ip_network(entry, strict=False) for entry in allowed)


class DevAccessMiddleware:
    """Keeps a dev or staging site (DOMAIN unset) closed to anyone without the access key."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(EXEMPT_PATHS):
            return self.get_response(request)
        if not ip_allowed(client_ip(request), settings.ALLOWED_IPS):
            return HttpResponseForbidden("This address is not allowed.")
        key = settings.DEV_ACCESS_KEY
        if settings.PRODUCTION or not key:
            return self.get_response(request)
        given = request.GET.get("key")
        if given is not None and hmac.compare_digest(given, key):
            response = self.get_response(request)
            response.set_cookie(ACCESS_COOKIE, key, httponly=True, samesite="Lax")
            return response
        if hmac.compare_digest(request.COOKIES.get(ACCESS_COOKIE, ""), key):
            return self.get_response(request)
        return HttpResponseForbidden("This development site needs its access key: add ?key=… to the URL.")


class MalformedRequestMiddleware:
    """A NUL character in the path or the query string is no URL of ours: 400 before any view runs
    (PostgreSQL would refuse it in a lookup, and a 500 is no answer to bad input)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query.lower() or "\x00" in query:
            return JsonResponse({"detail": "The address contains a NUL character."}, status=400)
        return self.get_response(request)


DATABASE_DOWN = "The database is not reachable right now. Try again in a moment."


def is_outage(exc: BaseException) -> bool:
    """A lost or refused database connection (not a bad query): the service is down, not the request."""
    return isinstance(exc, (OperationalError, InterfaceError))


class DatabaseOutageMiddleware:
    """While PostgreSQL is down, pages answer a clear 503 (and the API {"detail"}), never a 500;
    they recover by themselves when it returns (Django reconnects on the next request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError):
            return self._unavailable(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return self._unavailable(request) if is_outage(exception) else None

    def _unavailable(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": DATABASE_DOWN}, status=503)
        else:
            response = HttpResponse(
                render_to_string("503.html", {"message": DATABASE_DOWN}), status=503, content_type="text/html"
            )
        response["Retry-After"] = "10"
        return response
