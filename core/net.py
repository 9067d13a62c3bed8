"""The client's network address, as far as this deployment may trust it."""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str:
    """The peer address; behind a proxy, the proxy is trusted only in production."""
    if settings.PRODUCTION:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


# The address of the request being served, so that records written deep below a view (the audit
# log) carry it without every service passing it along.
_current_ip: ContextVar[str] = ContextVar("lectern_client_ip", default="")


def current_client_ip() -> str:
    """The client address of the request this code runs for ("" outside a request)."""
    return _current_ip.get()


class ClientAddressMiddleware:
    """Remember each request's client address for the duration of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)
