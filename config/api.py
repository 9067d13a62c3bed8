"""The JSON API (`/api/v1/`): one NinjaAPI, a router per app, errors as {"detail": "..."}."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.utils import check_csrf

from config.access import DATABASE_DOWN, is_outage
from core.exceptions import LecternError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_REFUSED = "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value."


class BrowserSession:
    """Authentication is the browser's cookies (session or guest session); each route then checks
    authorization itself. This only enforces Django's CSRF rule on unsafe methods."""

    def __call__(self, request: HttpRequest) -> bool:
        if request.method not in SAFE_METHODS:
            try:
                refused = check_csrf(request)
            except MultiPartParserError as exc:  # Django reads a form body looking for the token
                raise HttpError(400, f"The request body could not be read: {exc}.") from exc
            if refused:
                raise HttpError(
                    403, "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value."
                )
        return True


class StrictJSONParser(Parser):
    """JSON bodies, with the one rule no field may break: no NUL character anywhere (PostgreSQL
    refuses it, and no person types it). Field rules (core/text.py) do the rest."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if _holds_nul(data):
            raise HttpError(400, "The request body contains a NUL character.")
        return data


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


api = NinjaAPI(
    title="Lectern API",
    version="1",
    description='Rooms, joining, lobby, moderation, chat, files and lectures. Errors are {"detail": "..."}.',
    urls_namespace="api",
    auth=BrowserSession(),
    parser=StrictJSONParser(),
)


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    messages = []
    for error in exc.errors:
        loc = error.get("loc", [])
        msg = str(error.get("msg", "is invalid"))
        if error.get("type") == "json_invalid" or ("JSON" in msg and not loc[1:]):
            messages.append("The request body is not valid JSON.")
            continue
        messages.append(f"{_field_name(list(loc))}: {msg}")
    return api.create_response(request, {"detail": "; ".join(messages) or "Invalid request."}, status=400)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):
        # ninja's wording for a body that json.loads refused
        detail = "The request body is not valid JSON."
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(LecternError)
def domain_error(request: HttpRequest, exc: LecternError) -> HttpResponse:
    """Domain errors raised anywhere below a route become {"detail"} with their own 4xx status."""
    response = api.create_response(request, {"detail": exc.detail}, status=exc.status)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:  # RateLimited
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(DatabaseError)
def database_down(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    if not is_outage(exc):
        raise exc
    return api.create_response(request, {"detail": DATABASE_DOWN}, status=503)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": "The request body is too large."}, status=413)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Log in first."}, status=401)


def register_routers() -> None:
    from chat.api import router as chat_router
    from lectures.api import room_router as lecture_life_router
    from lectures.api import router as lectures_router
    from lobby.api import router as lobby_router
    from moderation.api import bans_router
    from moderation.api import router as moderation_router
    from recordings.api import room_router as recordings_room_router
    from recordings.api import router as recordings_router
    from rooms.api import router as rooms_router

    # Several apps serve routes under /rooms/{code}/…: each owns its own router.
    api.add_router("/rooms", rooms_router)
    api.add_router("/rooms", lecture_life_router)
    api.add_router("/rooms", lobby_router)
    api.add_router("/rooms", moderation_router)
    api.add_router("/rooms", chat_router)
    api.add_router("/rooms", recordings_room_router)
    api.add_router("/lectures", lectures_router)
    api.add_router("/recordings", recordings_router)
    api.add_router("/bans", bans_router)


register_routers()
