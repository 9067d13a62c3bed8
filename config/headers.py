"""Browser defences on every response: a strict Content-Security-Policy and a Permissions-Policy.

Scripts run only from our own origin (the bundles under /static/) or with this response's nonce
(`{{ request.csp_nonce }}`); no eval. Connections go to our origin (pages, API, websockets) and to
the LiveKit server the tokens point at. Camera, microphone and screen capture are ours alone.
"""

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Google's consent screen: "Save to Google Drive" posts a form that redirects there.
FORM_TARGETS = "https://accounts.google.com"


def _livekit_sources(livekit_url: str = "") -> str:
    """The LiveKit URL as websocket and as HTTP (livekit-client checks the server over HTTP first)."""
    url = urlsplit(livekit_url or settings.LIVEKIT_URL)
    secure = url.scheme in ("wss", "https")
    host = url.netloc
    return f"{'wss' if secure else 'ws'}://{host} {'https' if secure else 'http'}://{host}"


def _media_sources() -> str:
    """Recordings play from our origin; on S3 their signed link redirects to the bucket's origin."""
    if settings.STORAGE_BACKEND != "s3":
        return ""
    if settings.S3_ENDPOINT_URL:
        url = urlsplit(settings.S3_ENDPOINT_URL)
        return f" {url.scheme}://{url.netloc}"
    return " https://*.amazonaws.com"


def content_security_policy(nonce: str, *, recording_layout: bool = False) -> str:
    """The policy of every page; the recording layout (opened by egress's Chromium) may also connect to
    the LiveKit URL egress itself uses (EGRESS_LIVEKIT_URL, e.g. ws://livekit:7880 inside Compose)."""
    connect = f"'self' {_livekit_sources()}"
    if recording_layout and settings.EGRESS_LIVEKIT_URL:
        connect += f" {_livekit_sources(settings.EGRESS_LIVEKIT_URL)}"
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self' 'unsafe-inline'",  # style attributes (no script can run from a style)
        "img-src": "'self' data: blob:",
        "media-src": f"'self' blob:{_media_sources()}",
        "font-src": "'self' data:",
        "connect-src": connect,
        "worker-src": "'self' blob:",
        "frame-src": "'none'",
        "frame-ancestors": "'none'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": f"'self' {FORM_TARGETS}",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "microphone=(self)",
        "display-capture=(self)",
        "autoplay=(self)",
        "fullscreen=(self)",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "bluetooth=()",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        match = request.resolver_match
        layout = match is not None and match.view_name == "recordings:layout"
        response.setdefault("Content-Security-Policy", content_security_policy(nonce, recording_layout=layout))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response
